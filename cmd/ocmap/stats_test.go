//go:build duckdb_arrow

package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// rowMap is 20 districts of 1 degree in a row, R1 (west) to R20, each
// touching the next only.
func rowMap() string {
	var fs []string
	for i := 0; i < 20; i++ {
		x := 60 + i
		fs = append(fs, fmt.Sprintf(`{"type":"Feature","properties":{"ADM2_PCODE":"R%d","ADM2_EN":"Row %d","ADM1_EN":"Punjab"},
 "geometry":{"type":"Polygon","coordinates":[[[%d,30],[%d,30],[%d,31],[%d,31],[%d,30]]]}}`, i+1, i+1, x, x+1, x+1, x, x))
	}
	return `{"type":"FeatureCollection","features":[` + strings.Join(fs, ",\n") + "]}"
}

// TestHotspotsSparse is issue 15's D2 and D3 through the CLI: one
// cybercrime incident, in R1 at the end of the row, no population (hot
// spots on counts). Gi* of R1 is z = 3 (0.9/0.3), p = 0.0027, a 90% hot
// spot after FDR; the default guard (30 incidents) withholds it and every
// output says why; by permutation R1's p is 1 (every draw ties).
func TestHotspotsSparse(t *testing.T) {
	dir := isolate(t)
	mapPath := writeTestFile(t, dir, "row.geojson", rowMap())
	in := writeTestFile(t, dir, "in.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		"C1,cybercrime,hacking,2024-02-10,30.5,60.5,,FIA,,,\n")
	db := filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	run := func(args ...string) string {
		t.Helper()
		code, stdout, stderr := ocmap(append([]string{"hotspots", "--db", db, "--category", "cybercrime"}, args...)...)
		if code != exitOK {
			t.Fatalf("hotspots %v: exit %d\n%s", args, code, stderr)
		}
		return stdout
	}
	guard := "1 incidents in the period, fewer than the minimum of 30 (--min-incidents): no hot spot, cluster or emerging class"

	out := run()
	for _, want := range []string{"Gi* p-values: normal approximation (as ArcGIS)\n", guard + "\n",
		"no district is a significant hot or cold spot, or in a cluster, in this scope\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	csv := run("--format", "csv")
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	if !strings.HasSuffix(lines[0], ",guard") || !strings.HasPrefix(lines[1], "R1,Row 1,") || !strings.HasSuffix(lines[1], `,"`+guard+`"`) {
		t.Errorf("CSV header and first row:\n%s\n%s", lines[0], lines[1])
	}
	if got, want := strings.Split(lines[1], ",")[21:25], []string{"3.000000", "0.002700", "0", "-0.950000"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("R1 gi_z, gi_p, gi_bin, lisa_i = %v, want %v", got, want)
	}

	var js struct {
		Guard, Inference string
		MinIncidents     int `json:"min_incidents"`
		Districts        []struct {
			Code  string  `json:"district_code"`
			GiP   float64 `json:"gi_p"`
			GiBin int     `json:"gi_bin"`
			LisaP float64 `json:"lisa_p"`
			Lisa  string  `json:"lisa"`
		}
	}
	if err := json.Unmarshal([]byte(run("--format", "json")), &js); err != nil {
		t.Fatal(err)
	}
	if js.Guard != guard || js.Inference != "normal" || js.MinIncidents != 30 {
		t.Errorf("JSON guard %q inference %q min %d", js.Guard, js.Inference, js.MinIncidents)
	}

	out = run("--min-incidents", "0")
	if strings.Contains(out, "fewer than") {
		t.Errorf("--min-incidents 0 still guards:\n%s", out)
	}
	// R1 alone: a 90% hot spot on normal p; its LISA p is 1 (ties both
	// sides), so no HL. Row: code, name, province, incidents, EB rate, z,
	// p, class (two words), LISA p.
	if got, want := fmt.Sprint(strings.Fields(strings.Split(out, "\n")[7])), "[R1 Row 1 Punjab 1 - 3.00 0.0027 hot spot 90% 1.000]"; got != want {
		t.Errorf("--min-incidents 0: R1 row %s, want %s:\n%s", got, want, out)
	}
	if !strings.Contains(out, "1 of 20 districts shown") {
		t.Errorf("--min-incidents 0: want only R1 shown:\n%s", out)
	}

	if err := json.Unmarshal([]byte(run("--min-incidents", "0", "--inference", "permutation", "--format", "json")), &js); err != nil {
		t.Fatal(err)
	}
	r1 := js.Districts[0]
	if js.Inference != "permutation" || r1.Code != "R1" || r1.GiP != 1 || r1.GiBin != 0 || r1.LisaP != 1 || r1.Lisa != "" {
		t.Errorf("permutation: inference %q, first %+v; want R1 with p 1, no class", js.Inference, r1)
	}
	if out := run("--min-incidents", "0", "--inference", "permutation"); !strings.Contains(out, "Gi* p-values: conditional permutation (999, seed 20261125)") {
		t.Errorf("permutation header:\n%s", out)
	}

	if code, _, stderr := ocmap("hotspots", "--db", db, "--inference", "bootstrap"); code != exitUsage || !strings.Contains(stderr, `--inference "bootstrap": want normal or permutation`) {
		t.Errorf("--inference bootstrap: exit %d, %s", code, stderr)
	}
	if code, _, stderr := ocmap("trends", "--db", db, "--min-incidents", "-1"); code != exitUsage || !strings.Contains(stderr, "--min-incidents must be 0") {
		t.Errorf("--min-incidents -1: exit %d, %s", code, stderr)
	}
}
