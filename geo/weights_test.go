package geo

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// wRect is the counter-clockwise ring of the rectangle [x0, x1] x [y0, y1].
func wRect(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

// wGrid is a 3x3 grid of squares of side s from (x, y), numbered row by
// row from the south-west; odd cells wind clockwise, as some files do.
func wGrid(x, y, s float64) []orb.MultiPolygon {
	var polys []orb.MultiPolygon
	for r := range 3 {
		for c := range 3 {
			ring := wRect(x+float64(c)*s, y+float64(r)*s, x+float64(c+1)*s, y+float64(r+1)*s)
			if (r*3+c)%2 == 1 {
				ring.Reverse()
			}
			polys = append(polys, orb.MultiPolygon{{ring}})
		}
	}
	return polys
}

func TestQueenWeights(t *testing.T) {
	grid := [][]int{
		{1, 3, 4}, {0, 2, 3, 4, 5}, {1, 4, 5},
		{0, 1, 4, 6, 7}, {0, 1, 2, 3, 5, 6, 7, 8}, {1, 2, 4, 7, 8},
		{3, 4, 7}, {3, 4, 5, 6, 8}, {4, 5, 7},
	}
	tests := []struct {
		name    string
		polys   []orb.MultiPolygon
		want    [][]int
		islands []int
	}{
		{name: "3x3 grid", polys: wGrid(0, 0, 1), want: grid},
		{
			name:    "grid and a far island",
			polys:   append(wGrid(0, 0, 1), orb.MultiPolygon{{wRect(10, 10, 11, 11)}}),
			want:    append(slices.Clone(grid), nil),
			islands: []int{9},
		},
		{
			// 0 has parts [0,1] and [3,4]; 1 is [1,2], 3 is [2,3], 2 is [4,5].
			name: "two-part district",
			polys: []orb.MultiPolygon{
				{{wRect(0, 0, 1, 1)}, {wRect(3, 0, 4, 1)}},
				{{wRect(1, 0, 2, 1)}},
				{{wRect(4, 0, 5, 1)}},
				{{wRect(2, 0, 3, 1)}},
			},
			want: [][]int{{1, 2, 3}, {0, 3}, {0}, {0, 1}},
		},
		{
			name: "enclave in a hole",
			polys: []orb.MultiPolygon{
				{{wRect(0, 0, 3, 3), wRect(1, 1, 2, 2)}},
				{{wRect(1, 1, 2, 2)}},
			},
			want: [][]int{{1}, {0}},
		},
		{
			// Rook neighbours (a shared edge) are queen neighbours too; a
			// corner alone is enough.
			name: "edge and corner",
			polys: []orb.MultiPolygon{
				{{wRect(0, 0, 1, 1)}},
				{{wRect(1, 0, 2, 1)}},
				{{wRect(2, 1, 3, 2)}},
			},
			want: [][]int{{1}, {0, 2}, {1}},
		},
		{
			// 1's corner (1, 0.5) lies on 0's edge but is not a vertex of 0:
			// libpysal's Queen compares vertices only, and so does geo.
			name: "vertex on an edge is not contiguity",
			polys: []orb.MultiPolygon{
				{{wRect(0, 0, 1, 1)}},
				{{wRect(1, 0.5, 2, 1.5)}},
			},
			want:    [][]int{nil, nil},
			islands: []int{0, 1},
		},
		{name: "empty", polys: nil, want: [][]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := QueenWeights(&Boundaries{Polygons: tt.polys})
			if got, want := w.Kind, KindQueen; got != want {
				t.Errorf("Kind = %q, want %q", got, want)
			}
			if got, want := len(w.Neighbors), len(tt.want); got != want {
				t.Fatalf("%d neighbour lists, want %d", got, want)
			}
			for i := range tt.want {
				if got, want := w.Neighbors[i], tt.want[i]; !slices.Equal(got, want) {
					t.Errorf("Neighbors[%d] = %v, want %v", i, got, want)
				}
			}
			if got, want := w.Islands, tt.islands; !slices.Equal(got, want) {
				t.Errorf("Islands = %v, want %v", got, want)
			}
		})
	}
}

func TestWithKNN(t *testing.T) {
	// The island's centroid (10.5, 10.5) is nearest cell 8 (2.5, 2.5), then
	// 5 (2.5, 1.5) and 7 (1.5, 2.5) tie: the lower index wins.
	b := &Boundaries{Polygons: append(wGrid(0, 0, 1), orb.MultiPolygon{{wRect(10, 10, 11, 11)}})}
	queen := QueenWeights(b)
	w := queen.WithKNN(b, 2)
	if got, want := w.Kind, KindQueenKNN; got != want {
		t.Errorf("Kind = %q, want %q", got, want)
	}
	if got, want := w.Islands, []int{9}; !slices.Equal(got, want) {
		t.Errorf("Islands = %v, want %v", got, want)
	}
	for _, c := range []struct {
		i    int
		want []int
	}{
		{9, []int{5, 8}},
		{5, []int{1, 2, 4, 7, 8, 9}},
		{8, []int{4, 5, 7, 9}},
		{7, []int{3, 4, 5, 6, 8}},
	} {
		if got := w.Neighbors[c.i]; !slices.Equal(got, c.want) {
			t.Errorf("Neighbors[%d] = %v, want %v", c.i, got, c.want)
		}
	}
	if got, want := w.Links(), queen.Links()+4; got != want {
		t.Errorf("Links() = %d, want %d (two links, both ways)", got, want)
	}
	// The queen weights are left alone.
	if got := queen.Neighbors[9]; len(got) != 0 {
		t.Errorf("WithKNN changed its receiver: Neighbors[9] = %v", got)
	}
	if got, want := queen.Neighbors[8], []int{4, 5, 7}; !slices.Equal(got, want) {
		t.Errorf("WithKNN changed its receiver: Neighbors[8] = %v, want %v", got, want)
	}

	// Without islands, nothing is added and the kind stays queen.
	g := &Boundaries{Polygons: wGrid(0, 0, 1)}
	if got, want := QueenWeights(g).WithKNN(g, 2).Kind, KindQueen; got != want {
		t.Errorf("no islands: Kind = %q, want %q", got, want)
	}

	// Two islands, each the other's nearest, link once; k beyond the map is
	// every other district.
	two := &Boundaries{Polygons: []orb.MultiPolygon{{{wRect(0, 0, 1, 1)}}, {{wRect(5, 0, 6, 1)}}}}
	w = QueenWeights(two).WithKNN(two, 5)
	if got, want := w.Neighbors, [][]int{{1}, {0}}; len(got) != 2 || !slices.Equal(got[0], want[0]) || !slices.Equal(got[1], want[1]) {
		t.Errorf("two islands: Neighbors = %v, want %v", got, want)
	}
}

func TestSymmetric(t *testing.T) {
	b := &Boundaries{Polygons: append(wGrid(0, 0, 1), orb.MultiPolygon{{wRect(10, 10, 11, 11)}}, orb.MultiPolygon{{wRect(-7, 3, -6, 4)}})}
	for _, w := range []*Weights{QueenWeights(b), QueenWeights(b).WithKNN(b, 3)} {
		for i, nb := range w.Neighbors {
			if !slices.IsSorted(nb) {
				t.Errorf("%s: Neighbors[%d] = %v, not sorted", w.Kind, i, nb)
			}
			for _, j := range nb {
				if j == i {
					t.Errorf("%s: %d is its own neighbour", w.Kind, i)
				}
				if _, ok := slices.BinarySearch(w.Neighbors[j], i); !ok {
					t.Errorf("%s: %d lists %d, not the other way", w.Kind, i, j)
				}
			}
		}
	}
}

func TestBorderDistricts(t *testing.T) {
	// A 3x3 grid of half-degree cells over Makran, from 64E 25.5N: the south
	// row and the lower half of the west and east sides are below the coast
	// line (about 25.85N here), the rest of the outline is land.
	//   6 7 8    land  land  land
	//   3 4 5    land  -     land
	//   0 1 2    coast coast coast
	polys := wGrid(64, 25.5, 0.5)
	got := BorderDistricts(&Boundaries{Polygons: polys})
	want := []bool{false, false, false, true, false, true, true, true, true}
	if !slices.Equal(got, want) {
		t.Errorf("BorderDistricts = %v, want %v", got, want)
	}

	// A district with a land border and a coast is a border district; an
	// enclave is not, nor is the district around it because of the hole.
	polys = []orb.MultiPolygon{
		{{wRect(66, 25, 67, 26)}}, // coast, and land to the north
		{{wRect(66, 24, 67, 25)}}, // coast on three sides
		{{wRect(70, 27, 73, 30), wRect(71, 28, 72, 29)}},
		{{wRect(71, 28, 72, 29)}},
	}
	if got, want := BorderDistricts(&Boundaries{Polygons: polys}), []bool{true, false, true, false}; !slices.Equal(got, want) {
		t.Errorf("BorderDistricts = %v, want %v", got, want)
	}
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestBorderDistrictsReal lists the border districts of the real boundaries
// in testdata/weights/border.golden (go test -update rewrites it), and
// pins the cases the coast rule exists for.
func TestBorderDistrictsReal(t *testing.T) {
	b, err := Load(boundariesPath(t), Properties{})
	if err != nil {
		t.Fatal(err)
	}
	border := BorderDistricts(b)
	var sb strings.Builder
	for i, ok := range border {
		if ok {
			d := b.Districts[i]
			fmt.Fprintf(&sb, "%s\t%s\t%s\n", d.Code, d.Name, d.Province)
		}
	}
	golden := filepath.Join("testdata", "weights", "border.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got := sb.String(); got != string(want) {
		t.Errorf("border districts differ from %s (go test -update rewrites it):\n%s", golden, got)
	}
	for _, c := range []struct {
		name string
		want bool
	}{
		{"Gwadar", true},   // coast, and Iran at Jiwani
		{"Kech", true},     // Iran
		{"Sujawal", true},  // coast, and India at Sir Creek
		{"Badin", true},    // India
		{"Neelum", true},   // Line of Control
		{"Hunza", true},    // China
		{"Chagai", true},   // Afghanistan and Iran
		{"Thatta", false},  // coast only
		{"Lasbela", false}, // coast only
		{"South Karachi", false},
		{"Islamabad", false},
	} {
		i := b.LookupName(c.name)
		if i < 0 {
			t.Errorf("no district %q", c.name)
			continue
		}
		if got := border[i]; got != c.want {
			t.Errorf("%s: border %v, want %v", c.name, got, c.want)
		}
	}
}

func TestIsCoast(t *testing.T) {
	tests := []struct {
		name string
		p    orb.Point
		want bool
	}{
		{"Gwatar Bay", orb.Point{61.64, 25.19}, true},
		{"Iran by Gwatar Bay", orb.Point{61.61, 25.25}, false},
		{"Iran's own coast", orb.Point{60.5, 25.3}, false},
		{"off Gwadar", orb.Point{62.3, 25.05}, true},
		{"Miani Hor", orb.Point{66.4, 25.55}, true},
		{"off Karachi", orb.Point{67.0, 24.7}, true},
		{"Indus delta", orb.Point{67.5, 24.0}, true},
		{"Kech", orb.Point{63.0, 26.0}, false},
		{"Rann of Kutch", orb.Point{69.0, 24.0}, false},
		{"Sir Creek", orb.Point{68.5, 23.95}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := isCoast(tt.p), tt.want; got != want {
				t.Errorf("isCoast(%v) = %v, want %v", tt.p, got, want)
			}
		})
	}
}

// TestProbe checks that the probe leaves the district by probeMetres,
// whichever way the ring winds.
func TestProbe(t *testing.T) {
	for _, cw := range []bool{false, true} {
		ring := wRect(64, 26, 64.5, 26.5)
		if cw {
			ring.Reverse()
		}
		polys := []orb.MultiPolygon{{{ring}}}
		es := outlineEdges(polys)
		if got, want := len(es), 4; got != want {
			t.Fatalf("cw=%v: %d outline edges, want %d", cw, got, want)
		}
		for _, e := range es {
			p := e.probe()
			if planar.RingContains(ring, p) {
				t.Errorf("cw=%v: probe %v of edge %v-%v is inside", cw, p, e.a, e.b)
			}
			mid := orb.Point{(e.a[0] + e.b[0]) / 2, (e.a[1] + e.b[1]) / 2}
			dx := (p[0] - mid[0]) * 111320 * math.Cos(mid[1]*math.Pi/180)
			dy := (p[1] - mid[1]) * 111320
			if d := math.Hypot(dx, dy); math.Abs(d-probeMetres) > 1 {
				t.Errorf("cw=%v: probe %.1f m from the edge, want %v", cw, d, probeMetres)
			}
		}
	}
}

func BenchmarkQueenWeights(b *testing.B) {
	bd, err := Load(boundariesPath(b), Properties{})
	if err != nil {
		b.Fatal(err)
	}
	vertices := 0
	for _, mp := range bd.Polygons {
		for _, p := range mp {
			for _, r := range p {
				vertices += len(r)
			}
		}
	}
	b.ResetTimer()
	for range b.N {
		QueenWeights(bd)
	}
	b.ReportMetric(float64(vertices)*float64(b.N)/b.Elapsed().Seconds(), "vertices/s")
}

func BenchmarkBorderDistricts(b *testing.B) {
	bd, err := Load(boundariesPath(b), Properties{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		BorderDistricts(bd)
	}
}

func ExampleQueenWeights() {
	// Three districts in a row, and one far away.
	b := &Boundaries{Polygons: []orb.MultiPolygon{
		{{wRect(0, 0, 1, 1)}},
		{{wRect(1, 0, 2, 1)}},
		{{wRect(2, 0, 3, 1)}},
		{{wRect(9, 0, 10, 1)}},
	}}
	w := QueenWeights(b)
	fmt.Println(w.Kind, w.Neighbors, "islands", w.Islands)
	w = w.WithKNN(b, 1)
	fmt.Println(w.Kind, w.Neighbors)
	// Output:
	// queen [[1] [0 2] [1] []] islands [3]
	// queen+knn [[1] [0 2] [1 3] [2]]
}
