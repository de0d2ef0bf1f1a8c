package csvout_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestOnlyWriter keeps every CSV output on this package: encoding/csv's
// writer is left only where ocmap writes CSV that it reads back itself.
func TestOnlyWriter(t *testing.T) {
	allowed := []string{
		"pipeline/export/outputs.go", // the table DuckDB turns into Parquet
		"pipeline/synth/synth.go",    // synthetic input files
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), "csv.NewWriter(") {
			rel, _ := filepath.Rel(root, path)
			found = append(found, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) == 0 {
		t.Fatal("found no csv.NewWriter at all; is the walk rooted right?")
	}
	for _, f := range found {
		if !slices.Contains(allowed, f) {
			t.Errorf("%s uses encoding/csv's writer; write CSV outputs with csvout.NewWriter", f)
		}
	}
}
