package geo

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// feature is one GeoJSON district with the COD-AB properties; rings are
// given as GeoJSON coordinate text, e.g. "[[70,30],[71,30],[71,31],[70,30]]".
func feature(code, name string, rings ...string) string {
	return fmt.Sprintf(`{"type":"Feature","properties":{"ADM2_PCODE":%q,"ADM2_EN":%q,"ADM1_EN":"Punjab"},`+
		`"geometry":{"type":"Polygon","coordinates":[%s]}}`, code, name, strings.Join(rings, ","))
}

// square is the closed counter-clockwise ring of the box from (x, y) with
// sides w (lon) and h (lat) degrees.
func square(x, y, w, h float64) string {
	return fmt.Sprintf("[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]", x, y, x+w, y, x+w, y+h, x, y+h, x, y)
}

func collection(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + "]}"
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		file string
		err  error  // nil: loads
		msg  string // part of the message
	}{
		{"neighbours sharing a border", collection(
			feature("PK1", "Alpha", square(70, 30, 1, 1)),
			feature("PK2", "Beta", square(71, 30, 1, 1))), nil, ""},
		{"enclave in a hole", collection(
			feature("PK1", "Alpha", square(70, 30, 3, 3), "[[71,31],[71,32],[72,32],[72,31],[71,31]]"),
			feature("PK2", "Beta", square(71, 31, 1, 1))), nil, ""},
		{"repeated points and a straight vertex", collection(
			feature("PK1", "Alpha", "[[70,30],[70.5,30],[70.5,30],[71,30],[71,31],[70,31],[70,30]]")), nil, ""},
		{"sliver along a border", collection(
			feature("PK1", "Alpha", square(70, 30, 1, 1)),
			feature("PK2", "Beta", square(70.999, 30, 1, 1))), nil, ""},
		{"projected metres", collection(
			feature("PK1", "Alpha", square(500000, 3300000, 1000, 1000))), ErrProjected,
			"feature 0 (PK1): coordinates look projected (metres); ocmap needs longitude/latitude (EPSG:4326): found x 500000, y 3300000"},
		{"latitude 95", collection(
			feature("PK1", "Alpha", square(70, 30, 1, 1)),
			feature("PK2", "Beta", square(70, 95, 1, -1))), ErrCoordinates,
			"feature 1 (PK2): coordinates outside longitude -180..180, latitude -90..90: latitude 95"},
		{"longitude 181", collection(
			feature("PK1", "Alpha", square(180, 30, 1, 1))), ErrCoordinates, "longitude 181"},
		{"bow tie", collection(
			feature("PK1", "Alpha", square(70, 30, 1, 1)),
			feature("PK2", "Beta", "[[71,30],[72,31],[72,30],[71,31],[71,30]]")), ErrRing,
			`district "Beta" (PK2): invalid polygon ring: polygon 1, ring 1 crosses or touches itself near longitude 71.50000, latitude 30.50000`},
		{"unclosed ring", collection(
			feature("PK1", "Alpha", "[[70,30],[71,30],[71,31],[70,31]]")), ErrRing,
			`district "Alpha" (PK1): invalid polygon ring: polygon 1, ring 1 is not closed: it starts at (70, 30) and ends at (70, 31)`},
		{"three points", collection(
			feature("PK1", "Alpha", "[[70,30],[71,30],[70,30]]")), ErrRing, "ring 1 has 3 points, want at least 4"},
		{"flat ring", collection(
			feature("PK1", "Alpha", "[[70,30],[71,30],[72,30],[70,30]]")), ErrRing, "crosses or touches itself"},
		{"spike back along an edge", collection(
			feature("PK1", "Alpha", "[[70,30],[71,30],[72,30],[71,30],[71,31],[70,30]]")), ErrRing,
			"crosses or touches itself near longitude 71.00000, latitude 30.00000"},
		{"ring touching itself", collection(
			feature("PK1", "Alpha", "[[70,30],[72,30],[71,31],[72,32],[70,32],[71,31],[70,30]]")), ErrRing,
			"crosses or touches itself near longitude 71.00000, latitude 31.00000"},
		{"hole ring crossing itself", collection(
			feature("PK1", "Alpha", square(70, 30, 3, 3), "[[71,31],[72,32],[72,31],[71,32],[71,31]]")), ErrRing,
			"polygon 1, ring 2 crosses or touches itself"},
		{"overlapping districts", collection(
			feature("PK1", "Alpha", square(70, 30, 1, 1)),
			feature("PK2", "Beta", square(70.5, 30, 1, 1)),
			feature("PK3", "Gamma", square(72, 30, 1, 1))), ErrOverlap,
			`districts overlap: "Alpha" (PK1) and "Beta" (PK2) share about 5338.6 km², 50.0% of the smaller; a district file must not count the same ground twice`},
		{"district inside another", collection(
			feature("PK1", "Alpha", square(70, 30, 3, 3)),
			feature("PK2", "Beta", square(71, 31, 0.1, 0.1))), ErrOverlap,
			`"Alpha" (PK1) and "Beta" (PK2) share about 105.1 km², 99.0% of the smaller`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.file), "test.geojson", Properties{})
			if !errors.Is(err, tt.err) || tt.err == nil && err != nil {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if err != nil && !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q\nwant it to contain %q", err, tt.msg)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "geo: test.geojson: ") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

// TestOverlaps checks the scan's areas against the exact ones: two
// districts that share half a square degree, and two that share a border.
func TestOverlaps(t *testing.T) {
	b := &Boundaries{}
	for _, f := range []string{square(70, 30, 1, 1), square(70.5, 30, 1, 1), square(71.5, 30, 1, 1)} {
		fc := collection(feature("X", "X", f))
		one, err := Read(strings.NewReader(fc), "x", Properties{})
		if err != nil {
			t.Fatal(err)
		}
		b.Districts = append(b.Districts, one.Districts...)
		b.Polygons = append(b.Polygons, one.Polygons...)
	}
	got := b.Overlaps()
	if len(got) != 1 || got[0].A != 0 || got[0].B != 1 {
		t.Fatalf("overlaps %+v, want one, of districts 0 and 1", got)
	}
	// 0.5 degree of longitude by 1 of latitude, from 30 to 31 N, on the
	// sphere: R² · Δλ · (sin 31° - sin 30°).
	const r = 6378.137
	want := r * r * (0.5 * math.Pi / 180) * (math.Sin(31*math.Pi/180) - math.Sin(30*math.Pi/180))
	if math.Abs(got[0].Km2-want) > 0.005*want {
		t.Errorf("overlap %.1f km², want %.1f within 0.5%%", got[0].Km2, want)
	}
}

// TestRealBoundariesValid loads the real COD-AB and geoBoundaries files:
// they are valid, and their overlaps stay within the tolerance.
func TestRealBoundariesValid(t *testing.T) {
	path := os.Getenv("OCMAP_BOUNDARIES")
	if path == "" {
		t.Skip("OCMAP_BOUNDARIES is not set")
	}
	files := []struct {
		path  string
		props Properties
	}{{path: path}}
	if dir := os.Getenv("OCMAP_SHARED_DATA"); dir != "" {
		for _, f := range []string{"geoBoundaries-PAK-ADM2.geojson", "pak_admbnda_adm2_wfp_20220909_simplified.geojson"} {
			files = append(files, struct {
				path  string
				props Properties
			}{path: filepath.Join(dir, "boundaries", f)})
		}
		files = append(files, struct {
			path  string
			props Properties
		}{filepath.Join(dir, "boundaries", "pak_admbnda_adm1_wfp_20220909.geojson"), Properties{Code: "ADM1_PCODE", Name: "ADM1_EN"}})
	}
	for _, f := range files {
		t.Run(filepath.Base(f.path), func(t *testing.T) {
			b, err := Load(f.path, f.props)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range b.Overlaps() {
				if b.tooMuch(o) {
					t.Errorf("%s and %s overlap by %.1f km²", b.Districts[o.A].Name, b.Districts[o.B].Name, o.Km2)
				}
			}
		})
	}
	if dir := os.Getenv("OCMAP_SHARED_DATA"); dir != "" {
		fc, err := ReadShapefile(filepath.Join(dir, "boundaries", "cod_ab_shp", "pak_admbnda_adm2_wfp_20220909.shp"))
		if err != nil {
			t.Fatal(err)
		}
		b, err := FromFeatures(fc, "pak_admbnda_adm2_wfp_20220909.shp", Properties{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(b.Districts), 160; got != want {
			t.Errorf("shapefile: %d districts, want %d", got, want)
		}
	}
}
