package disclosure

import "slices"

// Suppress chooses the figures of t to withhold: every count v with
// 0 < v < minCell (primary), then complements until the two rules of the
// package documentation hold in every published relation and no suppressed
// figure is determined by a combination of them. It is deterministic: the
// same table and threshold give the same Result. It panics if t fails
// Validate.
func Suppress(t Table, minCell int64) Result {
	l := newLayout(t)
	primary := make([]bool, l.nodes())
	for n, v := range l.vals {
		primary[n] = v > 0 && v < minCell
	}
	sup := append([]bool(nil), primary...)
	l.closeRelations(sup, minCell)
	// Each pass suppresses at least one more non-zero figure, so the loop
	// ends; once every non-zero figure is withheld, nothing is determined,
	// since the true values then solve the homogeneous system with no
	// unknown at zero.
	for {
		d := l.determined(sup)
		if len(d) == 0 {
			break
		}
		n := l.widen(d, sup)
		if n < 0 {
			break // unreachable, by the argument above
		}
		sup[n] = true
		l.closeRelations(sup, minCell)
	}
	return l.result(sup, primary)
}

// closeRelations adds complements until every relation meets both rules.
func (l *layout) closeRelations(sup []bool, minCell int64) {
	for changed := true; changed; {
		changed = false
		for k := range l.rels {
			for {
				n := l.complement(k, sup, minCell)
				if n < 0 {
					break
				}
				sup[n] = true
				changed = true
			}
		}
	}
}

// complement returns the node to suppress next so that relation k meets both
// rules, or -1 if it already does.
func (l *layout) complement(k int, sup []bool, minCell int64) int {
	r := l.rels[k]
	parts, sum := 0, int64(0)
	for _, p := range r.parts {
		if sup[p] {
			parts++
			sum += l.vals[p]
		}
	}
	count := parts
	if sup[r.total] {
		count++
	}
	switch {
	case count == 0:
		return -1
	case count >= 2 && (sup[r.total] || sum-int64(parts-1) >= spread(minCell)):
		return -1
	}
	// Every unsuppressed non-zero part is ≥ minCell, so any one of them
	// mends rule 2 on its own; the smallest loses the least.
	best, bestOpen := -1, 0
	for _, p := range r.parts {
		if sup[p] || l.vals[p] == 0 {
			continue
		}
		open := l.openRelations(p, k, sup)
		if best < 0 || l.vals[p] < l.vals[best] || (l.vals[p] == l.vals[best] && open < bestOpen) {
			best, bestOpen = p, open
		}
	}
	if best >= 0 {
		return best
	}
	// No part left: all of them are suppressed or zero. The total is then
	// unsuppressed and non-zero (it equals the sum of suppressed non-zero
	// parts), and withholding it closes the relation.
	return r.total
}

// widen returns the node to suppress next so that fewer nodes are
// determined, or -1 if no non-zero figure is left. It prefers a node that
// frees a determined one by itself (see breakers): cells before margins,
// then the smallest value, then the one that frees the most, then the lower
// node. Failing that, for the first determined node that has one, it takes
// the smallest published non-zero part of its relation with the fewest
// suppressed figures (the total when no part is left), in the same order;
// failing that, the first published non-zero figure in that order.
func (l *layout) widen(d []int, sup []bool) int {
	best, bestKey := -1, []int64(nil)
	consider := func(n, held, frees int) {
		margin := int64(0)
		if n >= l.rowTotal(0) {
			margin = 1
		}
		key := []int64{margin, int64(held), l.vals[n], -int64(frees), int64(n)}
		if best < 0 || slices.Compare(key, bestKey) < 0 {
			best, bestKey = n, key
		}
	}
	for u, k := range l.breakers(sup) {
		if k > 0 {
			consider(u, 0, k)
		}
	}
	if best >= 0 {
		return best
	}
	for _, n := range d {
		for _, k := range l.relsOf[n] {
			r := l.rels[k]
			held, cand := 0, -1
			for _, p := range r.parts {
				switch {
				case sup[p]:
					held++
				case l.vals[p] == 0:
				case cand < 0 || l.vals[p] < l.vals[cand]:
					cand = p
				}
			}
			if sup[r.total] {
				held++
			} else if cand < 0 && l.vals[r.total] > 0 {
				cand = r.total
			}
			if cand >= 0 {
				consider(cand, held, 0)
			}
		}
		if best >= 0 {
			return best
		}
	}
	for n, v := range l.vals {
		if !sup[n] && v > 0 {
			consider(n, 0, 0)
		}
	}
	return best
}

// openRelations counts the relations of node n, other than skip, that hold no
// suppressed node yet: each would need a further complement if n were
// suppressed.
func (l *layout) openRelations(n, skip int, sup []bool) int {
	open := 0
	for _, k := range l.relsOf[n] {
		if k == skip {
			continue
		}
		r := l.rels[k]
		closed := sup[r.total]
		for _, p := range r.parts {
			if closed {
				break
			}
			closed = sup[p]
		}
		if !closed {
			open++
		}
	}
	return open
}

// spread is the least upper bound that one relation may leave on a
// suppressed part (rule 2): minCell−1, but at least 2 so that a suppressed
// count is never pinned to 1, which matters only when minCell is 2.
func spread(minCell int64) int64 {
	return max(minCell-1, 2)
}
