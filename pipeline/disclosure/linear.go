package disclosure

import (
	"math/big"
	"slices"
)

// determined returns, in node order, the suppressed nodes whose values the
// published figures fix exactly through some linear combination of the
// published relations.
//
// Each relation with a suppressed node is an equation in the unknowns (the
// suppressed nodes): parts minus total, over the unknowns only, equals a
// constant made of published figures. Unknown x_k is fixed exactly when the
// unit vector e_k lies in the row space of that coefficient matrix, which
// reduced row echelon form shows directly: x_k is a pivot column whose row
// holds no free column. The elimination runs on exact rationals, so there is
// no rounding and no chance of error.
func (l *layout) determined(sup []bool) []int {
	rows, rank := reduce(l.system(sup, false), l.nodes())
	var out []int
	for _, row := range rows[:rank] {
		if len(row) == 1 {
			out = append(out, row[0].col)
		}
	}
	slices.Sort(out)
	return out
}

// system returns the equations of the relations over the suppressed nodes:
// coefficient +1 for a part and −1 for the total, in node columns. With
// tagged, every relation gives a row, and relation k also carries a 1 in
// column nodes()+k, so that after reduce each row says which combination of
// relations it is; without, relations with no suppressed node are left out.
func (l *layout) system(sup []bool, tagged bool) []sparseRow {
	var rows []sparseRow
	for k, rel := range l.rels {
		var row sparseRow
		for _, p := range rel.parts {
			if sup[p] {
				row = append(row, term{p, big.NewRat(1, 1)})
			}
		}
		if sup[rel.total] {
			row = append(row, term{rel.total, big.NewRat(-1, 1)})
		}
		if tagged {
			row = append(row, term{l.nodes() + k, big.NewRat(1, 1)})
		}
		if len(row) > 0 {
			// Parts and totals are numbered apart, so sort the row by node.
			slices.SortFunc(row, func(a, b term) int { return a.col - b.col })
			rows = append(rows, row)
		}
	}
	return rows
}

// term is one non-zero coefficient of a sparse row.
type term struct {
	col int
	v   *big.Rat
}

// sparseRow lists a row's non-zero coefficients by increasing column.
type sparseRow []term

func (r sparseRow) at(col int) *big.Rat {
	i, ok := slices.BinarySearchFunc(r, col, func(t term, c int) int { return t.col - c })
	if !ok {
		return nil
	}
	return r[i].v
}

// reduce brings rows to reduced row echelon form in the columns below
// limit, and returns them with the rank: rows[:rank] each have a leading 1 in
// a column below limit where every other row has a 0, and rows[rank:] have no
// entry below limit. Columns from limit on are carried along, never pivots.
// Pivots are taken column by column from the shortest candidate row, which
// keeps the fill-in of these sparse 0/±1 systems small.
func reduce(rows []sparseRow, limit int) ([]sparseRow, int) {
	var cols []int
	seen := make(map[int]bool)
	for _, r := range rows {
		for _, t := range r {
			if t.col < limit && !seen[t.col] {
				seen[t.col] = true
				cols = append(cols, t.col)
			}
		}
	}
	slices.Sort(cols)
	done := 0 // rows[:done] are pivot rows
	for _, c := range cols {
		piv := -1
		for i := done; i < len(rows); i++ {
			if rows[i].at(c) != nil && (piv < 0 || len(rows[i]) < len(rows[piv])) {
				piv = i
			}
		}
		if piv < 0 {
			continue
		}
		rows[done], rows[piv] = rows[piv], rows[done]
		p := rows[done]
		if lead := p.at(c); lead.Cmp(big.NewRat(1, 1)) != 0 {
			inv := new(big.Rat).Inv(lead)
			for _, t := range p {
				t.v.Mul(t.v, inv)
			}
		}
		for i := range rows {
			if i == done {
				continue
			}
			if f := rows[i].at(c); f != nil {
				rows[i] = subtract(rows[i], p, new(big.Rat).Set(f))
			}
		}
		done++
	}
	return rows, done
}

// subtract returns a − f·b, dropping the zeros it creates.
func subtract(a, b sparseRow, f *big.Rat) sparseRow {
	out := make(sparseRow, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i].col < b[j].col):
			out = append(out, a[i])
			i++
		case i == len(a) || b[j].col < a[i].col:
			v := new(big.Rat).Mul(f, b[j].v)
			out = append(out, term{b[j].col, v.Neg(v)})
			j++
		default:
			v := new(big.Rat).Mul(f, b[j].v)
			v.Sub(a[i].v, v)
			if v.Sign() != 0 {
				out = append(out, term{a[i].col, v})
			}
			i++
			j++
		}
	}
	return out
}

// breakers returns, for each published non-zero node u, how many of the
// determined nodes withholding u alone would set free (0 when it frees none).
//
// With relation tags, reduce writes every row as a combination y of
// relations: a pivot row whose only node entry is x_k says y·equations
// gives x_k, and each row left without node entries (y in the left null
// space) says y·equations gives a constant. Withholding u adds y·a_u times
// x_u to each of these, a_u being u's coefficients in the relations. The
// new system still fixes x_k unless some combination of them cancels x_u
// while keeping x_k, so u frees x_k exactly when y·a_u is zero for every
// null row (otherwise x_u is merely determined too) and non-zero for x_k's
// row.
func (l *layout) breakers(sup []bool) []int {
	n := l.nodes()
	rows, rank := reduce(l.system(sup, true), n)
	var fixed []sparseRow
	for _, row := range rows[:rank] {
		if row[0].col < n && (len(row) == 1 || row[1].col >= n) {
			fixed = append(fixed, row)
		}
	}
	null := rows[rank:]
	out := make([]int, n)
	dot := new(big.Rat)
	// y·a_u over the relations of u.
	weight := func(y sparseRow, u int) *big.Rat {
		dot.SetInt64(0)
		for _, k := range l.relsOf[u] {
			if v := y.at(n + k); v != nil {
				if l.rels[k].total == u {
					dot.Sub(dot, v)
				} else {
					dot.Add(dot, v)
				}
			}
		}
		return dot
	}
	for u := range n {
		if sup[u] || l.vals[u] == 0 {
			continue
		}
		ok := true
		for _, y := range null {
			if weight(y, u).Sign() != 0 {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		for _, y := range fixed {
			if weight(y, u).Sign() != 0 {
				out[u]++
			}
		}
	}
	return out
}
