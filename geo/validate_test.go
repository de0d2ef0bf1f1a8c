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

// grid is a boundary file of nx by ny districts, each a cell as wide (in
// km) as it is high, with its south-west corner at (lon0, lat0); with swap,
// every pair is written [latitude, longitude].
func grid(lon0, lat0 float64, nx, ny int, swap bool) string {
	w := 1 / math.Cos((lat0+float64(ny)/2)*math.Pi/180) // degrees of longitude for 111 km
	var fs []string
	for i := range nx {
		for j := range ny {
			x, y := lon0+float64(i)*w, lat0+float64(j)
			ring := square(x, y, w, 1)
			if swap {
				ring = fmt.Sprintf("[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]", y, x, y, x+w, y+1, x+w, y+1, x, y, x)
			}
			fs = append(fs, feature(fmt.Sprintf("PK%d", 100*i+j), fmt.Sprintf("D%d-%d", i, j), ring))
		}
	}
	return collection(fs...)
}

// TestSwappedAxes: a file whose pairs are [latitude, longitude] is refused
// with what looks wrong and how to fix it, for any country where the two
// readings can be told apart; correct files load, high latitudes included.
// Before, Pakistan's districts swapped loaded as a map of Finland: every
// point fell outside them, and ingest "corrected" every row's point as
// swapped in the source instead.
func TestSwappedAxes(t *testing.T) {
	for _, tt := range []struct {
		name     string
		lon, lat float64
		err      error
	}{
		{"Pakistan", 66, 24, nil},
		{"Norway", 5, 58, nil},
		{"Brazil", -60, -20, nil},
		{"Ghana", -3, 5, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Read(strings.NewReader(grid(tt.lon, tt.lat, 6, 8, false)), "right.geojson", Properties{}); err != nil {
				t.Fatalf("the file as it should be: %v", err)
			}
			_, err := Read(strings.NewReader(grid(tt.lon, tt.lat, 6, 8, true)), "swapped.geojson", Properties{})
			if tt.name == "Ghana" {
				// Within about 35 degrees of both the equator and the prime
				// meridian, the two readings cannot be told apart.
				if err != nil {
					t.Fatalf("swapped near (0, 0): %v, want it let through", err)
				}
				return
			}
			if !errors.Is(err, ErrSwapped) {
				t.Fatalf("swapped: error %v, want %v", err, ErrSwapped)
			}
			for _, want := range []string{"geo: swapped.geojson: coordinates look swapped: each pair reads [latitude, longitude]",
				fmt.Sprintf("read as [latitude, longitude], they lie at longitude %.1f", tt.lon),
				`Fix: rewrite the file with each pair as [longitude, latitude]: in QGIS, "Swap X and Y coordinates"; or jq`,
				"' 'swapped.geojson' > fixed.geojson"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q\nwant it to contain %q", err, want)
				}
			}
		})
	}
	// Where a longitude passes 90 degrees (Indonesia), the range check says
	// it first, and names the swap.
	_, err := Read(strings.NewReader(grid(100, -5, 4, 4, true)), "swapped.geojson", Properties{})
	if !errors.Is(err, ErrCoordinates) || !strings.Contains(err.Error(), "the pairs look swapped, [latitude, longitude] where GeoJSON has [longitude, latitude]; rewrite the file") {
		t.Errorf("swapped with a longitude past 90: %v", err)
	}
	// The real COD-AB districts, swapped.
	path := os.Getenv("OCMAP_BOUNDARIES")
	if path == "" {
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	swapped := swapPairs(data)
	if _, err := Read(strings.NewReader(swapped), "cod-ab-swapped.geojson", Properties{}); !errors.Is(err, ErrSwapped) ||
		!strings.Contains(err.Error(), "borders run 0.28 km east-west for each km north-south") {
		t.Errorf("COD-AB swapped: %v", err)
	}
}

// swapPairs exchanges the two numbers of every [x,y] pair of GeoJSON text
// (whose coordinates hold no spaces, as the COD-AB file's).
func swapPairs(data []byte) string {
	var sb strings.Builder
	s := string(data)
	for {
		i := strings.Index(s, "[")
		if i < 0 {
			sb.WriteString(s)
			return sb.String()
		}
		sb.WriteString(s[:i+1])
		s = s[i+1:]
		j := strings.IndexAny(s, "[]")
		if j < 0 || s[j] == '[' {
			continue
		}
		x, y, ok := strings.Cut(s[:j], ",")
		if _, err := fmt.Sscanf(x, "%g", new(float64)); !ok || err != nil || strings.ContainsAny(y, ",\"") {
			continue
		}
		sb.WriteString(strings.TrimSpace(y) + "," + strings.TrimSpace(x))
		s = s[j:]
	}
}
