package measures

import (
	"math"
	"math/rand/v2"
)

// Quadrants of the Moran scatterplot, numbered as esda numbers them.
const (
	QuadHH = 1 // high value, high neighbours
	QuadLH = 2 // low value, high neighbours
	QuadLL = 3 // low value, low neighbours
	QuadHL = 4 // high value, low neighbours
)

// LocalMoran returns Anselin's (1995) local Moran's I ("Local indicators of
// spatial association — LISA", Geographical Analysis 27(2):93-115) as
// esda.Moran_Local(y, w, transformation="r", permutations) computes it
// (esda/moran.py):
//
//	z_i = (x_i − x̄) / s,   s the population standard deviation (ddof 0)
//	I_i = (n − 1) · z_i · Σ_j w_ij z_j / Σ_j z_j²,   w row-standardised
//
// Since Σz² = n, I_i = (n−1)/n · z_i · lag_i; the (n−1)/n factor is esda's.
// quad is QuadHH, QuadLH, QuadLL or QuadHL from the signs of z_i and its lag
// (a zero counts as low, as in esda).
//
// pSim is a folded pseudo p-value under conditional randomisation that
// counts ties on both sides: for each permutation, district i keeps its value
// and draws k_i = |N(i)| others without replacement from the remaining n − 1;
// with ge = #{I_i^perm ≥ I_i} and le = #{I_i^perm ≤ I_i},
//
//	pSim = (min(ge, le) + 1) / (permutations + 1)
//
// This is the Monte Carlo p-value p = (1 + #{t* ≥ t})/(R + 1) of Davison &
// Hinkley (1997), "Bootstrap Methods and their Application", ch. 4 (Monte
// Carlo tests), which counts a tie as at least as extreme, taken in the
// nearer tail. esda's
// folded p (and spdep's localmoran_perm with rank = FALSE) counts ties in the
// upper tail only and then folds: on repeated values (sparse counts, where most
// draws tie the observed I_i) a tie-heavy district then gets the smallest
// possible p although nothing distinguishes it from its permutations. Without
// ties the two rules agree. Draws come from a PCG generator seeded with seed,
// so results repeat exactly for the same seed; they are not numpy's draws. A
// permuted I within 1e-9 (relative) of the observed one is a tie, so that
// floating-point summation order cannot break ties.
//
// Deviation from esda: an isolate (no neighbours) gets I = 0 and pSim = NaN;
// esda would give it the smallest possible p, which is meaningless. If all
// values are equal, I and pSim are NaN. permutations ≤ 0 gives NaN pSim.
func LocalMoran(x []float64, nbrs [][]int, permutations int, seed uint64) (I, pSim []float64, quad []int) {
	n := len(x)
	mustSameLen("LocalMoran: x and nbrs", n, len(nbrs))
	var mean float64
	for _, v := range x {
		mean += v
	}
	mean /= float64(n)
	var ss float64
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	sd := math.Sqrt(ss / float64(n))
	z := make([]float64, n)
	var den float64
	for i, v := range x {
		z[i] = (v - mean) / sd
		den += z[i] * z[i]
	}
	scale := float64(n-1) / den

	I = make([]float64, n)
	pSim = make([]float64, n)
	quad = make([]int, n)
	for i := range n {
		var lag float64
		if k := len(nbrs[i]); k > 0 {
			for _, j := range nbrs[i] {
				lag += z[j]
			}
			lag /= float64(k)
		}
		I[i] = scale * z[i] * lag
		switch {
		case z[i] > 0 && lag > 0:
			quad[i] = QuadHH
		case z[i] > 0:
			quad[i] = QuadHL
		case lag > 0:
			quad[i] = QuadLH
		default:
			quad[i] = QuadLL
		}
	}

	const tieTol = 1e-9
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	others := make([]int, 0, n)
	for i := range n {
		k := len(nbrs[i])
		if permutations <= 0 || k == 0 || math.IsNaN(I[i]) || k > n-1 {
			pSim[i] = math.NaN()
			continue
		}
		others = others[:0]
		for j := range n {
			if j != i {
				others = append(others, j)
			}
		}
		m := len(others)
		kf := float64(k)
		ge, le := 0, 0
		tie := tieTol * math.Max(1, math.Abs(I[i]))
		for range permutations {
			// Partial Fisher-Yates: the first k slots become a uniform
			// k-subset; the slice stays a permutation, so no reset is needed.
			var s float64
			for t := range k {
				u := t + rng.IntN(m-t)
				others[t], others[u] = others[u], others[t]
				s += z[others[t]]
			}
			v := scale * z[i] * (s / kf)
			if v >= I[i]-tie {
				ge++
			}
			if v <= I[i]+tie {
				le++
			}
		}
		pSim[i] = foldedP(ge, le, permutations)
	}
	return I, pSim, quad
}

// foldedP is the pseudo p-value of an observed statistic from permutations
// of which ge were at least and le at most the observed value (ties in
// both): (min(ge, le) + 1)/(permutations + 1), see LocalMoran.
func foldedP(ge, le, permutations int) float64 {
	return float64(min(ge, le)+1) / float64(permutations+1)
}

// Cluster labels each district's LISA cluster as GeoDa and esda's cluster
// maps do: "HH", "LH", "LL" or "HL" from quad when pSim ≤ alpha, and "" when
// the district is not significant (or pSim is NaN).
func Cluster(quad []int, pSim []float64, alpha float64) []string {
	mustSameLen("Cluster: quad and pSim", len(quad), len(pSim))
	out := make([]string, len(quad))
	for i, q := range quad {
		if !(pSim[i] <= alpha) {
			continue
		}
		switch q {
		case QuadHH:
			out[i] = "HH"
		case QuadLH:
			out[i] = "LH"
		case QuadLL:
			out[i] = "LL"
		case QuadHL:
			out[i] = "HL"
		}
	}
	return out
}
