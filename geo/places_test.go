package geo

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/ocmap/ocmap/internal/testmaps"
)

// threeSquares is testmaps.TwoSquares with real province names and a third
// district in another province: Alpha (70-71 E) and Beta (71-72 E) in
// Punjab, Gamma (72-73 E) in Sindh, all between 30 and 31 N.
const threeSquares = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"ADM2_PCODE":"PK601","ADM2_EN":"Alpha","ADM1_EN":"Punjab"},
 "geometry":{"type":"Polygon","coordinates":[[[70,30],[71,30],[71,31],[70,31],[70,30]]]}},
{"type":"Feature","properties":{"ADM2_PCODE":"PK602","ADM2_EN":"Beta","ADM1_EN":"Punjab"},
 "geometry":{"type":"Polygon","coordinates":[[[71,30],[72,30],[72,31],[71,31],[71,30]]]}},
{"type":"Feature","properties":{"ADM2_PCODE":"PK701","ADM2_EN":"Gamma","ADM1_EN":"Sindh"},
 "geometry":{"type":"Polygon","coordinates":[[[72,30],[73,30],[73,31],[72,31],[72,30]]]}}]}`

// gn is one line of a GeoNames dump.
func gn(id int, name, alternates string, lon, lat float64, class, code string, pop int) string {
	return fmt.Sprintf("%d\t%s\t%s\t%s\t%g\t%g\t%s\t%s\tPK\t\t03\t\t\t\t%d\t\t500\tAsia/Karachi\t2020-01-01",
		id, name, name, alternates, lat, lon, class, code, pop)
}

// testPlaces loads lines over the GeoJSON map with the aliases given.
func testPlaces(t testing.TB, fc string, aliases []Alias, lines ...string) *Places {
	t.Helper()
	b, err := Read(strings.NewReader(fc), "test.geojson", Properties{})
	if err != nil {
		t.Fatal(err)
	}
	g, _, err := NewGazetteer(b, aliases)
	if err != nil {
		t.Fatal(err)
	}
	pf, err := ReadPlaces(strings.NewReader(strings.Join(lines, "\n")+"\n"), "places.txt", PlaceLimits{})
	if err != nil {
		t.Fatal(err)
	}
	return NewPlaces(pf, g, NewIndex(b.Polygons))
}

func TestReadPlaces(t *testing.T) {
	good := strings.Join([]string{
		gn(1, "Wana", "Wano,Wāna,WAN", 70.5, 30.5, "P", "PPL", 20000),
		gn(2, "Old Fort", "", 70.5, 30.5, "P", "PPLQ", 0), // abandoned
		gn(3, "Wana Tehsil", "", 70.4, 30.4, "A", "ADM3", 0),
		gn(4, "Wana Hill", "", 70.4, 30.4, "T", "HLL", 0), // a hill
		gn(5, "South Waziristan", "", 70.4, 30.4, "A", "ADM2", 0),
		"",
	}, "\n")
	pf, err := ReadPlaces(strings.NewReader(good), "pk.txt", PlaceLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(pf.Places), 2; got != want {
		t.Fatalf("places %d, want %d", got, want)
	}
	if got, want := pf.Lines, 5; got != want {
		t.Errorf("lines %d, want %d", got, want)
	}
	w := pf.Places[0]
	if got, want := fmt.Sprintf("%d %s %g %g %s %d", w.ID, w.Name, w.Lon, w.Lat, w.Code, w.Population), "1 Wana 70.5 30.5 PPL 20000"; got != want {
		t.Errorf("place %s, want %s", got, want)
	}
	// The code "WAN" is not a name; Wāna folds to Wana.
	if got, want := strings.Join(w.names, ","), "wana,wano"; got != want {
		t.Errorf("names %s, want %s", got, want)
	}

	for _, tt := range []struct {
		name, text string
		lim        PlaceLimits
		want       string
	}{
		{"columns", "1\tWana\tWana\n", PlaceLimits{}, "pk.txt:1: 3 tab-separated columns, want the 19"},
		{"latitude", gn(1, "Wana", "", 70.5, 30.5, "P", "PPL", 1) + "\n" + strings.Replace(gn(2, "Tank", "", 70.5, 30.5, "P", "PPL", 1), "30.5", "north", 1),
			PlaceLimits{}, `pk.txt:2: column 5 (latitude): "north" is not a latitude`},
		{"population", strings.Replace(gn(1, "Wana", "", 70.5, 30.5, "P", "PPL", 7), "\t7\t", "\t-7\t", 1), PlaceLimits{}, `pk.txt:1: column 15 (population): "-7" is not a population`},
		{"id", strings.Replace(gn(1, "Wana", "", 70.5, 30.5, "P", "PPL", 7), "1\t", "x\t", 1), PlaceLimits{}, `pk.txt:1: column 1 (geonameid): "x" is not a number`},
		{"long line", gn(1, "Wana", strings.Repeat("Wana,", 100), 70.5, 30.5, "P", "PPL", 7), PlaceLimits{MaxLineBytes: 200}, "pk.txt:1: line longer than 200 bytes"},
		{"rows", good, PlaceLimits{MaxRows: 3}, "pk.txt: more than 3 lines"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadPlaces(strings.NewReader(tt.text), "pk.txt", tt.lim)
			if !errors.Is(err, ErrPlacesFile) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestPlacesLookup(t *testing.T) {
	const alpha, beta = 0, 1
	ps := testPlaces(t, testmaps.TwoSquares, nil,
		gn(1, "Wana", "", 70.5, 30.5, "P", "PPL", 20000),
		gn(2, "Mir Ali", "Mirali", 71.5, 30.5, "P", "PPL", 15000),
		gn(3, "Kot", "", 70.2, 30.2, "P", "PPL", 20000), // Kot: dominant over Beta's
		gn(4, "Kot", "", 71.2, 30.2, "P", "PPL", 800),
		gn(5, "Pir", "", 70.2, 30.2, "P", "PPL", 5000), // Pir: 5,000 vs 1,000, not dominant
		gn(6, "Pir", "", 71.2, 30.2, "P", "PPL", 1000),
		gn(7, "Chak", "", 70.2, 30.2, "P", "PPL", 0), // Chak: no population anywhere
		gn(8, "Chak", "", 71.2, 30.2, "P", "PPL", 0),
		gn(9, "Banda", "", 71.1, 30.1, "P", "PPL", 300), // two Bandas in Beta
		gn(10, "Banda", "", 71.9, 30.9, "P", "PPL", 900),
		gn(11, "Alpha", "", 71.5, 30.6, "P", "PPL", 90000), // the district's name, but in Beta
		gn(12, "Faraway", "", 60, 20, "P", "PPL", 500),     // in no district
		gn(13, "Datta Khel", "Dattakhel", 71.7, 30.7, "A", "ADM3", 0),
	)
	if got, want := fmt.Sprint(ps.Len(), ps.Outside, ps.DistrictNames), "12 1 1"; got != want {
		t.Errorf("loaded, outside, district names %s, want %s", got, want)
	}
	for _, tt := range []struct {
		name, text string
		id         int64 // 0: none
		amb        []int
	}{
		{"unique", "Wana", 1, nil},
		{"case and spaces", "MIRALI", 2, nil},
		{"alternate", "Mir-Ali", 2, nil},
		{"dominant", "Kot", 3, nil},
		{"not dominant", "Pir", 0, []int{alpha, beta}},
		{"no population", "Chak", 0, []int{alpha, beta}},
		{"one district", "Banda", 10, nil},
		{"district name is the gazetteer's", "Alpha", 0, nil},
		{"outside", "Faraway", 0, nil},
		{"tehsil", "Datta Khel", 13, nil},
		{"unknown", "Atlantis", 0, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := ps.Lookup(tt.text, "")
			var id int64
			if m.Place != nil {
				id = m.Place.ID
			}
			if got, want := id, tt.id; got != want {
				t.Errorf("place %d, want %d", got, want)
			}
			if got, want := m.Ambiguous, tt.amb; !slices.Equal(got, want) {
				t.Errorf("ambiguous %v, want %v", got, want)
			}
		})
	}
}

func TestPlacesProvince(t *testing.T) {
	const alpha, beta, gamma = 0, 1, 2
	ps := testPlaces(t, threeSquares, nil,
		gn(1, "Khanpur", "", 70.5, 30.5, "P", "PPL", 100),    // Alpha, Punjab
		gn(2, "Khanpur", "", 72.5, 30.5, "P", "PPL", 100000), // Gamma, Sindh
		gn(3, "Kandi", "", 70.5, 30.5, "P", "PPL", 1000),     // Alpha
		gn(4, "Kandi", "", 71.5, 30.5, "P", "PPL", 1000),     // Beta
	)
	for _, tt := range []struct {
		name, text, province string
		district             int // -1: none
	}{
		{"dominant without a province", "Khanpur", "", gamma},
		{"the province's own", "Khanpur", "Punjab", alpha},
		{"the province's own, spelt otherwise", "Khanpur", "Panjab", alpha},
		{"in the province", "Khanpur", "Sindh", gamma},
		{"not in the province", "Khanpur", "Balochistan", -1},
		{"unknown province is no restriction", "Khanpur", "Atlantis", gamma},
		{"two districts of the province", "Kandi", "Punjab", -1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := -1
			if m := ps.Lookup(tt.text, tt.province); m.OK() {
				d = m.Place.District
			}
			if got, want := d, tt.district; got != want {
				t.Errorf("district %d, want %d", got, want)
			}
		})
	}
	_ = beta
}

func TestPlacesAliases(t *testing.T) {
	aliases := []Alias{
		{Alias: "Wana", District: "Alpha", Province: "Punjab", Kind: KindPlace},
		{Alias: "Tank", District: "Beta", Province: "Punjab", Kind: KindPlace},
	}
	ps := testPlaces(t, threeSquares, aliases,
		gn(1, "Wana", "", 70.5, 30.5, "P", "PPL", 100), // in Alpha, as the alias says
		gn(2, "Tank", "", 72.5, 30.5, "P", "PPL", 100), // in Gamma, the alias says Beta
	)
	if got, want := ps.Find("Near Wana", "").OK(), true; got != want {
		t.Errorf("a place whose alias agrees: found %v, want %v", got, want)
	}
	if got, want := ps.Find("Near Tank", "").OK(), false; got != want {
		t.Errorf("a place whose alias says another district: found %v, want %v", got, want)
	}
}

func TestPlacesFind(t *testing.T) {
	const alpha, beta = 0, 1
	ps := testPlaces(t, testmaps.TwoSquares, nil,
		gn(1, "Wana", "", 70.5, 30.5, "P", "PPL", 20000),
		gn(2, "Mir Ali", "", 71.5, 30.5, "P", "PPL", 15000),
		gn(3, "Datta Khel", "", 71.7, 30.7, "P", "PPL", 0),
		gn(4, "Chowk Azam", "", 70.1, 30.1, "P", "PPL", 0),
		gn(5, "Pir", "", 70.2, 30.2, "P", "PPL", 5000),
		gn(6, "Pir", "", 71.2, 30.2, "P", "PPL", 1000),
	)
	for _, tt := range []struct {
		name, text string
		id         int64
		words      string
		amb        []int
	}{
		{"near", "Near Wana", 1, "wana", nil},
		{"bracket", "Mir Ali (Near Afghan Border)", 2, "mir ali", nil},
		{"plain", "Datta Khel", 3, "datta khel", nil},
		{"comma", "Wana, South Waziristan", 1, "wana", nil},
		{"kind words", "Mir Ali Bazaar area", 2, "mir ali", nil},
		{"a kind word in the name", "Chowk Azam", 4, "chowk azam", nil},
		{"parts that agree, the longest wins", "Datta Khel - Mir Ali", 3, "datta khel", nil},
		{"parts in two districts", "Wana / Mir Ali", 0, "", []int{alpha, beta}},
		{"an ambiguous part beside a place", "Pir, Wana", 1, "wana", nil},
		{"ambiguous", "near Pir", 0, "", []int{alpha, beta}},
		{"only kind words", "Near Afghan Border", 0, "", nil},
		{"a road named after towns", "Checkpost on Wana-Mir Ali road", 0, "", nil},
		{"a road, and the town in a phrase: not taken", "Datta Khel bazaar on Wana-Mir Ali Road", 0, "", nil},
		{"a road, and the town in its own part", "Datta Khel bazaar, on Wana-Mir Ali Road", 3, "datta khel", nil},
		{"a sentence", strings.Repeat("militants attacked a checkpost near Wana ", 6), 0, "", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for range 2 { // the second answer comes from the cache
				m := ps.Find(tt.text, "")
				var id int64
				if m.Place != nil {
					id = m.Place.ID
				}
				if got, want := id, tt.id; got != want {
					t.Errorf("place %d, want %d", got, want)
				}
				if got, want := m.Text, tt.words; id != 0 && got != want {
					t.Errorf("words %q, want %q", got, want)
				}
				if got, want := m.Ambiguous, tt.amb; !slices.Equal(got, want) {
					t.Errorf("ambiguous %v, want %v", got, want)
				}
			}
		})
	}
}

func TestDistanceKm(t *testing.T) {
	for _, tt := range []struct {
		a, b orb.Point
		want float64
	}{
		{orb.Point{70, 30}, orb.Point{70, 31}, 111.19},
		{orb.Point{70, 30}, orb.Point{71, 30}, 96.29},
		{orb.Point{74.3436, 31.5497}, orb.Point{69.5725, 32.29889}, 457.9}, // Lahore to Wana
	} {
		if got := DistanceKm(tt.a, tt.b); math.Abs(got-tt.want) > 0.1 {
			t.Errorf("DistanceKm(%v, %v) = %.2f, want %.2f", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestPlacesReal loads the GeoNames cities500 extract of Pakistan against
// the COD-AB districts, and checks that the alias table's towns lie in
// the districts it names.
func TestPlacesReal(t *testing.T) {
	dir, bpath := os.Getenv("OCMAP_SHARED_DATA"), os.Getenv("OCMAP_BOUNDARIES")
	if dir == "" || bpath == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI needs OCMAP_SHARED_DATA and OCMAP_BOUNDARIES")
		}
		t.Skip("OCMAP_SHARED_DATA or OCMAP_BOUNDARIES is not set")
	}
	b, err := Load(bpath, Properties{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join("..", "data", "gazetteer", "aliases.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	aliases, err := ReadAliases(f)
	if err != nil {
		t.Fatal(err)
	}
	g, _, err := NewGazetteer(b, aliases)
	if err != nil {
		t.Fatal(err)
	}
	pf, err := ReadPlacesFile(filepath.Join(dir, "places", "geonames_cities500_PK.tsv"), PlaceLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := pf.SHA256, "9702fadbfdffee46dccb45a8de1b3d75636b4b041579860bc5740164b2319dc2"; got != want {
		t.Fatalf("sha256 %s, want %s", got, want)
	}
	ps := NewPlaces(pf, g, NewIndex(b.Polygons))
	t.Logf("%d lines, %d places in a district, %d outside, %d names left to the gazetteer", pf.Lines, ps.Len(), ps.Outside, ps.DistrictNames)
	if got, want := fmt.Sprint(pf.Lines, ps.Len()+ps.Outside), "458 456"; got != want {
		t.Errorf("lines, places kept %s, want %s", got, want)
	}
	if got, want := ps.Outside, 0; got != want {
		t.Errorf("outside %d, want %d", got, want)
	}
	district := map[string]string{}
	for _, p := range ps.All() {
		district[p.Name] = b.Districts[p.District].Name
	}
	for _, tt := range []struct{ place, district string }{
		{"Wana", "South Waziristan"},
		{"Miran Shah", "North Waziristan"},
		{"Parachinar", "Kurram"},
		{"Landi Kotal", "Khyber"},
		{"Timargara", "Lower Dir"},
		{"Rawalakot", "Poonch"},
	} {
		if got, want := district[tt.place], tt.district; got != want {
			t.Errorf("%s is in %q, want %q", tt.place, got, want)
		}
	}
	for _, tt := range []struct{ text, province, district string }{
		{"Near Wana", "FATA", "South Waziristan"},
		{"Miranshah (Near Afghan Border)", "", "North Waziristan"},
		{"Timurgara", "KPK", "Lower Dir"},
		{"Wana", "Punjab", ""},
	} {
		got := ""
		if m := ps.Find(tt.text, tt.province); m.OK() {
			got = b.Districts[m.Place.District].Name
		}
		if want := tt.district; got != want {
			t.Errorf("Find(%q, %q) in %q, want %q", tt.text, tt.province, got, want)
		}
	}
	// Every town of the alias table that GeoNames has lies in the district
	// the alias names.
	var disagree []string
	for _, a := range aliases {
		if a.Kind != KindPlace {
			continue
		}
		for _, p := range ps.All() {
			if nameKey(p.Name) == nameKey(a.Alias) && b.Districts[p.District].Name != a.District {
				disagree = append(disagree, fmt.Sprintf("%s: alias %s, GeoNames point in %s", a.Alias, a.District, b.Districts[p.District].Name))
			}
		}
	}
	// Karachi and Khanpur name several districts; the others are border
	// towns whose GeoNames point falls in the neighbour (Raiwind in Kasur,
	// Kotri in Hyderabad) or another place of the name (Shorkot). Their
	// names are left to the alias table.
	t.Logf("alias/GeoNames disagreements: %q", disagree)
	if got, want := len(disagree), 11; got != want {
		t.Errorf("%d disagreements, want %d", got, want)
	}
}

func BenchmarkPlacesFind(b *testing.B) {
	lines := make([]string, 0, 20000)
	for i := range 20000 {
		lines = append(lines, gn(i+1, fmt.Sprintf("Place%d Khel", i), fmt.Sprintf("Place%dkhel,Pl%d", i, i),
			70+float64(i%100)/50+0.005, 30.5, "P", "PPL", 1000+i))
	}
	ps := testPlaces(b, testmaps.TwoSquares, nil, lines...)
	texts := make([]string, 1<<17) // more than the cache holds, so most calls do the work
	for i := range texts {
		texts[i] = fmt.Sprintf("Near Place%d Khel (area), District X%d", i%20000, i)
	}
	b.ResetTimer()
	for i := range b.N {
		if !ps.Find(texts[i%len(texts)], "").OK() {
			b.Fatal("not found")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "finds/s")
}

// FuzzReadPlaces reads any text as a GeoNames dump: no panic, and every
// place kept has a name and coordinates in range.
func FuzzReadPlaces(f *testing.F) {
	f.Add("1161983\tRawalakot\tRawalakot\tRAZ,Rawala Kot\t33.85782\t73.76043\tP\tPPLA2\tPK\t\t06\t1167717\t\t\t50000\t\t1640\tAsia/Karachi\t2020-08-30\n")
	f.Add("1\tX\tX\t\t95\t200\tP\tPPL\tPK\t\t\t\t\t\t0\t\t0\t\t\n")
	f.Add("\t\t\n\n")
	f.Fuzz(func(t *testing.T, text string) {
		pf, err := ReadPlaces(strings.NewReader(text), "fuzz.txt", PlaceLimits{MaxLineBytes: 4096, MaxRows: 1000})
		if err != nil {
			return
		}
		for _, p := range pf.Places {
			if p.Name == "" || p.Lat < -90 || p.Lat > 90 || p.Lon < -180 || p.Lon > 180 {
				t.Fatalf("kept %+v", p)
			}
		}
	})
}
