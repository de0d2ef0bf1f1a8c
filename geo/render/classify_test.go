package render

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
)

func TestClassify(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name   string
		values []float64
		k      int
		method string
		want   []float64
	}{
		{"jenks three clusters", []float64{1, 2, 3, 10, 11, 12, 30, 31, 32}, 3, "jenks", []float64{3, 12, 32}},
		{"jenks unsorted with NaN", []float64{31, nan, 2, 12, 1, 30, 10, 3, 11, 32}, 3, "jenks", []float64{3, 12, 32}},
		{"jenks ties stay together", []float64{1, 1, 1, 1, 2, 9, 9, 10}, 3, "jenks", []float64{1, 2, 10}},
		{"jenks k above distinct", []float64{5, 1, 5, 1}, 4, "jenks", []float64{1, 5}},
		{"jenks one class", []float64{4, 2, 9}, 1, "jenks", []float64{9}},
		{"jenks two outliers", []float64{0, 0.5, 1, 1.5, 2, 50, 100}, 3, "jenks", []float64{2, 50, 100}},
		{"quantile 1..10 in 5", []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 5, "quantile", []float64{2, 4, 6, 8, 10}},
		{"quantile 1..10 in 4", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 4, "quantile", []float64{3, 5, 8, 10}},
		{"quantile ties merge", []float64{0, 0, 0, 0, 0, 0, 1, 2}, 4, "quantile", []float64{0, 2}},
		{"quantile NaN ignored", []float64{nan, 3, nan, 1, 2}, 3, "quantile", []float64{1, 2, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Classify(tc.values, tc.k, tc.method)
			if err != nil {
				t.Fatal(err)
			}
			if want := tc.want; !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

// TestJenksOptimal compares Fisher-Jenks with every way of cutting a small
// sorted sample into k classes.
func TestJenksOptimal(t *testing.T) {
	xs := []float64{0.2, 0.9, 1.1, 2.5, 2.6, 4, 7.5, 7.7, 8, 13, 14.5, 20}
	ssd := func(v []float64) float64 {
		m := 0.0
		for _, x := range v {
			m += x
		}
		m /= float64(len(v))
		s := 0.0
		for _, x := range v {
			s += (x - m) * (x - m)
		}
		return s
	}
	for k := 2; k <= 5; k++ {
		best := math.Inf(1)
		var rec func(start, left int, acc float64)
		rec = func(start, left int, acc float64) {
			if left == 1 {
				best = math.Min(best, acc+ssd(xs[start:]))
				return
			}
			for end := start + 1; end <= len(xs)-left+1; end++ {
				rec(end, left-1, acc+ssd(xs[start:end]))
			}
		}
		rec(0, k, 0)
		br, err := Classify(xs, k, "jenks")
		if err != nil {
			t.Fatal(err)
		}
		got, start := 0.0, 0
		for _, b := range br {
			end := slices.Index(xs, b) + 1
			got += ssd(xs[start:end])
			start = end
		}
		if math.Abs(got-best) > 1e-9 {
			t.Errorf("k=%d: breaks %v cost %g, best %g", k, br, got, best)
		}
	}
}

func TestClassifyErrors(t *testing.T) {
	if _, err := Classify([]float64{math.NaN()}, 3, "jenks"); !errors.Is(err, ErrNoValues) {
		t.Errorf("all NaN: %v, want ErrNoValues", err)
	}
	if _, err := Classify([]float64{1, 2}, 0, "jenks"); err == nil {
		t.Error("k = 0: no error")
	}
	if _, err := Classify([]float64{1, 2}, 2, "equal"); err == nil {
		t.Error("unknown method: no error")
	}
}

func TestFormatBreaks(t *testing.T) {
	for _, tc := range []struct {
		lo     float64
		breaks []float64
		want   []string
	}{
		{0, []float64{1.2, 3.5, 10}, []string{"0", "1.2", "3.5", "10"}},
		{0.05, []float64{0.37, 0.4, 2}, []string{"0.05", "0.37", "0.4", "2"}},
		{120, []float64{1500, 23456.7}, []string{"120", "1500", "23,457"}},
	} {
		if got := formatBreaks(tc.lo, tc.breaks); !slices.Equal(got, tc.want) {
			t.Errorf("formatBreaks(%v, %v) = %q, want %q", tc.lo, tc.breaks, got, tc.want)
		}
	}
}

func ExampleClassify() {
	breaks, _ := Classify([]float64{1, 2, 3, 10, 11, 12, 30, 31, 32}, 3, "jenks")
	fmt.Println(breaks)
	// Output: [3 12 32]
}
