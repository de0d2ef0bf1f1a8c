// Package synth writes realistic synthetic incident files in the canonical
// layout, for tests, benchmarks and the demo. The generator reports exactly
// which rows it made bad, and which rows report the same event as an earlier
// row, so a test can reconcile an ingest, and its linking, to the row.
//
// # Sources
//
// With Options.Sources at 0 or 1 every row says source "synthetic". With K
// sources, each row comes from one of the first K agencies of Agencies, in
// proportion to their weights, and its category follows that agency's own
// shares (ANF reports drugs, PTA cybercrime, the media everything).
//
// # Duplicates
//
// With Options.DupRate R, about a share R of the rows are another agency's
// record of an event an earlier row reported: the same category, subcategory
// and district, a date at most 3 days away, a point at most 1 km away (or
// another spelling of the district for rows without a point), and a quantity
// or amount within 20% (the smaller at least 0.82 of the larger).
package synth

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
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
	Sources  int       // agencies, the first K of Agencies; 0 or 1 for the one source "synthetic"
	DupRate  float64   // share of rows that repeat an earlier row's event from another source; needs Sources >= 2
	// Flows adds FlowColumns after the canonical ones and fills them for
	// drug and human trafficking rows (flows.go), from a random stream of
	// their own: the rows are otherwise those of the same seed without.
	Flows bool
}

// Limits of a duplicate against the row it repeats.
const (
	DupMaxDays  = 3    // between the dates
	DupMaxKm    = 1.0  // between the points
	DupMinRatio = 0.82 // smaller over larger quantity, or amount
)

// ErrOptions reports options Generate cannot honour.
var ErrOptions = errors.New("synth: bad options")

// Pair names a duplicate and the row whose event it repeats, by data row
// (1 for the first row after the header; not the file line, since a
// description can span lines).
type Pair struct {
	Orig, Dup int
}

// Stats count what Generate wrote.
type Stats struct {
	Rows        int                        // data rows, excluding the header
	Bad         int                        // rows that a correct ingest must reject
	NameOnly    int                        // good rows located by district name only
	PerCategory [schemas.NumCategories]int // good rows per category
	// PerSource counts the good rows per source and category, in the order
	// of Agencies (one entry, "synthetic", for a single source).
	PerSource [][schemas.NumCategories]int
	Dups      int    // good rows that repeat an earlier row's event
	Pairs     []Pair // each duplicate and its original, in file order
}

// Agency is a source of incident records and what it reports.
type Agency struct {
	Name   string                         // the source column's value
	Prefix string                         // of its incident ids
	Weight float64                        // its share of all rows, before normalising over the K in use
	Shares [schemas.NumCategories]float64 // its rows by category (terror financing, drugs, trafficking, cybercrime); they sum to 1
}

// Agencies are the sources Generate draws from, in the order Options.Sources
// takes them. The first two report every category, so any K >= 2 can
// duplicate any row.
var Agencies = []Agency{
	{"media", "MED", 0.20, [4]float64{0.15, 0.45, 0.15, 0.25}},
	{"police_fir", "FIR", 0.25, [4]float64{0.10, 0.45, 0.15, 0.30}},
	{"anf", "ANF", 0.15, [4]float64{0.05, 0.95, 0, 0}},
	{"fc", "FC", 0.08, [4]float64{0.25, 0.60, 0.15, 0}},
	{"customs", "CUS", 0.07, [4]float64{0.20, 0.80, 0, 0}},
	{"pta", "PTA", 0.05, [4]float64{0, 0, 0, 1}},
	{"fia", "FIA", 0.10, [4]float64{0.20, 0, 0.35, 0.45}},
	{"ngo", "NGO", 0.04, [4]float64{0, 0, 0.70, 0.30}},
	{"ctd", "CTD", 0.04, [4]float64{0.90, 0, 0, 0.10}},
	{"excise", "EXC", 0.02, [4]float64{0, 1, 0, 0}},
}

var places = []string{"near the bypass", "at a checkpost", "in a warehouse", "on the highway", "at the bus terminal", "in a rented house", "at the port", "online"}

// event is a good row that a later row may repeat from another source.
type event struct {
	row, src, c, d int
	day            time.Time
	p              orb.Point
	hasPoint       bool
	sub, qty, amt  string
	hint           string // district_hint as written
	flow           [5]string
}

// maxPending bounds the events waiting for a duplicate; a duplicate repeats
// one of the last few thousand events, as reports of one event come close
// together in a file.
const maxPending = 4096

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
	switch {
	case opt.Sources < 0 || opt.Sources > len(Agencies):
		return Stats{}, fmt.Errorf("%w: %d sources, want 1 to %d", ErrOptions, opt.Sources, len(Agencies))
	case opt.DupRate < 0 || opt.DupRate > 0.5:
		return Stats{}, fmt.Errorf("%w: duplicate rate %g, want 0 to 0.5", ErrOptions, opt.DupRate)
	case opt.DupRate > 0 && opt.Sources < 2:
		return Stats{}, fmt.Errorf("%w: duplicates need 2 sources or more", ErrOptions)
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
	// One source: the historical mix; several: each agency's own.
	srcs := []Agency{{Name: "synthetic", Prefix: "SYN", Weight: 1, Shares: [4]float64{0.15, 0.45, 0.15, 0.25}}}
	if opt.Sources > 1 {
		srcs = Agencies[:opt.Sources]
	}
	weights := make([]float64, len(srcs))
	catCum := make([][]float64, len(srcs))
	for i, a := range srcs {
		weights[i] = a.Weight
		catCum[i] = cumulative(a.Shares[:])
	}
	srcCum := cumulative(weights)
	bounds := make([]orb.Bound, n)
	for i, mp := range b.Polygons {
		bounds[i] = mp.Bound()
	}

	bw := bufio.NewWriterSize(w, 1<<20)
	cw := csv.NewWriter(bw)
	header := schemas.CanonicalColumns
	var frng, erng *rand.Rand
	if opt.Flows {
		header = append(slices.Clone(header), FlowColumns...)
		frng, erng = flowStream(opt.Seed), exploitationStream(opt.Seed)
	}
	if err := cw.Write(header); err != nil {
		return Stats{}, err
	}
	st := Stats{PerSource: make([][schemas.NumCategories]int, len(srcs))}
	var pending []event
	rec := make([]string, len(header))
	for r := 0; r < opt.Rows; r++ {
		for i := range rec {
			rec[i] = ""
		}
		if opt.DupRate > 0 && rng.Float64() < opt.DupRate && len(pending) > 0 {
			k := rng.IntN(len(pending))
			e := pending[k]
			pending[k] = pending[len(pending)-1]
			pending = pending[:len(pending)-1]
			src := duplicate(rng, rec, e, srcs, b, ix, opt.Seed, r)
			if opt.Flows {
				copy(rec[schemas.NumCanonical:], e.flow[:])
			}
			st.Dups++
			st.Pairs = append(st.Pairs, Pair{Orig: e.row + 1, Dup: r + 1})
			st.PerCategory[e.c]++
			st.PerSource[src][e.c]++
			if !e.hasPoint {
				st.NameOnly++
			}
			if err := cw.Write(rec); err != nil {
				return st, err
			}
			st.Rows++
			continue
		}
		src := 0
		if len(srcs) > 1 {
			src = pick(rng, srcCum)
		}
		c := pick(rng, catCum[src])
		d := pick(rng, cum[c])
		m := pick(rng, monthCum[c])
		month := opt.From.AddDate(0, m, 0)
		day := month.AddDate(0, 0, rng.IntN(daysInMonth(month)))
		rec[schemas.ColIncidentID] = fmt.Sprintf("%s-%d-%07d", srcs[src].Prefix, opt.Seed, r+1)
		rec[schemas.ColCategory] = schemas.Category(c).String()
		sub, qty := subcategory(rng, c) // mix.go: realistic shares, spellings and sizes
		rec[schemas.ColSubcategory] = sub
		rec[schemas.ColOccurredOn] = day.Format("2006-01-02")
		rec[schemas.ColSource] = srcs[src].Name
		switch schemas.Category(c) {
		case schemas.DrugTrafficking, schemas.HumanTrafficking: // kg; victims for trafficking
			rec[schemas.ColQuantity] = qty
		default: // PKR
			rec[schemas.ColAmountPKR] = qty
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
		if opt.Flows {
			f := flowFields(frng, erng, schemas.Category(c), sub)
			copy(rec[schemas.NumCanonical:], f[:])
		}
		if bad {
			spoil(rng, rec, r)
			st.Bad++
		} else {
			st.PerCategory[c]++
			st.PerSource[src][c]++
			if !ok {
				st.NameOnly++
			}
			if opt.DupRate > 0 {
				e := event{row: r, src: src, c: c, d: d, day: day, p: p, hasPoint: ok,
					sub: rec[schemas.ColSubcategory], qty: rec[schemas.ColQuantity], amt: rec[schemas.ColAmountPKR],
					hint: rec[schemas.ColDistrictHint]}
				if opt.Flows {
					copy(e.flow[:], rec[schemas.NumCanonical:])
				}
				if len(pending) < maxPending {
					pending = append(pending, e)
				} else {
					pending[rng.IntN(maxPending)] = e
				}
			}
		}
		out := rec
		if bad && rec[schemas.ColIncidentID] == "drop-a-field" {
			rec[schemas.ColIncidentID] = fmt.Sprintf("%s-%d-%07d", srcs[src].Prefix, opt.Seed, r+1)
			out = rec[:len(rec)-1]
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

// duplicate fills rec with another source's record of event e as row r,
// and returns the source. The source is drawn among those that report e's
// category, in proportion to how many such rows each writes.
func duplicate(rng *rand.Rand, rec []string, e event, srcs []Agency, b *geo.Boundaries, ix *geo.Index, seed uint64, r int) int {
	c := e.c
	w := make([]float64, len(srcs))
	for i, a := range srcs {
		if i != e.src {
			w[i] = a.Weight * a.Shares[c]
		}
	}
	src := pick(rng, cumulative(w))
	day := e.day.AddDate(0, 0, rng.IntN(2*DupMaxDays+1)-DupMaxDays)
	rec[schemas.ColIncidentID] = fmt.Sprintf("%s-%d-%07d", srcs[src].Prefix, seed, r+1)
	rec[schemas.ColCategory] = schemas.Category(c).String()
	rec[schemas.ColSubcategory] = e.sub
	rec[schemas.ColOccurredOn] = day.Format("2006-01-02")
	rec[schemas.ColSource] = srcs[src].Name
	rec[schemas.ColQuantity] = near(rng, e.qty)
	rec[schemas.ColAmountPKR] = near(rng, e.amt)
	rec[schemas.ColDescription] = describe(rng, schemas.Category(c), e.sub)
	if e.hasPoint {
		p := nearPoint(rng, ix, e.d, e.p)
		rec[schemas.ColLat] = strconv.FormatFloat(p[1], 'f', 6, 64)
		rec[schemas.ColLon] = strconv.FormatFloat(p[0], 'f', 6, 64)
		if rng.IntN(2) == 0 {
			rec[schemas.ColDistrictHint] = respell(rng, b, e.d, e.hint)
		}
	} else {
		rec[schemas.ColDistrictHint] = respell(rng, b, e.d, e.hint)
	}
	return src
}

// respell writes district d otherwise than was, when its name allows.
func respell(rng *rand.Rand, b *geo.Boundaries, d int, was string) string {
	s := spell(rng, b, d)
	for try := 0; try < 8 && s == was; try++ {
		s = spell(rng, b, d)
	}
	return s
}

// near returns a number within 20% of s, written with as many decimals as
// s; an empty s stays empty.
func near(rng *rand.Rand, s string) string {
	if s == "" {
		return ""
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 {
		return s
	}
	digits := 0
	if i := strings.IndexByte(s, '.'); i >= 0 {
		digits = len(s) - i - 1
	}
	for try := 0; try < 8; try++ {
		u := round(v*(0.85+0.3*rng.Float64()), digits)
		if u > 0 && min(u, v) >= DupMinRatio*max(u, v) {
			return strconv.FormatFloat(u, 'f', -1, 64)
		}
	}
	return s
}

// nearPoint returns a point within DupMaxKm of p in district d, as written
// to the file (6 decimals); p itself when no try lands in d.
func nearPoint(rng *rand.Rand, ix *geo.Index, d int, p orb.Point) orb.Point {
	for try := 0; try < 20; try++ {
		km := 0.95 * DupMaxKm * math.Sqrt(rng.Float64())
		bearing := 2 * math.Pi * rng.Float64()
		q := orb.Point{
			round(p[0]+km*math.Sin(bearing)/(111.32*math.Cos(p[1]*math.Pi/180)), 6),
			round(p[1]+km*math.Cos(bearing)/110.57, 6),
		}
		if Km(p, q) <= DupMaxKm && ix.Locate(q) == d {
			return q
		}
	}
	return p
}

// Km is the great-circle distance between two (lon, lat) points in km, as
// the linker measures it.
func Km(a, b orb.Point) float64 {
	const r = 6371.0088
	rad := math.Pi / 180
	s1 := math.Sin((b[1] - a[1]) * rad / 2)
	s2 := math.Sin((b[0] - a[0]) * rad / 2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(s1*s1+math.Cos(a[1]*rad)*math.Cos(b[1]*rad)*s2*s2)))
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
