//go:build duckdb_arrow

package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// flowsDB ingests pipeline/flows' fixture (flows between the districts
// Gujrat, Sialkot and Quetta and the countries Iran and Afghanistan; see
// pipeline/flows/flows_test.go) with --layout auto, which picks
// ocmap-synthetic by its header.
func flowsDB(t *testing.T) (dir, db, mapPath string) {
	t.Helper()
	dir = isolate(t)
	fixture := filepath.Join("..", "..", "pipeline", "flows", "testdata")
	mapPath = filepath.Join(fixture, "districts.geojson")
	db = filepath.Join(dir, "flows.duckdb")
	code, stdout, stderr := ocmap("ingest", "--db", db, "--boundaries", mapPath, filepath.Join(fixture, "incidents.csv"))
	if code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "layout: ocmap-synthetic (chosen by header") || !strings.Contains(stdout, "accepted 15, rejected 0") {
		t.Fatalf("ingest did not read the fixture with ocmap-synthetic:\n%s%s", stdout, stderr)
	}
	return dir, db, mapPath
}

func TestFlowsCommand(t *testing.T) {
	dir, db, mapPath := flowsDB(t)
	run := func(args ...string) string {
		t.Helper()
		code, stdout, stderr := ocmap(append([]string{"flows", "--db", db, "--boundaries", mapPath}, args...)...)
		if code != exitOK {
			t.Fatalf("flows %v: exit %d\n%s%s", args, code, stdout, stderr)
		}
		return stdout
	}
	out := run()
	for _, want := range []string{
		"flows of human trafficking, all months: 9 incidents, 5 with both ends resolved, in 3 flows",
		"Gujrat  Punjab  Iran  IR  3  4  6",
		"Afghanistan  AF  Quetta  Balochistan  1  1  5",
		"unresolved: 4 incidents without an origin or a destination",
		"origin       names several districts                1",
		"destination  not given                              1",
		"origin: nationality 1",
	} {
		if !strings.Contains(squeeze(out), squeeze(want)) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}

	code, csvOut, _ := ocmap("flows", "--db", db, "--boundaries", mapPath, "--category", "drug_trafficking", "--format", "csv")
	if code != exitOK || !strings.Contains(csvOut, "drug_trafficking,,country,AF,Afghanistan,,district,PK01,Gujrat,Punjab,2,2,,5.5\n") ||
		strings.Count(csvOut, "\n") != 4 {
		t.Errorf("csv:\n%s", csvOut)
	}

	var js struct {
		Incidents  int64 `json:"incidents"`
		Withheld   int   `json:"withheld_flows"`
		Flows      []struct{ Incidents int64 }
		Unresolved struct{ Incidents int64 }
	}
	if err := json.Unmarshal([]byte(run("--format", "json", "--by", "month")), &js); err != nil {
		t.Fatal(err)
	}
	if js.Incidents != 9 || len(js.Flows) != 4 || js.Unresolved.Incidents != 4 {
		t.Errorf("json by month: %+v, want 9 incidents, 4 flows (Gujrat -> Iran in January and February), 4 unresolved", js)
	}

	// --min-cell 3: the flow of 3 stays; the others and the unresolved
	// counts are left out.
	js.Unresolved.Incidents = -1
	if err := json.Unmarshal([]byte(run("--format", "json", "--min-cell", "3")), &js); err != nil {
		t.Fatal(err)
	}
	if len(js.Flows) != 1 || js.Flows[0].Incidents != 3 || js.Withheld != 2 || js.Unresolved.Incidents != 0 {
		t.Errorf("json --min-cell 3: %+v, want the flow of 3 shown, 2 withheld, no unresolved counts", js)
	}

	var fc struct {
		Features []struct {
			Geometry   struct{ Type string }
			Properties map[string]any
		}
	}
	if err := json.Unmarshal([]byte(run("--category", "drug_trafficking", "--format", "geojson", "--min-cell", "2")), &fc); err != nil {
		t.Fatal(err)
	}
	if len(fc.Features) != 1 || fc.Features[0].Geometry.Type != "LineString" || fc.Features[0].Properties["destination_code"] != "PK01" {
		t.Errorf("geojson --min-cell 2: %+v, want one LineString AF -> PK01", fc)
	}

	svg := filepath.Join(dir, "flows.svg")
	png := filepath.Join(dir, "flows.png")
	run("--map", svg, "--min-cell", "3")
	run("--category", "drug_trafficking", "--map", png)
	b, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	ends := string(b[strings.Index(string(b), `<g id="flow-ends">`):])
	ends = ends[:strings.Index(ends, "</g>")]
	for _, want := range []string{">Gujrat</text>", ">Iran</text>"} {
		if !strings.Contains(ends, want) {
			t.Errorf("map's ends lack %s", want)
		}
	}
	if strings.Contains(ends, ">Afghanistan</text>") || strings.Contains(ends, ">Sialkot</text>") {
		t.Errorf("map names an end of a withheld flow:\n%s", ends)
	}
	if !strings.Contains(string(b), "(2 withheld)") {
		t.Error("map's note does not count the withheld flows")
	}
	if p, err := os.ReadFile(png); err != nil || len(p) < 1000 || string(p[1:4]) != "PNG" {
		t.Errorf("PNG map: %d bytes, %v", len(p), err)
	}

	// A subcategory or a province narrows the flows: the table's header and
	// the map's title and subtitle say so, or a map of heroin alone would
	// read as one of every drug.
	heroin := filepath.Join(dir, "heroin.svg")
	out = run("--category", "drug_trafficking", "--subcategory", "heroin", "--province", "Punjab", "--map", heroin)
	if want := "flows of drug trafficking (heroin), Punjab, all months: 2 incidents,"; !strings.Contains(out, want) {
		t.Errorf("table header lacks %q:\n%s", want, out)
	}
	b, err = os.ReadFile(heroin)
	if err != nil {
		t.Fatal(err)
	}
	title := string(b[strings.Index(string(b), `<g id="title">`):])
	title = title[:strings.Index(title, "</g>")]
	var words []string
	for _, part := range strings.Split(title, "</text>") {
		if i := strings.LastIndex(part, ">"); i >= 0 {
			words = append(words, part[i+1:])
		}
	}
	if got, want := strings.Join(strings.Fields(strings.Join(words, " ")), " "),
		"Drug trafficking (heroin): where seized drugs came from and were going all months, Punjab"; got != want {
		t.Errorf("heroin map's title and subtitle read %q, want %q", got, want)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--category", "cybercrime"}, "flows are of drug_trafficking or human_trafficking"},
		{[]string{"--format", "xml"}, "unknown format"},
		{[]string{"--by", "week"}, "--by \"week\""},
		{[]string{"--map", filepath.Join(dir, "m.jpg")}, "want a .svg or .png file"},
		{[]string{"--from", "2024-13"}, "want a month as YYYY-MM"},
		{[]string{"--subcategory", "heroin"}, "unknown subcategory \"heroin\" of human_trafficking"},
	} {
		code, stdout, stderr := ocmap(append([]string{"flows", "--db", db, "--boundaries", mapPath}, tc.args...)...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("flows %v: exit %d, %q%q; want usage error %q", tc.args, code, stdout, stderr, tc.want)
		}
	}
}

// squeeze collapses runs of spaces, so that table rows compare without
// their alignment.
func squeeze(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestExportFlows: a published export with --min-cell 3 withholds the
// flows of 1 and 2 incidents (Afghanistan -> Gujrat among them), and counts
// them; it withholds the flow Gujrat -> Iran of 3 too, as its months (2 in
// January, 1 in February) would be narrowed to at most 3 by it, as a
// district cell's months are (TestExportFlowsPeriodDifferencing shows a
// flow printed); --internal writes them all.
func TestExportFlows(t *testing.T) {
	dir, db, mapPath := flowsDB(t)
	out := filepath.Join(dir, "npb")
	code, stdout, stderr := ocmap("export", "--db", db, "--boundaries", mapPath, "--out", out, "--min-cell", "3")
	if code != exitOK {
		t.Fatalf("export: exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "withheld 6 of 6 origin -> destination flows: 5 of 1 to 2 incidents, and 1 of 3 or more that would let a small one be worked out") {
		t.Errorf("export output lacks the withheld flows:\n%s", stdout)
	}
	b, err := os.ReadFile(filepath.Join(out, "flows.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), "category,period,origin_kind,origin_code,origin_name,origin_province,destination_kind,destination_code,destination_name,destination_province,incidents,records,victims,kg\n"; got != want {
		t.Errorf("flows.csv:\n%s\nwant\n%s", got, want)
	}
	for _, name := range []string{"flows.geojson", "flows_drug_trafficking.svg", "flows_drug_trafficking.png", "flows_human_trafficking.svg", "flows_human_trafficking.png"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("export lacks %s", name)
		}
	}
	gj, _ := os.ReadFile(filepath.Join(out, "flows.geojson"))
	if strings.Count(string(gj), `"LineString"`) != 0 {
		t.Errorf("flows.geojson has a withheld flow:\n%s", gj)
	}
	svg, _ := os.ReadFile(filepath.Join(out, "flows_drug_trafficking.svg"))
	if strings.Contains(string(svg), ">Afghanistan</text>") || !strings.Contains(string(svg), "Flows of 1 to 2 incidents are withheld from every file (3 here)") {
		t.Errorf("the drug flow map draws a withheld flow or does not count them")
	}
	report, _ := os.ReadFile(filepath.Join(out, "report.html"))
	for _, want := range []string{"2 flows of 1 to 2 incidents withheld. Withheld too, so that a small one cannot be worked out: 1 of 3 incidents or more.",
		"3 flows of 1 to 2 incidents withheld."} {
		if !strings.Contains(string(report), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	manifest, _ := os.ReadFile(filepath.Join(out, "manifest.json"))
	if !strings.Contains(string(manifest), "flows.csv") {
		t.Error("manifest lacks flows.csv")
	}
	// The register keeps each flow, withheld or not, and its months (8,
	// never printed).
	code, stdout, _ = ocmap("sql", "--db", db, "SELECT count(*), count(*) FILTER (WHERE withheld) FROM release_figures WHERE key LIKE '%flow:%'")
	if code != exitOK || !strings.Contains(squeeze(stdout), "14 14") {
		t.Errorf("release register of flows:\n%s", stdout)
	}

	internal := filepath.Join(dir, "internal")
	if code, stdout, stderr := ocmap("export", "--db", db, "--boundaries", mapPath, "--out", internal, "--internal"); code != exitOK {
		t.Fatalf("export --internal: exit %d\n%s%s", code, stdout, stderr)
	}
	b, _ = os.ReadFile(filepath.Join(internal, "flows.csv"))
	if got, want := strings.Count(string(b), "\n"), 7; got != want {
		t.Errorf("internal flows.csv has %d lines, want %d:\n%s", got, want, b)
	}
}

func TestServeFlows(t *testing.T) {
	_, db, mapPath := flowsDB(t)
	ts := httptest.NewServer(openServer(t, db, mapPath))
	defer ts.Close()
	get := getter(t, ts.URL)
	var js struct {
		Incidents int64 `json:"incidents"`
		Flows     []struct {
			Origin      struct{ Code string }
			Destination struct{ Code string }
			Incidents   int64
			Kg          float64
			From, To    [2]float64
		}
		Unresolved *struct{ Incidents int64 }
		Withheld   int `json:"withheld_flows"`
	}
	code, body := get("/api/flows.json?category=drug_trafficking")
	if code != http.StatusOK || json.Unmarshal([]byte(body), &js) != nil {
		t.Fatalf("flows.json: %d %s", code, body)
	}
	if len(js.Flows) != 3 || js.Flows[0].Destination.Code != "PK01" || js.Flows[0].Incidents != 2 || js.Flows[0].Kg != 5.5 ||
		js.Unresolved == nil || js.Unresolved.Incidents != 1 {
		t.Errorf("flows.json: %s", body)
	}
	// Afghanistan's anchor, and an interior point of Gujrat (73-73.5 E, 32.5-33 N).
	if f, to := js.Flows[0].From, js.Flows[0].To; f != [2]float64{69.1723, 34.5281} || to[0] <= 73 || to[0] >= 73.5 || to[1] <= 32.5 || to[1] >= 33 {
		t.Errorf("anchors %v -> %v", f, to)
	}
	js.Flows, js.Unresolved = nil, nil
	code, body = get("/api/flows.json?category=human_trafficking&from=2024-02&to=2024-02&min_cell=2")
	if code != http.StatusOK || json.Unmarshal([]byte(body), &js) != nil || len(js.Flows) != 0 || js.Withheld != 3 || js.Unresolved != nil {
		t.Errorf("February, min_cell 2: %d %s", code, body)
	}
	code, body = get("/api/flows.json?category=human_trafficking&subcategory=trafficking")
	if code != http.StatusOK || json.Unmarshal([]byte(body), &js) != nil || len(js.Flows) != 1 || js.Flows[0].Origin.Code != "PK02" {
		t.Errorf("subcategory trafficking: %d %s", code, body)
	}
	code, body = get("/api/flows.json?category=human_trafficking&province=balochistan")
	if code != http.StatusOK || json.Unmarshal([]byte(body), &js) != nil || len(js.Flows) != 1 || js.Flows[0].Origin.Code != "AF" || js.Incidents != 2 {
		t.Errorf("province Balochistan: %d %s", code, body)
	}
	for _, q := range []string{"category=all", "category=cybercrime", "min_cell=-1", "from=2024-13", "by=week", "province=Atlantis"} {
		if code, body := get("/api/flows.json?" + q); code != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400", q, code, body)
		}
	}
}

// TestExportFlowsPeriodDifferencing is the attacker with two published
// exports, January 2024 and January to February: the flow Gujrat -> Iran
// has 12 incidents in January and 3 in February, so flows.csv printing 12
// and 15 would tell February's 3. The second export must withhold it.
func TestExportFlowsPeriodDifferencing(t *testing.T) {
	dir := isolate(t)
	mapPath := filepath.Join("..", "..", "pipeline", "flows", "testdata", "districts.geojson")
	var rows []string
	for i := range 15 {
		month := 1 + i/12
		rows = append(rows, fmt.Sprintf("H%d,human_trafficking,smuggling,2024-%02d-%02d,,,Gujrat,FIA,1,,,Gujrat,Iran,,,", i, month, 1+i%12))
	}
	in := writeTestFile(t, dir, "in.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description,origin,destination,route,nationality,exploitation\n"+
		strings.Join(rows, "\n")+"\n")
	db := filepath.Join(dir, "flows.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	flow := func(name, to string) string {
		out := filepath.Join(dir, name)
		if code, stdout, stderr := ocmap("export", "--db", db, "--boundaries", mapPath, "--out", out, "--width", "600",
			"--from", "2024-01", "--to", to); code != exitOK {
			t.Fatalf("export to %s: exit %d\n%s%s", to, code, stdout, stderr)
		}
		b, err := os.ReadFile(filepath.Join(out, "flows.csv"))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, ",PK01,Gujrat,") && strings.Contains(line, ",IR,Iran,") {
				return strings.Split(line, ",")[10]
			}
		}
		return "withheld"
	}
	if got := flow("jan", "2024-01"); got != "12" {
		t.Fatalf("January: flow Gujrat -> Iran %s, want 12", got)
	}
	if got := flow("janfeb", "2024-02"); got != "withheld" {
		t.Errorf("January to February: flow Gujrat -> Iran %s published after January's 12: February's flow follows", got)
	}
}

// TestExportFlowQuantities: the victims and kilograms of published flows
// are audited with the flows' incidents. January 2024: Afghanistan ->
// Gujrat is 12 seizures, one of 500 kg and eleven of 1 kg, whose 511 kg
// tell the one seizure (the p% rule: the rest, 10 kg, is less than 10% of
// 500); Afghanistan -> Sialkot is 12 of 10 kg; Gujrat -> Iran 12 victims
// in 12 incidents; Sialkot -> Iran 3 victims in 12 incidents, a small
// count of people. Each flow's incidents are published; 511 kg and 3
// victims are withheld. February adds 12 seizures to Afghanistan ->
// Sialkot, one of 300 kg and none weighed: an export of January to
// February printing 420 kg after January's 120 would tell that seizure,
// so it withholds them (the internal export prints 420).
func TestExportFlowQuantities(t *testing.T) {
	dir := isolate(t)
	mapPath := filepath.Join("..", "..", "pipeline", "flows", "testdata", "districts.geojson")
	var rows []string
	add := func(id, cat, sub string, month, day int, place, qty, origin, dest string) {
		rows = append(rows, fmt.Sprintf("%s,%s,%s,2024-%02d-%02d,,,%s,SRC,%s,,,%s,%s,,,", id, cat, sub, month, day, place, qty, origin, dest))
	}
	for i := range 12 {
		kg := "1"
		if i == 0 {
			kg = "500"
		}
		// A seizure's destination is its district.
		add(fmt.Sprint("DG", i), "drug_trafficking", "heroin", 1, 1+i, "Gujrat", kg, "Afghanistan", "")
		add(fmt.Sprint("DS", i), "drug_trafficking", "heroin", 1, 1+i, "Sialkot", "10", "Afghanistan", "")
		kg = ""
		if i == 0 {
			kg = "300"
		}
		add(fmt.Sprint("DF", i), "drug_trafficking", "heroin", 2, 1+i, "Sialkot", kg, "Afghanistan", "")
		add(fmt.Sprint("HG", i), "human_trafficking", "smuggling", 1, 1+i, "Gujrat", "1", "Gujrat", "Iran")
		victims := ""
		if i < 3 {
			victims = "1"
		}
		add(fmt.Sprint("HS", i), "human_trafficking", "smuggling", 1, 1+i, "Sialkot", victims, "Sialkot", "Iran")
	}
	in := writeTestFile(t, dir, "in.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description,origin,destination,route,nationality,exploitation\n"+
		strings.Join(rows, "\n")+"\n")
	db := filepath.Join(dir, "flows.duckdb")
	if code, stdout, stderr := ocmap("ingest", "--db", db, "--boundaries", mapPath, in); code != exitOK || !strings.Contains(stdout, "accepted 60, rejected 0") {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	// flows returns each flow of flows.csv as "incidents victims kg".
	flows := func(name, to string, extra ...string) map[string]string {
		out := filepath.Join(dir, name)
		args := append([]string{"export", "--db", db, "--boundaries", mapPath, "--out", out, "--width", "400", "--from", "2024-01", "--to", to}, extra...)
		code, stdout, stderr := ocmap(args...)
		if code != exitOK {
			t.Fatalf("export %s: exit %d\n%s%s", name, code, stdout, stderr)
		}
		if name == "jan" && !strings.Contains(stdout, "withheld the victims or kilograms of 2 published flows") {
			t.Errorf("January export does not count the flows whose victims or kilograms it withholds:\n%s", stdout)
		}
		recs, _ := readCSVFile(t, filepath.Join(out, "flows.csv"))
		got := map[string]string{}
		for _, r := range recs[1:] {
			got[r[4]+" > "+r[8]] = r[10] + " " + r[12] + " " + r[13]
		}
		return got
	}
	check := func(name string, got, want map[string]string) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: flows.csv gives %v, want %v", name, got, want)
		}
	}
	check("January", flows("jan", "2024-01"), map[string]string{
		"Afghanistan > Gujrat": "12  suppressed", "Afghanistan > Sialkot": "12  120",
		"Gujrat > Iran": "12 12 ", "Sialkot > Iran": "12 suppressed "})
	report, err := os.ReadFile(filepath.Join(dir, "jan", "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<td class="l">Afghanistan</td><td class="l">Gujrat</td><td>12</td><td>suppressed</td>`,
		"victims from 1 to 9 (a small count of people); a sum that one or two incidents make nearly all of (the p% rule at 10%"} {
		if !strings.Contains(string(report), want) {
			t.Errorf("report lacks %s", want)
		}
	}
	gj, _ := os.ReadFile(filepath.Join(dir, "jan", "flows.geojson"))
	if !strings.Contains(string(gj), `"kg":"suppressed"`) || strings.Contains(string(gj), "511") {
		t.Errorf("flows.geojson does not withhold 511 kg:\n%s", gj)
	}
	check("January to February", flows("janfeb", "2024-02"), map[string]string{
		"Afghanistan > Gujrat": "12  suppressed", "Afghanistan > Sialkot": "24  suppressed",
		"Gujrat > Iran": "12 12 ", "Sialkot > Iran": "12 suppressed "})
	check("internal", flows("internal", "2024-02", "--internal"), map[string]string{
		"Afghanistan > Gujrat": "12  511", "Afghanistan > Sialkot": "24  420",
		"Gujrat > Iran": "12 12 ", "Sialkot > Iran": "12 3 "})
}
