package analysis

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/ocmap/ocmap/pipeline/measures"
	"github.com/ocmap/ocmap/pipeline/store"
)

// grid is a 3x3 map, districts D0..D8 row by row, queen neighbours; D8
// (the bottom right corner) touches the national border.
func grid() *Map {
	m := &Map{}
	for i := range 9 {
		m.Districts = append(m.Districts, store.District{Code: fmt.Sprintf("D%d", i), Name: fmt.Sprintf("District %d", i), Province: "P"})
		m.Neighbors = append(m.Neighbors, queenNeighbors(i, 3, 3))
		m.Border = append(m.Border, i == 8)
	}
	return m
}

// queenNeighbors is district i's queen neighbours on a grid of cols x
// rows districts numbered row by row.
func queenNeighbors(i, cols, rows int) []int {
	var nb []int
	r, c := i/cols, i%cols
	for dr := -1; dr <= 1; dr++ {
		for dc := -1; dc <= 1; dc++ {
			rr, cc := r+dr, c+dc
			if (dr != 0 || dc != 0) && rr >= 0 && rr < rows && cc >= 0 && cc < cols {
				nb = append(nb, rr*cols+cc)
			}
		}
	}
	return nb
}

func month(y, m int) time.Time { return time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC) }

func TestAnalyse(t *testing.T) {
	m := grid()
	period := Period{month(2024, 1), month(2024, 3)}
	var cells []store.Cell
	add := func(d string, mo time.Time, n int64) {
		cells = append(cells, store.Cell{District: d, Category: "drug_trafficking", Month: mo, Incidents: n, Records: n,
			ByPrecision: [5]int64{n, 0, 0, 0, 0}})
	}
	// D0 rises 1, 2, 3 over the period; D4 has 10 a month; the rest 1 in
	// January. Base (October to December 2023): D0 had 2.
	add("D0", month(2024, 1), 1)
	add("D0", month(2024, 2), 2)
	add("D0", month(2024, 3), 3)
	add("D0", month(2023, 11), 2)
	for mo := 1; mo <= 3; mo++ {
		add("D4", month(2024, mo), 10)
	}
	for _, d := range []string{"D1", "D2", "D3", "D5", "D6", "D7", "D8"} {
		add(d, month(2024, 1), 1)
	}
	cells = append(cells, store.Cell{Province: "P", Category: "drug_trafficking", Month: month(2024, 2), Incidents: 4})
	pop := map[string][]store.PopulationYear{}
	for i := range 9 {
		pop[fmt.Sprintf("D%d", i)] = []store.PopulationYear{{Year: 2017, Population: 50000}, {Year: 2023, Population: 100000}}
	}
	r := Analyse(m, cells, pop, period, period.Before(), Options{})
	if got, want := fmt.Sprintln(r.Basis, r.CensusYears, r.Unallocated, r.Base.From.Format("2006-01"), r.Base.To.Format("2006-01")),
		"eb_rate [2023] map[P:4] 2023-10 2023-12\n"; got != want {
		t.Errorf("basis, census years, unallocated, base = %s, want %s", got, want)
	}
	d0, d4 := r.Districts[0], r.Districts[4]
	if got, want := fmt.Sprint(d0.Incidents, d0.Population, d0.PopulationYear, d0.Rate, d0.Base, d0.Change), "6 100000 2023 6 2 200"; got != want {
		t.Errorf("D0 incidents, population, year, rate, base, change = %s, want %s", got, want)
	}
	// Mann-Kendall on 1, 2, 3: S = 3, var = 3*2*11/18, z = (3-1)/sqrt(var).
	if want := 2 / math.Sqrt(66.0/18); d0.TrendS != 3 || math.Abs(d0.TrendZ-want) > 1e-12 {
		t.Errorf("D0 trend S %v z %v, want 3 and %v", d0.TrendS, d0.TrendZ, want)
	}
	if !math.IsNaN(r.Districts[1].Change) {
		t.Errorf("D1 change from a base of 0 = %v, want NaN", r.Districts[1].Change)
	}
	// The wiring: EB rates and Gi* are the measures package's on the counts.
	events, people := make([]float64, 9), make([]float64, 9)
	for i, d := range r.Districts {
		events[i], people[i] = float64(d.Incidents), 100000
	}
	eb, _ := measures.EBRates(events, people)
	z, _ := measures.GiStarBinary(eb, m.Neighbors)
	for i, d := range r.Districts {
		if math.Abs(d.EBRate-eb[i]*1e5) > 1e-9 || math.Abs(d.GiZ-z[i]) > 1e-12 {
			t.Errorf("D%d: EB %v Gi* %v, want %v %v", i, d.EBRate, d.GiZ, eb[i]*1e5, z[i])
		}
	}
	if d4.GiZ <= 0 || d4.Incidents != 30 || d4.Rate != 30 {
		t.Errorf("D4: Gi* %v incidents %d rate %v, want a positive z, 30, 30", d4.GiZ, d4.Incidents, d4.Rate)
	}
	// Identical across runs, permutations included.
	again := Analyse(m, cells, pop, period, period.Before(), Options{})
	for i := range r.Districts {
		a, b := r.Districts[i], again.Districts[i]
		if a.LisaP != b.LisaP || a.Lisa != b.Lisa || a.GiBin != b.GiBin || a.Emerging != b.Emerging {
			t.Errorf("D%d differs between runs: %+v vs %+v", i, a, b)
		}
	}
}

func TestAnalyseWithoutPopulation(t *testing.T) {
	m := grid()
	period := Period{month(2024, 1), month(2024, 1)}
	cells := []store.Cell{{District: "D0", Category: "cybercrime", Month: month(2024, 1), Incidents: 5}}
	r := Analyse(m, cells, nil, period, period.Before(), Options{})
	if r.Basis != "count" || !math.IsNaN(r.Districts[0].Rate) || !math.IsNaN(r.Districts[0].EBRate) {
		t.Errorf("basis %s, rate %v, EB %v; want count and NaN rates", r.Basis, r.Districts[0].Rate, r.Districts[0].EBRate)
	}
	// The centre's neighbourhood is the whole map, so its Gi* is undefined.
	z, _ := measures.GiStarBinary([]float64{5, 0, 0, 0, 0, 0, 0, 0, 0}, m.Neighbors)
	if r.Districts[0].GiZ != z[0] || math.IsNaN(z[0]) || !math.IsNaN(r.Districts[4].GiZ) {
		t.Errorf("Gi* on counts %v (centre %v), want %v (NaN)", r.Districts[0].GiZ, r.Districts[4].GiZ, z[0])
	}
}

// TestAnalyseQuantityIsKg: over all categories, a district's quantity is
// its kg of drugs; a trafficking cell's quantity counts victims, which stay
// in Victims.
func TestAnalyseQuantityIsKg(t *testing.T) {
	m := grid()
	period := Period{month(2024, 1), month(2024, 1)}
	cells := []store.Cell{
		{District: "D0", Category: "drug_trafficking", Month: month(2024, 1), Incidents: 1, Records: 1, Quantity: 2.5},
		{District: "D0", Category: "human_trafficking", Month: month(2024, 1), Incidents: 1, Records: 1, Quantity: 4, Victims: 4},
	}
	d := Analyse(m, cells, nil, period, period.Before(), Options{}).Districts[0]
	if d.Quantity != 2.5 || d.Victims != 4 || d.Incidents != 2 {
		t.Errorf("D0: quantity %g, victims %d, incidents %d; want 2.5 kg, 4, 2", d.Quantity, d.Victims, d.Incidents)
	}
}

func TestLinks(t *testing.T) {
	m := grid()
	period := Period{month(2024, 1), month(2024, 1)}
	var cells []store.Cell
	for i, n := range []int64{5, 0, 0, 0, 3, 0, 0, 0, 1} {
		if n > 0 {
			d := fmt.Sprintf("D%d", i)
			cells = append(cells,
				store.Cell{District: d, Category: "drug_trafficking", Month: month(2024, 1), Incidents: n},
				store.Cell{District: d, Category: "terror_financing", Month: month(2024, 1), Incidents: 2 * n})
		}
	}
	links, sides := Links(m, cells, nil, period, Options{})
	if len(links) != 6 || len(sides) != 8 {
		t.Fatalf("%d links, %d sides; want 6 and 8", len(links), len(sides))
	}
	l := links[0] // terror_financing, drug_trafficking
	if l.A != "terror_financing" || l.B != "drug_trafficking" || math.Abs(l.Spearman-1) > 1e-12 {
		t.Errorf("first link %+v, want TF-drugs with Spearman 1", l)
	}
	tf, dr := []float64{10, 0, 0, 0, 6, 0, 0, 0, 2}, []float64{5, 0, 0, 0, 3, 0, 0, 0, 1}
	if want := measures.ColocationQuotient(tf, dr, m.Neighbors); l.CLQ != want {
		t.Errorf("CLQ %v, want %v", l.CLQ, want)
	}
	for _, s := range sides {
		if s.Category == "drug_trafficking" {
			want := map[bool]string{true: "1 1", false: "8 8"}[s.Border]
			if got := fmt.Sprint(s.Districts, s.Incidents); got != want {
				t.Errorf("drugs border=%v: districts, incidents = %s, want %s", s.Border, got, want)
			}
		}
	}
}
