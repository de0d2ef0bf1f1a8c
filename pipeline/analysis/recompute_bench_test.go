//go:build duckdb_arrow

package analysis

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

// BenchmarkComputeMeasures recomputes every stored measure at the scale of
// issue 5: 160 districts (a 16 x 10 queen grid) x 4 categories x 72 months,
// about 5M incidents in all.
func BenchmarkComputeMeasures(b *testing.B) {
	const cols, rows, months = 16, 10, 72
	m := &Map{}
	for i := range cols * rows {
		m.Districts = append(m.Districts, store.District{Code: fmt.Sprintf("D%03d", i), Province: fmt.Sprintf("P%d", i/40)})
		r, c := i/cols, i%cols
		m.Neighbors = append(m.Neighbors, queenNeighbors(i, cols, rows))
		m.Border = append(m.Border, r == 0 || c == 0)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var cells []store.Cell
	var total int64
	pop := map[string][]store.PopulationYear{}
	for _, d := range m.Districts {
		pop[d.Code] = []store.PopulationYear{{Year: 2017, Population: 500000 + rng.Int64N(3000000)}}
		for _, cat := range schemas.Categories() {
			for t := range months {
				n := rng.Int64N(240)
				total += n
				cells = append(cells, store.Cell{District: d.Code, Province: d.Province, Category: cat,
					Month: time.Date(2019+t/12, time.Month(1+t%12), 1, 0, 0, 0, 0, time.UTC), Incidents: n, Records: n,
					ByPrecision: [5]int64{n, 0, 0, 0, 0}})
			}
		}
	}
	b.ReportMetric(float64(total), "incidents")
	b.ReportMetric(float64(len(cells)), "cells")
	for b.Loop() {
		if _, err := ComputeMeasures(m, cells, pop, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
