//go:build duckdb_arrow

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/ocmap/ocmap/pipeline/store"
)

// pageFixture is a 3x3 grid with incidents in three months: drug
// trafficking in G5 (3, 1, 2; one of them located by the district's name),
// G1 (1) and G9 (2, and no census figure); cybercrime in G5 (4 in
// February), G3 (1, 1) and G7 (1). Populations: G1..G8 100,000 times the
// number; G9 none.
type pageFixture struct {
	db, mapPath string
	st          *store.Store
	srv         *server
	ts          *httptest.Server
}

func newPageFixture(t testing.TB) *pageFixture {
	t.Helper()
	dir := t.TempDir()
	if tt, ok := t.(*testing.T); ok {
		dir = isolate(tt)
	}
	mapPath := filepath.Join(dir, "grid.geojson")
	if err := os.WriteFile(mapPath, []byte(gridMap()), 0o644); err != nil {
		t.Fatal(err)
	}
	at := func(g int) string { // lat,lon of grid cell g's centre
		i := g - 1
		return fmt.Sprintf("%.1f,%.1f", 32.5-float64(i/3), 70.5+float64(i%3))
	}
	var rows []string
	id := 0
	add := func(cat, day string, g int, hint, source string) {
		id++
		where := at(g) + ","
		if hint != "" {
			where = ",," + hint
		}
		rows = append(rows, fmt.Sprintf("%d,%s,x,%s,%s,%s,,,", id, cat, day, where, source))
	}
	for _, d := range []string{"2024-01-05", "2024-01-06", "2024-02-07", "2024-03-08"} {
		add("drug_trafficking", d, 5, "", "ANF")
	}
	add("drug_trafficking", "2024-01-09", 5, "", "ANF")
	add("drug_trafficking", "2024-03-25", 5, "Grid 5", "Police") // weeks from the others: no duplicate
	add("drug_trafficking", "2024-01-11", 1, "", "ANF")
	add("drug_trafficking", "2024-02-12", 9, "", "ANF")
	add("drug_trafficking", "2024-02-13", 9, "", "ANF")
	for _, d := range []string{"2024-02-01", "2024-02-02", "2024-02-03", "2024-02-04"} {
		add("cybercrime", d, 5, "", "FIA")
	}
	add("cybercrime", "2024-01-14", 3, "", "FIA")
	add("cybercrime", "2024-03-15", 3, "", "FIA")
	add("cybercrime", "2024-03-16", 7, "", "FIA")
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		strings.Join(rows, "\n")+"\n"), 0o644)
	var pop []string
	for i := 1; i <= 8; i++ {
		pop = append(pop, fmt.Sprintf("G%d,2023,%d", i, 100000*i))
	}
	popPath := filepath.Join(dir, "pop.csv")
	os.WriteFile(popPath, []byte("district,year,population\n"+strings.Join(pop, "\n")+"\n"), 0o644)
	db := filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, "--population", popPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	return startPage(t, db, mapPath)
}

// startPage serves db as 'ocmap serve' does, behind the host guard.
func startPage(t testing.TB, db, mapPath string) *pageFixture {
	t.Helper()
	h := openServer(t, db, mapPath)
	h.sources = []string{"ANF", "FIA"}
	return &pageFixture{db: db, mapPath: mapPath, st: h.st, srv: h, ts: startGuarded(t, h)}
}

// newBrowser starts Debian's headless Chromium for a test, or skips the
// test when there is none (and fails it under CI, which installs it). The
// returned log collects what the page's console and Chromium report:
// script exceptions and refusals by the Content-Security-Policy.
func newBrowser(t testing.TB) (context.Context, *pageLog) {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI needs chromium (Debian's chromium package, see .ci/run) for the page's browser test")
		}
		t.Skip("chromium is not installed (apt-get install chromium): the page's browser test is skipped")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1400, 1100),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("hide-scrollbars", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelCtx(); cancelAlloc() })
	l := &pageLog{}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.IsException() || m.Type == chromedp.ConsoleError || strings.Contains(m.Text, "Content Security Policy") {
				l.add(m.String() + " (" + m.Source + " " + m.URL + ")")
			}
		}
	}()
	return ctx, l
}

type pageLog struct {
	mu      sync.Mutex
	entries []string
}

func (l *pageLog) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, s)
}

// problems are the entries that are not the browser asking for a
// favicon the server does not have.
func (l *pageLog) problems() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, e := range l.entries {
		if !strings.Contains(e, "favicon.ico") && !strings.Contains(e, "status of 404") {
			out = append(out, e)
		}
	}
	return out
}

// tab drives one page in the browser; each step fails the test on error.
type tab struct {
	ctx context.Context
	t   *testing.T
}

func (p tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

func evalJS[T any](p tab, js string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		p.t.Fatalf("evaluating %.80s: %v", js, err)
	}
	return v
}

// wait waits until the expression is true; the test's deadline, not a
// timing assertion, bounds the wait.
func (p tab) wait(what, expr string) {
	p.t.Helper()
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		p.t.Fatalf("waiting for %s: %v", what, err)
	}
}

// waitViews waits until the page has drawn n views (data-views counts them).
func (p tab) waitViews(n int) {
	p.t.Helper()
	p.wait(fmt.Sprintf("view %d", n), fmt.Sprintf(`document.body.getAttribute('data-views') === '%d' && !document.body.hasAttribute('data-busy')`, n))
}

func (p tab) text(sel string) string {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.Join(strings.Fields(v), " ")
}

func (p tab) click(sel string) { p.t.Helper(); p.do("click "+sel, chromedp.Click(chromedp.CSS(sel))) }

// choose sets a control of the page as a user would, firing its change.
func (p tab) choose(id, value string) {
	p.t.Helper()
	evalJS[bool](p, fmt.Sprintf(`(function(){var e=document.getElementById(%q);e.value=%q;e.dispatchEvent(new Event('change'));return true;})()`, id, value))
}

// centre is the middle of district code's polygon on map (A or B), in
// page pixels.
func (p tab) centre(which, code string) (x, y float64) {
	p.t.Helper()
	box := evalJS[[]float64](p, fmt.Sprintf(`(function(){var r=document.querySelector('#map%s path.d-%s').getBoundingClientRect();return [r.x+r.width/2,r.y+r.height/2];})()`, which, code))
	return box[0], box[1]
}

// fills reads the fill colour of every district path of map A.
func (p tab) fills() map[string]string {
	p.t.Helper()
	return evalJS[map[string]string](p, `(function(){var o={};document.querySelectorAll('#mapA path').forEach(function(p){
		var c=(p.getAttribute('class')||'').match(/\bd-(\S+)/);if(c)o[c[1]]=p.getAttribute('fill');});return o;})()`)
}

func (p tab) column(col int) []string {
	p.t.Helper()
	return evalJS[[]string](p, fmt.Sprintf(`Array.from(document.querySelectorAll('#table tbody tr')).map(function(r){return r.children[%d].textContent;})`, col))
}

// waitFile waits for a download named name in dir and returns its path.
func waitFile(ctx context.Context, t *testing.T, dir, name string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	for {
		if _, err := os.Stat(p); err == nil {
			if _, err := os.Stat(p + ".crdownload"); err != nil {
				return p
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no download %s in %s: %v", name, dir, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestServePageInBrowser drives the interactive page in headless Chromium:
// the tooltip, the district panel (its months equal the database's), the
// category switch (the map's colours change), the sortable and searchable
// table, the CSV, GeoJSON and PNG downloads, a screenshot showing the map
// drawn, the period slider, the linked second map (another category, then
// another period), the metric and the precision. Chromium must report no
// script error and no refusal by the page's policy.
func TestServePageInBrowser(t *testing.T) {
	ctx, plog := newBrowser(t)
	f := newPageFixture(t)
	p := tab{ctx, t}
	downloads := t.TempDir()
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads}); err != nil {
		t.Fatalf("chromium: downloads: %v", err)
	}
	p.do("loading the page", chromedp.Navigate(f.ts.URL+"/?category=drug_trafficking&metric=count"))
	p.waitViews(1)

	// Hover G5: its tooltip has the CLI's figures.
	cli := heatmapRows(t, f, "drug_trafficking", "eb_rate")
	x, y := p.centre("A", "G5")
	p.do("hover G5", chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x-5, y-5),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y))
	p.wait("the tooltip of G5", `!!document.querySelector('.leaflet-tooltip') && document.querySelector('.leaflet-tooltip').textContent.indexOf('Grid 5') >= 0`)
	tip := p.text(".leaflet-tooltip")
	for _, want := range []string{"Grid 5", "Punjab · G5", "incidents 6", "rate per 100,000 1.20",
		fmt.Sprintf("EB rate per 100,000 %.2f", cli["G5"]), "count 6", "class ",
		"located point 83%, near 0%, by name 17%, province 0%"} {
		if !strings.Contains(tip, want) {
			t.Errorf("tooltip of G5 is %q, want it to contain %q", tip, want)
		}
	}
	// G9 has incidents and no census figure.
	x9, y9 := p.centre("A", "G9")
	p.do("hover G9", chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x9, y9))
	p.wait("the tooltip of G9", `document.querySelector('.leaflet-tooltip').textContent.indexOf('Grid 9') >= 0`)
	if tip := p.text(".leaflet-tooltip"); !strings.Contains(tip, "rate per 100,000 no population figure") || strings.Contains(tip, "no data") {
		t.Errorf("tooltip of G9 (2 incidents, no census) is %q, want \"no population figure\", not \"no data\"", tip)
	}

	// Click G5: the panel's months are the database's.
	p.do("click G5", chromedp.MouseClickXY(x, y))
	p.wait("the panel of G5", `document.getElementById('panel-title').getAttribute('data-code') === 'G5'`)
	series := evalJS[map[string]map[string]string](p, `(function(){var o={};document.querySelectorAll('#panel-table tr[data-month]').forEach(function(r){
		var m={};r.querySelectorAll('td[data-category]').forEach(function(td){m[td.getAttribute('data-category')]=td.textContent;});
		o[r.getAttribute('data-month')]=m;});return o;})()`)
	res, _, err := f.st.Query(context.Background(), `SELECT strftime(month, '%Y-%m'), category, sum(incidents)::BIGINT FROM district_month
		WHERE district_code = 'G5' GROUP BY ALL ORDER BY ALL`, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]string{}
	for _, m := range []string{"2024-01", "2024-02", "2024-03"} {
		want[m] = map[string]string{"terror_financing": "0", "drug_trafficking": "0", "human_trafficking": "0", "cybercrime": "0"}
	}
	for _, r := range res.Rows {
		want[r[0].Text][r[1].Text] = r[2].Text
	}
	if got := mustJSON(t, series); got != mustJSON(t, want) {
		t.Errorf("the panel's months of G5 are %s, the database's %s", got, mustJSON(t, want))
	}
	if got, want := mustJSON(t, want["2024-02"]), `{"cybercrime":"4","drug_trafficking":"1","human_trafficking":"0","terror_financing":"0"}`; got != want {
		t.Errorf("the database's G5 in February 2024: %s, want %s", got, want)
	}
	sources, neighbours := p.text("#panel-sources"), p.text("#panel-neighbours")
	for _, want := range []string{"ANF: 5 records", "FIA: 4 records", "1 other source: 1 records"} {
		if !strings.Contains(sources, want) {
			t.Errorf("panel sources %q, want %q", sources, want)
		}
	}
	for i := 1; i <= 9; i++ {
		if got := strings.Contains(neighbours, fmt.Sprintf("Grid %d", i)); got != (i != 5) {
			t.Errorf("panel neighbours of G5 %q: Grid %d listed %v", neighbours, i, got)
		}
	}
	if got, want := evalJS[int](p, `document.querySelectorAll('#panel-chart polyline').length`), 4; got != want {
		t.Errorf("the panel's chart has %d lines, want %d (one per category)", got, want)
	}

	// Switch category: the fills change, and are the view's.
	before := p.fills()
	p.choose("category", "cybercrime")
	p.waitViews(2)
	after := p.fills()
	if len(after) != 9 || before["G5"] == after["G5"] && before["G1"] == after["G1"] && before["G3"] == after["G3"] {
		t.Errorf("switching to cybercrime left the fills %v as %v", after, before)
	}
	view := pageView(t, f, "category=cybercrime&metric=count")
	for _, d := range view.Districts {
		if got := after[d.Code]; got != d.Fill {
			t.Errorf("%s is filled %s on the page, the view says %s", d.Code, got, d.Fill)
		}
	}
	if after["G1"] == after["G5"] {
		t.Errorf("G1 (no cybercrime) and G5 (4) have the same fill %s", after["G1"])
	}

	// Sort the table by district (ascending), then by incidents (descending).
	p.click(`#table th[data-key="district"]`)
	if names := p.column(1); !sort.StringsAreSorted(names) || len(names) != 9 {
		t.Errorf("sorted by district: %v", names)
	}
	p.click(`#table th[data-key="incidents"]`)
	if got, want := strings.Join(p.column(4), " "), "4 2 1 0 0 0 0 0 0"; got != want {
		t.Errorf("incidents sorted: %s, want %s", got, want)
	}
	if got, want := p.column(1)[0], "Grid 5"; got != want {
		t.Errorf("first by incidents: %s, want %s", got, want)
	}
	p.do("search", chromedp.SendKeys(chromedp.CSS("#search"), "grid 7"))
	if got, count := p.column(1), p.text("#table-count"); len(got) != 1 || got[0] != "Grid 7" || !strings.HasPrefix(count, "1 of 9 districts") {
		t.Errorf("search \"grid 7\": rows %v, %q", got, count)
	}

	// Download the view as CSV: the file is 'ocmap heatmap --format csv'.
	p.click("#dl-csv")
	got, err := os.ReadFile(waitFile(ctx, t, downloads, "ocmap-cybercrime-count-2024-01-2024-03.csv"))
	if err != nil {
		t.Fatal(err)
	}
	code, csvWant, stderr := ocmap("heatmap", "--db", f.db, "--boundaries", f.mapPath, "--category", "cybercrime", "--metric", "count", "--format", "csv")
	if code != exitOK {
		t.Fatalf("heatmap: %s", stderr)
	}
	if string(got) != csvWant {
		t.Errorf("downloaded CSV:\n%s\nwant (ocmap heatmap):\n%s", got, csvWant)
	}
	if !strings.Contains(string(got), "\nG5,Grid 5,Punjab,4.000000,4,500000,2023,") {
		t.Errorf("downloaded CSV has no row for G5 with 4 incidents:\n%s", got)
	}
	p.click("#dl-geojson")
	gj, err := os.ReadFile(waitFile(ctx, t, downloads, "ocmap-cybercrime-count-2024-01-2024-03.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(gj, &fc); err != nil || len(fc.Features) != 9 {
		t.Errorf("downloaded GeoJSON: %v, %d features", err, len(fc.Features))
	}
	for _, ft := range fc.Features {
		if ft.Properties["district_code"] == "G5" && (ft.Properties["incidents"] != 4.0 || ft.Properties["fill"] != after["G5"]) {
			t.Errorf("downloaded GeoJSON: G5 %v, want 4 incidents filled %s", ft.Properties, after["G5"])
		}
	}

	// Screenshot of map A: the districts are drawn in their classes' colours.
	shot, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS("#mapA"), chromedp.NodeVisible))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	if drawn, classed := mapPixels(img, after); drawn < 0.15 || classed < 2 {
		t.Errorf("map screenshot: %.0f%% of pixels off the white background, %d fill colours seen; want the map drawn (>15%%, 2 or more)", 100*drawn, classed)
	}

	// PNG download: the map as shown, drawn on a canvas.
	p.click("#dl-png")
	pf, err := os.Open(waitFile(ctx, t, downloads, "ocmap-cybercrime-count-2024-01-2024-03.png"))
	if err != nil {
		t.Fatal(err)
	}
	pimg, err := png.Decode(pf)
	pf.Close()
	if err != nil {
		t.Fatalf("downloaded PNG: %v", err)
	}
	if drawn, classed := mapPixels(pimg, after); drawn < 0.1 || classed < 2 {
		t.Errorf("downloaded PNG: %.0f%% drawn, %d fill colours; want the map", 100*drawn, classed)
	}

	// The period slider: February to March only.
	p.choose("from", "1")
	p.waitViews(3)
	if title := p.text("#titleA"); !strings.HasSuffix(title, "2024-02 to 2024-03") {
		t.Errorf("after moving the slider the title is %q", title)
	}
	if got, want := strings.Join(p.column(4), " "), "1"; got != want { // still searching "grid 7"
		t.Errorf("Grid 7's cybercrime in February and March: %s, want %s", got, want)
	}

	// The second map: another category, following the first's zoom.
	p.choose("category2", "drug_trafficking")
	p.waitViews(4)
	p.choose("compare", "category")
	p.waitViews(5)
	p.click("#mapA .leaflet-control-zoom-in")
	p.wait("the second map to follow the first's zoom", `(function(){
		var a=document.querySelector('#mapA path.d-G5').getBoundingClientRect(), b=document.querySelector('#mapB path.d-G5').getBoundingClientRect(),
		ma=document.getElementById('mapA').getBoundingClientRect(), mb=document.getElementById('mapB').getBoundingClientRect();
		return a.width > 0 && Math.abs(a.width-b.width) < 0.5 && Math.abs((a.x-ma.x)-(b.x-mb.x)) < 0.5 && Math.abs((a.y-ma.y)-(b.y-mb.y)) < 0.5;})()`)
	if title := p.text("#titleB"); !strings.HasPrefix(title, "drug trafficking: incidents, 2024-02 to 2024-03") {
		t.Errorf("second map's title %q", title)
	}
	if fill := evalJS[string](p, `document.querySelector('#mapB path.d-G9').getAttribute('fill')`); fill == "#d9d9d9" || fill == after["G9"] {
		t.Errorf("second map: G9 (2 drug incidents) filled %s, as with none", fill)
	}
	// Metric: Gi* takes the hot and cold spot classes.
	p.choose("metric", "gi")
	p.waitViews(6)
	legend := p.text("#legendA")
	for _, class := range []string{"cold spot 99%", "cold spot 95%", "cold spot 90%", "not significant", "hot spot 90%", "hot spot 95%", "hot spot 99%"} {
		if !strings.Contains(legend, class+" (") {
			t.Errorf("Gi* legend %q has no %q class (all seven are shown, as ArcGIS does)", legend, class)
		}
	}
	gi := map[string]bool{"#d9d9d9": true, "#c6dbef": true}
	for _, c := range giPalette {
		gi[c] = true
	}
	for code, fill := range p.fills() {
		if !gi[fill] {
			t.Errorf("Gi* map: %s filled %s, not a hot or cold spot class colour", code, fill)
		}
	}
	// Precision: exact points only leaves out G5's incident located by its
	// name (drug trafficking, 25 March) from the panel.
	marchDrugs := `document.querySelector('#panel-table tr[data-month="2024-03"] td[data-category="drug_trafficking"]').textContent`
	if got := evalJS[string](p, marchDrugs); got != "2" {
		t.Errorf("G5's drug trafficking in March 2024, all incidents: %s, want 2", got)
	}
	p.choose("precision", "1")
	p.waitViews(7)
	p.wait("the panel at precision 1", marchDrugs+` === '1'`)
	// The second map on another period: January and February.
	p.choose("compare", "period")
	p.waitViews(8)
	if title := p.text("#titleB"); title != "cybercrime: Getis-Ord Gi* z-score (hot spots), 2024-01 to 2024-02" {
		t.Errorf("second map on another period: title %q", title)
	}
	// Province: the view and its header are the province's.
	p.choose("province", "Punjab")
	p.waitViews(9)
	if head := p.text("#header"); !strings.Contains(head, "cybercrime, Punjab, 2024-02 to 2024-03") {
		t.Errorf("header for Punjab: %q", head)
	}
	// With explicit months a category without incidents is a view of
	// zeros (Gi* undefined: no data); without them, as 'ocmap heatmap',
	// there is nothing to analyse: the page says why and the map is blank.
	p.choose("category", "human_trafficking")
	p.waitViews(10)
	for code, fill := range p.fills() {
		if fill != "#d9d9d9" {
			t.Errorf("no human trafficking in February and March: Gi* of %s filled %s, want no data", code, fill)
		}
	}
	p.do("loading a view without data", chromedp.Navigate(f.ts.URL+"/?category=human_trafficking"))
	p.waitViews(1)
	if msg := p.text("#error"); !strings.Contains(msg, "no incidents in that scope") {
		t.Errorf("no human trafficking: the page says %q", msg)
	}
	for code, fill := range p.fills() {
		if fill != "#f7f7f7" {
			t.Errorf("no human trafficking: %s still filled %s", code, fill)
		}
	}

	// Subcategory, measure and near-border controls: the codes of the
	// category with their incidents, the measures it has, and views
	// equal to the server's for the same query.
	p.do("loading drug trafficking", chromedp.Navigate(f.ts.URL+"/?category=drug_trafficking&metric=count"))
	p.waitViews(1)
	// The counts are 'ocmap codes': incidents, a multi-source one once.
	code, codesCSV, stderr := ocmap("codes", "--db", f.db, "--category", "drug_trafficking", "--format", "csv")
	var n string
	for _, r := range strings.Split(codesCSV, "\n") {
		if f := strings.Split(r, ","); len(f) == 8 && f[1] == "x" {
			n = f[6]
		}
	}
	opts := evalJS[[]string](p, `Array.from(document.querySelectorAll('#subcategory option')).map(function(o){return o.value+'='+o.textContent;})`)
	if got, want := strings.Join(opts, "|"), "=all|x=x: "+n; code != exitOK || n == "" || got != want {
		t.Errorf("subcategory options %s, want %s (ocmap codes: exit %d %s%s)", got, want, code, codesCSV, stderr)
	}
	if got, want := strings.Join(evalJS[[]string](p, `Array.from(document.querySelectorAll('#measure option')).map(function(o){return o.value;})`), " "), "count kg"; got != want {
		t.Errorf("measure options of drug trafficking: %s, want %s", got, want)
	}
	p.choose("subcategory", "x")
	p.waitViews(2)
	p.choose("near_border", "100")
	p.waitViews(3)
	if q := evalJS[string](p, `location.search`); !strings.Contains(q, "subcategory=x") || !strings.Contains(q, "near_border=100") {
		t.Errorf("the page's address %q keeps no subcategory or near_border", q)
	}
	nb := pageView(t, f, "category=drug_trafficking&metric=count&precision=4&subcategory=x&near_border=100")
	fills := p.fills()
	if len(nb.Districts) == 0 || len(nb.Districts) == 9 {
		t.Errorf("near_border=100 keeps %d of 9 districts, want some", len(nb.Districts))
	}
	for _, d := range nb.Districts {
		if fills[d.Code] != d.Fill {
			t.Errorf("near_border=100: %s is filled %s on the page, the view says %s", d.Code, fills[d.Code], d.Fill)
		}
	}
	// kg is drugs' only: choosing cybercrime puts the measure back to
	// incidents, and keeps the subcategory x, which cybercrime has too.
	p.choose("measure", "kg")
	p.waitViews(4)
	p.choose("category", "cybercrime")
	p.waitViews(5)
	if got := evalJS[string](p, `document.getElementById('subcategory').value + '/' + document.getElementById('measure').value`); got != "x/count" {
		t.Errorf("after choosing cybercrime the subcategory/measure are %q, want x/count", got)
	}

	if pr := plog.problems(); len(pr) > 0 {
		t.Errorf("Chromium reported problems with the page:\n%s", strings.Join(pr, "\n"))
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// heatmapRows is 'ocmap heatmap --format json's value of each district.
func heatmapRows(t *testing.T, f *pageFixture, category, metric string) map[string]float64 {
	t.Helper()
	code, stdout, stderr := ocmap("heatmap", "--db", f.db, "--boundaries", f.mapPath, "--category", category, "--metric", metric, "--format", "json")
	if code != exitOK {
		t.Fatalf("heatmap: %s", stderr)
	}
	var js struct {
		Districts []struct {
			Code  string   `json:"district_code"`
			Value *float64 `json:"value"`
		} `json:"districts"`
	}
	if err := json.Unmarshal([]byte(stdout), &js); err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, d := range js.Districts {
		if d.Value != nil {
			out[d.Code] = *d.Value
		}
	}
	return out
}

type pageViewJSON struct {
	Legend    []legendEntry `json:"legend"`
	Districts []struct {
		Code  string   `json:"district_code"`
		Value *float64 `json:"value"`
		Class string   `json:"class"`
		Fill  string   `json:"fill"`
	} `json:"districts"`
}

func pageView(t testing.TB, f *pageFixture, query string) pageViewJSON {
	t.Helper()
	resp, err := http.Get(f.ts.URL + "/api/view.json?" + query)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v pageViewJSON
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/api/view.json?%s: %d %v", query, resp.StatusCode, err)
	}
	return v
}

// mapPixels returns the share of img's pixels that are not the white
// background, and how many of the fills are seen.
func mapPixels(img image.Image, fills map[string]string) (float64, int) {
	want := map[color.RGBA]bool{}
	for _, f := range fills {
		if c, err := strconv.ParseUint(strings.TrimPrefix(f, "#"), 16, 32); err == nil {
			want[color.RGBA{uint8(c >> 16), uint8(c >> 8), uint8(c), 255}] = true
		}
	}
	seen := map[color.RGBA]bool{}
	var n, drawn int
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			c := color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), 255}
			n++
			if c != (color.RGBA{255, 255, 255, 255}) {
				drawn++
			}
			if want[c] {
				seen[c] = true
			}
		}
	}
	return float64(drawn) / float64(n), len(seen)
}

// TestServePolicyInBrowser checks that Chromium enforces the page's policy:
// a page with an inline script, served with the server's headers, does not
// run it, and the refusal is reported (so TestServePageInBrowser's check
// that none is reported means something).
func TestServePolicyInBrowser(t *testing.T) {
	ctx, plog := newBrowser(t)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setSecurityHeaders(w.Header())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!DOCTYPE html><html><head><title>before</title></head><body><script>document.title='ran'</script></body></html>`)
	}))
	defer ts.Close()
	p := tab{ctx, t}
	p.do("loading the page", chromedp.Navigate(ts.URL+"/"))
	if got := evalJS[string](p, `document.title`); got != "before" {
		t.Errorf("the inline script ran (title %q): the policy is not enforced", got)
	}
	// The report comes as an event: wait for it up to the test's deadline.
	for len(plog.problems()) == 0 && ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-time.After(20 * time.Millisecond):
		}
	}
	if pr := plog.problems(); len(pr) == 0 || !strings.Contains(strings.Join(pr, " "), "Content Security Policy") {
		t.Errorf("Chromium reported %q, want the inline script's refusal by the Content Security Policy", pr)
	}
}
