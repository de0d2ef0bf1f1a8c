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

func TestClassLabels(t *testing.T) {
	for _, tc := range []struct {
		name   string
		lo     float64
		breaks []float64
		counts bool
		want   []string
	}{
		{"counts", 1, []float64{8, 19, 50, 1234, 23456}, true,
			[]string{"1 – 8", "9 – 19", "20 – 50", "51 – 1234", "1235 – 23,456"}},
		{"counts from zero", 0, []float64{0, 3, 12}, true, []string{"0", "1 – 3", "4 – 12"}},
		{"rates of issue 16", 0.92, []float64{8.08, 19.81, 77.32, 3570.5}, false,
			[]string{"0.92 – 8.08", "8.09 – 19.81", "19.82 – 77.32", "77.33 – 3570.50"}},
		{"rates, one decimal", 2.04, []float64{12.3, 25.61, 80}, false,
			[]string{"2.0 – 12.3", "12.4 – 25.6", "25.7 – 80.0"}},
		{"rates, zero class", 0, []float64{0, 5.5}, false, []string{"0.0", "0.1 – 5.5"}},
		{"large rates", 120, []float64{1500, 23456.7}, false, []string{"120 – 1500", "1501 – 23,457"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, want := classLabels(tc.lo, tc.breaks, tc.counts), tc.want; !slices.Equal(got, want) {
				t.Errorf("classLabels(%v, %v, %v) = %q, want %q", tc.lo, tc.breaks, tc.counts, got, want)
			}
		})
	}
}

func ExampleClassify() {
	breaks, _ := Classify([]float64{1, 2, 3, 10, 11, 12, 30, 31, 32}, 3, "jenks")
	fmt.Println(breaks)
	// Output: [3 12 32]
}
