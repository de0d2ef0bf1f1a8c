//go:build duckdb_arrow

package analysis

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/internal/steptrace"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

// knnIslands is how many nearest districts an island (a district with no
// queen neighbour) is given.
const knnIslands = 2

// Weights computes the queen weights of b, with the k nearest districts for
// islands, and the border districts, for store.BoundaryInfo.
func Weights(b *geo.Boundaries) func() ([][]int, string, []bool) {
	return func() ([][]int, string, []bool) {
		w := geo.QueenWeights(b)
		if len(w.Islands) > 0 {
			w = w.WithKNN(b, knnIslands)
		}
		return w.Neighbors, w.Kind, geo.BorderDistricts(b)
	}
}

// AllCategories is the category of measures over the four together.
const AllCategories = "all"

// LoadMap reads the districts and their neighbours of a database.
func LoadMap(ctx context.Context, districts []store.District, nbrs map[string][]string) *Map {
	m := &Map{Districts: districts}
	index := make(map[string]int, len(districts))
	for i, d := range districts {
		index[d.Code] = i
	}
	for _, d := range districts {
		var nb []int
		for _, c := range nbrs[d.Code] {
			if j, ok := index[c]; ok {
				nb = append(nb, j)
			}
		}
		m.Neighbors = append(m.Neighbors, nb)
		m.Border = append(m.Border, d.Border)
	}
	return m
}

// Recompute fills the measure tables from district_month, over the
// whole span of the data, with percent change over the last 12 months.
func Recompute(ctx context.Context, r *store.Run) error {
	ds, err := r.Districts(ctx)
	if err != nil {
		return err
	}
	nbrs, err := r.Neighbors(ctx)
	if err != nil {
		return err
	}
	cells, err := r.Cells(ctx)
	if err != nil {
		return err
	}
	pop, err := r.PopulationByDistrict(ctx)
	if err != nil {
		return err
	}
	steptrace.Mark("measures: read districts, cells, population")
	ms, err := ComputeMeasures(LoadMap(ctx, ds, nbrs), cells, pop, Options{})
	if err != nil {
		return err
	}
	steptrace.Mark("measures: compute")
	return r.ReplaceMeasures(ctx, ms)
}

// ComputeMeasures computes the stored measures: for each category and for
// all four together, every district's figures over the whole span of the
// cells, and the change of its last 12 months against the 12 before; then
// the links between categories and the border split.
func ComputeMeasures(m *Map, cells []store.Cell, pop map[string][]store.PopulationYear, opt Options) (*store.Measures, error) {
	out := &store.Measures{}
	var first, last time.Time
	for _, c := range cells {
		if first.IsZero() || c.Month.Before(first) {
			first = c.Month
		}
		if c.Month.After(last) {
			last = c.Month
		}
	}
	if first.IsZero() {
		return out, nil
	}
	whole := Period{From: first, To: last}
	year := Period{From: last.AddDate(0, -11, 0), To: last}
	cats := append(schemas.Categories(), AllCategories)
	own := splitLayers(cells, schemas.Categories())
	own[AllCategories] = cells
	// The categories are independent (each analysis seeds its own
	// permutations), so they run on all CPUs; rows are kept in category
	// order, so the tables do not depend on which finishes first.
	rows := make([][]store.MeasureRow, len(cats))
	var links []Link
	var sides []Side
	var wg sync.WaitGroup
	for k, cat := range cats {
		wg.Go(func() { rows[k] = categoryMeasures(m, cat, own[cat], pop, whole, year, opt) })
	}
	wg.Go(func() { links, sides = linksOf(m, own, pop, whole, opt) })
	wg.Wait()
	for _, r := range rows {
		out.Districts = append(out.Districts, r...)
	}
	for _, l := range links {
		out.Links = append(out.Links, store.LinkRow{A: l.A, B: l.B, From: whole.From, To: whole.To, Spearman: l.Spearman, CLQ: l.CLQ, CLQBA: l.BA})
	}
	for _, s := range sides {
		out.Border = append(out.Border, store.BorderRow{Category: s.Category, Border: s.Border, Districts: s.Districts,
			Incidents: s.Incidents, Population: s.Population, Rate: s.Rate})
	}
	return out, nil
}

// shares gives the shares of incidents placed by point, near a point and
// by name; NaN without incidents.
func shares(by [5]int64) (point, near, name float64) {
	total := by[0] + by[1] + by[2] + by[3] + by[4]
	if total == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	t := float64(total)
	return float64(by[0]) / t, float64(by[1]) / t, float64(by[2]) / t
}

// categoryMeasures is ComputeMeasures for one category (or all), from its
// own cells.
func categoryMeasures(m *Map, cat string, own []store.Cell, pop map[string][]store.PopulationYear, whole, year Period, opt Options) []store.MeasureRow {
	res := Analyse(m, own, pop, whole, whole.Before(), opt)
	counts := opt
	counts.CountsOnly = true
	recent := Analyse(m, own, pop, year, year.Before(), counts)
	out := make([]store.MeasureRow, 0, len(res.Districts))
	for i, d := range res.Districts {
		rd := recent.Districts[i]
		row := store.MeasureRow{Category: cat, District: d.Code, From: whole.From, To: whole.To,
			Incidents: d.Incidents, Records: d.Records, Victims: d.Victims, Quantity: d.Quantity, AmountPKR: d.AmountPKR,
			Population: d.Population, PopulationYear: d.PopulationYear, Rate: d.Rate, EBRate: d.EBRate,
			Incidents12m: rd.Incidents, Prev12m: rd.Base, Change12m: rd.Change,
			TrendS: d.TrendS, TrendZ: d.TrendZ, TrendP: d.TrendP, TrendTau: d.TrendTau, Trend: d.Trend, Emerging: d.Emerging,
			Basis: res.Basis, GiZ: d.GiZ, GiP: d.GiP, GiBin: d.GiBin, LisaI: d.LisaI, LisaP: d.LisaP, Lisa: d.Lisa,
			Border: d.Border, Guard: res.Guard}
		row.SharePoint, row.ShareNear, row.ShareName = shares(d.ByPrecision)
		out = append(out, row)
	}
	return out
}
