package render

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/ocmap/ocmap/geo"
)

// shapesMap draws districts given as lon/lat rectangles [minLon, minLat,
// maxLon, maxLat], each with its province, no values.
func shapesMap(t *testing.T, ds []struct {
	prov string
	box  [4]float64
}) *Map {
	t.Helper()
	var fs []string
	for i, d := range ds {
		b := d.box
		fs = append(fs, fmt.Sprintf(`{"type":"Feature","properties":{"ADM2_PCODE":"PK%d","ADM2_EN":"D%d","ADM1_EN":%q},
"geometry":{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}}`,
			i, i, d.prov, b[0], b[1], b[2], b[1], b[2], b[3], b[0], b[3], b[0], b[1]))
	}
	b, err := geo.Read(strings.NewReader(`{"type":"FeatureCollection","features":[`+strings.Join(fs, ",\n")+`]}`), "shapes", geo.Properties{})
	if err != nil {
		t.Fatal(err)
	}
	return &Map{Title: "Labels", Boundaries: b, Values: map[string]float64{}, Legend: "Incidents", Width: 1600}
}

// labelBox is a province label line as the SVG draws it: its glyph box in
// pixels, from the text's position, size, anchor and the font's advance
// widths.
type labelBox struct {
	text string
	box  rect
}

func provinceLabelBoxes(t *testing.T, m *Map) []labelBox {
	t.Helper()
	return labelBoxes(t, m, "province-labels")
}

// labelBoxes are the boxes of the texts of the SVG's groups.
func labelBoxes(t *testing.T, m *Map, groups ...string) []labelBox {
	t.Helper()
	f, err := newFaces()
	if err != nil {
		t.Fatal(err)
	}
	var out []labelBox
	for _, e := range parseSVG(t, m).texts {
		if !slices.Contains(groups, e.group) {
			continue
		}
		var x, y, size float64
		fmt.Sscan(e.attr["x"], &x)
		fmt.Sscan(e.attr["y"], &y)
		fmt.Sscan(e.attr["font-size"], &size)
		w := f.width(e.text, size, e.attr["font-weight"] == "bold")
		switch e.attr["text-anchor"] {
		case "middle":
			x -= w / 2
		case "end":
			x -= w
		}
		out = append(out, labelBox{e.text, rect{x, y - 0.8*size, w, size}})
	}
	return out
}

// where tells of a pixel box whether every point along its edges, every
// pixel, lies in province prov's polygons ("inside"), none does
// ("outside"), or some do ("crosses"), in lon/lat, independently of the
// raster the labels are placed on.
func where(t *testing.T, m *Map, prov string, r rect) string {
	t.Helper()
	f, err := newFaces()
	if err != nil {
		t.Fatal(err)
	}
	l, err := m.layout(f)
	if err != nil {
		t.Fatal(err)
	}
	p := l.proj
	var polys []orb.MultiPolygon
	for i, d := range m.Boundaries.Districts {
		if d.Province == prov {
			polys = append(polys, m.Boundaries.Polygons[i])
		}
	}
	in := func(x, y float64) bool {
		q := orb.Point{p.lon0 + (x-p.ox)/(p.cos*p.s), p.lat0 - (y-p.oy)/p.s}
		return slices.ContainsFunc(polys, func(mp orb.MultiPolygon) bool { return planar.MultiPolygonContains(mp, q) })
	}
	nIn, n := 0, 0
	for x := r.X; x <= r.X+r.W; x++ {
		for _, y := range []float64{r.Y, r.Y + r.H} {
			n++
			if in(x, y) {
				nIn++
			}
		}
	}
	for y := r.Y; y <= r.Y+r.H; y++ {
		for _, x := range []float64{r.X, r.X + r.W} {
			n++
			if in(x, y) {
				nIn++
			}
		}
	}
	switch nIn {
	case n:
		return "inside"
	case 0:
		return "outside"
	}
	return "crosses"
}

// TestProvinceLabelInside checks issue 16's item 4: a province's name is
// drawn where its box lies inside the province, even when the province's
// widest point (its pole of inaccessibility) is too narrow for the name.
// "Azad Kashmir" is an L, whose upright is a little wider than its foot
// but narrower than the name, so the name goes along the foot;
// "Gilgit-Baltistan" has two parts, a square too small for the name and a
// long thin strip that holds it; Punjab fills the rest.
func TestProvinceLabelInside(t *testing.T) {
	type d = struct {
		prov string
		box  [4]float64
	}
	m := shapesMap(t, []d{
		{"Azad Kashmir", [4]float64{70, 30, 70.4, 35}},   // upright, 0.4° (about 100 px) wide
		{"Azad Kashmir", [4]float64{70.4, 30, 76, 30.3}}, // foot, 0.3° (about 90 px) high
		{"Punjab", [4]float64{70.4, 30.3, 76, 33}},
		{"Gilgit-Baltistan", [4]float64{70.4, 33, 70.9, 33.5}}, // square, 0.5°
		{"Punjab", [4]float64{70.9, 33, 76, 34.6}},
		{"Punjab", [4]float64{70.4, 33.5, 70.9, 34.6}},
		{"Gilgit-Baltistan", [4]float64{70.4, 34.6, 76, 35}}, // strip, 0.4° high
	})
	// The poles are in the upright and the square, too narrow for the
	// names.
	f, err := newFaces()
	if err != nil {
		t.Fatal(err)
	}
	l, err := m.layout(f)
	if err != nil {
		t.Fatal(err)
	}
	sh := buildShapes(m.Boundaries, l.proj)
	occ := buildOccupancy(sh, int(l.W), int(l.H))
	for p, name := range sh.provinces {
		at, _, _ := occ.pole(occ.distance(p))
		lon0, _ := m.Project(70.4, 30)
		lon1, _ := m.Project(70.9, 30)
		if name != "Punjab" && (at.X > lon1 || name == "Azad Kashmir" && at.X > lon0) {
			t.Fatalf("the pole of %s is at x %.0f, not in its narrow part: the test no longer tests", name, at.X)
		}
	}
	boxes := provinceLabelBoxes(t, m)
	var got []string
	for _, b := range boxes {
		got = append(got, b.text)
		prov := b.text
		if prov == "Azad" || prov == "Kashmir" {
			prov = "Azad Kashmir"
		}
		if w := where(t, m, prov, b.box); w != "inside" {
			t.Errorf("label %q %s %s (box %v)", b.text, w, prov, b.box)
		}
	}
	slices.Sort(got)
	if want := []string{"Azad Kashmir", "Gilgit-Baltistan", "Punjab"}; !slices.Equal(got, want) {
		t.Errorf("labels %q, want %q", got, want)
	}
	// The foot and the strip hold the names: their boxes lie between
	// the latitudes of the foot and of the strip.
	for _, b := range boxes {
		var top, bottom float64
		switch b.text {
		case "Azad Kashmir":
			_, top = m.Project(70, 30.3)
			_, bottom = m.Project(70, 30)
		case "Gilgit-Baltistan":
			_, top = m.Project(70, 35)
			_, bottom = m.Project(70, 34.6)
		default:
			continue
		}
		if b.box.Y < top || b.box.Y+b.box.H > bottom {
			t.Errorf("label %q at y %.0f-%.0f, not along its foot or strip (y %.0f-%.0f)", b.text, b.box.Y, b.box.Y+b.box.H, top, bottom)
		}
	}
}

// TestProvinceLabelOutside: a province too small for its name gets it
// beside it, the box clear of the province, with a leader.
func TestProvinceLabelOutside(t *testing.T) {
	type d = struct {
		prov string
		box  [4]float64
	}
	m := shapesMap(t, []d{
		{"Punjab", [4]float64{70, 30, 76, 32.4}},
		{"Punjab", [4]float64{70, 32.6, 76, 35}},
		{"Punjab", [4]float64{70, 32.4, 72.9, 32.6}},
		{"Punjab", [4]float64{73.1, 32.4, 76, 32.6}},
		{"Islamabad", [4]float64{72.9, 32.4, 73.1, 32.6}},
	})
	for _, b := range provinceLabelBoxes(t, m) {
		if b.text != "Islamabad" {
			continue
		}
		if w := where(t, m, "Islamabad", b.box); w != "outside" {
			t.Errorf("label Islamabad %s its province (box %v)", w, b.box)
		}
		return
	}
	t.Error("no label Islamabad")
}

// TestProvinceLabelsReal: on the real boundaries, no province's name
// crosses its border: each lies inside its province, or, for a province
// too thin for it, wholly outside with a leader; the large provinces hold
// theirs.
func TestProvinceLabelsReal(t *testing.T) {
	m := realMap(t)
	provs := map[string]bool{}
	for _, d := range m.Boundaries.Districts {
		provs[d.Province] = true
	}
	// The province of a label line: its name, or a word of a name split on
	// two lines.
	provOf := func(text string) string {
		if provs[text] {
			return text
		}
		for p := range provs {
			if strings.HasPrefix(p, text+" ") || strings.HasSuffix(p, " "+text) {
				return p
			}
		}
		return ""
	}
	for _, width := range []int{1600, 900} {
		m.Width = width
		seen := map[string]string{}
		for _, b := range provinceLabelBoxes(t, m) {
			prov := provOf(b.text)
			if prov == "" {
				t.Errorf("width %d: label %q names no province", width, b.text)
				continue
			}
			w := where(t, m, prov, b.box)
			if w == "crosses" {
				t.Errorf("width %d: label %q crosses the border of %s (box %v)", width, b.text, prov, b.box)
			}
			seen[prov] = w
		}
		for _, p := range []string{"Balochistan", "Punjab", "Sindh", "Khyber Pakhtunkhwa"} {
			if got := seen[p]; got != "inside" {
				t.Errorf("width %d: %s label %q, want inside", width, p, got)
			}
		}
		if len(seen) < 6 {
			t.Errorf("width %d: %d provinces labelled (%v), want at least 6", width, len(seen), seen)
		}
	}
}
