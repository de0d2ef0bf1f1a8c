package render

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"sort"
)

// ErrNoValues is returned by Classify when every value is NaN.
var ErrNoValues = errors.New("render: no values to classify")

// Classify returns class upper bounds for values: k breaks, ascending, the
// last being the maximum. NaN values are ignored. Method "quantile" takes
// the value at rank ceil(i*n/k) of the sorted values; "jenks" is the exact
// Fisher-Jenks optimum (least within-class squared deviation), computed on
// the distinct values weighted by their counts so that ties never straddle a
// break. Fewer than k breaks come back when there are fewer than k distinct
// values or quantiles coincide. Jenks costs O(k·d²) for d distinct values,
// which is nothing for a few hundred districts.
func Classify(values []float64, k int, method string) ([]float64, error) {
	if k < 1 {
		return nil, fmt.Errorf("render: classify: k = %d, want at least 1", k)
	}
	xs := make([]float64, 0, len(values))
	for _, v := range values {
		if !math.IsNaN(v) {
			xs = append(xs, v)
		}
	}
	if len(xs) == 0 {
		return nil, ErrNoValues
	}
	sort.Float64s(xs)
	switch method {
	case "quantile":
		return quantileBreaks(xs, k), nil
	case "jenks":
		return jenksBreaks(xs, k), nil
	default:
		return nil, fmt.Errorf("render: classify: unknown method %q (want quantile or jenks)", method)
	}
}

func quantileBreaks(xs []float64, k int) []float64 {
	n := len(xs)
	var out []float64
	for i := 1; i <= k; i++ {
		r := (i*n + k - 1) / k // ceil(i*n/k), 1-based rank
		v := xs[r-1]
		if len(out) == 0 || v > out[len(out)-1] {
			out = append(out, v)
		}
	}
	return out
}

func jenksBreaks(xs []float64, k int) []float64 {
	// Distinct values with counts; centre them to keep the prefix sums of
	// squares accurate.
	var vals, wts []float64
	for _, x := range xs {
		if len(vals) > 0 && x == vals[len(vals)-1] {
			wts[len(wts)-1]++
			continue
		}
		vals = append(vals, x)
		wts = append(wts, 1)
	}
	d := len(vals)
	if k >= d {
		return vals
	}
	mid := vals[d/2]
	sw := make([]float64, d+1)
	sx := make([]float64, d+1)
	sxx := make([]float64, d+1)
	for i, v := range vals {
		c := v - mid
		sw[i+1] = sw[i] + wts[i]
		sx[i+1] = sx[i] + wts[i]*c
		sxx[i+1] = sxx[i] + wts[i]*c*c
	}
	// ssd is the weighted squared deviation of vals[i..j] about their mean.
	ssd := func(i, j int) float64 {
		w := sw[j+1] - sw[i]
		s := sx[j+1] - sx[i]
		v := sxx[j+1] - sxx[i] - s*s/w
		if v < 0 {
			return 0
		}
		return v
	}
	// cost[c][j]: best total for vals[0..j] in c+1 classes; from[c][j]: the
	// first index of the last class.
	cost := make([][]float64, k)
	from := make([][]int, k)
	for c := range cost {
		cost[c] = make([]float64, d)
		from[c] = make([]int, d)
	}
	for j := 0; j < d; j++ {
		cost[0][j] = ssd(0, j)
	}
	for c := 1; c < k; c++ {
		for j := c; j < d; j++ {
			best, arg := math.Inf(1), c
			for i := c; i <= j; i++ { // last class is vals[i..j]
				if v := cost[c-1][i-1] + ssd(i, j); v < best {
					best, arg = v, i
				}
			}
			cost[c][j], from[c][j] = best, arg
		}
	}
	out := make([]float64, k)
	j := d - 1
	for c := k - 1; c >= 0; c-- {
		out[c] = vals[j]
		if c > 0 {
			j = from[c][j] - 1
		}
	}
	return out
}

// ClassOf returns the class index of a district: -2 when suppressed, -3
// when it has no value and is in NoPopulation, -1 when it has no value
// (absent or NaN), else the index of the first break the value does not
// exceed (the last class for values above every break).
func (m *Map) ClassOf(code string) int {
	if m.Suppressed[code] {
		return -2
	}
	v, ok := m.Values[code]
	if !ok || math.IsNaN(v) || len(m.Breaks) == 0 {
		if m.NoPopulation[code] {
			return -3
		}
		return -1
	}
	i := sort.SearchFloat64s(m.Breaks, v) // first break >= v
	if i >= len(m.Breaks) {
		i = len(m.Breaks) - 1
	}
	return i
}

// YlOrRd is ColorBrewer's sequential yellow-orange-red scheme, which is
// colour-blind safe and prints well, indexed by the number of classes
// (3 to 9). Colours by Cynthia Brewer, Mark Harrower and The Pennsylvania
// State University, colorbrewer2.org, Apache License 2.0.
var YlOrRd = map[int][]color.RGBA{
	3: hexes("ffeda0", "feb24c", "f03b20"),
	4: hexes("ffffb2", "fecc5c", "fd8d3c", "e31a1c"),
	5: hexes("ffffb2", "fecc5c", "fd8d3c", "f03b20", "bd0026"),
	6: hexes("ffffb2", "fed976", "feb24c", "fd8d3c", "f03b20", "bd0026"),
	7: hexes("ffffb2", "fed976", "feb24c", "fd8d3c", "fc4e2a", "e31a1c", "b10026"),
	8: hexes("ffffcc", "ffeda0", "fed976", "feb24c", "fd8d3c", "fc4e2a", "e31a1c", "b10026"),
	9: hexes("ffffcc", "ffeda0", "fed976", "feb24c", "fd8d3c", "fc4e2a", "e31a1c", "bd0026", "800026"),
}

// ZeroColour fills a map whose one class is 0: the lightest colour of the
// default palettes of 4 to 7 classes, where zero usually falls.
var ZeroColour = YlOrRd[5][0]

// DefaultPalette returns YlOrRd for k classes; for 1 and 2 classes it takes
// the middle, or the two ends, of the 3-class scheme.
func DefaultPalette(k int) ([]color.RGBA, error) {
	switch {
	case k == 1:
		return []color.RGBA{YlOrRd[3][1]}, nil
	case k == 2:
		return []color.RGBA{YlOrRd[3][0], YlOrRd[3][2]}, nil
	case k >= 3 && k <= 9:
		return append([]color.RGBA(nil), YlOrRd[k]...), nil
	}
	return nil, fmt.Errorf("render: no default palette for %d classes (1 to 9); set Map.Palette", k)
}

func hexes(hs ...string) []color.RGBA {
	out := make([]color.RGBA, len(hs))
	for i, h := range hs {
		var r, g, b uint8
		if _, err := fmt.Sscanf(h, "%02x%02x%02x", &r, &g, &b); err != nil {
			panic("render: bad colour " + h)
		}
		out[i] = color.RGBA{r, g, b, 255}
	}
	return out
}

// classLabels names the classes of breaks (upper bounds) above lo so that
// they do not overlap: every bound is rounded to one number of decimals
// (integers for counts; for rates the fewest, 0 to 4, that keep the
// bounds distinct and within 5% of their values), and a class starts one
// unit of the last decimal above the end of the one before: "1 – 8",
// "9 – 19"; "0.9 – 8.1", "8.2 – 19.8". A class of one value is that value.
func classLabels(lo float64, breaks []float64, counts bool) []string {
	all := append([]float64{lo}, breaks...)
	dec := 0
	if !counts {
		for dec = 0; dec < 4; dec++ {
			ok := true
			step := math.Pow(10, -float64(dec))
			for i, v := range all {
				r := roundTo(v, dec)
				if i > 1 && r <= roundTo(all[i-1], dec) {
					ok = false
				}
				if v != 0 && step/2/math.Abs(v) > 0.05 {
					ok = false
				}
			}
			if ok {
				break
			}
		}
	}
	step := math.Pow(10, -float64(dec))
	out := make([]string, len(breaks))
	for i, hi := range breaks {
		from := roundTo(lo, dec)
		if counts {
			from = math.Ceil(lo)
		}
		if i > 0 {
			from = roundTo(breaks[i-1], dec) + step
			if counts {
				from = math.Floor(breaks[i-1]) + 1
			}
		}
		to := roundTo(hi, dec)
		if counts {
			to = math.Floor(hi)
		}
		if to <= from {
			out[i] = formatNumber(to, dec)
			continue
		}
		out[i] = formatNumber(from, dec) + " – " + formatNumber(to, dec)
	}
	return out
}

func roundTo(v float64, dec int) float64 {
	p := math.Pow(10, float64(dec))
	return math.Round(v*p) / p
}

// formatNumber prints v with dec decimals and thousands separators.
func formatNumber(v float64, dec int) string {
	s := fmt.Sprintf("%.*f", dec, v)
	if s == "-0" || (len(s) > 1 && s[0] == '-' && isZero(s[1:])) {
		s = s[1:]
	}
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	intPart, frac := s, ""
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			intPart, frac = s[:i], s[i:]
			break
		}
	}
	if len(intPart) > 4 {
		var b []byte
		for i := range len(intPart) {
			if i > 0 && (len(intPart)-i)%3 == 0 {
				b = append(b, ',')
			}
			b = append(b, intPart[i])
		}
		intPart = string(b)
	}
	if neg {
		return "-" + intPart + frac
	}
	return intPart + frac
}

func isZero(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '0' && s[i] != '.' {
			return false
		}
	}
	return true
}
