package render

import (
	"cmp"
	"image/color"
	"math"
	"slices"
)

// Line is a flow drawn over the districts: an arrow from one (lon, lat)
// point to another, bent to its right so that the two directions between a
// pair stay apart, as wide as its Value allows (see Map.Lines).
type Line struct {
	From, To         [2]float64 // (lon, lat)
	Value            float64    // a count: the width grows with it
	FromName, ToName string     // labels of the ends; "" none
}

// Mark is a point of interest drawn over the districts with its name, such
// as a border crossing.
type Mark struct {
	Lon, Lat float64
	Name     string
}

// Colours of flows and marks.
var (
	LineColour = color.RGBA{0xb2, 0x18, 0x2b, 255} // dark red
	MarkColour = color.RGBA{0x25, 0x25, 0x25, 255}
	endColour  = color.RGBA{0x08, 0x30, 0x6b, 255}
)

// drawLines paints m.Lines and m.Marks. An end outside the frame (a
// country) is drawn where the line from the frame's centre towards it
// meets the frame, inset, so that every line to one country meets at one
// point of the edge, in that country's direction.
//
// The ends' names, the largest flow's first, take the first of eight
// places beside their dot (right or left; level with it, below it, a line
// above or a line below those; the side towards the map's centre first
// for a country at the right edge) whose box overlaps no label placed
// before: the province names in placed, and the names of larger flows'
// ends. Countries drawn at one point of the edge (Italy and Greece) so
// stack. A name with no free place is left out, its dot drawn; a
// crossing's name that would overlap is left out too. It returns placed
// with the boxes of the names drawn.
func (m *Map) drawLines(c canvas, f *faces, l *layout, placed []rect) []rect {
	if len(m.Lines) == 0 && len(m.Marks) == 0 {
		return placed
	}
	u := l.u
	in := rect{l.frame.X + 2*u, l.frame.Y + 2*u, l.frame.W - 4*u, l.frame.H - 4*u}
	place := func(lonlat [2]float64) (pt, bool) {
		p := l.proj.project(lonlat[0], lonlat[1])
		if p.X >= in.X && p.X <= in.X+in.W && p.Y >= in.Y && p.Y <= in.Y+in.H {
			return p, false
		}
		return clampTo(in, p), true
	}
	maxV := 0.0
	for _, ln := range m.Lines {
		maxV = math.Max(maxV, ln.Value)
	}
	width := func(v float64) float64 {
		if maxV <= 0 {
			return 0.25 * u
		}
		return 0.2*u + 1.4*u*v/maxV
	}
	lines := slices.Clone(m.Lines)
	slices.SortStableFunc(lines, func(a, b Line) int { return cmp.Compare(b.Value, a.Value) })
	type label struct {
		p     pt
		name  string
		outer bool
		x, y  float64 // where the name is drawn; ok false: not drawn
		st    textStyle
		ok    bool
	}
	var labels []label
	seen := map[string]bool{}
	addLabel := func(p pt, name string, outer bool) {
		if name != "" && !seen[name] {
			seen[name] = true
			labels = append(labels, label{p: p, name: name, outer: outer})
		}
	}
	c.group("flows")
	for _, ln := range lines {
		a, ao := place(ln.From)
		b, bo := place(ln.To)
		addLabel(a, ln.FromName, ao)
		addLabel(b, ln.ToName, bo)
		d := math.Hypot(b.X-a.X, b.Y-a.Y)
		if d < 0.5*u {
			continue // both ends at one point: nothing to draw
		}
		w := width(ln.Value)
		head := math.Min(2.2*w+1.2*u, d/3)
		// A quadratic curve bent to the right of a -> b.
		nx, ny := (b.Y-a.Y)/d, -(b.X-a.X)/d
		ctl := pt{(a.X+b.X)/2 - 0.12*d*nx, (a.Y+b.Y)/2 - 0.12*d*ny}
		const steps = 24
		curve := make([]pt, 0, steps+1)
		for i := 0; i <= steps; i++ {
			t := float64(i) / steps
			s := 1 - t
			curve = append(curve, pt{s*s*a.X + 2*s*t*ctl.X + t*t*b.X, s*s*a.Y + 2*s*t*ctl.Y + t*t*b.Y})
		}
		// Stop the shaft where the head begins.
		cut := len(curve) - 1
		for cut > 1 && math.Hypot(b.X-curve[cut].X, b.Y-curve[cut].Y) < head {
			cut--
		}
		c.lines([][]pt{curve[:cut+1]}, LineColour, w)
		tail := curve[cut]
		tx, ty := b.X-tail.X, b.Y-tail.Y
		tn := math.Hypot(tx, ty)
		if tn == 0 {
			continue
		}
		tx, ty = tx/tn, ty/tn
		half := math.Max(w, 0.6*u)
		c.polygon([]pt{b, {tail.X - ty*half, tail.Y + tx*half}, {tail.X + ty*half, tail.Y - tx*half}}, LineColour)
	}
	c.endGroup()

	// box is the halo'd box of a name drawn at (x, y) with st.
	box := func(name string, x, y float64, st textStyle) rect {
		w := f.width(name, st.size, st.bold)
		if st.anchor == anchorEnd {
			x -= w
		}
		return haloed(rect{x, y - 0.8*st.size, w, st.size}, st.halo)
	}
	for i := range labels {
		lb := &labels[i]
		lb.st = textStyle{size: 1.25 * u, bold: lb.outer, c: endColour, halo: 0.25 * u}
		right, left := lb.p.X+0.7*u, lb.p.X-0.7*u
		sides := []struct {
			anchor int
			x      float64
		}{{anchorStart, right}, {anchorEnd, left}}
		if lb.outer && lb.p.X > l.frame.X+l.frame.W/2 {
			sides[0], sides[1] = sides[1], sides[0]
		}
		up, down, line := lb.p.Y-0.5*u, lb.p.Y+0.5*u+lb.st.size, 1.1*lb.st.size
		for _, y := range []float64{up, down, up - line, down + line} {
			for _, sd := range sides {
				st := lb.st
				st.anchor = sd.anchor
				if b := box(lb.name, sd.x, y, st); !lb.ok && !overlapsAny(b, placed) {
					lb.x, lb.y, lb.st, lb.ok = sd.x, y, st, true
					placed = append(placed, b)
				}
			}
		}
	}

	c.group("marks")
	for _, mk := range m.Marks {
		p, out := place([2]float64{mk.Lon, mk.Lat})
		if out {
			continue
		}
		s := 0.45 * u
		c.polygon([]pt{{p.X, p.Y - s}, {p.X + s, p.Y}, {p.X, p.Y + s}, {p.X - s, p.Y}}, MarkColour)
		st := textStyle{size: 1.0 * u, c: MarkColour, halo: 0.2 * u}
		if b := box(mk.Name, p.X+0.8*u, p.Y+0.9*u, st); !overlapsAny(b, placed) {
			placed = append(placed, b)
			c.text(p.X+0.8*u, p.Y+0.9*u, mk.Name, st)
		}
	}
	c.endGroup()

	c.group("flow-ends")
	for _, lb := range labels {
		c.polygon(octagon(lb.p, 0.35*u), endColour)
		if lb.ok {
			c.text(lb.x, lb.y, lb.name, lb.st)
		}
	}
	c.endGroup()
	return placed
}

// clampTo moves p, outside r, to where the segment from r's centre to p
// crosses r's edge.
func clampTo(r rect, p pt) pt {
	cx, cy := r.X+r.W/2, r.Y+r.H/2
	dx, dy := p.X-cx, p.Y-cy
	t := 1.0
	if dx != 0 {
		t = math.Min(t, math.Abs((r.W/2)/dx))
	}
	if dy != 0 {
		t = math.Min(t, math.Abs((r.H/2)/dy))
	}
	return pt{cx + t*dx, cy + t*dy}
}

func octagon(c pt, r float64) []pt {
	out := make([]pt, 8)
	for i := range out {
		a := 2 * math.Pi * float64(i) / 8
		out[i] = pt{c.X + r*math.Cos(a), c.Y + r*math.Sin(a)}
	}
	return out
}
