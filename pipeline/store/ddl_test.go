//go:build duckdb_arrow

package store

import (
	"context"
	"path/filepath"
	"strings"
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
	if !strings.HasPrefix(key, ddlKey()+" ") {
		t.Fatalf("ddl_sha256 %q, want %q and the catalog's digest", key, ddlKey())
	}
	if err := s.db.QueryRow(`SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&version); err != nil || version != schemaVersion {
		t.Fatalf("schema_version %q (%v), want %q", version, err, schemaVersion)
	}
	// A row a statement adds, deleted behind Open's back, stays deleted
	// while the key and the catalog match: the statements did not run.
	if _, err := s.db.Exec(`DELETE FROM meta WHERE key = 'schema_version'`); err != nil {
		t.Fatal(err)
	}
	s = reopen(s)
	if got := scanCount(t, s, `SELECT count(*) FROM meta WHERE key = 'schema_version'`); got != 0 {
		t.Fatalf("key matches: %d schema_version rows, want 0 (the statements ran)", got)
	}
	// A column dropped, a table dropped, a view replaced (as an older build
	// that runs its own statements on every open does) since the key was
	// written: the catalog differs, and the statements run again.
	for _, change := range []string{
		`ALTER TABLE districts DROP COLUMN crossing_km`,
		`DROP TABLE district_measures`,
		`CREATE OR REPLACE VIEW drug_trafficking_incidents AS SELECT * FROM incidents`,
	} {
		if _, err := s.db.Exec(change); err != nil {
			t.Fatal(err)
		}
		s = reopen(s)
		if got := columnCount(t, s, "districts", "crossing_km") + scanCount(t, s, `SELECT count(*) FROM duckdb_tables() WHERE table_name = 'district_measures'`); got != 2 {
			t.Fatalf("after %s: %d of crossing_km and district_measures, want 2", change, got)
		}
		if got := scanCount(t, s, `SELECT count(*) FROM duckdb_columns() WHERE table_name = 'drug_trafficking_incidents' AND column_name = 'substance'`); got != 1 {
			t.Fatalf("after %s: the view has %d substance columns, want 1", change, got)
		}
	}
	if got := scanCount(t, s, `SELECT count(*) FROM meta WHERE key = 'schema_version'`); got != 1 {
		t.Fatalf("%d schema_version rows after the statements ran, want 1", got)
	}
	if _, err := s.db.Exec(`ALTER TABLE districts DROP COLUMN crossing_km`); err != nil {
		t.Fatal(err)
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
	if err := s.db.QueryRow(`SELECT value FROM meta WHERE key = 'ddl_sha256'`).Scan(&key); err != nil || !strings.HasPrefix(key, ddlKey()+" ") {
		t.Fatalf("ddl_sha256 after rerun %q (%v), want %q", key, err, ddlKey())
	}
}

func scanCount(t *testing.T, s *Store, q string) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}
