package disclosure

import (
	"fmt"
	"testing"
)

// TestDominance: the p% rule at 10% on sums of contributions.
func TestDominance(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		total, first, second float64
		want                 int64
	}{
		{"one seizure", 7, 7, 0, 1}, // 0.7 rounded up
		{"one of 500 kg", 500, 500, 0, 50},
		{"two", 90, 50, 40, 5},            // the second's holder knows the first
		{"one of many", 530, 500, 20, 40}, // 50 − the rest of 10
		{"rest just enough", 550, 500, 0, 0},
		{"even", 100, 30, 30, 0},
		{"nothing", 0, 0, 0, 0},
		{"float noise", 0.7 + 0.1 + 0.07, 0.7, 0.1, 0}, // the rest is 10% of 0.7, give or take 1e-16
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Dominance(tc.total, tc.first, tc.second, PPercent); got != tc.want {
				t.Errorf("Dominance(%g, %g, %g) = %d, want %d", tc.total, tc.first, tc.second, got, tc.want)
			}
		})
	}
}

// magnitudeRelease is a flow's kilograms (in grams) as two releases print
// them: January to May, 400 kg over its months (published, earlier), and
// January to June, with June's seizures june (grams; their largest
// first). Each month is a withheld figure, sensitive by the p% rule.
func magnitudeRelease(june []int64) *Release {
	r := NewRelease()
	months := []int64{80000, 70000, 90000, 60000, 100000}
	var earlier, current []int
	for m, v := range months {
		key := fmt.Sprintf("m:2024-%02d:kg:drug_trafficking:AF>PK01", m+1)
		earlier = append(earlier, r.AddMagnitude(key, v, true, 0, false))
		current = append(current, r.AddMagnitude(key, v, true, 0, true))
	}
	var sum, second int64
	for _, v := range june {
		sum += v
	}
	if len(june) > 1 {
		second = june[1]
	}
	current = append(current, r.AddMagnitude("m:2024-06:kg:drug_trafficking:AF>PK01", sum, true,
		Dominance(float64(sum), float64(june[0]), float64(second), PPercent), true))
	e := r.AddMagnitude("p:2024-01..2024-05:kg:drug_trafficking:AF>PK01", 400000, false, 0, false)
	r.Relate("earlier by month", e, earlier)
	c := r.AddMagnitude("p:2024-01..2024-06:kg:drug_trafficking:AF>PK01", 400000+sum, false, 0, true)
	r.Relate("current by month", c, current)
	return r
}

// TestProtectMagnitude is the attacker subtracting two releases' kilograms
// of one flow: June's are January to June's less January to May's. When
// one seizure of 50 kg makes June's 52 kg, the p% rule asks June's range
// to reach 4 kg beyond it (10% of 50, less the 1 kg of the rest beyond the
// two largest), and
// Protect withholds January to June's kilograms; twelve seizures of 4 to 5
// kg are not sensitive, and the kilograms stay published.
func TestProtectMagnitude(t *testing.T) {
	const key = "p:2024-01..2024-06:kg:drug_trafficking:AF>PK01"
	dominated := magnitudeRelease([]int64{50000, 1000, 1000})
	june := dominated.Index("m:2024-06:kg:drug_trafficking:AF>PK01", 52000)
	if got := dominated.Figures()[june]; !got.Primary || got.Level != 4000 {
		t.Fatalf("June: primary %v level %d, want sensitive at 4000 g", got.Primary, got.Level)
	}
	if got := dominated.Exposed(10); len(got) != 1 || got[0].Lo != 52000 || got[0].Hi != 52000 {
		t.Errorf("before Protect: exposed %v, want June's 52000 exactly", got)
	}
	dominated.Protect(10)
	if !dominated.Suppressed(key, 452000) {
		t.Errorf("January to June's 452 kg published: June's 52 kg, one seizure's, follows")
	}
	if got := dominated.Exposed(10); len(got) != 0 {
		t.Errorf("after Protect: exposed %v", got)
	}

	even := magnitudeRelease([]int64{5000, 5000, 5000, 5000, 5000, 5000, 4500, 4500, 4500, 4500, 4500, 4500})
	even.Protect(10)
	if even.Suppressed(key, 457000) {
		t.Errorf("January to June's 457 kg withheld: June's 57 kg of twelve seizures is not sensitive")
	}
}

// TestLinkRevisionsMagnitude: the same flow and period printed with 100 kg,
// then 130 kg after a late file. Whose seizures changed is not known, so
// the change of 30 kg may be one seizure's: sensitive, and Protect
// withholds the second release's kilograms. A count that changes by 30
// stays published (TestLinkRevisions).
func TestLinkRevisionsMagnitude(t *testing.T) {
	const key = "p:2024-01..2024-06:kg:drug_trafficking:AF>PK01"
	r := NewRelease()
	r.AddMagnitude(key, 100000, false, 0, false)
	r.AddMagnitude(key, 130000, false, 0, true)
	r.Add("p:2024-01..2024-06:flow:drug_trafficking:AF>PK01", 40, false, false, 1, false)
	r.Add("p:2024-01..2024-06:flow:drug_trafficking:AF>PK01", 70, false, false, 1, true)
	r.LinkRevisions(10)
	ch := r.Index("change:"+key+":130000>100000", 30000)
	if ch < 0 || !r.Figures()[ch].Primary || r.Figures()[ch].Level != 3000 {
		t.Fatalf("the change of 30 kg: %+v, want sensitive at 3000 g", r.Figures()[max(ch, 0)])
	}
	r.Protect(10)
	if !r.Suppressed(key, 130000) {
		t.Errorf("130 kg published after 100 kg: the 30 kg between them follow")
	}
	if r.Suppressed("p:2024-01..2024-06:flow:drug_trafficking:AF>PK01", 70) {
		t.Errorf("70 incidents withheld after 40: a change of 30 is not small")
	}
}
