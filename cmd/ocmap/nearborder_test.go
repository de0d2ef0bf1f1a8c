//go:build duckdb_arrow

package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNearBorder ingests the 3x3 grid with one crossing X inside G1 (the
// north-west square, [70, 71] x [32, 33]) and checks the distances stored,
// the SQL query, --near-border on the analyst commands and serve's
// near_border, against distances worked out by hand on a 6371 km sphere:
// G1 holds X (0 km); G2's west edge is 0.5 degrees of longitude away at
// 32.5N, 2*6371*asin(cos 32.5° sin 0.25°) = 46.890 km; G4's north edge
// 0.5 degrees of latitude, 55.597 km; G5's corner (71, 32), 72.815 km.
func TestNearBorder(t *testing.T) {
	dir := isolate(t)
	write := func(name, text string) string { return writeTestFile(t, dir, name, text) }
	mapPath := write("grid.geojson", gridMap())
	crossings := write("crossings.csv", "name,country,kind,lon,lat,precision_km,source\n"+
		"X,AF,land,70.5,32.5,1,https://example.org/x\n")
	// Drug incidents: G1 6, G2 1, G4 2, G5 3, G9 1 (by point), and one
	// placed in Punjab only, which --near-border leaves out.
	var rows []string
	id := 0
	for i, n := range []int{6, 1, 0, 2, 3, 0, 0, 0, 1} {
		lon, lat := 70.5+float64(i%3), 32.5-float64(i/3)
		for range n {
			id++
			rows = append(rows, fmt.Sprintf("D%d,drug_trafficking,heroin,2024-01-10,%.1f,%.1f,,ANF,1,,", id, lat, lon))
		}
	}
	rows = append(rows, "P1,drug_trafficking,heroin,2024-01-10,,,Punjab,ANF,1,,")
	in := write("in.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		strings.Join(rows, "\n")+"\n")
	db := filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, "--crossings", crossings, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}

	code, stdout, stderr := ocmap("sql", "--db", db, "--format", "csv",
		"SELECT district_code, crossing, round(crossing_km, 3) AS km FROM districts WHERE crossing_km < 60 ORDER BY km")
	if want := "district_code,crossing,km\nG1,X,0\nG2,X,46.89\nG4,X,55.597\n"; code != exitOK || stdout != want {
		t.Errorf("sql: exit %d\n%s%s\nwant\n%s", code, stdout, stderr, want)
	}

	for _, tt := range []struct {
		km   string
		want []string
	}{
		{"50", []string{"drug_trafficking, districts within 50 km of a border crossing or port, 2024-01 to 2024-01, 7 incidents in 2 districts\n",
			"     1    G1    Grid 1    Punjab      6          6           -          X 0.0 km      \n",
			"     2    G2    Grid 2    Punjab      1          1           -         X 46.9 km      \n"}},
		{"73", []string{"12 incidents in 4 districts\n",
			"     2    G5    Grid 5    Punjab      3          3           -         X 72.8 km      \n",
			"     3    G4    Grid 4    Punjab      2          2           -         X 55.6 km      \n"}},
	} {
		code, stdout, stderr = ocmap("heatmap", "--db", db, "--category", "drug_trafficking", "--near-border", tt.km)
		if code != exitOK {
			t.Fatalf("heatmap --near-border %s: exit %d\n%s", tt.km, code, stderr)
		}
		for _, want := range tt.want {
			if !strings.Contains(stdout, want) {
				t.Errorf("heatmap --near-border %s says\n%s\nwant it to contain %q", tt.km, stdout, want)
			}
		}
		if strings.Contains(stdout, "Grid 9") {
			t.Errorf("heatmap --near-border %s shows Grid 9, 145 km away:\n%s", tt.km, stdout)
		}
	}
	// Without the filter: every district, and the incident placed in the
	// province only is named (with the filter it is in no scope).
	if code, stdout, _ = ocmap("heatmap", "--db", db, "--category", "drug_trafficking"); !strings.Contains(stdout, "13 incidents in 9 districts") ||
		!strings.Contains(stdout, "1 incidents in Punjab are placed in the province only") {
		t.Errorf("heatmap without --near-border: exit %d\n%s", code, stdout)
	}
	// CSV: the crossing and its distance are columns.
	code, stdout, _ = ocmap("heatmap", "--db", db, "--category", "drug_trafficking", "--near-border", "50", "--format", "csv")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != exitOK || len(lines) != 3 || !strings.HasSuffix(lines[0], ",crossing,crossing_km") || !strings.HasSuffix(lines[2], ",X,46.890") {
		t.Errorf("heatmap csv: exit %d\n%s", code, stdout)
	}
	// The other analyst commands take it too.
	for _, cmd := range []string{"hotspots", "trends", "links"} {
		if code, stdout, stderr = ocmap(cmd, "--db", db, "--near-border", "50"); code != exitOK ||
			!strings.Contains(stdout, "districts within 50 km of a border crossing or port") || !strings.Contains(stdout, "in 2 districts") {
			t.Errorf("%s --near-border 50: exit %d\n%s%s", cmd, code, stdout, stderr)
		}
	}
	// summary: the same districts and incidents, the province-only one
	// left out; its breakdown too.
	code, stdout, stderr = ocmap("summary", "--db", db, "--near-border", "50", "--format", "csv")
	if rr := csvRows(t, stdout); code != exitOK || len(rr) != 2 || rr["1"]["district_code"] != "G1" || rr["1"]["incidents"] != "6" ||
		rr["2"]["district_code"] != "G2" || rr["2"]["incidents"] != "1" {
		t.Errorf("summary --near-border 50: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = ocmap("summary", "--db", db, "--near-border", "50")
	if code != exitOK || !strings.Contains(stdout, "7 incidents, all categories, districts within 50 km of a border crossing or port, 2024-01 to 2024-01, in 2 districts") ||
		!strings.Contains(stdout, "drug_trafficking       heroin          7          2") {
		t.Errorf("summary --near-border 50 table:\n%s", stdout)
	}
	if code, _, stderr = ocmap("summary", "--db", db, "--near-border", "-1"); code != exitUsage || !strings.Contains(stderr, "want a distance in km above 0") {
		t.Errorf("summary --near-border -1: exit %d\n%s", code, stderr)
	}
	// Bad distances and empty scopes are clear errors.
	for _, tt := range []struct{ km, want string }{
		{"0", "--near-border 0: want a distance in km above 0"},
		{"-5", "--near-border -5: want a distance in km above 0"},
		{"NaN", "--near-border NaN: want a distance in km above 0"},
	} {
		if code, _, stderr = ocmap("heatmap", "--db", db, "--near-border", tt.km); code != exitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("--near-border %s: exit %d, %q; want usage error %q", tt.km, code, stderr, tt.want)
		}
	}
	if code, _, stderr = ocmap("heatmap", "--db", db, "--province", "Sindh", "--near-border", "50"); code == exitOK ||
		!strings.Contains(stderr, "no district of the database is in Sindh") {
		t.Errorf("empty province: exit %d, %q", code, stderr)
	}

	// export: a published map refuses it; an internal one maps the
	// districts within the distance and says so in its manifest.
	out := filepath.Join(dir, "out")
	if code, _, stderr = ocmap("export", "--db", db, "--out", out, "--boundaries", mapPath, "--near-border", "50"); code != exitUsage ||
		!strings.Contains(stderr, "--near-border: a published map of some districts only is a release shape the disclosure audit does not check; add --internal") {
		t.Errorf("published export --near-border: exit %d, %q", code, stderr)
	}
	if code, stdout, stderr = ocmap("export", "--db", db, "--out", out, "--boundaries", mapPath, "--internal", "--near-border", "50"); code != exitOK {
		t.Fatalf("export --internal --near-border: exit %d\n%s%s", code, stdout, stderr)
	}
	csvText, err := os.ReadFile(filepath.Join(out, "districts.csv"))
	if err != nil {
		t.Fatal(err)
	}
	csvLines := strings.Split(strings.TrimSpace(string(csvText)), "\n")
	if len(csvLines) != 3 || !strings.HasPrefix(csvLines[1], "G1,Grid 1,") || !strings.HasPrefix(csvLines[2], "G2,Grid 2,") {
		t.Errorf("internal export's districts.csv:\n%s\nwant G1 and G2 only", csvText)
	}
	manifest, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil || !strings.Contains(string(manifest), `"near_border_km": 50`) {
		t.Errorf("manifest: %v\n%s\nwant near_border_km 50", err, manifest)
	}

	// serve: near_border in the query.
	ts := httptest.NewServer(openServer(t, db, mapPath))
	defer ts.Close()
	get := getter(t, ts.URL)
	var js struct {
		Districts []struct {
			Code  string  `json:"district_code"`
			Value float64 `json:"value"`
		} `json:"districts"`
	}
	for _, tt := range []struct {
		query string
		codes string
	}{
		{"near_border=50", "G1 G2"},
		{"near_border=60", "G1 G4 G2"},
		{"", "G1 G5 G4 G2 G9 G3 G6 G7 G8"}, // the cached cells of every district
		{"near_border=50", "G1 G2"},        // and the filtered ones again, not the cache's
	} {
		code, body := get("/heatmap.json?category=drug_trafficking&metric=count&" + tt.query)
		if err := json.Unmarshal([]byte(body), &js); code != http.StatusOK || err != nil {
			t.Fatalf("GET /heatmap.json?%s: %d %v %s", tt.query, code, err, body)
		}
		var codes []string
		for _, d := range js.Districts {
			codes = append(codes, d.Code)
		}
		if got := strings.Join(codes, " "); got != tt.codes {
			t.Errorf("GET /heatmap.json?%s: districts %s, want %s", tt.query, got, tt.codes)
		}
	}
	if code, body := get("/heatmap.json?category=drug_trafficking&near_border=abc"); code != http.StatusBadRequest || !strings.Contains(body, `near_border \"abc\": want a distance in km above 0`) &&
		!strings.Contains(body, `near_border &#34;abc&#34;`) && !strings.Contains(body, `near_border "abc"`) {
		t.Errorf("near_border=abc: %d %s", code, body)
	}
}

// TestCrossingsFlag checks that a bad --crossings file stops the ingest
// with its line and column, and that rebuild measures the distances again
// from another file, and says when it cannot.
func TestCrossingsFlag(t *testing.T) {
	dir := isolate(t)
	write := func(name, text string) string { return writeTestFile(t, dir, name, text) }
	mapPath := write("grid.geojson", gridMap())
	in := write("in.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		"D1,drug_trafficking,heroin,2024-01-10,32.5,70.5,,ANF,1,,\n")
	bad := write("bad.csv", "name,country,kind,lon,lat,precision_km,source\nX,AF,land,70.5,95,1,https://example.org/x\n")
	db := filepath.Join(dir, "crime.duckdb")
	code, _, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, "--crossings", bad, in)
	if want := `--crossings: ` + bad + `: geo: bad crossings file: line 2: column "lat": "95" is not a decimal degree between -90 and 90`; code == exitOK || !strings.Contains(stderr, want) {
		t.Errorf("bad --crossings: exit %d, %q; want %q", code, stderr, want)
	}
	// The shipped crossings are far from this grid: G1's nearest is the
	// one nearest (70.5, 32.5).
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ := ocmap("sql", "--db", db, "--format", "csv", "SELECT crossing FROM districts WHERE district_code = 'G1'")
	if code != exitOK || stdout != "crossing\nAngoor Adda\n" {
		t.Errorf("shipped crossings: G1's nearest %q, want Angoor Adda", stdout)
	}
	other := write("other.csv", "name,country,kind,lon,lat,precision_km,source\nY,AF,land,72.5,30.5,1,https://example.org/y\n")
	if code, stdout, stderr := ocmap("rebuild", "-q", "--db", db, "--boundaries", mapPath, "--crossings", other); code != exitOK {
		t.Fatalf("rebuild: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = ocmap("sql", "--db", db, "--format", "csv", "SELECT district_code, crossing FROM districts WHERE crossing_km = 0")
	if code != exitOK || stdout != "district_code,crossing\nG9,Y\n" {
		t.Errorf("after rebuild --crossings: %q, want G9 holding Y", stdout)
	}
	// Without boundaries the rebuild leaves them and says so.
	code, _, stderr = ocmap("rebuild", "-q", "--db", db)
	if code != exitOK || !strings.Contains(stderr, "crossings: not measured again (no boundary file") {
		t.Errorf("rebuild without boundaries: exit %d, %q", code, stderr)
	}
	code, stdout, _ = ocmap("sql", "--db", db, "--format", "csv", "SELECT crossing FROM districts WHERE district_code = 'G9'")
	if code != exitOK || stdout != "crossing\nY\n" {
		t.Errorf("after rebuild without boundaries: %q, want Y kept", stdout)
	}
}
