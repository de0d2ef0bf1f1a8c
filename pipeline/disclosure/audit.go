package disclosure

import (
	"fmt"
	"sort"
)

// Audit plays the attacker against the release r of table t and returns the
// suppressed figures it recovers exactly, one line each naming the figure,
// its value and how it was found, sorted by figure. It is empty for any
// Result of Suppress.
//
// The attacker knows every published figure and relation, and iterates to a
// fixed point, since a recovered figure is as good as published:
//
//   - a relation with a single unknown gives it by subtraction;
//   - a relation whose total is known and whose unknown parts sum to their
//     least possible value pins every one of them: to 0 by non-negativity,
//     or to 1 when r withholds no zero (zeros are published, so a withheld
//     count is at least 1);
//   - when neither applies, linear algebra over all the relations at once
//     gives every unknown that some combination of them fixes exactly
//     ("from combined relations").
//
// It does not solve linear programs, so it does not find the bounds that
// combined relations put on a figure; an empty answer is the guarantee of
// the package documentation, not more. Audit panics if t fails Validate.
func Audit(t Table, r Result) []string {
	l := newLayout(t)
	unknown := l.flags(r)
	least := int64(1)
	for n, u := range unknown {
		if u && l.vals[n] == 0 {
			least = 0
		}
	}
	found := make(map[int]string)
	reveal := func(n, k int) {
		unknown[n] = false
		found[n] = fmt.Sprintf("%s = %d (from %s)", l.name(n), l.vals[n], l.rels[k].name)
	}
	for {
		for changed := true; changed; {
			changed = false
			for k, rel := range l.rels {
				var open []int
				var known int64 // published parts
				for _, p := range rel.parts {
					if unknown[p] {
						open = append(open, p)
					} else {
						known += l.vals[p]
					}
				}
				switch {
				case unknown[rel.total] && len(open) == 0:
					reveal(rel.total, k)
					changed = true
				case unknown[rel.total]:
				case len(open) == 1 || (len(open) > 1 && l.vals[rel.total]-known == least*int64(len(open))):
					for _, p := range open {
						reveal(p, k)
					}
					changed = true
				}
			}
		}
		d := l.determined(unknown)
		if len(d) == 0 {
			break
		}
		for _, n := range d {
			unknown[n] = false
			found[n] = fmt.Sprintf("%s = %d (from combined relations)", l.name(n), l.vals[n])
		}
	}
	nodes := make([]int, 0, len(found))
	for n := range found {
		nodes = append(nodes, n)
	}
	sort.Ints(nodes)
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = found[n]
	}
	return out
}
