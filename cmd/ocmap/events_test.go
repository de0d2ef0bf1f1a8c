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

// attacksLayout reads the test's suicide attacks: a context layout.
const attacksLayout = `name: test-suicide-attacks
title: test suicide attacks
kind: context
event_type: suicide_attack
match: [No, When, Lat, Lon, Killed, Injured]
dates: {formats: [yyyy-mm-dd]}
fields:
  incident_id: {column: No, prefix: "SA-"}
  occurred_on: {column: When}
  lat: {column: Lat}
  lon: {column: Lon}
  killed: {column: Killed}
  injured: {column: Injured}
  source: {value: test}
`

// eventsDB builds the 3×3 grid (G1..G9, population 100,000 × i in 2023)
// with drug and terror financing incidents and six suicide attacks:
// G1 3 (killed 5, 2, 1; injured 10, 0, 4), G2 1 (0; 3), G9 2 (10, 6; 20, 1).
func eventsDB(t *testing.T) (dir, db, mapPath string) {
	dir = isolate(t)
	mapPath = writeTestFile(t, dir, "grid.geojson", gridMap())
	at := func(g int) string { return fmt.Sprintf("%.1f,%.1f", 32.5-float64((g-1)/3), 70.5+float64((g-1)%3)) }
	var rows []string
	id := 0
	for _, x := range []struct {
		cat string
		g   int
		n   int
	}{{"drug_trafficking", 1, 4}, {"drug_trafficking", 5, 2}, {"terror_financing", 1, 2}, {"terror_financing", 9, 1}} {
		for k := 0; k < x.n; k++ {
			id++
			rows = append(rows, fmt.Sprintf("I%d,%s,x,2024-0%d-10,%s,,S,,,", id, x.cat, 1+k%2, at(x.g)))
		}
	}
	in := writeTestFile(t, dir, "in.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		strings.Join(rows, "\n")+"\n")
	attacks := writeTestFile(t, dir, "attacks.csv", "No,When,Lat,Lon,Killed,Injured\n"+strings.Join([]string{
		"1,2024-01-05," + at(1) + ",5,10", "2,2024-01-20," + at(1) + ",2,0", "3,2024-02-03," + at(1) + ",1,4",
		"4,2024-02-14," + at(2) + ",0,3", "5,2024-01-09," + at(9) + ",10,20", "6,2024-02-22," + at(9) + ",6,1"}, "\n")+"\n")
	layout := writeTestFile(t, dir, "attacks.yaml", attacksLayout)
	var pop []string
	for i := 1; i <= 9; i++ {
		pop = append(pop, fmt.Sprintf("G%d,2023,%d", i, 100000*i))
	}
	popPath := writeTestFile(t, dir, "pop.csv", "district,year,population\n"+strings.Join(pop, "\n")+"\n")
	db = filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, "--population", popPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, "--layout", layout, attacks); code != exitOK {
		t.Fatalf("ingest attacks: exit %d\n%s%s", code, stdout, stderr)
	}
	return dir, db, mapPath
}

// TestEventsCommands: every analyst command takes --events TYPE, on the
// numbers of eventsDB worked out by hand.
func TestEventsCommands(t *testing.T) {
	dir, db, mapPath := eventsDB(t)
	run := func(args ...string) string {
		t.Helper()
		code, stdout, stderr := ocmap(args...)
		if code != exitOK {
			t.Fatalf("%v: exit %d\n%s", args, code, stderr)
		}
		return stdout
	}
	has := func(what, out string, wants ...string) {
		t.Helper()
		for _, w := range wants {
			if !strings.Contains(out, w) {
				t.Errorf("%s lacks %q:\n%s", what, w, out)
			}
		}
	}

	// summary: events, per 100,000 (G1 3/100,000, G9 2/900,000, G2
	// 1/200,000), killed and injured.
	out := run("summary", "--db", db, "--events", "suicide_attack")
	has("summary", out, "6 suicide_attack events, 2024-01 to 2024-02, in 3 districts: 24 killed, 38 injured",
		"     1    G1    Grid 1    Punjab       3      3.00       8       14        0\n",
		"     2    G9    Grid 9    Punjab       2      0.22      16       21        0\n",
		"     3    G2    Grid 2    Punjab       1      0.50       0        3        0\n")
	if got, want := run("summary", "--db", db, "--events", "suicide_attack", "--format", "csv", "--top", "1"),
		"rank,district_code,district_name,province,events,killed,injured,by_point,by_name,population,population_year,rate_per_100k\n"+
			"1,G1,Grid 1,Punjab,3,8,14,3,0,100000,2023,3.0000\n"; got != want {
		t.Errorf("summary CSV:\n%s\nwant\n%s", got, want)
	}
	for _, cmd := range []string{"summary", "heatmap", "hotspots", "trends", "links"} {
		code, _, stderr := ocmap(cmd, "--db", db, "--events", "drone_strike")
		if code != exitUsage || !strings.Contains(stderr, `unknown event type "drone_strike" (the database has suicide_attack)`) {
			t.Errorf("%s --events drone_strike: exit %d, %s", cmd, code, stderr)
		}
	}
	if code, _, stderr := ocmap("hotspots", "--db", db, "--events", "suicide_attack", "--category", "cybercrime"); code != exitUsage ||
		!strings.Contains(stderr, "give --category or --events, not both") {
		t.Errorf("--events with --category: exit %d, %s", code, stderr)
	}

	// heatmap: killed per district, G9 16 first; rates on events.
	out = run("heatmap", "--db", db, "--events", "suicide_attack", "--metric", "killed")
	has("heatmap killed", out, "heatmap of killed (context events, --events): context events suicide_attack, 2024-01 to 2024-02, 6 events in 9 districts\n",
		"24 killed, 38 injured in them; rates, hot spots, clusters and trends count events\n",
		"     1    G9    Grid 9    Punjab      16       2     900,000      \n",
		"     2    G1    Grid 1    Punjab       8       3     100,000      \n")
	csv := run("heatmap", "--db", db, "--events", "suicide_attack", "--measure", "injured", "--metric", "rate", "--format", "csv", "--top", "2")
	lines := strings.Split(csv, "\n")
	if !strings.HasPrefix(lines[0], "district_code,district,province,rate,analysed_injured,population,") ||
		!strings.HasSuffix(lines[0], ",guard,events,events_killed,events_injured") ||
		!strings.HasPrefix(lines[1], "G1,Grid 1,Punjab,14.000000,14,100000,2023,14.000000,") || !strings.HasSuffix(lines[1], ",3,8,14") ||
		!strings.HasPrefix(lines[2], "G9,Grid 9,Punjab,2.333333,21,900000,") {
		t.Errorf("heatmap --measure injured --metric rate CSV:\n%s", csv)
	}
	if code, _, stderr := ocmap("heatmap", "--db", db, "--metric", "killed"); code != exitUsage || !strings.Contains(stderr, "--metric killed needs --events TYPE") {
		t.Errorf("--metric killed without --events: exit %d, %s", code, stderr)
	}

	// GeoJSON carries the guard as a member of the collection.
	gj := run("heatmap", "--db", db, "--events", "suicide_attack", "--metric", "gi", "--format", "geojson", "--boundaries", mapPath)
	has("heatmap GeoJSON", gj, `"ocmap_guard":"6 events in the period, fewer than the minimum of 30 (--min-incidents): no hot spot, cluster or emerging class"`,
		`"ocmap_events":"suicide_attack"`)

	// hotspots: 6 events are under the guard, which then counts events
	// even when the killed are analysed.
	out = run("hotspots", "--db", db, "--events", "suicide_attack", "--measure", "killed")
	has("hotspots", out, "6 events in the period, fewer than the minimum of 30 (--min-incidents): no hot spot, cluster or emerging class\n",
		"rates, hot spots, clusters and trends count the killed\n", "code  district  province  killed  EB rate")
	var js struct {
		Events, Measure string
		EventCount      int64 `json:"event_count"`
		Killed, Injured int64
		Guard           string
		Districts       []struct {
			Code      string `json:"district_code"`
			Incidents int64
			Killed    *int64
			Injured   *int64
		}
	}
	if err := json.Unmarshal([]byte(run("hotspots", "--db", db, "--events", "suicide_attack", "--measure", "killed", "--min-incidents", "0", "--format", "json")), &js); err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprintln(js.Events, js.Measure, js.EventCount, js.Killed, js.Injured, js.Guard == ""), "suicide_attack killed 6 24 38 true\n"; got != want {
		t.Errorf("hotspots JSON meta %s, want %s", got, want)
	}
	for _, d := range js.Districts {
		if d.Code == "G9" && (d.Incidents != 16 || d.Killed == nil || *d.Killed != 16 || *d.Injured != 21) {
			t.Errorf("hotspots JSON G9: %+v, want 16 analysed, 16 killed, 21 injured", d)
		}
	}

	// trends on the injured: G9 21 (20 in January, 1 in February: S = -1).
	out = run("trends", "--db", db, "--events", "suicide_attack", "--measure", "injured")
	has("trends", out, "code  district  province  injured  base", "    G9    Grid 9    Punjab       21     0         -    -1  0.00  1.0000  -1.000")

	// links: each category against the event type. Drugs (G1 4, G5 2)
	// and attacks (G1 3, G2 1, G9 2) on the queen grid: an average drug
	// incident's neighbours hold (4·4/9 + 2·6/11)/6 attacks over 6/11 =
	// 71/81 = 0.876543; an attack's, (3·6/9 + 6/9 + 2·2/4)/6 drugs over
	// 6/11 = 11/9 = 1.222222.
	csv = run("links", "--db", db, "--events", "suicide_attack", "--format", "csv")
	has("links CSV", csv, "event_links,drug_trafficking,suicide_attack,0.533333,0.876543,1.222222,,,,,\n",
		"event_links,terror_financing,suicide_attack,0.983333,1.155556,1.155556,,,,,\n", "event_links,cybercrime,suicide_attack,,,,,,,,\n")
	has("links table", run("links", "--db", db, "--events", "all"), "category  context events  Spearman  CLQ cat.→events  CLQ events→cat.",
		"drug_trafficking  suicide_attack     0.533            0.877            1.222")

	// export: events only in an internal export, on request.
	out1 := filepath.Join(dir, "public")
	if code, _, stderr := ocmap("export", "--db", db, "--out", out1, "--boundaries", mapPath, "--width", "400", "--events", "suicide_attack"); code != exitUsage ||
		!strings.Contains(stderr, "context events are kept internal; add --internal") {
		t.Errorf("export --events without --internal: exit %d, %s", code, stderr)
	}
	run("export", "--db", db, "--out", out1, "--boundaries", mapPath, "--width", "400")
	if _, err := os.Stat(filepath.Join(out1, "events.csv")); !os.IsNotExist(err) {
		t.Errorf("a published export wrote events.csv (%v)", err)
	}
	out2 := filepath.Join(dir, "internal")
	run("export", "--db", db, "--out", out2, "--boundaries", mapPath, "--width", "400", "--internal", "--events", "all")
	b, err := os.ReadFile(filepath.Join(out2, "events.csv"))
	if err != nil {
		t.Fatal(err)
	}
	has("events.csv", string(b), "district_code,district,province,event_type,events,killed,injured,status\n",
		"G1,Grid 1,Punjab,suicide_attack,3,8,14,internal\n", "G5,Grid 5,Punjab,suicide_attack,0,0,0,internal\n",
		"G9,Grid 9,Punjab,suicide_attack,2,16,21,internal\n")
}

// TestServeEvents: the server lists the event types as layers and maps
// them through the same API as the categories.
func TestServeEvents(t *testing.T) {
	_, db, mapPath := eventsDB(t)
	ts := httptest.NewServer(openServer(t, db, mapPath))
	defer ts.Close()
	get := getter(t, ts.URL)
	code, body := get("/layers.json")
	var layers struct{ Events, Categories, Metrics []string }
	if err := json.Unmarshal([]byte(body), &layers); code != http.StatusOK || err != nil {
		t.Fatalf("/layers.json: %d %v\n%s", code, err, body)
	}
	if got, want := fmt.Sprint(layers.Events, layers.Metrics[:3]), "[suicide_attack] [count killed injured]"; got != want {
		t.Errorf("layers: %s, want %s", got, want)
	}
	code, body = get("/heatmap.json?events=suicide_attack&metric=killed")
	var hm struct {
		Events    string
		Killed    int64
		Districts []struct {
			Code  string  `json:"district_code"`
			Value float64 `json:"value"`
		}
	}
	if err := json.Unmarshal([]byte(body), &hm); code != http.StatusOK || err != nil {
		t.Fatalf("/heatmap.json: %d %v\n%s", code, err, body)
	}
	if got, want := fmt.Sprintln(hm.Events, hm.Killed, hm.Districts[0].Code, hm.Districts[0].Value, hm.Districts[1].Code, hm.Districts[1].Value),
		"suicide_attack 24 G9 16 G1 8\n"; got != want {
		t.Errorf("/heatmap.json events: %s, want %s", got, want)
	}
	// The map's note says why no district has a class (6 events).
	if code, body := get("/map.svg?events=suicide_attack&metric=gi"); code != http.StatusOK || !strings.Contains(body, "6 events in the period, fewer than the minimum of 30") {
		t.Errorf("/map.svg guard note: %d %.300s", code, body)
	}
	if code, body := get("/map.svg?events=suicide_attack&metric=gi&min_incidents=0"); code != http.StatusOK || strings.Contains(body, "fewer than the minimum") {
		t.Errorf("/map.svg min_incidents=0: %d, guard note still there", code)
	}
	if code, body := get("/map.svg?events=suicide_attack&metric=count"); code != http.StatusOK || !strings.Contains(body, "Context events, suicide attack: incidents") {
		t.Errorf("/map.svg events: %d %.300s", code, body)
	}
	if code, body := get("/heatmap.json?events=drone_strike"); code != http.StatusBadRequest || !strings.Contains(body, `unknown event type "drone_strike"`) {
		t.Errorf("/heatmap.json unknown type: %d %s", code, body)
	}
}
