package geo

import (
	"encoding/binary"
	"math"
	"math/big"
	"slices"

	"github.com/paulmach/orb"
)

// Index answers which polygon (district) contains a point.
//
// # Design
//
// A uniform grid covers the extent of all polygons. Every ring edge is
// rasterised conservatively onto the cells it comes near, which splits the
// cells in two kinds:
//
//   - A fill cell has no edge in it, so every point of the cell is inside the
//     same set of parts; Locate answers it with two array reads.
//   - A boundary cell keeps the edges that touch it. Locate casts the ray east
//     only as far as the next fill cell of the row, counts the edges crossed
//     on the way, and combines their parity with that fill cell's known set.
//
// The set of a fill cell is derived the same way at build time, sweeping each
// row from east (where nothing is inside) to west, so the grid needs no
// per-polygon point-in-polygon test and the answer never depends on how the
// grid was laid out: every decision is the exact half-open crossing rule that
// Locate documents.
type Index struct {
	n int // number of polygons

	// Extent of all vertices; Locate answers -1 outside [minX, maxX) x [minY, maxY)
	// without looking at the grid, because the half-open rule puts no point
	// on the eastern or northern extreme inside any polygon.
	minX, minY, maxX, maxY float64
	invW, invH             float64 // cells per coordinate unit
	nx, ny                 int

	// cells holds, row-major, either a fill id or boundaryBit|boundary id.
	cells []uint32

	// Boundary cells, numbered row-major, so that the edges of the cells of a
	// row run are contiguous in edges and a ray walk is one slice.
	bstart []uint32 // edges of boundary b: edges[bstart[b]:bstart[b+1]]
	brun   []uint32 // end of edges of the last boundary cell of b's run
	bfill  []uint32 // fill id of the cell that ends b's run

	edges []gridEdge

	fillPoly  []int32   // answer for a fill id: lowest polygon, or -1
	fillParts [][]int32 // parts inside a fill id, sorted
	partPoly  []int32   // polygon of a part
}

const boundaryBit = 1 << 31

// gridEdge is a non-horizontal ring edge, stored in each cell it touches.
type gridEdge struct {
	// Endpoints ordered by y (y1 < y2), so that both districts sharing an
	// edge evaluate it with identical arithmetic whatever their ring order.
	x1, y1, x2, y2 float64
	part           int32
	// cont marks that the edge is also stored in the cell west of this one,
	// so a walk along the row counts it only once.
	cont bool
}

// gridCellsPerEdge trades the cache footprint of the grid (4 bytes a cell)
// against the edges a boundary cell holds: on the Pakistan ADM2 boundaries,
// 2 was fastest for points in districts and about as fast as 1 for points
// anywhere in the bounding box; 8 was slower for both.
const (
	gridCellsPerEdge = 2
	minGridCells     = 256
	maxGridCells     = 1 << 22
)

// NewIndex builds the index over polys; the result of Locate is an index into
// polys. Each orb.Polygon of a MultiPolygon is a part with its own outer ring
// and holes; a point is in a MultiPolygon if it is in any part. Rings with a
// non-finite coordinate are ignored.
func NewIndex(polys []orb.MultiPolygon) *Index {
	nEdges := 0
	for _, mp := range polys {
		for _, p := range mp {
			for _, r := range p {
				nEdges += len(r)
			}
		}
	}
	return newIndex(polys, min(max(gridCellsPerEdge*nEdges, minGridCells), maxGridCells))
}

// newIndex lets tests pick the grid size, to check that answers do not depend
// on it.
func newIndex(polys []orb.MultiPolygon, targetCells int) *Index {
	ix := &Index{n: len(polys)}

	// Flatten to parts and usable rings.
	type ring struct {
		pts  orb.Ring
		part int32
	}
	var rings []ring
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for i, mp := range polys {
		for _, p := range mp {
			part := int32(len(ix.partPoly))
			ix.partPoly = append(ix.partPoly, int32(i))
			for _, r := range p {
				if len(r) < 3 || !finiteRing(r) {
					continue
				}
				rings = append(rings, ring{r, part})
				for _, v := range r {
					minX, maxX = min(minX, v[0]), max(maxX, v[0])
					minY, maxY = min(minY, v[1]), max(maxY, v[1])
				}
			}
		}
	}
	ix.fillPoly = []int32{-1}
	ix.fillParts = [][]int32{nil}
	if !(minX < maxX && minY < maxY) {
		// No area: the empty extent makes Locate answer -1 everywhere.
		return ix
	}
	ix.minX, ix.minY, ix.maxX, ix.maxY = minX, minY, maxX, maxY

	// Near-square cells, as many as asked for.
	w, h := maxX-minX, maxY-minY
	side := math.Sqrt(w) * math.Sqrt(h) / math.Sqrt(float64(targetCells))
	ix.nx, ix.ny = 1, 1
	if side > 0 && side <= math.MaxFloat64 {
		ix.nx = int(min(max(math.Ceil(w/side), 1), float64(targetCells)))
		ix.ny = int(min(max(math.Ceil(h/side), 1), float64(targetCells)))
	}
	ix.invW, ix.invH = float64(ix.nx)/w, float64(ix.ny)/h
	if !(ix.invW > 0 && ix.invW <= math.MaxFloat64 && ix.invH > 0 && ix.invH <= math.MaxFloat64) {
		// An extent too large or too small to divide; one cell with all
		// edges in it still gives exact answers.
		ix.nx, ix.ny, ix.invW, ix.invH = 1, 1, 0, 0
	}
	ix.cells = make([]uint32, ix.nx*ix.ny)

	// The margin by which rasterise grows cells: far above the rounding error
	// of the cell arithmetic, far below a cell.
	cw, ch := 1/ix.invW, 1/ix.invH
	if ix.invW == 0 {
		cw, ch = w, h
	}
	mag := max(math.Abs(minX), math.Abs(maxX), math.Abs(minY), math.Abs(maxY))
	eps := 1e-6*max(cw, ch) + 1e-12*mag

	// Pass 1: cells[i] becomes 1 + the number of edges to store in cell i
	// for a boundary cell, and stays 0 for a fill cell. Horizontal edges are
	// never crossed by the ray, so they are not stored, but they still split
	// a cell.
	forEachEdge := func(visit func(cell int, e gridEdge, store bool)) {
		for _, r := range rings {
			n := len(r.pts)
			for i := range n {
				a, b := r.pts[i], r.pts[(i+1)%n]
				if a == b {
					continue
				}
				if a[1] > b[1] {
					a, b = b, a
				}
				e := gridEdge{x1: a[0], y1: a[1], x2: b[0], y2: b[1], part: r.part}
				ix.rasterise(e, eps, visit)
			}
		}
	}
	forEachEdge(func(cell int, _ gridEdge, store bool) {
		if ix.cells[cell] == 0 {
			ix.cells[cell] = 1
		}
		if store {
			ix.cells[cell]++
		}
	})

	// Number the boundary cells row-major and lay out their edges.
	nb := 0
	for _, c := range ix.cells {
		if c != 0 {
			nb++
		}
	}
	ix.bstart = make([]uint32, nb+1)
	ix.brun = make([]uint32, nb)
	ix.bfill = make([]uint32, nb)
	b, off := 0, uint32(0)
	for i, c := range ix.cells {
		if c == 0 {
			continue
		}
		ix.bstart[b] = off
		off += c - 1
		ix.cells[i] = boundaryBit | uint32(b)
		b++
	}
	ix.bstart[nb] = off
	ix.edges = make([]gridEdge, off)

	// Pass 2: store the edges.
	next := slices.Clone(ix.bstart[:nb])
	forEachEdge(func(cell int, e gridEdge, store bool) {
		if !store {
			return
		}
		b := ix.cells[cell] &^ boundaryBit
		ix.edges[next[b]] = e
		next[b]++
	})

	ix.sweepRows()
	return ix
}

func finiteRing(r orb.Ring) bool {
	for _, v := range r {
		if math.IsInf(v[0], 0) || math.IsInf(v[1], 0) || math.IsNaN(v[0]) || math.IsNaN(v[1]) {
			return false
		}
	}
	return true
}

// rasterise calls visit for every cell whose rectangle, grown by eps, meets
// the edge. Overestimating only costs time, while missing a cell would make
// Locate wrong, so eps errs on the generous side. Within a row the cells are
// contiguous, which the cont flag relies on.
func (ix *Index) rasterise(e gridEdge, eps float64, visit func(cell int, e gridEdge, store bool)) {
	store := e.y1 != e.y2
	lox, hix := min(e.x1, e.x2), max(e.x1, e.x2)
	r0, r1 := ix.row(e.y1-eps), ix.row(e.y2+eps)
	for r := r0; r <= r1; r++ {
		// The part of the edge inside the row's (grown) y-range.
		ya := max(e.y1, ix.minY+float64(r)/ix.invH-eps)
		yb := min(e.y2, ix.minY+float64(r+1)/ix.invH+eps)
		if ix.invH == 0 {
			ya, yb = e.y1, e.y2
		}
		xa, xb := lox, hix
		if store && ya <= yb {
			xa, xb = e.xAt(ya), e.xAt(yb)
			xa, xb = max(min(xa, xb), lox), min(max(xa, xb), hix)
		}
		c0, c1 := ix.col(xa-eps), ix.col(xb+eps)
		for c := c0; c <= c1; c++ {
			e.cont = c > c0
			visit(r*ix.nx+c, e, store)
		}
	}
}

// xAt interpolates the edge's x at y (only an estimate: rasterise grows it).
func (e *gridEdge) xAt(y float64) float64 {
	return e.x1 + (e.x2-e.x1)*((y-e.y1)/(e.y2-e.y1))
}

// col and row map a coordinate to its cell, clamped to the grid, with the
// same arithmetic in build and query so a point is always found in a cell
// whose grown rectangle holds it.
func (ix *Index) col(x float64) int {
	f := (x - ix.minX) * ix.invW
	if !(f > 0) {
		return 0
	}
	if f >= float64(ix.nx-1) {
		return ix.nx - 1
	}
	return int(f)
}

func (ix *Index) row(y float64) int {
	f := (y - ix.minY) * ix.invH
	if !(f > 0) {
		return 0
	}
	if f >= float64(ix.ny-1) {
		return ix.ny - 1
	}
	return int(f)
}

// sweepRows gives every fill cell its set of parts and every boundary cell
// the end of its run. Each row is swept from east to west: east of the grid
// no part is inside; the set of a fill run is the set of the next fill run
// east, toggled by the edges that a ray from the run's centre crosses in the
// boundary cells between them, which is exactly what Locate does for a point.
func (ix *Index) sweepRows() {
	sets := map[string]uint32{"": 0}
	var key []byte
	intern := func(parts []int32) uint32 {
		slices.Sort(parts)
		key = key[:0]
		for _, p := range parts {
			key = binary.LittleEndian.AppendUint32(key, uint32(p))
		}
		if id, ok := sets[string(key)]; ok {
			return id
		}
		id := uint32(len(ix.fillParts))
		sets[string(key)] = id
		ix.fillParts = append(ix.fillParts, slices.Clone(parts))
		best := int32(-1)
		for _, p := range parts {
			if q := ix.partPoly[p]; best < 0 || q < best {
				best = q
			}
		}
		ix.fillPoly = append(ix.fillPoly, best)
		return id
	}

	for r := range ix.ny {
		fill := uint32(0) // the set east of the grid: empty
		runEnd := uint32(0)
		for c := ix.nx - 1; c >= 0; c-- {
			i := r*ix.nx + c
			v := ix.cells[i]
			eastIsFill := c == ix.nx-1 || ix.cells[i+1]&boundaryBit == 0
			if v&boundaryBit != 0 {
				b := v &^ boundaryBit
				if eastIsFill {
					runEnd = ix.bstart[b+1]
				}
				ix.brun[b], ix.bfill[b] = runEnd, fill
				continue
			}
			if !eastIsFill {
				x := ix.minX + (float64(c)+0.5)/ix.invW
				y := ix.minY + (float64(r)+0.5)/ix.invH
				var buf [8]int32
				odd := ix.oddParts(buf[:0], ix.cells[i+1]&^boundaryBit, x, y)
				for _, part := range ix.fillParts[fill] {
					odd = toggleParts(odd, part)
				}
				fill = intern(odd)
			}
			ix.cells[i] = fill
		}
	}
}

// Locate returns the index of the polygon containing p (lon, lat), or -1 if
// none.
//
// A point exactly on a border belongs to the district east of it, or north
// of it if the border is horizontal: a district owns its western and southern
// borders, so a point on a border shared by two districts belongs to exactly
// one of them, and the corner shared by four grid-aligned squares belongs to
// the north-eastern one. Technically this is the crossing-number test with a
// ray cast east from p: an edge from (x1, y1) up to (x2, y2) is crossed iff
// y1 <= lat < y2 and p lies strictly west of it, decided with exact
// arithmetic; horizontal edges are never crossed.
//
// Where polygons overlap, the lowest index wins. Non-finite input gives -1.
// Locate is safe for concurrent use.
func (ix *Index) Locate(p orb.Point) int {
	x, y := p[0], p[1]
	if !(x >= ix.minX && x < ix.maxX && y >= ix.minY && y < ix.maxY) {
		return -1 // also NaN
	}
	v := ix.cells[ix.row(y)*ix.nx+ix.col(x)]
	if v&boundaryBit == 0 {
		return int(ix.fillPoly[v])
	}
	var buf [8]int32
	odd := ix.oddParts(buf[:0], v&^boundaryBit, x, y)
	for _, part := range ix.fillParts[ix.bfill[v&^boundaryBit]] {
		odd = toggleParts(odd, part)
	}
	best := int32(-1)
	for _, part := range odd {
		if q := ix.partPoly[part]; best < 0 || q < best {
			best = q
		}
	}
	return int(best)
}

// Len returns the number of polygons.
func (ix *Index) Len() int { return ix.n }

// oddParts appends to odd the parts with an odd number of edges crossed by
// the ray from (x, y) east to the end of boundary cell b's run.
func (ix *Index) oddParts(odd []int32, b uint32, x, y float64) []int32 {
	first := ix.bstart[b+1] // edges past here are in cells east of b
	run := ix.edges[ix.bstart[b]:ix.brun[b]]
	for i := range run {
		e := &run[i]
		if y < e.y1 || y >= e.y2 {
			continue
		}
		if e.cont && ix.bstart[b]+uint32(i) >= first {
			continue // counted in the cell west of this one
		}
		if e.leftOf(x, y) {
			odd = toggleParts(odd, e.part)
		}
	}
	return odd
}

// toggleParts flips part's membership in the small unordered set s.
func toggleParts(s []int32, part int32) []int32 {
	for i, q := range s {
		if q == part {
			s[i] = s[len(s)-1]
			return s[:len(s)-1]
		}
	}
	return append(s, part)
}

// ccwErrBound bounds the rounding error of the determinant in leftOf
// relative to |l|+|r| (Shewchuk's ccwerrboundA for orient2d).
const ccwErrBound = (3 + 16*0x1p-53) * 0x1p-53

// leftOf reports whether (x, y) lies strictly left of the upward edge, i.e.
// the sign of (x2-x1)*(y-y1) - (x-x1)*(y2-y1) is positive, computed exactly:
// a wrong sign near a vertex could put a point in two districts or none.
func (e *gridEdge) leftOf(x, y float64) bool {
	if x < e.x1 && x < e.x2 {
		return true
	}
	if x >= e.x1 && x >= e.x2 {
		return false
	}
	l := (e.x2 - e.x1) * (y - e.y1)
	r := (x - e.x1) * (e.y2 - e.y1)
	d, bound := l-r, ccwErrBound*(math.Abs(l)+math.Abs(r))
	if bound > 0x1p-960 { // well clear of underflow, where the bound fails
		if d > bound {
			return true
		}
		if -d > bound {
			return false
		}
	}
	return e.orientExact(x, y) > 0
}

// orientExact is the slow path of leftOf for points within rounding error
// of the edge's line, such as points exactly on a border.
func (e *gridEdge) orientExact(x, y float64) int {
	rat := func(f float64) *big.Rat { return new(big.Rat).SetFloat64(f) }
	x1, y1 := rat(e.x1), rat(e.y1)
	dx := new(big.Rat).Sub(rat(e.x2), x1)
	dy := new(big.Rat).Sub(rat(e.y2), y1)
	l := dx.Mul(dx, new(big.Rat).Sub(rat(y), y1))
	r := dy.Mul(dy, new(big.Rat).Sub(rat(x), x1))
	return l.Cmp(r)
}
