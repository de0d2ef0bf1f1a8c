package disclosure

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// monthsOf spreads each cell of t over n months: cell v gets v/n each month
// and the remainder on the first months, so small cells have v non-zero
// months of 1.
func monthsOf(t Table, n int) Period {
	p := Period{Table: t, From: "2024-01", To: fmt.Sprintf("2024-%02d", n)}
	for m := range n {
		p.Months = append(p.Months, fmt.Sprintf("2024-%02d", m+1))
	}
	for _, row := range t.Cells {
		var r [][]int64
		for _, v := range row {
			ms := make([]int64, n)
			for m := range ms {
				ms[m] = v / int64(n)
				if int64(m) < v%int64(n) {
					ms[m]++
				}
			}
			r = append(r, ms)
		}
		p.ByMonth = append(p.ByMonth, r)
	}
	return p
}

// narrow lists the withheld small counts whose range is narrower than the
// protection level.
func narrow(r *Release, p int64) []string {
	var out []string
	for _, b := range r.Exposed(p) {
		out = append(out, b.String())
	}
	return out
}

// Finding 6: a province total of 30, a published category total of 18 and
// 12 withheld cells under the difference: each is 1, which rules 1 and 2
// and Audit miss, as they do not count withheld cells as at least 1 each.
func TestFindingSuppressedCount(t *testing.T) {
	r := NewRelease()
	total := r.Add("total", 30, false, false, 1, true)
	cat := r.Add("cat", 18, false, false, 1, true)
	parts := []int{cat}
	for k := range 12 {
		parts = append(parts, r.Add(fmt.Sprint("cell", k), 1, true, true, 1, true))
	}
	r.Relate("province", total, parts)
	b := r.Bound(parts[1])
	if got, want := [2]int64{b.Lo, b.Hi}, [2]int64{1, 1}; got != want {
		t.Errorf("before: cell0 in %v, want %v (exact)", got, want)
	}
	added, unprotected := r.Protect(10)
	if got, want := len(added), 1; got != want || r.figs[added[0]].Key != "cat" || len(unprotected) != 0 {
		t.Errorf("Protect added %v (%d), unprotected %v; want the category total", added, got, unprotected)
	}
	b = r.Bound(parts[1])
	if got, want := [2]int64{b.Lo, b.Hi}, [2]int64{1, 18}; got != want {
		t.Errorf("after: cell0 in %v, want %v", got, want)
	}
	if got := narrow(r, 10); len(got) != 0 {
		t.Errorf("narrow after Protect: %q", got)
	}
}

// Finding 2: a published period count of 10 with 10 withheld months of 1
// (and two published zeros) gives every month away; the minimum-sum rule
// cannot be met by months, so Protect withholds the period count.
func TestFindingMonthMinimumSum(t *testing.T) {
	months := []int64{1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1}
	w := SuppressMonths(months, 10)
	n := 0
	for _, x := range w {
		if x {
			n++
		}
	}
	if got, want := n, 10; got != want {
		t.Fatalf("SuppressMonths withholds %d months, want %d", got, want)
	}
	r := NewRelease()
	cell := r.Add("p:2024-01..2024-12:D1:drugs", 10, false, false, 1, true)
	_ = cell
	var keys []string
	for m := range months {
		keys = append(keys, fmt.Sprintf("m:2024-%02d:D1:drugs", m+1))
	}
	r.AddMonths("p:2024-01..2024-12:D1:drugs", 10, keys, months, w, false, 10, true)
	b := r.Bound(r.Index(keys[0], 1))
	if got, want := [2]int64{b.Lo, b.Hi}, [2]int64{1, 1}; got != want {
		t.Errorf("before: January in %v, want %v (exact)", got, want)
	}
	added, _ := r.Protect(10)
	if got, want := len(added), 1; got != want || added[0] != cell {
		t.Errorf("Protect added %v, want the period count", added)
	}
	if got := narrow(r, 10); len(got) != 0 {
		t.Errorf("narrow after Protect: %q", got)
	}
}

// randomPeriod draws a sparse 3-level table: nd districts in np provinces,
// 4 categories, nm months, most cells small or zero.
func randomPeriod(rng *rand.Rand, nd, np, nm int) Period {
	sizes := make([]int, np)
	for i := range nd {
		sizes[i%np]++
	}
	t := randomTable(rng, sizes, []float64{2, 5, 12, 30})
	p := Period{Table: t, From: "2024-01", To: fmt.Sprintf("2024-%02d", nm)}
	for m := range nm {
		p.Months = append(p.Months, fmt.Sprintf("2024-%02d", m+1))
	}
	for _, row := range t.Cells {
		var r [][]int64
		for _, v := range row {
			ms := make([]int64, nm)
			for range v {
				ms[rng.IntN(nm)]++
			}
			r = append(r, ms)
		}
		p.ByMonth = append(p.ByMonth, r)
	}
	return p
}

// BenchmarkAudit protects a random sparse table of benchDistricts districts,
// 4 categories and 12 months. 160 districts is the target; see the package
// documentation for where time goes.
func BenchmarkAudit(b *testing.B) {
	rng := rand.New(rand.NewPCG(13, 1))
	p := randomPeriod(rng, benchDistricts, 6, 12)
	for b.Loop() {
		r := NewRelease()
		r.AddPeriod(p, Suppress(p.Table, 10), 10, true)
		added, unprotected := r.Protect(10)
		if len(unprotected) > 0 {
			b.Fatalf("unprotected %v", unprotected)
		}
		b.ReportMetric(float64(len(added)), "added")
	}
}

var benchDistricts = 160

// TestProtectRandom protects random sparse tables (seeded) and audits them
// afresh: no small count is left narrower than the protection level, and
// every proof point Protect kept (a value some feasible table gives a
// figure) lies in the range the audit finds.
func TestProtectRandom(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 4} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			p := randomPeriod(rng, 24, 3, 6)
			r := NewRelease()
			r.AddPeriod(p, Suppress(p.Table, 10), 10, true)
			added, unprotected := r.Protect(10)
			if len(added) == 0 || len(unprotected) > 0 {
				t.Fatalf("Protect withheld %d more and left %d unprotected", len(added), len(unprotected))
			}
			lo, hi := r.proofs()
			lo, hi = slices.Clone(lo), slices.Clone(hi)
			if got := narrow(r, 10); len(got) != 0 {
				t.Errorf("narrow after Protect: %q", got)
			}
			for _, b := range r.Audit() {
				if l, h := lo[b.Figure], hi[b.Figure]; l < float64(b.Lo)-1e-6 || (b.Hi != Unbounded && h > float64(b.Hi)+1e-6) {
					t.Errorf("%v: a feasible table gives it %g to %g", b, l, h)
				}
			}
		})
	}
}
