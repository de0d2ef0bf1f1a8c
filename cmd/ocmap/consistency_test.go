//go:build duckdb_arrow

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ocmap/ocmap/pipeline/store"
)

// TestAnalystFlagsConsistent checks issue 16's item 8: every flag an analyst
// command lists does what it says, and every unknown value is an error.
func TestAnalystFlagsConsistent(t *testing.T) {
	dir := isolate(t)
	mapPath := writeTestFile(t, dir, "grid.geojson", gridMap())
	// G1 has 3 incidents with 0.1 kg each (sums that floating point cannot
	// hold exactly), G5 2, in January and February 2024.
	rows := []string{"incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description"}
	for i, r := range []struct {
		lat, lon float64
		month    int
	}{{32.5, 70.5, 1}, {32.5, 70.5, 2}, {32.5, 70.5, 2}, {31.5, 71.5, 1}, {31.5, 71.5, 2}} {
		rows = append(rows, fmt.Sprintf("D%d,drug_trafficking,heroin,2024-%02d-10,%.1f,%.1f,,ANF,0.1,,", i, r.month, r.lat, r.lon))
	}
	in := writeTestFile(t, dir, "in.csv", strings.Join(rows, "\n")+"\n")
	db := filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}

	// summary takes --category all as the others do, and rounds sums.
	code, stdout, stderr := ocmap("summary", "--db", db, "--category", "all", "--format", "csv")
	if code != exitOK {
		t.Fatalf("summary --category all: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "G1,Grid 1,Punjab,3,0,3,0,0,0.3,") {
		t.Errorf("summary csv: want G1 with 3 incidents and 0.3 kg:\n%s", stdout)
	}
	code, stdout, _ = ocmap("summary", "--db", db, "--format", "json")
	var sj struct {
		Districts []struct {
			Code     string  `json:"district_code"`
			Quantity float64 `json:"quantity"`
		} `json:"districts"`
	}
	if code != exitOK || json.Unmarshal([]byte(stdout), &sj) != nil || len(sj.Districts) == 0 || sj.Districts[0].Quantity != 0.3 ||
		strings.Contains(stdout, "0.30000000000000004") {
		t.Errorf("summary json: exit %d, quantity not 0.3:\n%s", code, stdout)
	}

	// A period after the data says so.
	code, stdout, stderr = ocmap("summary", "--db", db, "--from", "2030-01")
	if code != exitOK || !strings.Contains(stdout, "0 incidents, all categories, 2030-01 to ...") ||
		!strings.Contains(stderr, "no incidents from 2030-01 to ...: the database's incidents run from 2024-01 to 2024-02") {
		t.Errorf("summary --from 2030-01: exit %d\n%s%s", code, stdout, stderr)
	}

	// Flags a command does not use are refused, not ignored.
	for _, args := range [][]string{
		{"links", "--db", db, "--category", "nonsense"},
		{"links", "--db", db, "--category", "drug_trafficking"},
		{"hotspots", "--db", db, "--base-from", "2023-01", "--base-to", "2023-02"},
	} {
		if code, _, stderr := ocmap(args...); code != exitUsage || !strings.Contains(stderr, "unknown flag") {
			t.Errorf("%v: exit %d, want %d with unknown flag:\n%s", args, code, exitUsage, stderr)
		}
	}
	for _, args := range [][]string{
		{"summary", "--db", db, "--category", "nonsense"},
		{"heatmap", "--db", db, "--category", "nonsense"},
		{"heatmap", "--db", db, "--top", "-1"},
		{"heatmap", "--db", db, "--metric", "nonsense"},
	} {
		if code, _, stderr := ocmap(args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d:\n%s", args, code, exitUsage, stderr)
		}
	}

	// heatmap --top: the table says how many of how many; counts have no
	// decimals.
	code, stdout, stderr = ocmap("heatmap", "--db", db, "--top", "2")
	if code != exitOK || !strings.Contains(stdout, "the 2 highest of 9 districts (--top)") || strings.Count(stdout, "Grid ") != 2 ||
		strings.Contains(stdout, "3.00") {
		t.Errorf("heatmap --top 2: exit %d\n%s%s", code, stdout, stderr)
	}
	// A base period before the data is not reported as one.
	code, stdout, _ = ocmap("heatmap", "--db", db, "--format", "json", "--top", "1")
	var hj map[string]any
	if code != exitOK || json.Unmarshal([]byte(stdout), &hj) != nil {
		t.Fatalf("heatmap json: exit %d\n%s", code, stdout)
	}
	if hj["base_from"] != nil || hj["base_to"] != nil || !strings.HasPrefix(fmt.Sprint(hj["base_note"]), "no incidents in the base period 2023-11 to 2023-12") {
		t.Errorf("heatmap json base: from %v to %v note %v", hj["base_from"], hj["base_to"], hj["base_note"])
	}
	if ds, _ := hj["districts"].([]any); len(ds) != 1 {
		t.Errorf("heatmap json --top 1: %d districts", len(ds))
	}
}

// TestDemoInstallsBoundaries checks issue 16's item 7: after a demo run with
// the boundaries named by OCMAP_BOUNDARIES (as make demo does), the
// commands it suggests work without them, and a second demo leaves the
// default alone.
func TestDemoInstallsBoundaries(t *testing.T) {
	dir := isolate(t)
	mapPath := writeTestFile(t, dir, "grid.geojson", gridMap())
	t.Setenv("OCMAP_BOUNDARIES", mapPath)
	out := filepath.Join(dir, "demo")
	code, stdout, stderr := ocmap("demo", "--out", out, "--rows", "2000")
	if code != exitOK {
		t.Fatalf("demo: exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "is now the default") || !strings.Contains(stdout, " summary --db "+filepath.Join(out, "demo.duckdb")) {
		t.Errorf("demo does not say the boundaries are installed, or suggests no runnable command:\n%s", stdout)
	}
	t.Setenv("OCMAP_BOUNDARIES", "")
	if code, stdout, stderr := ocmap("match", "Grid 5"); code != exitOK || !strings.Contains(stdout, "Grid 5 (G5)") {
		t.Errorf("match without OCMAP_BOUNDARIES after the demo: exit %d\n%s%s", code, stdout, stderr)
	}
	t.Setenv("OCMAP_BOUNDARIES", mapPath)
	if code, stdout, _ := ocmap("demo", "--out", filepath.Join(dir, "demo2"), "--rows", "2000"); code != exitOK || strings.Contains(stdout, "is now the default") {
		t.Errorf("second demo: exit %d, installs again:\n%s", code, stdout)
	}
}

// TestLayoutsCanonical checks issue 16's item 9: 'layouts' lists canonical,
// so 'layouts show canonical' and 'layouts check canonical' work, and the
// shown text is a layout file that reads a canonical file as ingest does.
func TestLayoutsCanonical(t *testing.T) {
	dir := isolate(t)
	mapPath := writeTestFile(t, dir, "grid.geojson", gridMap())
	code, stdout, stderr := ocmap("layouts", "show", "canonical")
	if code != exitOK || !strings.Contains(stdout, "name: canonical") || !strings.Contains(stdout, "  district_hint: {column: district_hint}") {
		t.Fatalf("layouts show canonical: exit %d\n%s%s", code, stdout, stderr)
	}
	mine := writeTestFile(t, dir, "mine.yaml", strings.Replace(stdout, "name: canonical", "name: mine", 1))
	in := writeTestFile(t, dir, "in.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		"A1,drug_trafficking,heroin,2024-01-10,32.5,70.5,,ANF,1,,\n"+
		"A2,cybercrime,hacking,2024-01-11,,,Grid 5,FIA,,,\n"+
		"A3,drug_trafficking,heroin,2024-13-10,32.5,70.5,,ANF,1,,\n")
	for _, name := range []string{"canonical", mine, "auto"} {
		code, stdout, stderr := ocmap("layouts", "check", "--boundaries", mapPath, name, in)
		if code != exitOK || !strings.Contains(stdout, "rows read 3 = accepted 2 + rejected 1") {
			t.Errorf("layouts check %s: exit %d\n%s%s", name, code, stdout, stderr)
		}
	}
	db := filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, in); code != exitOK ||
		!strings.Contains(stdout, "accepted 2, rejected 1") {
		t.Errorf("ingest of the same file: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestDemoRejectsApart checks issue 16's item 9 (last line): the demo
// counts the incident file's rejects and the population file's apart, in
// the ingest report, its own line and the summary.
func TestDemoRejectsApart(t *testing.T) {
	dir := isolate(t)
	mapPath := writeTestFile(t, dir, "grid.geojson", gridMap())
	// Two bad census rows: a population that is not a number, and a
	// district the boundaries do not have.
	pop := writeTestFile(t, dir, "pop.csv", "district,year,population\nGrid 1,2023,100000\nGrid 2,2023,many\nGrid 3,2023,80000\nAtlantis,2023,5000\n")
	out := filepath.Join(dir, "demo")
	code, stdout, stderr := ocmap("demo", "--out", out, "--rows", "2000", "--boundaries", mapPath, "--population", pop)
	if code != exitOK {
		t.Fatalf("demo: exit %d\n%s%s", code, stdout, stderr)
	}
	var bad int64
	if i := strings.Index(stdout, "incidents.csv ("); i < 0 {
		t.Fatalf("demo does not say how many bad rows gen wrote:\n%s", stdout)
	} else if _, err := fmt.Sscanf(stdout[i+len("incidents.csv ("):], "%d deliberately bad rows", &bad); err != nil || bad == 0 {
		t.Fatalf("bad rows %d (%v):\n%s", bad, err, stdout)
	}
	st, err := store.OpenReadOnly(context.Background(), filepath.Join(out, "demo.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	_, tot, err := st.Summary(context.Background(), store.SummaryQuery{})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprintf("%d %d", tot.Rejected, tot.PopulationRejected), fmt.Sprintf("%d 2", bad); got != want {
		t.Errorf("rejects (incidents, population) %s, want %s", got, want)
	}
	for _, want := range []string{
		"population " + pop + ": read 4 = accepted 2 + rejected 2;",
		fmt.Sprintf("first rejected incident rows (all %s are in the rejects table, as are the population file's 2):\n", commas(bad)),
		fmt.Sprintf("    rejected: %s incident rows (gen wrote %s deliberately bad rows); 2 rows of the population file\n", commas(bad), commas(bad)),
		fmt.Sprintf("Rejected incident rows in the database: %s; rejected population rows: 2.\n", commas(bad)),
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("demo output lacks %q:\n%s", want, stdout)
		}
	}
}
