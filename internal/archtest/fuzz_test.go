package archtest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestFuzzTargetsInMake: every fuzz target of the module runs in `make
// fuzz`, on the line (or the for loop) that names its package, so that a
// target added later does not silently stop being fuzzed.
func TestFuzzTargetsInMake(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	recipe := fuzzRecipe(string(mk))
	if len(recipe) == 0 {
		t.Fatal("the Makefile has no fuzz target")
	}
	fuzzFunc := regexp.MustCompile(`(?m)^func (Fuzz\w+)\(`)
	n := 0
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "bench-out") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := "./" + filepath.ToSlash(rel) + "/"
		for _, m := range fuzzFunc.FindAllStringSubmatch(string(src), -1) {
			n++
			if !fuzzed(recipe, m[1], pkg) {
				t.Errorf("%s (%s) is not run by make fuzz: add it to the Makefile's fuzz target with %s", m[1], filepath.ToSlash(rel), pkg)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Errorf("found %d fuzz targets; the walk is broken", n)
	}
}

// fuzzRecipe returns the recipe lines of the Makefile's fuzz target.
func fuzzRecipe(mk string) []string {
	var out []string
	in := false
	for _, line := range strings.Split(mk, "\n") {
		switch {
		case strings.HasPrefix(line, "fuzz:"):
			in = true
		case in && strings.HasPrefix(line, "\t"):
			out = append(out, line)
		case in:
			return out
		}
	}
	return out
}

// fuzzed reports whether the recipe runs target in pkg: a line naming both,
// or a for loop naming the target whose next line names the package.
func fuzzed(recipe []string, target, pkg string) bool {
	word := regexp.MustCompile(`\b` + target + `\b`)
	for i, line := range recipe {
		if !word.MatchString(line) {
			continue
		}
		if strings.Contains(line, pkg) || strings.Contains(line, "for ") && i+1 < len(recipe) && strings.Contains(recipe[i+1], pkg) {
			return true
		}
	}
	return false
}
