package geo

import (
	"bytes"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/ocmap/ocmap/data"
)

const crossingsHeader = "name,country,kind,lon,lat,precision_km,source,note\n"

func TestReadCrossings(t *testing.T) {
	in := "\ufeffName,Country,Kind,Lon,Lat,Precision_km,Source\n" + // no note column, any case, a BOM
		"Torkham,AF,land,71.08472,34.11472,2,https://example.org/torkham\n" +
		" Karachi port ,sea,port,66.982,24.835,0.5,http://example.org/kpt\n" +
		"Jinnah airport,air,airport,67.16,24.9,1.5,https://example.org/khi\n"
	cs, err := ReadCrossings(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Crossing{
		{Name: "Torkham", Country: "AF", Kind: CrossingLand, Point: orb.Point{71.08472, 34.11472}, PrecisionKm: 2, Source: "https://example.org/torkham"},
		{Name: "Karachi port", Country: "sea", Kind: CrossingPort, Point: orb.Point{66.982, 24.835}, PrecisionKm: 0.5, Source: "http://example.org/kpt"},
		{Name: "Jinnah airport", Country: "air", Kind: CrossingAirport, Point: orb.Point{67.16, 24.9}, PrecisionKm: 1.5, Source: "https://example.org/khi"},
	}
	if got, want := len(cs), len(want); got != want {
		t.Fatalf("read %d crossings, want %d", got, want)
	}
	for i := range want {
		if got := cs[i]; got != want[i] {
			t.Errorf("crossing %d = %+v, want %+v", i, got, want[i])
		}
	}
}

func TestReadCrossingsErrors(t *testing.T) {
	row := func(fields string) string { return crossingsHeader + fields + "\n" }
	tests := []struct {
		name, in, want string
	}{
		{"empty file", "", "line 1: EOF"},
		{"header only", crossingsHeader, "no crossings after the header"},
		{"unknown column", "name,country,kind,lon,lat,precision_km,source,elevation\n", `line 1: unknown column "elevation"`},
		{"missing column", "name,country,kind,lon,lat,source\n", `line 1: no column "precision_km"`},
		{"column twice", "name,name,country,kind,lon,lat,precision_km,source\n", `line 1: column "name" twice`},
		{"empty name", row(",AF,land,71,34,2,https://x.org,"), `line 2: column "name": empty`},
		{"name twice", crossingsHeader + "Torkham,AF,land,71,34,2,https://x.org,\ntorkham,AF,land,71,34,2,https://x.org,\n",
			`line 3: column "name": "torkham" is also on line 2`},
		{"country not ISO", row("Torkham,Afghanistan,land,71,34,2,https://x.org,"), `line 2: column "country": "Afghanistan": a land crossing needs the ISO 3166-1 alpha-2 code`},
		{"country lower case", row("Torkham,af,land,71,34,2,https://x.org,"), `line 2: column "country": "af"`},
		{"port not at sea", row("Gwadar port,IR,port,62,25,2,https://x.org,"), `line 2: column "country": "IR": a port's country is sea`},
		{"airport not air", row("Airport,sea,airport,67,25,2,https://x.org,"), `line 2: column "country": "sea": an airport's country is air`},
		{"unknown kind", row("Torkham,AF,road,71,34,2,https://x.org,"), `line 2: column "kind": "road": want land, port or airport`},
		{"lon not a number", row("Torkham,AF,land,71°5′E,34,2,https://x.org,"), `line 2: column "lon": "71°5′E" is not a decimal degree between -180 and 180`},
		{"lat out of range", row("Torkham,AF,land,71,134,2,https://x.org,"), `line 2: column "lat": "134" is not a decimal degree between -90 and 90`},
		{"lat NaN", row("Torkham,AF,land,71,NaN,2,https://x.org,"), `line 2: column "lat": "NaN"`},
		{"precision zero", row("Torkham,AF,land,71,34,0,https://x.org,"), `line 2: column "precision_km": "0" is not a distance in km above 0`},
		{"precision empty", row("Torkham,AF,land,71,34,,https://x.org,"), `line 2: column "precision_km": "" is not a distance`},
		{"source not a URL", row("Torkham,AF,land,71,34,2,Wikipedia,"), `line 2: column "source": "Wikipedia" is not an http(s) URL`},
		{"source ftp", row("Torkham,AF,land,71,34,2,ftp://x.org/a,"), `line 2: column "source": "ftp://x.org/a"`},
		{"short row", row("Torkham,AF,land,71,34"), "record on line 2: wrong number of fields"},
		{"too large", crossingsHeader + strings.Repeat("x", maxCrossingBytes), "more than 1048576 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadCrossings(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !errors.Is(err, ErrCrossingsFile) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want one containing %q and wrapping ErrCrossingsFile", err, tt.want)
			}
		})
	}
}

func TestReadCrossingsFileNamesFile(t *testing.T) {
	_, err := ReadCrossingsFile(filepath.Join("testdata", "no-such-crossings.csv"))
	if err == nil || !strings.Contains(err.Error(), "no-such-crossings.csv") {
		t.Errorf("error %v, want one naming the file", err)
	}
}

func TestNearestCrossings(t *testing.T) {
	polys := []orb.MultiPolygon{
		{{wRect(70, 30, 71, 31)}}, // A holds crossing X
		{{wRect(72, 30, 73, 31)}}, // B: 1.5 degrees of longitude east of X, 2 west of Y
		{{wRect(70, 33, 71, 34)}}, // C: 2.5 degrees of latitude north of X
	}
	cs := []Crossing{
		{Name: "X", Point: orb.Point{70.5, 30.5}},
		{Name: "Y", Point: orb.Point{75, 30.5}},
	}
	got := NearestCrossings(&Boundaries{Polygons: polys}, cs)
	// Great-circle distances on a 6371 km sphere: to B's west edge at
	// (72, 30.5), 2*6371*asin(cos 30.5° sin 0.75°); to C's south edge at
	// (70.5, 33), 6371 * 2.5° in radians.
	want := []NearestCrossing{{0, 0}, {0, 143.7121}, {0, 277.9873}}
	for i := range want {
		if got[i].Crossing != want[i].Crossing || math.Abs(got[i].Km-want[i].Km) > 0.001 {
			t.Errorf("district %d: %+v, want %+v", i, got[i], want[i])
		}
	}

	// Y alone: B is 2 degrees of longitude from it (2*6371*asin(cos 30.5° sin 1°)).
	got = NearestCrossings(&Boundaries{Polygons: polys[1:2]}, cs[1:])
	if g := got[0]; g.Crossing != 0 || math.Abs(g.Km-191.6151) > 0.001 {
		t.Errorf("B to Y: %+v, want crossing 0 at 191.6151 km", g)
	}

	// A crossing in a hole is outside the district around it: the nearest
	// edges are the hole's west and east ones, 0.25 degrees of longitude
	// away (shorter than 0.25 of latitude at 30.5N): 23.9522 km.
	holed := []orb.MultiPolygon{{{wRect(70, 30, 71, 31), wRect(70.25, 30.25, 70.75, 30.75)}}}
	if g := NearestCrossings(&Boundaries{Polygons: holed}, cs[:1])[0]; g.Crossing != 0 || math.Abs(g.Km-23.9522) > 0.001 {
		t.Errorf("crossing in a hole: %+v, want the distance to the hole's edge, 23.9522 km", g)
	}

	// No crossings: no nearest one.
	if g := NearestCrossings(&Boundaries{Polygons: polys[:1]}, nil)[0]; g.Crossing != -1 || !math.IsNaN(g.Km) {
		t.Errorf("no crossings: %+v, want -1 and NaN", g)
	}
}

// pakistanBox holds Pakistan with Gilgit-Baltistan and AJK, with a margin.
var pakistanBox = orb.Bound{Min: orb.Point{60.5, 23.5}, Max: orb.Point{77.9, 37.2}}

func TestShippedCrossings(t *testing.T) {
	cs, err := ReadCrossings(bytes.NewReader(data.Crossings))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, c := range cs {
		names[c.Name] = true
		if !pakistanBox.Contains(c.Point) {
			t.Errorf("%s at %v is outside Pakistan's bounding box", c.Name, c.Point)
		}
		if !strings.HasPrefix(c.Source, "https://") {
			t.Errorf("%s: source %q is not an https page", c.Name, c.Source)
		}
		if c.PrecisionKm > 5 {
			t.Errorf("%s: precision %g km; the file is for points known to within a few km", c.Name, c.PrecisionKm)
		}
	}
	for _, n := range []string{"Torkham", "Chaman", "Taftan", "Angoor Adda", "Wagah", "Khunjerab Pass", "Gwadar port", "Karachi port", "Port Qasim"} {
		if !names[n] {
			t.Errorf("the shipped file has no %s", n)
		}
	}
}

// TestShippedCrossingsReal checks the shipped points against the real
// boundaries: a land crossing lies in, or within its precision of, a
// district on the land border; a port lies within its precision of a
// district (ports are on the shore). It also checks the points against
// GeoNames places of the same town, where the places file has one.
func TestShippedCrossingsReal(t *testing.T) {
	b, err := Load(boundariesPath(t), Properties{})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := ReadCrossings(bytes.NewReader(data.Crossings))
	if err != nil {
		t.Fatal(err)
	}
	border := BorderDistricts(b)
	for _, c := range cs {
		near := NearestCrossings(b, []Crossing{c})
		best, bestBorder := math.Inf(1), math.Inf(1)
		for i, n := range near {
			best = math.Min(best, n.Km)
			if border[i] {
				bestBorder = math.Min(bestBorder, n.Km)
			}
		}
		switch c.Kind {
		case CrossingLand:
			if bestBorder > c.PrecisionKm {
				t.Errorf("%s is %.1f km from the nearest border district, more than its precision %g km", c.Name, bestBorder, c.PrecisionKm)
			}
		default:
			if best > c.PrecisionKm {
				t.Errorf("%s is %.1f km from the nearest district, more than its precision %g km", c.Name, best, c.PrecisionKm)
			}
		}
	}

	pf, err := ReadPlacesFile(filepath.Join(sharedDataDir(t), "places", "geonames_cities500_PK.tsv"), PlaceLimits{})
	if err != nil {
		t.Fatal(err)
	}
	at := map[string]orb.Point{}
	for _, c := range cs {
		at[c.Name] = c.Point
	}
	// The town a crossing is at or beside, and how far apart the two
	// points may be (a town's GeoNames point is its centre).
	for _, tt := range []struct {
		crossing, place string
		maxKm           float64
	}{
		{"Chaman", "Chaman", 2},
		{"Torkham", "Landi Kotal", 7}, // the last town before Torkham, 5 km east of the gate
		{"Gwadar port", "Gwadar", 2},
		{"Karachi port", "Karachi", 6},
	} {
		var p *Place
		for i := range pf.Places {
			if pf.Places[i].Name == tt.place {
				p = &pf.Places[i]
			}
		}
		if p == nil {
			t.Errorf("GeoNames has no %s", tt.place)
			continue
		}
		if km := DistanceKm(at[tt.crossing], orb.Point{p.Lon, p.Lat}); km > tt.maxKm {
			t.Errorf("%s is %.1f km from GeoNames' %s, more than %g km", tt.crossing, km, tt.place, tt.maxKm)
		}
	}
}
