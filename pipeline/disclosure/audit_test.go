package disclosure

import (
	"slices"
	"testing"
)

func TestAudit(t *testing.T) {
	tb := table(cols4, "d1 A 3 20 30 40", "d2 A 15 25 35 45", "d3 A 12 22 50 60")
	tests := []struct {
		name  string
		table Table
		r     Result
		want  []string
	}{
		{name: "nothing suppressed", table: tb},
		{
			name:  "primary only",
			table: tb,
			r:     Result{Suppressed: [][]bool{{true, false, false, false}}},
			want:  []string{"cell d1/drugs = 3 (from district d1)"},
		},
		{
			// A staircase: every row holds two unknowns, and only the end
			// columns (drugs, tf) hold one. Solving them exposes d1/tip and
			// d3/som in their rows, which exposes the middle district d2
			// through the tip and som columns.
			name:  "chain",
			table: tb,
			r: Result{Suppressed: [][]bool{
				{true, true, false, false},
				{false, true, true, false},
				{false, false, true, true},
			}},
			want: []string{
				"cell d1/drugs = 3 (from province A drugs)",
				"cell d1/tip = 20 (from district d1)",
				"cell d2/tip = 25 (from province A tip)",
				"cell d2/som = 35 (from province A som)",
				"cell d3/som = 50 (from district d3)",
				"cell d3/tf = 60 (from province A tf)",
			},
		},
		{
			name:  "suppressed total of a published row",
			table: tb,
			r:     Result{RowTotalSuppressed: []bool{false, true}},
			want:  []string{"district total d2 = 120 (from district d2)"},
		},
		{
			// Each row's two suppressed cells sum to 2, and no withheld
			// count is 0, so both are 1.
			name:  "pinned to one",
			table: table(cols4, "d1 A 1 1 30 40", "d2 A 1 1 50 60"),
			r:     Result{Suppressed: [][]bool{{true, true, false, false}, {true, true, false, false}}},
			want: []string{
				"cell d1/drugs = 1 (from district d1)",
				"cell d1/tip = 1 (from district d1)",
				"cell d2/drugs = 1 (from district d2)",
				"cell d2/tip = 1 (from district d2)",
			},
		},
		{
			// Withheld zeros sum to 0 and are pinned by non-negativity.
			name:  "pinned to zero",
			table: table(cols4, "d1 A 0 0 30 40", "d2 A 0 0 50 60"),
			r:     Result{Suppressed: [][]bool{{true, true, false, false}, {true, true, false, false}}},
			want: []string{
				"cell d1/drugs = 0 (from district d1)",
				"cell d1/tip = 0 (from district d1)",
				"cell d2/drugs = 0 (from district d2)",
				"cell d2/tip = 0 (from district d2)",
			},
		},
		{
			// Every relation holds two unknowns or more, but d1's row gives
			// d1/tip + d1/som, so the tip and som columns give d3/tip +
			// d3/som, and d3's row then gives d3/tf.
			name: "combined relations",
			table: table(cols4,
				"d1 A 3 20 30 40", "d2 A 15 25 35 45", "d3 A 12 22 50 60", "d4 A 11 21 31 41"),
			r: Result{Suppressed: [][]bool{
				{false, true, true, false},
				{true, false, false, true},
				{false, true, true, true},
				{true, false, false, true},
			}},
			want: []string{"cell d3/tf = 60 (from combined relations)"},
		},
		{
			// A two-cell rectangle is safe here: each relation holds two
			// unknowns and the sums (23, 15) leave room.
			name:  "rectangle",
			table: tb,
			r: Result{Suppressed: [][]bool{
				{true, true, false, false},
				nil,
				{true, true, false, false},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := Audit(tt.table, tt.r), tt.want; !slices.Equal(got, want) {
				t.Errorf("Audit:\n got %q\nwant %q", got, want)
			}
		})
	}
}
