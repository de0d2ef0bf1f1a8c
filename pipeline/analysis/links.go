package analysis

import (
	"math"

	"github.com/ocmap/ocmap/pipeline/measures"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

// Link is how two categories overlap across districts.
type Link struct {
	A, B string
	// Spearman is the rank correlation of the two categories' district
	// figures (EB rates when the database has a population, else counts).
	Spearman float64
	// CLQ is the co-location quotient A→B: the B incidents in and around
	// the district of an average A incident, relative to an average
	// district (1 no association, above 1 co-located); BA is B→A.
	CLQ, BA float64
}

// Side is one category's figures on one side of the border split.
type Side struct {
	Category   string
	Border     bool // touching the national border on land
	Districts  int
	Incidents  int64
	Population int64   // of the districts with one
	Rate       float64 // incidents per 100,000 over the districts with a population; NaN without
}

// Links compares every pair of the four categories over period, and each
// category's border districts with its interior ones.
func Links(m *Map, cells []store.Cell, pop map[string][]store.PopulationYear, period Period, opt Options) ([]Link, []Side) {
	byCat := map[string]*Result{}
	for _, c := range schemas.Categories() {
		var own []store.Cell
		for _, cell := range cells {
			if cell.Category == c {
				own = append(own, cell)
			}
		}
		// Links read counts and EB rates only: no hot spots, clusters
		// or trends to compute.
		counts := opt
		counts.CountsOnly = true
		byCat[c] = Analyse(m, own, pop, period, period.Before(), counts)
	}
	figure := func(r *Result) []float64 {
		out := make([]float64, len(r.Districts))
		for i, d := range r.Districts {
			out[i] = float64(d.Incidents)
			if r.Basis == "eb_rate" {
				out[i] = d.EBRate
			}
		}
		return out
	}
	counts := func(r *Result) []float64 {
		out := make([]float64, len(r.Districts))
		for i, d := range r.Districts {
			out[i] = float64(d.Incidents)
		}
		return out
	}
	cats := schemas.Categories()
	var links []Link
	for i, a := range cats {
		for _, b := range cats[i+1:] {
			ra, rb := byCat[a], byCat[b]
			links = append(links, Link{A: a, B: b,
				Spearman: measures.Spearman(figure(ra), figure(rb)),
				CLQ:      measures.ColocationQuotient(counts(ra), counts(rb), m.Neighbors),
				BA:       measures.ColocationQuotient(counts(rb), counts(ra), m.Neighbors),
			})
		}
	}
	var sides []Side
	for _, c := range cats {
		for _, border := range []bool{true, false} {
			s := Side{Category: c, Border: border}
			var withPop int64
			for _, d := range byCat[c].Districts {
				if d.Border != border {
					continue
				}
				s.Districts++
				s.Incidents += d.Incidents
				if d.Population > 0 {
					s.Population += d.Population
					withPop += d.Incidents
				}
			}
			s.Rate = math.NaN()
			if s.Population > 0 {
				s.Rate = float64(withPop) * 1e5 / float64(s.Population)
			}
			sides = append(sides, s)
		}
	}
	return links, sides
}
