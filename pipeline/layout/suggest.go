package layout

import (
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/adrg/strutil/metrics"

	"github.com/ocmap/ocmap/schemas"
)

// maxSuggestions bounds the header names a "did you mean" offers.
const maxSuggestions = 3

// Closest returns the names of header closest to col, a column a layout
// reads that the header lacks: first those equal to it once case, spaces
// and punctuation are dropped ("Event Date" for "event_date"), else those
// within an edit distance of about a third of its length, nearest first
// (ties in header order), at most three. Only cells that look like column
// names (schemas.HeaderLike) are offered, and none from a row with a cell
// that does not: such a row is data, whose other cells may be personal.
func Closest(col string, header []string) []string {
	want := squash(col)
	if want == "" {
		return nil
	}
	for _, h := range header {
		if h = strings.TrimSpace(h); h != "" && !schemas.HeaderLike(h) {
			return nil
		}
	}
	lev := metrics.NewLevenshtein()
	limit := max(1, (len([]rune(want))+2)/3)
	type cand struct {
		name string
		d, i int
	}
	var cs []cand
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if h == "" || seen[h] {
			continue
		}
		seen[h] = true
		got := squash(h)
		d := 0
		if got != want {
			d = lev.Distance(got, want)
			if d == 0 {
				d = 1 // equal once squashed differently: still not the name
			}
		}
		if d <= limit {
			cs = append(cs, cand{h, d, i})
		}
	}
	slices.SortStableFunc(cs, func(a, b cand) int { return a.d - b.d })
	var out []string
	for _, c := range cs {
		if len(out) == maxSuggestions || c.d > cs[0].d {
			break
		}
		out = append(out, c.name)
	}
	return out
}

// DidYouMean is Closest as the end of an error message: ` (did you mean
// "Event Date"?)`, or "" when no header name is close.
func DidYouMean(col string, header []string) string {
	cs := Closest(col, header)
	if len(cs) == 0 {
		return ""
	}
	q := make([]string, len(cs))
	for i, c := range cs {
		q[i] = strconv.Quote(c)
	}
	return " (did you mean " + strings.Join(q, " or ") + "?)"
}

// squash folds case and drops everything but letters and digits.
func squash(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
