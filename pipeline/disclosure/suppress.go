package disclosure

// Suppress chooses the figures of t to withhold: every count v with
// 0 < v < minCell (primary), then complements until the two rules of the
// package documentation hold in every published relation. It is
// deterministic: the same table and threshold give the same Result. It
// panics if t fails Validate.
func Suppress(t Table, minCell int64) Result {
	l := newLayout(t)
	primary := make([]bool, l.nodes())
	for n, v := range l.vals {
		primary[n] = v > 0 && v < minCell
	}
	sup := append([]bool(nil), primary...)
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
	return l.result(sup, primary)
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
