package locate_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/pipeline/locate"
	"github.com/ocmap/ocmap/schemas"
)

// threeSquares: Alpha (70-71 E) and Beta (71-72 E) in Punjab, Gamma
// (72-73 E) in Sindh, all between 30 and 31 N.
const threeSquares = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"ADM2_PCODE":"PK601","ADM2_EN":"Alpha","ADM1_EN":"Punjab"},
 "geometry":{"type":"Polygon","coordinates":[[[70,30],[71,30],[71,31],[70,31],[70,30]]]}},
{"type":"Feature","properties":{"ADM2_PCODE":"PK602","ADM2_EN":"Beta","ADM1_EN":"Punjab"},
 "geometry":{"type":"Polygon","coordinates":[[[71,30],[72,30],[72,31],[71,31],[71,30]]]}},
{"type":"Feature","properties":{"ADM2_PCODE":"PK701","ADM2_EN":"Gamma","ADM1_EN":"Sindh"},
 "geometry":{"type":"Polygon","coordinates":[[[72,30],[73,30],[73,31],[72,31],[72,30]]]}}]}`

// geonames is a GeoNames dump of the places the tests name.
var geonames = strings.Join([]string{
	gn(1, "Wana", "Wano", 70.5, 30.5, 20000),     // Alpha
	gn(2, "Mir Ali", "Mirali", 71.5, 30.5, 5000), // Beta
	gn(3, "Datta Khel", "", 71.7, 30.7, 0),       // Beta
	gn(4, "Pir", "", 70.2, 30.2, 5000),           // Alpha and Beta, neither dominant
	gn(5, "Pir", "", 71.2, 30.2, 1000),
	gn(6, "Kot", "", 70.2, 30.2, 800),   // Alpha, Punjab
	gn(7, "Kot", "", 72.5, 30.5, 90000), // Gamma, Sindh: dominant without a province
}, "\n") + "\n"

func gn(id int, name, alternates string, lon, lat float64, pop int) string {
	return fmt.Sprintf("%d\t%s\t%s\t%s\t%g\t%g\tP\tPPL\tPK\t\t03\t\t\t\t%d\t\t500\tAsia/Karachi\t2020-01-01",
		id, name, name, alternates, lat, lon, pop)
}

func placesLocator(t testing.TB, withPlaces bool) *locate.Locator {
	t.Helper()
	b, err := geo.Read(strings.NewReader(threeSquares), "three.geojson", geo.Properties{})
	if err != nil {
		t.Fatal(err)
	}
	l := locate.New(b)
	if withPlaces {
		pf, err := geo.ReadPlaces(strings.NewReader(geonames), "places.txt", geo.PlaceLimits{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := l.UsePlaces(pf).Len(), 7; got != want {
			t.Fatalf("places %d, want %d", got, want)
		}
	}
	return l
}

func TestPlaceLayer(t *testing.T) {
	l := placesLocator(t, true)
	w := l.Worker()
	const wanaNote = "near Wana, a GeoNames place at 70.5000 E 30.5000 N"
	for _, tt := range []struct {
		name      string
		q         schemas.PlaceQuery
		district  string
		precision int8
		method    string
		note      string
		reason    string
	}{
		{name: "near a town", q: schemas.PlaceQuery{Hint: []byte("Near Wana")},
			district: "Alpha", precision: 2, method: "place", note: wanaNote},
		{name: "a town and a bracket", q: schemas.PlaceQuery{Hint: []byte("Mir Ali (Near Afghan Border)")},
			district: "Beta", precision: 2, method: "place", note: "near Mir Ali, a GeoNames place at 71.5000 E 30.5000 N"},
		{name: "the place text names the town", q: schemas.PlaceQuery{Hint: []byte("Atlantis"), Place: []byte("Datta Khel, Atlantis")},
			district: "Beta", precision: 2, method: "place", note: "near Datta Khel, a GeoNames place at 71.7000 E 30.7000 N"},
		{name: "only a place text", q: schemas.PlaceQuery{Place: []byte("Wana")},
			district: "Alpha", precision: 2, method: "place", note: wanaNote},
		// Narrative text: the place layer after the district names.
		{name: "a town in a sentence", q: schemas.PlaceQuery{Text: []byte("two soldiers were killed in Datta Khel on Monday")},
			district: "Beta", precision: 2, method: "place", note: `found in the text: "Datta Khel", a GeoNames place at 71.7000 E 30.7000 N`},
		{name: "a town after near, and one it happened in", q: schemas.PlaceQuery{Text: []byte("a convoy from Wana was attacked in Mir Ali")},
			district: "Beta", precision: 2, method: "place", note: `found in the text: "Mir Ali", a GeoNames place at 71.5000 E 30.5000 N`},
		{name: "towns of two districts in a sentence", q: schemas.PlaceQuery{Text: []byte("raids in Wana and Mir Ali")},
			reason: "no coordinates and no district name"},
		{name: "a district name in the sentence wins", q: schemas.PlaceQuery{Text: []byte("blast in Wana, Gamma district")},
			district: "Gamma", precision: 3, method: "text", note: `found in the text: "Gamma district"`},
		{name: "a district name wins", q: schemas.PlaceQuery{Hint: []byte("Gamma"), Place: []byte("Wana")},
			district: "Gamma", precision: 3, method: "exact"},
		{name: "a town of two districts, none dominant", q: schemas.PlaceQuery{Hint: []byte("Pir")},
			reason: "unknown district name"},
		{name: "hint and place text in two districts", q: schemas.PlaceQuery{Hint: []byte("Wana"), Place: []byte("Mir Ali")},
			reason: "unknown district name"},
		{name: "dominant without a province", q: schemas.PlaceQuery{Hint: []byte("Kot")},
			district: "Gamma", precision: 2, method: "place", note: "near Kot, a GeoNames place at 72.5000 E 30.5000 N"},
		{name: "the stated province", q: schemas.PlaceQuery{Hint: []byte("Kot"), Province: []byte("Punjab")},
			district: "Alpha", precision: 2, method: "place", note: "near Kot, a GeoNames place at 70.2000 E 30.2000 N"},
		{name: "not in the stated province", q: schemas.PlaceQuery{Hint: []byte("Near Wana"), Province: []byte("Sindh")},
			precision: 4, method: "province", note: `the name "Near Wana" is not one district: kept in the province`},
		{name: "point outside every district", q: schemas.PlaceQuery{Lon: 10, Lat: 10, HasPoint: true, Hint: []byte("Near Wana")},
			district: "Alpha", precision: 2, method: "place", note: "coordinates outside every district: " + wanaNote},
		{name: "point near the town", q: schemas.PlaceQuery{Lon: 70.6, Lat: 30.5, HasPoint: true, Hint: []byte("Near Wana")},
			district: "Alpha", precision: 1, method: "point"},
		{name: "point far from the town", q: schemas.PlaceQuery{Lon: 70.9, Lat: 30.9, HasPoint: true, Hint: []byte("Near Wana")},
			district: "Alpha", precision: 1, method: "point",
			note: "the point is in Alpha but the place Wana (GeoNames) is 59 km away in Alpha: the point is kept"},
		{name: "point far from the town of the place text", q: schemas.PlaceQuery{Lon: 72.5, Lat: 30.5, HasPoint: true, Hint: []byte("Gamma"), Place: []byte("Mir Ali Bazaar")},
			district: "Gamma", precision: 1, method: "point",
			note: "the point is in Gamma but the place Mir Ali (GeoNames) is 96 km away in Beta: the point is kept"},
		{name: "a district name is not measured", q: schemas.PlaceQuery{Lon: 70.9, Lat: 30.9, HasPoint: true, Hint: []byte("Alpha")},
			district: "Alpha", precision: 1, method: "point"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, p := range []func(*schemas.PlaceQuery) schemas.Placement{l.Place, w.Place} {
				pl := p(&tt.q)
				d := placedIn(l, pl)
				if got, want := d, tt.district; got != want {
					t.Errorf("district %q, want %q", got, want)
				}
				if tt.reason != "" {
					if got, want := pl.Reason, tt.reason; pl.OK || !strings.HasPrefix(got, want) {
						t.Errorf("reason %q (ok %v), want %q", got, pl.OK, want)
					}
					continue
				}
				if got, want := fmt.Sprint(pl.Precision, pl.Method, pl.Note), fmt.Sprint(tt.precision, tt.method, tt.note); got != want {
					t.Errorf("placement %q, want %q", got, want)
				}
			}
		})
	}
}

// TestPlaceLayerOff: without a place layer, the same rows are placed as
// before.
func TestPlaceLayerOff(t *testing.T) {
	l := placesLocator(t, false)
	if got := l.Place(&schemas.PlaceQuery{Hint: []byte("Near Wana")}); got.OK || got.Reason != "unknown district name" {
		t.Errorf("placement %+v, want unknown district name", got)
	}
	if got := l.Place(&schemas.PlaceQuery{Lon: 70.9, Lat: 30.9, HasPoint: true, Hint: []byte("Near Wana")}); got.Note != "" {
		t.Errorf("note %q, want none", got.Note)
	}
}

func BenchmarkPlaceLayer(b *testing.B) {
	l := placesLocator(b, true)
	w := l.Worker()
	qs := []schemas.PlaceQuery{
		{Hint: []byte("Near Wana")},
		{Hint: []byte("Gamma"), Place: []byte("Mir Ali Bazaar")},
		{Lon: 70.9, Lat: 30.9, HasPoint: true, Hint: []byte("Near Wana"), Place: []byte("Wana, Alpha")},
		{Hint: []byte("Pir")},
	}
	b.ResetTimer()
	for i := range b.N {
		w.Place(&qs[i%len(qs)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// TestPlaceOverCloseSpelling: a name the place layer knows as written, a
// town in Alpha, is not taken for a close spelling of Gamma's name: GeoNames
// knows Akora (Nowshera), which a close spelling would make Okara.
func TestPlaceOverCloseSpelling(t *testing.T) {
	b, err := geo.Read(strings.NewReader(threeSquares), "three.geojson", geo.Properties{})
	if err != nil {
		t.Fatal(err)
	}
	l := locate.New(b)
	pf, err := geo.ReadPlaces(strings.NewReader(gn(1, "Gammma", "", 70.5, 30.5, 3000)+"\n"), "places.txt", geo.PlaceLimits{})
	if err != nil {
		t.Fatal(err)
	}
	q := schemas.PlaceQuery{Hint: []byte("Gammma")}
	before := l.Place(&q)
	if _, name, _ := l.District(before.District); !before.OK || name != "Gamma" || before.Method != schemas.MethodFuzzy {
		t.Fatalf("without the place layer: %+v, want Gamma by a close spelling", before)
	}
	l.UsePlaces(pf)
	p := l.Place(&q)
	_, name, _ := l.District(p.District)
	if got, want := fmt.Sprint(name, " ", p.Precision, " ", p.Method, " ", p.Note),
		"Alpha 2 place near Gammma, a GeoNames place at 70.5000 E 30.5000 N; not Gamma, whose name is only close (0.97)"; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// TestTownPrecision: a town is a town whether the alias table or the
// place layer knows it. Both place the row near the town, precision 2
// (UCDP where_prec 2, ACLED geo_precision 2); a district's own name or
// spelling gives precision 3. Before, a town of the alias table got the
// district's 3 and the same town through GeoNames 2.
func TestTownPrecision(t *testing.T) {
	b, err := geo.Read(strings.NewReader(threeSquares), "three.geojson", geo.Properties{})
	if err != nil {
		t.Fatal(err)
	}
	aliases, err := geo.ReadAliases(strings.NewReader(`alias,district,province,kind,valid_from,valid_to,note
Mingora,Alpha,Punjab,place,,,a town of Alpha
Alfa,Alpha,Punjab,variant,,,a spelling of the district
`))
	if err != nil {
		t.Fatal(err)
	}
	l, err := locate.NewWithAliases(b, aliases)
	if err != nil {
		t.Fatal(err)
	}
	pf, err := geo.ReadPlaces(strings.NewReader(geonames), "places.txt", geo.PlaceLimits{})
	if err != nil {
		t.Fatal(err)
	}
	l.UsePlaces(pf)
	for _, tt := range []struct {
		name, hint, province string
		lon, lat             float64 // a point in another district of the province, when not 0
		district             string
		precision            int8
		method               string
	}{
		{name: "town of the alias table", hint: "Mingora", district: "Alpha", precision: 2, method: "alias"},
		{name: "town of the place layer", hint: "Wana", district: "Alpha", precision: 2, method: "place"},
		{name: "town and its district", hint: "Mingora, Alpha", district: "Alpha", precision: 2, method: "alias"},
		{name: "town before its district", hint: "Mingora Alpha", district: "Alpha", precision: 2, method: "alias"},
		{name: "town with the province", hint: "Mingora Punjab", district: "Alpha", precision: 2, method: "alias"},
		{name: "spelling of the district", hint: "Alfa", district: "Alpha", precision: 3, method: "alias"},
		{name: "the district", hint: "Alpha", district: "Alpha", precision: 3, method: "exact"},
		// The name beats a point in another province: still the town.
		{name: "town over a point in another province", hint: "Mingora", province: "Punjab", lon: 72.5, lat: 30.5,
			district: "Alpha", precision: 2, method: "alias"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q := schemas.PlaceQuery{Hint: []byte(tt.hint), Province: []byte(tt.province)}
			if tt.lon != 0 {
				q.Lon, q.Lat, q.HasPoint = tt.lon, tt.lat, true
			}
			pl := l.Place(&q)
			_, d, _ := l.District(max(pl.District, 0))
			if got, want := fmt.Sprint(pl.OK, d, pl.Precision, pl.Method), fmt.Sprint(true, tt.district, tt.precision, tt.method); got != want {
				t.Errorf("placement %q (%s), want %q", got, pl.Note, want)
			}
		})
	}
}

// TestPlaceLayerTownAgainstItsDistrict: a name whose parts are a town and
// a district that does not hold it ("Murree, Lahore") contradicts itself;
// the gazetteer keeps the row in its province, and the place layer must
// not settle the contradiction by reading the town again (it is one of
// the two parts, not new evidence): with or without GeoNames the row stays
// in the province, or is rejected when the parts lie in two provinces. A
// town with its own district ("Mir Ali, Beta") is still near the town.
func TestPlaceLayerTownAgainstItsDistrict(t *testing.T) {
	b, err := geo.Read(strings.NewReader(threeSquares), "three.geojson", geo.Properties{})
	if err != nil {
		t.Fatal(err)
	}
	towns := []geo.Alias{
		{Alias: "Mir Ali", District: "Beta", Province: "Punjab", Kind: "place"},
		{Alias: "Wana", District: "Alpha", Province: "Punjab", Kind: "place"},
	}
	for _, withPlaces := range []bool{false, true} {
		l, err := locate.NewWithAliases(b, towns)
		if err != nil {
			t.Fatal(err)
		}
		if withPlaces {
			pf, err := geo.ReadPlaces(strings.NewReader(geonames), "places.txt", geo.PlaceLimits{})
			if err != nil {
				t.Fatal(err)
			}
			l.UsePlaces(pf)
		}
		for _, tt := range []struct {
			hint, province string
			district       string
			precision      int8
			reason         string
		}{
			{hint: "Mir Ali, Alpha", precision: 4},
			{hint: "Alpha, Mir Ali", precision: 4},
			{hint: "Mir Ali, Alpha", province: "Punjab", precision: 4},
			{hint: "Wana, Gamma", reason: "the name is a place in 2 districts of different provinces"},
			{hint: "Mir Ali, Beta", district: "Beta", precision: 2},
		} {
			t.Run(fmt.Sprint(tt.hint, "/", tt.province, "/places=", withPlaces), func(t *testing.T) {
				pl := l.Place(&schemas.PlaceQuery{Hint: []byte(tt.hint), Province: []byte(tt.province)})
				d := placedIn(l, pl)
				if tt.reason != "" {
					if pl.OK || !strings.HasPrefix(pl.Reason, tt.reason) {
						t.Errorf("placed in %q (%d, %s), want rejected: %q; got %q", d, pl.Precision, pl.Note, tt.reason, pl.Reason)
					}
					return
				}
				if !pl.OK || d != tt.district || pl.Precision != tt.precision {
					t.Errorf("placed in %q, precision %d, method %s (%s; %s), want %q at %d", d, pl.Precision, pl.Method, pl.Note, pl.Reason,
						tt.district, tt.precision)
				}
			})
		}
	}
}

// TestPlaceLayerUnreadName: a district's name that is also an ordinary
// word (Tank), written as a name, may be where the event was: a town the
// sentence names after "from" or "to" is then a reference, not the place,
// for the place layer as for district names ("raided a den in Tank and
// arrested two men from Dera Ismail Khan" was not in D. I. Khan).
func TestPlaceLayerUnreadName(t *testing.T) {
	b, err := geo.Read(strings.NewReader(threeSquares), "three.geojson", geo.Properties{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := locate.NewWithAliases(b, []geo.Alias{{Alias: "Tank", District: "Gamma", Province: "Sindh", Kind: "variant"}})
	if err != nil {
		t.Fatal(err)
	}
	pf, err := geo.ReadPlaces(strings.NewReader(geonames), "places.txt", geo.PlaceLimits{})
	if err != nil {
		t.Fatal(err)
	}
	l.UsePlaces(pf)
	for _, tt := range []struct {
		text, district string
	}{
		{"Police raided a den in Tank and arrested two men from Mir Ali", ""},
		{"HEROIN SEIZED AT TANK, BOUND FOR MIR ALI", ""},
		{"police raided a den in tank and arrested two men from mir ali", ""},
		{"a water tank was blown up, attackers came from Mir Ali", "Beta"},
		{"Water Tank Blown Up, Attackers Came From Mir Ali", "Beta"},
		{"Police Raid Den In Tank, Two Men From Mir Ali Held", ""},
		{"the Wana road was closed, travellers from Mir Ali stranded", ""},
		{"two killed in Datta Khel, attackers came from Wana", "Beta"},
	} {
		t.Run(tt.text, func(t *testing.T) {
			pl := l.Place(&schemas.PlaceQuery{Text: []byte(tt.text)})
			d := placedIn(l, pl)
			if d != tt.district {
				t.Errorf("placed in %q (%d, %s; %s), want %q", d, pl.Precision, pl.Note, pl.Reason, tt.district)
			}
		})
	}
}

// TestNarrativeRejectSaysSo: a row with no point and no name whose
// narrative text settles no place is rejected saying that the text was
// read, not only "no district name": the researcher sees a sentence full
// of place names in the raw row.
func TestNarrativeRejectSaysSo(t *testing.T) {
	l := placesLocator(t, true)
	const want = "no coordinates and no district name, and the narrative text names no one place"
	for _, text := range []string{"raids in Wana and Mir Ali", "a quiet day"} {
		if pl := l.Place(&schemas.PlaceQuery{Text: []byte(text)}); pl.OK || pl.Reason != want {
			t.Errorf("%q: %+v, want rejected: %q", text, pl, want)
		}
	}
	if pl := l.Place(&schemas.PlaceQuery{}); pl.Reason != "no coordinates and no district name" {
		t.Errorf("no text: reason %q", pl.Reason)
	}
}

// TestCarvedOutDistrict: sources go on writing the district a place was
// in before it became a district of its own ("Qila Abdullah" for Chaman,
// "Loralai" for Duki, "Kalat" for Surab). When the alias table says the
// district the place names was carved out of the district the row names
// (a successor alias), the row is in the new district: by its place
// column, written alone or in a phrase, and by its point, which the old
// name does not overrule however far it lies from what is left of the old
// district. A place in a district that was not carved out of the named
// one leaves the name as it was, and so does a place text naming two
// carved-out districts.
func TestCarvedOutDistrict(t *testing.T) {
	b, err := geo.Read(strings.NewReader(fourSquares), "four.geojson", geo.Properties{})
	if err != nil {
		t.Fatal(err)
	}
	carved := []geo.Alias{
		{Alias: "Beta", District: "Alpha", Province: "Punjab", Kind: geo.KindSuccessor},
		{Alias: "Delta", District: "Alpha", Province: "Punjab", Kind: geo.KindSuccessor},
		{Alias: "Tank", District: "Alpha", Province: "Punjab", Kind: geo.KindSuccessor},
	}
	for _, withAliases := range []bool{true, false} {
		var aliases []geo.Alias
		if withAliases {
			aliases = carved
		}
		l, err := locate.NewWithAliases(b, aliases)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			hint, place string
			lon, lat    float64 // 0 for no point
			district    string
			precision   int8
		}{
			{hint: "Alpha", place: "Beta", district: "Beta", precision: 3},
			{hint: "ALPHA district", place: "Beta bazaar, main road", district: "Beta", precision: 3},
			// A name that is also an ordinary word is a mention only as
			// the place's whole value, with or without the row's name.
			{hint: "Alpha", place: "Tank", district: "Tank", precision: 3},
			{hint: "Alpha", place: "Tank, Alpha", district: "Tank", precision: 3},
			{hint: "Alpha", place: "water tank near the school", district: "Alpha", precision: 3},
			// Words for the kind of place are read past, as the place
			// layer reads them ("Mir Ali Bazaar"); a road named after the
			// town is not the town.
			{hint: "Alpha", place: "Tank border, Alpha", district: "Tank", precision: 3},
			{hint: "Alpha", place: "Tank Bazaar", district: "Tank", precision: 3},
			{hint: "Alpha", place: "main chowk Tank", district: "Tank", precision: 3},
			{hint: "Alpha", place: "Tank road, Alpha", district: "Alpha", precision: 3},
			{hint: "Alpha", place: "Gamma", district: "Alpha", precision: 3},
			{hint: "Alpha", place: "Beta and Delta", district: "Alpha", precision: 3},
			{hint: "Beta", place: "Alpha", district: "Beta", precision: 3},
			{hint: "Alpha", place: "", district: "Alpha", precision: 3},
			// A point deep inside Beta, 80 km from what is left of Alpha.
			{hint: "Alpha", lon: 71.8, lat: 30.5, district: "Beta", precision: 1},
			// Gamma was not carved out of Alpha: the name wins.
			{hint: "Alpha", lon: 72.8, lat: 30.5, district: "Alpha", precision: 3},
		} {
			if !withAliases && tt.hint != "Beta" {
				// Without the successor aliases the name Alpha stands.
				tt.district, tt.precision = "Alpha", 3
			}
			t.Run(fmt.Sprint(tt.hint, "/", tt.place, "/", tt.lon, "/aliases=", withAliases), func(t *testing.T) {
				pl, d := placeChecked(t, l, tt.hint, tt.place, tt.lon, tt.lat, tt.district, tt.precision)
				if carvedOut := d != "Alpha" && tt.hint != "Beta" && tt.lon == 0; carvedOut && !strings.Contains(pl.Note, "since carved out of it") {
					t.Errorf("note %q does not say why", pl.Note)
				}
			})
		}
	}
}

// fourSquares is threeSquares with Delta, Punjab, north of Alpha, and
// Tank, Punjab, north of Beta: a district whose name is also a word.
var fourSquares = strings.TrimSuffix(threeSquares, "]}") + `,
{"type":"Feature","properties":{"ADM2_PCODE":"PK603","ADM2_EN":"Delta","ADM1_EN":"Punjab"},
 "geometry":{"type":"Polygon","coordinates":[[[70,31],[71,31],[71,32],[70,32],[70,31]]]}},
{"type":"Feature","properties":{"ADM2_PCODE":"PK604","ADM2_EN":"Tank","ADM1_EN":"Punjab"},
 "geometry":{"type":"Polygon","coordinates":[[[71,31],[72,31],[72,32],[71,32],[71,31]]]}}]}`

// TestCarvedOutReference: the carved-out district must be where the place
// is, not where it is near, from or on the way to ("Loralai, near Duki"
// is in Loralai); and a point the row's name overrules gives way to the
// carved-out district its place names, as the row without a point would
// be placed ("Killa Abdullah" with "Chaman" and a point 70 km away in
// Quetta is Chaman, not Killa Abdullah).
func TestCarvedOutReference(t *testing.T) {
	b, err := geo.Read(strings.NewReader(fourSquares), "four.geojson", geo.Properties{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := locate.NewWithAliases(b, []geo.Alias{
		{Alias: "Beta", District: "Alpha", Province: "Punjab", Kind: geo.KindSuccessor},
		{Alias: "Delta", District: "Alpha", Province: "Punjab", Kind: geo.KindSuccessor},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		hint, place string
		lon, lat    float64 // 0 for no point
		district    string
		precision   int8
	}{
		{hint: "Alpha", place: "Alpha, near Beta", district: "Alpha", precision: 3},
		{hint: "Alpha", place: "checkpost on the road to Beta", district: "Alpha", precision: 3},
		{hint: "Alpha", place: "truck coming from Beta", district: "Alpha", precision: 3},
		{hint: "Alpha", place: "Beta bazaar, near the Alpha bypass", district: "Beta", precision: 3},
		// A point in Gamma, 80 km from Beta and 180 km from Alpha.
		{hint: "Alpha", place: "Beta", lon: 72.8, lat: 30.5, district: "Beta", precision: 3},
		{hint: "Alpha", place: "", lon: 72.8, lat: 30.5, district: "Alpha", precision: 3},
		// A point in Beta stands.
		{hint: "Alpha", place: "Beta", lon: 71.5, lat: 30.5, district: "Beta", precision: 1},
	} {
		t.Run(fmt.Sprint(tt.hint, "/", tt.place, "/", tt.lon), func(t *testing.T) {
			pl, d := placeChecked(t, l, tt.hint, tt.place, tt.lon, tt.lat, tt.district, tt.precision)
			if carved := d == "Beta" && tt.precision == 3; carved != strings.Contains(pl.Note, "since carved out of it") {
				t.Errorf("note %q", pl.Note)
			}
		})
	}
}

// placeChecked places a row of hint and place, with the point lon, lat
// unless lon is 0, and checks it is placed in district at precision; it
// returns the placement and the district's name.
func placeChecked(t *testing.T, l *locate.Locator, hint, place string, lon, lat float64, district string, precision int8) (schemas.Placement, string) {
	t.Helper()
	pl := l.Place(&schemas.PlaceQuery{Hint: []byte(hint), Place: []byte(place), Lon: lon, Lat: lat, HasPoint: lon != 0})
	d := placedIn(l, pl)
	if !pl.OK || d != district || pl.Precision != precision {
		t.Errorf("placed in %q at %d (%s; %s), want %q at %d", d, pl.Precision, pl.Note, pl.Reason, district, precision)
	}
	return pl, d
}

// placedIn is the name of the district pl placed its row in, "" for none.
func placedIn(l *locate.Locator, pl schemas.Placement) string {
	if !pl.OK || pl.District < 0 {
		return ""
	}
	_, name, _ := l.District(pl.District)
	return name
}

// TestCarvedOutContradicted: a place that names a district carved out of
// the row's district together with another district ("Kalat" with "Surab,
// Khuzdar": Surab is in Shaheed Sikandarabad, carved out of Kalat, and not
// in Khuzdar) contradicts itself, as a name "Murree, Lahore" does: the row
// is kept in the province (precision 4), not moved to the carved-out
// district, and the note names both. A district the place is only near
// is no contradiction, nor is the row's own district.
func TestCarvedOutContradicted(t *testing.T) {
	b, err := geo.Read(strings.NewReader(fourSquares), "four.geojson", geo.Properties{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := locate.NewWithAliases(b, []geo.Alias{{Alias: "Beta", District: "Alpha", Province: "Punjab", Kind: geo.KindSuccessor}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		hint, place string
		lon, lat    float64 // 0 for no point
		district    string  // "" for the province
		precision   int8
	}{
		{hint: "Alpha", place: "Beta, Delta", precision: 4},
		{hint: "Alpha", place: "Beta bazaar, Delta district", precision: 4},
		{hint: "Alpha", place: "Beta, Gamma", precision: 4}, // another province: the row's name's
		{hint: "Alpha", place: "Beta, Alpha", district: "Beta", precision: 3},
		{hint: "Alpha", place: "Beta, near Delta", district: "Beta", precision: 3},
		// A point in Delta, which the place names: the point stands.
		{hint: "Alpha", place: "Beta, Delta", lon: 70.5, lat: 31.5, district: "Delta", precision: 1},
	} {
		t.Run(fmt.Sprint(tt.hint, "/", tt.place, "/", tt.lon), func(t *testing.T) {
			pl, _ := placeChecked(t, l, tt.hint, tt.place, tt.lon, tt.lat, tt.district, tt.precision)
			if t.Failed() {
				return
			}
			if tt.precision == 4 && (pl.Province != "Punjab" || !strings.Contains(pl.Note, "Beta") || !strings.Contains(pl.Note, "kept in the province")) {
				t.Errorf("province %q, note %q", pl.Province, pl.Note)
			}
		})
	}
}
