package measures

import (
	"math"
	"math/rand/v2"
	"sort"
)

// GiStar returns the local Getis-Ord Gi* z-scores and p-values exactly as
// PySAL's esda.G_Local(y, w, transform="R", star=True) reports them as Zs and
// p_norm (esda/getisord.py; Getis & Ord 1992, Ord & Getis 1995).
//
// esda adds the focal district with weight 1 to the binary contiguity matrix
// and then row-standardises, so w_ij = 1/(k_i+1) for j in {i} ∪ N(i), where
// k_i = |N(i)|. With S = Σ_j x_j, x̄ = S/n and s² = Σx_j²/n − x̄² (population
// variance over all n districts, focal included):
//
//	G_i  = Σ_j w_ij x_j / S
//	E_i  = c_i / n,  c_i = Σ_j w_ij = 1
//	V_i  = c_i (n − c_i) / (n − 1) / n² · s² / x̄²
//	z_i  = (G_i − E_i) / √V_i
//	p_i  = 1 − Φ(|z_i|)          (one-sided, esda's p_norm)
//
// Because the row sums are 1, this reduces to z_i = (local mean − x̄)/s: the
// neighbourhood size does not enter the variance. That is esda's behaviour
// and it differs from ArcGIS; use GiStarBinary for ArcGIS-comparable z. For
// a two-sided p, as ArcGIS reports, double p. An isolate's neighbourhood is
// itself, so its z is (x_i − x̄)/s. If s or x̄ is 0, z and p are NaN.
func GiStar(x []float64, nbrs [][]int) (z, p []float64) {
	return giStar(x, nbrs, true)
}

// GiStarBinary returns Gi* with binary weights and the focal district
// included (w_ij = 1 for j in {i} ∪ N(i)), the statistic of ArcGIS Pro's Hot
// Spot Analysis (Getis-Ord Gi*) with contiguity weights, and identical to
// esda.G_Local(y, w, transform="B", star=True). With c_i = k_i + 1 in the
// formulas of GiStar, z_i equals ArcGIS's
//
//	z_i = (Σ_j w_ij x_j − x̄ c_i) / (s √((n c_i − c_i²)/(n − 1)))
//
// p is one-sided as in GiStar; ArcGIS's GiPValue is 2p.
func GiStarBinary(x []float64, nbrs [][]int) (z, p []float64) {
	return giStar(x, nbrs, false)
}

func giStar(x []float64, nbrs [][]int, rowStd bool) (z, p []float64) {
	n := len(x)
	mustSameLen("GiStar: x and nbrs", n, len(nbrs))
	var sum, sum2 float64
	for _, v := range x {
		sum += v
		sum2 += v * v
	}
	nf := float64(n)
	mean := sum / nf
	variance := sum2/nf - mean*mean
	z = make([]float64, n)
	p = make([]float64, n)
	for i := range n {
		local := x[i]
		for _, j := range nbrs[i] {
			local += x[j]
		}
		card := float64(len(nbrs[i]) + 1)
		if rowStd {
			local /= card
			card = 1
		}
		g := local / sum
		ev := card / nf
		vv := card * (nf - card) / (nf - 1) / (nf * nf) * variance / (mean * mean)
		z[i] = (g - ev) / math.Sqrt(vv)
		if math.IsInf(z[i], 0) || vv <= 0 {
			z[i] = math.NaN()
		}
		p[i] = normSF(math.Abs(z[i]))
	}
	return z, p
}

// GiStarPerm returns GiStarBinary's z-scores with two-sided pseudo p-values
// from conditional permutations instead of the normal approximation, for
// skewed data (EB rates of rare crimes) where normal-theory p is far too
// small. For each permutation, district i keeps its value and draws k_i =
// |N(i)| others without replacement from the remaining n − 1 (as
// LocalMoran; esda's G_Local p_sim, spdep's localG_perm). The local sum is
// what Gi* orders by, so with ge and le the draws whose local sum is at
// least and at most the observed one (ties in both, within 1e-9 relative),
//
//	p = min(1, 2 · (min(ge, le) + 1) / (permutations + 1))
//
// twice the folded pseudo p of LocalMoran, so that it reads as the
// two-sided GiPValue of ArcGIS (and GiBinsP). Draws come from a PCG
// generator seeded with seed: the same seed gives the same p. An isolate,
// a NaN z or permutations ≤ 0 gives NaN p.
func GiStarPerm(x []float64, nbrs [][]int, permutations int, seed uint64) (z, p []float64) {
	z, _ = giStar(x, nbrs, false)
	n := len(x)
	p = make([]float64, n)
	const tieTol = 1e-9
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	others := make([]int, 0, n)
	for i := range n {
		k := len(nbrs[i])
		if permutations <= 0 || k == 0 || k > n-1 || math.IsNaN(z[i]) {
			p[i] = math.NaN()
			continue
		}
		obs := x[i]
		for _, j := range nbrs[i] {
			obs += x[j]
		}
		others = others[:0]
		for j := range n {
			if j != i {
				others = append(others, j)
			}
		}
		m := len(others)
		tie := tieTol * math.Max(1, math.Abs(obs))
		ge, le := 0, 0
		for range permutations {
			s := x[i]
			for t := range k {
				u := t + rng.IntN(m-t)
				others[t], others[u] = others[u], others[t]
				s += x[others[t]]
			}
			if s >= obs-tie {
				ge++
			}
			if s <= obs+tie {
				le++
			}
		}
		p[i] = math.Min(1, 2*foldedP(ge, le, permutations))
	}
	return z, p
}

// GiBins returns ArcGIS's Gi_Bin for each z-score: +3/−3 for a hot/cold spot
// at 99% confidence, ±2 at 95%, ±1 at 90%, 0 otherwise. Confidence comes from
// the two-sided normal p-value 2(1 − Φ(|z|)), i.e. twice GiStar's p, which is
// how ArcGIS's GiPValue is defined. NaN z gives 0.
//
// With fdr true it applies ArcGIS's False Discovery Rate correction: at each
// level (0.10, 0.05, 0.01) only districts that Benjamini-Hochberg rejects at
// that q over all n districts keep the bin (see BH).
func GiBins(z []float64, fdr bool) []int {
	p := make([]float64, len(z))
	for i, v := range z {
		p[i] = 2 * normSF(math.Abs(v))
	}
	return GiBinsP(z, p, fdr)
}

// GiBinsP bins as GiBins does, with the two-sided p-values given (those of
// GiStarPerm, say) instead of the normal ones; the sign comes from z. A NaN
// z or p gives 0.
func GiBinsP(z, p []float64, fdr bool) []int {
	n := len(z)
	mustSameLen("GiBinsP: z and p", n, len(p))
	levels := [3]float64{0.10, 0.05, 0.01}
	var sig [3][]bool
	for l, a := range levels {
		if fdr {
			sig[l] = BH(p, a)
			continue
		}
		sig[l] = make([]bool, n)
		for i, v := range p {
			sig[l][i] = v <= a // false for NaN
		}
	}
	bins := make([]int, n)
	for i, v := range z {
		if math.IsNaN(v) || math.IsNaN(p[i]) {
			continue
		}
		b := 0
		for l := range levels {
			if sig[l][i] {
				b = l + 1
			}
		}
		if v < 0 {
			b = -b
		}
		bins[i] = b
	}
	return bins
}

// BH applies the Benjamini & Hochberg (1995) step-up procedure, "Controlling
// the false discovery rate", J. R. Stat. Soc. B 57(1):289-300: with the m
// p-values sorted, p_(1) ≤ … ≤ p_(m), find the largest k with
// p_(k) ≤ k·q/m and reject the hypotheses of p_(1) … p_(k). It reports true
// for each rejected (significant) p. NaN p-values are never rejected and do
// not count towards m. Ties at the cut-off are all rejected.
func BH(p []float64, q float64) []bool {
	idx := make([]int, 0, len(p))
	for i, v := range p {
		if !math.IsNaN(v) {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] < p[idx[b]] })
	m := float64(len(idx))
	k := 0
	for r, i := range idx {
		if p[i] <= float64(r+1)*q/m {
			k = r + 1
		}
	}
	out := make([]bool, len(p))
	for _, i := range idx[:k] {
		out[i] = true
	}
	return out
}
