package disclosure

import (
	"slices"
	"strings"
	"testing"
)

// scopeTables are one period counted over every incident (wide) and over
// the incidents located by exact point only (exact): D4 has 36 drug
// incidents, 30 of them by point, so 6 were located by district name only.
// Every other figure is the same in both.
func scopeTables() (wide, exact Period) {
	rows := func(d4 string) []string {
		return []string{
			"D1 P 20,20 11,12", "D2 P 25,25 13,14", "D3 P 30,30 15,15", "D4 P " + d4 + " 12,12",
			"D5 Q 22,22 10,11", "D6 Q 28,28 14,13", "D7 Q 24,24 12,10", "D8 Q 26,26 11,11",
		}
	}
	return period([]string{"c0", "c1"}, 1, rows("18,18")...), period([]string{"c0", "c1"}, 1, rows("15,15")...)
}

// protectAlone protects p as the only release of a database, in scope, and
// returns it as an earlier release of another.
func protectAlone(t *testing.T, p Period, scope string, wide *Period) (figs []Figure, rels []Relation) {
	t.Helper()
	r := NewRelease()
	r.SetScope(scope)
	r.AddPeriod(p, Suppress(p.Table, 10), 10, true)
	if wide != nil {
		r.Widen(p, scope, *wide, "", 10)
	}
	r.Protect(10)
	if got := narrow(r, 10); len(got) != 0 {
		t.Fatalf("%q alone: exposed %q", scope, got)
	}
	return r.Figures(), r.Relations()
}

// withEarlier adds an earlier release's figures and relations to r, as the
// export reads them from the register.
func withEarlier(r *Release, figs []Figure, rels []Relation) {
	idx := make([]int, len(figs))
	for n, f := range figs {
		idx[n] = r.Add(f.Key, f.Value, f.Suppressed, f.Primary, f.Floor, false)
	}
	for _, rel := range rels {
		parts := make([]int, len(rel.Parts))
		for q, n := range rel.Parts {
			parts[q] = idx[n]
		}
		r.Relate("release", idx[rel.Total], parts)
	}
}

// TestScopeDifferencing: an export of every incident, and one of exact
// points only of the same period, each protected on its own, print D4's
// 36 and 30: 6 incidents located by name only. Widen puts the wide table
// and what lies between the two in the release, and Protect withholds until
// that 6 is protected, whichever release comes first; alone, the exact
// points' release withholds nothing more for it.
func TestScopeDifferencing(t *testing.T) {
	wide, exact := scopeTables()
	const scope = "prec<=1|"
	rest := "rest:" + scope + "p:2024-01..2024-02:D4:c0"

	// Alone, each release publishes everything.
	for _, c := range []struct {
		name  string
		p     Period
		scope string
		wide  *Period
	}{{"every incident", wide, "", nil}, {"exact points", exact, scope, &wide}} {
		figs, _ := protectAlone(t, c.p, c.scope, c.wide)
		for _, f := range figs {
			// Widen's figures are withheld; the table's own must not be.
			if f.Suppressed && (strings.HasPrefix(f.Key, c.scope+"p:") || strings.HasPrefix(f.Key, c.scope+"m:")) {
				t.Errorf("%s alone: %s (%d) withheld", c.name, f.Key, f.Value)
			}
		}
	}

	// Every incident first, then exact points.
	figs, rels := protectAlone(t, wide, "", nil)
	r := NewRelease()
	r.SetScope(scope)
	r.AddPeriod(exact, Suppress(exact.Table, 10), 10, true)
	r.Widen(exact, scope, wide, "", 10)
	withEarlier(r, figs, rels)
	exposed := r.Exposed(10)
	if len(exposed) == 0 || !slices.ContainsFunc(exposed, func(b Bound) bool { return b.Key == rest && b.Lo == 6 && b.Hi == 6 }) {
		t.Errorf("every incident, then exact points: exposed %v, want %s exactly 6", exposed, rest)
	}
	r.Protect(10)
	if got := narrow(r, 10); len(got) != 0 {
		t.Errorf("after Protect: exposed %q", got)
	}
	if !r.Suppressed("p:2024-01..2024-02:D4:c0", 30) {
		t.Errorf("exact points after every incident: D4's 30 published")
	}

	// Exact points first, then every incident.
	figs, rels = protectAlone(t, exact, scope, &wide)
	r = NewRelease()
	r.AddPeriod(wide, Suppress(wide.Table, 10), 10, true)
	withEarlier(r, figs, rels)
	r.Protect(10)
	if got := narrow(r, 10); len(got) != 0 {
		t.Errorf("every incident after exact points: exposed %q", got)
	}
	if !r.Suppressed("p:2024-01..2024-02:D4:c0", 36) {
		t.Errorf("every incident after exact points: D4's 36 published")
	}
}

// TestLinkRevisions: the same period exported before and after a late file
// added 3 incidents in D4 (36, then 39). Each release alone publishes D4;
// audited together with LinkRevisions, the change of 3 is exact until
// Protect withholds the second release's D4 and what would give it back.
func TestLinkRevisions(t *testing.T) {
	before, _ := scopeTables()
	after, _ := scopeTables()
	after.Cells[3][0] += 3
	after.ByMonth[3][0][1] += 3
	figs, rels := protectAlone(t, before, "", nil)
	r := NewRelease()
	r.AddPeriod(after, Suppress(after.Table, 10), 10, true)
	withEarlier(r, figs, rels)
	if got := narrow(r, 10); len(got) != 0 {
		t.Fatalf("without the change: exposed %q", got)
	}
	r.LinkRevisions(10)
	const change = "change:p:2024-01..2024-02:D4:c0:39>36"
	exposed := r.Exposed(10)
	if !slices.ContainsFunc(exposed, func(b Bound) bool { return b.Key == change && b.Lo == 3 && b.Hi == 3 }) {
		t.Errorf("with the change: exposed %v, want %s exactly 3", exposed, change)
	}
	r.Protect(10)
	if got := narrow(r, 10); len(got) != 0 {
		t.Errorf("after Protect: exposed %q", got)
	}
	if !r.Suppressed("p:2024-01..2024-02:D4:c0", 39) {
		t.Errorf("D4's 39 published after the late file")
	}
	if r.Suppressed("p:2024-01..2024-02:D1:c0", 40) {
		t.Errorf("D1's 40, unchanged, withheld")
	}
}

// TestProtectAside: a total of 93 over a small count of 3, a cell of 40
// and a figure of 50 printed beside the tables (records per source, say).
// Protect withholds the smallest above the protection level, the 40,
// unless the 50 is marked aside: then the 50, and the cell stays
// published.
func TestProtectAside(t *testing.T) {
	for _, tt := range []struct {
		name  string
		aside bool
		want  []string
	}{
		{"no figure aside", false, []string{"small", "cell"}},
		{"records aside", true, []string{"small", "records"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRelease()
			total := r.Add("total", 93, false, false, 1, true)
			small := r.Add("small", 3, true, true, 1, true)
			cell := r.Add("cell", 40, false, false, 1, true)
			records := r.Add("records", 50, false, false, 1, true)
			if tt.aside {
				r.SetAside(records)
			}
			r.Relate("total", total, []int{small, cell, records})
			r.Protect(10)
			var got []string
			for _, f := range r.Figures() {
				if f.Suppressed {
					got = append(got, f.Key)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("withheld %q, want %q", got, tt.want)
			}
			if got := narrow(r, 10); len(got) != 0 {
				t.Errorf("exposed %q", got)
			}
		})
	}
}
