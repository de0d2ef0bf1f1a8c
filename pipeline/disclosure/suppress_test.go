package disclosure

import (
	"errors"
	"reflect"
	"slices"
	"testing"
)

func TestSuppress(t *testing.T) {
	tests := []struct {
		name    string
		table   Table
		minCell int64
		want    []string // suppressed figures, in node order
	}{
		{
			name:    "nothing small",
			table:   table(cols4, "d1 A 30 20 30 40", "d2 A 15 25 35 45", "d3 B 12 22 50 60"),
			minCell: 10,
		},
		{
			// The smallest partner in the row (tip 20) and in the province
			// column (d3 12), then d3/tip closes the rectangle.
			name: "one small cell",
			table: table(cols4,
				"d1 A 3 20 30 40", "d2 A 15 25 35 45", "d3 A 12 22 50 60",
				"d4 B 11 21 31 41", "d5 B 13 23 33 43"),
			minCell: 10,
			want:    []string{"cell d1/drugs", "cell d1/tip", "cell d3/drugs", "cell d3/tip"},
		},
		{
			// Pass 1 picks d1/tip (row), d3/drugs and d2/tip (columns);
			// pass 2 closes rows d2 and d3 with som, a six-cell cycle.
			name:    "chain over two passes",
			table:   table(cols4, "d1 A 3 10 99 99", "d2 A 99 11 12 99", "d3 A 14 99 13 99"),
			minCell: 10,
			want: []string{
				"cell d1/drugs", "cell d1/tip", "cell d2/tip", "cell d2/som",
				"cell d3/drugs", "cell d3/som",
			},
		},
		{
			// Zeros are published and never complements, even though they
			// are the smallest values in every row and column.
			name:    "zeros published",
			table:   table(cols4, "d1 A 3 0 0 25", "d2 A 0 0 40 30", "d3 A 15 0 20 0"),
			minCell: 10,
			want: []string{
				"cell d1/drugs", "cell d1/tf", "cell d2/som", "cell d2/tf",
				"cell d3/drugs", "cell d3/som",
			},
		},
		{
			// 1 + 2 would publish their sum 3 by subtraction from the row
			// total, so rule 2 adds som 30; the columns are then closed.
			name:    "two small cells sum to a small count",
			table:   table(cols4, "d1 A 1 2 30 40", "d2 A 15 25 35 45", "d3 A 12 22 50 60"),
			minCell: 10,
			want: []string{
				"cell d1/drugs", "cell d1/tip", "cell d1/som", "cell d2/drugs",
				"cell d2/som", "cell d3/drugs", "cell d3/tip",
			},
		},
		{
			// Province B is district d3 alone, so its drugs total equals the
			// small cell (primary too), and its tip total equals d3/tip, the
			// row complement, so it goes as well. The national relations
			// then take province A's drugs and tip totals (smaller than C's),
			// whose columns take d2/drugs and d1/tip, closed by d1/drugs and
			// d2/tip. National totals stay published.
			name: "single-district province",
			table: table(cols4,
				"d1 A 30 20 30 40", "d2 A 15 25 35 45",
				"d3 B 5 22 50 60",
				"d4 C 15 40 30 20", "d5 C 50 60 70 80"),
			minCell: 10,
			want: []string{
				"cell d1/drugs", "cell d1/tip", "cell d2/drugs", "cell d2/tip",
				"cell d3/drugs", "cell d3/tip",
				"province A/drugs", "province A/tip", "province B/drugs", "province B/tip",
			},
		},
		{
			name:    "single-district province, nothing small",
			table:   table(cols4, "d1 A 30 20 30 40", "d2 A 15 25 35 45", "d3 B 15 22 50 60"),
			minCell: 10,
		},
		{
			// The district total 3 is small too, which closes row d1; the
			// province's sum of district totals then takes d2's total, and
			// rows and columns close on d2 and d3.
			name:    "small district total",
			table:   table(cols4, "d1 A 3 0 0 0", "d2 A 15 25 35 45", "d3 A 12 22 50 60"),
			minCell: 10,
			want: []string{
				"cell d1/drugs", "cell d2/drugs", "cell d2/tip", "cell d3/drugs",
				"cell d3/tip", "district total d1", "district total d2",
			},
		},
		{
			name:    "threshold 3",
			table:   table(cols4, "d1 A 3 20 30 40", "d2 A 2 25 35 45", "d3 A 12 22 50 60"),
			minCell: 3,
			want: []string{
				"cell d1/drugs", "cell d1/tip", "cell d2/drugs", "cell d2/tip",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Suppress(tt.table, tt.minCell)
			if got, want := suppressedNames(tt.table, r), tt.want; !slices.Equal(got, want) {
				t.Errorf("suppressed:\n got %q\nwant %q", got, want)
			}
			if got := Audit(tt.table, r); len(got) != 0 {
				t.Errorf("Audit recovers %q", got)
			}
			checkRules(t, tt.table, r, tt.minCell)
		})
	}
}

// checkRules asserts what Suppress promises, relation by relation.
func checkRules(t *testing.T, tb Table, r Result, minCell int64) {
	t.Helper()
	l := newLayout(tb)
	sup := l.flags(r)
	cells := 0
	for n, v := range l.vals {
		if v > 0 && v < minCell && !sup[n] {
			t.Errorf("%s = %d is small but published", l.name(n), v)
		}
		if v == 0 && sup[n] {
			t.Errorf("%s is zero but suppressed", l.name(n))
		}
		if n < l.rowTotal(0) {
			if sup[n] {
				cells++
			}
			i, j := n/l.nc, n%l.nc
			if got, want := r.Primary[i][j], v > 0 && v < minCell; got != want {
				t.Errorf("%s: Primary = %v, want %v", l.name(n), got, want)
			}
		}
	}
	if got, want := r.Count, cells; got != want {
		t.Errorf("Count = %d, want %d", got, want)
	}
	for _, rel := range l.rels {
		k, sum := 0, int64(0)
		for _, p := range rel.parts {
			if sup[p] {
				k++
				sum += l.vals[p]
			}
		}
		count := k
		if sup[rel.total] {
			count++
		}
		if count == 1 {
			t.Errorf("%s: one suppressed figure", rel.name)
		}
		if !sup[rel.total] && k > 0 && sum-int64(k-1) < spread(minCell) {
			t.Errorf("%s: %d suppressed parts sum to %d", rel.name, k, sum)
		}
	}
}

func TestSuppressKeepsInput(t *testing.T) {
	tb := table(cols4, "d1 A 3 20 30 40", "d2 A 15 25 35 45", "d3 B 5 22 50 60")
	before := table(cols4, "d1 A 3 20 30 40", "d2 A 15 25 35 45", "d3 B 5 22 50 60")
	first := Suppress(tb, 10)
	if !reflect.DeepEqual(tb, before) {
		t.Errorf("Suppress changed its input")
	}
	if second := Suppress(tb, 10); !reflect.DeepEqual(first, second) {
		t.Errorf("Suppress is not deterministic:\n%+v\n%+v", first, second)
	}
}

func TestSuppressEmpty(t *testing.T) {
	for _, tb := range []Table{{}, {Rows: []string{"d1"}, Groups: []string{"A"}, Cells: [][]int64{{}}}} {
		r := Suppress(tb, 10)
		if got, want := r.Count+r.MarginCount, 0; got != want {
			t.Errorf("suppressed %d figures, want %d", got, want)
		}
		if got := Audit(tb, r); len(got) != 0 {
			t.Errorf("Audit = %q", got)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		table Table
		want  error
	}{
		{name: "ok", table: table(cols4, "d1 A 1 2 3 4")},
		{name: "groups", table: Table{Rows: []string{"d1"}, Cols: cols4, Cells: [][]int64{{1, 2, 3, 4}}}, want: ErrShape},
		{name: "ragged", table: Table{Rows: []string{"d1"}, Groups: []string{"A"}, Cols: cols4, Cells: [][]int64{{1, 2, 3}}}, want: ErrShape},
		{name: "negative", table: table(cols4, "d1 A 1 -2 3 4"), want: ErrNegative},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := tt.table.Validate(), tt.want; !errors.Is(got, want) || (want == nil && got != nil) {
				t.Errorf("Validate() = %v, want %v", got, want)
			}
		})
	}
}

func TestSuppressPanicsOnBadTable(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("no panic")
		}
	}()
	Suppress(table(cols4, "d1 A 1 -2 3 4"), 10)
}
