package disclosure

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// randomTable draws a table whose counts are skewed like incident counts:
// a district size and a category rate, both log-normal, times log-normal
// noise, so most cells are small or zero and a few are large.
func randomTable(rng *rand.Rand, provinceSizes []int, rates []float64) Table {
	var tb Table
	for j := range rates {
		tb.Cols = append(tb.Cols, fmt.Sprintf("c%d", j))
	}
	for g, n := range provinceSizes {
		for range n {
			i := len(tb.Rows)
			tb.Rows = append(tb.Rows, fmt.Sprintf("d%03d", i))
			tb.Groups = append(tb.Groups, fmt.Sprintf("p%d", g))
			size := math.Exp(rng.NormFloat64())
			row := make([]int64, len(rates))
			for j, rate := range rates {
				row[j] = int64(rate * size * math.Exp(0.7*rng.NormFloat64()))
			}
			tb.Cells = append(tb.Cells, row)
		}
	}
	return tb
}

func TestSuppressRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 1))
	for n := range 1000 {
		sizes := make([]int, 1+rng.IntN(5))
		for g := range sizes {
			sizes[g] = 1 + rng.IntN(8)
		}
		rates := make([]float64, 1+rng.IntN(5))
		for j := range rates {
			rates[j] = math.Exp(4 * rng.Float64())
		}
		tb := randomTable(rng, sizes, rates)
		minCell := []int64{2, 3, 5, 10}[rng.IntN(4)]
		r := Suppress(tb, minCell)
		if got := Audit(tb, r); len(got) != 0 {
			t.Fatalf("table %d (min %d): Audit recovers %q\n%+v", n, minCell, got, tb)
		}
		checkRules(t, tb, r, minCell)
		if !reflect.DeepEqual(r, Suppress(tb, minCell)) {
			t.Fatalf("table %d: not deterministic", n)
		}
	}
}

// pakistan is 160 districts in 7 provinces, sized like Punjab, Sindh, KP,
// Balochistan, Gilgit-Baltistan, AJK and a one-district ICT.
var pakistan = []int{38, 30, 35, 32, 14, 10, 1}

// rates are mean counts per district: drugs common, trafficking rare.
var rates = []float64{40, 4, 8, 15}

func TestSuppressPakistanShape(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 2))
	const tables = 200
	var cells, primary, suppressed, margins, leaky, added int
	for n := range tables {
		tb := randomTable(rng, pakistan, rates)
		r := Suppress(tb, 10)
		if got := Audit(tb, r); len(got) != 0 {
			t.Fatalf("table %d: Audit recovers %q", n, got)
		}
		checkRules(t, tb, r, 10)
		l := newLayout(tb)
		if got := linearlyDetermined(l, l.flags(r)); len(got) != 0 {
			t.Fatalf("table %d: %d figures determined modulo p", n, len(got))
		}
		for i := range r.Primary {
			for j := range r.Primary[i] {
				if r.Primary[i][j] {
					primary++
				}
			}
		}
		cells += len(tb.Rows) * len(tb.Cols)
		suppressed += r.Count
		margins += r.MarginCount

		// The relation rules alone leave some tables open to combined
		// relations; Audit must see it, and Suppress must have added to them.
		sup := make([]bool, l.nodes())
		for n, v := range l.vals {
			sup[n] = v > 0 && v < 10
		}
		l.closeRelations(sup, 10)
		if d := l.determined(sup); len(d) > 0 {
			leaky++
			h := l.result(sup, sup)
			if got := Audit(tb, h); len(got) < len(d) {
				t.Errorf("table %d: Audit finds %d of %d determined figures", n, len(got), len(d))
			}
			added += r.Count + r.MarginCount - h.Count - h.MarginCount
		}
	}
	if leaky == 0 {
		t.Errorf("no table needed the linear check; the test no longer covers it")
	}
	t.Logf("%d tables of %d x %d: cells %.1f%% primary, %.2f%% suppressed; %.1f margins suppressed per table; "+
		"%d tables needed %d more figures against combined relations",
		tables, len(pakistan), len(rates),
		100*float64(primary)/float64(cells), 100*float64(suppressed)/float64(cells),
		float64(margins)/tables, leaky, added)
}

// linearlyDetermined is an independent check of layout.determined: it
// returns the suppressed nodes that some linear
// combination of the published relations determines exactly: those whose
// unit vector lies in the row space of the relations restricted to the
// suppressed nodes. It works modulo a large prime, which matches the
// rational rank for these ±1 matrices barring a one-in-2^61 accident.
func linearlyDetermined(l *layout, sup []bool) []int {
	const p = 1<<61 - 1
	var cols []int
	colOf := make(map[int]int)
	for n, s := range sup {
		if s {
			colOf[n] = len(cols)
			cols = append(cols, n)
		}
	}
	var m [][]uint64
	for _, rel := range l.rels {
		row := make([]uint64, len(cols))
		any := false
		for _, q := range rel.parts {
			if c, ok := colOf[q]; ok {
				row[c] = 1
				any = true
			}
		}
		if c, ok := colOf[rel.total]; ok {
			row[c] = p - 1
			any = true
		}
		if any {
			m = append(m, row)
		}
	}
	mul := func(a, b uint64) uint64 {
		hi, lo := bits.Mul64(a, b)
		return (hi<<3 | lo>>61) + (lo & p) // a*b mod p, up to one extra p
	}
	red := func(x uint64) uint64 {
		for x >= p {
			x -= p
		}
		return x
	}
	pow := func(a uint64, e uint64) uint64 {
		r := uint64(1)
		for ; e > 0; e >>= 1 {
			if e&1 == 1 {
				r = red(mul(r, a))
			}
			a = red(mul(a, a))
		}
		return r
	}
	pivotRow := make([]int, len(cols))
	for c := range pivotRow {
		pivotRow[c] = -1
	}
	rank := 0
	for c := range cols {
		piv := -1
		for i := rank; i < len(m); i++ {
			if m[i][c] != 0 {
				piv = i
				break
			}
		}
		if piv < 0 {
			continue
		}
		m[rank], m[piv] = m[piv], m[rank]
		inv := pow(m[rank][c], p-2)
		for k := range m[rank] {
			m[rank][k] = red(mul(m[rank][k], inv))
		}
		for i := range m {
			if i == rank || m[i][c] == 0 {
				continue
			}
			f := m[i][c]
			for k := range m[i] {
				m[i][k] = red(m[i][k] + p - red(mul(f, m[rank][k])))
			}
		}
		pivotRow[c] = rank
		rank++
	}
	var out []int
	for c, r := range pivotRow {
		if r < 0 {
			continue
		}
		free := false
		for k, v := range m[r] {
			if k != c && v != 0 && pivotRow[k] < 0 {
				free = true
				break
			}
		}
		if !free {
			out = append(out, cols[c])
		}
	}
	return out
}

func TestDetermined(t *testing.T) {
	tb := table(cols4, "d1 A 3 20 30 40", "d2 A 15 25 35 45", "d3 A 12 22 50 60")
	l := newLayout(tb)
	rectangle := l.flags(Result{Suppressed: [][]bool{{true, true, false, false}, nil, {true, true, false, false}}})
	if got := l.determined(rectangle); len(got) != 0 {
		t.Errorf("rectangle: determined %v", got)
	}
	// The staircase of TestAudit is recovered by subtraction, so it is
	// determined too.
	staircase := l.flags(Result{Suppressed: [][]bool{
		{true, true, false, false},
		{false, true, true, false},
		{false, false, true, true},
	}})
	if got, want := len(l.determined(staircase)), 6; got != want {
		t.Errorf("staircase: %d determined, want %d", got, want)
	}
}

// TestDeterminedModular compares the exact elimination with the modular one
// on random suppression patterns, margins included.
func TestDeterminedModular(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 3))
	for n := range 100 {
		tb := randomTable(rng, pakistan, rates)
		l := newLayout(tb)
		sup := make([]bool, l.nodes())
		q := rng.Float64()
		for k := range sup {
			sup[k] = l.vals[k] > 0 && rng.Float64() < q
		}
		got, want := l.determined(sup), linearlyDetermined(l, sup)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("pattern %d: determined %v, modulo p %v", n, got, want)
		}
	}
}

func BenchmarkSuppressPakistan(b *testing.B) {
	rng := rand.New(rand.NewPCG(6, 2))
	tbs := make([]Table, 20)
	for i := range tbs {
		tbs[i] = randomTable(rng, pakistan, rates)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		Suppress(tbs[i%len(tbs)], 10)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tables/s")
}
