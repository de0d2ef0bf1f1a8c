//go:build duckdb_arrow

package pipeline_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/pipeline"
	"github.com/ocmap/ocmap/pipeline/layout"
	"github.com/ocmap/ocmap/pipeline/locate"
	"github.com/ocmap/ocmap/pipeline/read"
	"github.com/ocmap/ocmap/pipeline/store"
)

// landingLayout is placesLayout with a province column and a narrative.
const landingLayout = `name: test-landing
title: test tracker
kind: context
event_type: attack
match: [id, date, city, location, prov, lat, lon, text]
dates: {formats: [yyyy-mm-dd]}
fields:
  incident_id: {column: id}
  occurred_on: {column: date}
  district_hint: {column: city}
  place: {column: location}
  province_hint: {column: prov}
  lat: {column: lat}
  lon: {column: lon}
  narrative: {column: text}
`

// landingRows hold each case of where a row lands, on two squares whose
// provinces are Punjab (Alpha) and Sindh (Beta).
var landingRows = []string{
	// Placeholders, one per rule: Beta's villages at one point in Alpha
	// (places), a two-decimal point for two places (coarse), one point
	// over three years (dates), one market given to Alpha and to Beta
	// (names).
	"V1,2023-01-01,Beta,Village One,,30.5123,70.5123,",
	"V2,2023-02-01,Beta,Village Two,,30.5123,70.5123,",
	"V3,2023-03-01,Beta,Near Village Three,,30.5123,70.5123,",
	"V4,2023-04-01,Beta district,Village Four,,30.5123,70.5123,",
	"V5,2023-05-01,beta,Village Five,,30.5123,70.5123,",
	"C1,2023-01-01,Beta,Bazaar,,30.25,70.25,",
	"C2,2023-01-02,Beta,Hospital,,30.25,70.25,",
	"D1,2019-01-01,Alpha,Main Bazaar,,30.4444,70.4444,",
	"D2,2020-06-01,Alpha,Main Bazaar,,30.4444,70.4444,",
	"D3,2021-12-01,Alpha,main bazaar,,30.4444,70.4444,",
	"N1,2023-01-01,Alpha,Market,,30.2345,70.2345,",
	"N2,2023-01-02,Beta,market,,30.2345,70.2345,",
	// Points and names in two districts: within 2 km of Beta (kept), and
	// far from the district named (the name wins), each alone at its point.
	"K1,2023-01-01,Beta,Village K,,30.5,70.99,",
	"K2,2023-01-02,Beta,Village L,,30.6,70.995,",
	"O1,2023-01-03,Beta,Village O,,30.7,70.7,",
	"O2,2023-01-04,Alpha,Village P,,30.8,71.8,",
	// A point in Sindh for a row that says Punjab and names Alpha.
	"P1,2023-01-05,Alpha,Village Q,Punjab,30.5,71.5,",
	// Agrees; and a row placed from its narrative.
	"R1,2023-01-06,Beta,Village R,,30.3,71.3,",
	"T1,2023-01-07,,,,,,a bomb went off in the bazaar of Beta district",
}

// TestCheckLanding dry-runs a file with rows of every case, checks what
// Check counts, and that the ingest and review then find the same.
func TestCheckLanding(t *testing.T) {
	f := newFixture(t)
	m := strings.NewReplacer(`"North"`, `"Punjab"`, `"South"`, `"Sindh"`).Replace(twoSquares)
	b, err := geo.Load(writeFile(t, f.dir, "punjab-sindh.geojson", m), geo.Properties{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := layout.Parse("landing.yaml", []byte(landingLayout))
	if err != nil {
		t.Fatal(err)
	}
	in := writeFile(t, f.dir, "tracker.csv", "id,date,city,location,prov,lat,lon,text\n"+strings.Join(landingRows, "\n")+"\n")
	rep, err := pipeline.Check(context.Background(), in, l, locate.New(b), 0, read.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	lg := rep.Landing
	var got []string
	for _, p := range lg.Placeholders {
		got = append(got, fmt.Sprintf("%s: %d points, %d rows; line %d (%.4f, %.4f) %d rows, %d places, %d days",
			p.Rule, p.Points, p.Rows, p.Line, p.Lat, p.Lon, p.AtPoint, p.Places, p.SpanDay))
	}
	for _, p := range lg.Pairs {
		ex := p.Example()
		got = append(got, fmt.Sprintf("%s/%s: kept %d, over %d; line %d (%.4f, %.4f)", p.Point, p.Name, p.Kept.Rows, p.Over.Rows, ex.Line, ex.Lat, ex.Lon))
	}
	for _, x := range []struct {
		name string
		f    store.Finding
	}{{"outside", lg.Outside}, {"near", lg.Near}, {"far", lg.Far}, {"text", lg.Text}} {
		if x.f.Rows > 0 {
			got = append(got, fmt.Sprintf("%s: %d, line %d: %s", x.name, x.f.Rows, x.f.Line, x.f.Note))
		}
	}
	want := []string{
		"names: 1 points, 2 rows; line 12 (30.2345, 70.2345) 2 rows, 1 places, 1 days",
		"places: 1 points, 5 rows; line 2 (30.5123, 70.5123) 5 rows, 5 places, 120 days",
		"coarse: 1 points, 2 rows; line 7 (30.2500, 70.2500) 2 rows, 2 places, 1 days",
		"dates: 1 points, 3 rows; line 9 (30.4444, 70.4444) 3 rows, 1 places, 1065 days",
		"Alpha/Beta: kept 2, over 1; line 14 (30.5000, 70.9900)",
		"Beta/Alpha: kept 0, over 1; line 17 (30.8000, 71.8000)",
		`outside: 1, line 18: the point (30.5000, 71.5000) is in Beta, Sindh, outside the province the row gives (Punjab); placed by its name "Alpha"`,
		`text: 1, line 20: found in the text: "Beta district"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Check landing:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got, want := lg.Untracked, int64(0); got != want {
		t.Errorf("untracked %d, want %d", got, want)
	}

	// The ingest places the same rows anew, and review lists the same.
	cfg := f.config(in)
	cfg.Boundaries, cfg.Layout = b, l
	irep, err := pipeline.Ingest(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(irep.Placeholders.ByRule), "map[coarse:2 dates:3 names:2 places:5]"; got != want {
		t.Errorf("ingest placeholders %s, want %s", got, want)
	}
	st, err := store.OpenReadOnly(context.Background(), f.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.Review(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	got = got[:0]
	for _, r := range rows {
		if r.Kind != store.ReviewPlaceholder {
			got = append(got, fmt.Sprintf("%s: %s, %d rows, %s", r.Kind, r.Name, r.Count, r.Example[strings.LastIndexByte(r.Example, ':')+1:]))
		}
	}
	want = []string{
		"point kept: point in Alpha, name Beta, 2 rows, 14",
		"name over point: point in Alpha, name Beta, 1 rows, 16",
		"name over point: point in Beta, name Alpha, 1 rows, 17",
		"outside province: point in Beta, Sindh, 1 rows, 18",
		"from text: (narrative text), 1 rows, 20",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("review:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestCheckPointsCap: points beyond CheckPoints are counted, not tracked.
func TestCheckPointsCap(t *testing.T) {
	f := newFixture(t)
	l, err := layout.Parse("landing.yaml", []byte(landingLayout))
	if err != nil {
		t.Fatal(err)
	}
	in := writeFile(t, f.dir, "tracker.csv", "id,date,city,location,prov,lat,lon,text\n"+strings.Join(landingRows[:7], "\n")+"\n")
	defer func(n int) { store.CheckPoints = n }(store.CheckPoints)
	store.CheckPoints = 1
	rep, err := pipeline.Check(context.Background(), in, l, locate.New(f.b), 0, read.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	lg := rep.Landing
	if got, want := fmt.Sprintf("%d placeholder rules, %d untracked", len(lg.Placeholders), lg.Untracked), "1 placeholder rules, 2 untracked"; got != want {
		t.Errorf("%s, want %s (V1-V5 tracked, C1-C2 not)", got, want)
	}
}
