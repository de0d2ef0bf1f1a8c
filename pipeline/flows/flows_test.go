//go:build duckdb_arrow

package flows_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/ocmap/ocmap/data"
	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/pipeline"
	"github.com/ocmap/ocmap/pipeline/flows"
	"github.com/ocmap/ocmap/pipeline/layout"
	"github.com/ocmap/ocmap/pipeline/locate"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

// The fixture (testdata): five square districts, Gujrat, Sialkot and
// Kotli in Punjab, Quetta in Balochistan and another Kotli in Azad
// Kashmir; incidents.csv in the layout ocmap-synthetic, whose flows run
// between the three districts Gujrat, Sialkot and Quetta and the two
// countries Iran and Afghanistan.

func fixture(t *testing.T) (*flows.Resolver, *geo.Boundaries, *geo.Countries) {
	t.Helper()
	b, err := geo.Load(filepath.Join("testdata", "districts.geojson"), geo.Properties{})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := geo.ReadCountries(bytes.NewReader(data.Countries), "countries.csv")
	if err != nil {
		t.Fatal(err)
	}
	return flows.NewResolver(locate.New(b).Gazetteer(), cs), b, cs
}

// ingest loads testdata/incidents.csv into a new database.
func ingest(t *testing.T, b *geo.Boundaries) *store.Store {
	t.Helper()
	l, err := layout.Find("ocmap-synthetic")
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "flows.duckdb")
	rep, err := pipeline.Ingest(context.Background(), pipeline.Config{DB: db, Boundaries: b, Layout: l, Version: "test",
		Inputs: []string{filepath.Join("testdata", "incidents.csv")}, Store: store.Options{MemoryLimit: "256MB", Threads: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rep.Rejected, int64(0); got != want {
		t.Fatalf("%d rows rejected, want %d", got, want)
	}
	st, err := store.OpenReadOnly(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestEnds(t *testing.T) {
	r, _, _ := fixture(t)
	gujrat := flows.End{Kind: flows.District, Code: "PK01", Name: "Gujrat", Province: "Punjab"}
	quetta := flows.End{Kind: flows.District, Code: "PK03", Name: "Quetta", Province: "Balochistan"}
	af := flows.End{Kind: flows.Country, Code: "AF", Name: "Afghanistan"}
	ir := flows.End{Kind: flows.Country, Code: "IR", Name: "Iran"}
	ae := flows.End{Kind: flows.Country, Code: "AE", Name: "United Arab Emirates"}
	gulf := flows.End{Kind: flows.Region, Code: "XG", Name: "Gulf states"}
	ok := func(e flows.End, basis string) flows.Resolved { return flows.Resolved{End: e, OK: true, Basis: basis} }
	no := func(basis, reason string) flows.Resolved { return flows.Resolved{Basis: basis, Reason: reason} }
	for _, tc := range []struct {
		name         string
		rec          flows.Record
		origin, dest flows.Resolved
	}{
		{"fields", flows.Record{Category: schemas.HumanTrafficking, Origin: "Gujrat", Destination: "Dubai"},
			ok(gujrat, flows.BasisOrigin), ok(ae, flows.BasisDestination)},
		{"urdu and region", flows.Record{Category: schemas.HumanTrafficking, Origin: "گجرات", Destination: "the Gulf"},
			ok(gujrat, flows.BasisOrigin), ok(gulf, flows.BasisDestination)},
		{"foreign nationality", flows.Record{Category: schemas.HumanTrafficking, Nationality: "Afghan", Destination: "ایران"},
			ok(af, flows.BasisNationality), ok(ir, flows.BasisDestination)},
		{"pakistani nationality", flows.Record{Category: schemas.HumanTrafficking, Nationality: "Pakistani", Destination: "Iran"},
			no(flows.BasisNationality, flows.NotForeign), ok(ir, flows.BasisDestination)},
		{"origin wins over nationality", flows.Record{Category: schemas.HumanTrafficking, Origin: "Quetta", Nationality: "Afghan"},
			ok(quetta, flows.BasisOrigin), no(flows.BasisDestination, flows.NotGiven)},
		{"unresolved origin is not replaced by nationality", flows.Record{Category: schemas.HumanTrafficking, Origin: "Atlantis", Nationality: "Afghan"},
			no(flows.BasisOrigin, flows.Unknown), no(flows.BasisDestination, flows.NotGiven)},
		{"ambiguous", flows.Record{Category: schemas.HumanTrafficking, Origin: "Kotli", Destination: "Pakistan"},
			no(flows.BasisOrigin, flows.Ambiguous), no(flows.BasisDestination, flows.Nationwide)},
		{"province", flows.Record{Category: schemas.HumanTrafficking, Origin: "Punjab", Destination: "Iran"},
			no(flows.BasisOrigin, flows.ProvinceOf), ok(ir, flows.BasisDestination)},
		{"route ends", flows.Record{Category: schemas.DrugTrafficking, Route: "Kandahar - Chaman -> Quetta to Gujrat", District: "PK03"},
			ok(af, flows.BasisRoute), ok(gujrat, flows.BasisRoute)},
		{"origin field before route", flows.Record{Category: schemas.DrugTrafficking, Origin: "Iran", Route: "Kandahar - Gujrat"},
			ok(ir, flows.BasisOrigin), ok(gujrat, flows.BasisRoute)},
		{"seizure district", flows.Record{Category: schemas.DrugTrafficking, Origin: "Afghanistan", District: "PK03"},
			ok(af, flows.BasisOrigin), ok(quetta, flows.BasisSeizure)},
		{"a one-place route is a site", flows.Record{Category: schemas.DrugTrafficking, Route: "N-25 checkpost", District: "PK03"},
			no(flows.BasisOrigin, flows.NotGiven), ok(quetta, flows.BasisSeizure)},
		{"seizure without district", flows.Record{Category: schemas.DrugTrafficking, Origin: "Afghanistan"},
			ok(af, flows.BasisOrigin), no(flows.BasisSeizure, flows.SeizureLost)},
		{"trafficking has no seizure district", flows.Record{Category: schemas.HumanTrafficking, Origin: "Gujrat", District: "PK03"},
			ok(gujrat, flows.BasisOrigin), no(flows.BasisDestination, flows.NotGiven)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, d := r.Ends(tc.rec)
			if got, want := o, tc.origin; got != want {
				t.Errorf("origin = %+v, want %+v", got, want)
			}
			if got, want := d, tc.dest; got != want {
				t.Errorf("destination = %+v, want %+v", got, want)
			}
		})
	}
}

func TestRoutePlaces(t *testing.T) {
	for _, tc := range []struct {
		route string
		want  []string
	}{
		{"Kandahar - Chaman - Quetta - Karachi", []string{"Kandahar", "Chaman", "Quetta", "Karachi"}},
		{"via Quetta to Gujrat", []string{"Quetta", "Gujrat"}},
		{"from Helmand through Noshki, Panjgur; Kech", []string{"Helmand", "Noshki", "Panjgur", "Kech"}},
		{"Peshawar->Islamabad", []string{"Peshawar", "Islamabad"}},
		{"Torkham border / Peshawar", []string{"Torkham border", "Peshawar"}},
		{"N-25 checkpost", []string{"N-25 checkpost"}},
		{"کوئٹہ سے کراچی", []string{"کوئٹہ", "کراچی"}},
		{"", nil},
	} {
		if got := flows.RoutePlaces(tc.route); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("RoutePlaces(%q) = %q, want %q", tc.route, got, tc.want)
		}
	}
}

// TestCompute counts the fixture's flows: incident groups once (H3 is
// two records of one incident), victims and kilograms of the primaries
// and the two largest incidents' (for the p% rule), the unresolved ends by
// reason.
func TestCompute(t *testing.T) {
	r, b, _ := fixture(t)
	st := ingest(t, b)
	ctx := context.Background()
	gujrat := flows.End{Kind: flows.District, Code: "PK01", Name: "Gujrat", Province: "Punjab"}
	sialkot := flows.End{Kind: flows.District, Code: "PK02", Name: "Sialkot", Province: "Punjab"}
	quetta := flows.End{Kind: flows.District, Code: "PK03", Name: "Quetta", Province: "Balochistan"}
	af := flows.End{Kind: flows.Country, Code: "AF", Name: "Afghanistan"}
	ir := flows.End{Kind: flows.Country, Code: "IR", Name: "Iran"}

	ht, err := flows.Compute(ctx, st, r, flows.Query{Category: "human_trafficking"})
	if err != nil {
		t.Fatal(err)
	}
	want := []flows.Flow{
		{Category: "human_trafficking", Origin: gujrat, Destination: ir, Incidents: 3, Records: 4, Victims: 6, Top: [2]float64{3, 2}},
		{Category: "human_trafficking", Origin: af, Destination: quetta, Incidents: 1, Records: 1, Victims: 5, Top: [2]float64{5, 0}},
		{Category: "human_trafficking", Origin: sialkot, Destination: quetta, Incidents: 1, Records: 1, Victims: 4, Top: [2]float64{4, 0}},
	}
	if !reflect.DeepEqual(ht.Flows, want) {
		t.Errorf("flows:\n%+v\nwant\n%+v", ht.Flows, want)
	}
	if got, want := ht.Incidents, int64(9); got != want {
		t.Errorf("incidents = %d, want %d", got, want)
	}
	wantUn := flows.Unresolved{Incidents: 4,
		Origin:      map[string]int64{flows.NotForeign: 1, flows.Ambiguous: 1, flows.Unknown: 1},
		Destination: map[string]int64{flows.NotGiven: 1}}
	if !reflect.DeepEqual(ht.Unresolved, wantUn) {
		t.Errorf("unresolved = %+v, want %+v", ht.Unresolved, wantUn)
	}

	dt, err := flows.Compute(ctx, st, r, flows.Query{Category: "drug_trafficking"})
	if err != nil {
		t.Fatal(err)
	}
	want = []flows.Flow{
		{Category: "drug_trafficking", Origin: af, Destination: gujrat, Incidents: 2, Records: 2, Kg: 5.5, Top: [2]float64{3, 2.5}},
		{Category: "drug_trafficking", Origin: af, Destination: sialkot, Incidents: 1, Records: 1, Kg: 10, Top: [2]float64{10, 0}},
		{Category: "drug_trafficking", Origin: af, Destination: quetta, Incidents: 1, Records: 1, Kg: 2, Top: [2]float64{2, 0}},
	}
	if !reflect.DeepEqual(dt.Flows, want) {
		t.Errorf("drug flows:\n%+v\nwant\n%+v", dt.Flows, want)
	}
	if got, want := dt.Unresolved, (flows.Unresolved{Incidents: 1, Origin: map[string]int64{flows.NotGiven: 1},
		Destination: map[string]int64{}}); !reflect.DeepEqual(got, want) {
		t.Errorf("drug unresolved = %+v, want %+v", got, want)
	}
	if got, want := dt.Bases, map[string]int64{"origin: origin": 3, "origin: route": 1, "destination: route": 3,
		"destination: seizure district": 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("bases = %v, want %v", got, want)
	}

	// By month, February only: H3 (two records), H4 and H5; equal flows
	// in code order.
	feb := time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	m, err := flows.Compute(ctx, st, r, flows.Query{Category: "human_trafficking", From: feb, To: feb, By: flows.ByMonth})
	if err != nil {
		t.Fatal(err)
	}
	want = []flows.Flow{
		{Category: "human_trafficking", Period: "2024-02", Origin: af, Destination: quetta, Incidents: 1, Records: 1, Victims: 5, Top: [2]float64{5, 0}},
		{Category: "human_trafficking", Period: "2024-02", Origin: gujrat, Destination: ir, Incidents: 1, Records: 2, Victims: 1, Top: [2]float64{1, 0}},
		{Category: "human_trafficking", Period: "2024-02", Origin: sialkot, Destination: quetta, Incidents: 1, Records: 1, Victims: 4, Top: [2]float64{4, 0}},
	}
	if !reflect.DeepEqual(m.Flows, want) {
		t.Errorf("February:\n%+v\nwant\n%+v", m.Flows, want)
	}

	// A subcategory: trafficking (not smuggling) is H4 and H9.
	sub := store.NewSubFilter([]store.SubKey{{Category: "human_trafficking", Subcategory: "trafficking"}})
	s, err := flows.Compute(ctx, st, r, flows.Query{Category: "human_trafficking", Sub: sub})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(s.Flows), 1; got != want || s.Flows[0].Origin != sialkot || s.Incidents != 2 {
		t.Errorf("trafficking only: %d flows %+v of %d incidents, want Sialkot -> Quetta of 2", got, s.Flows, s.Incidents)
	}

	// A province: the incidents placed in Balochistan are H5 and H6
	// (Quetta), wherever they came from or went.
	bal, err := flows.Compute(ctx, st, r, flows.Query{Category: "human_trafficking", Province: "Balochistan"})
	if err != nil {
		t.Fatal(err)
	}
	if len(bal.Flows) != 1 || bal.Flows[0].Origin != af || bal.Incidents != 2 || bal.Unresolved.Incidents != 1 {
		t.Errorf("Balochistan: %+v of %d incidents, want Afghanistan -> Quetta of 2 (one unresolved)", bal.Flows, bal.Incidents)
	}

	// Regions fold a Gulf state into XG; Iran has no group.
	g, err := flows.Compute(ctx, st, r, flows.Query{Category: "human_trafficking", Regions: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := g.Flows[0].Destination, ir; got != want {
		t.Errorf("with regions, Iran became %+v", got)
	}

	if _, err := flows.Compute(ctx, st, r, flows.Query{Category: "cybercrime"}); err == nil {
		t.Error("cybercrime has no flows, but Compute took it")
	}
}

// TestPublishable withholds a flow of 2 incidents at min-cell 3.
func TestPublishable(t *testing.T) {
	fs := []flows.Flow{{Incidents: 3}, {Incidents: 2}, {Incidents: 1}, {Incidents: 12}}
	shown, withheld := flows.Publishable(fs, 3)
	if got, want := shown, []flows.Flow{{Incidents: 3}, {Incidents: 12}}; !reflect.DeepEqual(got, want) {
		t.Errorf("shown = %v, want %v", got, want)
	}
	if got, want := withheld, 2; got != want {
		t.Errorf("withheld = %d, want %d", got, want)
	}
	if shown, withheld := flows.Publishable(fs, 0); len(shown) != 4 || withheld != 0 {
		t.Errorf("min-cell 0: %d shown, %d withheld", len(shown), withheld)
	}
}

// TestOutputs checks the GeoJSON lines run from interior points of the
// districts and from the countries' anchors, and the CSV.
func TestOutputs(t *testing.T) {
	_, b, cs := fixture(t)
	a := flows.NewAnchors(b, cs)
	fs := []flows.Flow{{Category: "human_trafficking", Origin: flows.End{Kind: flows.District, Code: "PK01", Name: "Gujrat", Province: "Punjab"},
		Destination: flows.End{Kind: flows.Country, Code: "IR", Name: "Iran"}, Incidents: 3, Records: 4, Victims: 6}}
	fc, err := flows.GeoJSON(fs, a)
	if err != nil {
		t.Fatal(err)
	}
	ls := fc.Features[0].Geometry.(orb.LineString)
	if !planar.PolygonContains(b.Polygons[0][0], ls[0]) {
		t.Errorf("origin %v is not inside Gujrat", ls[0])
	}
	if got, want := ls[1], (orb.Point{51.389, 35.6892}); got != want {
		t.Errorf("destination %v, want Iran's anchor %v", got, want)
	}
	j, _ := json.Marshal(fc.Features[0].Properties)
	for _, want := range []string{`"incidents":3`, `"records":4`, `"victims":6`, `"origin_code":"PK01"`, `"destination_code":"IR"`} {
		if !strings.Contains(string(j), want) {
			t.Errorf("properties %s lack %s", j, want)
		}
	}
	var buf bytes.Buffer
	if err := flows.WriteCSV(&buf, fs); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), strings.Join(flows.CSVHeader, ",")+"\nhuman_trafficking,,district,PK01,Gujrat,Punjab,country,IR,Iran,,3,4,6,\n"; got != want {
		t.Errorf("csv:\n%s\nwant\n%s", got, want)
	}
	m, pairs, err := flows.Map(b, append(fs, flows.Flow{Origin: fs[0].Origin, Destination: fs[0].Origin, Incidents: 1}), a, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(m.Lines), 1; got != want || pairs != 2 || m.Lines[0].Value != 3 || m.Lines[0].ToName != "Iran" {
		t.Errorf("map: %d lines of %d pairs %+v, want the one of 3 incidents to Iran of 2", got, pairs, m.Lines)
	}
}
