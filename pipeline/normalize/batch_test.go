package normalize

import (
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// TestColumns builds columns with nulls in every position of a byte and
// beyond, and reads them back through arrow.
func TestColumns(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rows  int
		null  func(i int) bool
		nulls int
	}{
		{"no nulls", 20, func(int) bool { return false }, 0},
		{"all nulls", 20, func(int) bool { return true }, 20},
		{"first null at 0", 17, func(i int) bool { return i == 0 }, 1},
		{"first null at 7", 17, func(i int) bool { return i == 7 }, 1},
		{"first null at 8", 17, func(i int) bool { return i == 8 }, 1},
		{"every third from 11", 40, func(i int) bool { return i >= 11 && i%3 == 0 }, 10},
		{"past a grown bitmap", 9000, func(i int) bool { return i == 3 || i == 8999 }, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s strCol
			var f fixedCol[float64]
			s.reset(4, 8)
			f.reset(4)
			for i := range tc.rows {
				v := fmt.Sprint("v", i)
				if tc.null(i) {
					v = ""
				}
				s.addOpt(i, v)
				f.addOpt(i, float64(i)/2, !tc.null(i))
			}
			sa := s.array(tc.rows).(*array.String)
			defer sa.Release()
			fa := f.array(arrow.PrimitiveTypes.Float64, tc.rows).(*array.Float64)
			defer fa.Release()
			if got, want := [3]int{sa.Len(), sa.NullN(), fa.NullN()}, [3]int{tc.rows, tc.nulls, tc.nulls}; got != want {
				t.Fatalf("rows, string nulls, float nulls = %v, want %v", got, want)
			}
			if err := sa.ValidateFull(); err != nil {
				t.Fatal(err)
			}
			for i := range tc.rows {
				if got, want := [2]bool{sa.IsNull(i), fa.IsNull(i)}, [2]bool{tc.null(i), tc.null(i)}; got != want {
					t.Fatalf("row %d: null %v, want %v", i, got, want)
				}
				if tc.null(i) {
					continue
				}
				if got, want := fmt.Sprint(sa.Value(i), " ", fa.Value(i)), fmt.Sprint("v", i, " ", float64(i)/2); got != want {
					t.Errorf("row %d: %q, want %q", i, got, want)
				}
			}
		})
	}
}
