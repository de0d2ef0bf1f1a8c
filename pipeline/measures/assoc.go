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

// ColocationQuotient returns Leslie & Kronenfeld's (2011) global co-location
// quotient of category A towards category B ("The colocation quotient: a
// new measure of spatial association between categorical subsets of
// points", Geographical Analysis 43(3):306-326), on incidents counted by
// district: a[i] and b[i] incidents of A and B in district i. Their measure,
// for points, is
//
//	CLQ_A→B = (Σ_{A points p} f_p / N_A) / (N_B / (N − 1))
//
// where f_p is the share of B among p's nearest neighbours (ties shared) and
// N = N_A + N_B the points of both categories. The denominator is their null:
// the labels are shuffled over the fixed incidents, so a neighbour of an A
// incident is B with probability N_B/(N − 1), whatever district it is in.
// Districts stand in for distance: every incident in the district or a
// contiguous one, N*(i) = {i} ∪ N(i), is a nearest neighbour, all tied.
// So an A incident in district i has T*_i − 1 neighbours, T*_i = Σ_{j ∈
// N*(i)} (a_j + b_j), of which B*_i = Σ_{j ∈ N*(i)} b_j are B:
//
//	f_i     = B*_i / (T*_i − 1)
//	CLQ_A→B = (Σ_i a_i f_i / Σ_i a_i) / (Σ_i b_i / (N − 1))
//
// both sums over the districts with T*_i > 1 (an A incident alone in its
// neighbourhood has no neighbour to count; it is left out). CLQ = 1 means
// no association, > 1 that A's neighbours are B more often than the mix of
// the two categories would give, < 1 that A keeps apart from B; 0 that no
// A incident has a B one around it. It is asymmetric (CLQ_A→B ≠ CLQ_B→A in
// general) and does not depend on population: the null is the two
// categories' own counts, not districts equally likely. It is NaN when Σa or
// Σb is 0 or no A incident has a neighbour. With no contiguity (nbrs all
// empty) the neighbourhood is the district itself.
func ColocationQuotient(a, b []float64, nbrs [][]int) float64 {
	n := len(a)
	mustSameLen("ColocationQuotient: a and b", n, len(b))
	mustSameLen("ColocationQuotient: a and nbrs", n, len(nbrs))
	var na, nb float64
	for i := range n {
		na += a[i]
		nb += b[i]
	}
	if na == 0 || nb == 0 {
		return math.NaN()
	}
	var sum, withNbrs float64
	for i := range n {
		if a[i] == 0 {
			continue
		}
		bs, all := b[i], a[i]+b[i]
		for _, j := range nbrs[i] {
			bs += b[j]
			all += a[j] + b[j]
		}
		if all <= 1 {
			continue
		}
		sum += a[i] * bs / (all - 1)
		withNbrs += a[i]
	}
	if withNbrs == 0 {
		return math.NaN()
	}
	return (sum / withNbrs) / (nb / (na + nb - 1))
}
