//go:build duckdb_arrow

package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPutInPlace: a staged database goes in place as the final one,
// unless a database was made there meanwhile (it is kept, not replaced)
// or the staged file kept a log (the file alone is not the database).
func TestPutInPlace(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			return "(none)"
		}
		return string(b)
	}
	final := filepath.Join(dir, "a.duckdb")
	staged := write("a.duckdb.partial", "new")
	if err := putInPlace(staged, final); err != nil {
		t.Fatal(err)
	}
	if got := read(final) + "," + read(staged); got != "new,(none)" {
		t.Errorf("final,staged = %s, want new,(none)", got)
	}

	staged = write("a.duckdb.partial", "newer")
	err := putInPlace(staged, final)
	if err == nil || !strings.Contains(err.Error(), "created by another process") {
		t.Errorf("error %v, want one saying another process created it", err)
	}
	if got := read(final); got != "new" {
		t.Errorf("final = %q: the other database was replaced", got)
	}

	os.Remove(final)
	write("a.duckdb.partial.wal", "log")
	err = putInPlace(staged, final)
	if err == nil || !strings.Contains(err.Error(), "write-ahead log") {
		t.Errorf("error %v, want one about the log", err)
	}
	if got := read(final); got != "(none)" {
		t.Errorf("final = %q, want none", got)
	}
}
