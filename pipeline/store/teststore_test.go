package store

import (
	"context"
	"path/filepath"
	"testing"
)

// openTestStore opens a new store file name in t.TempDir() and closes it when
// the test ends.
func openTestStore(t *testing.T, name string, opts Options) *Store {
	t.Helper()
	st, err := Open(context.Background(), filepath.Join(t.TempDir(), name), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
