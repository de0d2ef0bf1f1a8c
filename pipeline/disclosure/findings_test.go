package disclosure

import (
	"fmt"
	"testing"
)

// period builds a Period of months From..To from per-cell monthly counts
// written "district province m1,m2,... m1,m2,...", one list per column.
func period(cols []string, from int, rows ...string) Period {
	var p Period
	p.Cols = cols
	var n int
	for _, row := range rows {
		f := splitFields(row)
		code, prov, lists := f[0], f[1], f[2:]
		p.Rows = append(p.Rows, code)
		p.Groups = append(p.Groups, prov)
		var cells []int64
		var months [][]int64
		for _, l := range lists {
			var ms []int64
			var sum int64
			for _, s := range splitComma(l) {
				var v int64
				fmt.Sscan(s, &v)
				ms = append(ms, v)
				sum += v
			}
			n = len(ms)
			cells = append(cells, sum)
			months = append(months, ms)
		}
		p.Cells = append(p.Cells, cells)
		p.ByMonth = append(p.ByMonth, months)
	}
	for m := range n {
		p.Months = append(p.Months, fmt.Sprintf("2024-%02d", from+m))
	}
	p.From, p.To = p.Months[0], p.Months[n-1]
	return p
}

func splitFields(s string) []string {
	var out []string
	cur := ""
	for _, r := range s + " " {
		if r == ' ' {
			if cur != "" {
				out = append(out, cur)
			}
			cur = ""
			continue
		}
		cur += string(r)
	}
	return out
}

func splitComma(s string) []string {
	var out []string
	cur := ""
	for _, r := range s + "," {
		if r == ',' {
			out = append(out, cur)
			cur = ""
			continue
		}
		cur += string(r)
	}
	return out
}

// Finding 1: the old Parquet listed only non-zero months, so a withheld
// cell was at least its number of rows: three withheld cells of 3, 4 and 5
// with 3, 4 and 5 month rows and a published district total of 12 were
// exact. Modelled here by months that are each at least 1; then the months
// the export now writes (every month of a withheld cell withheld, zeros too).
func TestFindingMonthRows(t *testing.T) {
	r := NewRelease()
	total := r.Add("D1:all", 12, false, false, 1, true)
	var cells []int
	for k, v := range []int64{3, 4, 5} {
		c := r.Add(fmt.Sprint("D1:c", k), v, true, true, 1, true)
		cells = append(cells, c)
		var months []int
		for m := range v {
			months = append(months, r.Add(fmt.Sprintf("m%d:D1:c%d", m, k), 1, true, true, 1, true))
		}
		r.Relate("rows", c, months)
	}
	r.Relate("D1", total, cells)
	if got, want := len(r.Exposed(10)), 3+12; got != want {
		t.Errorf("old Parquet: %d exposed, want %d (every cell and month exact)", got, want)
	}
	b := r.Bound(cells[0])
	if got, want := [2]int64{b.Lo, b.Hi}, [2]int64{3, 3}; got != want {
		t.Errorf("old Parquet: D1:c0 in %v, want %v", got, want)
	}

	// Now: the same district with a large neighbour, as the export makes it.
	p := period([]string{"c0", "c1", "c2", "c3"}, 1,
		"D1 P 1,1,1,0,0,0 1,1,1,1,0,0 1,1,1,1,1,0 0,0,0,0,0,0",
		"D2 P 5,5,5,5,5,5 6,6,6,6,6,6 7,7,7,7,7,7 8,8,8,8,8,8",
		"D3 P 4,4,4,4,4,4 5,5,5,5,5,5 2,2,2,2,2,2 9,9,9,9,9,9")
	r = NewRelease()
	r.AddPeriod(p, Suppress(p.Table, 10), 10, true)
	r.Protect(10)
	if got := narrow(r, 10); len(got) != 0 {
		t.Errorf("export's files: exposed %q", got)
	}
	b = r.Bound(r.Index("p:2024-01..2024-06:D1:c0", 3))
	if b.Lo != 1 || b.Hi < 13 {
		t.Errorf("D1:c0 in [%d, %d], want [1, ≥13]", b.Lo, b.Hi)
	}
}

// Finding 4: two exports, to May and to June, each protected on its own,
// give June by subtraction; audited together, the June export withholds
// more until no small count is exposed.
func TestFindingPeriodDifferencing(t *testing.T) {
	rows := []string{
		"D1 P 12,11,13,12,14,3 20,21,22,20,19,25",
		"D2 P 15,16,14,15,17,18 30,31,29,30,28,27",
	}
	may := period([]string{"c0", "c1"}, 1, "D1 P 12,11,13,12,14 20,21,22,20,19", "D2 P 15,16,14,15,17 30,31,29,30,28")
	june := period([]string{"c0", "c1"}, 1, rows...)
	alone := NewRelease()
	alone.AddPeriod(june, Suppress(june.Table, 10), 10, true)
	alone.Protect(10)
	if got := narrow(alone, 10); len(got) != 0 {
		t.Fatalf("June alone: exposed %q", got)
	}
	// The earlier release, then the June one with what alone decided.
	r := NewRelease()
	r.AddPeriod(june, Suppress(june.Table, 10), 10, true)
	for i, f := range alone.Figures() {
		r.setWithheld(i, f.Suppressed)
	}
	r.AddPeriod(may, Suppress(may.Table, 10), 10, false)
	exposed := r.Exposed(10)
	if len(exposed) == 0 || exposed[0].Key != "m:2024-06:D1:c0" || exposed[0].Lo != 3 || exposed[0].Hi != 3 {
		t.Errorf("May and June together: exposed %v, want June's 3 exact", exposed)
	}
	r.Protect(10)
	if got := narrow(r, 10); len(got) != 0 {
		t.Errorf("after Protect with the register: exposed %q", got)
	}
}

// Finding 5: an annual release publishes month cells that monthly releases
// hid as complements; audited together, the later release withholds them.
func TestFindingMonthlyAgainstAnnual(t *testing.T) {
	year := period([]string{"c0", "c1"}, 1,
		"D1 P 3,11,12,13 20,21,22,20",
		"D2 P 15,16,14,15 30,31,29,30")
	jan := period([]string{"c0", "c1"}, 1, "D1 P 3 20", "D2 P 15 30")
	r := NewRelease()
	r.AddPeriod(year, Suppress(year.Table, 10), 10, true)
	r.AddPeriod(jan, Suppress(jan.Table, 10), 10, false)
	r.Protect(10)
	if got := narrow(r, 10); len(got) != 0 {
		t.Errorf("annual after January: exposed %q", got)
	}
}
