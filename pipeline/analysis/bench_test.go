package analysis

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ocmap/ocmap/pipeline/store"
)

// benchInput is 160 districts on a ring (six neighbours each), 72 months
// of counts and a population for each: the size of Pakistan's data.
func benchInput() (*Map, []store.Cell, map[string][]store.PopulationYear, Period) {
	const n, months = 160, 72
	m := &Map{}
	pop := map[string][]store.PopulationYear{}
	for i := range n {
		code := fmt.Sprintf("D%03d", i)
		m.Districts = append(m.Districts, store.District{Code: code, Province: "P"})
		var nb []int
		for _, d := range []int{-3, -2, -1, 1, 2, 3} {
			nb = append(nb, (i+d+n)%n)
		}
		m.Neighbors = append(m.Neighbors, nb)
		pop[code] = []store.PopulationYear{{Year: 2023, Population: int64(100000 + 10000*i)}}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	period := Period{month(2019, 1), month(2024, 12)}
	var cells []store.Cell
	for i, d := range m.Districts {
		for t, mo := range period.Months() {
			if k := int64(rng.IntN(20 + i%7 + t%5)); k > 0 {
				cells = append(cells, store.Cell{District: d.Code, Category: "drug_trafficking", Month: mo, Incidents: k})
			}
		}
	}
	return m, cells, pop, period
}

// BenchmarkAnalyse is one command's analysis (160 districts, 72 months)
// with Gi* by the normal approximation and by 999 permutations (the
// period's and each month's, for emerging classes).
func BenchmarkAnalyse(b *testing.B) {
	m, cells, pop, period := benchInput()
	for _, inference := range []string{Normal, Permutation} {
		b.Run(inference, func(b *testing.B) {
			for b.Loop() {
				Analyse(m, cells, pop, period, period.Before(), Options{Inference: inference})
			}
		})
	}
}
