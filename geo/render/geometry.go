package render

import (
	"cmp"
	"image"
	"image/draw"
	"math"
	"slices"

	"golang.org/x/image/vector"

	"github.com/ocmap/ocmap/geo"
)

// earthRadiusKm is the mean Earth radius (IUGG); one degree of latitude is
// 2π·R/360 ≈ 111.2 km.
const earthRadiusKm = 6371.0088

// snap is the grid, in pixels, that projected vertices snap to; tol is the
// Douglas-Peucker tolerance, in pixels. Both are far below what the eye or
// a 300 dpi printer resolves.
const (
	snap = 0.1
	tol  = 0.25
)

type pt struct{ X, Y float64 }

// projection is equirectangular: x = ox + (lon-lon0)·cos(lat0)·s,
// y = oy - (lat-lat0)·s, in pixels, y down.
type projection struct {
	lon0, lat0, cos, s, ox, oy float64
	aspect                     float64 // height / width of the projected bounds
}

func (p projection) project(lon, lat float64) pt {
	return pt{p.ox + (lon-p.lon0)*p.cos*p.s, p.oy - (lat-p.lat0)*p.s}
}

// pxPerKm is the scale along the parallel lat0, where it is exact.
func (p projection) pxPerKm() float64 { return p.s * 360 / (2 * math.Pi * earthRadiusKm) }

// fit returns the projection that centres the boundaries in frame.
func fit(b *geo.Boundaries, frame rect) projection {
	minLon, minLat, maxLon, maxLat := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, mp := range b.Polygons {
		bd := mp.Bound()
		minLon, minLat = math.Min(minLon, bd.Min[0]), math.Min(minLat, bd.Min[1])
		maxLon, maxLat = math.Max(maxLon, bd.Max[0]), math.Max(maxLat, bd.Max[1])
	}
	if minLon > maxLon {
		minLon, minLat, maxLon, maxLat = 0, 0, 1, 1
	}
	p := projection{lon0: (minLon + maxLon) / 2, lat0: (minLat + maxLat) / 2}
	p.cos = math.Cos(p.lat0 * math.Pi / 180)
	w, h := math.Max((maxLon-minLon)*p.cos, 1e-9), math.Max(maxLat-minLat, 1e-9)
	p.s = math.Min(frame.W/w, frame.H/h)
	p.aspect = h / w
	p.ox, p.oy = frame.X+frame.W/2, frame.Y+frame.H/2
	return p
}

type rect struct{ X, Y, W, H float64 }

func (r rect) overlaps(o rect) bool {
	return r.X < o.X+o.W && o.X < r.X+r.W && r.Y < o.Y+o.H && o.Y < r.Y+r.H
}

// vkey is a vertex snapped to the snap grid; equal keys are the same vertex.
type vkey struct{ x, y int32 }

func (k vkey) pt() pt { return pt{float64(k.x) * snap, float64(k.y) * snap} }

func cmpKey(a, b vkey) int {
	if c := cmp.Compare(a.x, b.x); c != 0 {
		return c
	}
	return cmp.Compare(a.y, b.y)
}

// shapes holds the projected, simplified districts (polygons of rings, the
// outer ring first) and the border polylines.
type shapes struct {
	districts [][][][]pt // district, polygon, ring, vertex
	inner     [][]pt     // borders between districts of one province
	outline   [][]pt     // province and national borders
	provinces []string   // sorted province names
	provOf    []int      // province index of each district
}

func buildShapes(b *geo.Boundaries, p projection) *shapes {
	sh := &shapes{provOf: make([]int, len(b.Districts))}
	for _, d := range b.Districts {
		if _, found := slices.BinarySearch(sh.provinces, d.Province); !found {
			sh.provinces = append(sh.provinces, d.Province)
			slices.Sort(sh.provinces)
		}
	}
	for i, d := range b.Districts {
		sh.provOf[i], _ = slices.BinarySearch(sh.provinces, d.Province)
	}

	// Project and snap; drop repeated vertices and the closing one.
	keyed := make([][][][]vkey, len(b.Polygons))
	for i, mp := range b.Polygons {
		for _, poly := range mp {
			var rings [][]vkey
			for ri, r := range poly {
				var ks []vkey
				for _, c := range r {
					q := p.project(c[0], c[1])
					k := vkey{int32(math.Round(q.X / snap)), int32(math.Round(q.Y / snap))}
					if len(ks) == 0 || ks[len(ks)-1] != k {
						ks = append(ks, k)
					}
				}
				for len(ks) > 1 && ks[len(ks)-1] == ks[0] {
					ks = ks[:len(ks)-1]
				}
				if len(ks) < 3 {
					if ri == 0 {
						break // the outer ring vanished: so does the polygon
					}
					continue
				}
				rings = append(rings, ks)
			}
			if len(rings) > 0 {
				keyed[i] = append(keyed[i], rings)
			}
		}
	}

	// Junctions are vertices with other than two neighbours; arcs between
	// them are simplified once, in a canonical direction, so both districts
	// along a shared border keep the same vertices.
	nbrs := map[vkey][]vkey{}
	addNbr := func(a, b vkey) {
		if !slices.Contains(nbrs[a], b) {
			nbrs[a] = append(nbrs[a], b)
		}
	}
	eachRing(keyed, func(r []vkey) {
		for i, k := range r {
			addNbr(k, r[(i+len(r)-1)%len(r)])
			addNbr(k, r[(i+1)%len(r)])
		}
	})
	junction := map[vkey]bool{}
	for k, ns := range nbrs {
		if len(ns) != 2 {
			junction[k] = true
		}
	}
	eachRing(keyed, func(r []vkey) {
		if !slices.ContainsFunc(r, func(k vkey) bool { return junction[k] }) {
			junction[slices.MinFunc(r, cmpKey)] = true
		}
	})
	keep := map[vkey]bool{}
	done := map[[2]vkey]bool{}
	eachRing(keyed, func(r []vkey) {
		start := slices.IndexFunc(r, func(k vkey) bool { return junction[k] })
		n := len(r)
		arc := []vkey{r[start]}
		for s := 1; s <= n; s++ {
			k := r[(start+s)%n]
			arc = append(arc, k)
			if !junction[k] {
				continue
			}
			if len(arc) > 2 {
				a := slices.Clone(arc)
				if c := cmpKey(a[0], a[len(a)-1]); c > 0 || c == 0 && cmpKey(a[1], a[len(a)-2]) > 0 {
					slices.Reverse(a)
				}
				if id := [2]vkey{a[0], a[1]}; !done[id] {
					done[id] = true
					douglasPeucker(a, keep)
				}
			}
			arc = append(arc[:0], k)
		}
	})

	sh.districts = make([][][][]pt, len(keyed))
	simple := make([][][][]vkey, len(keyed))
	for i, polys := range keyed {
		for _, rings := range polys {
			var out [][]vkey
			for ri, r := range rings {
				var s []vkey
				for _, k := range r {
					if junction[k] || keep[k] {
						s = append(s, k)
					}
				}
				if len(s) < 3 {
					if ri == 0 {
						break
					}
					continue
				}
				out = append(out, s)
			}
			if len(out) == 0 {
				continue
			}
			simple[i] = append(simple[i], out)
			var prs [][]pt
			for _, s := range out {
				ps := make([]pt, len(s))
				for j, k := range s {
					ps[j] = k.pt()
				}
				prs = append(prs, ps)
			}
			sh.districts[i] = append(sh.districts[i], prs)
		}
	}
	sh.borders(simple)
	return sh
}

func eachRing(keyed [][][][]vkey, f func([]vkey)) {
	for _, polys := range keyed {
		for _, rings := range polys {
			for _, r := range rings {
				f(r)
			}
		}
	}
}

// douglasPeucker marks the vertices of arc to keep (its ends always stay).
func douglasPeucker(arc []vkey, keep map[vkey]bool) {
	type span struct{ i, j int }
	stack := []span{{0, len(arc) - 1}}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if s.j-s.i < 2 {
			continue
		}
		a, b := arc[s.i].pt(), arc[s.j].pt()
		best, arg := -1.0, -1
		for k := s.i + 1; k < s.j; k++ {
			if d := segDist(arc[k].pt(), a, b); d > best {
				best, arg = d, k
			}
		}
		if best > tol {
			keep[arc[arg]] = true
			stack = append(stack, span{s.i, arg}, span{arg, s.j})
		}
	}
}

func segDist(p, a, b pt) float64 {
	dx, dy := b.X-a.X, b.Y-a.Y
	l2 := dx*dx + dy*dy
	if l2 == 0 {
		return math.Hypot(p.X-a.X, p.Y-a.Y)
	}
	t := math.Max(0, math.Min(1, ((p.X-a.X)*dx+(p.Y-a.Y)*dy)/l2))
	return math.Hypot(p.X-a.X-t*dx, p.Y-a.Y-t*dy)
}

// borders splits every edge once into inner or outline polylines: an edge
// used by one district only, or by districts of different provinces, is an
// outline (province dissolve without polygon clipping).
func (sh *shapes) borders(simple [][][][]vkey) {
	type edgeInfo struct {
		prov    int
		n       int
		mixed   bool
		emitted bool
	}
	type ekey struct{ a, b vkey }
	mk := func(a, b vkey) ekey {
		if cmpKey(a, b) > 0 {
			a, b = b, a
		}
		return ekey{a, b}
	}
	edges := map[ekey]*edgeInfo{}
	for i, polys := range simple {
		for _, rings := range polys {
			for _, r := range rings {
				for j := range r {
					k := mk(r[j], r[(j+1)%len(r)])
					e := edges[k]
					if e == nil {
						e = &edgeInfo{prov: sh.provOf[i]}
						edges[k] = e
					}
					e.n++
					if e.prov != sh.provOf[i] {
						e.mixed = true
					}
				}
			}
		}
	}
	for _, polys := range simple {
		for _, rings := range polys {
			for _, r := range rings {
				var cur []pt
				curOutline := false
				flush := func() {
					if len(cur) > 1 {
						if curOutline {
							sh.outline = append(sh.outline, cur)
						} else {
							sh.inner = append(sh.inner, cur)
						}
					}
					cur = nil
				}
				for j := range r {
					a, b := r[j], r[(j+1)%len(r)]
					e := edges[mk(a, b)]
					if e.emitted {
						flush()
						continue
					}
					e.emitted = true
					outline := e.n == 1 || e.mixed
					if len(cur) == 0 || outline != curOutline {
						flush()
						cur = []pt{a.pt()}
						curOutline = outline
					}
					cur = append(cur, b.pt())
				}
				flush()
			}
		}
	}
}

// occupancy is a coarse raster of the map: cell value is 1 + the province
// index of the district covering it, or 0.
type occupancy struct {
	g    float64 // cells per pixel
	w, h int
	cell []int16
}

func buildOccupancy(sh *shapes, W, H int) *occupancy {
	o := &occupancy{g: 0.25}
	o.w, o.h = int(math.Ceil(float64(W)*o.g)), int(math.Ceil(float64(H)*o.g))
	o.cell = make([]int16, o.w*o.h)
	mask := image.NewAlpha(image.Rect(0, 0, o.w, o.h))
	var z vector.Rasterizer
	for i, polys := range sh.districts {
		for _, rings := range polys {
			bb := ringsBounds(rings, o.g).Intersect(mask.Rect)
			if bb.Empty() {
				continue
			}
			z.Reset(bb.Dx(), bb.Dy())
			z.DrawOp = draw.Src
			for _, r := range orient(rings) {
				addRing(&z, r, o.g, float64(bb.Min.X), float64(bb.Min.Y))
			}
			sub := image.NewAlpha(bb)
			z.Draw(sub, bb, image.Opaque, image.Point{})
			for y := bb.Min.Y; y < bb.Max.Y; y++ {
				for x := bb.Min.X; x < bb.Max.X; x++ {
					if sub.AlphaAt(x, y).A >= 128 {
						o.cell[y*o.w+x] = int16(sh.provOf[i] + 1)
					}
				}
			}
		}
	}
	return o
}

// covered counts occupied cells under r (pixels).
func (o *occupancy) covered(r rect) int {
	x0, y0 := max(0, int(r.X*o.g)), max(0, int(r.Y*o.g))
	x1, y1 := min(o.w, int(math.Ceil((r.X+r.W)*o.g))), min(o.h, int(math.Ceil((r.Y+r.H)*o.g)))
	n := 0
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			if o.cell[y*o.w+x] != 0 {
				n++
			}
		}
	}
	return n
}

// distance is the chamfer distance transform of province p: for each cell
// of it, the distance in cells to the nearest cell outside it (the map's
// edge counts as outside); 0 elsewhere.
func (o *occupancy) distance(p int) []float64 {
	const d1, d2 = 1.0, math.Sqrt2
	dist := make([]float64, o.w*o.h)
	id := int16(p + 1)
	for i, v := range o.cell {
		if v == id {
			dist[i] = math.Inf(1)
		}
	}
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= o.w || y >= o.h {
			return 0
		}
		return dist[y*o.w+x]
	}
	for y := 0; y < o.h; y++ {
		for x := 0; x < o.w; x++ {
			i := y*o.w + x
			if dist[i] == 0 {
				continue
			}
			dist[i] = min(dist[i], at(x-1, y)+d1, at(x, y-1)+d1, at(x-1, y-1)+d2, at(x+1, y-1)+d2)
		}
	}
	for y := o.h - 1; y >= 0; y-- {
		for x := o.w - 1; x >= 0; x-- {
			i := y*o.w + x
			if dist[i] == 0 {
				continue
			}
			dist[i] = min(dist[i], at(x+1, y)+d1, at(x, y+1)+d1, at(x+1, y+1)+d2, at(x-1, y+1)+d2)
		}
	}
	return dist
}

// pole approximates the pole of inaccessibility of a province from its
// distance transform: the cell farthest from any cell outside it, in
// pixels, with that distance (ties: the one nearest the top left). ok is
// false when the province has no cell.
func (o *occupancy) pole(dist []float64) (c pt, radius float64, ok bool) {
	best, bi := 0.0, -1
	for i, d := range dist {
		if d > best {
			best, bi = d, i
		}
	}
	if bi < 0 {
		return pt{}, 0, false
	}
	return o.centre(bi), best / o.g, true
}

func (o *occupancy) centre(i int) pt {
	return pt{(float64(i%o.w) + 0.5) / o.g, (float64(i/o.w) + 0.5) / o.g}
}

// area is a summed-area table of the cells of one province, to count them
// under any rectangle in constant time.
type area struct {
	w   int
	sum []int32 // (w+1)×(h+1): sum[y*(w+1)+x] counts the cells above and left of (x, y)
}

func (o *occupancy) area(p int) area {
	a := area{w: o.w, sum: make([]int32, (o.w+1)*(o.h+1))}
	id := int16(p + 1)
	for y := 0; y < o.h; y++ {
		row := int32(0)
		for x := 0; x < o.w; x++ {
			if o.cell[y*o.w+x] == id {
				row++
			}
			a.sum[(y+1)*(o.w+1)+x+1] = a.sum[y*(o.w+1)+x+1] + row
		}
	}
	return a
}

// count is the number of the province's cells in columns [x0, x1) and rows
// [y0, y1), which must lie in the raster.
func (a area) count(x0, y0, x1, y1 int) int32 {
	w := a.w + 1
	return a.sum[y1*w+x1] - a.sum[y0*w+x1] - a.sum[y1*w+x0] + a.sum[y0*w+x0]
}

// cells returns the cells under r (pixels) grown by one cell on each side,
// as [x0, x1) × [y0, y1), and whether they lie in the raster.
func (o *occupancy) cells(r rect) (x0, y0, x1, y1 int, ok bool) {
	x0, y0 = int(math.Floor(r.X*o.g))-1, int(math.Floor(r.Y*o.g))-1
	x1, y1 = int(math.Ceil((r.X+r.W)*o.g))+1, int(math.Ceil((r.Y+r.H)*o.g))+1
	return x0, y0, x1, y1, x0 >= 0 && y0 >= 0 && x1 <= o.w && y1 <= o.h
}

// inside reports whether r (pixels), with a margin of one cell, lies in
// the province's cells only.
func (o *occupancy) inside(a area, r rect) bool {
	x0, y0, x1, y1, ok := o.cells(r)
	return ok && int(a.count(x0, y0, x1, y1)) == (x1-x0)*(y1-y0)
}

// outside reports whether r (pixels), with a margin of one cell, lies on
// the map and holds none of the province's cells.
func (o *occupancy) outside(a area, r rect) bool {
	x0, y0, x1, y1, ok := o.cells(r)
	return ok && a.count(x0, y0, x1, y1) == 0
}

// kinds counts the provinces, and the outside of the map as one more,
// under r (pixels, grown by one cell): 1 when r lies in one province.
func (o *occupancy) kinds(r rect) int {
	x0, y0, x1, y1, _ := o.cells(r)
	seen := map[int16]bool{}
	for y := max(0, y0); y < min(o.h, y1); y++ {
		for x := max(0, x0); x < min(o.w, x1); x++ {
			seen[o.cell[y*o.w+x]] = true
		}
	}
	return len(seen)
}

// fitInside returns the centre (pixels) of a w×h box that lies, with a
// margin of one cell, inside the province of distance transform dist and
// summed area a, and overlaps none of placed: of all such positions, the
// one farthest from the province's border (ties: the first from the top
// left). ok is false when the box fits nowhere.
func (o *occupancy) fitInside(dist []float64, a area, w, h float64, placed []rect) (c pt, ok bool) {
	best := -1.0
	for i, d := range dist {
		if d <= best || d == 0 {
			continue
		}
		at := o.centre(i)
		r := rect{at.X - w/2, at.Y - h/2, w, h}
		if o.inside(a, r) && !overlapsAny(r, placed) {
			best, c, ok = d, at, true
		}
	}
	return c, ok
}

func ringsBounds(rings [][]pt, scale float64) image.Rectangle {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, r := range rings {
		for _, q := range r {
			minX, minY = math.Min(minX, q.X), math.Min(minY, q.Y)
			maxX, maxY = math.Max(maxX, q.X), math.Max(maxY, q.Y)
		}
	}
	if minX > maxX {
		return image.Rectangle{}
	}
	return image.Rect(int(math.Floor(minX*scale)), int(math.Floor(minY*scale)),
		int(math.Ceil(maxX*scale))+1, int(math.Ceil(maxY*scale))+1)
}

// orient returns the rings of one polygon with the outer ring of positive
// signed area and holes negative, so that x/image/vector, which fills by
// the absolute winding sum, leaves holes empty whatever the file's order.
func orient(rings [][]pt) [][]pt {
	out := make([][]pt, len(rings))
	for i, r := range rings {
		a := signedArea(r)
		if (i == 0) != (a > 0) {
			r = slices.Clone(r)
			slices.Reverse(r)
		}
		out[i] = r
	}
	return out
}

func signedArea(r []pt) float64 {
	s := 0.0
	for i, a := range r {
		b := r[(i+1)%len(r)]
		s += a.X*b.Y - b.X*a.Y
	}
	return s / 2
}

func addRing(z *vector.Rasterizer, r []pt, scale, dx, dy float64) {
	for i, q := range r {
		x, y := float32(q.X*scale-dx), float32(q.Y*scale-dy)
		if i == 0 {
			z.MoveTo(x, y)
		} else {
			z.LineTo(x, y)
		}
	}
	z.ClosePath()
}
