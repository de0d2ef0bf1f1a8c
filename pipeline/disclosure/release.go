package disclosure

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Release is everything one or more publications print, as figures named by
// key, and the arithmetic an attacker knows links them (relations "the parts
// sum to the total"). Figures with the same key and value are one figure,
// whichever table, file or release prints them: a figure printed anywhere is
// published. Keys name what a figure counts, for example
// "p:2024-01..2024-06:PK101:drug_trafficking" (a period cell) or
// "m:2024-06:PK101:drug_trafficking" (a month), so that the same month in two
// releases is one unknown and differencing shows in the relations.
//
// A Release holds the release being made (figures added with current) and
// every earlier release of the same database: Protect suppresses more of the
// current figures until every small count of any of them is protected.
type Release struct {
	figs  []Figure
	byKey map[string]int
	rels  []Relation
	seen  map[string]bool
	// cache holds the extremes of linear programs by their unknowns,
	// relations and objective, which make the program: withholding more
	// changes the unknowns of a neighbourhood, not the program of a key.
	// Add and Relate clear it.
	cache map[string]float64
	// lo and hi are, per figure, the least and greatest value it takes in
	// the feasible tables met so far (the true one, and the optimal
	// solutions of linear programs): proof points. A table that satisfies
	// every relation still does when more figures are withheld, so they
	// stay valid until a figure is published again or a figure or relation
	// is added (then they are nil).
	lo, hi []float64
	// zeroRels are the relations "the months sum to the period count" of
	// the current release whose zero months are published, so that an
	// attacker knows each withheld month is at least 1.
	zeroRels map[int]bool
	walk     visit // see visit
	// scope starts the key of every figure the current release adds, when
	// it counts only part of the incidents (see SetScope).
	scope string
}

// SetScope says that the current release counts only part of the
// incidents (those located at precision 1 to 3, say), named by scope
// ("prec<=3|"): every figure it adds, and every key it is asked about, is
// then scope+key, so that its counts are never taken for those of a release
// of every incident under the same key. Widen then tells how the two are
// linked. Call it before adding figures of the current release.
func (r *Release) SetScope(scope string) { r.scope = scope }

// setWithheld withholds or publishes figure i.
func (r *Release) setWithheld(i int, w bool) {
	if r.figs[i].Suppressed != w {
		r.figs[i].Suppressed = w
		if !w {
			r.lo, r.hi = nil, nil
		}
	}
}

// proofs returns the proof points (see Release.lo), starting from the true
// values.
func (r *Release) proofs() (lo, hi []float64) {
	if r.lo == nil {
		r.lo, r.hi = make([]float64, len(r.figs)), make([]float64, len(r.figs))
		for i, f := range r.figs {
			r.lo[i], r.hi[i] = float64(f.Value), float64(f.Value)
		}
	}
	return r.lo, r.hi
}

// proven returns the range the proof points show for figure i, rounded
// inwards as Audit rounds, and whether it meets interval protection at
// level p with floor (see Bound.Protected) on the low side and on the high
// side.
func (r *Release) proven(i int, p, floor int64) (b Bound, low, high bool) {
	lo, hi := r.proofs()
	f := r.figs[i]
	b = Bound{Figure: i, Key: f.Key, Value: f.Value, Primary: f.Primary,
		Lo: max(int64(math.Ceil(lo[i]-1e-6)), f.Floor), Hi: int64(math.Floor(hi[i] + 1e-6))}
	return b, b.Lo <= max(b.Value-p, floor, 1), b.Hi >= b.Value+p
}

// Figure is one printed (or withheld) count.
type Figure struct {
	Key        string
	Value      int64
	Suppressed bool  // withheld by every table that prints it
	Primary    bool  // a small count: 0 < Value < minCell
	Floor      int64 // the least value an attacker may assume of it when withheld
	Current    bool  // printed by the release being made
	Earlier    bool  // published (not withheld) by an earlier release
	Margin     bool  // a total of a table (district, province, national)
	// Aside is printed beside the tables (a report's records per source,
	// say): Protect withholds such figures before the tables' cells.
	Aside bool
	// EarlierFloor is the part of Floor that earlier releases told.
	EarlierFloor int64
	// Level is the protection level the p% rule asks of a sensitive
	// (Primary) figure (see Dominance): a magnitude's is Level, a count's
	// the larger of Level and Protect's p. 0 means p.
	Level int64
	// Magnitude says the figure sums a magnitude (grams seized, say), not
	// a count: LinkRevisions takes its change as sensitive whatever its
	// size (see AddMagnitude).
	Magnitude bool
}

// Relation is a published identity: the parts sum to the total.
type Relation struct {
	Name  string
	Total int
	Parts []int
}

// NewRelease returns an empty Release.
func NewRelease() *Release {
	return &Release{byKey: map[string]int{}, seen: map[string]bool{}, zeroRels: map[int]bool{}}
}

// Figures returns the figures, in the order they were added.
func (r *Release) Figures() []Figure { return r.figs }

// Relations returns the relations, in the order they were added.
func (r *Release) Relations() []Relation { return r.rels }

// Add records a figure and returns its index. A figure already known under
// key with the same value is the same figure: it stays withheld only if
// every table withholds it, and the attacker's floor is the larger one. The
// same key with another value (the database changed between two releases)
// is a different figure. current says the release being made prints it;
// otherwise it comes from an earlier release.
func (r *Release) Add(key string, value int64, suppressed, primary bool, floor int64, current bool) int {
	if current {
		key = r.scope + key
	}
	return r.add(key, value, suppressed, primary, floor, current)
}

// AddEvery is Add for a figure of the current release that counts the
// same whatever the release's scope (see SetScope): the records of a
// source, say, which --max-precision does not filter, so that releases of
// different scopes print it as one figure.
func (r *Release) AddEvery(key string, value int64, suppressed, primary bool, floor int64) int {
	return r.add(key, value, suppressed, primary, floor, true)
}

// AddMagnitude is Add for a magnitude summed over incidents (kilograms
// seized, in grams), not a count: level, above 0, makes it sensitive, to
// be protected at that level rather than Protect's p (the p% rule's, see
// Dominance). A withheld magnitude may be 0 (its floor is 0).
func (r *Release) AddMagnitude(key string, value int64, suppressed bool, level int64, current bool) int {
	if current {
		key = r.scope + key
	}
	i := r.add(key, value, suppressed, level > 0, 0, current)
	r.figs[i].Magnitude = true
	r.SetLevel(i, level)
	return i
}

// SetLevel makes figure i sensitive, to be protected at level (when above
// 0; a count at least at Protect's p): a count of victims that the p% rule
// finds dominated by one incident, say. Of two levels, the larger holds.
func (r *Release) SetLevel(i int, level int64) {
	if level <= 0 {
		return
	}
	f := &r.figs[i]
	f.Primary = true
	f.Level = max(f.Level, level)
}

// level is the protection level of figure i: a magnitude's own (p when it
// has none), a count's own when above p, else p.
func (r *Release) level(i int, p int64) int64 {
	f := r.figs[i]
	if f.Magnitude && f.Level > 0 {
		return f.Level
	}
	return max(f.Level, p)
}

// Withhold withholds the current release's figure key with value, which
// it does not print after all: the victims or kilograms of a flow Protect
// withheld. Withholding more never narrows a range, so Protect's
// guarantee holds. A figure an earlier release published stays published.
func (r *Release) Withhold(key string, value int64) {
	if i := r.Index(key, value); i >= 0 && r.figs[i].Current && !r.figs[i].Earlier {
		r.setWithheld(i, true)
	}
}

// SetAside marks figure i as printed beside the tables (see
// Figure.Aside), so that Protect withholds it before a table's cell when
// either would do: the records per source of a report rather than a
// district count.
func (r *Release) SetAside(i int) { r.figs[i].Aside = true }

// add is Add with key as it is, whatever the scope.
func (r *Release) add(key string, value int64, suppressed, primary bool, floor int64, current bool) int {
	r.cache, r.lo, r.hi = nil, nil, nil
	k := key
	if i, ok := r.byKey[k]; ok && r.figs[i].Value != value {
		k = key + "#" + strconv.FormatInt(value, 10)
	}
	floor = min(floor, value)
	if i, ok := r.byKey[k]; ok {
		f := &r.figs[i]
		f.Suppressed = f.Suppressed && suppressed
		f.Primary = f.Primary || primary
		f.Floor = max(f.Floor, floor)
		if !current {
			f.EarlierFloor = max(f.EarlierFloor, floor)
		}
		f.Current = f.Current || current
		f.Earlier = f.Earlier || (!current && !suppressed)
		return i
	}
	r.byKey[k] = len(r.figs)
	f := Figure{Key: key, Value: value, Suppressed: suppressed, Primary: primary, Floor: floor,
		Current: current, Earlier: !current && !suppressed}
	if !current {
		f.EarlierFloor = floor
	}
	r.figs = append(r.figs, f)
	return len(r.figs) - 1
}

// Relate records that the parts sum to the total, and returns the
// relation's index. Duplicates are kept once (-1).
func (r *Release) Relate(name string, total int, parts []int) int {
	r.cache, r.lo, r.hi = nil, nil, nil
	if len(parts) == 0 || (len(parts) == 1 && parts[0] == total) {
		return -1
	}
	s := slices.Clone(parts)
	slices.Sort(s)
	var b strings.Builder
	fmt.Fprint(&b, total, ":", s)
	if r.seen[b.String()] {
		return -1
	}
	r.seen[b.String()] = true
	r.rels = append(r.rels, Relation{Name: name, Total: total, Parts: slices.Clone(parts)})
	return len(r.rels) - 1
}

// Index returns the index of the current release's figure with key and
// value (in its scope, see SetScope), or -1.
func (r *Release) Index(key string, value int64) int {
	return r.index(r.scope+key, value)
}

// index is Index with key as it is, whatever the scope.
func (r *Release) index(key string, value int64) int {
	i, ok := r.byKey[key]
	if ok && r.figs[i].Value != value {
		i, ok = r.byKey[key+"#"+strconv.FormatInt(value, 10)]
	}
	if !ok {
		return -1
	}
	return i
}

// Suppressed reports whether the figure with key and value is withheld; a
// figure the release does not know is withheld.
func (r *Release) Suppressed(key string, value int64) bool {
	i := r.Index(key, value)
	return i < 0 || r.figs[i].Suppressed
}

// TableKeys names the figures of a Table in a Release: a row's cells are
// Prefix+Row(i)+":"+column and its total Prefix+Row(i)+":all"; a group's are
// Prefix+Group(g)+":"+column and ":all"; the national ones
// Prefix+Nation+":"+column and ":all".
type TableKeys struct {
	Prefix string
	Row    func(i int) string
	Group  func(g int) string
	Nation string
}

// AddTable adds the cells and published margins of t, withheld as res says,
// with the relations of the package documentation. Every figure of a table
// is at least 1 when withheld (zeros are published). It returns the keys of
// the cells, Rows x Cols.
func (r *Release) AddTable(t Table, res Result, minCell int64, k TableKeys, current bool) [][]string {
	l := newLayout(t)
	sup := l.flags(res)
	idx := make([]int, l.nodes())
	keys := make([][]string, l.nr)
	for n := range idx {
		key := k.Prefix + l.key(n, k)
		v := l.vals[n]
		idx[n] = r.Add(key, v, sup[n], v > 0 && v < minCell, 1, current)
		r.figs[idx[n]].Margin = n >= l.rowTotal(0)
		if n < l.rowTotal(0) {
			i := n / max(l.nc, 1)
			keys[i] = append(keys[i], key)
		}
	}
	for _, rel := range l.rels {
		parts := make([]int, len(rel.parts))
		for i, p := range rel.parts {
			parts[i] = idx[p]
		}
		r.Relate(k.Prefix+rel.name, idx[rel.total], parts)
	}
	return keys
}

// key names node n with k, without the prefix.
func (l *layout) key(n int, k TableKeys) string {
	switch {
	case n < l.rowTotal(0):
		return k.Row(n/l.nc) + ":" + l.t.Cols[n%l.nc]
	case n < l.groupCol(0, 0):
		return k.Row(n-l.rowTotal(0)) + ":all"
	case n < l.groupTotal(0):
		g := n - l.groupCol(0, 0)
		return k.Group(g/l.nc) + ":" + l.t.Cols[g%l.nc]
	case n < l.national(0):
		return k.Group(n-l.groupTotal(0)) + ":all"
	case n < l.nationalTotal():
		return k.Nation + ":" + l.t.Cols[n-l.national(0)]
	default:
		return k.Nation + ":all"
	}
}

// Protect withholds more figures of the current release until every
// withheld small count (Primary) meets interval protection at level p: the
// range an attacker can prove for a count v (see Audit) reaches v+p above,
// and below reaches v−p or the least value any withheld count may take
// (1), whichever is larger. p is the protection level; ocmap uses the
// suppression threshold (min-cell), as tau-ARGUS and sdcTable's interval
// protection do with their protection levels.
//
// For a count not yet protected, it withholds a published non-zero figure
// of the current release in a relation of that count (parts before totals;
// the smallest above p, which can absorb the whole protection, else the
// largest), else in a relation one step further through withheld figures,
// and so on; a relation the new figure leaves with one withheld figure gets
// a second the same way. When every non-zero figure near the count is
// withheld or was printed by an earlier release, published zeros of the
// current release are withheld the same way (months after an earlier
// period, say, whose zeros would tell the earlier period's total). Then it
// audits again. Withholding more never narrows a range, so a count once
// protected stays so. It returns the figures it withheld and the small
// counts it could not protect: when every figure of the current release
// near them is withheld, the current release tells nothing of them that
// the earlier ones did not, so that happens only when earlier releases
// (made before ocmap audited across releases, or by another program's
// rules) had exposed them.
func (r *Release) Protect(p int64) (added, unprotected []int) {
	of := r.relsOf()
	base := p
	for i := range r.figs {
		f := r.figs[i]
		if !f.Primary || !f.Suppressed {
			continue
		}
		p := r.level(i, base)
		for {
			b, ok := r.localBound(of, i, p, false)
			if ok {
				break
			}
			c := r.complement(of, i, b, p, nonZero)
			// When only published zeros of the current release are left to
			// withhold near i (an earlier release printed the rest), zero
			// months first, then any zero.
			if c < 0 {
				c = r.complement(of, i, b, p, zeroMonths)
			}
			if c < 0 {
				c = r.complement(of, i, b, p, anyZero)
			}
			if c < 0 {
				if _, ok := r.localBound(of, i, p, true); !ok {
					unprotected = append(unprotected, i)
				}
				break
			}
			added = append(added, r.withhold(of, c, p)...)
		}
	}
	return added, unprotected
}

// withhold withholds figure c, and then in every relation that holds a
// single withheld figure a second one, and returns them all.
func (r *Release) withhold(of [][]int, c int, p int64) []int {
	var out []int
	queue := []int{c}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if r.figs[c].Suppressed {
			continue
		}
		r.setWithheld(c, true)
		out = append(out, c)
		if r.figs[c].Value == 0 {
			// A zero month is withheld with every zero of its period
			// count, or withholding it would tell nothing.
			for _, k := range of[c] {
				out = append(out, r.hideZeros(k)...)
			}
		}
		for _, k := range of[c] {
			rel := r.rels[k]
			n := 0
			for _, g := range append([]int{rel.Total}, rel.Parts...) {
				if r.figs[g].Suppressed {
					n++
				}
			}
			if n != 1 {
				continue
			}
			d := r.pick([]int{k}, p, nonZero)
			if d < 0 {
				d = r.pick([]int{k}, p, zeroMonths)
			}
			if d >= 0 {
				queue = append(queue, d)
			}
		}
	}
	return out
}

// complement returns the figure to withhold next for figure i, whose range
// is b, or -1. Candidates are the best published figure (see pick) of the
// relations of i, then of the relations one step further through withheld
// figures, and so on, for a few steps; of these it takes the one that widens
// the range of i most, trying each, or the first when none does.
//
// kind says which published figures are candidates (see pick): Protect
// takes zeros only when no non-zero figure is left, since an earlier
// release printed the others. Withholding a zero tells an attacker less
// than publishing it (a withheld zero's floor is 0, see Add).
func (r *Release) complement(of [][]int, i int, b Bound, p int64, kind candidates) int {
	v := r.visit()
	v.fig(i)
	frontier := []int{i}
	var cands []int
	for len(frontier) > 0 && len(cands) < 4 {
		rels, next := r.step(of, frontier, v)
		// The best of each relation, best first.
		var here []int
		for _, k := range rels {
			if c := r.pick([]int{k}, p, kind); c >= 0 && !slices.Contains(here, c) && !slices.Contains(cands, c) {
				here = append(here, c)
			}
		}
		slices.SortFunc(here, func(a, c int) int { return r.better(a, c, p) })
		cands = append(cands, here[:min(len(here), 4-len(cands))]...)
		frontier = next
	}
	if len(cands) <= 1 {
		if len(cands) == 0 {
			return -1
		}
		return cands[0]
	}
	best, gain := cands[0], int64(0)
	for _, c := range cands {
		// The proof points found while c is withheld may need c at
		// another value: keep those found before.
		lo, hi := r.proofs()
		lo, hi = slices.Clone(lo), slices.Clone(hi)
		r.setWithheld(c, true)
		nb, ok := r.localBound(of, i, p, false)
		r.setWithheld(c, false)
		r.lo, r.hi = lo, hi
		if ok {
			return c // protects i by itself: none can do better
		}
		g := widen(b, nb)
		if g > gain {
			best, gain = c, g
		}
	}
	return best
}

// widen measures how much nb is wider than b (an unbounded end counts big).
func widen(b, nb Bound) int64 {
	hi := func(x int64) int64 { return min(x, 1<<40) }
	return (hi(nb.Hi) - hi(b.Hi)) + (b.Lo - nb.Lo)
}

// better orders candidate figures a and c: figures aside before cells,
// cells before margins, then the smallest above p, else the largest, then
// the lower index.
func (r *Release) better(a, c int, p int64) int {
	key := func(g int) [4]int64 {
		f := r.figs[g]
		var k [4]int64
		switch {
		case f.Aside:
			k[0] = -1
		case f.Margin:
			k[0] = 1
		}
		if f.Value > p {
			k[1] = f.Value
		} else {
			k[1], k[2] = math.MaxInt64, -f.Value
		}
		k[3] = int64(g)
		return k
	}
	ka, kc := key(a), key(c)
	return slices.Compare(ka[:], kc[:])
}

// structuralFloor is the least value of withheld figure i that needs no
// audit: its floor, or in a relation where it is the total, the published
// parts plus the floors of the withheld ones (a withheld district total is
// at least the number of its withheld cells).
func (r *Release) structuralFloor(of [][]int, i int) int64 {
	out := r.figs[i].Floor
	for _, k := range of[i] {
		rel := r.rels[k]
		if rel.Total != i {
			continue
		}
		var s int64
		for _, g := range rel.Parts {
			if r.figs[g].Suppressed {
				s += r.figs[g].Floor
			} else {
				s += r.figs[g].Value
			}
		}
		out = max(out, s)
	}
	return out
}

// candidates are the kinds of published figures Protect may withhold.
type candidates int

const (
	nonZero    candidates = iota // non-zero figures
	zeroMonths                   // zero months of a published count (see hideZeros)
	anyZero                      // any zero
)

// pick returns the published figure of the current release of the kind
// in the relations rels to withhold first (see better), or -1.
func (r *Release) pick(rels []int, p int64, kind candidates) int {
	best := -1
	zeros := kind != nonZero
	try := func(g int) {
		fig := &r.figs[g]
		if fig.Suppressed || (fig.Value == 0) != zeros || !fig.Current || fig.Earlier {
			return
		}
		if best < 0 || r.better(g, best, p) < 0 {
			best = g
		}
	}
	for _, k := range rels {
		if kind == zeroMonths && !r.zeroRels[k] {
			continue // only months' zeros are withheld (see hideZeros)
		}
		rel := &r.rels[k]
		for _, g := range rel.Parts {
			try(g)
		}
		try(rel.Total)
	}
	return best
}

// SuppressMonths chooses which months of one published period count to
// withhold: every month from 1 to minCell−1, then, smallest first, further
// non-zero months until the withheld months meet the minimum-sum rule: with
// k months withheld summing to S (anyone can compute S from the period
// count), each is only known to lie in [1, S−(k−1)], and that must reach
// the largest withheld small month plus minCell. When no month is left to
// withhold the rule may still fail; Protect then withholds the period count.
// The months of a withheld period count are all withheld, zeros included
// (see AddMonths).
func SuppressMonths(months []int64, minCell int64) []bool {
	sup := make([]bool, len(months))
	var k, sum, top int64
	for i, v := range months {
		if v > 0 && v < minCell {
			sup[i] = true
			k++
			sum += v
			top = max(top, v)
		}
	}
	for k > 0 && sum-(k-1) < top+minCell {
		best := -1
		for i, v := range months {
			if !sup[i] && v > 0 && (best < 0 || v < months[best]) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		sup[best] = true
		k++
		sum += months[best]
	}
	return sup
}

// AddMonths adds the months of one period count (key period, which AddTable
// added) and the relation "the months sum to the period count". withheld
// says which months are withheld. When hideZeros is set (the period count
// is withheld and so are all its months) a withheld month may be 0;
// otherwise zeros are published and a withheld month is at least 1 — but
// only where the count publishes a zero: Protect may withhold every zero
// month of a count (see hideZeros), and a count without published zeros
// looks the same. A period of one month is its month, and adds nothing.
func (r *Release) AddMonths(period string, value int64, monthKeys []string, months []int64, withheld []bool, hideZeros bool, minCell int64, current bool) {
	total := r.index(period, value)
	if current {
		total = r.Index(period, value)
	}
	if total < 0 {
		panic("disclosure: AddMonths: unknown period count " + period)
	}
	if len(monthKeys) == 1 && monthKeys[0] == period {
		return
	}
	zeros := false
	for i, v := range months {
		zeros = zeros || (v == 0 && !withheld[i])
	}
	hideZeros = hideZeros || !zeros
	parts := make([]int, len(months))
	for i, v := range months {
		floor := int64(1)
		if hideZeros {
			floor = 0
		}
		parts[i] = r.Add(monthKeys[i], v, withheld[i], v > 0 && v < minCell, floor, current)
	}
	if k := r.Relate(period+" by month", total, parts); k >= 0 && !hideZeros && current {
		r.zeroRels[k] = true
	}
}

// hideZeros withholds the published zeros of the current release in
// relation k, one of zeroRels, and returns them: an attacker then knows no
// withheld month of it to be at least 1, and the floors of its withheld
// months fall to what earlier releases told.
func (r *Release) hideZeros(k int) []int {
	if !r.zeroRels[k] {
		return nil
	}
	delete(r.zeroRels, k)
	r.cache = nil
	var out []int
	for _, g := range r.rels[k].Parts {
		f := &r.figs[g]
		if f.Value == 0 && f.Current && !f.Earlier && !f.Suppressed {
			r.setWithheld(g, true)
			out = append(out, g)
		}
		if f.Suppressed && f.Current {
			f.Floor = f.EarlierFloor
		}
	}
	return out
}

// Period is a district x category table of counts over a period of months,
// with its months: what ocmap's export prints (districts.csv and
// district_month.parquet).
type Period struct {
	Table
	From, To string      // first and last month, "2024-01"
	Months   []string    // the months of the period, in order, "2024-01"
	ByMonth  [][][]int64 // Rows x Cols x Months; each cell's months sum to it
}

// Prefix is the key prefix of the period's figures: "p:FROM..TO:", or the
// month's "m:MONTH:" for a period of one month, which is that month.
func (p Period) Prefix() string {
	if p.From == p.To {
		return "m:" + p.From + ":"
	}
	return "p:" + p.From + ".." + p.To + ":"
}

// MonthKey is the key of month m of cell (i, j).
func (p Period) MonthKey(m, i, j int) string {
	return "m:" + p.Months[m] + ":" + p.Rows[i] + ":" + p.Cols[j]
}

// PeriodKeys are the keys ocmap gives a Period's figures: district codes,
// "prov=NAME" for provinces, "nation".
func (p Period) Keys() TableKeys {
	groups := p.GroupNames()
	return TableKeys{Prefix: p.Prefix(), Row: func(i int) string { return p.Rows[i] },
		Group: func(g int) string { return "prov=" + groups[g] }, Nation: "nation"}
}

// AddPeriod adds the period table as res withholds it, and its months:
// all months of a withheld cell are withheld, zeros included, and the months
// of a published cell as SuppressMonths says. It returns which months it
// withholds, Rows x Cols x Months.
func (r *Release) AddPeriod(p Period, res Result, minCell int64, current bool) [][][]bool {
	keys := r.AddTable(p.Table, res, minCell, p.Keys(), current)
	out := make([][][]bool, len(p.Rows))
	for i := range p.Rows {
		out[i] = make([][]bool, len(p.Cols))
		for j := range p.Cols {
			months := p.ByMonth[i][j]
			var w []bool
			if res.Suppressed[i][j] {
				w = make([]bool, len(months))
				for m := range w {
					w[m] = true
				}
			} else {
				w = SuppressMonths(months, minCell)
			}
			mk := make([]string, len(months))
			for m := range months {
				mk[m] = p.MonthKey(m, i, j)
			}
			r.AddMonths(keys[i][j], p.Cells[i][j], mk, months, w, res.Suppressed[i][j], minCell, current)
			out[i][j] = w
		}
	}
	return out
}

// Widen links the current release's period table narrow, counted in scope
// narrowScope (see SetScope; its figures added with AddPeriod or by an
// earlier Widen), to the same table wide counted over more incidents, in
// scope wideScope ("" for every incident): for every figure (cell, margin,
// month) it adds the wide count and the count of the incidents in wide and
// not in narrow, both withheld and at least 0 (a zero is not known to be
// one), with "wide = narrow + the rest". An export of every incident and
// one of exact points only of the same period, each protected on its own,
// print a district's 36 and 30 and so its 6 incidents not located by
// point: with the rest in the release, Protect treats a small rest as the
// small count it is, whichever of the two releases comes first.
//
// The wide table's own sums are not added: this release prints none of its
// figures, and a release that prints some (an export of every incident)
// records its sums in the register itself. Left out, they keep each rest in
// a component of a few figures, so that Protect shows it protected without
// the whole of the wide tables.
func (r *Release) Widen(narrow Period, narrowScope string, wide Period, wideScope string, minCell int64) {
	link := func(key string, nv, wv int64) { r.widen(key, narrowScope, nv, wideScope, wv, minCell) }
	nl, wl := newLayout(narrow.Table), newLayout(wide.Table)
	keys := narrow.Keys()
	for n := range wl.nodes() {
		link(keys.Prefix+wl.key(n, keys), nl.vals[n], wl.vals[n])
	}
	if len(wide.Months) < 2 {
		return // the month is the period
	}
	for i := range wide.Rows {
		for j := range wide.Cols {
			for m := range wide.Months {
				link(wide.MonthKey(m, i, j), narrow.ByMonth[i][j][m], wide.ByMonth[i][j][m])
			}
		}
	}
}

// WidenFigure links one figure of the current release, key counted in
// scopes[0] with value values[0] (added already), to the same figure
// counted in each wider scope scopes[k] with value values[k], as Widen does
// for every figure of a table: for the district months under a bulletin's
// province counts of earlier months, say.
func (r *Release) WidenFigure(key string, scopes []string, values []int64, minCell int64) {
	for k := 1; k < len(scopes); k++ {
		r.widen(key, scopes[k-1], values[k-1], scopes[k], values[k], minCell)
	}
}

// widen adds key counted in wideScope (value wv) and the rest over key
// counted in narrowScope (nv), withheld, with wide = narrow + rest.
func (r *Release) widen(key, narrowScope string, nv int64, wideScope string, wv, minCell int64) {
	small := func(v int64) bool { return v > 0 && v < minCell }
	n := r.index(narrowScope+key, nv)
	if n < 0 {
		return
	}
	w := r.add(wideScope+key, wv, true, small(wv), 0, true)
	rest := r.add("rest:"+narrowScope+wideScope+key, wv-nv, true, small(wv-nv), 0, true)
	r.Relate(wideScope+key+" widens "+narrowScope, w, []int{n, rest})
}

// LinkRevisions links every figure of the current release to each figure
// an earlier release printed under the same key with another value (the
// database changed between them: a late file added incidents, or replaced
// some): the larger is the smaller plus the change, a withheld figure,
// small when 0 < change < minCell. Two exports of the same period, before
// and after a late file added 3 incidents in a district, print its 36 and
// 39; with the change in the release, Protect treats the 3 as the small
// count it is. Changes between two earlier releases are left out: nothing
// withheld now can protect them. Call it once every figure is added, before
// Protect.
func (r *Release) LinkRevisions(minCell int64) {
	byKey := map[string][]int{}
	var keys []string
	for i, f := range r.figs {
		if len(byKey[f.Key]) == 0 {
			keys = append(keys, f.Key)
		}
		byKey[f.Key] = append(byKey[f.Key], i)
	}
	for _, key := range keys {
		for _, c := range byKey[key] {
			if !r.figs[c].Current {
				continue
			}
			for _, e := range byKey[key] {
				if r.figs[e].Current || r.figs[e].Value == r.figs[c].Value {
					continue
				}
				lo, hi := c, e
				if r.figs[lo].Value > r.figs[hi].Value {
					lo, hi = hi, lo
				}
				d := r.figs[hi].Value - r.figs[lo].Value
				ch := r.add(fmt.Sprintf("change:%s:%d>%d", key, r.figs[c].Value, r.figs[e].Value), d, true, d < minCell && !r.figs[c].Magnitude, 0, true)
				if r.figs[c].Magnitude {
					// Whose incidents changed is not known: the change
					// may be one seizure's, sensitive as a magnitude of
					// one contribution is.
					r.figs[ch].Magnitude = true
					r.SetLevel(ch, Dominance(float64(d), float64(d), 0, PPercent))
				}
				r.Relate("change "+key, hi, []int{lo, ch})
			}
		}
	}
}
