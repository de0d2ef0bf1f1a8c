package disclosure

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Unbounded is Bound.Hi when nothing the attacker knows caps a figure.
const Unbounded = math.MaxInt64

// Bound is the range an attacker can prove for one withheld figure: the
// least and greatest value it can take while every published figure and
// relation holds, every figure is at least 0 and every withheld figure at
// least its floor (1 where zeros are published).
type Bound struct {
	Figure  int // index in Release.Figures
	Key     string
	Value   int64
	Lo, Hi  int64
	Primary bool
}

// Protected reports whether b meets interval protection at level p (see
// Release.Protect): Hi ≥ Value+p and Lo ≤ max(Value−p, floor), floor being
// what the attacker knows without any audit (1, or a withheld total's number
// of withheld non-zero parts).
func (b Bound) Protected(p, floor int64) bool {
	return (b.Hi == Unbounded || b.Hi >= b.Value+p) && b.Lo <= max(b.Value-p, floor, 1)
}

func (b Bound) String() string {
	hi := "∞"
	if b.Hi != Unbounded {
		hi = fmt.Sprint(b.Hi)
	}
	return fmt.Sprintf("%s = %d in [%d, %s]", b.Key, b.Value, b.Lo, hi)
}

// Audit returns the range an attacker can prove for every withheld figure,
// in figure order, by linear programming: for each withheld figure, the
// minimum and maximum of its value subject to every published relation.
// Ranges are of the linear relaxation (figures may be fractions), rounded
// inwards to whole numbers, which is the standard audit of interval
// protection (tau-ARGUS, sdcTable); an attacker who solves integer programs
// can sometimes narrow them by less than 1.
func (r *Release) Audit() []Bound {
	var out []Bound
	done := make([]bool, len(r.figs))
	for i, f := range r.figs {
		if !f.Suppressed || done[i] {
			continue
		}
		vars, rels := r.component(i)
		for _, v := range vars {
			done[v] = true
		}
		out = append(out, r.solve(vars, rels, vars)...)
	}
	slices.SortFunc(out, func(a, b Bound) int { return a.Figure - b.Figure })
	return out
}

// Bound returns the range an attacker can prove for figure i, withheld.
func (r *Release) Bound(i int) Bound {
	vars, rels := r.component(i)
	return r.solve(vars, rels, []int{i})[0]
}

// localLimits are the sizes (relations) of the neighbourhoods localBound
// solves short of a whole component: most counts are shown protected by a
// few relations around them, and a small program is quick to load.
var localLimits = []int{10, 40, 100}

// exactLimits are the further sizes localBound tries when it must decide,
// the last being the whole component: with earlier releases a component
// can hold a thousand relations, and a figure is mostly shown protected by
// a few hundred of them.
var exactLimits = []int{250, 600, math.MaxInt}

// neighbourhood returns withheld figures near figure i, reached from it
// through relations and withheld figures breadth first until more than
// limit of the relations that hold them link two withheld figures found in
// other relations too (the rows of the linear program; the months of a
// withheld cell, say, fall out of it, see solve), those relations, and
// whether that is i's whole component (see component).
func (r *Release) neighbourhood(of [][]int, i, limit int) (vars, rels []int, whole bool) {
	v := r.visit()
	v.fig(i)
	queue := []int{i}
	whole = true
	size := 0 // relations linking two withheld figures that are in others
	for len(queue) > 0 {
		f := queue[0]
		if size > limit {
			whole = false
			break
		}
		queue = queue[1:]
		vars = append(vars, f)
		for _, k := range of[f] {
			if !v.rel(k) {
				continue
			}
			rels = append(rels, k)
			rel := r.rels[k]
			linked := 0
			for _, g := range append([]int{rel.Total}, rel.Parts...) {
				if !r.figs[g].Suppressed {
					continue
				}
				if len(of[g]) > 1 {
					linked++
				}
				if v.fig(g) {
					queue = append(queue, g)
				}
			}
			if linked > 1 {
				size++
			}
		}
	}
	slices.Sort(vars)
	slices.Sort(rels)
	return vars, rels, whole
}

// localBound returns a range for withheld figure i that the attacker can
// prove at least, and whether it meets interval protection at level p.
// It solves the linear program of the withheld figures near i (see
// neighbourhood), the others taken as known (at their values), and widens
// the neighbourhood until the range is protected, the neighbourhood is i's
// whole component (the range is then Bound's), or it passes the last of
// localLimits (or, with exact, never short of the whole component).
// Knowing more only narrows a range, so a range found protected is
// protected against an attacker who knows only what is published; one
// found unprotected short of the whole component may still be protected
// (Protect then withholds more than needed, which is safe).
func (r *Release) localBound(of [][]int, i int, p int64, exact bool) (Bound, bool) {
	floor := r.structuralFloor(of, i)
	limits := localLimits
	if exact {
		limits = append(slices.Clone(limits), exactLimits...)
	}
	pb, low, high := r.proven(i, p, floor)
	if low && high {
		return pb, true
	}
	var b Bound
	for _, limit := range limits {
		vars, rels, whole := r.neighbourhood(of, i, limit)
		// A side the proof points show protected needs no program.
		b = r.solveSides(vars, rels, []int{i}, !low, !high)[0]
		if low {
			b.Lo = pb.Lo
		}
		if high {
			b.Hi = pb.Hi
		}
		if b.Protected(p, floor) {
			return b, true
		}
		if whole {
			return b, false
		}
		pb, low, high = r.proven(i, p, floor)
	}
	return b, false
}

// relsOf lists, per figure, the relations it is in.
func (r *Release) relsOf() [][]int {
	out := make([][]int, len(r.figs))
	for k, rel := range r.rels {
		out[rel.Total] = append(out[rel.Total], k)
		for _, p := range rel.Parts {
			out[p] = append(out[p], k)
		}
	}
	return out
}

// component returns the withheld figures and the relations linked to figure
// i through relations and withheld figures: the only part of the release
// that bounds it.
func (r *Release) component(i int) (vars, rels []int) {
	of := r.relsOf()
	v := r.visit()
	v.fig(i)
	for frontier := []int{i}; len(frontier) > 0; {
		vars = append(vars, frontier...)
		var more []int
		more, frontier = r.step(of, frontier, v)
		rels = append(rels, more...)
	}
	slices.Sort(vars)
	slices.Sort(rels)
	return vars, rels
}

// step goes one relation further from the frontier's figures: it returns
// the relations of theirs not seen yet, and the withheld figures those
// reach that were not seen yet, marking both seen.
func (r *Release) step(of [][]int, frontier []int, v *visit) (rels, next []int) {
	for _, f := range frontier {
		for _, k := range of[f] {
			if !v.rel(k) {
				continue
			}
			rels = append(rels, k)
			rel := r.rels[k]
			if r.figs[rel.Total].Suppressed && v.fig(rel.Total) {
				next = append(next, rel.Total)
			}
			for _, g := range rel.Parts {
				if r.figs[g].Suppressed && v.fig(g) {
					next = append(next, g)
				}
			}
		}
	}
	return rels, next
}

// visit marks the figures and relations a walk over the release has met.
// Its marks are stamps of the walk's number, so that a new walk costs
// nothing to start (see Release.visit).
type visit struct {
	n          int32
	figs, rels []int32
}

// visit starts a new walk over r.
func (r *Release) visit() *visit {
	v := &r.walk
	if len(v.figs) != len(r.figs) || len(v.rels) != len(r.rels) || v.n == math.MaxInt32 {
		*v = visit{figs: make([]int32, len(r.figs)), rels: make([]int32, len(r.rels))}
	}
	v.n++
	return v
}

// fig marks figure i met, and reports whether it was not met before.
func (v *visit) fig(i int) bool {
	if v.figs[i] == v.n {
		return false
	}
	v.figs[i] = v.n
	return true
}

// rel marks relation k met, and reports whether it was not met before.
func (v *visit) rel(k int) bool {
	if v.rels[k] == v.n {
		return false
	}
	v.rels[k] = v.n
	return true
}

// solve bounds the targets (withheld figures of the component vars, rels).
//
// The linear program is made small before the solver sees it: figures
// that appear in the same relations with the same signs are one unknown
// (their sum; twelve withheld months of one cell, say), and a relation that
// holds an unknown found nowhere else, whose bound it implies anyway, is
// dropped with that unknown (the months of a withheld cell), its value
// being a linear expression of the rest.
func (r *Release) solve(vars, rels, targets []int) []Bound {
	return r.solveSides(vars, rels, targets, true, true)
}

// solveSides is solve for the least values (wantLo) and the greatest
// (wantHi) only: a side not wanted comes back as the floor, or Unbounded.
func (r *Release) solveSides(vars, rels, targets []int, wantLo, wantHi bool) []Bound {
	if r.cache == nil {
		r.cache = map[string]float64{}
	}
	col := make(map[int]int, len(vars)) // figure -> unknown
	for c, f := range vars {
		col[f] = c
	}
	// Rows in the shifted unknowns y = x − floor ≥ 0.
	type row struct {
		coef map[int]float64
		rhs  float64
	}
	rows := make([]row, len(rels))
	for q, k := range rels {
		rel := r.rels[k]
		rw := row{coef: map[int]float64{}}
		add := func(f int, a float64) {
			fig := r.figs[f]
			if c, ok := col[f]; ok && fig.Suppressed {
				rw.coef[c] += a
				rw.rhs -= a * float64(fig.Floor)
			} else {
				rw.rhs -= a * float64(fig.Value)
			}
		}
		for _, p := range rel.Parts {
			add(p, 1)
		}
		add(rel.Total, -1)
		for c, a := range rw.coef {
			if a == 0 {
				delete(rw.coef, c)
			}
		}
		rows[q] = rw
	}
	// Group unknowns by signature.
	// Rows are met in order, so equal signatures are equal strings.
	sig := make([][]byte, len(vars))
	for q, rw := range rows {
		for c, a := range rw.coef {
			sig[c] = strconv.AppendInt(sig[c], int64(q), 10)
			sig[c] = append(sig[c], ':')
			sig[c] = strconv.AppendFloat(sig[c], a, 'g', -1, 64)
			sig[c] = append(sig[c], ',')
		}
	}
	groupOf := make([]int, len(vars))
	var groups [][]int // unknowns
	bySig := map[string]int{}
	for c := range vars {
		s := string(sig[c])
		g, ok := bySig[s]
		if !ok {
			g = len(groups)
			bySig[s] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], c)
		groupOf[c] = g
	}
	// Group rows: coefficient per group (members share it).
	grows := make([]map[int]float64, len(rows))
	for q, rw := range rows {
		grows[q] = map[int]float64{}
		for c, a := range rw.coef {
			grows[q][groupOf[c]] = a
		}
	}
	ngroups := len(groups)
	rowsOfG := make([][]int, ngroups)
	for q, gr := range grows {
		for g := range gr {
			rowsOfG[g] = append(rowsOfG[g], q)
		}
	}
	// Drop implied singletons, one round.
	type elim struct {
		a, rhs float64
		others map[int]float64
	}
	elimOf := map[int]elim{}
	dropped := make([]bool, len(rows))
	pinned := make([]bool, ngroups)
	for q, gr := range grows {
		for g, a := range gr {
			if pinned[g] || len(rowsOfG[g]) != 1 {
				continue
			}
			ok := (a > 0 && rows[q].rhs >= 0) || (a < 0 && rows[q].rhs <= 0)
			for h, b := range gr {
				if h != g && b*a > 0 {
					ok = false
				}
			}
			if !ok {
				continue
			}
			others := map[int]float64{}
			for h, b := range gr {
				if h != g {
					others[h] = b
					pinned[h] = true
				}
			}
			elimOf[g] = elim{a: a, rhs: rows[q].rhs, others: others}
			dropped[q] = true
			pinned[g] = true
			break
		}
	}
	// The linear program over the groups left in some row.
	lpCol := make([]int, ngroups)
	for g := range lpCol {
		lpCol[g] = -1
	}
	n := 0
	var live []int
	for q := range rows {
		if dropped[q] {
			continue
		}
		live = append(live, q)
		for g := range grows[q] {
			if lpCol[g] < 0 {
				lpCol[g] = n
				n++
			}
		}
	}
	// The program is loaded into the solver once, when a bound first
	// needs it, and every later objective starts from its last basis.
	var prog *program
	defer func() {
		if prog != nil {
			prog.close()
		}
	}()
	solver := func() *program {
		if prog == nil {
			sparse := make([]map[int]float64, len(live))
			rhs := make([]float64, len(live))
			for i, q := range live {
				sparse[i] = make(map[int]float64, len(grows[q]))
				for g, a := range grows[q] {
					sparse[i][lpCol[g]] = a
				}
				rhs[i] = rows[q].rhs
			}
			prog = newProgram(sparse, rhs, n)
		}
		return prog
	}
	// record keeps the figures' values in x, an optimal solution, as proof
	// points: a group's excess over its floors may go to any one member.
	record := func(x []float64) {
		lo, hi := r.proofs()
		y := make([]float64, ngroups)
		for g := range y {
			if lpCol[g] >= 0 {
				y[g] = max(x[lpCol[g]], 0)
			}
		}
		for g, e := range elimOf {
			v := e.rhs
			for h, bh := range e.others {
				v -= bh * y[h]
			}
			y[g] = max(e.a*v, 0)
		}
		for g, members := range groups {
			for _, c := range members {
				f := vars[c]
				v := float64(r.figs[f].Floor) + y[g]
				hi[f] = max(hi[f], v)
				if len(members) == 1 {
					lo[f] = min(lo[f], v)
				} else {
					lo[f] = min(lo[f], float64(r.figs[f].Floor))
				}
			}
		}
	}
	// extreme returns min (sign +1) or max (sign −1) of const + Σ coef·y.
	extreme := func(coef map[int]float64, sign float64) float64 {
		c := make([]float64, n)
		any := false
		for g, a := range coef {
			if lpCol[g] < 0 {
				if sign*a < 0 {
					return math.Inf(-int(sign)) // a free unknown drives it away
				}
				continue
			}
			c[lpCol[g]] = sign * a
			any = any || a != 0
		}
		if !any || n == 0 {
			return 0
		}
		opt, x, err := solver().minimize(c)
		switch {
		case errors.Is(err, errUnbounded):
			return math.Inf(-int(sign))
		case err != nil:
			return math.NaN()
		}
		record(x)
		return sign * opt
	}
	// objective names an objective by the first figure of each group, the
	// same for every call on the same unknowns and relations.
	objective := func(coef map[int]float64) string {
		parts := make([]string, 0, len(coef))
		for g, a := range coef {
			parts = append(parts, strconv.Itoa(vars[groups[g][0]])+":"+strconv.FormatFloat(a, 'g', -1, 64))
		}
		slices.Sort(parts)
		return strings.Join(parts, ",")
	}
	// program names the linear program: its unknowns (withheld figures of
	// vars; a figure of vars that is published is known) and relations.
	var pb []byte
	for _, f := range vars {
		if r.figs[f].Suppressed {
			pb = strconv.AppendInt(pb, int64(f), 10)
			pb = append(pb, ' ')
		}
	}
	pb = append(pb, '|')
	for _, k := range rels {
		pb = strconv.AppendInt(pb, int64(k), 10)
		pb = append(pb, ' ')
	}
	program := string(pb)
	var out []Bound
	for _, f := range targets {
		c := col[f]
		g := groupOf[c]
		coef := map[int]float64{g: 1}
		konst := 0.0
		if e, ok := elimOf[g]; ok {
			// y_g = a·(rhs − Σ b_h y_h), a = ±1.
			coef = map[int]float64{}
			for h, bh := range e.others {
				coef[h] = -e.a * bh
			}
			konst = e.a * e.rhs
		}
		key := program + objective(coef)
		ext := [2]float64{math.Inf(-1), math.Inf(1)}
		for s, want := range []bool{wantLo, wantHi} {
			if !want {
				continue
			}
			k := key + []string{"|min", "|max"}[s]
			v, ok := r.cache[k]
			if !ok {
				v = extreme(coef, []float64{1, -1}[s])
				r.cache[k] = v
			}
			ext[s] = v
		}
		lo, hi := konst+ext[0], konst+ext[1]
		floors := int64(0)
		for _, m := range groups[g] {
			floors += r.figs[vars[m]].Floor
		}
		fig := r.figs[f]
		bd := Bound{Figure: f, Key: fig.Key, Value: fig.Value, Primary: fig.Primary}
		if math.IsNaN(lo) || math.IsNaN(hi) {
			// The solver failed: claim nothing, so that the figure counts
			// as exposed and gets more protection.
			bd.Lo, bd.Hi = fig.Value, fig.Value
			out = append(out, bd)
			continue
		}
		gLo := max(float64(floors), float64(floors)+lo)
		gHi := float64(floors) + hi
		if len(groups[g]) == 1 {
			bd.Lo = int64(math.Ceil(gLo - 1e-6))
		} else {
			bd.Lo = fig.Floor
			gHi -= float64(floors - fig.Floor)
		}
		bd.Lo = max(bd.Lo, fig.Floor)
		if math.IsInf(gHi, 1) || gHi > 1e15 {
			bd.Hi = Unbounded
		} else {
			bd.Hi = int64(math.Floor(gHi + 1e-6))
		}
		out = append(out, bd)
	}
	return out
}

// Exposed returns the withheld sensitive figures (small counts, and
// magnitudes at their own level) whose range (see Audit) is narrower than
// protection level p allows, in figure order.
func (r *Release) Exposed(p int64) []Bound {
	of := r.relsOf()
	var out []Bound
	for _, b := range r.Audit() {
		if b.Primary && !b.Protected(r.level(b.Figure, p), r.structuralFloor(of, b.Figure)) {
			out = append(out, b)
		}
	}
	return out
}
