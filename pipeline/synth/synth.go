// Package synth writes realistic synthetic incident files in the canonical
// layout, for tests, benchmarks and the demo. Every row says source
// "synthetic", and the generator reports exactly which rows it made bad, so a
// test can reconcile an ingest to the row.
package synth

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/schemas"
)

// Options configure a synthetic file.
type Options struct {
	Rows     int
	Seed     uint64
	From     time.Time // first month; zero for 2019-01
	Months   int       // 0 for 72
	BadShare float64   // share of deliberately bad rows; 0 for 0.5%
	NameOnly float64   // share of rows with a district name and no point; 0 for 1%
}

// Stats count what Generate wrote.
type Stats struct {
	Rows        int                        // data rows, excluding the header
	Bad         int                        // rows that a correct ingest must reject
	NameOnly    int                        // good rows located by district name only
	PerCategory [schemas.NumCategories]int // good rows per category
}

var subcategories = [schemas.NumCategories][]string{
	{"hawala_hundi", "cash_courier", "charity", "extortion", "kidnap_for_ransom", "bank_transfer"},
	{"heroin", "hashish", "opium", "methamphetamine", "cocaine", "precursors"},
	{"trafficking_in_persons", "migrant_smuggling"},
	{"financial_fraud", "online_harassment", "hacking", "identity_theft"},
}

var places = []string{"near the bypass", "at a checkpost", "in a warehouse", "on the highway", "at the bus terminal", "in a rented house", "at the port", "online"}

// Generate writes opt.Rows rows to w. Points are drawn inside the chosen
// district's polygon; districts and months are skewed the way real counts
// are (a few districts and recent months dominate).
func Generate(w io.Writer, b *geo.Boundaries, ix *geo.Index, opt Options) (Stats, error) {
	if opt.From.IsZero() {
		opt.From = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if opt.Months <= 0 {
		opt.Months = 72
	}
	if opt.BadShare == 0 {
		opt.BadShare = 0.005
	}
	if opt.NameOnly == 0 {
		opt.NameOnly = 0.01
	}
	rng := rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15))
	n := len(b.Districts)
	if n == 0 {
		return Stats{}, geo.ErrNoDistricts
	}
	// Skew: each category ranks districts by a shared "hotness" mixed with its
	// own, then weights them Zipf-like.
	base := make([]float64, n)
	for i := range base {
		base[i] = rng.Float64()
	}
	var cum [schemas.NumCategories][]float64
	for c := range cum {
		score := make([]float64, n)
		for i := range score {
			score[i] = 0.6*base[i] + 0.4*rng.Float64()
		}
		order := argsortDesc(score)
		w := make([]float64, n)
		for rank, i := range order {
			w[i] = 1 / math.Pow(float64(rank+1), 0.9)
		}
		cum[c] = cumulative(w)
	}
	// Months: a rising trend with seasonality; cybercrime rises fastest.
	var monthCum [schemas.NumCategories][]float64
	for c := range monthCum {
		w := make([]float64, opt.Months)
		growth := 0.01
		if schemas.Category(c) == schemas.Cybercrime {
			growth = 0.03
		}
		for m := range w {
			w[m] = math.Exp(growth*float64(m)) * (1 + 0.25*math.Sin(2*math.Pi*float64(m)/12+float64(c)))
		}
		monthCum[c] = cumulative(w)
	}
	catCum := cumulative([]float64{0.15, 0.45, 0.15, 0.25})
	bounds := make([]orb.Bound, n)
	for i, mp := range b.Polygons {
		bounds[i] = mp.Bound()
	}

	bw := bufio.NewWriterSize(w, 1<<20)
	cw := csv.NewWriter(bw)
	if err := cw.Write(schemas.CanonicalColumns); err != nil {
		return Stats{}, err
	}
	var st Stats
	rec := make([]string, schemas.NumCanonical)
	for r := 0; r < opt.Rows; r++ {
		c := pick(rng, catCum)
		d := pick(rng, cum[c])
		m := pick(rng, monthCum[c])
		month := opt.From.AddDate(0, m, 0)
		day := month.AddDate(0, 0, rng.IntN(daysInMonth(month)))
		for i := range rec {
			rec[i] = ""
		}
		rec[schemas.ColIncidentID] = fmt.Sprintf("SYN-%d-%07d", opt.Seed, r+1)
		rec[schemas.ColCategory] = schemas.Category(c).String()
		subs := subcategories[c]
		rec[schemas.ColSubcategory] = subs[rng.IntN(len(subs))]
		rec[schemas.ColOccurredOn] = day.Format("2006-01-02")
		rec[schemas.ColSource] = "synthetic"
		switch schemas.Category(c) {
		case schemas.DrugTrafficking:
			rec[schemas.ColQuantity] = strconv.FormatFloat(round(math.Exp(rng.NormFloat64()*1.5+1.5), 3), 'f', -1, 64)
		case schemas.HumanTrafficking:
			rec[schemas.ColQuantity] = strconv.Itoa(1 + rng.IntN(12))
		case schemas.TerrorFinancing:
			rec[schemas.ColAmountPKR] = strconv.FormatFloat(round(math.Exp(rng.NormFloat64()*1.2+13), 0), 'f', -1, 64)
		case schemas.Cybercrime:
			if rng.IntN(2) == 0 {
				rec[schemas.ColAmountPKR] = strconv.Itoa(1000 * (1 + rng.IntN(500)))
			}
		}
		rec[schemas.ColDescription] = describe(rng, schemas.Category(c), rec[schemas.ColSubcategory])
		nameOnly := rng.Float64() < opt.NameOnly
		p, ok := orb.Point{}, false
		if !nameOnly {
			p, ok = pointIn(rng, ix, d, bounds[d])
		}
		if ok {
			rec[schemas.ColLat] = strconv.FormatFloat(p[1], 'f', 6, 64)
			rec[schemas.ColLon] = strconv.FormatFloat(p[0], 'f', 6, 64)
			if rng.IntN(3) == 0 {
				rec[schemas.ColDistrictHint] = b.Districts[d].Name
			}
		} else {
			rec[schemas.ColDistrictHint] = spell(rng, b, d)
		}
		bad := rng.Float64() < opt.BadShare
		if bad {
			spoil(rng, rec, r)
			st.Bad++
		} else {
			st.PerCategory[c]++
			if !ok {
				st.NameOnly++
			}
		}
		out := rec
		if bad && rec[schemas.ColIncidentID] == "drop-a-field" {
			rec[schemas.ColIncidentID] = fmt.Sprintf("SYN-%d-%07d", opt.Seed, r+1)
			out = rec[:schemas.NumCanonical-1]
		}
		if err := cw.Write(out); err != nil {
			return st, err
		}
		st.Rows++
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return st, err
	}
	return st, bw.Flush()
}

// spoil makes one row unusable in one of the ways real files are.
func spoil(rng *rand.Rand, rec []string, r int) {
	switch rng.IntN(7) {
	case 0:
		rec[schemas.ColOccurredOn] = "31/12/2021"
	case 1:
		rec[schemas.ColOccurredOn] = "2021-02-30"
	case 2:
		rec[schemas.ColCategory] = "narcotics"
	case 3: // outside Pakistan, no name to fall back on
		rec[schemas.ColLat], rec[schemas.ColLon], rec[schemas.ColDistrictHint] = "0.5", "-30.25", ""
	case 4:
		rec[schemas.ColIncidentID] = "drop-a-field"
	case 5:
		rec[schemas.ColQuantity] = "-" + strconv.Itoa(1+r%9)
	case 6:
		rec[schemas.ColLat], rec[schemas.ColLon], rec[schemas.ColDistrictHint] = "", "", "Atlantis"
	}
}

// spell writes a district's name as people do: other case, extra spaces,
// dots; or its code when the name alone is ambiguous.
func spell(rng *rand.Rand, b *geo.Boundaries, d int) string {
	name := b.Districts[d].Name
	if b.LookupName(name) != d {
		return b.Districts[d].Code
	}
	switch rng.IntN(4) {
	case 0:
		return strings.ToUpper(name)
	case 1:
		return strings.ToLower(name) + " "
	case 2:
		return strings.ReplaceAll(name, " ", "  ")
	}
	return name
}

func describe(rng *rand.Rand, c schemas.Category, sub string) string {
	place := places[rng.IntN(len(places))]
	s := strings.ReplaceAll(sub, "_", " ") + " case reported " + place + ", under investigation"
	switch rng.IntN(100) {
	case 0:
		s += "; suspect said \"not mine\""
	case 1:
		s += "\nfollow-up: file sent to prosecution"
	}
	return s
}

func pointIn(rng *rand.Rand, ix *geo.Index, d int, bd orb.Bound) (orb.Point, bool) {
	for try := 0; try < 200; try++ {
		p := orb.Point{
			bd.Min[0] + rng.Float64()*(bd.Max[0]-bd.Min[0]),
			bd.Min[1] + rng.Float64()*(bd.Max[1]-bd.Min[1]),
		}
		// Round as the file will, so the written point is the tested point.
		p[0], p[1] = round(p[0], 6), round(p[1], 6)
		if ix.Locate(p) == d {
			return p, true
		}
	}
	return orb.Point{}, false
}

func round(v float64, digits int) float64 {
	s := math.Pow(10, float64(digits))
	return math.Round(v*s) / s
}

func daysInMonth(t time.Time) int {
	return int(t.AddDate(0, 1, 0).Sub(t).Hours() / 24)
}

func cumulative(w []float64) []float64 {
	out := make([]float64, len(w))
	sum := 0.0
	for i, v := range w {
		sum += v
		out[i] = sum
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}

func pick(rng *rand.Rand, cum []float64) int {
	u := rng.Float64()
	lo, hi := 0, len(cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if cum[mid] < u {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

func argsortDesc(v []float64) []int {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	// Insertion sort is enough for a few hundred districts and keeps the
	// order deterministic.
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && v[idx[j]] > v[idx[j-1]]; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
	return idx
}
