package measures

import (
	"errors"
	"fmt"
	"math"
)

var (
	// ErrLength reports slices that should describe the same districts but
	// differ in length.
	ErrLength = errors.New("measures: slice lengths differ")
	// ErrNegative reports a negative count or population.
	ErrNegative = errors.New("measures: negative value")
	// ErrNoPopulation reports that no district has a positive population.
	ErrNoPopulation = errors.New("measures: no district has population > 0")
)

// EBRates returns global Empirical Bayes smoothed rates, as GeoDa's "Empirical
// Bayes" rate map computes them with the method-of-moments prior of Marshall
// (1991), "Mapping disease and mortality rates using empirical Bayes
// estimators", J. R. Stat. Soc. C 40(2):283-294; also Anselin, Lozano-Gracia
// & Koschinsky (2006), "Rate transformations and smoothing", GeoDa Center.
//
// With raw rates r_i = e_i/p_i over districts with p_i > 0:
//
//	b   = Σe_i / Σp_i                                 (prior mean)
//	a   = Σ p_i (r_i − b)² / Σp_i − b / p̄            (prior variance, p̄ = mean p_i)
//	a   = max(a, 0)
//	w_i = a / (a + b/p_i)                             (shrinkage weight)
//	EB_i = w_i r_i + (1 − w_i) b
//
// When a = 0 every rate shrinks to b. Because w_i lies in [0, 1] and r_i, b
// are non-negative, EB_i ≥ 0 always (rgeoda#54 once returned negatives).
// Districts with p_i = 0, or a NaN event or population, get NaN and are left
// out of the moments. Rates are per person: multiply by 1e5 for the usual
// "per 100,000".
func EBRates(events, pop []float64) ([]float64, error) {
	if len(events) != len(pop) {
		return nil, fmt.Errorf("EBRates: %d events, %d populations: %w", len(events), len(pop), ErrLength)
	}
	n := len(events)
	rates := make([]float64, n)
	var sumE, sumP float64
	m := 0
	for i := range n {
		e, p := events[i], pop[i]
		if e < 0 || p < 0 {
			return nil, fmt.Errorf("EBRates: district %d: events %g, population %g: %w", i, e, p, ErrNegative)
		}
		if math.IsNaN(e) || math.IsNaN(p) || p == 0 {
			rates[i] = math.NaN()
			continue
		}
		sumE += e
		sumP += p
		m++
	}
	if m == 0 {
		return nil, fmt.Errorf("EBRates: %w", ErrNoPopulation)
	}
	b := sumE / sumP
	meanP := sumP / float64(m)
	var ss float64
	for i := range n {
		if math.IsNaN(rates[i]) {
			continue
		}
		d := events[i]/pop[i] - b
		ss += pop[i] * d * d
	}
	a := max(ss/sumP-b/meanP, 0)
	for i := range n {
		if math.IsNaN(rates[i]) {
			continue
		}
		r := events[i] / pop[i]
		den := a + b/pop[i]
		if den == 0 { // no events anywhere: a = b = 0, every rate is 0
			rates[i] = b
			continue
		}
		w := a / den
		rates[i] = w*r + (1-w)*b
	}
	return rates, nil
}

// PercentChange returns 100·(after − before)/before, the measure of ArcGIS
// Summarize Percent Change. It is NaN when before is 0, because a change from
// nothing has no finite percentage; callers should show the absolute counts
// instead.
func PercentChange(before, after float64) float64 {
	if before == 0 {
		return math.NaN()
	}
	return 100 * (after - before) / before
}
