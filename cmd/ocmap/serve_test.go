//go:build duckdb_arrow

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/geo/render"
	"github.com/ocmap/ocmap/pipeline/store"
)

// openServer makes the server 'ocmap serve' runs on db and the boundaries
// at mapPath; the store closes when the test ends.
func openServer(t testing.TB, db, mapPath string) *server {
	t.Helper()
	b, err := geo.Load(mapPath, geo.Properties{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenReadOnly(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h, err := newServer(context.Background(), st, b, db)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// startGuarded serves h behind the host guard, as 'ocmap serve' does, until
// the test ends.
func startGuarded(t testing.TB, h *server) *httptest.Server {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	g, err := newHostGuard(h, ts.Listener.Addr(), listenPolicy{})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = g
	ts.Start()
	t.Cleanup(ts.Close)
	return ts
}

// getter returns a GET of a path below url, giving the status and the body.
func getter(t *testing.T, url string) func(path string) (int, string) {
	return func(path string) (int, string) {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
}

// TestServe checks the local page: it draws the map and the ranking,
// answers JSON with the heatmap's figures, refuses anything but reading,
// and listens on 127.0.0.1 by default.
func TestServe(t *testing.T) {
	dir := isolate(t)
	mapPath := filepath.Join(dir, "grid.geojson")
	os.WriteFile(mapPath, []byte(gridMap()), 0o644)
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		"1,drug_trafficking,x,2024-01-10,32.5,70.5,,S,,,\n2,drug_trafficking,x,2024-01-11,32.5,70.5,,S,,,\n3,cybercrime,x,2024-01-12,31.5,71.5,,S,,,\n"+
		"4,cybercrime,x,2024-01-13,,,Grid 5,S,,,\n"), 0o644)
	db := filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	ts := httptest.NewServer(openServer(t, db, mapPath))
	defer ts.Close()
	get := getter(t, ts.URL)
	code, body := get("/plain?category=drug_trafficking&metric=count")
	for _, want := range []string{"<svg", "heatmap of incidents: drug_trafficking, 2024-01 to 2024-01, 2 incidents in 9 districts",
		`<td class="l">Grid 1</td><td class="l">Punjab</td><td>2.00</td><td>2</td>`} {
		if code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("GET / : %d, want it to contain %q", code, want)
		}
	}
	code, body = get("/heatmap.json?category=cybercrime&metric=count")
	var js struct {
		Districts []struct {
			Code  string  `json:"district_code"`
			Value float64 `json:"value"`
		} `json:"districts"`
	}
	if err := json.Unmarshal([]byte(body), &js); code != http.StatusOK || err != nil || js.Districts[0].Code != "G5" || js.Districts[0].Value != 2 {
		t.Errorf("GET /heatmap.json: %d %v %s", code, err, body[:min(200, len(body))])
	}
	// Exact points only: G5's incident placed by its name is left out.
	code, body = get("/heatmap.json?category=cybercrime&metric=count&precision=1")
	if err := json.Unmarshal([]byte(body), &js); code != http.StatusOK || err != nil || js.Districts[0].Code != "G5" || js.Districts[0].Value != 1 {
		t.Errorf("GET /heatmap.json?precision=1: %d %v %s", code, err, body[:min(200, len(body))])
	}
	if code, body = get("/plain?precision=3"); code != http.StatusOK || !strings.Contains(body, `<option value="3" selected>district named or better</option>`) ||
		!strings.Contains(body, "counting incidents located at precision 1-3 only") {
		t.Errorf("GET /plain?precision=3: %d, no selected option or header", code)
	}
	if code, _ = get("/heatmap.json?precision=9"); code != http.StatusBadRequest {
		t.Errorf("GET /heatmap.json?precision=9: %d, want 400", code)
	}
	if code, body = get("/map.svg?metric=rate"); code != http.StatusOK || !strings.HasPrefix(strings.TrimSpace(body), "<?xml") {
		t.Errorf("GET /map.svg: %d", code)
	}
	// The Gi* map takes ArcGIS's classes, not the counts' quantiles; with no
	// population, districts with incidents have "no population figure".
	if code, body = get("/map.svg?metric=gi"); code != http.StatusOK || !strings.Contains(body, ">not significant<") ||
		!strings.Contains(body, `fill="#ffffbf"`) || strings.Contains(body, `fill="#ffeda0"`) {
		t.Errorf("GET /map.svg?metric=gi: %d, not drawn in hot and cold spot classes", code)
	}
	if code, body = get("/map.svg?metric=rate"); code != http.StatusOK || !strings.Contains(body, ">no population figure<") ||
		!strings.Contains(body, `fill="#c6dbef"`) {
		t.Errorf("GET /map.svg?metric=rate without population: %d, no \"no population figure\"", code)
	}
	if code, _ = get("/plain?metric=nope"); code != http.StatusOK { // the page shows the error
		t.Errorf("GET / with a bad metric: %d", code)
	}
	if code, body = get("/heatmap.json?metric=nope"); code != http.StatusBadRequest ||
		!strings.Contains(body, `unknown metric "nope" (want one of count, `) || !strings.Contains(body, "lisa") {
		t.Errorf("GET /heatmap.json with a bad metric: %d %q, want 400 and the metrics", code, body)
	}
	if code, body = get("/api/district.json"); code != http.StatusBadRequest || !strings.Contains(body, "code=CODE") {
		t.Errorf("GET /api/district.json without a code: %d %q, want 400 and how to give one", code, body)
	}
	// The interactive page loads its own script and style, and its data.
	if code, body = get("/"); code != http.StatusOK || !strings.Contains(body, `<script src="/static/page.js" defer></script>`) ||
		!strings.Contains(body, `<script src="/static/vendor/leaflet-1.9.4/leaflet.js" defer></script>`) {
		t.Errorf("GET /: %d, no page script or Leaflet", code)
	}
	code, body = get("/api/view.json?category=cybercrime&metric=count")
	var view struct {
		Kind      string `json:"kind"`
		Districts []struct {
			Code  string  `json:"district_code"`
			Value float64 `json:"value"`
			Class string  `json:"class"`
			Fill  string  `json:"fill"`
		} `json:"districts"`
	}
	if err := json.Unmarshal([]byte(body), &view); code != http.StatusOK || err != nil || len(view.Districts) != 9 || view.Kind != "sequential" ||
		view.Districts[0].Code != "G5" || view.Districts[0].Value != 2 {
		t.Errorf("GET /api/view.json: %d %v %s", code, err, body[:min(300, len(body))])
	}
	code, body = get("/api/district.json?code=G5&precision=1")
	var det struct {
		Months []string           `json:"months"`
		Series map[string][]int64 `json:"series"`
	}
	if err := json.Unmarshal([]byte(body), &det); code != http.StatusOK || err != nil || len(det.Months) != 1 ||
		det.Series["cybercrime"][0] != 1 || det.Series["drug_trafficking"][0] != 0 {
		t.Errorf("GET /api/district.json?code=G5&precision=1: %d %v %s", code, err, body)
	}
	if code, body = get("/api/view.json?category=human_trafficking"); code != http.StatusNotFound || !strings.Contains(body, "no incidents in that scope") {
		t.Errorf("GET /api/view.json for a category without incidents: %d %q, want 404 saying why", code, body)
	}
	if code, _ = get("/api/district.json?code=NOPE"); code != http.StatusNotFound {
		t.Errorf("GET /api/district.json?code=NOPE: %d, want 404", code)
	}
	if code, body = get("/api/view.csv?category=cybercrime"); code != http.StatusOK || !strings.HasPrefix(body, "district_code,district,province,count,") {
		t.Errorf("GET /api/view.csv: %d %.80s", code, body)
	}
	for _, p := range []string{"/static/", "/static/vendor/", "/static/vendor/leaflet-1.9.4/VENDOR.md", "/static/nope.js"} {
		if code, _ = get(p); code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404 (no listings)", p, code)
		}
	}
	resp, err := http.Post(ts.URL+"/", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", resp.StatusCode)
	}
	_, _, stderr := ocmap("help", "serve")
	_, help, _ := ocmap("serve", "--help")
	if !strings.Contains(help+stderr, "127.0.0.1:8080") {
		t.Errorf("serve's default address is not 127.0.0.1:8080:\n%s%s", help, stderr)
	}
}

// TestServeNoPopulation checks issue 16's item 2 on the served page: a
// district with incidents but no census population (as Poonch and Hunza)
// is "no population figure" on the rate maps, in its own colour and in the
// legend, never "no data", and the table keeps its count.
func TestServeNoPopulation(t *testing.T) {
	dir := isolate(t)
	mapPath := writeTestFile(t, dir, "grid.geojson", gridMap())
	// G1 2 incidents, G5 1, G9 3; every district but G9 has a population.
	in := writeTestFile(t, dir, "in.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		"1,drug_trafficking,x,2024-01-10,32.5,70.5,,S,,,\n2,drug_trafficking,x,2024-01-11,32.5,70.5,,S,,,\n3,drug_trafficking,x,2024-01-12,31.5,71.5,,S,,,\n"+
		"4,drug_trafficking,x,2024-01-13,30.5,72.5,,S,,,\n5,drug_trafficking,x,2024-01-14,30.5,72.5,,S,,,\n6,drug_trafficking,x,2024-01-15,30.5,72.5,,S,,,\n")
	pop := "district,year,population\n"
	for i := 1; i <= 8; i++ {
		pop += fmt.Sprintf("Grid %d,2023,%d\n", i, 100000*i)
	}
	popPath := writeTestFile(t, dir, "pop.csv", pop)
	db := filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, "--population", popPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	ts := httptest.NewServer(openServer(t, db, mapPath))
	defer ts.Close()
	getCode := getter(t, ts.URL)
	get := func(path string) string {
		code, body := getCode(path)
		if code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, code, body)
		}
		return body
	}
	noPop := fmt.Sprintf(`<path id="d-G9" fill="#%02x%02x%02x"`, render.NoPopColour.R, render.NoPopColour.G, render.NoPopColour.B)
	noData := fmt.Sprintf(`fill="#%02x%02x%02x"`, render.NoDataColour.R, render.NoDataColour.G, render.NoDataColour.B)
	for _, metric := range []string{"rate", "eb_rate", "gi"} {
		svg := get("/map.svg?category=drug_trafficking&metric=" + metric)
		if !strings.Contains(svg, noPop) || !strings.Contains(svg, ">no population figure</text>") {
			t.Errorf("%s map: G9 is not drawn as \"no population figure\", or the legend lacks it", metric)
		}
		// Every other district has a population, so a rate: nothing is
		// "no data". (Gi* of G5, whose neighbour G9 has no rate, is.)
		if metric != "gi" && (strings.Contains(svg, noData) || strings.Contains(svg, ">no data</text>")) {
			t.Errorf("%s map: a district is \"no data\"", metric)
		}
	}
	page := get("/plain?category=drug_trafficking&metric=rate")
	for _, want := range []string{
		noPop,
		`<td>1</td><td class="l">Grid 1</td><td class="l">Punjab</td><td>2.00</td><td>2</td>`,
		`<td></td><td class="l">Grid 9</td><td class="l">Punjab</td><td>-</td><td>3</td><td class="l">no population figure</td>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("rate page lacks %q", want)
		}
	}
	// On counts G9 is a district like the others.
	svg := get("/map.svg?category=drug_trafficking&metric=count")
	if strings.Contains(svg, noPop) || strings.Contains(svg, "no population figure") {
		t.Errorf("count map shows \"no population figure\"")
	}
}
