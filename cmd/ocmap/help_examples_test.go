package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHelpExamplesWriteOutsideSource checks that no example of any
// command's help writes into a folder of ocmap's own source tree: users
// copy the examples as they are, from the repository's root, where
// "--out internal" filled Go's internal/ folder with an export.
func TestHelpExamplesWriteOutsideSource(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Skipf("not in the source tree: %v", err)
	}
	for _, c := range commands {
		for _, line := range strings.Split(c.Long, "\n") {
			f := strings.Fields(line)
			if len(f) == 0 || f[0] != "ocmap" {
				continue
			}
			for i := 1; i+1 < len(f); i++ {
				if f[i] != "--out" && f[i] != "--incidents" && f[i] != ">" || filepath.IsAbs(f[i+1]) {
					continue
				}
				first := strings.Split(filepath.ToSlash(filepath.Clean(f[i+1])), "/")[0]
				if st, err := os.Stat(filepath.Join(root, first)); err == nil && st.IsDir() {
					t.Errorf("ocmap help %s: %q writes into the source folder %s/", c.Name, strings.TrimSpace(line), first)
				}
			}
		}
	}
}
