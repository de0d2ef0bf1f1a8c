package geo_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/ocmap/ocmap/data"
	"github.com/ocmap/ocmap/geo"
)

func TestCountriesLookup(t *testing.T) {
	cs, err := geo.ReadCountries(bytes.NewReader(data.Countries), "countries.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, code string }{
		{"Afghanistan", "AF"}, {"afghan", "AF"}, {"Kandahar", "AF"}, {"افغان", "AF"},
		{"Irani", "IR"}, {"ایران", "IR"}, {"IRAN", "IR"},
		{"Dubai", "AE"}, {"U.A.E.", "AE"}, {"UAE", "AE"}, {"دبئی", "AE"},
		{"Saudia", "SA"}, {"KSA", "SA"}, {"Muscat", "OM"}, {"Doha", "QA"}, {"Manama", "BH"}, {"Kuwaiti", "KW"},
		{"Türkiye", "TR"}, {"Yunan", "GR"}, {"Greek", "GR"}, {"Italia", "IT"}, {"Espana", "ES"}, {"Vilayat", "GB"},
		{"Libyan", "LY"}, {"Bangladeshi", "BD"}, {"Burmese", "MM"}, {"India", "IN"}, {"Chinese", "CN"},
		{"Gulf", "XG"}, {"the Gulf", "XG"}, {"Europe", "XE"}, {"یورپ", "XE"},
	} {
		c, ok := cs.Lookup(tc.name)
		if !ok || c.Code != tc.code {
			t.Errorf("Lookup(%q) = %s, %v; want %s", tc.name, c.Code, ok, tc.code)
		}
	}
	for _, name := range []string{"Pakistan", "Lahore", "abroad", "", "Brazil"} {
		if c, ok := cs.Lookup(name); ok {
			t.Errorf("Lookup(%q) = %s, want none", name, c.Code)
		}
	}
	ae, _ := cs.Code("AE")
	if got, want := ae.Region, "XG"; got != want {
		t.Errorf("UAE's group = %q, want %q", got, want)
	}
}

// bbox is a country's extent in degrees (lon, lat), from any atlas, with
// a little slack: a check that an anchor is not in another country or the
// sea by a swapped or mistyped coordinate.
type bbox struct{ minLon, minLat, maxLon, maxLat float64 }

var extents = map[string]bbox{
	"AF": {60.5, 29.4, 74.9, 38.5}, "IR": {44.0, 25.0, 63.4, 39.8}, "IN": {68.1, 6.7, 97.4, 35.7},
	"CN": {73.5, 18.1, 134.8, 53.6}, "AE": {51.5, 22.6, 56.4, 26.1}, "SA": {34.5, 16.3, 55.7, 32.2},
	"OM": {52.0, 16.6, 59.9, 26.4}, "QA": {50.7, 24.5, 51.7, 26.2}, "BH": {50.4, 25.8, 50.7, 26.3},
	"KW": {46.5, 28.5, 48.5, 30.1}, "IQ": {38.8, 29.0, 48.6, 37.4}, "TR": {26.0, 35.8, 44.8, 42.1},
	"GR": {19.4, 34.8, 28.3, 41.8}, "IT": {6.6, 35.5, 18.6, 47.1}, "ES": {-9.4, 36.0, 3.4, 43.8},
	"GB": {-8.2, 49.9, 1.8, 60.9}, "DE": {5.9, 47.3, 15.0, 55.1}, "FR": {-5.2, 41.3, 9.6, 51.1},
	"LY": {9.3, 19.5, 25.2, 33.2}, "BD": {88.0, 20.7, 92.7, 26.6}, "MM": {92.2, 9.8, 101.2, 28.6},
	"LK": {79.6, 5.9, 81.9, 9.9}, "NP": {80.0, 26.3, 88.2, 30.5}, "MY": {99.6, 0.8, 119.3, 7.4},
	"TH": {97.3, 5.6, 105.7, 20.5}, "TJ": {67.3, 36.6, 75.2, 41.1},
}

// TestCountryAnchors checks every anchor against its country's extent and
// against its neighbours' (the UAE's must be in neither Iran nor Oman nor
// Saudi Arabia's ranges where they do not overlap it), a group's anchor
// against a member's, and that none lies in Pakistan.
func TestCountryAnchors(t *testing.T) {
	cs, err := geo.ReadCountries(bytes.NewReader(data.Countries), "countries.csv")
	if err != nil {
		t.Fatal(err)
	}
	in := func(b bbox, p orb.Point) bool {
		return p[0] >= b.minLon && p[0] <= b.maxLon && p[1] >= b.minLat && p[1] <= b.maxLat
	}
	for _, c := range cs.All() {
		code := c.Code
		if c.Kind == geo.RegionKind {
			code = map[string]string{"XG": "SA", "XE": "DE"}[c.Code]
		}
		b, ok := extents[code]
		if !ok {
			t.Errorf("%s: no extent to check its anchor against", c.Code)
			continue
		}
		if !in(b, c.Anchor) {
			t.Errorf("%s (%s): anchor %v is outside %v", c.Code, c.Name, c.Anchor, b)
		}
	}
	ae, _ := cs.Code("AE")
	if in(extents["IR"], ae.Anchor) {
		t.Errorf("the UAE's anchor %v is in Iran's range", ae.Anchor)
	}
	if path := os.Getenv("OCMAP_BOUNDARIES"); path != "" {
		pk, err := geo.Load(path, geo.Properties{})
		if err != nil {
			t.Fatal(err)
		}
		ix := geo.NewIndex(pk.Polygons)
		for _, c := range cs.All() {
			if d := ix.Locate(c.Anchor); d >= 0 {
				t.Errorf("%s: anchor %v is in %s, Pakistan", c.Code, c.Anchor, pk.Districts[d].Name)
			}
		}
	}
}

func TestReadCountriesErrors(t *testing.T) {
	const head = "code,kind,name,region,lon,lat,anchor,names\n"
	for _, tc := range []struct{ name, text, want string }{
		{"bad code", head + "Afg,country,Afghanistan,,69,34,Kabul,Afghan\n", "t.csv:2: code: \"Afg\" is not an ISO 3166-1 alpha-2 code"},
		{"user code for a country", head + "XA,country,Nowhere,,69,34,x,Nowhere\n", "t.csv:2: code"},
		{"region code", head + "GG,region,Gulf,,50,25,x,Gulf\n", "t.csv:2: code: \"GG\": a group of countries takes a user-assigned code"},
		{"kind", head + "AF,state,Afghanistan,,69,34,Kabul,Afghan\n", "t.csv:2: kind"},
		{"point", head + "AF,country,Afghanistan,,34,194,Kabul,Afghan\n", "t.csv:2: lon, lat"},
		{"shared name", head + "AF,country,Afghanistan,,69,34,Kabul,Afghan\nIR,country,Iran,,51,35,Tehran,Iran|afghan\n", "t.csv:3: names: \"afghan\" is already a name of AF"},
		{"unknown region", head + "AE,country,UAE,XG,54.5,23.9,x,UAE\n", "AE: region \"XG\" is not a group"},
		{"header", "code,kind,name,region,lat,lon,anchor,names\n", "t.csv:1: column 5"},
	} {
		_, err := geo.ReadCountries(strings.NewReader(tc.text), "t.csv")
		if err == nil || !errors.Is(err, geo.ErrCountryTable) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestInteriorPoint: the centroid of a C-shaped district is in its gap;
// the interior point is inside, and in the largest part of a multipolygon.
func TestInteriorPoint(t *testing.T) {
	c := orb.Polygon{{{0, 0}, {3, 0}, {3, 1}, {1, 1}, {1, 2}, {3, 2}, {3, 3}, {0, 3}, {0, 0}}}
	islet := orb.Polygon{{{10, 10}, {10.1, 10}, {10.1, 10.1}, {10, 10.1}, {10, 10}}}
	mp := orb.MultiPolygon{islet, c}
	if cen, _ := planar.CentroidArea(c); planar.PolygonContains(c, cen) {
		t.Fatalf("the test needs a centroid outside: %v", cen)
	}
	p, ok := geo.InteriorPoint(mp)
	if !ok || !planar.PolygonContains(c, p) {
		t.Errorf("InteriorPoint = %v, %v: not inside the C", p, ok)
	}
	holed := orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}, {{1, 1}, {3, 1}, {3, 3}, {1, 3}, {1, 1}}}
	if p, ok := geo.InteriorPoint(orb.MultiPolygon{holed}); !ok || !planar.PolygonContains(holed, p) {
		t.Errorf("InteriorPoint of a square with a hole = %v, %v: not inside", p, ok)
	}
	if _, ok := geo.InteriorPoint(nil); ok {
		t.Error("InteriorPoint of nothing is ok")
	}
	// Every district of the real file: the point lies in the district.
	path := os.Getenv("OCMAP_BOUNDARIES")
	if path == "" {
		t.Skip("OCMAP_BOUNDARIES not set")
	}
	b, err := geo.Load(path, geo.Properties{})
	if err != nil {
		t.Fatal(err)
	}
	ix := geo.NewIndex(b.Polygons)
	for i, d := range b.Districts {
		p, ok := geo.InteriorPoint(b.Polygons[i])
		if got := ix.Locate(p); !ok || got != i {
			t.Errorf("%s: interior point %v is in district %d, not %d", d.Name, p, got, i)
		}
	}
}
