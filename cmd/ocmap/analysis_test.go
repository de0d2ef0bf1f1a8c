//go:build duckdb_arrow

package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ocmap/ocmap/pipeline/analysis"
	"github.com/ocmap/ocmap/pipeline/export"
	"github.com/ocmap/ocmap/pipeline/measures"
	"github.com/ocmap/ocmap/pipeline/store"
)

// gridMap is a 3x3 grid of 1-degree districts in COD-AB style, G1..G9 row
// by row from the north-west, inland (so all of its outline is land
// border).
func gridMap() string {
	var fs []string
	for i := 0; i < 9; i++ {
		x, y := 70+i%3, 33-i/3
		fs = append(fs, fmt.Sprintf(`{"type":"Feature","properties":{"ADM2_PCODE":"G%d","ADM2_EN":"Grid %d","ADM1_EN":"Punjab"},
 "geometry":{"type":"Polygon","coordinates":[[[%d,%d],[%d,%d],[%d,%d],[%d,%d],[%d,%d]]]}}`, i+1, i+1, x, y-1, x+1, y-1, x+1, y, x, y, x, y-1))
	}
	return `{"type":"FeatureCollection","features":[` + strings.Join(fs, ",\n") + "]}"
}

// writeTestFile writes text to dir/name and returns the path.
func writeTestFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAnalystCommands ingests a small grid and checks heatmap, hotspots,
// trends and links against numbers worked out here.
func TestAnalystCommands(t *testing.T) {
	dir := isolate(t)
	write := func(name, text string) string { return writeTestFile(t, dir, name, text) }
	mapPath := write("grid.geojson", gridMap())
	// Drug incidents per district: G5 (the centre) 12, G1 6, the rest 1
	// each; all by point, in January and February 2024.
	var rows []string
	counts := []int{6, 1, 1, 1, 12, 1, 1, 1, 1}
	id := 0
	for i, n := range counts {
		lon, lat := 70.5+float64(i%3), 32.5-float64(i/3)
		for k := 0; k < n; k++ {
			id++
			rows = append(rows, fmt.Sprintf("D%d,drug_trafficking,heroin,2024-0%d-10,%.1f,%.1f,,ANF,1,,", id, 1+k%2, lat, lon))
		}
	}
	rows = append(rows, "C1,cybercrime,hacking,2024-01-10,32.5,70.5,,FIA,,,")
	in := write("in.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		strings.Join(rows, "\n")+"\n")
	var pop []string
	for i := 1; i <= 9; i++ {
		pop = append(pop, fmt.Sprintf("G%d,2023,%d", i, 100000*i))
	}
	popPath := write("pop.csv", "district,year,population\n"+strings.Join(pop, "\n")+"\n")
	db := filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, "--population", popPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}

	code, stdout, stderr := ocmap("heatmap", "--db", db, "--category", "drug_trafficking", "--metric", "rate", "--publish-sources", "ANF")
	if code != exitOK {
		t.Fatalf("heatmap: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{
		"heatmap of incidents per 100,000 people: drug_trafficking, 2024-01 to 2024-02, 25 incidents in 9 districts\n",
		"located by point 100.0%, near a district 0.0%, by district name 0.0%\n",
		"records by source: ANF 100.0%\n",
		"     1    G1    Grid 1    Punjab  6.00          6     100,000      \n", // 6 per 100,000
		"     2    G5    Grid 5    Punjab  2.40         12     500,000      \n", // 12 per 500,000
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("heatmap says\n%s\nwant it to contain %q", stdout, want)
		}
	}

	// JSON: EB rates are GeoDa's on these counts and populations.
	code, stdout, stderr = ocmap("heatmap", "--db", db, "--category", "drug_trafficking", "--metric", "eb_rate", "--format", "json")
	if code != exitOK {
		t.Fatalf("heatmap json: exit %d\n%s", code, stderr)
	}
	var js struct {
		Basis     string `json:"basis"`
		Districts []struct {
			Code   string   `json:"district_code"`
			Value  *float64 `json:"value"`
			Border bool     `json:"border"`
		} `json:"districts"`
	}
	if err := json.Unmarshal([]byte(stdout), &js); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	events, people := make([]float64, 9), make([]float64, 9)
	for i := range events {
		events[i], people[i] = float64(counts[i]), float64(100000*(i+1))
	}
	eb, _ := measures.EBRates(events, people)
	if js.Basis != "eb_rate" || len(js.Districts) != 9 {
		t.Fatalf("basis %q, %d districts", js.Basis, len(js.Districts))
	}
	for _, d := range js.Districts {
		var i int
		fmt.Sscanf(d.Code, "G%d", &i)
		if d.Value == nil || math.Abs(*d.Value-eb[i-1]*1e5) > 1e-9 {
			t.Errorf("%s EB rate %v, want %v", d.Code, d.Value, eb[i-1]*1e5)
		}
		if d.Border != (i != 5) {
			t.Errorf("%s border %v, want %v (all but the centre touch the outline)", d.Code, d.Border, i != 5)
		}
	}

	// GeoJSON: nine polygons with their values, for QGIS.
	code, stdout, stderr = ocmap("heatmap", "--db", db, "--metric", "count", "--format", "geojson", "--boundaries", mapPath)
	if code != exitOK {
		t.Fatalf("heatmap geojson: exit %d\n%s", code, stderr)
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Geometry   struct{ Type string } `json:"geometry"`
			Properties map[string]any        `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal([]byte(stdout), &fc); err != nil {
		t.Fatal(err)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != 9 || fc.Features[0].Geometry.Type != "MultiPolygon" ||
		fc.Features[0].Properties["district_code"] != "G5" || fc.Features[0].Properties["value"] != 12.0 {
		t.Errorf("geojson: %s", stdout[:min(len(stdout), 400)])
	}
	if code, _, stderr = ocmap("heatmap", "--db", db, "--metric", "count", "--format", "geojson", "--boundaries", writeMap(t, dir)); code != exitFailure ||
		!strings.Contains(stderr, "is not the boundary file") {
		t.Errorf("geojson with other boundaries: exit %d\n%s", code, stderr)
	}

	code, stdout, _ = ocmap("trends", "--db", db, "--publish-sources", "ANF,FIA")
	if !strings.Contains(stdout, "records by source: ANF 96.2%, FIA 3.8%\n") { // 25 and 1 of 26
		t.Errorf("trends says\n%s\nwant the sources", stdout)
	}
	code, stdout, _ = ocmap("trends", "--db", db, "--publish-sources", "FIA")
	if !strings.Contains(stdout, "records by source: FIA 3.8%, 1 other source 96.2%\n") {
		t.Errorf("trends --publish-sources FIA says\n%s\nwant ANF counted, not named", stdout)
	}
	code, stdout, _ = ocmap("trends", "--db", db)
	if !strings.Contains(stdout, "records by source: 2 sources 100.0%\n") || strings.Contains(stdout, "ANF") {
		t.Errorf("trends without a list says\n%s\nwant \"2 sources\" and no name", stdout)
	}
	for _, args := range [][]string{
		{"hotspots", "--db", db, "--category", "drug_trafficking"},
		{"trends", "--db", db},
		{"links", "--db", db},
	} {
		code, stdout, stderr := ocmap(args...)
		if code != exitOK || !strings.Contains(stdout, "2024-01 to 2024-02") {
			t.Errorf("%s: exit %d\n%s%s", args[0], code, stdout, stderr)
		}
	}
	code, stdout, _ = ocmap("links", "--db", db, "--format", "csv")
	if !strings.Contains(stdout, "border,drug_trafficking,,,,,true,8,13,") || !strings.Contains(stdout, "border,drug_trafficking,,,,,false,1,12,500000,2.4") {
		t.Errorf("links csv:\n%s", stdout)
	}
	if code, _, _ := ocmap("heatmap", "--db", db, "--metric", "nope"); code != exitUsage {
		t.Errorf("unknown metric: exit %d, want %d", code, exitUsage)
	}
}

// TestHeaderSources checks the header's source line on lists longer than
// the five names it once cut at.
func TestHeaderSources(t *testing.T) {
	var shares []store.SourceShare
	for _, s := range []struct {
		name string
		n    int64
	}{{"ANF", 30}, {"FIA", 20}, {"Punjab Police", 15}, {"Sindh Police", 10}, {"KP Police", 10},
		{"CTD", 5}, {"informant 0300-1234567", 5}, {"Secret Cell", 5}} {
		shares = append(shares, store.SourceShare{Source: s.name, Records: s.n})
	}
	tests := []struct {
		name     string
		approved []string
		want     string
	}{
		{"six approved", []string{"ANF", "FIA", "Punjab Police", "Sindh Police", "KP Police", "CTD"},
			"records by source: ANF 30.0%, FIA 20.0%, Punjab Police 15.0%, Sindh Police 10.0%, KP Police 10.0%, CTD 5.0%, 2 other sources 10.0%\n"},
		{"one approved, spelt as the list spells it", []string{"fia"}, "records by source: fia 20.0%, 7 other sources 80.0%\n"},
		{"no list", nil, "records by source: 8 sources 100.0%\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &analysed{Result: &analysis.Result{}, Category: "all", MaxPrecision: 4, Sources: export.PublicSources(shares, tt.approved)}
			var b strings.Builder
			a.header(&b, "trends")
			if got := b.String(); !strings.Contains(got, tt.want) || strings.Contains(got, "Secret") || strings.Contains(got, "0300") {
				t.Errorf("header:\n%s\nwant %q and no unapproved name", got, tt.want)
			}
		})
	}
}
