package analysis

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ocmap/ocmap/pipeline/store"
)

// withheldGrid is 25 districts (a 5 x 5 queen grid) with 12 months of
// drug incidents: random counts, more around D6, whose months rise. D12's
// months are all centre, as given; D18's March and April are april and
// march, the rest random.
func withheldGrid(centre, march, april int64) (*Map, []store.Cell) {
	m := &Map{}
	for i := range 25 {
		m.Districts = append(m.Districts, store.District{Code: fmt.Sprintf("D%d", i), Name: fmt.Sprintf("District %d", i), Province: "P"})
		m.Neighbors = append(m.Neighbors, queenNeighbors(i, 5, 5))
	}
	rng := rand.New(rand.NewPCG(13, 13))
	var cells []store.Cell
	for i := range 25 {
		for mo := 1; mo <= 12; mo++ {
			n := 5 + rng.Int64N(10)
			switch {
			case i == 12:
				n = centre
			case i == 18 && mo == 3:
				n = march
			case i == 18 && mo == 4:
				n = april
			case i == 0 || i == 1 || i == 5 || i == 6:
				n += 4 * int64(mo)
			}
			cells = append(cells, store.Cell{District: m.Districts[i].Code, Category: "drug_trafficking", Month: month(2024, mo), Incidents: n})
		}
	}
	return m, cells
}

// TestAnalyseWithheld is issue 13's attacker reading a published map's
// classes: D12's count is withheld (all its months too), and D18's March
// and April (its count of the year is published). Two inputs that differ
// only in those withheld counts (D12 2 or 60 a month; D18's March and
// April 2 and 6, or 6 and 2) must give every other district the same hot
// spot, cluster, emerging class, trend and EB rate; D12 none of them, D18
// its hot spot and cluster but no trend or emerging class. Leaving D12
// out is what a district without population gets. Without Withheld the
// two inputs give other districts other classes.
func TestAnalyseWithheld(t *testing.T) {
	period := Period{month(2024, 1), month(2024, 12)}
	withheld := func(i, t int) bool { return i == 12 || i == 18 && (t == 2 || t == 3) }
	for _, tc := range []struct {
		name string
		pop  bool
	}{{"counts", false}, {"EB rates", true}} {
		t.Run(tc.name, func(t *testing.T) {
			m, a := withheldGrid(2, 2, 6)
			_, b := withheldGrid(60, 6, 2)
			var pop map[string][]store.PopulationYear
			if tc.pop {
				pop = equalPop(m)
			}
			classes := func(d District) string {
				return fmt.Sprintf("z %.12g p %.12g bin %d I %.12g p %.12g lisa %q emerging %q trend %q p %.12g eb %.12g",
					d.GiZ, d.GiP, d.GiBin, d.LisaI, d.LisaP, d.Lisa, d.Emerging, d.Trend, d.TrendP, d.EBRate)
			}
			ra := Analyse(m, a, pop, period, period.Before(), Options{Withheld: withheld})
			rb := Analyse(m, b, pop, period, period.Before(), Options{Withheld: withheld})
			hot := 0
			for i := range m.Districts {
				da, db := ra.Districts[i], rb.Districts[i]
				if i != 12 && classes(da) != classes(db) {
					t.Errorf("%s: %s\nagainst %s", da.Code, classes(da), classes(db))
				}
				if da.GiBin > 0 || da.Emerging != "" {
					hot++
				}
			}
			if hot == 0 {
				t.Errorf("no hot spot or emerging class at all: the test shows nothing")
			}
			for _, r := range []*Result{ra, rb} {
				d12, d18 := r.Districts[12], r.Districts[18]
				if got, want := fmt.Sprintf("%d %q %q %q %v %v", d12.GiBin, d12.Lisa, d12.Emerging, d12.Trend, d12.GiZ, d12.EBRate), `0 "" "" "" NaN NaN`; got != want {
					t.Errorf("D12 (withheld): %q, want no class, trend or EB rate (%q)", got, want)
				}
				if d18.Emerging != "" || d18.Trend != "" || d18.GiZ != d18.GiZ {
					t.Errorf("D18 (two months withheld): emerging %q trend %q z %v; want no emerging class or trend, a z-score", d18.Emerging, d18.Trend, d18.GiZ)
				}
			}
			// D12 left out as a district without population is.
			if tc.pop {
				nopop := Analyse(m, a, equalPop(m, "D12"), period, period.Before(), Options{})
				for i, d := range nopop.Districts {
					if i != 12 && i != 18 && classes(d) != classes(ra.Districts[i]) {
						t.Errorf("%s: %s withheld, %s without population", d.Code, classes(ra.Districts[i]), classes(d))
					}
				}
			}
			// Without Withheld, D12's and D18's counts change the others'.
			ua := Analyse(m, a, pop, period, period.Before(), Options{})
			ub := Analyse(m, b, pop, period, period.Before(), Options{})
			changed := 0
			for i := range m.Districts {
				da, db := ua.Districts[i], ub.Districts[i]
				if i != 12 && (da.GiBin != db.GiBin || da.Lisa != db.Lisa || da.Emerging != db.Emerging) {
					changed++
				}
			}
			if changed == 0 {
				t.Errorf("the withheld counts change no other district's class when analysed: the test shows nothing")
			}
		})
	}
}

// TestAnalyseWithheldGuard: 27 incidents in D0 and 8 withheld in D29, in a
// row of 30 districts. The minimum of 30 incidents counts the published
// 27: no class, whereas all 35 would give D0 a hot spot and tell that the
// withheld count is at least 3.
func TestAnalyseWithheldGuard(t *testing.T) {
	m := row(30)
	period := Period{month(2024, 1), month(2024, 2)}
	cells := []store.Cell{
		{District: "D0", Category: "cybercrime", Month: month(2024, 2), Incidents: 27},
		{District: "D29", Category: "cybercrime", Month: month(2024, 2), Incidents: 8},
	}
	withheld := func(i, t int) bool { return i == 29 }
	r := Analyse(m, cells, nil, period, period.Before(), Options{Withheld: withheld})
	if got, want := r.Guard, "27 incidents in the period, fewer than the minimum of 30 (--min-incidents): no hot spot, cluster or emerging class"; got != want || r.Districts[0].GiBin != 0 {
		t.Errorf("withheld D29: guard %q, D0 bin %d; want %q and none", got, r.Districts[0].GiBin, want)
	}
	if all := Analyse(m, cells, nil, period, period.Before(), Options{}); all.Guard != "" || all.Districts[0].GiBin != 2 {
		t.Errorf("every count: guard %q, D0 bin %d; want none and a 95%% hot spot", all.Guard, all.Districts[0].GiBin)
	}
}
