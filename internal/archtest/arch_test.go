package archtest

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/ocmap/ocmap"

// imports returns the imports of every package under the module root,
// test files excluded, keyed by import path.
func imports(t *testing.T) map[string]map[string]bool {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]bool{}
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "bench-out") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := module
		if rel != "." {
			pkg += "/" + filepath.ToSlash(rel)
		}
		if out[pkg] == nil {
			out[pkg] = map[string]bool{}
		}
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			out[pkg][p] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLayering(t *testing.T) {
	all := imports(t)
	if len(all) < 8 {
		t.Fatalf("found only %d packages; is the walk rooted right?", len(all))
	}
	stages := []string{"read", "normalize", "locate", "store", "synth"}
	isStage := func(p string) bool {
		for _, s := range stages {
			if p == module+"/pipeline/"+s {
				return true
			}
		}
		return false
	}
	for pkg, ims := range all {
		for im := range ims {
			switch {
			case strings.HasPrefix(im, "github.com/duckdb/") && pkg != module+"/pipeline/store":
				t.Errorf("%s imports %s: only pipeline/store may speak to DuckDB", pkg, im)
			case isStage(pkg) && isStage(im):
				t.Errorf("stage %s imports stage %s: stages exchange Arrow batches, not code", pkg, im)
			case (pkg == module+"/geo" || pkg == module+"/schemas") && strings.HasPrefix(im, module+"/"):
				t.Errorf("leaf %s imports %s", pkg, im)
			case pkg == module+"/schemas" && strings.Contains(im, ".") && !strings.HasPrefix(im, "github.com/apache/arrow-go/"):
				t.Errorf("schemas imports %s: it may import Arrow and the standard library only", im)
			case strings.HasPrefix(pkg, module+"/pipeline") && strings.HasPrefix(im, module+"/cmd"):
				t.Errorf("%s imports the command %s", pkg, im)
			}
		}
	}
}
