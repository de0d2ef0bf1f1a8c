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
	// CLQ is Leslie and Kronenfeld's co-location quotient A→B
	// (measures.ColocationQuotient): the share of B among the other
	// incidents of A and B in and around the district of an average A
	// incident, over B's share of the two (1 no association, above 1
	// co-located, below 1 apart); BA is B→A.
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
	return linksOf(m, splitLayers(cells, schemas.Categories()), pop, period, opt)
}

// linksOf is Links from the cells already split by category.
func linksOf(m *Map, own map[string][]store.Cell, pop map[string][]store.PopulationYear, period Period, opt Options) ([]Link, []Side) {
	byCat := byLayer(m, own, schemas.Categories(), pop, period, opt)
	cats := schemas.Categories()
	var links []Link
	for i, a := range cats {
		for _, b := range cats[i+1:] {
			links = append(links, link(m, a, b, byCat[a], byCat[b]))
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

// EventLinks compares every category with every context event type of
// types over period, as Links compares categories: events are cells of
// store.EventCells, each event counting once. A is the category, B the
// event type.
func EventLinks(m *Map, cells, events []store.Cell, types []string, pop map[string][]store.PopulationYear, period Period, opt Options) []Link {
	byCat := byLayer(m, splitLayers(cells, schemas.Categories()), schemas.Categories(), pop, period, opt)
	byType := byLayer(m, splitLayers(events, types), types, pop, period, opt)
	var links []Link
	for _, c := range schemas.Categories() {
		for _, t := range types {
			links = append(links, link(m, c, t, byCat[c], byType[t]))
		}
	}
	return links
}

// byLayer analyses the cells of each layer (a category or an event type),
// own[layer], for counts and EB rates only: links need no hot spots,
// clusters or trends.
func byLayer(m *Map, own map[string][]store.Cell, layers []string, pop map[string][]store.PopulationYear, period Period, opt Options) map[string]*Result {
	out := map[string]*Result{}
	counts := opt
	counts.CountsOnly = true
	for _, l := range layers {
		out[l] = Analyse(m, own[l], pop, period, period.Before(), counts)
	}
	return out
}

// splitLayers returns the cells of each layer (their Category), in the
// order of cells, in one pass: each layer's slice is made at its length,
// since appending 200-byte cells one by one cost a fifth of the measures.
// Cells of no layer are left out; a layer without cells has none.
func splitLayers(cells []store.Cell, layers []string) map[string][]store.Cell {
	n := make(map[string]int, len(layers))
	for _, l := range layers {
		n[l] = 0
	}
	for _, c := range cells {
		if k, ok := n[c.Category]; ok {
			n[c.Category] = k + 1
		}
	}
	out := make(map[string][]store.Cell, len(layers))
	for l, k := range n {
		if k > 0 {
			out[l] = make([]store.Cell, 0, k)
		}
	}
	for _, c := range cells {
		if s, ok := out[c.Category]; ok {
			out[c.Category] = append(s, c)
		}
	}
	return out
}

// link compares two layers' results.
func link(m *Map, a, b string, ra, rb *Result) Link {
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
	return LinkOf(m, a, b, figure(ra), figure(rb), counts(ra), counts(rb))
}

// LinkOf compares categories a and b from their district figures (EB
// rates or counts, for the rank correlation; NaN leaves a district out of
// it) and counts (for the co-location quotients), in m's district order.
// A published export passes the published figures only, so that what it
// prints is worked out from them alone: withheld figures NaN, withheld
// counts 0.
func LinkOf(m *Map, a, b string, figA, figB, countA, countB []float64) Link {
	return Link{A: a, B: b,
		Spearman: measures.Spearman(figA, figB),
		CLQ:      measures.ColocationQuotient(countA, countB, m.Neighbors),
		BA:       measures.ColocationQuotient(countB, countA, m.Neighbors),
	}
}
