//go:build duckdb_arrow

package main

import (
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
