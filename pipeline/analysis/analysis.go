// Package analysis turns district_month cells into what analysts read off
// a heatmap: counts, rates and smoothed rates, change between periods,
// trends, hot spots, cluster classes and cross-category links. It works on
// plain data read from the store, with the statistics of package measures,
// so the same numbers come out of an ingest's stored tables and of a
// command's query with its own period and province.
package analysis

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/ocmap/ocmap/pipeline/measures"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

// Defaults of Options.
const (
	DefaultPermutations = 999
	DefaultSeed         = 20261125
	DefaultAlpha        = 0.05
	// DefaultMinIncidents is the fewest incidents in the period for which
	// hot spots, clusters and emerging classes are given: on fewer, a
	// single incident makes its neighbours "hot" and every test is
	// dominated by ties and zeros.
	DefaultMinIncidents = 30
)

// Inference of Gi* p-values.
const (
	// Normal is the normal approximation, as ArcGIS's Hot Spot Analysis.
	Normal = "normal"
	// Permutation is conditional permutation (measures.GiStarPerm), seeded.
	Permutation = "permutation"
)

// Options tune the statistics.
type Options struct {
	Permutations int     // Local Moran's I, and Gi* with Permutation; 0 means DefaultPermutations
	Seed         uint64  // of the permutations; 0 means DefaultSeed
	Alpha        float64 // significance of LISA clusters, trends and emerging classes; 0 means DefaultAlpha
	// Inference is how Gi* p-values (hot spot bins, emerging classes) are
	// found: Normal ("" means Normal) or Permutation.
	Inference string
	// MinIncidents: with fewer incidents in the period (over the
	// districts analysed) no hot spot, cluster or emerging class is given,
	// and Result.Guard says why. 0 means DefaultMinIncidents; a negative
	// value turns the guard off.
	MinIncidents int
	// GuardRecords makes the guard count Records, as events, rather than
	// Incidents: context events analysed on killed or injured (which are
	// then in Incidents) still need that many events (Records).
	GuardRecords bool
	// CountsOnly skips hot spots, clusters and trends, keeping counts,
	// rates, EB rates and change: for an analysis read only for those.
	CountsOnly bool
	// Value, when not nil, is the figure of a cell that rates, change,
	// trends and hot spots are computed on, in place of its incidents: a
	// quantity such as kg seized. A quantity is not a count of events, so
	// no EB rate is given (EB assumes Poisson counts), and hot spots and
	// clusters are computed on Scale of the districts' sums.
	Value func(store.Cell) float64
	// Scale is the hot spot basis of a Value: ScaleLog ("" means
	// ScaleLog), ScaleRank or ScaleRaw.
	Scale string
	// Withheld, when not nil, makes the analysis one a published release
	// can print: hot spots, clusters, emerging classes, trends and EB
	// rates worked out from the figures it publishes only, so that none
	// of them tells anything of a withheld count. Withheld(i, -1) says
	// whether district i's count of the period is withheld, Withheld(i, t)
	// whether its count of month t is. A district whose count is withheld
	// is left out of EB rates (and their prior), hot spots and clusters, as
	// a district without population is; one with a withheld month is left
	// out of the emerging classes (monthly Gi*, and each month's EB prior)
	// and has no trend; the minimum of incidents counts the published
	// counts only.
	Withheld func(district, month int) bool
}

// Scales of a quantity's hot spot basis. Sums of seizures are dominated by
// a few large ones: on the raw sums one 500 kg seizure makes its district
// and its neighbours a hot spot whatever the rest of the map does.
const (
	ScaleLog  = "log"  // log10(1 + sum): a large seizure weighs as an order of magnitude
	ScaleRank = "rank" // the sums' ranks, 1 the smallest, ties averaged: order only
	ScaleRaw  = "raw"  // the sums as they are
)

func (o Options) withDefaults() Options {
	if o.Permutations <= 0 {
		o.Permutations = DefaultPermutations
	}
	if o.Seed == 0 {
		o.Seed = DefaultSeed
	}
	if o.Alpha <= 0 {
		o.Alpha = DefaultAlpha
	}
	if o.Inference == "" {
		o.Inference = Normal
	}
	if o.MinIncidents == 0 {
		o.MinIncidents = DefaultMinIncidents
	}
	return o
}

// Map is the fixed part of every analysis: the districts (in the order of
// the districts table), their queen neighbours by index, and which touch
// the national border on land.
type Map struct {
	Districts []store.District
	Neighbors [][]int
	Border    []bool
}

// Period is a span of whole months, From and To being first days of months,
// inclusive.
type Period struct{ From, To time.Time }

// Months lists the first days of the period's months.
func (p Period) Months() []time.Time {
	var out []time.Time
	for m := p.From; !m.After(p.To); m = m.AddDate(0, 1, 0) {
		out = append(out, m)
	}
	return out
}

// Before returns the period of the same length just before p, the default
// base of percent change.
func (p Period) Before() Period {
	n := len(p.Months())
	return Period{From: p.From.AddDate(0, -n, 0), To: p.From.AddDate(0, -1, 0)}
}

func (p Period) contains(m time.Time) bool { return !m.Before(p.From) && !m.After(p.To) }

// District is one district's measures over a period.
type District struct {
	Code, Name, Province string
	Border               bool

	Incidents, Records, Victims int64
	// Value is the figure analysed: Options.Value summed over the period,
	// or Incidents; BaseValue the same over the base period.
	Value, BaseValue float64
	// Rank is the district's place by Value, 1 the largest; districts with
	// the same Value share the best place.
	Rank int
	// Median is the median per incident of a quantity, for the caller to
	// fill (store.QuantityStats); NaN here.
	Median              float64
	Killed, Injured     int64 // of context events (store.EventCells); 0 for incidents
	Quantity, AmountPKR float64
	ByPrecision         [5]int64 // incidents by location precision 1, 2, 3, 4 and 6

	Population     int64   // in PopulationYear, the census year of the period's end (CensusYear); 0 unknown
	PopulationYear int     //
	Rate           float64 // Value per 100,000 people; NaN without a population
	EBRate         float64 // global empirical Bayes rate per 100,000; NaN without a population, or for a quantity

	Base   int64   // incidents in the base period
	Change float64 // percent change from BaseValue to Value; NaN when BaseValue is 0

	TrendS, TrendZ, TrendP, TrendTau float64 // Mann-Kendall over the months
	Trend                            string  // "up", "down" or "" (not significant)
	Emerging                         string  // emerging hot spot class on the hot spot basis, or ""

	GiZ, GiP float64 // Getis-Ord Gi* (binary weights, as ArcGIS) on the hot spot basis; GiP two-sided, by Result.Inference
	GiBin    int     // ±3, ±2, ±1: hot or cold spot at 99, 95, 90% confidence, FDR-corrected
	LisaI    float64 // Local Moran's I on the hot spot basis
	LisaP    float64 // its pseudo p-value from conditional permutations
	Lisa     string  // HH, LL, HL, LH when significant at Alpha, else ""
}

// Result is a whole analysis.
type Result struct {
	Period, Base Period
	// Basis is what hot spots and clusters are computed on: "eb_rate" over
	// the districts with a population (others get NaN), or "count" when the
	// database has no population; with Options.Value "log" (log10(1 +
	// sum)), "rank" or "sum" of the districts' values (Options.Scale).
	Basis string
	// Inference is how GiP was found: Normal or Permutation.
	Inference string
	// MinIncidents is the guard applied (0 when off), and Guard, when not
	// "", says why no hot spot, cluster or emerging class is given: the
	// period has fewer incidents than MinIncidents. The z-scores, I and p
	// are still computed, for reference.
	MinIncidents int
	Guard        string
	CensusYears  []int
	Districts    []District
	// Unallocated counts, per province, incidents placed in the province
	// only: they are in no district's figures.
	Unallocated map[string]int64
}

// Analyse computes every district's measures over period from cells (which
// must cover period and base; other cells are ignored) and populations.
func Analyse(m *Map, cells []store.Cell, pop map[string][]store.PopulationYear, period, base Period, opt Options) *Result {
	opt = opt.withDefaults()
	months := period.Months()
	n := len(m.Districts)
	index := make(map[string]int, n)
	res := &Result{Period: period, Base: base, Districts: make([]District, n), Unallocated: map[string]int64{},
		Inference: opt.Inference, MinIncidents: max(opt.MinIncidents, 0)}
	for i, d := range m.Districts {
		index[d.Code] = i
		res.Districts[i] = District{Code: d.Code, Name: d.Name, Province: d.Province, Rate: math.NaN(), EBRate: math.NaN(), Median: math.NaN(),
			GiZ: math.NaN(), GiP: math.NaN(), LisaI: math.NaN(), LisaP: math.NaN()}
		if m.Border != nil {
			res.Districts[i].Border = m.Border[i]
		}
	}
	// off[i]: district i's count is withheld; offMonths[i]: a month of it
	// is (Options.Withheld).
	var off, offMonths []bool
	if opt.Withheld != nil {
		off, offMonths = make([]bool, n), make([]bool, n)
		for i := range n {
			off[i] = opt.Withheld(i, -1)
			for t := range months {
				offMonths[i] = offMonths[i] || off[i] || opt.Withheld(i, t)
			}
		}
	}
	monthly := make([][]float64, n) // district x month incidents
	for i := range monthly {
		monthly[i] = make([]float64, len(months))
	}
	value := opt.Value
	if value == nil {
		value = func(c store.Cell) float64 { return float64(c.Incidents) }
	}
	for _, c := range cells {
		i, ok := index[c.District]
		switch {
		case c.District == "" && period.contains(c.Month):
			res.Unallocated[c.Province] += c.Incidents
			continue
		case !ok:
			continue
		}
		d := &res.Districts[i]
		v := value(c)
		if base.contains(c.Month) {
			d.Base += c.Incidents
			d.BaseValue += v
		}
		if !period.contains(c.Month) {
			continue
		}
		d.Incidents += c.Incidents
		d.Value += v
		d.Records += c.Records
		d.Victims += c.Victims
		d.Killed += c.Killed
		d.Injured += c.Injured
		// Quantity is kg of drugs; a human trafficking cell's quantity
		// counts victims (in Victims): over all categories they would add
		// people to kilograms.
		if c.Category == schemas.DrugTrafficking.String() {
			d.Quantity += c.Quantity
		}
		d.AmountPKR += c.AmountPKR
		for k := range d.ByPrecision {
			d.ByPrecision[k] += c.ByPrecision[k]
		}
		monthly[i][monthIndex(period.From, c.Month)] += v
	}

	for i := range res.Districts {
		d := &res.Districts[i]
		d.Rank = 1
		for j := range res.Districts {
			if res.Districts[j].Value > d.Value {
				d.Rank++
			}
		}
	}

	// Rates, from the census year of the period's end (CensusYear).
	years := map[int]bool{}
	events, people := make([]float64, n), make([]float64, n)
	for i := range res.Districts {
		d := &res.Districts[i]
		d.Change = measures.PercentChange(d.BaseValue, d.Value)
		events[i] = d.Value
		if off != nil && off[i] {
			events[i] = math.NaN() // out of EB rates and their prior, as without population
		}
		people[i] = math.NaN()
		if py, ok := CensusYear(pop[d.Code], period.To.Year()); ok {
			d.Population, d.PopulationYear = py.Population, py.Year
			d.Rate = d.Value * 1e5 / float64(py.Population)
			people[i] = float64(py.Population)
			years[py.Year] = true
		}
	}
	for y := range years {
		res.CensusYears = append(res.CensusYears, y)
	}
	slices.Sort(res.CensusYears)
	basis := events
	res.Basis = "count"
	if opt.Value != nil {
		basis, res.Basis = scaled(events, opt.Scale)
	} else if len(years) > 0 {
		if eb, err := measures.EBRates(events, people); err == nil {
			for i := range eb {
				res.Districts[i].EBRate = eb[i] * 1e5
			}
			basis = eb
			res.Basis = "eb_rate"
		}
	}

	if opt.CountsOnly {
		return res
	}
	var total int64
	for i, d := range res.Districts {
		if off != nil && off[i] {
			continue
		}
		if opt.GuardRecords {
			total += d.Records
		} else {
			total += d.Incidents
		}
	}
	guarded := opt.MinIncidents > 0 && total < int64(opt.MinIncidents)
	if guarded {
		unit := "incidents"
		if opt.GuardRecords {
			unit = "events"
		}
		res.Guard = fmt.Sprintf("%d %s in the period, fewer than the minimum of %d (--min-incidents): no hot spot, cluster or emerging class",
			total, unit, opt.MinIncidents)
	}
	// Hot spots and clusters over the districts that have a basis value.
	sub, nbrs := subgraph(basis, m.Neighbors)
	x := make([]float64, len(sub))
	for k, i := range sub {
		x[k] = basis[i]
	}
	if len(sub) > 1 {
		z, p := gi(x, nbrs, opt, 0)
		bins := measures.GiBinsP(z, p, true)
		I, pSim, quad := measures.LocalMoran(x, nbrs, opt.Permutations, opt.Seed)
		cl := measures.Cluster(quad, pSim, opt.Alpha)
		for k, i := range sub {
			d := &res.Districts[i]
			d.GiZ, d.GiP, d.LisaI, d.LisaP = z[k], p[k], I[k], pSim[k]
			if !guarded {
				d.GiBin, d.Lisa = bins[k], cl[k]
			}
		}
	}

	// Trends over the months, and emerging hot spots from monthly Gi* on
	// the same basis as the Gi* above: the same districts, and each month's
	// EB rates (with the same populations) when the basis is eb_rate.
	// Spatial Gi* per month, not ArcGIS's space-time cube.
	// With Options.Withheld, the districts with a withheld month are left
	// out, and each month's EB prior is the others'.
	esub, enbrs := sub, nbrs
	if offMonths != nil {
		e := slices.Clone(basis)
		for i, o := range offMonths {
			if o {
				e[i] = math.NaN()
			}
		}
		esub, enbrs = subgraph(e, m.Neighbors)
	}
	var classes []measures.Pattern
	if len(months) > 1 && len(esub) > 1 && !guarded {
		zByMonth := make([][]float64, len(esub))
		pByMonth := make([][]float64, len(esub))
		for k := range esub {
			zByMonth[k] = make([]float64, len(months))
			pByMonth[k] = make([]float64, len(months))
		}
		col := make([]float64, n)
		xs := make([]float64, len(esub))
		for t := range months {
			for i := range col {
				col[i] = monthly[i][t]
				if offMonths != nil && offMonths[i] {
					col[i] = math.NaN()
				}
			}
			switch {
			case opt.Value != nil:
				col, _ = scaled(col, opt.Scale)
			case res.Basis == "eb_rate":
				eb, err := measures.EBRates(col, people)
				if err != nil { // cannot happen: the period's EB rates worked
					panic(err)
				}
				col = eb
			}
			for k, i := range esub {
				xs[k] = col[i]
			}
			z, p := gi(xs, enbrs, opt, uint64(t+1))
			for k := range esub {
				zByMonth[k][t], pByMonth[k][t] = z[k], p[k]
			}
		}
		classes = measures.EmergingHotSpotsP(zByMonth, pByMonth, opt.Alpha, true)
	}
	for i := range res.Districts {
		d := &res.Districts[i]
		if offMonths != nil && offMonths[i] {
			d.TrendS, d.TrendZ, d.TrendP, d.TrendTau = math.NaN(), math.NaN(), math.NaN(), math.NaN()
			continue
		}
		d.TrendS, d.TrendZ, d.TrendP, d.TrendTau = measures.MannKendall(monthly[i])
		if d.TrendP <= opt.Alpha && d.TrendS != 0 {
			d.Trend = "up"
			if d.TrendS < 0 {
				d.Trend = "down"
			}
		}
	}
	for k, i := range esub {
		if classes != nil {
			res.Districts[i].Emerging = string(classes[k])
		}
	}
	return res
}

// scaled is a quantity's hot spot basis on scale, and its name.
func scaled(x []float64, scale string) ([]float64, string) {
	out := make([]float64, len(x))
	switch scale {
	case ScaleRaw:
		copy(out, x)
		return out, "sum"
	case ScaleRank:
		// NaN (a withheld figure, see Options.Withheld) has no rank and
		// takes none from the others.
		var order []int
		for i, v := range x {
			out[i] = math.NaN()
			if !math.IsNaN(v) {
				order = append(order, i)
			}
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmpFloat(x[a], x[b]) })
		for lo := 0; lo < len(order); {
			hi := lo
			for hi+1 < len(order) && x[order[hi+1]] == x[order[lo]] {
				hi++
			}
			for k := lo; k <= hi; k++ {
				out[order[k]] = float64(lo+hi)/2 + 1 // ties share their mean rank
			}
			lo = hi + 1
		}
		return out, "rank"
	}
	for i, v := range x {
		out[i] = math.Log10(1 + v)
	}
	return out, "log"
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// gi is Gi* with binary weights and two-sided p by opt.Inference; step
// varies the permutations' seed between the months of emerging hot spots.
func gi(x []float64, nbrs [][]int, opt Options, step uint64) (z, p []float64) {
	if opt.Inference == Permutation {
		return measures.GiStarPerm(x, nbrs, opt.Permutations, opt.Seed+step*0x9e3779b97f4a7c15)
	}
	z, p = measures.GiStarBinary(x, nbrs)
	for i := range p {
		p[i] *= 2 // two-sided, as ArcGIS's GiPValue and GiBins read it
	}
	return z, p
}

// monthIndex counts months from from to m.
func monthIndex(from, m time.Time) int {
	return (m.Year()-from.Year())*12 + int(m.Month()) - int(from.Month())
}

// CensusYear picks the census whose population a period ending in year
// uses: the census year nearest year, the earlier one when two are equally
// near. With the 2017 and 2023 censuses, periods ending in 2020 or before
// use 2017 (2020 is 3 years from each), periods ending in 2021 or later use
// 2023. The store's view district_month_rates applies the same rule to
// each month's year.
func CensusYear(ys []store.PopulationYear, year int) (store.PopulationYear, bool) {
	best, found := store.PopulationYear{}, false
	for _, y := range ys {
		d, bd := abs(y.Year-year), abs(best.Year-year)
		if !found || d < bd || d == bd && y.Year < best.Year {
			best, found = y, true
		}
	}
	return best, found
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// subgraph keeps the districts whose value is a number, and their
// neighbour lists restricted to them, renumbered.
func subgraph(v []float64, nbrs [][]int) ([]int, [][]int) {
	var keep []int
	pos := make([]int, len(v))
	for i, x := range v {
		pos[i] = -1
		if !math.IsNaN(x) {
			pos[i] = len(keep)
			keep = append(keep, i)
		}
	}
	out := make([][]int, len(keep))
	for k, i := range keep {
		for _, j := range nbrs[i] {
			if pos[j] >= 0 {
				out[k] = append(out[k], pos[j])
			}
		}
	}
	return keep, out
}
