package geo

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// InteriorPoint returns a point inside mp, for anchoring a label or a flow
// line: a centroid can fall outside a concave or multi-part district. It
// takes the part of largest area and the horizontal line through the middle
// of its bounds (nudged off any vertex), and returns the middle of the
// widest stretch of that line inside the part, holes counted, as JTS's
// InteriorPointArea does. ok is false for an empty or degenerate mp.
func InteriorPoint(mp orb.MultiPolygon) (orb.Point, bool) {
	best, area := -1, 0.0
	for i, p := range mp {
		if a := math.Abs(planar.Area(p)); a > area {
			best, area = i, a
		}
	}
	if best < 0 {
		return orb.Point{}, false
	}
	poly := mp[best]
	b := poly.Bound()
	y := (b.Min[1] + b.Max[1]) / 2
	// A line through a vertex counts an edge twice or not at all: take the
	// latitude halfway between the vertex latitudes nearest below and above
	// the middle, which no vertex has.
	below, above := b.Min[1], b.Max[1]
	for _, r := range poly {
		for _, p := range r {
			if p[1] <= y && p[1] > below {
				below = p[1]
			}
			if p[1] > y && p[1] < above {
				above = p[1]
			}
		}
	}
	y = (below + above) / 2
	var xs []float64
	for _, r := range poly {
		for i := range r {
			a, c := r[i], r[(i+1)%len(r)]
			if (a[1] > y) != (c[1] > y) {
				xs = append(xs, a[0]+(y-a[1])*(c[0]-a[0])/(c[1]-a[1]))
			}
		}
	}
	slices.Sort(xs)
	width, x := 0.0, math.NaN()
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > width {
			width, x = w, (xs[i]+xs[i+1])/2
		}
	}
	if math.IsNaN(x) {
		return orb.Point{}, false
	}
	return orb.Point{x, y}, true
}
