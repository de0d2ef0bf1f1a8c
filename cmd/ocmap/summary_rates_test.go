//go:build duckdb_arrow

package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSummaryRates checks what the summary says of population rates.
func TestSummaryRates(t *testing.T) {
	dir := isolate(t)
	mapPath := writeMap(t, dir)
	write := func(name, text string) string { return writeTestFile(t, dir, name, text) }
	in := write("in.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		"1,drug_trafficking,heroin,2023-01-05,30.5,70.5,,ANF,1,,\n"+
		"2,drug_trafficking,heroin,2023-02-05,30.5,70.5,,ANF,1,,\n"+
		"3,cybercrime,hacking,2023-02-05,30.5,71.5,,FIA,,,\n")
	pop := write("pop.csv", "district,year,population\nAlpha,2017,40000\nAlpha,2023,50000\n")
	db := filepath.Join(dir, "crime.duckdb")
	code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, "--population", pop, in)
	if code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	if want := "population " + pop + ": read 2 = accepted 2 + rejected 0; 1 districts, census years [2017 2023]\n"; !strings.Contains(stdout, want) {
		t.Errorf("ingest says\n%s\nwant it to contain %q", stdout, want)
	}
	code, stdout, stderr = ocmap("summary", "--db", db)
	if code != exitOK {
		t.Fatalf("summary: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{
		"3 incidents, all categories, 2023-01 to 2023-02, in 2 districts\n",
		"     1  PK001     Alpha     North          2      4.00            0      2            0      0       2.0           0        0\n",
		"     2  PK002      Beta     South          1         -            0      0            0      1       0.0           0        0\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary says\n%s\nwant it to contain %q", stdout, want)
		}
	}
}
