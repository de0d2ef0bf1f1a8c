package render

import (
	"cmp"
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	"github.com/ocmap/ocmap/geo"
)

// Errors from SVG and PNG for a Map that cannot be drawn.
var (
	ErrNoBoundaries = errors.New("render: map has no boundaries")
	ErrBreaks       = errors.New("render: breaks must be strictly ascending and non-empty when values are present")
	ErrPalette      = errors.New("render: palette must have one colour per break")
)

// Map is one choropleth: districts filled by the class of their value.
type Map struct {
	Title, Subtitle string // e.g. "Drug trafficking, incidents per 100,000 people", "January 2023 – December 2024"
	Boundaries      *geo.Boundaries
	Values          map[string]float64 // by district code; absent or NaN: no data, drawn light grey
	Suppressed      map[string]bool    // drawn hatched, legend "suppressed"; wins over Values
	// NoPopulation are districts without a value because a rate has no
	// population to divide by, though they have incidents: drawn in their
	// own colour, "no population figure", never as "no data".
	NoPopulation map[string]bool
	Counts       bool         // values are counts: legend classes are integers ("1 – 8", "9 – 19")
	Breaks       []float64    // class upper bounds, ascending; see Classify
	Palette      []color.RGBA // one colour per class, light to dark; nil: DefaultPalette(len(Breaks))
	// Labels name the classes in the legend, one per break, for classes
	// that are not ranges of the value (hot and cold spots, clusters);
	// nil: each class's range.
	Labels        []string
	Legend        string // legend title
	Note          string // source and method note at the bottom, wrapped to the width
	Source        string // attribution line below the note ("Boundaries: ...; incidents: ...")
	LabelTop      int    // name the N districts with the highest values; 0 none
	Label         string // corner label; empty: "PRELIMINARY"
	Width, Height int    // pixels for PNG and the SVG viewBox; 0: 1600 wide, as high as the map needs
	// Lines are flows drawn over the districts as arrows, the widest
	// (1.6 % of the shorter side) for the largest Value, and their ends
	// labelled; Marks are points named over them (border crossings).
	Lines []Line
	Marks []Mark
}

// Colours of everything that is not a class.
var (
	white        = color.RGBA{255, 255, 255, 255}
	NoDataColour = color.RGBA{0xd9, 0xd9, 0xd9, 255} // light grey
	NoPopColour  = color.RGBA{0xc6, 0xdb, 0xef, 255} // light blue: incidents, no population figure
	HatchColour  = color.RGBA{0x73, 0x73, 0x73, 255} // suppressed: grey lines ...
	HatchBack    = white                             // ... on white
	innerBorder  = white
	outlineColor = color.RGBA{0x4d, 0x4d, 0x4d, 255}
	textColour   = color.RGBA{0x1a, 0x1a, 0x1a, 255}
	greyText     = color.RGBA{0x4d, 0x4d, 0x4d, 255}
	labelColour  = color.RGBA{0xc8, 0x10, 0x2e, 255}
)

// layout is everything placed in pixels before any geometry is drawn.
type layout struct {
	W, H      float64
	u         float64 // one hundredth of the shorter side: the unit of sizes
	margin    float64
	title     []string
	subtitle  []string
	note      []string
	source    []string
	label     string
	labelBox  rect
	frame     rect // where the districts go
	proj      projection
	palette   []color.RGBA
	titleSize float64
	subSize   float64
	noteSize  float64
	labelSize float64
}

func (m *Map) layout(f *faces) (*layout, error) {
	if m.Boundaries == nil || len(m.Boundaries.Polygons) == 0 {
		return nil, ErrNoBoundaries
	}
	for i := 1; i < len(m.Breaks); i++ {
		if !(m.Breaks[i] > m.Breaks[i-1]) {
			return nil, fmt.Errorf("%w: %v", ErrBreaks, m.Breaks)
		}
	}
	if len(m.Breaks) == 0 {
		for code, v := range m.Values {
			if !math.IsNaN(v) && !m.Suppressed[code] {
				return nil, ErrBreaks
			}
		}
	}
	l := &layout{W: float64(m.Width), H: float64(m.Height), label: m.Label}
	if l.W <= 0 {
		l.W = 1600
	}
	if l.label == "" {
		l.label = "PRELIMINARY"
	}
	l.palette = m.Palette
	if l.palette == nil && len(m.Breaks) > 0 {
		var err error
		if l.palette, err = DefaultPalette(len(m.Breaks)); err != nil {
			return nil, err
		}
		if len(m.Breaks) == 1 && m.Breaks[0] <= 0 {
			// A map of zeros (every count 0 or withheld): the palette's
			// colour of zero, not its middle one, which reads as high.
			l.palette = []color.RGBA{ZeroColour}
		}
	}
	if len(l.palette) != len(m.Breaks) {
		return nil, fmt.Errorf("%w: %d colours, %d breaks", ErrPalette, len(l.palette), len(m.Breaks))
	}
	l.u = l.W / 100
	if l.H > 0 {
		l.u = math.Min(l.W, l.H) / 100
	}
	u := l.u
	l.margin = 3 * u
	l.titleSize, l.subSize, l.noteSize, l.labelSize = 2.8*u, 1.8*u, 1.15*u, 1.8*u

	lw := f.width(l.label, l.labelSize, true)
	pad := 0.6 * u
	l.labelBox = rect{l.W - l.margin - lw - 2*pad, l.margin, lw + 2*pad, l.labelSize + 2*pad}
	textW := l.labelBox.X - l.margin - 2*u
	l.title = f.wrap(m.Title, l.titleSize, true, textW)
	l.subtitle = f.wrap(m.Subtitle, l.subSize, false, textW)
	top := l.margin + float64(len(l.title))*1.2*l.titleSize + float64(len(l.subtitle))*1.3*l.subSize
	top = math.Max(top, l.labelBox.Y+l.labelBox.H) + 2*u
	l.note = f.wrap(m.Note, l.noteSize, false, l.W-2*l.margin)
	l.source = f.wrap(m.Source, l.noteSize, false, l.W-2*l.margin)
	footer := l.margin + float64(len(l.note)+len(l.source))*1.35*l.noteSize + 1.5*u
	if l.H <= 0 {
		// As high as the map needs at the full frame width.
		p := fit(m.Boundaries, rect{0, 0, 1, 1})
		l.H = math.Round(top + (l.W-2*l.margin)*p.aspect + footer)
	}
	bottom := l.H - footer
	l.frame = rect{l.margin, top, l.W - 2*l.margin, math.Max(bottom-top, 1)}
	l.proj = fit(m.Boundaries, l.frame)
	return l, nil
}

// Project returns the pixel position (x right, y down) of a point given as
// (lon, lat) in degrees, as both SVG and PNG draw it.
func (m *Map) Project(lon, lat float64) (x, y float64) {
	f, err := newFaces()
	if err != nil {
		return math.NaN(), math.NaN()
	}
	l, err := m.layout(f)
	if err != nil {
		return math.NaN(), math.NaN()
	}
	p := l.proj.project(lon, lat)
	return p.X, p.Y
}

type paint struct {
	c     color.RGBA
	hatch bool
	none  bool
}

const (
	anchorStart = iota
	anchorMiddle
	anchorEnd
)

type textStyle struct {
	size   float64
	bold   bool
	c      color.RGBA
	anchor int
	halo   float64 // width of a white outline behind the glyphs; 0 none
}

// canvas is what both backends implement; coordinates are pixels.
type canvas interface {
	group(id string)
	endGroup()
	district(d geo.District, info string, polys [][][]pt, p paint)
	lines(ls [][]pt, c color.RGBA, width float64)
	rect(r rect, fill paint, stroke color.RGBA, width float64)
	polygon(ps []pt, fill color.RGBA)
	text(x, y float64, s string, st textStyle)
}

// hatch is the suppressed-district pattern: lines running up to the right,
// spacing and width in pixels measured along x.
type hatch struct{ spacing, width float64 }

func (l *layout) hatch() hatch {
	s := math.Max(4, math.Round(0.6*l.u))
	return hatch{spacing: s, width: math.Max(1, math.Round(s/3))}
}

// draw paints the whole map on c.
func (m *Map) draw(c canvas, f *faces, l *layout) {
	u := l.u
	sh := buildShapes(m.Boundaries, l.proj)
	occ := buildOccupancy(sh, int(l.W), int(l.H))
	c.rect(rect{0, 0, l.W, l.H}, paint{c: white}, color.RGBA{}, 0)

	c.group("districts")
	base := m.flowBase()
	for i, d := range m.Boundaries.Districts {
		cl := m.ClassOf(d.Code)
		var p paint
		info := d.Name + " (" + d.Code + "): "
		switch cl {
		case -2:
			p = paint{hatch: true}
			info += "suppressed"
		case -3:
			p = paint{c: NoPopColour}
			info += "no population figure"
		case -1:
			p = paint{c: NoDataColour}
			if base {
				// A flow map's districts are its base, not missing
				// values: their names only, as in its legend.
				info = d.Name + " (" + d.Code + ")"
			} else {
				info += "no data"
			}
		default:
			p = paint{c: l.palette[cl]}
			info += formatNumber(m.Values[d.Code], 2)
		}
		c.district(d, info, sh.districts[i], p)
	}
	c.endGroup()

	c.group("district-borders")
	c.lines(sh.inner, innerBorder, math.Max(0.6, 0.07*u))
	c.endGroup()
	c.group("province-borders")
	c.lines(sh.outline, outlineColor, math.Max(1.2, 0.16*u))
	c.endGroup()

	c.group("province-labels")
	placed := m.provinceLabels(c, f, l, sh, occ)
	c.endGroup()
	placed = m.drawLines(c, f, l, placed)
	if m.LabelTop > 0 {
		c.group("district-labels")
		m.districtLabels(c, f, l, sh, placed)
		c.endGroup()
	}

	legend := m.legendBox(f, l)
	used := m.placeLegend(c, f, l, occ, legend)
	m.drawScale(c, f, l, occ, used)

	c.group("title")
	y := l.margin
	for _, s := range l.title {
		y += 1.2 * l.titleSize
		c.text(l.margin, y-0.25*l.titleSize, s, textStyle{size: l.titleSize, bold: true, c: textColour})
	}
	for _, s := range l.subtitle {
		y += 1.3 * l.subSize
		c.text(l.margin, y-0.3*l.subSize, s, textStyle{size: l.subSize, c: greyText})
	}
	c.endGroup()

	c.group("label")
	c.rect(l.labelBox, paint{c: white}, labelColour, math.Max(1, 0.22*u))
	c.text(l.labelBox.X+l.labelBox.W/2, l.labelBox.Y+l.labelBox.H/2+0.36*l.labelSize, l.label,
		textStyle{size: l.labelSize, bold: true, c: labelColour, anchor: anchorMiddle})
	c.endGroup()

	c.group("note")
	y = l.H - l.margin - float64(len(l.note)+len(l.source))*1.35*l.noteSize
	for _, s := range l.note {
		y += 1.35 * l.noteSize
		c.text(l.margin, y-0.3*l.noteSize, s, textStyle{size: l.noteSize, c: greyText})
	}
	c.endGroup()
	if len(l.source) > 0 {
		c.group("source")
		for _, s := range l.source {
			y += 1.35 * l.noteSize
			c.text(l.margin, y-0.3*l.noteSize, s, textStyle{size: l.noteSize, c: greyText})
		}
		c.endGroup()
	}
}

// provinceLabels names each province, largest first, where its name fits
// inside it: of the positions where the label's box (halo included) lies
// within the province with a margin, the one farthest from its border
// (its pole of inaccessibility when the name fits there), on one line or,
// for a name of several words, on two. A province too small or too thin
// to hold its name gets it outside, west, east, north or south of its
// pole, with a short leader, on a box clear of the province. A label takes
// its next position when it would overlap one already placed, and is left
// out when every position does. It returns the boxes of the labels drawn.
func (m *Map) provinceLabels(c canvas, f *faces, l *layout, sh *shapes, occ *occupancy) []rect {
	u := l.u
	st := textStyle{size: 1.35 * u, c: textColour, anchor: anchorMiddle, halo: 0.35 * u}
	type prov struct {
		name   string
		at     pt
		radius float64
		dist   []float64
		area   area
	}
	var ps []prov
	for p, name := range sh.provinces {
		if name == "" {
			continue
		}
		dist := occ.distance(p)
		if at, radius, ok := occ.pole(dist); ok {
			ps = append(ps, prov{name, at, radius, dist, occ.area(p)})
		}
	}
	slices.SortStableFunc(ps, func(a, b prov) int { return cmp.Compare(b.radius, a.radius) })
	lh := 1.15 * st.size
	var placed []rect
	for _, p := range ps {
		variants := [][]string{{p.name}}
		if strings.Contains(p.name, " ") {
			variants = append(variants, splitMiddle(p.name))
		}
		type label struct {
			lines  []string
			box    rect // text box, halo included
			anchor int
			leader []pt
			scale  float64 // of the text size; 0 is 1
		}
		size := func(lines []string, scale float64) (w, h float64) {
			for _, s := range lines {
				w = math.Max(w, f.width(s, scale*st.size, false))
			}
			return w + 2*st.halo, float64(len(lines))*scale*lh + 2*st.halo
		}
		var pick *label
		// Inside, at the full size or, rather than across the border,
		// somewhat smaller.
	inside:
		for _, scale := range []float64{1, 0.85, 0.72} {
			for _, lines := range variants {
				w, h := size(lines, scale)
				if at, ok := occ.fitInside(p.dist, p.area, w, h, placed); ok {
					pick = &label{lines: lines, box: rect{at.X - w/2, at.Y - h/2, w, h}, anchor: anchorMiddle, scale: scale}
					break inside
				}
			}
		}
		if pick == nil {
			// Outside, beside the pole, with a leader to it: west, east,
			// north or south, near or farther, clear of the province, of
			// the labels placed and of the smaller provinces' poles; best
			// where it crosses the fewest borders.
			others := placed
			for _, q := range ps {
				if q.name != p.name && q.radius < 3*u {
					r := math.Max(q.radius, u)
					others = append(others, rect{q.at.X - r, q.at.Y - r, 2 * r, 2 * r})
				}
			}
			best := -1
			for _, lines := range variants {
				w, h := size(lines, 1)
				a := p.at
				for _, gap := range []float64{0.8 * u, 2.5 * u} {
					for _, cd := range []label{
						{lines, rect{a.X - gap - w, a.Y - h/2, w, h}, anchorEnd, []pt{a, {a.X - gap + 0.15*u, a.Y}}, 1},
						{lines, rect{a.X + gap, a.Y - h/2, w, h}, anchorStart, []pt{a, {a.X + gap - 0.15*u, a.Y}}, 1},
						{lines, rect{a.X - w/2, a.Y - gap - h, w, h}, anchorMiddle, []pt{a, {a.X, a.Y - gap + 0.15*u}}, 1},
						{lines, rect{a.X - w/2, a.Y + gap, w, h}, anchorMiddle, []pt{a, {a.X, a.Y + gap - 0.15*u}}, 1},
					} {
						if !occ.outside(p.area, cd.box) || overlapsAny(cd.box, others) {
							continue
						}
						if n := occ.kinds(cd.box); best < 0 || n < best {
							best, pick = n, &cd
						}
					}
				}
			}
		}
		if pick == nil {
			// Nowhere inside nor beside: at the pole, if that is free.
			w, h := size(variants[len(variants)-1], 1)
			cd := label{lines: variants[len(variants)-1], box: rect{p.at.X - w/2, p.at.Y - h/2, w, h}, anchor: anchorMiddle}
			if overlapsAny(cd.box, placed) {
				continue
			}
			pick = &cd
		}
		placed = append(placed, pick.box)
		if pick.leader != nil {
			c.lines([][]pt{pick.leader}, textColour, math.Max(0.8, 0.12*u))
		}
		b := pick.box
		x := b.X + b.W/2
		switch pick.anchor {
		case anchorStart:
			x = b.X + st.halo
		case anchorEnd:
			x = b.X + b.W - st.halo
		}
		lst := st
		lst.anchor = pick.anchor
		if pick.scale > 0 {
			lst.size *= pick.scale
		}
		plh := lh * lst.size / st.size
		cy := b.Y + b.H/2
		for i, s := range pick.lines {
			c.text(x, cy-float64(len(pick.lines)-1)*plh/2+0.35*lst.size+float64(i)*plh, s, lst)
		}
	}
	return placed
}

func haloed(r rect, h float64) rect { return rect{r.X - h, r.Y - h, r.W + 2*h, r.H + 2*h} }

func overlapsAny(r rect, placed []rect) bool {
	for _, p := range placed {
		if r.overlaps(p) {
			return true
		}
	}
	return false
}

// districtLabels names the LabelTop districts with the highest published
// values (ties by code), highest first, at the centre of their largest
// polygon; a name whose box overlaps a label already placed is left out.
// A district of value 0 or less is never named: a map whose published
// values are all 0 would name the first codes as its "highest".
func (m *Map) districtLabels(c canvas, f *faces, l *layout, sh *shapes, placed []rect) {
	type top struct {
		i int
		v float64
	}
	var ts []top
	for i, d := range m.Boundaries.Districts {
		if v, ok := m.Values[d.Code]; ok && !math.IsNaN(v) && v > 0 && !m.Suppressed[d.Code] && d.Name != "" {
			ts = append(ts, top{i, v})
		}
	}
	slices.SortStableFunc(ts, func(a, b top) int {
		if c := cmp.Compare(b.v, a.v); c != 0 {
			return c
		}
		return cmp.Compare(m.Boundaries.Districts[a.i].Code, m.Boundaries.Districts[b.i].Code)
	})
	st := textStyle{size: 1.15 * l.u, bold: true, c: textColour, anchor: anchorMiddle, halo: 0.3 * l.u}
	for _, t := range ts[:min(m.LabelTop, len(ts))] {
		at, ok := largestCentre(sh.districts[t.i])
		if !ok {
			continue
		}
		name := m.Boundaries.Districts[t.i].Name
		tw := f.width(name, st.size, true)
		box := rect{at.X - tw/2, at.Y - 0.5*st.size, tw, 1.15 * st.size}
		if overlapsAny(haloed(box, st.halo), placed) {
			continue
		}
		placed = append(placed, haloed(box, st.halo))
		c.text(at.X, at.Y+0.35*st.size, name, st)
	}
}

// largestCentre returns the area centroid of the outer ring of the largest
// polygon of a district, in pixels.
func largestCentre(polys [][][]pt) (pt, bool) {
	best, at := 0.0, pt{}
	for _, rings := range polys {
		if len(rings) == 0 || len(rings[0]) < 3 {
			continue
		}
		r := rings[0]
		var a, cx, cy float64
		for i := range r {
			p, q := r[i], r[(i+1)%len(r)]
			x := p.X*q.Y - q.X*p.Y
			a += x
			cx += (p.X + q.X) * x
			cy += (p.Y + q.Y) * x
		}
		if math.Abs(a) > best {
			best, at = math.Abs(a), pt{cx / (3 * a), cy / (3 * a)}
		}
	}
	return at, best > 0
}

func splitMiddle(s string) []string {
	best, at := len(s), -1
	for i := range len(s) {
		if s[i] == ' ' {
			if d := abs(i - len(s)/2); d < best {
				best, at = d, i
			}
		}
	}
	return []string{s[:at], s[at+1:]}
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

type legendEntry struct {
	p    paint
	text string
}

type legendBox struct {
	title   []string
	entries []legendEntry
	w, h    float64
	ts, es  float64 // title and entry text sizes
	sw, sh  float64 // swatch size
	row     float64
	pad     float64
}

func (m *Map) legendBox(f *faces, l *layout) legendBox {
	u := l.u
	b := legendBox{ts: 1.45 * u, es: 1.3 * u, sw: 2.6 * u, sh: 1.7 * u, row: 2.3 * u, pad: 1.0 * u}
	if len(m.Breaks) > 0 {
		lo, hi := math.Inf(1), math.Inf(-1)
		for code, v := range m.Values {
			if !math.IsNaN(v) && !m.Suppressed[code] {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
		if math.IsInf(lo, 1) {
			lo = math.Min(0, m.Breaks[0])
		}
		lo = math.Min(lo, m.Breaks[0])
		bs := append([]float64(nil), m.Breaks...)
		bs[len(bs)-1] = math.Max(bs[len(bs)-1], hi)
		labels := classLabels(lo, bs, m.Counts)
		if len(m.Labels) == len(m.Breaks) {
			labels = m.Labels
		}
		for i, s := range labels {
			b.entries = append(b.entries, legendEntry{paint{c: l.palette[i]}, s})
		}
	}
	// Only what the map shows: no "suppressed" on an internal map.
	var noPop, noData, sup bool
	for _, d := range m.Boundaries.Districts {
		switch m.ClassOf(d.Code) {
		case -3:
			noPop = true
		case -2:
			sup = true
		case -1:
			noData = true
		}
	}
	if noPop {
		b.entries = append(b.entries, legendEntry{paint{c: NoPopColour}, "no population figure"})
	}
	if noData && !m.flowBase() {
		// A flow map's districts are its base, not missing values.
		b.entries = append(b.entries, legendEntry{paint{c: NoDataColour}, "no data"})
	}
	if sup {
		// Hatching hides small counts and the further figures that would
		// reveal them, which can be large: the legend says no more.
		b.entries = append(b.entries, legendEntry{paint{hatch: true}, "suppressed"})
	}
	tw := 0.0
	for _, e := range b.entries {
		tw = math.Max(tw, f.width(e.text, b.es, false))
	}
	inner := b.sw + 0.8*u + tw
	b.title = f.wrap(m.Legend, b.ts, true, math.Max(inner, 24*u))
	for _, s := range b.title {
		inner = math.Max(inner, f.width(s, b.ts, true))
	}
	b.w = inner + 2*b.pad
	b.h = 2*b.pad + float64(len(b.title))*1.3*b.ts + float64(len(b.entries))*b.row - (b.row - b.sh)
	if len(b.title) > 0 {
		b.h += 0.5 * u
	}
	return b
}

// corners returns the four placements of a w×h box in the frame, in the
// order preferred on ties: bottom-left, bottom-right, top-left, top-right.
func corners(fr rect, w, h float64) []rect {
	return []rect{
		{fr.X, fr.Y + fr.H - h, w, h},
		{fr.X + fr.W - w, fr.Y + fr.H - h, w, h},
		{fr.X, fr.Y, w, h},
		{fr.X + fr.W - w, fr.Y, w, h},
	}
}

// placeLegend draws the legend in the frame corner that hides the fewest
// districts and returns the rectangle it took.
func (m *Map) placeLegend(c canvas, f *faces, l *layout, occ *occupancy, b legendBox) rect {
	best, at := -1, rect{}
	for _, r := range corners(l.frame, b.w, b.h) {
		if n := occ.covered(r); best < 0 || n < best {
			best, at = n, r
		}
	}
	c.group("legend")
	c.rect(at, paint{c: white}, color.RGBA{}, 0)
	x, y := at.X+b.pad, at.Y+b.pad
	for _, s := range b.title {
		y += 1.3 * b.ts
		c.text(x, y-0.3*b.ts, s, textStyle{size: b.ts, bold: true, c: textColour})
	}
	if len(b.title) > 0 {
		y += 0.5 * l.u
	}
	for _, e := range b.entries {
		c.rect(rect{x, y, b.sw, b.sh}, e.p, color.RGBA{0x99, 0x99, 0x99, 255}, math.Max(0.5, 0.06*l.u))
		c.text(x+b.sw+0.8*l.u, y+b.sh/2+0.36*b.es, e.text, textStyle{size: b.es, c: textColour})
		y += b.row
	}
	c.endGroup()
	return at
}

// drawScale draws a scale bar in km, true along the middle latitude, and a
// north arrow, in the emptiest frame corner the legend left free.
func (m *Map) drawScale(c canvas, f *faces, l *layout, occ *occupancy, legend rect) {
	u := l.u
	perKm := l.proj.pxPerKm()
	target := l.frame.W * 0.2 / perKm
	km := math.Pow(10, math.Floor(math.Log10(target)))
	for _, k := range []float64{5, 2, 1} {
		if k*km <= target {
			km *= k
			break
		}
	}
	bar := km * perKm
	ts := 1.1 * u
	lastLabel := formatNumber(km, 0) + " km"
	w := bar + f.width(lastLabel, ts, false) + 2*u
	arrowH := 4.0 * u
	h := arrowH + 1.5*u + 0.7*u + 0.4*u + ts + 2*u
	best, at := -1, rect{}
	for _, r := range corners(l.frame, w, h) {
		if r.overlaps(legend) {
			continue
		}
		if n := occ.covered(r); best < 0 || n < best {
			best, at = n, r
		}
	}
	if best < 0 {
		return
	}
	c.group("scale")
	x0, y := at.X+u, at.Y+u
	// North arrow: a split triangle with N above it.
	ax, aw := x0+1.2*u, 1.2*u
	c.text(ax, y+1.2*u, "N", textStyle{size: 1.5 * u, bold: true, c: textColour, anchor: anchorMiddle})
	tip, base := y+1.6*u, y+arrowH
	c.polygon([]pt{{ax, tip}, {ax, base - 0.6*u}, {ax - aw/2, base}}, textColour)
	c.polygon([]pt{{ax, tip}, {ax + aw/2, base}, {ax, base - 0.6*u}}, greyText)
	y += arrowH + 1.5*u
	bh := 0.7 * u
	c.rect(rect{x0, y, bar / 2, bh}, paint{c: textColour}, textColour, math.Max(0.5, 0.08*u))
	c.rect(rect{x0 + bar/2, y, bar / 2, bh}, paint{c: white}, textColour, math.Max(0.5, 0.08*u))
	ty := y + bh + 0.4*u + ts
	st := textStyle{size: ts, c: textColour, anchor: anchorMiddle}
	c.text(x0, ty, "0", st)
	c.text(x0+bar/2, ty, formatNumber(km/2, decimalsFor(km/2)), st)
	c.text(x0+bar, ty, formatNumber(km, 0)+" km", st)
	c.endGroup()
}

func decimalsFor(v float64) int {
	if v == math.Trunc(v) {
		return 0
	}
	return 1
}

// flowBase reports whether the districts are only the base of a flow map,
// with no values of their own: not "no data" for a reader.
func (m *Map) flowBase() bool {
	return len(m.Values) == 0 && len(m.Lines) > 0
}
