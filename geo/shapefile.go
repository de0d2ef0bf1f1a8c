package geo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// ErrShapeType is returned for a shapefile that does not hold polygons.
var ErrShapeType = errors.New("geo: unsupported shape type")

// Shape types of the ESRI shapefile specification that ReadShapefile reads.
const (
	shpNull     = 0
	shpPolygon  = 5
	shpPolygonZ = 15
)

// ReadShapefile reads an ESRI shapefile of polygons (shape type 5 Polygon or
// 15 PolygonZ; Z and M values are dropped) and the attributes of its .dbf
// sibling into GeoJSON features, one per record, in file order. Records
// marked deleted in the .dbf are skipped, null shapes give a feature with a
// nil geometry.
//
// Coordinates are returned as stored; the caller checks the .prj when it
// needs lon/lat. Rings are closed and wound as RFC 7946 wants (outer rings
// counter-clockwise, holes clockwise). Shapefile rings are the other way
// round: clockwise rings are outer rings, counter-clockwise rings are holes,
// and each hole goes to the smallest outer ring that contains it. A
// feature with one outer ring is an orb.Polygon, otherwise an
// orb.MultiPolygon.
//
// Attributes: C fields become trimmed strings, N and F fields float64 (nil
// when blank), D fields "YYYY-MM-DD" strings (nil when blank), L fields
// bool (nil when unknown). Text is UTF-8 when the .cpg says so or is absent,
// otherwise Windows-1252.
func ReadShapefile(shpPath string) (*geojson.FeatureCollection, error) {
	shpData, err := os.ReadFile(shpPath)
	if err != nil {
		return nil, fmt.Errorf("geo: %w", err)
	}
	shpName := filepath.Base(shpPath)
	geoms, err := parseShp(shpName, shpData)
	if err != nil {
		return nil, err
	}

	dbfPath, err := shpSibling(shpPath, ".dbf")
	if err != nil {
		return nil, fmt.Errorf("geo: %s: attributes: %w", shpName, err)
	}
	dbfData, err := os.ReadFile(dbfPath)
	if err != nil {
		return nil, fmt.Errorf("geo: %w", err)
	}
	enc := dbfUTF8OrLatin
	if cpgPath, err := shpSibling(shpPath, ".cpg"); err == nil {
		cpg, err := os.ReadFile(cpgPath)
		if err != nil {
			return nil, fmt.Errorf("geo: %w", err)
		}
		enc = dbfEncoding(string(cpg))
	}
	table, err := parseDBF(filepath.Base(dbfPath), dbfData, enc)
	if err != nil {
		return nil, err
	}
	if got, want := len(table.rows), len(geoms); got != want {
		return nil, fmt.Errorf("geo: %s: %d records, but %s has %d",
			shpName, want, filepath.Base(dbfPath), got)
	}

	fc := geojson.NewFeatureCollection()
	for i, g := range geoms {
		if table.deleted[i] {
			continue
		}
		f := geojson.NewFeature(g)
		f.Properties = table.rows[i]
		fc.Append(f)
	}
	return fc, nil
}

// shpSibling finds the file next to shpPath with extension ext, trying the
// lower- and upper-case spelling since shapefiles often come from Windows.
func shpSibling(shpPath, ext string) (string, error) {
	base := strings.TrimSuffix(shpPath, filepath.Ext(shpPath))
	var firstErr error
	for _, e := range []string{ext, strings.ToUpper(ext)} {
		p := base + e
		_, err := os.Stat(p)
		if err == nil {
			return p, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return "", firstErr
}

// parseShp decodes the .shp bytes into one geometry per record (nil for a
// null shape). name is the file name used in errors.
func parseShp(name string, data []byte) ([]orb.Geometry, error) {
	if len(data) < 100 {
		return nil, fmt.Errorf("geo: %s: header truncated (%d bytes)", name, len(data))
	}
	if code := binary.BigEndian.Uint32(data[0:]); code != 9994 {
		return nil, fmt.Errorf("geo: %s: not a shapefile (file code %d, want 9994)", name, code)
	}
	fileLen := int64(binary.BigEndian.Uint32(data[24:])) * 2
	if fileLen > int64(len(data)) {
		return nil, fmt.Errorf("geo: %s: truncated: header says %d bytes, file has %d", name, fileLen, len(data))
	}
	if fileLen < 100 {
		return nil, fmt.Errorf("geo: %s: header: file length %d bytes is too short", name, fileLen)
	}
	data = data[:fileLen]
	fileType := int32(binary.LittleEndian.Uint32(data[32:]))
	if fileType != shpPolygon && fileType != shpPolygonZ {
		return nil, fmt.Errorf("%w: %s: shape type %d (%s), want 5 (Polygon) or 15 (PolygonZ)",
			ErrShapeType, name, fileType, shpTypeName(fileType))
	}

	var geoms []orb.Geometry
	for off, rec := 100, 1; off < len(data); rec++ {
		if len(data)-off < 8 {
			return nil, fmt.Errorf("geo: %s: record %d: header truncated", name, rec)
		}
		n := int(binary.BigEndian.Uint32(data[off+4:])) * 2
		off += 8
		if n < 4 || n > len(data)-off {
			return nil, fmt.Errorf("geo: %s: record %d: content length %d bytes does not fit the file", name, rec, n)
		}
		g, err := parseShpPolygon(data[off:off+n], fileType)
		if err != nil {
			return nil, fmt.Errorf("geo: %s: record %d: %w", name, rec, err)
		}
		geoms = append(geoms, g)
		off += n
	}
	return geoms, nil
}

// parseShpPolygon decodes the content of one Polygon or PolygonZ record.
func parseShpPolygon(b []byte, fileType int32) (orb.Geometry, error) {
	typ := int32(binary.LittleEndian.Uint32(b))
	switch {
	case typ == shpNull:
		return nil, nil
	case typ != fileType:
		return nil, fmt.Errorf("%w: shape type %d (%s) in a file of type %d",
			ErrShapeType, typ, shpTypeName(typ), fileType)
	}
	// type, bounding box, number of parts, number of points
	const fixed = 4 + 32 + 4 + 4
	if len(b) < fixed {
		return nil, fmt.Errorf("content truncated (%d bytes)", len(b))
	}
	numParts := int64(binary.LittleEndian.Uint32(b[36:]))
	numPoints := int64(binary.LittleEndian.Uint32(b[40:]))
	if need := fixed + 4*numParts + 16*numPoints; need > int64(len(b)) {
		return nil, fmt.Errorf("%d parts and %d points need %d bytes, record has %d",
			numParts, numPoints, need, len(b))
	}
	parts := make([]int, numParts+1)
	for i := range numParts {
		parts[i] = int(binary.LittleEndian.Uint32(b[fixed+4*i:]))
		if parts[i] < 0 || parts[i] > int(numPoints) || (i > 0 && parts[i] < parts[i-1]) {
			return nil, fmt.Errorf("part %d starts at point %d, outside 0..%d or before the previous part",
				i, parts[i], numPoints)
		}
	}
	parts[numParts] = int(numPoints)
	pts := b[fixed+4*numParts:]

	rings := make([]orb.Ring, 0, numParts)
	for i := range numParts {
		r := make(orb.Ring, 0, parts[i+1]-parts[i]+1)
		for j := parts[i]; j < parts[i+1]; j++ {
			x := math.Float64frombits(binary.LittleEndian.Uint64(pts[16*j:]))
			y := math.Float64frombits(binary.LittleEndian.Uint64(pts[16*j+8:]))
			if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
				return nil, fmt.Errorf("part %d: point %d is not finite", i, j)
			}
			r = append(r, orb.Point{x, y})
		}
		if len(r) == 0 {
			continue
		}
		if r[0] != r[len(r)-1] {
			r = append(r, r[0])
		}
		rings = append(rings, r)
	}
	return assemblePolygons(rings), nil
}

// assemblePolygons turns shapefile rings into an orb.Polygon or
// orb.MultiPolygon with RFC 7946 winding. A counter-clockwise ring that no
// outer ring contains is kept as an outer ring of its own, which also reads
// files written with the winding reversed.
func assemblePolygons(rings []orb.Ring) orb.Geometry {
	if len(rings) == 0 {
		return nil
	}
	type outer struct {
		ring  orb.Ring
		area  float64
		bound orb.Bound
		holes []orb.Ring
	}
	var outers []*outer
	var holes []orb.Ring
	for _, r := range rings {
		if a := shpRingArea(r); a > 0 {
			holes = append(holes, r)
		} else {
			outers = append(outers, &outer{ring: r, area: -a, bound: r.Bound()})
		}
	}
	var orphans []orb.Ring
	for _, h := range holes {
		hb := h.Bound()
		var best *outer
		for _, o := range outers {
			if (best == nil || o.area < best.area) &&
				o.bound.Contains(hb.Min) && o.bound.Contains(hb.Max) && shpRingInRing(h, o.ring) {
				best = o
			}
		}
		if best == nil {
			orphans = append(orphans, h)
			continue
		}
		best.holes = append(best.holes, h)
	}

	mp := make(orb.MultiPolygon, 0, len(outers)+len(orphans))
	for _, o := range outers {
		p := make(orb.Polygon, 0, 1+len(o.holes))
		p = append(p, shpReversed(o.ring))
		for _, h := range o.holes {
			p = append(p, shpReversed(h))
		}
		mp = append(mp, p)
	}
	for _, h := range orphans {
		// Already counter-clockwise, as an RFC 7946 outer ring should be.
		mp = append(mp, orb.Polygon{h})
	}
	if len(mp) == 1 {
		return mp[0]
	}
	return mp
}

// shpRingArea is the shoelace area, positive for counter-clockwise rings
// (x east, y north). Coordinates are taken relative to the first point so
// that small rings far from (0, 0) keep their precision.
func shpRingArea(r orb.Ring) float64 {
	if len(r) < 3 {
		return 0
	}
	x0, y0 := r[0][0], r[0][1]
	var sum float64
	for i := 1; i < len(r)-1; i++ {
		ax, ay := r[i][0]-x0, r[i][1]-y0
		bx, by := r[i+1][0]-x0, r[i+1][1]-y0
		sum += ax*by - bx*ay
	}
	return sum / 2
}

// shpRingInRing reports whether ring h lies inside ring o. Rings in a valid
// shapefile do not cross, so the first vertex of h that is not on o's
// boundary decides; a hole touching its outer ring shares vertices with it.
func shpRingInRing(h, o orb.Ring) bool {
	for _, p := range h {
		switch shpRingLocate(o, p) {
		case 1:
			return true
		case -1:
			return false
		}
	}
	// Every vertex is on o: h traces o's boundary, so it is inside.
	return true
}

// shpRingLocate returns 1 when p is inside the closed ring r, 0 when it is on
// the boundary and -1 when it is outside (even-odd rule).
func shpRingLocate(r orb.Ring, p orb.Point) int {
	in := false
	for i := 0; i+1 < len(r); i++ {
		a, b := r[i], r[i+1]
		if shpOnSegment(a, b, p) {
			return 0
		}
		if (a[1] > p[1]) != (b[1] > p[1]) {
			x := a[0] + (p[1]-a[1])*(b[0]-a[0])/(b[1]-a[1])
			if p[0] < x {
				in = !in
			}
		}
	}
	if in {
		return 1
	}
	return -1
}

func shpOnSegment(a, b, p orb.Point) bool {
	if p[0] < math.Min(a[0], b[0]) || p[0] > math.Max(a[0], b[0]) ||
		p[1] < math.Min(a[1], b[1]) || p[1] > math.Max(a[1], b[1]) {
		return false
	}
	return (b[0]-a[0])*(p[1]-a[1])-(b[1]-a[1])*(p[0]-a[0]) == 0
}

func shpReversed(r orb.Ring) orb.Ring {
	out := make(orb.Ring, len(r))
	for i, p := range r {
		out[len(r)-1-i] = p
	}
	return out
}

func shpTypeName(t int32) string {
	switch t {
	case 0:
		return "Null"
	case 1:
		return "Point"
	case 3:
		return "PolyLine"
	case 5:
		return "Polygon"
	case 8:
		return "MultiPoint"
	case 11:
		return "PointZ"
	case 13:
		return "PolyLineZ"
	case 15:
		return "PolygonZ"
	case 18:
		return "MultiPointZ"
	case 21:
		return "PointM"
	case 23:
		return "PolyLineM"
	case 25:
		return "PolygonM"
	case 28:
		return "MultiPointM"
	case 31:
		return "MultiPatch"
	}
	return "unknown"
}

// dbfTable is the decoded attribute table of a .dbf file.
type dbfTable struct {
	rows    []geojson.Properties
	deleted []bool
}

// dbfField is one column of a .dbf file.
type dbfField struct {
	name   string
	typ    byte
	offset int // from the start of the record, after the deletion flag
	length int
	decode func([]byte) (any, error)
}

// parseDBF decodes a dBASE III table (field types C, N, F, D, L). name is
// the file name used in errors, text decodes character data.
func parseDBF(name string, data []byte, text func([]byte) string) (*dbfTable, error) {
	if len(data) < 32 {
		return nil, fmt.Errorf("geo: %s: header truncated (%d bytes)", name, len(data))
	}
	numRecords := int64(binary.LittleEndian.Uint32(data[4:]))
	headerLen := int(binary.LittleEndian.Uint16(data[8:]))
	recordLen := int(binary.LittleEndian.Uint16(data[10:]))
	if recordLen < 1 {
		return nil, fmt.Errorf("geo: %s: record length %d is too short", name, recordLen)
	}
	if headerLen < 33 || headerLen > len(data) {
		return nil, fmt.Errorf("geo: %s: header length %d does not fit the file (%d bytes)", name, headerLen, len(data))
	}
	if need := int64(headerLen) + numRecords*int64(recordLen); need > int64(len(data)) {
		return nil, fmt.Errorf("geo: %s: truncated: %d records of %d bytes need %d bytes, file has %d",
			name, numRecords, recordLen, need, len(data))
	}

	var fields []dbfField
	offset := 1 // the deletion flag comes first
	for p := 32; p+32 <= headerLen && data[p] != 0x0D; p += 32 {
		d := data[p : p+32]
		fname := d[:11]
		if i := bytes.IndexByte(fname, 0); i >= 0 {
			fname = fname[:i]
		}
		f := dbfField{
			name:   strings.TrimSpace(text(fname)),
			typ:    d[11],
			offset: offset,
			length: int(d[16]),
		}
		switch f.typ {
		case 'C':
			// dBASE III stores lengths above 255 in the decimal-count byte.
			f.length += int(d[17]) << 8
			f.decode = func(b []byte) (any, error) { return dbfTrim(text(b)), nil }
		case 'N', 'F':
			f.decode = dbfNumber
		case 'D':
			f.decode = dbfDate
		case 'L':
			f.decode = dbfLogical
		default:
			return nil, fmt.Errorf("geo: %s: field %q: unsupported dBASE type %q (want C, N, F, D or L)",
				name, f.name, f.typ)
		}
		offset += f.length
		fields = append(fields, f)
	}
	if offset > recordLen {
		return nil, fmt.Errorf("geo: %s: fields take %d bytes, more than the record length %d", name, offset, recordLen)
	}

	t := &dbfTable{
		rows:    make([]geojson.Properties, numRecords),
		deleted: make([]bool, numRecords),
	}
	for i := range t.rows {
		rec := data[headerLen+i*recordLen : headerLen+(i+1)*recordLen]
		t.deleted[i] = rec[0] == '*'
		props := make(geojson.Properties, len(fields))
		for _, f := range fields {
			v, err := f.decode(rec[f.offset : f.offset+f.length])
			if err != nil {
				return nil, fmt.Errorf("geo: %s: record %d: field %q: %w", name, i+1, f.name, err)
			}
			props[f.name] = v
		}
		t.rows[i] = props
	}
	return t, nil
}

// dbfTrim removes the space and NUL padding that writers use.
func dbfTrim(s string) string { return strings.Trim(s, " \t\r\n\x00") }

func dbfNumber(b []byte) (any, error) {
	s := dbfTrim(string(b))
	// Blank is null; asterisks are dBASE's "value did not fit".
	if s == "" || strings.Trim(s, "*") == "" {
		return nil, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("invalid number %q", s)
	}
	return v, nil
}

func dbfDate(b []byte) (any, error) {
	s := dbfTrim(string(b))
	if s == "" || s == "00000000" {
		return nil, nil
	}
	if len(s) != 8 || strings.Trim(s, "0123456789") != "" {
		return nil, fmt.Errorf("invalid date %q (want YYYYMMDD)", s)
	}
	return s[0:4] + "-" + s[4:6] + "-" + s[6:8], nil
}

func dbfLogical(b []byte) (any, error) {
	s := dbfTrim(string(b))
	switch s {
	case "", "?":
		return nil, nil
	case "T", "t", "Y", "y":
		return true, nil
	case "F", "f", "N", "n":
		return false, nil
	}
	return nil, fmt.Errorf("invalid logical %q", s)
}

// dbfEncoding picks the text decoder for the code page named in a .cpg file.
func dbfEncoding(cpg string) func([]byte) string {
	switch strings.ToUpper(strings.TrimSpace(cpg)) {
	case "UTF-8", "UTF8", "65001":
		return dbfUTF8
	case "":
		return dbfUTF8OrLatin
	}
	// Best effort for every other code page: Windows-1252 is what most
	// non-UTF-8 shapefiles use, and it is a superset of Latin-1's printable
	// characters.
	return dbfWindows1252
}

// dbfUTF8 decodes declared UTF-8, replacing invalid bytes (a multi-byte
// character cut off by the field width, say) with U+FFFD.
func dbfUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// dbfUTF8OrLatin decodes text of unknown encoding: UTF-8 when it is valid,
// Windows-1252 otherwise.
func dbfUTF8OrLatin(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return dbfWindows1252(b)
}

// cp1252 maps bytes 0x80-0x9F of Windows-1252; the five undefined bytes
// map to the C1 controls, as in Latin-1.
var cp1252 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8D, 'Ž', 0x8F,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9D, 'ž', 'Ÿ',
}

func dbfWindows1252(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for _, c := range b {
		switch {
		case c < 0x80:
			sb.WriteByte(c)
		case c < 0xA0:
			sb.WriteRune(cp1252[c-0x80])
		default:
			sb.WriteRune(rune(c))
		}
	}
	return sb.String()
}
