//go:build duckdb_arrow

package store

import (
	"context"
	"path/filepath"
	"testing"
)

// columnCount counts the columns named col of table.
func columnCount(t *testing.T, s *Store, table, col string) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM duckdb_columns() WHERE table_name = ? AND column_name = ?`, table, col).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Open runs the table statements once per list of statements: a database
// whose meta holds this list's key skips them, one without the key (made
// before it, or killed before it was written) or with another key runs
// them all.
func TestOpenSkipsKnownDDL(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ddl.duckdb")
	reopen := func(s *Store) *Store {
		t.Helper()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s, err := Open(ctx, path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var key, version string
	if err := s.db.QueryRow(`SELECT value FROM meta WHERE key = 'ddl_sha256'`).Scan(&key); err != nil {
		t.Fatal(err)
	}
	if got, want := key, ddlKey(); got != want {
		t.Fatalf("ddl_sha256 %q, want %q", got, want)
	}
	if err := s.db.QueryRow(`SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&version); err != nil || version != schemaVersion {
		t.Fatalf("schema_version %q (%v), want %q", version, err, schemaVersion)
	}
	// A column one statement adds, dropped behind Open's back, stays
	// dropped while the key matches: the statements did not run.
	if _, err := s.db.Exec(`ALTER TABLE districts DROP COLUMN crossing_km`); err != nil {
		t.Fatal(err)
	}
	s = reopen(s)
	if got, want := columnCount(t, s, "districts", "crossing_km"), 0; got != want {
		t.Fatalf("key matches: %d crossing_km columns, want %d", got, want)
	}
	// Without the key (an older database, or one killed mid-way) they run.
	if _, err := s.db.Exec(`DELETE FROM meta WHERE key = 'ddl_sha256'`); err != nil {
		t.Fatal(err)
	}
	s = reopen(s)
	if got, want := columnCount(t, s, "districts", "crossing_km"), 1; got != want {
		t.Fatalf("no key: %d crossing_km columns, want %d", got, want)
	}
	// Another key (the statements changed) runs them too, and stores ours.
	if _, err := s.db.Exec(`ALTER TABLE districts DROP COLUMN crossing_km`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`UPDATE meta SET value = 'old' WHERE key = 'ddl_sha256'`); err != nil {
		t.Fatal(err)
	}
	s = reopen(s)
	defer s.Close()
	if got, want := columnCount(t, s, "districts", "crossing_km"), 1; got != want {
		t.Fatalf("other key: %d crossing_km columns, want %d", got, want)
	}
	if err := s.db.QueryRow(`SELECT value FROM meta WHERE key = 'ddl_sha256'`).Scan(&key); err != nil || key != ddlKey() {
		t.Fatalf("ddl_sha256 after rerun %q (%v), want %q", key, err, ddlKey())
	}
}
