package geo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

// testField is a .dbf column for writeTestShapefile.
type testField struct {
	name     string
	typ      byte
	length   int
	decimals int
}

// testShapefile is what writeTestShapefile writes: records of rings
// (shapefile winding, closed or not as given; nil for a null shape) and
// their raw .dbf cell values.
type testShapefile struct {
	shapeType int32
	records   [][][]orb.Point
	fields    []testField
	rows      [][]string // raw bytes of each cell, padded by the writer
	deleted   []bool
	cpg       string // no .cpg when empty
}

// encodeShp builds .shp and .shx bytes.
func (s testShapefile) encodeShp() (shp, shx []byte) {
	le, be := binary.LittleEndian, binary.BigEndian
	var recs bytes.Buffer
	var index [][2]int32 // offset, content length, in 16-bit words
	box := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for i, rings := range s.records {
		var c []byte
		if rings == nil {
			c = le.AppendUint32(c, shpNull)
		} else {
			var pts []orb.Point
			var parts []int32
			for _, r := range rings {
				parts = append(parts, int32(len(pts)))
				pts = append(pts, r...)
			}
			b := orb.MultiPoint(pts).Bound()
			box = box.Union(b)
			c = le.AppendUint32(c, uint32(s.shapeType))
			for _, v := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
				c = le.AppendUint64(c, math.Float64bits(v))
			}
			c = le.AppendUint32(c, uint32(len(parts)))
			c = le.AppendUint32(c, uint32(len(pts)))
			for _, p := range parts {
				c = le.AppendUint32(c, uint32(p))
			}
			for _, p := range pts {
				c = le.AppendUint64(c, math.Float64bits(p[0]))
				c = le.AppendUint64(c, math.Float64bits(p[1]))
			}
			if s.shapeType == shpPolygonZ {
				// Z range and values, then M range and values.
				for range 2 {
					c = le.AppendUint64(c, math.Float64bits(0))
					c = le.AppendUint64(c, math.Float64bits(100))
					for j := range pts {
						c = le.AppendUint64(c, math.Float64bits(float64(j)))
					}
				}
			}
		}
		index = append(index, [2]int32{int32(100+recs.Len()) / 2, int32(len(c)) / 2})
		recs.Write(be.AppendUint32(be.AppendUint32(nil, uint32(i+1)), uint32(len(c)/2)))
		recs.Write(c)
	}
	header := func(fileLen int) []byte {
		h := make([]byte, 100)
		be.PutUint32(h[0:], 9994)
		be.PutUint32(h[24:], uint32(fileLen/2))
		le.PutUint32(h[28:], 1000)
		le.PutUint32(h[32:], uint32(s.shapeType))
		for i, v := range []float64{box.Min[0], box.Min[1], box.Max[0], box.Max[1]} {
			le.PutUint64(h[36+8*i:], math.Float64bits(v))
		}
		return h
	}
	shp = append(header(100+recs.Len()), recs.Bytes()...)
	shx = header(100 + 8*len(index))
	for _, e := range index {
		shx = be.AppendUint32(be.AppendUint32(shx, uint32(e[0])), uint32(e[1]))
	}
	return shp, shx
}

// encodeDBF builds dBASE III bytes; cells are left-aligned and space padded
// (numbers right-aligned), as writers do.
func (s testShapefile) encodeDBF() []byte {
	le := binary.LittleEndian
	recLen := 1
	for _, f := range s.fields {
		recLen += f.length
	}
	h := make([]byte, 32)
	h[0] = 0x03
	h[1], h[2], h[3] = 122, 9, 9
	le.PutUint32(h[4:], uint32(len(s.rows)))
	le.PutUint16(h[8:], uint16(32+32*len(s.fields)+1))
	le.PutUint16(h[10:], uint16(recLen))
	for _, f := range s.fields {
		d := make([]byte, 32)
		copy(d, f.name)
		d[11] = f.typ
		d[16] = byte(f.length)
		d[17] = byte(f.decimals)
		h = append(h, d...)
	}
	h = append(h, 0x0D)
	for i, row := range s.rows {
		flag := byte(' ')
		if i < len(s.deleted) && s.deleted[i] {
			flag = '*'
		}
		h = append(h, flag)
		for j, f := range s.fields {
			cell := row[j]
			pad := strings.Repeat(" ", f.length-len(cell))
			if f.typ == 'N' || f.typ == 'F' {
				cell = pad + cell
			} else {
				cell += pad
			}
			h = append(h, cell...)
		}
	}
	return append(h, 0x1A)
}

// write stores base.{shp,shx,dbf[,cpg]} in dir and returns the .shp path.
func (s testShapefile) write(t testing.TB, dir, base string) string {
	t.Helper()
	shp, shx := s.encodeShp()
	files := map[string][]byte{".shp": shp, ".shx": shx, ".dbf": s.encodeDBF()}
	if s.cpg != "" {
		files[".cpg"] = []byte(s.cpg)
	}
	for ext, b := range files {
		if err := os.WriteFile(filepath.Join(dir, base+ext), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, base+".shp")
}

// shpSquare returns the closed ring of the axis-aligned square from (x0, y0)
// to (x1, y1), clockwise when cw.
func shpSquare(x0, y0, x1, y1 float64, cw bool) []orb.Point {
	r := []orb.Point{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
	if cw {
		r = []orb.Point{{x0, y0}, {x0, y1}, {x1, y1}, {x1, y0}, {x0, y0}}
	}
	return r
}

var shpTestFields = []testField{
	{"NAME", 'C', 20, 0},
	{"PCODE", 'C', 6, 0},
	{"POP", 'N', 10, 0},
	{"AREA", 'F', 19, 11},
	{"VALID", 'D', 8, 0},
	{"OK", 'L', 1, 0},
}

// testPolygons has a square with a hole, a two-part multipolygon (the
// second part not closed in the file), nested islands, a null shape and a
// deleted record.
func testPolygons(shapeType int32) testShapefile {
	return testShapefile{
		shapeType: shapeType,
		records: [][][]orb.Point{
			{shpSquare(0, 0, 10, 10, true), shpSquare(2, 2, 4, 4, false)},
			{shpSquare(20, 0, 21, 1, true), shpSquare(30, 0, 32, 2, true)[:4]},
			{
				shpSquare(0, 0, 10, 10, true), shpSquare(1, 1, 9, 9, false),
				shpSquare(2, 2, 8, 8, true), shpSquare(4, 4, 6, 6, false),
			},
			nil,
			{shpSquare(0, 0, 1, 1, true)},
		},
		fields: shpTestFields,
		rows: [][]string{
			{"Bagh", "PK101", "371919", "0.06775800011", "20220909", "T"},
			{"Kāṭlang ضلع", "PK102", "", "1.5", "", "?"},
			{"  Nested  ", "PK103", "-12", "2", "19991231", "n"},
			{"Nowhere", "PK104", "0", "**********", "00000000", " "},
			{"Deleted", "PK105", "1", "1", "20000101", "F"},
		},
		deleted: []bool{4: true},
	}
}

func TestReadShapefile(t *testing.T) {
	for _, typ := range []int32{shpPolygon, shpPolygonZ} {
		t.Run(shpTypeName(typ), func(t *testing.T) {
			path := testPolygons(typ).write(t, t.TempDir(), "pak")
			fc, err := ReadShapefile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(fc.Features), 4; got != want {
				t.Fatalf("got %d features, want %d", got, want)
			}

			wantGeoms := []orb.Geometry{
				orb.Polygon{
					{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}},
					{{2, 2}, {2, 4}, {4, 4}, {4, 2}, {2, 2}},
				},
				orb.MultiPolygon{
					{{{20, 0}, {21, 0}, {21, 1}, {20, 1}, {20, 0}}},
					{{{30, 0}, {32, 0}, {32, 2}, {30, 2}, {30, 0}}},
				},
				orb.MultiPolygon{
					{
						{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}},
						{{1, 1}, {1, 9}, {9, 9}, {9, 1}, {1, 1}},
					},
					{
						{{2, 2}, {8, 2}, {8, 8}, {2, 8}, {2, 2}},
						{{4, 4}, {4, 6}, {6, 6}, {6, 4}, {4, 4}},
					},
				},
				nil,
			}
			for i, want := range wantGeoms {
				if got := fc.Features[i].Geometry; !reflect.DeepEqual(got, want) {
					t.Errorf("feature %d: got geometry %v, want %v", i, got, want)
				}
			}

			wantProps := []geojson.Properties{
				{"NAME": "Bagh", "PCODE": "PK101", "POP": 371919.0, "AREA": 0.06775800011, "VALID": "2022-09-09", "OK": true},
				{"NAME": "Kāṭlang ضلع", "PCODE": "PK102", "POP": nil, "AREA": 1.5, "VALID": nil, "OK": nil},
				{"NAME": "Nested", "PCODE": "PK103", "POP": -12.0, "AREA": 2.0, "VALID": "1999-12-31", "OK": false},
				{"NAME": "Nowhere", "PCODE": "PK104", "POP": 0.0, "AREA": nil, "VALID": nil, "OK": nil},
			}
			for i, want := range wantProps {
				if got := fc.Features[i].Properties; !reflect.DeepEqual(got, want) {
					t.Errorf("feature %d: got properties %v, want %v", i, got, want)
				}
			}
		})
	}
}

// TestReadShapefileOrientation checks the RFC 7946 winding of every ring.
func TestReadShapefileOrientation(t *testing.T) {
	fc, err := ReadShapefile(testPolygons(shpPolygon).write(t, t.TempDir(), "pak"))
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range fc.Features {
		shpCheckWinding(t, fmt.Sprintf("feature %d", i), f.Geometry)
	}
}

// shpCheckWinding fails t unless every ring of g is closed, outer rings
// counter-clockwise and holes clockwise.
func shpCheckWinding(t *testing.T, id string, g orb.Geometry) {
	t.Helper()
	var polys orb.MultiPolygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		polys = g
	}
	for j, p := range polys {
		for k, r := range p {
			want := orb.CCW
			if k > 0 {
				want = orb.CW
			}
			if got := r.Orientation(); got != want {
				t.Errorf("%s: polygon %d ring %d: got orientation %v, want %v", id, j, k, got, want)
			}
			if !r.Closed() {
				t.Errorf("%s: polygon %d ring %d: not closed", id, j, k)
			}
		}
	}
}

// TestReadShapefileReversed reads a file whose rings are all
// counter-clockwise (written the GeoJSON way round): each becomes a polygon.
func TestReadShapefileReversed(t *testing.T) {
	s := testShapefile{
		shapeType: shpPolygon,
		records:   [][][]orb.Point{{shpSquare(0, 0, 1, 1, false), shpSquare(5, 5, 6, 6, false)}},
		fields:    []testField{{"NAME", 'C', 4, 0}},
		rows:      [][]string{{"a"}},
	}
	fc, err := ReadShapefile(s.write(t, t.TempDir(), "ccw"))
	if err != nil {
		t.Fatal(err)
	}
	want := orb.MultiPolygon{
		{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}},
		{{{5, 5}, {6, 5}, {6, 6}, {5, 6}, {5, 5}}},
	}
	if got := fc.Features[0].Geometry; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestReadShapefileEncoding(t *testing.T) {
	tests := []struct {
		name string
		cpg  string
		cell string
		want string
	}{
		{name: "utf8 cpg", cpg: "UTF-8\r\n", cell: "Kāṭlang", want: "Kāṭlang"},
		{name: "no cpg utf8", cell: "Kāṭlang", want: "Kāṭlang"},
		{name: "no cpg latin", cell: "Caf\xe9 \x93x\x94", want: "Café “x”"},
		{name: "cp1252 cpg", cpg: "1252", cell: "Caf\xe9 \x80", want: "Café €"},
		{name: "latin1 cpg", cpg: "ISO-8859-1", cell: "\xc5land", want: "Åland"},
		{name: "utf8 cut short", cpg: "UTF-8", cell: "ab\xc4", want: "ab\uFFFD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testShapefile{
				shapeType: shpPolygon,
				records:   [][][]orb.Point{{shpSquare(0, 0, 1, 1, true)}},
				fields:    []testField{{"NAME", 'C', 12, 0}},
				rows:      [][]string{{tt.cell}},
				cpg:       tt.cpg,
			}
			fc, err := ReadShapefile(s.write(t, t.TempDir(), "enc"))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := fc.Features[0].Properties["NAME"], tt.want; got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

func TestReadShapefileErrors(t *testing.T) {
	good := testPolygons(shpPolygon)
	goodShp, _ := good.encodeShp()

	points := good
	points.shapeType = 1

	// Record 2's part index points past its points.
	badPart := bytes.Clone(goodShp)
	rec2 := 100 + 8 + int(binary.BigEndian.Uint32(badPart[104:]))*2
	binary.LittleEndian.PutUint32(badPart[rec2+8+48:], 99)

	badNumber := good
	badNumber.rows = append([][]string{}, good.rows...)
	badNumber.rows[2] = []string{"x", "PK103", "12a", "2", "19991231", "T"}

	tests := []struct {
		name    string
		shp     []byte // replaces the .shp when set
		s       testShapefile
		noDBF   bool
		wantErr string
		wantIs  error
	}{
		{name: "point file", s: points, wantErr: "pak.shp: shape type 1 (Point)", wantIs: ErrShapeType},
		{name: "truncated", s: good, shp: goodShp[:len(goodShp)-10], wantErr: "geo: pak.shp: truncated"},
		{name: "bad part", s: good, shp: badPart, wantErr: "geo: pak.shp: record 2: part 1 starts at point 99"},
		{name: "bad number", s: badNumber, wantErr: `geo: pak.dbf: record 3: field "POP": invalid number "12a"`},
		{name: "no dbf", s: good, noDBF: true, wantErr: "geo: pak.shp: attributes:"},
		{name: "not a shapefile", s: good, shp: make([]byte, 100), wantErr: "geo: pak.shp: not a shapefile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := tt.s.write(t, dir, "pak")
			if tt.shp != nil {
				if err := os.WriteFile(path, tt.shp, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if tt.noDBF {
				if err := os.Remove(filepath.Join(dir, "pak.dbf")); err != nil {
					t.Fatal(err)
				}
			}
			_, err := ReadShapefile(path)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got error %v, want it to contain %q", err, tt.wantErr)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("got error %v, want errors.Is %v", err, tt.wantIs)
			}
		})
	}
}

// requireSharedData returns $OCMAP_SHARED_DATA, skipping the test when it is unset
// (and failing it on CI, where the data must be there).
func requireSharedData(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("OCMAP_SHARED_DATA")
	if dir == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("OCMAP_SHARED_DATA is not set")
		}
		t.Skip("OCMAP_SHARED_DATA is not set")
	}
	return dir
}

// TestReadShapefileCODAB compares the reader with GDAL's conversion of the
// same COD-AB file.
func TestReadShapefileCODAB(t *testing.T) {
	dir := requireSharedData(t)
	got, err := ReadShapefile(filepath.Join(dir, "boundaries/cod_ab_shp/pak_admbnda_adm2_wfp_20220909.shp"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "boundaries/pak_admbnda_adm2_wfp_20220909.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := geojson.UnmarshalFeatureCollection(data)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(got.Features), 160; got != want {
		t.Fatalf("got %d features, want %d", got, want)
	}
	if got, want := len(got.Features), len(want.Features); got != want {
		t.Fatalf("got %d features, GDAL has %d", got, want)
	}
	var polys, rings int
	for i := range want.Features {
		g, w := got.Features[i], want.Features[i]
		id := fmt.Sprintf("feature %d (%v)", i, w.Properties["ADM2_PCODE"])
		for _, k := range []string{"ADM2_PCODE", "ADM2_EN", "ADM1_EN", "ADM1_PCODE", "date", "validOn"} {
			if g.Properties[k] != w.Properties[k] {
				t.Errorf("%s: %s: got %v, want %v", id, k, g.Properties[k], w.Properties[k])
			}
		}
		for _, k := range []string{"Shape_Leng", "Shape_Area"} {
			if g.Properties[k] != w.Properties[k] {
				t.Errorf("%s: %s: got %v, want %v", id, k, g.Properties[k], w.Properties[k])
			}
		}
		// GDAL wrote 7 decimals; the source has no more than that.
		ga, wa := planar.Area(orb.Round(g.Geometry, 1e7)), planar.Area(w.Geometry)
		if math.Abs(ga-wa) > 1e-9*wa {
			t.Errorf("%s: got area %.15g, GDAL %.15g", id, ga, wa)
		}
		shpCheckWinding(t, id, g.Geometry)
		gp, gr := shpPartCount(g.Geometry)
		wp, wr := shpPartCount(w.Geometry)
		if gp != wp || gr != wr {
			t.Errorf("%s: got %d polygons with %d rings, GDAL %d with %d", id, gp, gr, wp, wr)
		}
		polys += gp
		rings += gr
	}
	t.Logf("%d features, %d polygons, %d rings", len(got.Features), polys, rings)
}

// shpPartCount returns the number of polygons and rings of g.
func shpPartCount(g orb.Geometry) (polygons, rings int) {
	switch g := g.(type) {
	case orb.Polygon:
		return 1, len(g)
	case orb.MultiPolygon:
		for _, p := range g {
			rings += len(p)
		}
		return len(g), rings
	}
	return 0, 0
}

// FuzzParseShapefile checks that no .shp or .dbf content makes the parsers
// panic.
func FuzzParseShapefile(f *testing.F) {
	for _, typ := range []int32{shpPolygon, shpPolygonZ} {
		s := testPolygons(typ)
		shp, shx := s.encodeShp()
		f.Add(shp, s.encodeDBF())
		f.Add(shx, []byte{})
	}
	f.Fuzz(func(t *testing.T, shp, dbf []byte) {
		_, _ = parseDBF("f.dbf", dbf, dbfUTF8OrLatin)
		geoms, err := parseShp("f.shp", shp)
		if err != nil {
			return
		}
		for i, g := range geoms {
			if g != nil {
				shpCheckClosed(t, i, g)
			}
		}
	})
}

func shpCheckClosed(t *testing.T, i int, g orb.Geometry) {
	t.Helper()
	var polys orb.MultiPolygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		polys = g
	default:
		t.Fatalf("record %d: got %T, want a polygon", i+1, g)
	}
	for _, p := range polys {
		for _, r := range p {
			if !r.Closed() {
				t.Fatalf("record %d: ring not closed", i+1)
			}
		}
	}
}
