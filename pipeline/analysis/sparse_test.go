package analysis

import (
	"fmt"
	"math"
	"testing"

	"github.com/ocmap/ocmap/pipeline/store"
)

// row is n districts D0..D(n-1) in a line, each the neighbour of the next.
func row(n int) *Map {
	m := &Map{}
	for i := range n {
		m.Districts = append(m.Districts, store.District{Code: fmt.Sprintf("D%d", i), Name: fmt.Sprintf("District %d", i), Province: "P"})
		var nb []int
		if i > 0 {
			nb = append(nb, i-1)
		}
		if i < n-1 {
			nb = append(nb, i+1)
		}
		m.Neighbors = append(m.Neighbors, nb)
	}
	return m
}

func equalPop(m *Map, skip ...string) map[string][]store.PopulationYear {
	pop := map[string][]store.PopulationYear{}
	for _, d := range m.Districts {
		pop[d.Code] = []store.PopulationYear{{Year: 2023, Population: 100000}}
	}
	for _, c := range skip {
		delete(pop, c)
	}
	return pop
}

// TestAnalyseGuard: one incident in a row of 30 districts, no population
// (so hot spots are on counts: EB would shrink one incident to nothing,
// every rate to the mean). Normal Gi* of
// the first district is z = (1 − 2/30)/√((1/30 − 1/900)(60 − 4)/29) = √14,
// two-sided p = 1.8e-4, a 99% hot spot after FDR (0.01/30 = 3.3e-4): the
// issue's D2. Under the default guard (30 incidents) no class is given and
// the result says why; the numbers stay. By permutation the same district
// has p = 1 (every draw ties) and is not a hot spot even without the guard.
func TestAnalyseGuard(t *testing.T) {
	m := row(30)
	period := Period{month(2024, 1), month(2024, 2)}
	cells := []store.Cell{{District: "D0", Category: "cybercrime", Month: month(2024, 2), Incidents: 1}}
	var pop map[string][]store.PopulationYear

	r := Analyse(m, cells, pop, period, period.Before(), Options{})
	d0 := r.Districts[0]
	if got, want := r.Guard, "1 incidents in the period, fewer than the minimum of 30 (--min-incidents): no hot spot, cluster or emerging class"; got != want {
		t.Errorf("guard = %q, want %q", got, want)
	}
	if !(math.Abs(d0.GiZ-math.Sqrt(14)) < 1e-9) || d0.GiBin != 0 || d0.Lisa != "" || d0.Emerging != "" {
		t.Errorf("guarded D0: z %v bin %d LISA %q emerging %q; want z √14 and no class", d0.GiZ, d0.GiBin, d0.Lisa, d0.Emerging)
	}
	if r.MinIncidents != 30 {
		t.Errorf("MinIncidents = %d, want 30", r.MinIncidents)
	}

	off := Analyse(m, cells, pop, period, period.Before(), Options{MinIncidents: -1})
	d0 = off.Districts[0]
	if off.Guard != "" || d0.GiBin != 3 || math.Abs(d0.GiP-2*0.5*math.Erfc(math.Sqrt(14)/math.Sqrt2)) > 1e-15 {
		t.Errorf("unguarded D0: guard %q bin %d p %v; want a 99%% hot spot at p = 2(1 − Φ(√14))", off.Guard, d0.GiBin, d0.GiP)
	}
	// LISA: every permutation ties the observed I: p = 1, no HL.
	if d0.LisaP != 1 || d0.Lisa != "" {
		t.Errorf("unguarded D0 LISA p %v class %q, want 1 and none", d0.LisaP, d0.Lisa)
	}

	perm := Analyse(m, cells, pop, period, period.Before(), Options{MinIncidents: -1, Inference: Permutation})
	d0 = perm.Districts[0]
	if perm.Inference != Permutation || d0.GiP != 1 || d0.GiBin != 0 || !(math.Abs(d0.GiZ-math.Sqrt(14)) < 1e-9) {
		t.Errorf("permutation D0: inference %q p %v bin %d z %v; want p 1, no bin, z √14", perm.Inference, d0.GiP, d0.GiBin, d0.GiZ)
	}
	again := Analyse(m, cells, pop, period, period.Before(), Options{MinIncidents: -1, Inference: Permutation})
	for i := range perm.Districts {
		if a, b := perm.Districts[i].GiP, again.Districts[i].GiP; a != b && !(math.IsNaN(a) && math.IsNaN(b)) {
			t.Errorf("D%d permutation p %v then %v: not reproducible", i, a, b)
		}
	}
	// District 1 keeps 0 and draws 2 of the 29 others: its observed local
	// sum 1 comes back with probability 1 − C(28,2)/C(29,2) = 2/29.
	if got, want := perm.Districts[1].GiP, 2*(2.0/29*999+1)/1000; math.Abs(got-want) > 0.04 {
		t.Errorf("permutation p of D1 = %v, want ≈ %v", got, want)
	}
}

// TestAnalyseEmergingBasis (issue 15, D5): emerging classes come from the
// same districts and the same EB rates as the Gi* beside them. D29 has no
// population: no EB rate, no Gi* and so no emerging class, however many
// incidents. D0 has 20 incidents a month over 4 months, the others none:
// on the 29 districts with a population Gi* z is 27/√54 in each month and
// over the period (Gi* does not change under EB's affine shrinkage when the
// populations are equal), p = 2.4e-4: a 99% hot spot, and hot in 4 of 4
// months with no trend, a persistent hot spot. D1 (z = (1 − 3/29)/√(28/841
// · 78/28) = 26/√78, p = 0.0032, under BH's 2 · 0.05/29) is one too, and a
// 95% hot spot over the period.
func TestAnalyseEmergingBasis(t *testing.T) {
	m := row(30)
	period := Period{month(2024, 1), month(2024, 4)}
	var cells []store.Cell
	for mo := 1; mo <= 4; mo++ {
		cells = append(cells,
			store.Cell{District: "D0", Category: "drug_trafficking", Month: month(2024, mo), Incidents: 20},
			store.Cell{District: "D29", Category: "drug_trafficking", Month: month(2024, mo), Incidents: 10})
	}
	r := Analyse(m, cells, equalPop(m, "D29"), period, period.Before(), Options{})
	d0, d29 := r.Districts[0], r.Districts[29]
	if got, want := fmt.Sprint(r.Basis, " ", d0.GiBin, " ", d0.Emerging), "eb_rate 3 persistent hot spot"; got != want {
		t.Errorf("basis, D0 bin, D0 emerging = %q, want %q", got, want)
	}
	if !(math.Abs(d0.GiZ-27/math.Sqrt(54)) < 1e-9) || !(math.Abs(r.Districts[1].GiZ-26/math.Sqrt(78)) < 1e-9) {
		t.Errorf("D0 Gi* z = %v, want 27/√54 = %v", d0.GiZ, 27/math.Sqrt(54))
	}
	if !math.IsNaN(d29.GiZ) || d29.Emerging != "" || d29.Incidents != 40 {
		t.Errorf("D29 (no population): z %v emerging %q incidents %d; want NaN, none, 40", d29.GiZ, d29.Emerging, d29.Incidents)
	}
	var classes []string
	for _, d := range r.Districts {
		if d.Emerging != "" || d.GiBin != 0 {
			classes = append(classes, fmt.Sprintf("%s %d %s", d.Code, d.GiBin, d.Emerging))
		}
	}
	if got, want := fmt.Sprint(classes), "[D0 3 persistent hot spot D1 2 persistent hot spot]"; got != want {
		t.Errorf("classes %s, want %s", got, want)
	}
}

// TestEventLinks: drug incidents (1, 0, 2) and suicide attacks (0, 3, 1) in
// three districts in a row, no population: the co-location quotients of
// measures' hand example, 1.3 and 0.95, and Spearman on the counts' ranks
// (2, 1, 3) and (1, 3, 2), −0.5.
func TestEventLinks(t *testing.T) {
	m := row(3)
	period := Period{month(2024, 1), month(2024, 1)}
	var cells, events []store.Cell
	for i, n := range []int64{1, 0, 2} {
		if n > 0 {
			cells = append(cells, store.Cell{District: fmt.Sprintf("D%d", i), Category: "drug_trafficking", Month: month(2024, 1), Incidents: n})
		}
	}
	for i, n := range []int64{0, 3, 1} {
		if n > 0 {
			events = append(events, store.Cell{District: fmt.Sprintf("D%d", i), Category: "suicide_attack", Month: month(2024, 1), Incidents: n, Records: n})
		}
	}
	links := EventLinks(m, cells, events, []string{"suicide_attack"}, nil, period, Options{})
	if len(links) != 4 {
		t.Fatalf("%d links, want 4 (each category against the one type)", len(links))
	}
	for _, l := range links {
		if l.A != "drug_trafficking" {
			if !math.IsNaN(l.CLQ) {
				t.Errorf("%s: CLQ %v without incidents, want NaN", l.A, l.CLQ)
			}
			continue
		}
		if got, want := fmt.Sprintf("%s %.12f %.12f %.12f", l.B, l.Spearman, l.CLQ, l.BA), "suicide_attack -0.500000000000 1.300000000000 0.950000000000"; got != want {
			t.Errorf("drugs against attacks: %s, want %s", got, want)
		}
	}
}

// TestCensusYear: the census nearest the period's end, the earlier of two
// as near: with 2017 and 2023, 2020 uses 2017 and 2021 uses 2023.
func TestCensusYear(t *testing.T) {
	ys := []store.PopulationYear{{Year: 2023, Population: 2}, {Year: 2017, Population: 1}}
	for _, tc := range []struct{ end, want int }{{2015, 2017}, {2019, 2017}, {2020, 2017}, {2021, 2023}, {2026, 2023}} {
		if got, ok := CensusYear(ys, tc.end); !ok || got.Year != tc.want {
			t.Errorf("period ending in %d: census %d (%v), want %d", tc.end, got.Year, ok, tc.want)
		}
	}
	if _, ok := CensusYear(nil, 2020); ok {
		t.Error("no census: found one")
	}
}
