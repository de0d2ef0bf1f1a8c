package disclosure

import (
	"errors"
	"fmt"
)

// Errors returned by Table.Validate.
var (
	ErrShape    = errors.New("disclosure: table shape")
	ErrNegative = errors.New("disclosure: negative count")
)

// Table is one published table: a count per district (row) and category
// (column), with districts grouped into provinces. The margins are not
// stored; they are the sums of the cells (see the package documentation for
// which ones are published).
type Table struct {
	Rows   []string  // district codes
	Groups []string  // each row's province; provinces are ordered by first appearance
	Cols   []string  // categories
	Cells  [][]int64 // len(Rows) x len(Cols) counts, all ≥ 0
}

// Validate reports whether t is well formed: Groups and Cells match Rows,
// every row of Cells matches Cols, and no count is negative. Suppress and
// Audit panic on a table that fails it.
func (t Table) Validate() error {
	if len(t.Groups) != len(t.Rows) {
		return fmt.Errorf("%w: %d groups for %d rows", ErrShape, len(t.Groups), len(t.Rows))
	}
	if len(t.Cells) != len(t.Rows) {
		return fmt.Errorf("%w: %d cell rows for %d rows", ErrShape, len(t.Cells), len(t.Rows))
	}
	for i, row := range t.Cells {
		if len(row) != len(t.Cols) {
			return fmt.Errorf("%w: row %q has %d cells for %d columns", ErrShape, t.Rows[i], len(row), len(t.Cols))
		}
		for j, v := range row {
			if v < 0 {
				return fmt.Errorf("%w: row %q column %q: %d", ErrNegative, t.Rows[i], t.Cols[j], v)
			}
		}
	}
	return nil
}

// GroupNames returns the provinces in the order Result's group slices use:
// the order of first appearance in t.Groups.
func (t Table) GroupNames() []string {
	var names []string
	seen := make(map[string]bool)
	for _, g := range t.Groups {
		if !seen[g] {
			seen[g] = true
			names = append(names, g)
		}
	}
	return names
}

// Result says which figures of a Table to suppress. Group slices are indexed
// like Table.GroupNames.
type Result struct {
	Suppressed [][]bool // Rows x Cols: primary and complementary
	Primary    [][]bool // Rows x Cols: cells suppressed because they are small

	RowTotalSuppressed      []bool   // per district: its all-categories total
	GroupSuppressed         [][]bool // province x column totals
	GroupTotalSuppressed    []bool   // per province: its all-categories total
	NationalSuppressed      []bool   // per column: national totals
	NationalTotalSuppressed bool     // national all-categories total

	Count       int // cells suppressed (primary + complementary)
	MarginCount int // margins suppressed, of any level
}
