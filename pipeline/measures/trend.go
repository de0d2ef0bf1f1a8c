package measures

import (
	"math"
	"sort"
)

// MannKendall runs the Mann-Kendall trend test on a series in time order, as
// pymannkendall.original_test does (Mann 1945; Kendall 1975; tie correction
// of Hipel & McLeod 1994, "Time Series Modelling of Water Resources and
// Environmental Systems", §23.3):
//
//	S      = Σ_{k<j} sign(y_j − y_k)
//	var(S) = [n(n−1)(2n+5) − Σ_t t(t−1)(2t+5)] / 18,  t the size of each tie group
//	z      = (S − 1)/√var(S) if S > 0,  0 if S = 0,  (S + 1)/√var(S) if S < 0
//	p      = 2(1 − Φ(|z|))            (two-sided)
//	tau    = S / (n(n−1)/2)           (Kendall's tau-a, pymannkendall's Tau)
//
// NaN values are dropped first, as pymannkendall does. With fewer than two
// values, or all values tied, S = 0, z = 0, p = 1, and tau is NaN for n < 2.
// The O(n²) count is fine for monthly series (72 steps: 2,556 pairs).
func MannKendall(y []float64) (s, z, p, tau float64) {
	v := make([]float64, 0, len(y))
	for _, x := range y {
		if !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	n := len(v)
	for k := 0; k < n-1; k++ {
		for j := k + 1; j < n; j++ {
			switch {
			case v[j] > v[k]:
				s++
			case v[j] < v[k]:
				s--
			}
		}
	}
	nf := float64(n)
	variance := nf * (nf - 1) * (2*nf + 5)
	sort.Float64s(v)
	for i := 0; i < n; {
		j := i + 1
		for j < n && v[j] == v[i] {
			j++
		}
		t := float64(j - i)
		variance -= t * (t - 1) * (2*t + 5)
		i = j
	}
	variance /= 18
	switch {
	case s > 0:
		z = (s - 1) / math.Sqrt(variance)
	case s < 0:
		z = (s + 1) / math.Sqrt(variance)
	}
	p = 2 * normSF(math.Abs(z))
	tau = s / (nf * (nf - 1) / 2)
	return s, z, p, tau
}

// Pattern is an Emerging Hot Spot Analysis class. The zero value, NoPattern,
// means none of the classes applies.
type Pattern string

// Emerging Hot Spot Analysis patterns, named as ArcGIS names them.
const (
	NoPattern        Pattern = ""
	NewHot           Pattern = "new hot spot"
	ConsecutiveHot   Pattern = "consecutive hot spot"
	IntensifyingHot  Pattern = "intensifying hot spot"
	PersistentHot    Pattern = "persistent hot spot"
	DiminishingHot   Pattern = "diminishing hot spot"
	SporadicHot      Pattern = "sporadic hot spot"
	OscillatingHot   Pattern = "oscillating hot spot"
	HistoricalHot    Pattern = "historical hot spot"
	NewCold          Pattern = "new cold spot"
	ConsecutiveCold  Pattern = "consecutive cold spot"
	IntensifyingCold Pattern = "intensifying cold spot"
	PersistentCold   Pattern = "persistent cold spot"
	DiminishingCold  Pattern = "diminishing cold spot"
	SporadicCold     Pattern = "sporadic cold spot"
	OscillatingCold  Pattern = "oscillating cold spot"
	HistoricalCold   Pattern = "historical cold spot"
)

// EmergingClass classifies one district's time series of Gi* results into an
// ArcGIS Emerging Hot Spot Analysis pattern ("How Emerging Hot Spot Analysis
// works", ArcGIS Pro tool reference, learnmoreemerging.htm). z[t] is the Gi*
// z-score at time step t (oldest first) and sig[t] whether that bin is
// significant (for ArcGIS parity: two-sided p with FDR, see
// EmergingHotSpots). A bin is a hot spot if sig and z > 0, a cold spot if sig
// and z < 0. The trend is MannKendall over z; it is significant when its p ≤
// alpha. With T time steps, H hot bins, and "final" the last step:
//
//   - new: final is hot and no earlier bin is significant.
//   - consecutive: the series ends in one run of ≥ 2 hot bins, no bin before
//     the run is significant, and H < 90% of T.
//   - intensifying: H ≥ 90% of T, final is hot, significant upward trend.
//   - persistent: H ≥ 90% of T, final is hot, no significant trend.
//   - diminishing: H ≥ 90% of T, final is hot, significant downward trend.
//   - sporadic: final is hot, H < 90% of T, never a cold spot, and not new
//     or consecutive (on-again, off-again).
//   - oscillating: final is hot, H < 90% of T, a cold spot at some earlier
//     step.
//   - historical: final is not hot, but H ≥ 90% of T.
//
// Cold patterns mirror these with cold bins and reversed trend direction
// (an intensifying cold spot's z trends down).
//
// Where ArcGIS's prose overlaps, these rules resolve it as sfdep's
// classify_hotspot does: new and consecutive require no earlier significant
// bin of either sign (a prior cold spot makes it oscillating). Where they
// differ from sfdep: sporadic requires the final bin to be hot, as ArcGIS Pro
// states; persistent requires a hot final bin (otherwise it is historical);
// and historical means "final not hot" rather than sfdep's "final z < 0".
// ArcGIS's Gi* here is space-time (neighbouring time steps too); callers
// passing purely spatial Gi* per month should say so.
func EmergingClass(z []float64, sig []bool, alpha float64) Pattern {
	mustSameLen("EmergingClass: z and sig", len(z), len(sig))
	T := len(z)
	if T == 0 {
		return NoPattern
	}
	state := make([]int, T) // +1 hot, −1 cold, 0 not significant
	hot, cold := 0, 0
	for t := range T {
		switch {
		case !sig[t] || math.IsNaN(z[t]):
		case z[t] > 0:
			state[t] = 1
			hot++
		case z[t] < 0:
			state[t] = -1
			cold++
		}
	}
	_, _, mkp, tau := MannKendall(z)
	trend := 0
	if mkp <= alpha {
		switch {
		case tau > 0:
			trend = 1
		case tau < 0:
			trend = -1
		}
	}
	if c := classify(state, +1, hot, cold, trend); c >= 0 {
		return hotPatterns[c]
	}
	if c := classify(state, -1, cold, hot, -trend); c >= 0 {
		return coldPatterns[c]
	}
	return NoPattern
}

var (
	hotPatterns  = [...]Pattern{NewHot, ConsecutiveHot, IntensifyingHot, PersistentHot, DiminishingHot, SporadicHot, OscillatingHot, HistoricalHot}
	coldPatterns = [...]Pattern{NewCold, ConsecutiveCold, IntensifyingCold, PersistentCold, DiminishingCold, SporadicCold, OscillatingCold, HistoricalCold}
)

// classify applies the hot-spot rules with sign +1, or their mirror with −1,
// returning an index into hotPatterns/coldPatterns or −1. same counts bins of
// the given sign, opposite the others; trend is +1 when it strengthens that
// sign.
func classify(state []int, sign, same, opposite, trend int) int {
	T := len(state)
	final := state[T-1] == sign
	mostly := 10*same >= 9*T // at least 90% of the steps, in exact integers
	if !final {
		if mostly {
			return 7 // historical
		}
		return -1
	}
	if mostly {
		switch trend {
		case 1:
			return 2 // intensifying
		case -1:
			return 4 // diminishing
		}
		return 3 // persistent
	}
	run := 0
	for t := T - 1; t >= 0 && state[t] == sign; t-- {
		run++
	}
	earlierSig := same - run + opposite
	switch {
	case earlierSig == 0 && run == 1:
		return 0 // new
	case earlierSig == 0:
		return 1 // consecutive
	case opposite > 0:
		return 6 // oscillating
	}
	return 5 // sporadic
}

// EmergingHotSpots classifies every district of a district × time matrix of
// Gi* z-scores (z[i][t]). A bin is significant when its two-sided p,
// 2(1 − Φ(|z|)), is ≤ alpha; with fdr true, Benjamini-Hochberg at q = alpha
// is applied within each time step across districts, in the spirit of
// ArcGIS's FDR correction. The Mann-Kendall trend uses the same alpha.
func EmergingHotSpots(z [][]float64, alpha float64, fdr bool) []Pattern {
	p := make([][]float64, len(z))
	for i := range z {
		p[i] = make([]float64, len(z[i]))
		for t, v := range z[i] {
			p[i][t] = 2 * normSF(math.Abs(v))
		}
	}
	return EmergingHotSpotsP(z, p, alpha, fdr)
}

// EmergingHotSpotsP is EmergingHotSpots with the two-sided p of each bin
// given (from GiStarPerm, say) rather than from the normal distribution. A
// NaN p is never significant.
func EmergingHotSpotsP(z, p [][]float64, alpha float64, fdr bool) []Pattern {
	n := len(z)
	out := make([]Pattern, n)
	if n == 0 {
		return out
	}
	mustSameLen("EmergingHotSpotsP: districts of z and p", n, len(p))
	T := len(z[0])
	sig := make([][]bool, n)
	for i := range z {
		mustSameLen("EmergingHotSpots: time steps", T, len(z[i]))
		mustSameLen("EmergingHotSpotsP: time steps of p", T, len(p[i]))
		sig[i] = make([]bool, T)
	}
	col := make([]float64, n)
	for t := range T {
		for i := range n {
			col[i] = p[i][t]
		}
		var rej []bool
		if fdr {
			rej = BH(col, alpha)
		}
		for i := range n {
			if fdr {
				sig[i][t] = rej[i]
			} else {
				sig[i][t] = col[i] <= alpha
			}
		}
	}
	for i := range n {
		out[i] = EmergingClass(z[i], sig[i], alpha)
	}
	return out
}
