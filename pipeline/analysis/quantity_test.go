package analysis

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/ocmap/ocmap/pipeline/store"
)

func TestScaled(t *testing.T) {
	x := []float64{0, 501, 6, 4, 0}
	for _, tc := range []struct {
		scale, basis, want string
	}{
		{ScaleRank, "rank", "[1.5 5 4 3 1.5]"}, // ties share their mean rank
		{ScaleLog, "log", "[0 2.7007 0.8451 0.699 0]"},
		{"", "log", "[0 2.7007 0.8451 0.699 0]"},
		{ScaleRaw, "sum", "[0 501 6 4 0]"},
	} {
		t.Run(tc.scale, func(t *testing.T) {
			got, basis := scaled(x, tc.scale)
			for i := range got {
				got[i] = math.Round(got[i]*1e4) / 1e4
			}
			if g := fmt.Sprint(got); g != tc.want || basis != tc.basis {
				t.Errorf("scaled(%s) = %s %s, want %s %s", tc.scale, g, basis, tc.want, tc.basis)
			}
		})
	}
}

// TestAnalyseValue checks a quantity analysed in place of incidents: the
// value sums, rates on it, no EB rate, change on values, ranks, and the
// log basis of hot spots.
func TestAnalyseValue(t *testing.T) {
	m := &Map{Districts: []store.District{{Code: "A"}, {Code: "B"}, {Code: "C"}}, Neighbors: [][]int{{1}, {0, 2}, {1}}}
	jan, feb := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	cells := []store.Cell{
		{District: "A", Category: "drug_trafficking", Month: jan, Incidents: 2, Quantity: 3},
		{District: "A", Category: "drug_trafficking", Month: feb, Incidents: 1, Quantity: 500},
		{District: "B", Category: "drug_trafficking", Month: feb, Incidents: 3, Quantity: 6},
		{District: "C", Category: "drug_trafficking", Month: jan, Incidents: 1, Quantity: 4},
	}
	pop := map[string][]store.PopulationYear{"A": {{Year: 2023, Population: 200000}}, "B": {{Year: 2023, Population: 100000}}}
	r := Analyse(m, cells, pop, Period{From: feb, To: feb}, Period{From: jan, To: jan},
		Options{Value: func(c store.Cell) float64 { return c.Quantity }, MinIncidents: -1})
	var got []string
	for _, d := range r.Districts {
		got = append(got, fmt.Sprintf("%s %d %g rank %d rate %.1f eb %v change %.1f", d.Code, d.Incidents, d.Value, d.Rank, d.Rate,
			math.IsNaN(d.EBRate), d.Change))
	}
	want := "[A 1 500 rank 1 rate 250.0 eb true change 16566.7 B 3 6 rank 2 rate 6.0 eb true change NaN C 0 0 rank 3 rate NaN eb true change -100.0]"
	if g := fmt.Sprint(got); g != want {
		t.Errorf("got  %s\nwant %s", g, want)
	}
	if r.Basis != "log" {
		t.Errorf("basis %q, want log", r.Basis)
	}
}
