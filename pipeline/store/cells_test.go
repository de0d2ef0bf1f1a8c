//go:build duckdb_arrow

package store

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestKeepPrecision(t *testing.T) {
	jan := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	cells := []Cell{
		{District: "G1", Category: "drug_trafficking", Month: jan, Incidents: 10, Records: 12, Victims: 3, Quantity: 2.5,
			ByPrecision: [5]int64{4, 3, 2, 1, 0}},
		{District: "", Province: "Punjab", Category: "cybercrime", Month: jan, Incidents: 7, Records: 7,
			ByPrecision: [5]int64{0, 0, 0, 7, 0}},
		{District: "", Province: "", Category: "terror_financing", Month: jan, Incidents: 5, Records: 5,
			ByPrecision: [5]int64{0, 0, 0, 0, 5}},
	}
	tests := []struct {
		name      string
		max       int
		incidents []int64
		by        [][5]int64
	}{
		{"no filter, 0", 0, []int64{10, 7, 5}, [][5]int64{{4, 3, 2, 1, 0}, {0, 0, 0, 7, 0}, {0, 0, 0, 0, 5}}},
		{"no filter, 4", 4, []int64{10, 7, 5}, [][5]int64{{4, 3, 2, 1, 0}, {0, 0, 0, 7, 0}, {0, 0, 0, 0, 5}}},
		{"district named or better", 3, []int64{9, 0, 0}, [][5]int64{{4, 3, 2, 0, 0}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}}},
		{"near or better", 2, []int64{7, 0, 0}, [][5]int64{{4, 3, 0, 0, 0}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}}},
		{"points", 1, []int64{4, 0, 0}, [][5]int64{{4, 0, 0, 0, 0}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := KeepPrecision(cells, tc.max)
			if got, want := len(got), len(cells); got != want {
				t.Fatalf("%d cells, want %d: empty cells are kept", got, want)
			}
			for i, c := range got {
				if got, want := c.Incidents, tc.incidents[i]; got != want {
					t.Errorf("cell %d: incidents %d, want %d", i, got, want)
				}
				if got, want := c.ByPrecision, tc.by[i]; got != want {
					t.Errorf("cell %d: by precision %v, want %v", i, got, want)
				}
				// Not split by precision: left as they are.
				if c.Records != cells[i].Records || c.Victims != cells[i].Victims || c.Quantity != cells[i].Quantity {
					t.Errorf("cell %d: records, victims or quantity changed: %+v", i, c)
				}
			}
		})
	}
	// The input is not changed.
	if got, want := cells[0].Incidents, int64(10); got != want {
		t.Errorf("KeepPrecision changed its input: incidents %d, want %d", got, want)
	}
	if got, want := cells[0].ByPrecision, [5]int64{4, 3, 2, 1, 0}; got != want {
		t.Errorf("KeepPrecision changed its input: by precision %v, want %v", got, want)
	}
}

func TestPrecisionScope(t *testing.T) {
	for _, tc := range []struct {
		max  int
		want string
	}{
		{0, ""},
		{1, "incidents located at precision 1 only (exact point)"},
		{3, "incidents located at precision 1-3 only (district named or better)"},
		{4, ""},
	} {
		if got := PrecisionScope(tc.max); got != tc.want {
			t.Errorf("PrecisionScope(%d) = %q, want %q", tc.max, got, tc.want)
		}
	}
}

// TestSortCells checks sortCells against sorting by the four strings and
// times of the cells, on cells with days before and after 1970 and
// districts, categories and provinces in every order, and with more
// provinces than its integer key has room for.
func TestSortCells(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 5))
	for _, provinces := range []int{3, 300} {
		var cells []Cell
		var days []int32
		seen := map[string]bool{}
		for len(cells) < 3000 {
			c := Cell{District: fmt.Sprintf("PK%d", rnd.IntN(40)), Category: []string{"b", "a", "", "cyber"}[rnd.IntN(4)],
				Province: fmt.Sprintf("P%d", rnd.IntN(provinces))}
			day := int32(rnd.IntN(40000) - 20000)
			c.Month = time.Unix(int64(day)*86400, 0).UTC()
			c.Incidents = int64(len(cells))
			k := fmt.Sprint(c.District, c.Category, c.Province, day)
			if seen[k] {
				continue
			}
			seen[k] = true
			cells = append(cells, c)
			days = append(days, day)
		}
		want := slices.Clone(cells)
		slices.SortFunc(want, func(a, b Cell) int {
			return cmp.Or(strings.Compare(a.District, b.District), strings.Compare(a.Category, b.Category),
				a.Month.Compare(b.Month), strings.Compare(a.Province, b.Province))
		})
		if got := sortCells(cells, days); !reflect.DeepEqual(got, want) {
			t.Errorf("%d provinces: sortCells differs from a sort by the strings", provinces)
		}
	}
}
