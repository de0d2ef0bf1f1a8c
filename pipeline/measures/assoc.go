package measures

import (
	"math"
	"sort"
)

// Spearman returns Spearman's rank correlation ρ: the Pearson correlation of
// the ranks of x and of y, with tied values given the average of the ranks
// they span (as scipy.stats.spearmanr does). Pairs where either value is NaN
// are dropped. It is NaN with fewer than two pairs or when either ranking is
// constant.
func Spearman(x, y []float64) float64 {
	mustSameLen("Spearman: x and y", len(x), len(y))
	var xs, ys []float64
	for i := range x {
		if math.IsNaN(x[i]) || math.IsNaN(y[i]) {
			continue
		}
		xs = append(xs, x[i])
		ys = append(ys, y[i])
	}
	if len(xs) < 2 {
		return math.NaN()
	}
	return pearson(avgRanks(xs), avgRanks(ys))
}

// avgRanks returns 1-based ranks, ties sharing their mean rank.
func avgRanks(v []float64) []float64 {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return v[idx[a]] < v[idx[b]] })
	r := make([]float64, len(v))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && v[idx[j+1]] == v[idx[i]] {
			j++
		}
		mid := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			r[idx[k]] = mid
		}
		i = j + 1
	}
	return r
}

func pearson(a, b []float64) float64 {
	n := float64(len(a))
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma /= n
	mb /= n
	var sab, saa, sbb float64
	for i := range a {
		da, db := a[i]-ma, b[i]-mb
		sab += da * db
		saa += da * da
		sbb += db * db
	}
	if saa == 0 || sbb == 0 {
		return math.NaN()
	}
	return sab / math.Sqrt(saa*sbb)
}

// ColocationQuotient returns a district-level global co-location quotient of
// category A towards category B, from counts a[i] and b[i] of each category
// in district i. It carries Leslie & Kronenfeld's (2011) point CLQ ("The
// colocation quotient", Geographical Analysis 43(3):306-326) — observed B
// neighbours of the average A event over the count expected by chance — to
// areal counts, taking a district's neighbourhood to be itself plus its
// contiguous districts, N*(i) = {i} ∪ N(i):
//
//	B*_i    = Σ_{j ∈ N*(i)} b_j                 (B events around district i)
//	CLQ_A→B = (Σ_i a_i B*_i / Σ_i a_i) / (Σ_i B*_i / n)
//
// The numerator is how many B events surround the average A event; the
// denominator is how many surround the average district, which is what an A
// event would see if A were placed in districts without regard to B (each
// district equally likely). So CLQ = 1 means no association, > 1 that A
// occurs where B is concentrated (co-location), < 1 that A avoids B; 0 means
// no A event has any B event in its neighbourhood. Like Leslie and
// Kronenfeld's it is asymmetric: CLQ_A→B ≠ CLQ_B→A in general. With no
// neighbours at all it reduces to same-district co-occurrence,
// (Σ a_i b_i/Σa)/(Σb/n). The null treats districts as equally likely hosts,
// not by population: a quotient well above 1 between two crimes that both
// follow population is expected. It is NaN when Σa or Σb is 0.
func ColocationQuotient(a, b []float64, nbrs [][]int) float64 {
	n := len(a)
	mustSameLen("ColocationQuotient: a and b", n, len(b))
	mustSameLen("ColocationQuotient: a and nbrs", n, len(nbrs))
	var sumA, num, sumB float64
	for i := range n {
		around := b[i]
		for _, j := range nbrs[i] {
			around += b[j]
		}
		sumA += a[i]
		num += a[i] * around
		sumB += around
	}
	if sumA == 0 || sumB == 0 {
		return math.NaN()
	}
	return (num / sumA) / (sumB / float64(n))
}
