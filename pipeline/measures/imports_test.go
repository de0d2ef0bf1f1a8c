package measures

import (
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// TestStandardLibraryOnly keeps the package a leaf: plain slices in and out,
// no ocmap or third-party imports, so the formulas stay checkable alone.
func TestStandardLibraryOnly(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path := strings.Trim(imp.Path.Value, `"`)
			if first, _, _ := strings.Cut(path, "/"); strings.Contains(first, ".") {
				t.Errorf("%s imports %s; measures must use the standard library only", name, path)
			}
		}
	}
}
