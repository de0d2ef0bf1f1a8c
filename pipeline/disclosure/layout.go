package disclosure

import "fmt"

// layout numbers every published figure (a node) and lists the published
// relations between them. Nodes are laid out as cells (row-major), district
// totals, province x column totals, province totals, national column totals
// and the national total.
type layout struct {
	t          Table
	nr, nc, ng int
	group      []int // row -> province index
	groupNames []string
	vals       []int64
	rels       []relation
	relsOf     [][]int // node -> indices of the relations it belongs to
}

// relation is a published identity: the parts sum to the total.
type relation struct {
	name  string
	parts []int
	total int
}

func newLayout(t Table) *layout {
	if err := t.Validate(); err != nil {
		panic(err)
	}
	l := &layout{t: t, nr: len(t.Rows), nc: len(t.Cols), groupNames: t.GroupNames()}
	l.ng = len(l.groupNames)
	idx := make(map[string]int, l.ng)
	for g, name := range l.groupNames {
		idx[name] = g
	}
	l.group = make([]int, l.nr)
	for i, g := range t.Groups {
		l.group[i] = idx[g]
	}
	l.vals = make([]int64, l.nodes())
	for i, row := range t.Cells {
		for j, v := range row {
			l.vals[l.cell(i, j)] = v
			l.vals[l.rowTotal(i)] += v
			l.vals[l.groupCol(l.group[i], j)] += v
			l.vals[l.groupTotal(l.group[i])] += v
			l.vals[l.national(j)] += v
			l.vals[l.nationalTotal()] += v
		}
	}
	if l.nr == 0 || l.nc == 0 {
		return l // no figures worth a relation
	}

	members := make([][]int, l.ng) // province -> rows
	for i, g := range l.group {
		members[g] = append(members[g], i)
	}
	for i := range l.nr {
		r := relation{name: "district " + t.Rows[i], total: l.rowTotal(i)}
		for j := range l.nc {
			r.parts = append(r.parts, l.cell(i, j))
		}
		l.rels = append(l.rels, r)
	}
	for g, rows := range members {
		for j := range l.nc {
			r := relation{name: "province " + l.groupNames[g] + " " + t.Cols[j], total: l.groupCol(g, j)}
			for _, i := range rows {
				r.parts = append(r.parts, l.cell(i, j))
			}
			l.rels = append(l.rels, r)
		}
	}
	for g, rows := range members {
		r := relation{name: "province " + l.groupNames[g] + " by district", total: l.groupTotal(g)}
		for _, i := range rows {
			r.parts = append(r.parts, l.rowTotal(i))
		}
		l.rels = append(l.rels, r)
		r = relation{name: "province " + l.groupNames[g] + " by category", total: l.groupTotal(g)}
		for j := range l.nc {
			r.parts = append(r.parts, l.groupCol(g, j))
		}
		l.rels = append(l.rels, r)
	}
	for j := range l.nc {
		r := relation{name: "national " + t.Cols[j], total: l.national(j)}
		for g := range l.ng {
			r.parts = append(r.parts, l.groupCol(g, j))
		}
		l.rels = append(l.rels, r)
	}
	r := relation{name: "national by province", total: l.nationalTotal()}
	for g := range l.ng {
		r.parts = append(r.parts, l.groupTotal(g))
	}
	l.rels = append(l.rels, r)
	r = relation{name: "national by category", total: l.nationalTotal()}
	for j := range l.nc {
		r.parts = append(r.parts, l.national(j))
	}
	l.rels = append(l.rels, r)

	l.relsOf = make([][]int, l.nodes())
	for k, r := range l.rels {
		for _, p := range r.parts {
			l.relsOf[p] = append(l.relsOf[p], k)
		}
		l.relsOf[r.total] = append(l.relsOf[r.total], k)
	}
	return l
}

func (l *layout) nodes() int {
	return l.nr*l.nc + l.nr + l.ng*l.nc + l.ng + l.nc + 1
}

func (l *layout) cell(i, j int) int     { return i*l.nc + j }
func (l *layout) rowTotal(i int) int    { return l.nr*l.nc + i }
func (l *layout) groupCol(g, j int) int { return l.nr*l.nc + l.nr + g*l.nc + j }
func (l *layout) groupTotal(g int) int  { return l.nr*l.nc + l.nr + l.ng*l.nc + g }
func (l *layout) national(j int) int    { return l.nr*l.nc + l.nr + l.ng*l.nc + l.ng + j }
func (l *layout) nationalTotal() int    { return l.nr*l.nc + l.nr + l.ng*l.nc + l.ng + l.nc }

// name describes node n for people: "cell D01/drugs", "province Sindh/drugs".
func (l *layout) name(n int) string {
	switch {
	case n < l.rowTotal(0):
		return fmt.Sprintf("cell %s/%s", l.t.Rows[n/l.nc], l.t.Cols[n%l.nc])
	case n < l.groupCol(0, 0):
		return "district total " + l.t.Rows[n-l.rowTotal(0)]
	case n < l.groupTotal(0):
		k := n - l.groupCol(0, 0)
		return fmt.Sprintf("province %s/%s", l.groupNames[k/l.nc], l.t.Cols[k%l.nc])
	case n < l.national(0):
		return "province total " + l.groupNames[n-l.groupTotal(0)]
	case n < l.nationalTotal():
		return "national " + l.t.Cols[n-l.national(0)]
	default:
		return "national total"
	}
}

// result turns per-node flags into a Result.
func (l *layout) result(sup, primary []bool) Result {
	r := Result{
		Suppressed:              make([][]bool, l.nr),
		Primary:                 make([][]bool, l.nr),
		RowTotalSuppressed:      make([]bool, l.nr),
		GroupSuppressed:         make([][]bool, l.ng),
		GroupTotalSuppressed:    make([]bool, l.ng),
		NationalSuppressed:      make([]bool, l.nc),
		NationalTotalSuppressed: sup[l.nationalTotal()],
	}
	for i := range l.nr {
		r.Suppressed[i] = make([]bool, l.nc)
		r.Primary[i] = make([]bool, l.nc)
		for j := range l.nc {
			r.Suppressed[i][j] = sup[l.cell(i, j)]
			r.Primary[i][j] = primary[l.cell(i, j)]
		}
		r.RowTotalSuppressed[i] = sup[l.rowTotal(i)]
	}
	for g := range l.ng {
		r.GroupSuppressed[g] = make([]bool, l.nc)
		for j := range l.nc {
			r.GroupSuppressed[g][j] = sup[l.groupCol(g, j)]
		}
		r.GroupTotalSuppressed[g] = sup[l.groupTotal(g)]
	}
	for j := range l.nc {
		r.NationalSuppressed[j] = sup[l.national(j)]
	}
	for n, s := range sup {
		switch {
		case !s:
		case n < l.rowTotal(0):
			r.Count++
		default:
			r.MarginCount++
		}
	}
	return r
}

// flags turns a Result back into per-node suppression flags. Missing (nil or
// short) slices mean "published", so a hand-made Result needs only the
// fields it uses.
func (l *layout) flags(r Result) []bool {
	sup := make([]bool, l.nodes())
	at := func(s []bool, k int) bool { return k < len(s) && s[k] }
	for i := range l.nr {
		var row []bool
		if i < len(r.Suppressed) {
			row = r.Suppressed[i]
		}
		for j := range l.nc {
			sup[l.cell(i, j)] = at(row, j)
		}
		sup[l.rowTotal(i)] = at(r.RowTotalSuppressed, i)
	}
	for g := range l.ng {
		var row []bool
		if g < len(r.GroupSuppressed) {
			row = r.GroupSuppressed[g]
		}
		for j := range l.nc {
			sup[l.groupCol(g, j)] = at(row, j)
		}
		sup[l.groupTotal(g)] = at(r.GroupTotalSuppressed, g)
	}
	for j := range l.nc {
		sup[l.national(j)] = at(r.NationalSuppressed, j)
	}
	sup[l.nationalTotal()] = r.NationalTotalSuppressed
	return sup
}
