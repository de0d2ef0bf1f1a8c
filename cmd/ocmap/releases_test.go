//go:build duckdb_arrow

package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestReleases exports to February and to March, and an internal version:
// the register holds the two non-internal exports, and the second was
// audited with the first.
func TestReleases(t *testing.T) {
	dir := isolate(t)
	mapPath := writeTestFile(t, dir, "grid.geojson", gridMap())
	var rows []string
	id := 0
	add := func(cat string, g, n, month int) {
		lon, lat := 70.5+float64((g-1)%3), 32.5-float64((g-1)/3)
		for range n {
			id++
			rows = append(rows, fmt.Sprintf("E%d,%s,x,2024-0%d-10,%.1f,%.1f,,SRC,1,,", id, cat, month, lat, lon))
		}
	}
	for m := 1; m <= 3; m++ {
		add("drug_trafficking", 1, 12, m)
		add("drug_trafficking", 4, 15, m)
		add("cybercrime", 1, 20, m)
	}
	add("drug_trafficking", 2, 3, 3) // March only: small
	in := writeTestFile(t, dir, "in.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		strings.Join(rows, "\n")+"\n")
	db := filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, args := range [][]string{{"--to", "2024-02"}, {"--to", "2024-03"}, {"--internal"}} {
		a := append([]string{"export", "--db", db, "--out", filepath.Join(dir, "out"+args[len(args)-1]), "--boundaries", mapPath, "--width", "400"}, args...)
		if code, stdout, stderr := ocmap(a...); code != exitOK {
			t.Fatalf("%v: exit %d\n%s%s", args, code, stdout, stderr)
		}
	}
	code, stdout, stderr := ocmap("releases", "--db", db)
	if code != exitOK {
		t.Fatalf("releases: exit %d\n%s%s", code, stdout, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if got, want := len(lines), 3; got != want {
		t.Fatalf("releases lists %d lines, want %d (header and two exports):\n%s", got, want, stdout)
	}
	for i, want := range []string{"2024-01..2024-02\t10", "2024-01..2024-03\t10"} {
		if !strings.Contains(lines[i+1], want) || !strings.HasPrefix(lines[i+1], fmt.Sprintf("%d\texport\t", i+1)) {
			t.Errorf("release %d: %q, want it to hold %q", i+1, lines[i+1], want)
		}
	}
}
