//go:build duckdb_arrow

package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSQL asks a database built by ingest questions in each format, and
// checks that it cannot be changed.
func TestSQL(t *testing.T) {
	dir := isolate(t)
	mapPath := writeMap(t, dir)
	in := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(in, []byte("incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		"1,drug_trafficking,heroin,2023-01-05,30.5,70.5,,ANF,1.5,,\n"+
		"2,drug_trafficking,heroin,2023-02-05,,,Beta,ANF,2,,\n"+
		"3,cybercrime,hacking,2023-02-05,30.5,71.5,,FIA,,,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	q := "SELECT incident_id, district_code, quantity, match_method, occurred_on FROM incidents ORDER BY incident_id"
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{q}, "incident_id  district_code  quantity  match_method  occurred_on  \n" +
			"1            PK001          1.5       point         2023-01-05   \n" +
			"2            PK002          2         exact         2023-02-05   \n" +
			"3            PK002          NULL      point         2023-02-05   \n(3 rows)\n"},
		{[]string{"--limit", "1", q}, "incident_id  district_code  quantity  match_method  occurred_on  \n" +
			"1            PK001          1.5       point         2023-01-05   \n(first 1 rows; --limit 0 shows all)\n"},
		{[]string{"--format", "csv", q}, "incident_id,district_code,quantity,match_method,occurred_on\n" +
			"1,PK001,1.5,point,2023-01-05\n2,PK002,2,exact,2023-02-05\n3,PK002,,point,2023-02-05\n"},
		{[]string{"--format", "json", q}, `{"incident_id":"1","district_code":"PK001","quantity":1.5,"match_method":"point","occurred_on":"2023-01-05"}` + "\n" +
			`{"incident_id":"2","district_code":"PK002","quantity":2,"match_method":"exact","occurred_on":"2023-02-05"}` + "\n" +
			`{"incident_id":"3","district_code":"PK002","quantity":null,"match_method":"point","occurred_on":"2023-02-05"}` + "\n"},
	} {
		code, stdout, stderr := ocmap(append([]string{"sql", "--db", db}, tt.args...)...)
		if code != exitOK || stdout != tt.want {
			t.Errorf("sql %q: exit %d\n%s%s\nwant\n%s", tt.args, code, stdout, stderr, tt.want)
		}
	}
	code, _, stderr := ocmap("sql", "--db", db, "DELETE FROM incidents")
	if code != exitFailure || !strings.Contains(stderr, "read-only") {
		t.Errorf("sql DELETE: exit %d, want %d and a read-only error\n%s", code, exitFailure, stderr)
	}
	code, stdout, _ := ocmap("sql", "--db", db, "SELECT count(*) AS n FROM incidents")
	if code != exitOK || !strings.Contains(stdout, "\n3  \n") {
		t.Errorf("after the refused DELETE: exit %d\n%s", code, stdout)
	}
	if code, _, _ := ocmap("sql", "--db", db); code != exitUsage {
		t.Errorf("sql without a query: exit %d, want %d", code, exitUsage)
	}
}

// TestSQLSealed tries what a hostile or careless user could type: nothing
// may change the database, another database or any file, nor fetch
// anything, and each is refused with an error.
func TestSQLSealed(t *testing.T) {
	dir := isolate(t)
	mapPath := writeMap(t, dir)
	in := writeTestFile(t, dir, "in.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n1,cybercrime,,2023-01-05,30.5,70.5,,,,,\n")
	db := filepath.Join(dir, "crime.duckdb")
	other := filepath.Join(dir, "other.duckdb")
	for _, p := range []string{db, other} {
		if code, stdout, stderr := ocmap("ingest", "-q", "--db", p, "--boundaries", mapPath, in); code != exitOK {
			t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
		}
	}
	sum := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%x", sha256.Sum256(b))
	}
	before, otherBefore := sum(db), sum(other)
	out := filepath.Join(dir, "out")
	q := func(s string) string { return strings.ReplaceAll(s, "'", "''") }
	for _, stmt := range []string{
		fmt.Sprintf("COPY (SELECT 'x') TO '%s' (FORMAT csv)", q(db)),
		fmt.Sprintf("COPY incidents TO '%s.csv'", q(out)),
		fmt.Sprintf("EXPORT DATABASE '%s'", q(out)),
		fmt.Sprintf("ATTACH '%s' AS o (READ_WRITE)", q(other)),
		fmt.Sprintf("ATTACH '%s' AS o", q(other)),
		"DELETE FROM incidents",
		"DROP TABLE incidents",
		"CREATE TABLE t AS SELECT 1",
		"INSTALL sqlite",
		"LOAD sqlite",
		"SET enable_external_access = true",
		"RESET lock_configuration",
		"PRAGMA enable_profiling",
		"CHECKPOINT",
		"BEGIN TRANSACTION",
		"SELECT 1; DELETE FROM incidents",
		"SELECT 1; SELECT 2",
		"/* hi */ COPY incidents TO 'x.csv'",
		"SELECT 1; COPY incidents TO 'x.csv'",
		"SET memory_limit = '100GB'",
		fmt.Sprintf("SELECT * FROM read_csv('%s')", q(in)),
		fmt.Sprintf("SELECT * FROM read_text('%s')", q(filepath.Join(dir, "two squares.geojson"))),
		fmt.Sprintf("SELECT * FROM glob('%s/*')", q(dir)),
		"SELECT * FROM read_parquet('https://example.org/x.parquet')",
	} {
		code, stdout, stderr := ocmap("sql", "--db", db, stmt)
		if code != exitFailure || stdout != "" {
			t.Errorf("sql %q: exit %d, want %d\n%s%s", stmt, code, exitFailure, stdout, stderr)
		}
	}
	if got := sum(db); got != before {
		t.Errorf("the database changed")
	}
	if got := sum(other); got != otherBefore {
		t.Errorf("the other database changed")
	}
	for _, p := range []string{out, out + ".csv"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was written", p)
		}
	}
	// The refusal says why, and queries of every kind still run.
	for _, stmt := range []string{"COPY incidents TO 'x.csv'", "/* hi */ copy incidents TO 'x.csv'", "\n-- x\nCOPY incidents TO 'x.csv'"} {
		_, _, stderr := ocmap("sql", "--db", db, stmt)
		if !strings.Contains(stderr, "read-only") || !strings.Contains(stderr, "COPY is refused") {
			t.Errorf("%q refused with %q; want it to say read-only and COPY", stmt, stderr)
		}
	}
	if _, _, stderr := ocmap("sql", "--db", db, "SELECT 1; SELECT 2"); !strings.Contains(stderr, "one query at a time") {
		t.Errorf("two queries refused with %q", stderr)
	}
	for stmt, want := range map[string]string{
		"WITH n AS (SELECT count(*) AS c FROM incidents) SELECT c FROM n": "\n1  \n",
		"DESCRIBE incidents":                               "incident_id",
		"SHOW TABLES":                                      "district_month",
		"SUMMARIZE SELECT lat FROM incidents":              "30.5",
		"EXPLAIN SELECT * FROM incidents":                  "physical_plan",
		"SELECT 'a;b' AS x; -- a comment; not a statement": "a;b",
		"PRAGMA table_info('incidents')":                   "incident_id",
	} {
		code, stdout, stderr := ocmap("sql", "--db", db, stmt)
		if code != exitOK || !strings.Contains(stdout, want) {
			t.Errorf("sql %q: exit %d, want %q in\n%s%s", stmt, code, want, stdout, stderr)
		}
	}
}

// TestNotADatabase gives every command that opens --db a file that is not
// a DuckDB database: a clear error, no download, the file left alone.
func TestNotADatabase(t *testing.T) {
	dir := isolate(t)
	mapPath := writeMap(t, dir)
	in := writeTestFile(t, dir, "in.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n1,cybercrime,,2023-01-05,30.5,70.5,,,,,\n")
	lite := writeTestFile(t, dir, "data.sqlite", "SQLite format 3\x00"+strings.Repeat("\x00", 4080))
	csvDB := writeTestFile(t, dir, "notes.duckdb", "just,a,csv\n1,2,3\n")
	for _, tt := range []struct {
		path, kind string
	}{{lite, "SQLite"}, {csvDB, "unknown kind"}} {
		before, _ := os.ReadFile(tt.path)
		for _, args := range [][]string{
			{"sql", "--db", tt.path, "SELECT 1"},
			{"summary", "--db", tt.path},
			{"ingest", "-q", "--db", tt.path, "--boundaries", mapPath, in},
		} {
			code, _, stderr := ocmap(args...)
			if code != exitFailure || !strings.Contains(stderr, "not a DuckDB database") || !strings.Contains(stderr, tt.kind) {
				t.Errorf("%q: exit %d, want %d and a clear error\n%s", args, code, exitFailure, stderr)
			}
		}
		if after, _ := os.ReadFile(tt.path); string(after) != string(before) {
			t.Errorf("%s changed", tt.path)
		}
	}
}
