//go:build duckdb_arrow

package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

// measureGrid is 12 districts (a 4 x 3 queen grid) with 30 months of
// random counts in every category, some cells of a province only, and
// a population for each district.
func measureGrid() (*Map, []store.Cell, map[string][]store.PopulationYear) {
	const cols, rows, months = 4, 3, 30
	m := &Map{}
	pop := map[string][]store.PopulationYear{}
	for i := range cols * rows {
		code := fmt.Sprintf("D%02d", i)
		m.Districts = append(m.Districts, store.District{Code: code, Province: fmt.Sprintf("P%d", i/6)})
		c := i % cols
		m.Neighbors = append(m.Neighbors, queenNeighbors(i, cols, rows))
		m.Border = append(m.Border, c == 0)
		pop[code] = []store.PopulationYear{{Year: 2017, Population: int64(200000 + 50000*i)}}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var cells []store.Cell
	for _, d := range append(m.Districts, store.District{Code: "", Province: "P0"}) {
		for _, cat := range schemas.Categories() {
			for t := range months {
				n := rng.Int64N(9)
				cells = append(cells, store.Cell{District: d.Code, Province: d.Province, Category: cat, Month: month(2022+t/12, 1+t%12),
					Incidents: n, Records: n + rng.Int64N(2), Victims: rng.Int64N(3), Quantity: float64(rng.IntN(50)),
					ByPrecision: [5]int64{n / 2, n - n/2, 0, 0, 0}})
			}
		}
	}
	return m, cells, pop
}

// sameFloat is equality that takes NaN as equal to NaN.
func sameFloat(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }

// TestComputeMeasuresSerial checks that ComputeMeasures, which splits the
// cells once and analyses the categories in parallel, gives exactly the
// rows of the analyses done one by one on each category's cells.
func TestComputeMeasuresSerial(t *testing.T) {
	m, cells, pop := measureGrid()
	got, err := ComputeMeasures(m, cells, pop, Options{})
	if err != nil {
		t.Fatal(err)
	}
	whole := Period{From: month(2022, 1), To: month(2024, 6)}
	year := Period{From: month(2023, 7), To: month(2024, 6)}
	cats := append(schemas.Categories(), AllCategories)
	if got, want := len(got.Districts), len(cats)*len(m.Districts); got != want {
		t.Fatalf("%d measure rows, want %d", got, want)
	}
	for k, cat := range cats {
		var own []store.Cell
		for _, c := range cells {
			if cat == AllCategories || c.Category == cat {
				own = append(own, c)
			}
		}
		res := Analyse(m, own, pop, whole, whole.Before(), Options{})
		recent := Analyse(m, own, pop, year, year.Before(), Options{CountsOnly: true})
		for i, d := range res.Districts {
			row := got.Districts[k*len(m.Districts)+i]
			if row.Category != cat || row.District != d.Code || row.Incidents != d.Incidents || row.Records != d.Records ||
				row.Incidents12m != recent.Districts[i].Incidents || row.Prev12m != recent.Districts[i].Base ||
				!sameFloat(row.EBRate, d.EBRate) || !sameFloat(row.GiZ, d.GiZ) || !sameFloat(row.GiP, d.GiP) ||
				!sameFloat(row.LisaI, d.LisaI) || !sameFloat(row.LisaP, d.LisaP) || !sameFloat(row.TrendZ, d.TrendZ) ||
				row.Emerging != d.Emerging || row.Lisa != d.Lisa || row.GiBin != d.GiBin {
				t.Fatalf("row %s %s: got %+v\nwant from %+v", cat, d.Code, row, d)
			}
		}
	}
	links, sides := Links(m, cells, pop, whole, Options{})
	if got, want := len(got.Links), len(links); got != want || want != 6 {
		t.Fatalf("%d links, want %d (6)", got, want)
	}
	for i, l := range links {
		g := got.Links[i]
		if g.A != l.A || g.B != l.B || !sameFloat(g.Spearman, l.Spearman) || !sameFloat(g.CLQ, l.CLQ) || !sameFloat(g.CLQBA, l.BA) {
			t.Fatalf("link %d: got %+v, want %+v", i, g, l)
		}
	}
	if got, want := len(got.Border), len(sides); got != want || want != 8 {
		t.Fatalf("%d border rows, want %d (8)", got, want)
	}
	// Run again: the parallel order of work must not change a thing.
	again, err := ComputeMeasures(m, cells, pop, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Districts) != len(got.Districts) {
		t.Fatal("second run differs in length")
	}
	for i := range again.Districts {
		a, b := again.Districts[i], got.Districts[i]
		if a.District != b.District || a.Category != b.Category || !sameFloat(a.GiP, b.GiP) || !sameFloat(a.LisaP, b.LisaP) {
			t.Fatalf("second run row %d: %+v, first %+v", i, a, b)
		}
	}
}

func TestSplitLayers(t *testing.T) {
	cells := []store.Cell{
		{District: "A", Category: "x", Incidents: 1},
		{District: "A", Category: "y", Incidents: 2},
		{District: "B", Category: "x", Incidents: 3},
		{District: "B", Category: "z", Incidents: 4},
	}
	got := splitLayers(cells, []string{"x", "y", "w"})
	want := map[string][]store.Cell{
		"x": {cells[0], cells[2]},
		"y": {cells[1]},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if got, want := cap(got["x"]), 2; got != want {
		t.Fatalf("cap %d, want %d", got, want)
	}
}
