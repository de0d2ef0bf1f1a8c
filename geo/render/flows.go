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
func (m *Map) drawLines(c canvas, f *faces, l *layout) {
	if len(m.Lines) == 0 && len(m.Marks) == 0 {
		return
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
	}
	var labels []label
	seen := map[string]bool{}
	addLabel := func(p pt, name string, outer bool) {
		if name != "" && !seen[name] {
			seen[name] = true
			labels = append(labels, label{p, name, outer})
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

	c.group("marks")
	for _, mk := range m.Marks {
		p, out := place([2]float64{mk.Lon, mk.Lat})
		if out {
			continue
		}
		s := 0.45 * u
		c.polygon([]pt{{p.X, p.Y - s}, {p.X + s, p.Y}, {p.X, p.Y + s}, {p.X - s, p.Y}}, MarkColour)
		c.text(p.X+0.8*u, p.Y+0.9*u, mk.Name, textStyle{size: 1.0 * u, c: MarkColour, halo: 0.2 * u})
	}
	c.endGroup()

	c.group("flow-ends")
	for _, lb := range labels {
		s := 0.35 * u
		c.polygon(octagon(lb.p, s), endColour)
		st := textStyle{size: 1.25 * u, bold: lb.outer, c: endColour, halo: 0.25 * u}
		x := lb.p.X + 0.7*u
		if lb.outer && lb.p.X > l.frame.X+l.frame.W/2 {
			st.anchor, x = anchorEnd, lb.p.X-0.7*u
		}
		c.text(x, lb.p.Y-0.5*u, lb.name, st)
	}
	c.endGroup()
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
