package scratch

import (
	"io"
	"os"
	"runtime"
	"testing"
)

func TestFileHasNoName(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	f, err := File("ocmap-test-*.arrows")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if runtime.GOOS != "windows" {
		if _, err := os.Stat(f.Name()); !os.IsNotExist(err) {
			t.Fatalf("%s still has a name: %v", f.Name(), err)
		}
		if ents, _ := os.ReadDir(os.Getenv("TMPDIR")); len(ents) != 0 {
			t.Fatalf("temporary folder holds %d entries, want 0", len(ents))
		}
	}
	if _, err := f.WriteString("rejected row"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(f)
	if err != nil || string(b) != "rejected row" {
		t.Fatalf("read back %q, %v", b, err)
	}
}
