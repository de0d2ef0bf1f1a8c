package measures

import (
	"fmt"
	"math"
)

// normSF is the standard normal survival function 1 - Φ(x), computed with
// erfc so that tiny tail probabilities keep their precision.
func normSF(x float64) float64 {
	return 0.5 * math.Erfc(x/math.Sqrt2)
}

func mustSameLen(what string, a, b int) {
	if a != b {
		panic(fmt.Sprintf("measures: %s: lengths %d and %d differ", what, a, b))
	}
}
