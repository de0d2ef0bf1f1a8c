package geo

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
)

// Errors of a boundary file that cannot be right. Load and Read refuse such
// a file, since a database is tied to the boundary file it was built with.
var (
	ErrProjected   = errors.New("coordinates look projected (metres); ocmap needs longitude/latitude (EPSG:4326)")
	ErrCoordinates = errors.New("coordinates outside longitude -180..180, latitude -90..90")
	ErrRing        = errors.New("invalid polygon ring")
	ErrOverlap     = errors.New("districts overlap")
	ErrSwapped     = errors.New("coordinates look swapped: each pair reads [latitude, longitude], where GeoJSON has [longitude, latitude]")
)

// swapFix tells how to put a file's pairs in GeoJSON's order.
const swapFix = `rewrite the file with each pair as [longitude, latitude]: in QGIS, "Swap X and Y coordinates"; or ` +
	`jq '(.features[].geometry.coordinates) |= walk(if type == "array" and length >= 2 and (.[0] | type) == "number" then [.[1], .[0]] + .[2:] else . end)' FILE > fixed.geojson`

// fixFor is swapFix for the file at path, quoted for a shell.
func fixFor(path string) string {
	if path == "" || strings.ContainsRune(path, '\'') {
		return swapFix
	}
	return strings.Replace(swapFix, "FILE", "'"+path+"'", 1)
}

// SwapRatio is how much nearer to even the east-west and north-south
// lengths of a file's borders must come when its pairs are read the other
// way round before the file is refused as swapped (see checkAxes). A
// correct file is refused only when its borders run less than about 0.67
// km east-west for each km north-south; real district files run 1.0 to 1.2,
// and single outlines of long countries 0.48 (Chile) to 0.74 (Norway):
// 0.57 for Malawi, let through with a margin of 0.19 in the logarithm.
const SwapRatio = 1.5

// checkAxes refuses a file whose pairs are [latitude, longitude]. Such a
// file is in range wherever no longitude passes 90 degrees (all of Africa
// and Europe, Pakistan, Brazil, ...) and loads, but every district lies
// elsewhere on the globe: Pakistan's over Finland. What gives it away,
// for any country, is the length of the borders in kilometres: district
// borders run about as far east-west as north-south (COD-AB and
// geoBoundaries Pakistan 1.03 to 1.05 east-west for each km north-south;
// the country's outline 1.2). Read the wrong way round, a degree of
// longitude is taken at the wrong latitude, and the borders seem to run
// cos(lat) x cos(lon) as far east-west (0.28 for Pakistan swapped). A file
// is refused when, read the other way round, its ratio comes nearer 1 by
// a factor of SwapRatio or more. A file within about 35 degrees of both
// the equator and the prime meridian (cos(lat) x cos(lon) above
// 1/SwapRatio: West and Central Africa, southern Europe) cannot be told
// either way and is let through, as is a lone elongated outline (Chile's:
// 0.48 either way).
func (b *Boundaries) checkAxes() error {
	var ew, ns, ewSwap, nsSwap float64
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, mp := range b.Polygons {
		for _, poly := range mp {
			for _, r := range poly {
				for i := 1; i < len(r); i++ {
					p, q := r[i-1], r[i]
					dx, dy := math.Abs(q[0]-p[0]), math.Abs(q[1]-p[1])
					ew += dx * math.Cos((p[1]+q[1])/2*math.Pi/180)
					ns += dy
					ewSwap += dy * math.Cos((p[0]+q[0])/2*math.Pi/180)
					nsSwap += dx
				}
				for _, p := range r {
					minX, maxX = min(minX, p[0]), max(maxX, p[0])
					minY, maxY = min(minY, p[1]), max(maxY, p[1])
				}
			}
		}
	}
	if !(ew > 0 && ns > 0 && ewSwap > 0 && nsSwap > 0) {
		return nil
	}
	read, swapped := ew/ns, ewSwap/nsSwap
	if math.Abs(math.Log(read))-math.Abs(math.Log(swapped)) < math.Log(SwapRatio) {
		return nil
	}
	return fmt.Errorf("%w. Read as [longitude, latitude], the districts lie at longitude %.1f to %.1f, latitude %.1f to %.1f, "+
		"and their borders run %.2f km east-west for each km north-south; read as [latitude, longitude], they lie at "+
		"longitude %.1f to %.1f, latitude %.1f to %.1f, and run %.2f km east-west for each km north-south, "+
		"as the borders of real districts do (about 1). Fix: %s",
		ErrSwapped, minX, maxX, minY, maxY, read, minY, maxY, minX, maxX, swapped, fixFor(b.Path))
}

// Overlap tolerance. Borders digitised or simplified separately on each
// side leave slivers of overlap, which are normal: the full COD-AB and
// geoBoundaries ADM2 files have none to speak of (under 0.001 km²), but
// COD-AB's simplified file has 376 pairs, up to 10.4 km² (Panjgur and
// Washuk) and up to 0.96% of the smaller district (Korangi and Malir,
// 1.0 km²). An overlap is an error when it is more than either limit:
// twice that share, or 2.5 times that area.
const (
	OverlapMaxShare = 0.02 // of the smaller district's area
	OverlapMaxKm2   = 25.0
)

// projectedAbove is the coordinate magnitude beyond which a file is taken
// to be in metres rather than degrees: no longitude or latitude reaches it,
// and projected coordinates of any place but a few metres from the origin
// exceed it.
const projectedAbove = 360

// validate refuses invalid rings and overlapping districts, naming the
// first district (by code) with a bad ring, else the pair that overlaps
// most. Rings are checked on all CPUs, next to the overlap scan, so that
// every load does not wait for them one by one.
func (b *Boundaries) validate() error {
	ringErrs := make([]error, len(b.Polygons))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, min(runtime.GOMAXPROCS(0), len(b.Polygons))) {
		wg.Go(func() {
			var sc ringScratch
			for i := int(next.Add(1) - 1); i < len(b.Polygons); i = int(next.Add(1) - 1) {
				ringErrs[i] = sc.checkRings(b.Polygons[i])
			}
		})
	}
	overlapErr := b.checkOverlaps()
	wg.Wait()
	for i, err := range ringErrs {
		if err != nil {
			return fmt.Errorf("district %q (%s): %w", b.Districts[i].Name, b.Districts[i].Code, err)
		}
	}
	return overlapErr
}

// checkCoordinates refuses non-finite, projected and out-of-range
// coordinates.
func checkCoordinates(mp orb.MultiPolygon) error {
	for _, poly := range mp {
		for _, r := range poly {
			for _, p := range r {
				lon, lat := p[0], p[1]
				switch {
				case math.IsNaN(lon) || math.IsNaN(lat) || math.IsInf(lon, 0) || math.IsInf(lat, 0):
					return fmt.Errorf("%w: a coordinate is not a number (%v, %v)", ErrCoordinates, lon, lat)
				case math.Abs(lon) > projectedAbove || math.Abs(lat) > projectedAbove:
					return fmt.Errorf("%w: found x %.0f, y %.0f; reproject the file to WGS 84 longitude/latitude first", ErrProjected, lon, lat)
				case math.Abs(lon) > 180:
					return fmt.Errorf("%w: longitude %g (at %g, %g)", ErrCoordinates, lon, lon, lat)
				case math.Abs(lat) > 90 && math.Abs(lon) <= 90:
					return fmt.Errorf("%w: latitude %g (at %g, %g): the pairs look swapped, [latitude, longitude] where GeoJSON has [longitude, latitude]; %s",
						ErrCoordinates, lat, lon, lat, swapFix)
				case math.Abs(lat) > 90:
					return fmt.Errorf("%w: latitude %g (at %g, %g)", ErrCoordinates, lat, lon, lat)
				}
			}
		}
	}
	return nil
}

// checkRings refuses rings that are not closed, have fewer than 4 points,
// or cross or touch themselves.
func (sc *ringScratch) checkRings(mp orb.MultiPolygon) error {
	for pi, poly := range mp {
		for ri, r := range poly {
			where := func() string { return fmt.Sprintf("polygon %d, ring %d", pi+1, ri+1) }
			if len(r) < 4 {
				return fmt.Errorf("%w: %s has %d points, want at least 4 (a closed triangle)", ErrRing, where(), len(r))
			}
			if !r.Closed() {
				return fmt.Errorf("%w: %s is not closed: it starts at (%g, %g) and ends at (%g, %g)", ErrRing, where(),
					r[0][0], r[0][1], r[len(r)-1][0], r[len(r)-1][1])
			}
			if p, ok := sc.selfIntersection(r); ok {
				return fmt.Errorf("%w: %s crosses or touches itself near longitude %.5f, latitude %.5f", ErrRing, where(), p[0], p[1])
			}
		}
	}
	return nil
}

// ringScratch is reused across rings: the ring without repeated points,
// and its edges sorted for the sweep.
type ringScratch struct {
	pts       []orb.Point
	segs, tmp []segment
}

// segment is edge k of a deduplicated ring, from pts[k] to pts[k+1], keyed
// by its smaller x, scaled to 32 bits over the ring's width and rounded
// down: radix sorting these keys is several times faster than comparing
// floats, which matters on every load of a 255,000-point file.
type segment struct {
	key uint32
	k   int32
}

// selfIntersection looks for two edges of the closed ring r that share a
// point other than the vertex between consecutive edges, and returns that
// point. It sweeps the edges by x so that only edges whose x extents
// overlap are compared: O(n) sorting and few comparisons for real borders.
// Repeated points are skipped.
func (sc *ringScratch) selfIntersection(r orb.Ring) (orb.Point, bool) {
	pts := slices.Grow(sc.pts[:0], len(r))
	minX, maxX := math.Inf(1), math.Inf(-1)
	for _, p := range r {
		if len(pts) == 0 || p != pts[len(pts)-1] {
			pts = append(pts, p)
			minX, maxX = min(minX, p[0]), max(maxX, p[0])
		}
	}
	sc.pts = pts
	n := int32(len(pts) - 1) // edges; pts is closed
	if n < 3 || !(maxX > minX) {
		return r[0], true // all its points on one line: no area
	}
	// Keys round down and limits up, so the sweep below still meets every
	// pair of edges whose x extents overlap.
	scale := float64(math.MaxUint32-1) / (maxX - minX)
	key := func(x float64) float64 { return (x - minX) * scale }
	segs := slices.Grow(sc.segs[:0], int(n))
	for k := range n {
		segs = append(segs, segment{key: uint32(key(min(pts[k][0], pts[k+1][0]))), k: k})
	}
	sc.tmp = slices.Grow(sc.tmp[:0], len(segs))[:len(segs)]
	if sorted := radixSort(segs, sc.tmp); &sorted[0] != &segs[0] {
		sc.segs, sc.tmp, segs = sorted, segs, sorted
	} else {
		sc.segs = segs
	}
	for a := range segs {
		ka := segs[a].k
		p1, p2 := pts[ka], pts[ka+1]
		limit := uint32(min(math.Ceil(key(max(p1[0], p2[0]))), math.MaxUint32))
		aMinY, aMaxY := min(p1[1], p2[1]), max(p1[1], p2[1])
		for b := a + 1; b < len(segs) && segs[b].key <= limit; b++ {
			kb := segs[b].k
			q1, q2 := pts[kb], pts[kb+1]
			if max(q1[1], q2[1]) < aMinY || min(q1[1], q2[1]) > aMaxY {
				continue
			}
			d := ka - kb
			adjacent := d == 1 || d == -1 || d == n-1 || d == 1-n
			if p, ok := segmentsMeet(p1, p2, q1, q2, adjacent); ok {
				return p, true
			}
		}
	}
	return orb.Point{}, false
}

// radixSort sorts a by key, byte by byte, using tmp (as long as a) as
// scratch; after its four passes the result is back in a.
func radixSort(a, tmp []segment) []segment {
	for shift := 0; shift < 32; shift += 8 {
		var count [257]int
		for _, s := range a {
			count[(s.key>>shift)&0xff+1]++
		}
		if count[(a[0].key>>shift)&0xff+1] == len(a) {
			continue // every key has this byte: nothing to move
		}
		for i := 1; i < len(count); i++ {
			count[i] += count[i-1]
		}
		for _, s := range a {
			b := (s.key >> shift) & 0xff
			tmp[count[b]] = s
			count[b]++
		}
		a, tmp = tmp, a
	}
	return a
}

// orient is the sign of the turn a -> b -> c: 1 left, -1 right, 0 straight.
func orient(a, b, c orb.Point) int {
	v := (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// onSegment reports whether c, collinear with a-b, lies within its box.
func onSegment(a, b, c orb.Point) bool {
	return min(a[0], b[0]) <= c[0] && c[0] <= max(a[0], b[0]) && min(a[1], b[1]) <= c[1] && c[1] <= max(a[1], b[1])
}

// segmentsMeet reports whether segments p1-p2 and q1-q2 share a point. For
// adjacent edges, which share a vertex by construction, only a shared
// stretch counts (the ring doubles back on itself).
func segmentsMeet(p1, p2, q1, q2 orb.Point, adjacent bool) (orb.Point, bool) {
	o1, o2 := orient(p1, p2, q1), orient(p1, p2, q2)
	o3, o4 := orient(q1, q2, p1), orient(q1, q2, p2)
	if adjacent {
		if o1 != 0 || o2 != 0 {
			return orb.Point{}, false
		}
		// Collinear neighbours: fine when they only meet at the shared
		// vertex, wrong when the ring turns back along itself.
		shared, a, b := p2, p1, q2
		switch {
		case p2 == q1:
		case p1 == q2:
			shared, a, b = p1, p2, q1
		default:
			return orb.Point{}, false
		}
		if dot := (a[0]-shared[0])*(b[0]-shared[0]) + (a[1]-shared[1])*(b[1]-shared[1]); dot > 0 {
			return shared, true
		}
		return orb.Point{}, false
	}
	if o1 != o2 && o3 != o4 {
		if o1 == 0 {
			return q1, true
		}
		if o2 == 0 {
			return q2, true
		}
		if o3 == 0 {
			return p1, true
		}
		if o4 == 0 {
			return p2, true
		}
		return crossing(p1, p2, q1, q2), true
	}
	switch {
	case o1 == 0 && onSegment(p1, p2, q1):
		return q1, true
	case o2 == 0 && onSegment(p1, p2, q2):
		return q2, true
	case o3 == 0 && onSegment(q1, q2, p1):
		return p1, true
	case o4 == 0 && onSegment(q1, q2, p2):
		return p2, true
	}
	return orb.Point{}, false
}

// crossing is where the lines through p1-p2 and q1-q2 cross (for messages).
func crossing(p1, p2, q1, q2 orb.Point) orb.Point {
	d := (p2[0]-p1[0])*(q2[1]-q1[1]) - (p2[1]-p1[1])*(q2[0]-q1[0])
	t := ((q1[0]-p1[0])*(q2[1]-q1[1]) - (q1[1]-p1[1])*(q2[0]-q1[0])) / d
	return orb.Point{p1[0] + t*(p2[0]-p1[0]), p1[1] + t*(p2[1]-p1[1])}
}

// Overlap is the area two districts share, by index into Boundaries.
type Overlap struct {
	A, B int
	Km2  float64
}

// overlapRows is how many scan lines measure overlaps: about 700 m apart
// across Pakistan, which measures the real files' slivers within a few per
// cent of 16000 lines.
const overlapRows = 2000

// kmPerDegree is one degree of latitude, or of longitude at the equator,
// on the WGS 84 sphere of radius 6378137 m.
const kmPerDegree = 2 * math.Pi * 6378.137 / 360

// Overlaps measures the area shared by each pair of districts whose
// polygons overlap, largest first. It scans the map along horizontal
// lines, overlapRows of them spread over the map's height: on each line
// the stretches inside two districts at once (even-odd rule per district,
// so holes count as outside) are summed and weighted by the line spacing.
// The areas are estimates, good to a few per cent for overlaps many lines
// high; a sliver along a border between two lines can be missed or
// counted one line high.
func (b *Boundaries) Overlaps() []Overlap {
	if len(b.Polygons) < 2 {
		return nil
	}
	y0, y1 := math.Inf(1), math.Inf(-1)
	for _, mp := range b.Polygons {
		for _, poly := range mp {
			for _, r := range poly {
				for _, p := range r {
					y0, y1 = min(y0, p[1]), max(y1, p[1])
				}
			}
		}
	}
	h := (y1 - y0) / float64(overlapRows)
	if !(h > 0) {
		return nil
	}
	// Row k is the line y0 + (k+0.5)h. An edge from ya to yb crosses the
	// rows whose line lies in [min, max): half-open, so that a line
	// through a vertex counts it once. level(y) is the first row at or
	// above y; the edge crosses rows level(min) to level(max)-1. Levels
	// are computed once per point, in the order of the points.
	var levels []int32
	for _, mp := range b.Polygons {
		for _, poly := range mp {
			for _, r := range poly {
				for _, p := range r {
					levels = append(levels, int32(min(max(math.Ceil((p[1]-y0)/h-0.5), 0), float64(overlapRows))))
				}
			}
		}
	}
	// Two passes: count the crossings of each row, then place them.
	start := make([]int, overlapRows+1)
	for i := 1; i < len(levels); i++ {
		for k := min(levels[i-1], levels[i]); k < max(levels[i-1], levels[i]); k++ {
			start[k+1]++ // also counts the step from one ring to the next: spare room, rows end at fill
		}
	}
	for k := 1; k <= overlapRows; k++ {
		start[k] += start[k-1]
	}
	type cross struct {
		x float64
		d int32
	}
	xs := make([]cross, start[overlapRows])
	fill := slices.Clone(start[:overlapRows])
	at := 0
	for d, mp := range b.Polygons {
		for _, poly := range mp {
			for _, r := range poly {
				lv := levels[at : at+len(r)]
				at += len(r)
				for i := 1; i < len(r); i++ {
					a, c := r[i-1], r[i]
					for k := min(lv[i-1], lv[i]); k < max(lv[i-1], lv[i]); k++ {
						y := y0 + (float64(k)+0.5)*h
						xs[fill[k]] = cross{x: a[0] + (y-a[1])*(c[0]-a[0])/(c[1]-a[1]), d: int32(d)}
						fill[k]++
					}
				}
			}
		}
	}

	type pair struct{ a, b int32 }
	sum := map[pair]float64{}
	var inside []int32 // districts the scan is in, few at a time
	for k := range overlapRows {
		row := xs[start[k]:fill[k]]
		slices.SortFunc(row, func(a, b cross) int { return cmp.Compare(a.x, b.x) })
		inside = inside[:0]
		kmX := kmPerDegree * math.Cos((y0+(float64(k)+0.5)*h)*math.Pi/180)
		for i, c := range row {
			if j := slices.Index(inside, c.d); j >= 0 {
				inside = slices.Delete(inside, j, j+1)
			} else {
				inside = append(inside, c.d)
			}
			if len(inside) < 2 || i+1 == len(row) {
				continue
			}
			w := (row[i+1].x - c.x) * kmX
			for a := range inside {
				for bb := a + 1; bb < len(inside); bb++ {
					p := pair{min(inside[a], inside[bb]), max(inside[a], inside[bb])}
					sum[p] += w
				}
			}
		}
	}
	var out []Overlap
	for p, w := range sum {
		if km2 := w * h * kmPerDegree; km2 > 0 {
			out = append(out, Overlap{A: int(p.a), B: int(p.b), Km2: km2})
		}
	}
	slices.SortFunc(out, func(a, b Overlap) int {
		return cmp.Or(cmp.Compare(b.Km2, a.Km2), cmp.Compare(a.A, b.A), cmp.Compare(a.B, b.B))
	})
	return out
}

// tooMuch reports whether an overlap is more than a digitising sliver.
func (b *Boundaries) tooMuch(o Overlap) bool {
	smaller := min(b.Districts[o.A].AreaKm2, b.Districts[o.B].AreaKm2)
	return o.Km2 > OverlapMaxKm2 || o.Km2 > OverlapMaxShare*smaller
}

// checkOverlaps refuses districts that overlap by more than a sliver,
// naming the largest such pair.
func (b *Boundaries) checkOverlaps() error {
	var bad []Overlap
	for _, o := range b.Overlaps() {
		if b.tooMuch(o) {
			bad = append(bad, o)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	o := bad[0]
	da, db := b.Districts[o.A], b.Districts[o.B]
	more := ""
	if len(bad) > 1 {
		more = fmt.Sprintf(" (and %d more pairs)", len(bad)-1)
	}
	return fmt.Errorf("%w: %q (%s) and %q (%s) share about %.1f km², %.1f%% of the smaller%s; "+
		"a district file must not count the same ground twice (slivers up to %g km² and %g%% of the smaller district are accepted)", ErrOverlap,
		da.Name, da.Code, db.Name, db.Code, o.Km2, 100*o.Km2/min(da.AreaKm2, db.AreaKm2), more, OverlapMaxKm2, 100*OverlapMaxShare)
}
