package geo

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Kinds of Weights.
const (
	KindQueen    = "queen"     // shared vertices only
	KindQueenKNN = "queen+knn" // queen, with nearest districts given to the islands
)

// Weights are binary spatial weights: neighbour lists over the districts of a
// Boundaries, by index, for local statistics such as Getis-Ord Gi* and Local
// Moran's I. They are symmetric: j is in Neighbors[i] exactly when i is in
// Neighbors[j].
type Weights struct {
	Neighbors [][]int // sorted ascending, never the district itself
	Kind      string  // KindQueen or KindQueenKNN
	Islands   []int   // districts without a queen neighbour, ascending, before any fallback
}

// Links is the number of directed links, the sum of the neighbour counts.
func (w *Weights) Links() int {
	n := 0
	for _, nb := range w.Neighbors {
		n += len(nb)
	}
	return n
}

// QueenWeights makes two districts neighbours when they share at least one
// vertex with exactly equal coordinates, on any ring of any part, holes
// included. This is libpysal's Queen contiguity (weights.Queen), which
// compares vertices only: a vertex of one district lying on an edge of
// another, between that district's vertices, does not make them neighbours.
// Boundary files built with shared topology (COD-AB, geoBoundaries) repeat
// every border vertex in both districts, so that rule loses nothing there.
func QueenWeights(b *Boundaries) *Weights {
	return queen(b.Polygons)
}

// vertexOwner is one vertex of one district, for sorting equal vertices together.
type vertexOwner struct {
	x, y float64
	d    int32
}

func queen(polys []orb.MultiPolygon) *Weights {
	n := 0
	for _, mp := range polys {
		for _, p := range mp {
			for _, r := range p {
				n += len(r)
			}
		}
	}
	// Sorting every (vertex, district) pair groups equal vertices; it is
	// faster than a hash map of the 255k COD-AB vertices and needs no
	// per-vertex allocation.
	vs := make([]vertexOwner, 0, n)
	for d, mp := range polys {
		for _, p := range mp {
			for _, r := range p {
				for _, pt := range r {
					vs = append(vs, vertexOwner{pt[0], pt[1], int32(d)})
				}
			}
		}
	}
	slices.SortFunc(vs, func(a, b vertexOwner) int {
		if c := cmp.Compare(a.x, b.x); c != 0 {
			return c
		}
		if c := cmp.Compare(a.y, b.y); c != 0 {
			return c
		}
		return cmp.Compare(a.d, b.d)
	})
	var pairs [][2]int32
	var owners []int32
	for i := 0; i < len(vs); {
		j := i + 1
		for j < len(vs) && vs[j].x == vs[i].x && vs[j].y == vs[i].y {
			j++
		}
		if vs[i].d != vs[j-1].d { // more than one district: sorted by d within the run
			owners = owners[:0]
			for k := i; k < j; k++ {
				if len(owners) == 0 || owners[len(owners)-1] != vs[k].d {
					owners = append(owners, vs[k].d)
				}
			}
			for a := range owners {
				for _, o := range owners[a+1:] {
					pairs = append(pairs, [2]int32{owners[a], o})
				}
			}
		}
		i = j
	}
	slices.SortFunc(pairs, func(a, b [2]int32) int {
		if c := cmp.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return cmp.Compare(a[1], b[1])
	})
	pairs = slices.Compact(pairs)

	w := &Weights{Neighbors: make([][]int, len(polys)), Kind: KindQueen}
	for _, p := range pairs {
		w.Neighbors[p[0]] = append(w.Neighbors[p[0]], int(p[1]))
		w.Neighbors[p[1]] = append(w.Neighbors[p[1]], int(p[0]))
	}
	for i, nb := range w.Neighbors {
		slices.Sort(nb)
		if len(nb) == 0 {
			w.Islands = append(w.Islands, i)
		}
	}
	return w
}

// WithKNN returns a copy of w in which each island is linked to its k
// nearest other districts, and they to it, so the weights stay symmetric and
// an island's own neighbours may grow by more than k links. Distance is
// Euclidean between area centroids on (lon, lat) degrees, as libpysal's
// weights.KNN measures it on unprojected coordinates; ties go to the lower
// index. Without islands the copy keeps Kind KindQueen.
func (w *Weights) WithKNN(b *Boundaries, k int) *Weights {
	out := &Weights{
		Neighbors: make([][]int, len(w.Neighbors)),
		Kind:      w.Kind,
		Islands:   slices.Clone(w.Islands),
	}
	for i, nb := range w.Neighbors {
		out.Neighbors[i] = slices.Clone(nb)
	}
	if len(w.Islands) == 0 || k <= 0 {
		return out
	}
	cs := centroids(b.Polygons)
	for _, i := range w.Islands {
		for _, j := range nearest(cs, i, k) {
			out.Neighbors[i] = insertSorted(out.Neighbors[i], j)
			out.Neighbors[j] = insertSorted(out.Neighbors[j], i)
		}
	}
	out.Kind = KindQueenKNN
	return out
}

// centroids are the planar area centroids of the districts in (lon, lat).
func centroids(polys []orb.MultiPolygon) []orb.Point {
	cs := make([]orb.Point, len(polys))
	for i, mp := range polys {
		cs[i], _ = planar.CentroidArea(mp)
	}
	return cs
}

// nearest returns the k points of cs closest to cs[i], other than i, nearest
// first, ties by lower index.
func nearest(cs []orb.Point, i, k int) []int {
	idx := make([]int, 0, len(cs)-1)
	for j := range cs {
		if j != i {
			idx = append(idx, j)
		}
	}
	d2 := func(j int) float64 {
		dx, dy := cs[j][0]-cs[i][0], cs[j][1]-cs[i][1]
		return dx*dx + dy*dy
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(d2(a), d2(b)) })
	return idx[:min(k, len(idx))]
}

func insertSorted(s []int, v int) []int {
	at, found := slices.BinarySearch(s, v)
	if found {
		return s
	}
	return slices.Insert(s, at, v)
}

// probeMetres is how far outside an outline edge BorderDistricts looks: far
// enough to leave the district, near enough to stay by the edge.
const probeMetres = 1000.0

// BorderDistricts reports, by district index, which districts touch the
// national outline on land (a land border, or the Line of Control), not only
// on the coast.
//
// An edge (two consecutive ring vertices) that no other district repeats, in
// either direction, lies on the outline of the whole map. It is coast when
// the point probeMetres outside its midpoint lies south of coastEnvelope, a
// hand-drawn line just inland of the Arabian Sea coast between the Iran
// border and Sir Creek, and land otherwise. A district is a border district
// when it has a land outline edge.
//
// Limitations: the rule needs shared topology (neighbours repeat each
// other's border vertices, as in COD-AB), so a gap between two districts or
// an unfilled hole reads as land border. coastEnvelope fits Pakistan only
// (any other coast reads as land border) and is drawn tightly only at the
// two ends of the coast, from the COD-AB 2022 outline, so a file that draws
// Gwatar Bay or Sir Creek differently may move an edge across it. Sir Creek
// itself counts as land border.
func BorderDistricts(b *Boundaries) []bool {
	border := make([]bool, len(b.Polygons))
	for _, e := range outlineEdges(b.Polygons) {
		if border[e.d] {
			continue
		}
		if !isCoast(e.probe()) {
			border[e.d] = true
		}
	}
	return border
}

// outlineEdge is an edge of district d that no other district shares; a and
// b are in ring order.
type outlineEdge struct {
	a, b orb.Point
	d    int
	ccw  bool // orientation of the ring the edge comes from
}

// probe is the point probeMetres outside the edge's midpoint, on the side
// away from the district: the right of a counter-clockwise ring, the left of
// a clockwise one (orb puts a hole either way, and a hole's outside is the
// district, so a probe off a hole lands in the hole).
func (e outlineEdge) probe() orb.Point {
	mx, my := (e.a[0]+e.b[0])/2, (e.a[1]+e.b[1])/2
	// Metres to degrees, locally: good to a fraction of a percent at 1 km.
	const mPerDegLat = 111320.0
	mPerDegLon := mPerDegLat * math.Cos(my*math.Pi/180)
	dx, dy := (e.b[0]-e.a[0])*mPerDegLon, (e.b[1]-e.a[1])*mPerDegLat
	l := math.Hypot(dx, dy)
	if l == 0 {
		return orb.Point{mx, my}
	}
	nx, ny := dy/l, -dx/l // right of a->b
	if !e.ccw {
		nx, ny = -nx, -ny
	}
	return orb.Point{mx + nx*probeMetres/mPerDegLon, my + ny*probeMetres/mPerDegLat}
}

// outlineEdges lists the edges that appear in exactly one district. An edge
// a district repeats itself (two parts touching) is not outline only when
// another district also has it, which a shared topology never produces.
func outlineEdges(polys []orb.MultiPolygon) []outlineEdge {
	type key struct{ ax, ay, bx, by float64 }
	norm := func(a, b orb.Point) key {
		if a[0] > b[0] || (a[0] == b[0] && a[1] > b[1]) {
			a, b = b, a
		}
		return key{a[0], a[1], b[0], b[1]}
	}
	const shared = -1
	owner := map[key]int{}
	for d, mp := range polys {
		for _, p := range mp {
			for _, r := range p {
				for i := 1; i < len(r); i++ {
					if r[i-1] == r[i] {
						continue
					}
					k := norm(r[i-1], r[i])
					if o, ok := owner[k]; ok && o != d {
						owner[k] = shared
					} else if !ok {
						owner[k] = d
					}
				}
			}
		}
	}
	var out []outlineEdge
	for d, mp := range polys {
		for _, p := range mp {
			for _, r := range p {
				ccw := r.Orientation() == orb.CCW
				for i := 1; i < len(r); i++ {
					if r[i-1] == r[i] {
						continue
					}
					if owner[norm(r[i-1], r[i])] == d {
						out = append(out, outlineEdge{r[i-1], r[i], d, ccw})
					}
				}
			}
		}
	}
	return out
}

// coastEnvelope is a hand-drawn line in (lon, lat), west to east, that runs
// a little inland of Pakistan's Arabian Sea coast, so that every creek,
// lagoon and bay lies south of it, and meets the national outline where the
// coast ends: at the Iran border in Gwatar Bay (61.6E 25.2N) and at the
// mouth of Sir Creek on the India border (68.2E 23.8N). No land border comes
// south of it between those ends, so the rule needs no finer shoreline.
var coastEnvelope = orb.LineString{
	{61.55, 25.21}, {61.64, 25.21}, {61.66, 25.30}, {61.70, 25.55}, {62.00, 25.80},
	{66.90, 25.90}, {67.40, 25.00}, {67.60, 24.50}, {68.00, 24.10}, {68.25, 23.85},
}

// isCoast reports whether p lies south of coastEnvelope, within its
// longitudes: at sea off Pakistan.
func isCoast(p orb.Point) bool {
	s := coastEnvelope
	for i := 1; i < len(s); i++ {
		a, b := s[i-1], s[i]
		if p[0] < a[0] || p[0] > b[0] {
			continue
		}
		t := (p[0] - a[0]) / (b[0] - a[0])
		return p[1] < a[1]+t*(b[1]-a[1])
	}
	return false
}
