package normalize

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestParseDecimal checks the fast path against strconv.ParseFloat, bit for
// bit, on written numbers and on random ones.
func TestParseDecimal(t *testing.T) {
	inputs := []string{"0", "-0", "+0", "1", "-1", "0.5", ".5", "5.", "-.5", "007", "0.001", "12.345",
		"31.664234", "-74.525615", "97663", "123456789012345", "0.000000000000000000001",
		"1234567890123456", "9007199254740993", "1e5", "0x1p3", "Inf", "NaN", "1_000", "1,5",
		"", "-", ".", "+.", "1.2.3", " 1", "1 ", "--1", "1-", "12a"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		digits := 1 + rng.IntN(17)
		s := strconv.FormatFloat(rng.NormFloat64()*math.Pow(10, float64(rng.IntN(12)-4)), 'f', rng.IntN(digits), 64)
		inputs = append(inputs, s)
	}
	var fast int
	for _, in := range inputs {
		got, ok := parseDecimal([]byte(in + "x")[:len(in)])
		if !ok {
			continue
		}
		fast++
		want, err := strconv.ParseFloat(in, 64)
		if err != nil {
			t.Errorf("parseDecimal(%q) = %v, strconv says %v", in, got, err)
			continue
		}
		if math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("parseDecimal(%q) = %v, want %v", in, got, want)
		}
	}
	// The fast path takes the plain decimals, and nothing else.
	for _, in := range []string{"", "-", ".", "+.", "1e5", "0x1p3", "Inf", "NaN", "1_000", "1,5", "1.2.3", " 1", "12a", "1234567890123456"} {
		if v, ok := parseDecimal([]byte(in + "x")[:len(in)]); ok {
			t.Errorf("parseDecimal(%q) = %v, want no fast path", in, v)
		}
	}
	if fast < 15000 {
		t.Errorf("the fast path took %d of %d inputs, want most", fast, len(inputs))
	}
}
