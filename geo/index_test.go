package geo

import (
	"bufio"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

// ixRect is the rectangle [x0, x1] x [y0, y1] as a one-part MultiPolygon,
// counter-clockwise, or clockwise to check that orientation does not matter.
func ixRect(x0, y0, x1, y1 float64, cw bool) orb.MultiPolygon {
	r := orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
	if cw {
		r.Reverse()
	}
	return orb.MultiPolygon{{r}}
}

// ixRing is a closed ring through pts.
func ixRing(pts ...orb.Point) orb.Ring {
	return append(orb.Ring(pts), pts[0])
}

// Hand-made maps shared by TestLocate, FuzzLocate and the example.
var (
	// Four unit squares meeting at (1, 1): SW, SE, NW, NE.
	ixFourSquares = []orb.MultiPolygon{
		ixRect(0, 0, 1, 1, false),
		ixRect(1, 0, 2, 1, true),
		ixRect(0, 1, 1, 2, false),
		ixRect(1, 1, 2, 2, true),
	}
	// A square cut along y = x: south-east triangle, north-west triangle.
	ixDiagonal = []orb.MultiPolygon{
		{{ixRing(orb.Point{0, 0}, orb.Point{1, 0}, orb.Point{1, 1})}},
		{{ixRing(orb.Point{0, 0}, orb.Point{1, 1}, orb.Point{0, 1})}},
	}
	// Cut along a line through (0, 0) and (3, 1), whose points (3k, k) are
	// exact in float64 only for some k, so the exact orientation test matters.
	ixSkewed = []orb.MultiPolygon{
		{{ixRing(orb.Point{0, 0}, orb.Point{3, 0}, orb.Point{3, 1})}},
		{{ixRing(orb.Point{0, 0}, orb.Point{3, 1}, orb.Point{0, 1})}},
	}
	// A square with a square hole [1, 3]^2, and the same with an enclave
	// district filling the hole.
	ixHole = []orb.MultiPolygon{
		{{ixRect(0, 0, 4, 4, false)[0][0], ixRect(1, 1, 3, 3, true)[0][0]}},
	}
	ixEnclave = append(ixHole[:1:1], ixRect(1, 1, 3, 3, false))
	// A district in two parts, and a third part belonging to another.
	ixTwoParts = []orb.MultiPolygon{
		{ixRect(0, 0, 1, 1, false)[0], ixRect(2, 0, 3, 1, true)[0]},
		ixRect(5, 0, 6, 1, false),
	}
	// Bad data: overlapping districts.
	ixOverlap = []orb.MultiPolygon{
		ixRect(0, 0, 2, 2, false),
		ixRect(1, 1, 3, 3, false),
		ixRect(0, 0, 3, 3, true),
	}
)

func TestLocate(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	third := 1.0 / 3
	tests := []struct {
		name  string
		polys []orb.MultiPolygon
		p     orb.Point
		want  int
	}{
		{"square interior", ixFourSquares, orb.Point{0.5, 0.5}, 0},
		{"clockwise square interior", ixFourSquares, orb.Point{1.5, 0.5}, 1},
		{"vertical shared border goes east", ixFourSquares, orb.Point{1, 0.5}, 1},
		{"upper vertical shared border goes east", ixFourSquares, orb.Point{1, 1.25}, 3},
		{"horizontal shared border goes north", ixFourSquares, orb.Point{0.5, 1}, 2},
		{"right horizontal shared border goes north", ixFourSquares, orb.Point{1.75, 1}, 3},
		{"corner of four goes north-east", ixFourSquares, orb.Point{1, 1}, 3},
		{"western outer border is owned", ixFourSquares, orb.Point{0, 0.5}, 0},
		{"southern outer border is owned", ixFourSquares, orb.Point{1.5, 0}, 1},
		{"south-west corner is owned", ixFourSquares, orb.Point{0, 0}, 0},
		{"eastern outer border is not", ixFourSquares, orb.Point{2, 0.5}, -1},
		{"northern outer border is not", ixFourSquares, orb.Point{0.5, 2}, -1},
		{"north-east corner is not", ixFourSquares, orb.Point{2, 2}, -1},
		{"south-east corner is not", ixFourSquares, orb.Point{2, 0}, -1},
		{"north-west corner is not", ixFourSquares, orb.Point{0, 2}, -1},
		{"shared vertex on the west border", ixFourSquares, orb.Point{0, 1}, 2},
		{"shared vertex on the south border", ixFourSquares, orb.Point{1, 0}, 1},
		{"outside east", ixFourSquares, orb.Point{2.5, 0.5}, -1},
		{"outside west", ixFourSquares, orb.Point{-1e-300, 0.5}, -1},
		{"outside south", ixFourSquares, orb.Point{0.5, -0.5}, -1},
		{"outside far", ixFourSquares, orb.Point{180, 90}, -1},
		{"NaN lon", ixFourSquares, orb.Point{nan, 0.5}, -1},
		{"NaN lat", ixFourSquares, orb.Point{0.5, nan}, -1},
		{"+Inf lon", ixFourSquares, orb.Point{inf, 0.5}, -1},
		{"-Inf lon", ixFourSquares, orb.Point{-inf, 0.5}, -1},
		{"-Inf lat", ixFourSquares, orb.Point{0.5, -inf}, -1},

		{"below diagonal", ixDiagonal, orb.Point{0.6, 0.4}, 0},
		{"above diagonal", ixDiagonal, orb.Point{0.4, 0.6}, 1},
		{"on diagonal goes east", ixDiagonal, orb.Point{0.5, 0.5}, 0},
		{"on diagonal at a third goes east", ixDiagonal, orb.Point{third, third}, 0},
		{"next to diagonal, north-west", ixDiagonal, orb.Point{math.Nextafter(third, 0), third}, 1},
		{"on skewed border goes east", ixSkewed, orb.Point{0.75, 0.25}, 0},
		{"just above skewed border", ixSkewed, orb.Point{0.75, math.Nextafter(0.25, 1)}, 1},
		{"just below skewed border", ixSkewed, orb.Point{0.75, math.Nextafter(0.25, 0)}, 0},
		{"just west of skewed border", ixSkewed, orb.Point{math.Nextafter(0.75, 0), 0.25}, 1},

		{"in hole", ixHole, orb.Point{2, 2}, -1},
		{"around hole", ixHole, orb.Point{0.5, 3.5}, 0},
		{"hole's west border belongs to the hole", ixHole, orb.Point{1, 2}, -1},
		{"hole's east border belongs to the district", ixHole, orb.Point{3, 2}, 0},
		{"hole's south border belongs to the hole", ixHole, orb.Point{2, 1}, -1},
		{"hole's north border belongs to the district", ixHole, orb.Point{2, 3}, 0},
		{"in enclave", ixEnclave, orb.Point{2, 2}, 1},
		{"enclave's west border", ixEnclave, orb.Point{1, 2}, 1},
		{"enclave's east border", ixEnclave, orb.Point{3, 2}, 0},
		{"enclave's south-west corner", ixEnclave, orb.Point{1, 1}, 1},
		{"enclave's north-west corner", ixEnclave, orb.Point{1, 3}, 0},

		{"first part", ixTwoParts, orb.Point{0.5, 0.5}, 0},
		{"second part", ixTwoParts, orb.Point{2.5, 0.5}, 0},
		{"between parts", ixTwoParts, orb.Point{1.5, 0.5}, -1},
		{"other district", ixTwoParts, orb.Point{5.5, 0.5}, 1},
		{"between districts", ixTwoParts, orb.Point{4, 0.5}, -1},

		{"overlap of all three", ixOverlap, orb.Point{1.5, 1.5}, 0},
		{"overlap of second and third", ixOverlap, orb.Point{2.5, 2.5}, 1},
		{"third only", ixOverlap, orb.Point{0.5, 2.5}, 2},
		{"overlap reversed", []orb.MultiPolygon{ixOverlap[2], ixOverlap[0]}, orb.Point{0.5, 0.5}, 0},

		{"no polygons", nil, orb.Point{0, 0}, -1},
		{"empty polygon", []orb.MultiPolygon{{}, ixRect(0, 0, 1, 1, false)}, orb.Point{0.5, 0.5}, 1},
		{"degenerate polygon", []orb.MultiPolygon{{{{{0, 0}, {1, 1}, {0, 0}}}}}, orb.Point{0.5, 0.5}, -1},
		{"huge polygon", []orb.MultiPolygon{ixRect(-1e308, -1e308, 1e308, 1e308, false)}, orb.Point{0, 0}, 0},
		{"outside huge polygon", []orb.MultiPolygon{ixRect(-1e308, -1e308, 1e308, 1e308, false)}, orb.Point{1e308, 0}, -1},
		{"tiny polygon", []orb.MultiPolygon{ixRect(0, 0, 1e-300, 1e-300, false)}, orb.Point{5e-301, 5e-301}, 0},
		{"outside tiny polygon", []orb.MultiPolygon{ixRect(0, 0, 1e-300, 1e-300, false)}, orb.Point{5e-301, 1e-300}, -1},
		{"small polygon far out", []orb.MultiPolygon{ixRect(1e10, 1e10, 1e10+1e-5, 1e10+1e-5, true)}, orb.Point{1e10 + 5e-6, 1e10 + 5e-6}, 0},
		{"ring with NaN is ignored", []orb.MultiPolygon{
			{{{{0, 0}, {nan, 0}, {1, 1}, {0, 1}, {0, 0}}}},
			ixRect(0, 0, 1, 1, false),
		}, orb.Point{0.5, 0.5}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, cells := range []int{1, 4, 5, 64, 1000} {
				ix := newIndex(tt.polys, cells)
				if got, want := ix.Locate(tt.p), tt.want; got != want {
					t.Errorf("%d cells: Locate(%v) = %d, want %d", cells, tt.p, got, want)
				}
				if got, want := refLocate(tt.polys, tt.p), tt.want; got != want {
					t.Errorf("reference: refLocate(%v) = %d, want %d", tt.p, got, want)
				}
			}
			if got, want := NewIndex(tt.polys).Len(), len(tt.polys); got != want {
				t.Errorf("Len() = %d, want %d", got, want)
			}
		})
	}
}

// refContains is an independent, slow implementation of Locate's rule: the
// crossing-number test with a ray cast east, edges half-open in y (lower end
// in), and the orientation computed exactly with rationals.
func refContains(mp orb.MultiPolygon, p orb.Point) bool {
	rat := func(f float64) *big.Rat { return new(big.Rat).SetFloat64(f) }
	for _, poly := range mp {
		in := false
		for _, r := range poly {
			if !finiteRing(r) {
				continue // as documented by NewIndex
			}
			for i := range r {
				a, b := r[i], r[(i+1)%len(r)]
				if a[1] > b[1] {
					a, b = b, a
				}
				if !(a[1] <= p[1] && p[1] < b[1]) {
					continue
				}
				// Left of the upward edge a->b: (b-a) x (p-a) > 0.
				l := new(big.Rat).Mul(new(big.Rat).Sub(rat(b[0]), rat(a[0])), new(big.Rat).Sub(rat(p[1]), rat(a[1])))
				rr := new(big.Rat).Mul(new(big.Rat).Sub(rat(p[0]), rat(a[0])), new(big.Rat).Sub(rat(b[1]), rat(a[1])))
				if l.Cmp(rr) > 0 {
					in = !in
				}
			}
		}
		if in {
			return true
		}
	}
	return false
}

// refLocate is Locate by refContains, for finite points.
func refLocate(polys []orb.MultiPolygon, p orb.Point) int {
	if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0) {
		return -1
	}
	for i, mp := range polys {
		if refContains(mp, p) {
			return i
		}
	}
	return -1
}

// orbLocate is Locate by orb, which counts boundary points as inside, so it
// is a reference only away from borders.
func orbLocate(polys []orb.MultiPolygon, bounds []orb.Bound, p orb.Point) int {
	for i, mp := range polys {
		if bounds[i].Contains(p) && planar.MultiPolygonContains(mp, p) {
			return i
		}
	}
	return -1
}

func ixBounds(polys []orb.MultiPolygon) []orb.Bound {
	bounds := make([]orb.Bound, len(polys))
	for i, mp := range polys {
		bounds[i] = mp.Bound()
	}
	return bounds
}

// edgeDistance is the distance from p to the nearest ring edge.
func edgeDistance(polys []orb.MultiPolygon, p orb.Point) float64 {
	d := math.Inf(1)
	for _, mp := range polys {
		for _, poly := range mp {
			for _, r := range poly {
				for i := range r {
					d = min(d, planar.DistanceFromSegment(r[i], r[(i+1)%len(r)], p))
				}
			}
		}
	}
	return d
}

// jitteredTiling tiles [x0, x0+nx*s] x [y0, y0+ny*s] with quads whose inner
// vertices are jittered, each ring in a random orientation, and assigns the
// quads to districts at random, so most districts have several parts
// (adjacent parts share edges, which the rule must handle too).
func jitteredTiling(rng *rand.Rand, nx, ny int, x0, y0, s float64) []orb.MultiPolygon {
	v := make([][]orb.Point, nx+1)
	for i := range v {
		v[i] = make([]orb.Point, ny+1)
		for j := range v[i] {
			jx, jy := 0.0, 0.0
			if i > 0 && i < nx {
				jx = (rng.Float64() - 0.5) * 0.6
			}
			if j > 0 && j < ny {
				jy = (rng.Float64() - 0.5) * 0.6
			}
			v[i][j] = orb.Point{x0 + (float64(i)+jx)*s, y0 + (float64(j)+jy)*s}
		}
	}
	polys := make([]orb.MultiPolygon, max(nx*ny/3, 1))
	for i := range nx {
		for j := range ny {
			r := ixRing(v[i][j], v[i+1][j], v[i+1][j+1], v[i][j+1])
			if rng.IntN(2) == 0 {
				r.Reverse()
			}
			k := rng.IntN(len(polys))
			polys[k] = append(polys[k], orb.Polygon{r})
		}
	}
	return polys
}

// TestLocateRandomTilings checks, on random maps and grids of several sizes,
// that every point of the tiled rectangle lands in exactly one district,
// that Locate follows the reference rule on and off borders, and that it
// agrees with orb away from borders.
func TestLocateRandomTilings(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for m := range 12 {
		nx, ny := 1+rng.IntN(8), 1+rng.IntN(8)
		x0, y0, s := 60+rng.Float64()*10, 20+rng.Float64()*10, 0.01+rng.Float64()
		polys := jitteredTiling(rng, nx, ny, x0, y0, s)
		bounds := ixBounds(polys)
		rect := orb.Bound{Min: orb.Point{x0, y0}, Max: orb.Point{x0 + float64(nx)*s, y0 + float64(ny)*s}}

		// Random points, and points on vertices and edges.
		var pts []orb.Point
		for range 300 {
			pts = append(pts, orb.Point{
				rect.Min[0] + rng.Float64()*(rect.Max[0]-rect.Min[0]),
				rect.Min[1] + rng.Float64()*(rect.Max[1]-rect.Min[1]),
			})
		}
		for _, mp := range polys {
			for _, poly := range mp {
				r := poly[0]
				for i := range len(r) - 1 {
					a, b := r[i], r[i+1]
					pts = append(pts, a, orb.Point{a[0] + (b[0]-a[0])*0.25, a[1] + (b[1]-a[1])*0.25})
				}
			}
		}

		indexes := []*Index{newIndex(polys, 1), newIndex(polys, 3), newIndex(polys, 40), newIndex(polys, 2000)}
		for _, p := range pts {
			inRect := p[0] >= rect.Min[0] && p[0] < rect.Max[0] && p[1] >= rect.Min[1] && p[1] < rect.Max[1]
			n := 0
			for _, mp := range polys {
				if refContains(mp, p) {
					n++
				}
			}
			if want := map[bool]int{true: 1, false: 0}[inRect]; n != want {
				t.Fatalf("map %d: %v is in %d districts, want %d", m, p, n, want)
			}
			ref, orbWant := refLocate(polys, p), -2
			if edgeDistance(polys, p) > 1e-9 {
				orbWant = orbLocate(polys, bounds, p)
			}
			for _, ix := range indexes {
				got := ix.Locate(p)
				if got != ref {
					t.Fatalf("map %d, %dx%d cells: Locate(%v) = %d, reference %d", m, ix.nx, ix.ny, p, got, ref)
				}
				if orbWant != -2 && got != orbWant {
					t.Fatalf("map %d, %dx%d cells: Locate(%v) = %d, orb %d", m, ix.nx, ix.ny, p, got, orbWant)
				}
			}
		}
	}
}

// boundariesPath is the real boundary file for integration tests, which
// skip without it except in CI, where skipping would hide a broken setup.
func boundariesPath(tb testing.TB) string {
	tb.Helper()
	path := os.Getenv("OCMAP_BOUNDARIES")
	if path == "" {
		if os.Getenv("CI") != "" {
			tb.Fatal("OCMAP_BOUNDARIES is not set; integration tests must run in CI")
		}
		tb.Skip("OCMAP_BOUNDARIES is not set")
	}
	return path
}

var ixBoundaries struct {
	once  sync.Once
	polys []orb.MultiPolygon
	err   error
}

// loadIndexBoundaries reads the districts of the OCMAP_BOUNDARIES GeoJSON
// FeatureCollection in file order, once per test binary.
func loadIndexBoundaries(tb testing.TB) (string, []orb.MultiPolygon) {
	tb.Helper()
	path := boundariesPath(tb)
	ixBoundaries.once.Do(func() {
		ixBoundaries.polys, ixBoundaries.err = readMultiPolygons(path)
	})
	if ixBoundaries.err != nil {
		tb.Fatal(ixBoundaries.err)
	}
	return path, ixBoundaries.polys
}

func readMultiPolygons(path string) ([]orb.MultiPolygon, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	fc, err := geojson.UnmarshalFeatureCollection(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	polys := make([]orb.MultiPolygon, len(fc.Features))
	for i, f := range fc.Features {
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			polys[i] = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			polys[i] = g
		default:
			return nil, fmt.Errorf("%s: feature %d: geometry %T, want Polygon or MultiPolygon", path, i, g)
		}
	}
	return polys, nil
}

// interiorPoint is a point orb puts in mp and nowhere else: the centroid if
// that works, else a seeded search of the bounding box.
func interiorPoint(polys []orb.MultiPolygon, bounds []orb.Bound, i int) (orb.Point, bool) {
	if c, _ := planar.CentroidArea(polys[i]); orbLocate(polys, bounds, c) == i {
		return c, true
	}
	rng := rand.New(rand.NewPCG(uint64(i), 7))
	b := bounds[i]
	for range 100000 {
		p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		if orbLocate(polys, bounds, p) == i {
			return p, true
		}
	}
	return orb.Point{}, false
}

func TestLocateRealBoundaries(t *testing.T) {
	_, polys := loadIndexBoundaries(t)
	if len(polys) < 2 {
		t.Fatalf("%d districts, want a real map", len(polys))
	}
	ix := NewIndex(polys)
	bounds := ixBounds(polys)
	if got, want := ix.Len(), len(polys); got != want {
		t.Errorf("Len() = %d, want %d", got, want)
	}

	for i := range polys {
		p, ok := interiorPoint(polys, bounds, i)
		if !ok {
			t.Errorf("district %d: no interior point found", i)
			continue
		}
		if got, want := ix.Locate(p), i; got != want {
			t.Errorf("district %d: Locate(%v) = %d, want %d", i, p, got, want)
		}
	}

	all := bounds[0]
	for _, b := range bounds[1:] {
		all = all.Union(b)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	n := 200000
	if testing.Short() {
		n = 20000
	}
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{
			all.Min[0] + rng.Float64()*(all.Max[0]-all.Min[0]),
			all.Min[1] + rng.Float64()*(all.Max[1]-all.Min[1]),
		}
	}
	// orb is slow: share it out over the CPUs.
	want := make([]int, n)
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				want[i] = orbLocate(polys, bounds, pts[i])
			}
		})
	}
	wg.Wait()
	bad, inside := 0, 0
	for i, p := range pts {
		if got := ix.Locate(p); got != want[i] {
			if bad++; bad <= 5 {
				t.Errorf("Locate(%v) = %d, orb %d", p, got, want[i])
			}
		}
		if want[i] >= 0 {
			inside++
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d random points disagree with orb", bad, n)
	}
	// Pakistan covers about a third of its bounding box; a broken index
	// that answers -1 everywhere must not pass.
	if got, want := float64(inside)/float64(n), 0.3; got < want {
		t.Errorf("%.2f of random points in a district, want at least %.2f", got, want)
	}
}

// geosScript prints, for each "lon lat" line of the points file, the index of
// the first feature of the GeoJSON file that GEOS (through shapely) says
// contains the point, or -1.
const geosScript = `
import json, sys
from shapely.geometry import shape, Point
from shapely.prepared import prep

with open(sys.argv[1]) as f:
    features = json.load(f)["features"]
geoms = [(shape(ft["geometry"]).bounds, prep(shape(ft["geometry"]))) for ft in features]
out = []
with open(sys.argv[2]) as f:
    for line in f:
        x, y = map(float, line.split())
        found = -1
        for i, ((x0, y0, x1, y1), g) in enumerate(geoms):
            if x0 <= x <= x1 and y0 <= y <= y1 and g.contains(Point(x, y)):
                found = i
                break
        out.append(str(found))
sys.stdout.write("\n".join(out) + "\n")
`

// TestAgreesWithGEOS holds Locate to PostGIS's ST_Contains, which is GEOS,
// on random points of the real boundaries.
func TestAgreesWithGEOS(t *testing.T) {
	path, polys := loadIndexBoundaries(t)
	const python = "/usr/bin/python3"
	if out, err := exec.Command(python, "-c", "import shapely.geometry, shapely.prepared").CombinedOutput(); err != nil {
		msg := fmt.Sprintf("%s with shapely is needed to compare with GEOS (apt-get install python3-shapely): %v: %s", python, err, out)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}

	ix := NewIndex(polys)
	bounds := ixBounds(polys)
	all := bounds[0]
	for _, b := range bounds[1:] {
		all = all.Union(b)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	pts := make([]orb.Point, 20000)
	var sb strings.Builder
	for i := range pts {
		pts[i] = orb.Point{
			all.Min[0] + rng.Float64()*(all.Max[0]-all.Min[0]),
			all.Min[1] + rng.Float64()*(all.Max[1]-all.Min[1]),
		}
		// Shortest round-trip formatting, so Python reads the same float64.
		fmt.Fprintf(&sb, "%s %s\n", strconv.FormatFloat(pts[i][0], 'g', -1, 64), strconv.FormatFloat(pts[i][1], 'g', -1, 64))
	}
	dir := t.TempDir()
	ptsFile, script := filepath.Join(dir, "points.txt"), filepath.Join(dir, "geos.py")
	if err := os.WriteFile(ptsFile, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(script, []byte(geosScript), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, script, path, ptsFile)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", script, err)
	}

	sc := bufio.NewScanner(strings.NewReader(string(out)))
	i, bad, inside := 0, 0, 0
	for ; sc.Scan(); i++ {
		if i >= len(pts) {
			t.Fatalf("GEOS printed more than %d lines", len(pts))
		}
		want, err := strconv.Atoi(sc.Text())
		if err != nil {
			t.Fatalf("GEOS line %d: %v", i+1, err)
		}
		if want >= 0 {
			inside++
		}
		if got := ix.Locate(pts[i]); got != want {
			if bad++; bad <= 5 {
				t.Errorf("Locate(%v) = %d, GEOS %d", pts[i], got, want)
			}
		}
	}
	if got, want := i, len(pts); got != want {
		t.Fatalf("GEOS answered %d points, want %d", got, want)
	}
	if got, want := bad, 0; got != want {
		t.Errorf("%d of %d points disagree with GEOS, want %d", got, len(pts), want)
	}
	if got, want := float64(inside)/float64(len(pts)), 0.3; got < want {
		t.Errorf("GEOS put %.2f of points in a district, want at least %.2f", got, want)
	}
}

// ixFuzzMap combines the hand-made maps, shifted apart, so one fuzz target
// covers shared borders, diagonals, holes, parts and overlaps.
var ixFuzzMap = func() []orb.MultiPolygon {
	var polys []orb.MultiPolygon
	for i, m := range [][]orb.MultiPolygon{ixFourSquares, ixDiagonal, ixSkewed, ixEnclave, ixTwoParts, ixOverlap} {
		for _, mp := range m {
			mp = mp.Clone()
			for _, poly := range mp {
				for _, r := range poly {
					for k := range r {
						r[k][0] += 7 * float64(i%3)
						r[k][1] += 5 * float64(i/3)
					}
				}
			}
			polys = append(polys, mp)
		}
	}
	return polys
}()

func FuzzLocate(f *testing.F) {
	for _, p := range []orb.Point{
		{0.5, 0.5}, {1, 1}, {1, 0.5}, {0, 0}, {2, 2}, {7.5, 0.5}, {7 + 1.0/3, 1.0 / 3},
		{14.75, 0.25}, {2, 7}, {1, 7}, {9.5, 5.5}, {15.5, 6.5}, {-1, -1}, {22, 9},
		{math.NaN(), 0}, {math.Inf(1), 1}, {1e308, -1e308}, {5e-324, 0.5},
	} {
		f.Add(p[0], p[1])
	}
	ix := NewIndex(ixFuzzMap)
	bounds := ixBounds(ixFuzzMap)
	f.Fuzz(func(t *testing.T, x, y float64) {
		p := orb.Point{x, y}
		got := ix.Locate(p)
		if got < -1 || got >= len(ixFuzzMap) {
			t.Fatalf("Locate(%v) = %d, out of [-1, %d)", p, got, len(ixFuzzMap))
		}
		if want := refLocate(ixFuzzMap, p); got != want {
			t.Fatalf("Locate(%v) = %d, reference %d", p, got, want)
		}
		if edgeDistance(ixFuzzMap, p) > 1e-9 {
			if want := orbLocate(ixFuzzMap, bounds, p); got != want {
				t.Fatalf("Locate(%v) = %d, orb %d", p, got, want)
			}
		}
	})
}

func ExampleIndex_Locate() {
	west := orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}}
	east := orb.MultiPolygon{{{{1, 0}, {2, 0}, {2, 1}, {1, 1}, {1, 0}}}}
	ix := NewIndex([]orb.MultiPolygon{west, east})

	fmt.Println(ix.Locate(orb.Point{0.5, 0.5}))
	fmt.Println(ix.Locate(orb.Point{1, 0.5})) // on the shared border: the eastern district
	fmt.Println(ix.Locate(orb.Point{2.5, 0.5}))
	// Output:
	// 0
	// 1
	// -1
}
