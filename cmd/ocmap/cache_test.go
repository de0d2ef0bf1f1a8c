//go:build duckdb_arrow

package main

import (
	"os"
	"path/filepath"
	"testing"
)

// The parsed boundaries are cached under $OCMAP_CACHE/parsed, a second run
// gives the same tables, and OCMAP_CACHE=off writes no cache anywhere.
func TestBoundaryCache(t *testing.T) {
	dir := isolate(t)
	mapPath := writeMap(t, dir)
	in := writeTestFile(t, dir, "in.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		"C1,drug_trafficking,heroin,2023-01-15,30.5,70.5,,ANF,1,,seized\n"+
		"C2,drug_trafficking,heroin,2023-02-15,,,Beta,ANF,2,,seized\n")
	query := "SELECT incident_id, district_code, location_precision FROM incidents ORDER BY 1"
	entries := func(d string) []string {
		m, err := filepath.Glob(filepath.Join(d, "boundaries-*.bin"))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	var first string
	for i := range 2 {
		db := filepath.Join(dir, "c.duckdb")
		os.Remove(db)
		if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, in); code != exitOK {
			t.Fatalf("ingest %d: exit %d\n%s%s", i, code, stdout, stderr)
		}
		if got, want := len(entries(filepath.Join(dir, "cache", "parsed"))), 1; got != want {
			t.Fatalf("run %d: %d cache entries, want %d", i, got, want)
		}
		code, stdout, stderr := ocmap("sql", "--db", db, "--format", "csv", query)
		if code != exitOK {
			t.Fatalf("sql: exit %d\n%s", code, stderr)
		}
		if want := "incident_id,district_code,location_precision\nC1,PK001,1\nC2,PK002,3\n"; stdout != want {
			t.Fatalf("run %d: incidents\n%s\nwant\n%s", i, stdout, want)
		}
		if i == 0 {
			first = stdout
		} else if stdout != first {
			t.Fatalf("cached run differs:\n%s\nfirst:\n%s", stdout, first)
		}
	}

	home := filepath.Join(dir, "home")
	t.Setenv("OCMAP_CACHE", cacheOff)
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	db := filepath.Join(dir, "off.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, in); code != exitOK {
		t.Fatalf("ingest with OCMAP_CACHE=off: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, d := range []string{filepath.Join(home, ".cache", "ocmap", "parsed"), filepath.Join(dir, "off", "parsed"), "off"} {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("OCMAP_CACHE=off: %s exists (%v)", d, err)
		}
	}
}
