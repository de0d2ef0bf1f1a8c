package geo

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/adrg/strutil/metrics"
	"golang.org/x/text/unicode/norm"
)

// Location precision of a [Match]. The values are those of
// schemas.PrecisionNear, schemas.PrecisionDistrict,
// schemas.PrecisionProvince and schemas.PrecisionCountry; geo is a leaf and
// cannot import schemas, so they are repeated here: keep them equal.
// PrecisionNone is the country's level: a name that is the country (Method
// MethodCountry), or one that matched nothing and gave no province (Method
// "").
//
// PrecisionNear is a town, village or tehsil of one district, named by a
// place alias (KindPlace: "Mingora" is in Swat): the row is known to within
// the town, which is UCDP's where_prec 2 and ACLED's geo_precision 2 ("near
// a town", "a small part of a region"), and what the place layer gives a
// town GeoNames knows. A district's own name, spellings, old names and
// successors say only the district: PrecisionDistrict, UCDP's 3.
const (
	PrecisionNear     int8 = 2
	PrecisionDistrict int8 = 3
	PrecisionProvince int8 = 4
	PrecisionNone     int8 = 6
)

// How a [Match] was made.
const (
	MethodPcode = "pcode"
	MethodExact = "exact"
	MethodAlias = "alias"
	MethodFuzzy = "fuzzy"
	// MethodCountry: the name is the country itself ("Pakistan",
	// "nationwide") and no province is known.
	MethodCountry = "country"
	// MethodSubdivision: the name is an upper or lower part of one
	// district that the boundary file does not split ("Lower Kurram
	// Agency" is in Kurram).
	MethodSubdivision = "subdivision"
)

// Alias kinds, the kind column of the alias table.
const (
	KindVariant    = "variant"    // English spelling variant or abbreviation
	KindHistorical = "historical" // old name (Lyallpur, "Khyber Agency")
	KindSuccessor  = "successor"  // district created after the boundary file, inside the target
	KindPlace      = "place"      // city, town or tehsil inside the target
	KindUrdu       = "urdu"       // Urdu script name
)

// Fuzzy matching accepts the best district only when its Jaro-Winkler
// similarity reaches FuzzyThreshold and beats the next district by
// FuzzyMargin. Tuned on the suicide-attack file matched with no alias
// table (TestFuzzyAblation): 0.92 keeps "Nowshehra" (0.978), "Sudhanoti"
// (0.978) and "Kuram Agency" (0.961) and rejects "D.G Khan" with a KPK hint,
// whose best is the wrong D. I. Khan at 0.900. The margin leaves a typo of
// a name found in two provinces unmatched without a hint.
const (
	FuzzyThreshold = 0.92
	FuzzyMargin    = 0.03
	fuzzyMinRunes  = 4 // shorter keys are too easy to confuse
	// A key of fewer than fuzzyShortRunes letters needs FuzzyShortThreshold:
	// one letter is a fifth of it. A letter added or dropped ("Swatt" 0.960,
	// "Koht" 0.953 for Kohat) passes; one exchanged does not ("Akora" 0.933
	// for Okara, "Bhag" 0.925 for Bagh: both towns of their own, in
	// Nowshera and Lehri).
	fuzzyShortRunes     = 6
	FuzzyShortThreshold = 0.95
	maxCandidates       = 5
	maxCache            = 1 << 16
)

// Below FuzzyThreshold no similarity score is trusted: on the suicide-attack
// file without aliases, "Karachi" scores 0.879 for West Karachi (it is six
// districts) and "D.G Khan" with a KPK hint 0.900 for D. I. Khan, each a
// wide margin over the next. A spelling that keeps the consonants of one
// district's name in order ("Hungu", Hangu) is taken instead, when no other
// district of the stated province (or, with no province, of the country)
// shares them.
const skeletonMinRunes = 3 // "bn" would be Bannu and a dozen misspellings

// ErrAliasTable is wrapped by every error of [ReadAliases].
var ErrAliasTable = errors.New("geo: bad alias table")

// Alias is one row of the alias table: Alias denotes District (its name in
// the reference boundary file) between From and To, both inclusive days; a
// zero time is open.
type Alias struct {
	Alias, District, Province, Kind string
	From, To                        time.Time
	Note                            string
}

var aliasColumns = []string{"alias", "district", "province", "kind", "valid_from", "valid_to", "note"}

// ReadAliases reads the alias table, a CSV file with the header
// alias,district,province,kind,valid_from,valid_to,note and dates as
// YYYY-MM-DD. Provinces are stored as [NormalizeProvince] returns them.
func ReadAliases(r io.Reader) ([]Alias, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: line 1: %w", ErrAliasTable, err)
	}
	if len(head) != len(aliasColumns) {
		return nil, fmt.Errorf("%w: line 1: %d columns, want %s", ErrAliasTable, len(head), strings.Join(aliasColumns, ","))
	}
	cr.FieldsPerRecord = len(aliasColumns)
	head[0] = strings.TrimPrefix(head[0], "\ufeff")
	for i, c := range aliasColumns {
		if strings.TrimSpace(strings.ToLower(head[i])) != c {
			return nil, fmt.Errorf("%w: line 1: column %d is %q, want %q", ErrAliasTable, i+1, head[i], c)
		}
	}
	var out []Alias
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrAliasTable, err)
		}
		line, _ := cr.FieldPos(0)
		bad := func(col int, format string, args ...any) error {
			return fmt.Errorf("%w: line %d: column %q: %s", ErrAliasTable, line, aliasColumns[col], fmt.Sprintf(format, args...))
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		a := Alias{Alias: rec[0], District: rec[1], Kind: rec[3], Note: rec[6]}
		if nameKey(a.Alias) == "" {
			return nil, bad(0, "empty alias %q", rec[0])
		}
		if a.District == "" {
			return nil, bad(1, "empty district")
		}
		p, ok := NormalizeProvince(rec[2])
		if !ok {
			return nil, bad(2, "unknown province %q", rec[2])
		}
		a.Province = p
		switch a.Kind {
		case KindVariant, KindHistorical, KindSuccessor, KindPlace, KindUrdu:
		default:
			return nil, bad(3, "unknown kind %q (want variant, historical, successor, place or urdu)", a.Kind)
		}
		for i, d := range []*time.Time{&a.From, &a.To} {
			if rec[4+i] == "" {
				continue
			}
			if *d, err = time.Parse(time.DateOnly, rec[4+i]); err != nil {
				return nil, bad(4+i, "date %q is not YYYY-MM-DD", rec[4+i])
			}
		}
		if !a.From.IsZero() && !a.To.IsZero() && a.To.Before(a.From) {
			return nil, bad(5, "valid_to %s is before valid_from %s", rec[5], rec[4])
		}
		out = append(out, a)
	}
}

// Match is what [Gazetteer.Match] found for a place name.
type Match struct {
	District  int    // index into Boundaries.Districts; -1 when not matched to a district
	Province  string // the district's province, or the one the hint or name gives
	Precision int8   // PrecisionNear (a town of one district), PrecisionDistrict, PrecisionProvince or PrecisionNone
	Method    string // MethodPcode, MethodExact, MethodAlias, MethodFuzzy, MethodCountry; "" when unmatched
	Score     float64
	// HintIgnored is set when the name denotes exactly one district and that
	// district is outside the hinted province: the name wins, since source
	// province columns are often loose ("D.G Khan", KPK), but the row deserves
	// a look.
	HintIgnored bool
	// Conflict is set when the parts of a compound name are each one
	// district, and not the same ("Murree, Lahore"): the name contradicts
	// itself, and a town among its parts is no evidence for one side.
	Conflict   bool
	Candidates []Candidate // the best few when unmatched, ambiguous or fuzzy
}

// Candidate is one possible district of an unsure [Match].
type Candidate struct {
	District       int
	Name, Province string
	Score          float64
}

// Gazetteer matches place names to the districts of one boundary file. It
// is built once and safe for concurrent use.
type Gazetteer struct {
	b      *Boundaries
	prov   []string         // canonical province of each district; "" unknown
	exact  map[string][]int // name key -> districts (several when a name is in two provinces)
	alias  map[string][]aliasRef
	fuzzy  []fuzzyRef
	breaks []time.Time // sorted From and To+1 days: the alias set is constant between two
	cache  sync.Map    // fuzzyKey -> fuzzyResult
	cached atomic.Int64
	hints  sync.Map // province hint as written -> NormalizeProvince
	nhints atomic.Int64
	jw     *metrics.JaroWinkler
	// carved holds, for each district some were carved out of, those
	// districts: the names of aliases of kind successor that target it.
	carved map[int][]int
}

type aliasRef struct {
	district int
	from, to time.Time
	town     bool // a KindPlace alias: a town or tehsil in the district, not the district
}

func (a aliasRef) active(on time.Time) bool {
	if on.IsZero() {
		return true
	}
	return (a.from.IsZero() || !on.Before(a.from)) && (a.to.IsZero() || on.Before(a.to.AddDate(0, 0, 1)))
}

type fuzzyRef struct {
	key   string
	runes int
	skel  string   // consonantSkeleton(key)
	words []string // nameWords of the name or alias
	aliasRef
}

// NewGazetteer indexes the district names of b and the aliases. An alias
// whose district is not in b (by name key, within the alias's province when
// b has provinces) is resolved through the table's own variant and
// historical aliases of that district, so one table serves COD-AB and
// geoBoundaries ("D. I. Khan" against "Dera Ismail Khan"); failing that it
// is skipped with a warning.
func NewGazetteer(b *Boundaries, aliases []Alias) (*Gazetteer, []string, error) {
	if b == nil || len(b.Districts) == 0 {
		return nil, nil, ErrNoDistricts
	}
	g := &Gazetteer{
		b:      b,
		prov:   make([]string, len(b.Districts)),
		exact:  make(map[string][]int, len(b.Districts)),
		alias:  make(map[string][]aliasRef, len(aliases)),
		jw:     &metrics.JaroWinkler{CaseSensitive: true},
		carved: map[int][]int{},
	}
	var warnings []string
	warnf := func(format string, args ...any) { warnings = append(warnings, fmt.Sprintf(format, args...)) }
	hasProv := false
	for i, d := range b.Districts {
		if d.Province != "" {
			hasProv = true
			if p, ok := NormalizeProvince(d.Province); ok {
				g.prov[i] = p
			} else {
				g.prov[i] = d.Province
			}
		}
		k := nameKey(d.Name)
		if k == "" {
			warnf("district %s has no usable name", d.Code)
			continue
		}
		g.exact[k] = append(g.exact[k], i)
		g.fuzzy = append(g.fuzzy, fuzzyRef{key: k, runes: len([]rune(k)), skel: consonantSkeleton(k), words: nameWords(d.Name), aliasRef: aliasRef{district: i}})
	}

	// lookup finds the one district of b named name, within province when b
	// has provinces.
	lookup := func(name, province string) int {
		found := -1
		for _, i := range g.exact[nameKey(name)] {
			if hasProv && g.prov[i] != province {
				continue
			}
			if found >= 0 {
				return -1
			}
			found = i
		}
		return found
	}
	type target struct{ district, province string }
	resolved := map[target]int{}
	resolve := func(t target) int {
		if i, ok := resolved[t]; ok {
			return i
		}
		i := lookup(t.district, t.province)
		if i < 0 {
			// The target's spelling is not this file's: try its other
			// names, and take the district when they agree on one.
			var found []int
			for _, o := range aliases {
				if o.District != t.district || o.Province != t.province || (o.Kind != KindVariant && o.Kind != KindHistorical) {
					continue
				}
				if j := lookup(o.Alias, t.province); j >= 0 && !slices.Contains(found, j) {
					found = append(found, j)
				}
			}
			if len(found) == 1 {
				i = found[0]
			}
		}
		resolved[t] = i
		return i
	}

	seen := map[aliasKey]bool{}
	breaks := map[time.Time]bool{}
	for _, a := range aliases {
		i := resolve(target{a.District, a.Province})
		if i < 0 {
			warnf("alias %q: district %q (%s) is not in %s; skipped", a.Alias, a.District, a.Province, b.Path)
			continue
		}
		if !hasProv && g.prov[i] == "" {
			g.prov[i] = a.Province
		}
		// A target spelt otherwise in b ("Leiah" for geoBoundaries'
		// "Layyah") is itself a name of the district.
		if tk := nameKey(a.District); !slices.Contains(g.exact[tk], i) {
			g.addAlias(seen, breaks, tk, a.District, aliasRef{district: i}, KindVariant)
		}
		k := nameKey(a.Alias)
		if other := g.exact[k]; len(other) > 0 && !slices.Contains(other, i) {
			warnf("alias %q (%s) is also the name of district %s; the district wins", a.Alias, a.District, b.Districts[other[0]].Name)
		}
		g.addAlias(seen, breaks, k, a.Alias, aliasRef{district: i, from: a.From, to: a.To, town: a.Kind == KindPlace}, a.Kind)
		if a.Kind == KindSuccessor {
			if child := lookup(a.Alias, a.Province); child >= 0 && child != i {
				if !slices.Contains(g.carved[i], child) {
					g.carved[i] = append(g.carved[i], child)
				}
			}
		}
	}
	for t := range breaks {
		g.breaks = append(g.breaks, t)
	}
	slices.SortFunc(g.breaks, func(a, b time.Time) int { return a.Compare(b) })
	return g, warnings, nil
}

type aliasKey struct {
	key string
	aliasRef
}

// addAlias indexes the alias key k. Only names of a district (its own
// spellings, old names, successors, Urdu names) also take close spellings:
// a town or tehsil (KindPlace) matches as written, since a near miss of
// one town's name is more often another town than a typo. Of the GeoNames
// towns of Pakistan that the table does not list, close spellings of
// listed towns sent Dinga (Gujrat) to Jhelum by Dina, Shahpur (Sargodha)
// to Sanghar by Shahdadpur, Alipur (Muzaffargarh) to Shangla by Alpuri.
func (g *Gazetteer) addAlias(seen map[aliasKey]bool, breaks map[time.Time]bool, k, name string, ref aliasRef, kind string) {
	if kind != KindPlace && !seen[aliasKey{"~" + k, ref}] {
		seen[aliasKey{"~" + k, ref}] = true // "~": a key that takes close spellings
		g.fuzzy = append(g.fuzzy, fuzzyRef{key: k, runes: len([]rune(k)), skel: consonantSkeleton(k), words: nameWords(name), aliasRef: ref})
	}
	if seen[aliasKey{k, ref}] {
		return
	}
	seen[aliasKey{k, ref}] = true
	g.alias[k] = append(g.alias[k], ref)
	if !ref.from.IsZero() {
		breaks[ref.from] = true
	}
	if !ref.to.IsZero() {
		breaks[ref.to.AddDate(0, 0, 1)] = true
	}
}

// Boundaries returns the boundary file the Gazetteer matches names to.
func (g *Gazetteer) Boundaries() *Boundaries { return g.b }

// CarvedFrom reports whether district child was carved out of district
// parent, as the alias table's successors say ("Chaman" is a successor of
// Killa Abdullah) when the boundary file draws both: a place in child was
// in parent before the split, so a row may name either.
func (g *Gazetteer) CarvedFrom(child, parent int) bool {
	return slices.Contains(g.carved[parent], child)
}

// HasCarved reports whether a district was carved out of district parent
// (CarvedFrom), so that callers read a row's place text only then.
func (g *Gazetteer) HasCarved(parent int) bool { return len(g.carved[parent]) > 0 }

// Epoch numbers the stretch of days holding on between two dates of the
// alias table (-1 for the zero time): Match gives the same answer for one
// name on any two days of one epoch, so callers may cache by it.
func (g *Gazetteer) Epoch(on time.Time) int {
	if on.IsZero() {
		return -1
	}
	return sort.Search(len(g.breaks), func(i int) bool { return g.breaks[i].After(on) })
}

// Match finds the district that name denotes on the day on (zero: any day),
// within the province provinceHint when it is given and known. The order is:
// code of the boundary file, name, alias in force on that day, the parts of
// a compound name ("Tangi, Charsadda District"), and last a fuzzy match over
// the names and aliases of the hinted province.
func (g *Gazetteer) Match(name, provinceHint string, on time.Time) Match {
	hint := g.province(provinceHint)
	name = strings.TrimSpace(name)
	if name == "" {
		return g.unmatched(hint, nil)
	}
	if i, ok := g.b.codes[strings.ToUpper(name)]; ok {
		return g.matched(i, MethodPcode, 1, hint)
	}
	key := nameKey(name)
	if key == "" {
		return g.unmatched(hint, nil)
	}
	if m, ok := g.division(name, hint, on); ok {
		return m
	}
	// A town outside the stated province is another town of the name
	// ("Bara" of Punjab is not Bara of Khyber), not a loose province
	// column as a district's name may be ("D.G Khan" with KPK).
	if m, ok := g.resolve(key, hint, on); ok && !(m.HintIgnored && m.Precision == PrecisionNear) {
		return m
	}
	if m, ok := g.compound(name, hint, on); ok {
		return m
	}
	if m, ok := g.provinceSuffix(name, hint, on); ok {
		return m
	}
	if m, ok := g.subdivision(name, hint, on); ok {
		return m
	}
	if m, ok := g.districtSuffix(name, hint, on); ok {
		return m
	}
	if p, ok := NormalizeProvince(name); ok {
		if hint == "" || hint == p {
			return g.unmatched(p, nil)
		}
	}
	if countryKeys[key] {
		if hint != "" {
			return g.unmatched(hint, nil)
		}
		return Match{District: -1, Precision: PrecisionNone, Method: MethodCountry, Score: 1}
	}
	if len([]rune(key)) < fuzzyMinRunes {
		return g.unmatched(hint, nil)
	}
	m := g.fuzzyMatch(key, name, hint, on)
	if m.District >= 0 {
		return m
	}
	if s, ok := g.skeletonMatch(key, hint, on); ok {
		s.Candidates = m.Candidates
		return s
	}
	return m
}

// maxMentionWords is the longest run of words Mentions tries as one name
// ("Dera Ismail Khan", "Kolai Palas Kohistan").
const maxMentionWords = 4

// commonWords are district and place names that are also ordinary words
// of English place texts: "tank" in "a water tank", "hub" in "transport
// hub", "khyber" in "Khyber Road" of Peshawar. Mentions does not take them
// alone.
var commonWords = wordSet("tank", "hub", "khyber", "central", "east", "west", "north", "south", "upper", "lower",
	"city", "town", "district", "agency", "market", "bazaar", "bazar", "road", "chowk", "colony", "pakistan",
	// Urdu nouns in place names: bagh a garden (Liaquat Bagh), kotli a
	// small fort, chaman a meadow, mandi a market; and حب (Hub) is love.
	"bagh", "kotli", "chaman", "mandi", "حب",
	// Names of provinces that are ordinary words.
	"capital", "federal")

// routeWords after a name make it the name of a way to the place, not the
// place: "Kohat Road" runs through Peshawar, "Bannu adda" is a bus stand
// in D. I. Khan, "Chaman Housing Scheme" is in Quetta.
var routeWords = wordSet("road", "rd", "highway", "motorway", "expressway", "interchange", "bypass", "adda", "chungi",
	"stop", "route", "gate", "housing", "scheme", "street", "st", "avenue")

// Mentions returns the districts that text names by a district name or an
// alias in force on the day on (no close spellings): each run of up to
// maxMentionWords words is tried, longest first, and words taken by a
// longer name are not tried again. A name in two provinces is read in the
// hinted one. It reads place texts such as "PPP office in Eidgah market of
// Parachinar bazar" (Kurram) to settle which of a point and a name is
// right.
func (g *Gazetteer) Mentions(text, provinceHint string, on time.Time) []int {
	hint := g.province(provinceHint)
	ws := words(text)
	var found []int
	taken := make([]bool, len(ws))
	for n := min(maxMentionWords, len(ws)); n >= 1; n-- {
	next:
		for i := 0; i+n <= len(ws); i++ {
			for j := i; j < i+n; j++ {
				if taken[j] {
					continue next
				}
			}
			if n == 1 && (commonWords[ws[i]] || len(ws[i]) < 3) {
				continue
			}
			if i+n < len(ws) && (routeWords[ws[i+n]] || i+n+1 < len(ws) && routeWords[ws[i+n+1]]) {
				continue // "Kohat road", "Peshawar-Bara road"
			}
			key := nameKey(strings.Join(ws[i:i+n], " "))
			if key == "" {
				continue
			}
			m, ok := g.resolve(key, hint, on)
			if !ok || m.District < 0 {
				continue
			}
			for j := i; j < i+n; j++ {
				taken[j] = true
			}
			if !slices.Contains(found, m.District) {
				found = append(found, m.District)
			}
		}
	}
	return found
}

// subdivision matches "Upper X" or "Lower X" (any word order, "Agency",
// "Tehsil" and the like ignored) to the district X when X is one district
// and the boundary file has no district named "Upper X" or "Lower X": the
// part lies in X ("Lower Kurram", "Upper Kurram"). When the file splits X
// ("Upper Dir", "Lower Dir") the full name has matched before this.
func (g *Gazetteer) subdivision(name, hint string, on time.Time) (Match, bool) {
	ws := words(name)
	var base []string
	part := false
	for _, w := range ws {
		if dropWords[w] {
			continue
		}
		if q := qualifiers[w]; q == "upper" || q == "lower" {
			part = true
			continue
		}
		base = append(base, w)
	}
	if !part || len(base) == 0 {
		return Match{}, false
	}
	key := nameKey(strings.Join(base, " "))
	if key == "" {
		return Match{}, false
	}
	for _, q := range []string{"upper", "lower"} {
		if len(g.exact[q+key]) > 0 || len(g.alias[q+key]) > 0 {
			return Match{}, false // the file splits X: the name is not a part of one district
		}
	}
	m, ok := g.resolve(key, hint, on)
	if !ok || m.District < 0 {
		return Match{}, false
	}
	m.Method = MethodSubdivision
	return m, true
}

// skeletonMatch matches a spelling whose consonants, in order and with
// doubled letters once, are those of exactly one district's name or alias
// ("Hungu" and "Hangu" are both hng; "Kuram" and "Kurram" krm): within the
// stated province when there is one, else in the whole country. Vowels are
// what transliterations of Urdu and Pashto disagree on most.
func (g *Gazetteer) skeletonMatch(key, hint string, on time.Time) (Match, bool) {
	sk := consonantSkeleton(key)
	if len([]rune(sk)) < skeletonMinRunes {
		return Match{}, false
	}
	found, best := -1, 0.0
	for _, f := range g.fuzzy {
		if f.skel != sk || !f.active(on) || (hint != "" && g.prov[f.district] != hint) {
			continue
		}
		if found >= 0 && found != f.district {
			return Match{}, false // two districts share the consonants
		}
		found = f.district
		best = max(best, g.jw.Compare(key, f.key))
	}
	if found < 0 {
		return Match{}, false
	}
	return g.matched(found, MethodFuzzy, best, hint), true
}

// consonantSkeleton keeps the first letter of key and its later
// consonants, a doubled letter once: "hangu" -> "hng", "kurram" -> "krm",
// but "mananwala" -> "mnnwl": the two n are apart as written.
// Keys outside ASCII are returned whole (Urdu script has its own variants,
// folded by nameKey).
func consonantSkeleton(key string) string {
	if !isASCII(key) {
		return key
	}
	b := make([]byte, 0, len(key))
	for i := 0; i < len(key); i++ {
		c := key[i]
		if i > 0 && strings.IndexByte("aeiouy", c) >= 0 {
			continue
		}
		if i > 0 && key[i-1] == c {
			continue // a doubled letter as written; not two letters a vowel parts ("mananwala" is not "mianwali")
		}
		b = append(b, c)
	}
	return string(b)
}

// NormalizedProvince is NormalizeProvince for a province as written in a
// source, memoised; "" when unknown.
func (g *Gazetteer) NormalizedProvince(s string) string { return g.province(s) }

// ProvinceOf returns the normalised province of district i, "" unknown.
func (g *Gazetteer) ProvinceOf(i int) string { return g.prov[i] }

// province is NormalizeProvince, memoised: a source has few distinct
// province spellings and every row carries one.
func (g *Gazetteer) province(s string) string {
	if v, ok := g.hints.Load(s); ok {
		return v.(string)
	}
	p, _ := NormalizeProvince(s)
	if g.nhints.Add(1) <= maxCache {
		g.hints.Store(s, p)
	}
	return p
}

// resolve tries the names, then the aliases, first within the hinted
// province and then anywhere. ok is false when nothing matched; an
// ambiguous name returns ok with an unmatched Match and its candidates.
func (g *Gazetteer) resolve(key, hint string, on time.Time) (Match, bool) {
	exact := g.exact[key]
	var aliases []int
	var district []int // of aliases: districts the key also names as a district, not only as a town in it
	for _, a := range g.alias[key] {
		if !a.active(on) {
			continue
		}
		if !slices.Contains(aliases, a.district) {
			aliases = append(aliases, a.district)
		}
		if !a.town && !slices.Contains(district, a.district) {
			district = append(district, a.district)
		}
	}
	if len(exact) == 0 && len(aliases) == 0 {
		return g.valley(key, hint, on)
	}
	phases := []string{hint}
	if hint != "" {
		phases = append(phases, "")
	}
	for _, p := range phases {
		for _, try := range []struct {
			ds     []int
			method string
		}{{exact, MethodExact}, {aliases, MethodAlias}} {
			var in []int
			for _, i := range try.ds {
				if p == "" || g.prov[i] == p {
					in = append(in, i)
				}
			}
			switch {
			case len(in) == 1:
				m := g.matched(in[0], try.method, 1, hint)
				m.HintIgnored = hint != "" && g.prov[in[0]] != hint
				if try.method == MethodAlias && !slices.Contains(district, in[0]) {
					m.Precision = PrecisionNear // a town of the district
				}
				return m, true
			case len(in) > 1:
				return g.ambiguous(in, hint), true
			}
		}
	}
	return Match{}, false
}

// valley matches a valley named after the district or town it lies in
// ("Swat Valley", "Kurram valley", "وادی سوات", "سوات ویلی"; key as nameKey
// folds it) when the whole name is no name of its own ("Jhelum Valley" is a
// district of Azad Kashmir, "Neelum Valley" and "Tirah Valley" are aliases)
// and the rest is a district's name or alias. Only this word is taken off, and only
// here, after names and aliases: a valley named after a district can reach
// beyond it, and the alias table lists such valleys as the several
// districts they span ("Peshawar Valley" is Peshawar, Charsadda, Nowshera,
// Mardan and Swabi: the row keeps its province). "Region" and "Area" are not
// taken off: "Malakand region" is a division, "Swat area" may be around it.
func (g *Gazetteer) valley(key, hint string, on time.Time) (Match, bool) {
	base, ok := strings.CutSuffix(key, "valley")
	if !ok {
		base, ok = strings.CutSuffix(key, valleySuffix) // "سوات ویلی"
	}
	for _, w := range valleyPrefixes {
		if !ok {
			base, ok = strings.CutPrefix(key, w)
		}
	}
	if !ok || base == "" {
		return Match{}, false
	}
	return g.resolve(base, hint, on)
}

// valleyPrefixes are the Urdu words for a valley, written before the name
// (وادی سوات, وادئ کرم), folded as nameKey folds them; valleySuffix is the
// English word in Urdu letters, written after it (سوات ویلی).
var (
	valleyPrefixes = []string{nameKey("وادی"), nameKey("وادئ")}
	valleySuffix   = nameKey("ویلی")
)

// connector is a connector word between dashes: the Persian izafat
// ("Bagh-e-Jinnah", "Gulistan-e-Jauhar") and the Arabic article
// ("Bab-ul-Islam", "Dar-ul-Aman") join the words around them into one
// name.
var connector = regexp.MustCompile(`(?i)\s*[-–]\s*(e|i|ul|al|ud|un|ur|us|ush|o)\s*[-–]\s*`)

// joinConnectors writes the connector words of a name between spaces, so
// that splitting the name at dashes leaves it whole: "Bagh-e-Jinnah Lahore"
// is "Bagh e Jinnah Lahore", not Bagh and Lahore.
func joinConnectors(s string) string {
	if !strings.ContainsAny(s, "-–") {
		return s
	}
	return connector.ReplaceAllString(s, " $1 ")
}

// compound matches a name made of parts, "Ghallanai, Mohmand Agency" or
// "Shabqadar-Charsadda", when all parts that match agree on one district.
func (g *Gazetteer) compound(name, hint string, on time.Time) (Match, bool) {
	parts := strings.FieldsFunc(joinConnectors(name), func(r rune) bool {
		return strings.ContainsRune(",;/()-–،", r)
	})
	if len(parts) < 2 {
		return Match{}, false
	}
	found, method, hintIgnored, town := -1, MethodExact, false, false
	var all, towns []int
	for _, p := range parts {
		k := nameKey(p)
		if k == "" {
			continue
		}
		m, ok := g.resolve(k, hint, on)
		if !ok || m.District < 0 {
			continue
		}
		if m.Method == MethodAlias {
			method = MethodAlias
		}
		hintIgnored = hintIgnored || m.HintIgnored
		town = town || m.Precision == PrecisionNear
		if m.Precision == PrecisionNear {
			towns = append(towns, m.District)
		}
		if !slices.Contains(all, m.District) {
			all = append(all, m.District)
		}
		found = m.District
	}
	// "Chaman, Killa Abdullah": a district with the one it was carved out
	// of, which sources go on writing, is the carved-out district; a town
	// of the old district ("Gulistan, Chaman") still says the old one.
	named := slices.Clone(all)
	all = slices.DeleteFunc(all, func(parent int) bool {
		return !slices.Contains(towns, parent) && slices.ContainsFunc(named, func(child int) bool { return g.CarvedFrom(child, parent) })
	})
	switch {
	case len(all) == 1:
		found = all[0]
		m := g.matched(found, method, 1, hint)
		m.HintIgnored = hintIgnored
		if town {
			m.Precision = PrecisionNear // "Mingora, Swat": the town says more than its district
		}
		return m, true
	case len(all) > 1:
		m := g.ambiguous(all, hint)
		m.Conflict = true
		return m, true
	}
	return Match{}, false
}

// provinceSuffix matches a name followed by its province without a comma
// ("Multan Punjab", "Peshawar KPK"; with a comma, compound has matched it).
// Only a district of that province is taken, by its name or an alias, so
// "Rawalpindi Islamabad" is not Rawalpindi, and a province hint that says
// another province leaves the name alone.
func (g *Gazetteer) provinceSuffix(name, hint string, on time.Time) (Match, bool) {
	fs := strings.Fields(name)
	for k := 1; k <= 3 && k < len(fs); k++ {
		p, ok := NormalizeProvince(strings.Join(fs[len(fs)-k:], " "))
		if !ok || (hint != "" && hint != p) {
			continue
		}
		key := nameKey(strings.Join(fs[:len(fs)-k], " "))
		if key == "" {
			continue
		}
		if m, ok := g.resolve(key, p, on); ok && m.District >= 0 && g.prov[m.District] == p {
			return m, true
		}
	}
	return Match{}, false
}

// division matches "Malakand Division", "ڈویژن ملتان": a division named
// after a district is several districts, so the row keeps the district's
// province only (precision 4), with the district as the one candidate.
func (g *Gazetteer) division(name, hint string, on time.Time) (Match, bool) {
	ws := words(name)
	var base []string
	for _, w := range ws {
		if !divisionWords[w] {
			base = append(base, w)
		}
	}
	if len(base) == len(ws) || len(base) == 0 {
		return Match{}, false
	}
	m, ok := g.resolve(nameKey(strings.Join(base, " ")), hint, on)
	if !ok || m.District < 0 {
		return Match{}, false
	}
	prov := cmp.Or(hint, g.prov[m.District])
	return g.unmatched(prov, []Candidate{{District: m.District, Name: g.b.Districts[m.District].Name, Province: g.prov[m.District], Score: 1}}), true
}

// nameEndings are district names that also end the names of other places:
// Chenab Nagar is in Chiniot, not Nagar; Haveli Lakha in Okara.
var nameEndings = wordSet("nagar", "haveli")

// districtSuffix matches a place written before its district without a
// comma: "PS Civil Lines Lahore", "Khyber Bazaar Peshawar", "Thana City
// Kohat", "F-6/3 Islamabad", "Orangi Town Karachi". The last words must be a
// district's name or alias (a name of several districts, Karachi, is
// settled by the words before when they name one of them), and the words
// before must name no other district: "Lahore Multan" is neither. The
// district must come last: "Nowshera Virkan" (Gujranwala) is not Nowshera;
// and a last word that is also an ordinary word or a common ending of
// place names (commonWords, nameEndings) is not taken alone.
func (g *Gazetteer) districtSuffix(name, hint string, on time.Time) (Match, bool) {
	fs := strings.Fields(name)
	for k := min(maxMentionWords, len(fs)-1); k >= 1; k-- {
		last := strings.Join(fs[len(fs)-k:], " ")
		if ws := words(last); len(ws) == 1 && (commonWords[ws[0]] || nameEndings[ws[0]]) {
			continue // "Chenab Nagar" (Chiniot) is not Nagar
		}
		key := nameKey(last)
		if key == "" {
			continue
		}
		m, ok := g.resolve(key, hint, on)
		if !ok {
			continue
		}
		first := strings.Join(fs[:len(fs)-k], " ")
		before := g.Mentions(first, hint, on)
		// "Mingora Swat", "Orangi Town Karachi": the words before are a
		// town of the district, and say more than it.
		town := func(m Match) Match {
			if t, ok := g.resolve(nameKey(first), hint, on); ok && t.District == m.District && t.Precision == PrecisionNear {
				m.Precision, m.Method = PrecisionNear, MethodAlias
			}
			return m
		}
		if m.District >= 0 {
			if slices.ContainsFunc(before, func(d int) bool { return d != m.District }) {
				return Match{}, false
			}
			return town(m), true
		}
		// Several districts: the words before may name one of them.
		var in []int
		for _, d := range before {
			if !slices.ContainsFunc(m.Candidates, func(c Candidate) bool { return c.District == d }) {
				return Match{}, false
			}
			in = append(in, d)
		}
		if len(in) == 1 {
			return town(g.matched(in[0], MethodAlias, 1, hint)), true
		}
		return m, true
	}
	return Match{}, false
}

type fuzzyKey struct {
	key, province string
	epoch         int
}

type fuzzyResult struct {
	cands []Candidate      // best first; Name and Province filled
	words map[int][]string // by district, the words of its best-scoring name
}

// fuzzyMatch scores key against every name and alias of the hinted province
// in force on the day on. Results are cached per key, province and epoch
// (the stretch of days between two alias dates, when the alias set is the
// same).
func (g *Gazetteer) fuzzyMatch(key, name, hint string, on time.Time) Match {
	fk := fuzzyKey{key, hint, g.Epoch(on)}
	var res fuzzyResult
	if v, ok := g.cache.Load(fk); ok {
		res = v.(fuzzyResult)
	} else {
		res = g.score(key, hint, on)
		if g.cached.Add(1) > maxCache {
			g.cache.Clear()
			g.cached.Store(0)
		}
		g.cache.Store(fk, res)
	}
	cands := slices.Clone(res.cands)
	threshold := FuzzyThreshold
	if len([]rune(key)) < fuzzyShortRunes {
		threshold = FuzzyShortThreshold
	}
	if len(cands) > 0 && cands[0].Score >= threshold &&
		(len(cands) == 1 || cands[0].Score-cands[1].Score >= FuzzyMargin) &&
		g.sameWords(nameWords(name), res.words[cands[0].District]) {
		m := g.matched(cands[0].District, MethodFuzzy, cands[0].Score, hint)
		m.Candidates = cands
		return m
	}
	return g.unmatched(hint, cands)
}

func (g *Gazetteer) score(key, hint string, on time.Time) fuzzyResult {
	best := map[int]float64{}
	bestWords := map[int][]string{}
	n := len([]rune(key))
	for _, f := range g.fuzzy {
		if hint != "" && g.prov[f.district] != hint {
			continue
		}
		if !f.active(on) {
			continue
		}
		// When one key is less than half the other, Jaro-Winkler is at
		// most 0.9, under the threshold: skip the comparison.
		if f.runes*2 < n || n*2 < f.runes {
			continue
		}
		s := g.jw.Compare(key, f.key)
		if s > best[f.district] {
			best[f.district] = s
			bestWords[f.district] = f.words
		}
	}
	var cands []Candidate
	for i, s := range best {
		cands = append(cands, Candidate{District: i, Name: g.b.Districts[i].Name, Province: g.prov[i], Score: s})
	}
	slices.SortFunc(cands, func(a, b Candidate) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return a.District - b.District
	})
	if len(cands) > maxCandidates {
		cands = cands[:maxCandidates:maxCandidates]
	}
	return fuzzyResult{cands: cands, words: bestWords}
}

// nameWords are the words of a name without those for the kind of unit
// (dropWords), as a close spelling is compared word by word.
func nameWords(s string) []string {
	ws := words(s)
	kept := slices.DeleteFunc(slices.Clone(ws), func(w string) bool { return dropWords[w] })
	if len(kept) == 0 {
		return ws
	}
	return kept
}

// sameWordMin is the similarity at which two words are one word spelt two
// ways ("esmail", "ismail").
const sameWordMin = 0.8

// sameWords reports whether a name of several words is a close spelling
// of the name ref word by word: each of its words of three letters or more
// is a word of ref spelt otherwise, or part of one ("Muzaffar Garh" and
// "Muzaffargarh"). A whole word that is not ("Mirpur Sakro" and "Mirpur
// Khas") makes it another place, however close the letters are overall.
func (g *Gazetteer) sameWords(name, ref []string) bool {
	if len(name) < 2 || len(ref) == 0 {
		return true
	}
	for _, w := range name {
		if utf8.RuneCountInString(w) < 3 {
			continue
		}
		if !slices.ContainsFunc(ref, func(r string) bool {
			return strings.Contains(r, w) || utf8.RuneCountInString(r) >= 3 && strings.Contains(w, r) || g.jw.Compare(w, r) >= sameWordMin
		}) {
			return false
		}
	}
	return true
}

func (g *Gazetteer) matched(i int, method string, score float64, hint string) Match {
	p := g.prov[i]
	if p == "" {
		p = hint
	}
	return Match{District: i, Province: p, Precision: PrecisionDistrict, Method: method, Score: score}
}

// ambiguous is the Match of a name that denotes several districts; when
// they share a province (Karachi), the province is known.
func (g *Gazetteer) ambiguous(ds []int, hint string) Match {
	cands := make([]Candidate, len(ds))
	prov := g.prov[ds[0]]
	for j, i := range ds {
		cands[j] = Candidate{District: i, Name: g.b.Districts[i].Name, Province: g.prov[i], Score: 1}
		if g.prov[i] != prov {
			prov = ""
		}
	}
	slices.SortFunc(cands, func(a, b Candidate) int { return a.District - b.District })
	if hint != "" {
		prov = hint
	}
	return g.unmatched(prov, cands)
}

func (g *Gazetteer) unmatched(province string, cands []Candidate) Match {
	m := Match{District: -1, Province: province, Precision: PrecisionNone, Candidates: cands}
	if province != "" {
		m.Precision = PrecisionProvince
	}
	return m
}

// Province names as the OCHA COD-AB 2022 file spells them (ADM1_EN).
const (
	Punjab            = "Punjab"
	Sindh             = "Sindh"
	KhyberPakhtunkhwa = "Khyber Pakhtunkhwa"
	Balochistan       = "Balochistan"
	Islamabad         = "Islamabad"
	GilgitBaltistan   = "Gilgit Baltistan"
	AzadKashmir       = "Azad Kashmir"
)

var provinceNames = map[string][]string{
	Punjab: {"Punjab", "Panjab", "پنجاب"},
	Sindh:  {"Sindh", "Sind", "سندھ"},
	KhyberPakhtunkhwa: {"Khyber Pakhtunkhwa", "Khyber Pakhtoonkhwa", "Khyber Pukhtunkhwa", "Pakhtunkhwa",
		"KP", "KPK", "NWFP", "North-West Frontier Province", "North West Frontier", "Sarhad",
		// FATA was merged into KP in 2018; its districts are KP's in every
		// boundary file since.
		"FATA", "Federally Administered Tribal Areas", "Tribal Areas",
		"خیبر پختونخوا", "خیبر پختونخواہ", "سرحد", "فاٹا", "قبائلی علاقہ جات"},
	Balochistan: {"Balochistan", "Baluchistan", "Balochistan Province", "بلوچستان"},
	Islamabad: {"Islamabad", "ICT", "Islamabad Capital Territory", "Federal", "Federal Capital",
		"Federal Capital Territory", "Capital", "اسلام آباد", "وفاق", "وفاقی دارالحکومت"},
	GilgitBaltistan: {"Gilgit Baltistan", "Gilgit-Baltistan", "GB", "G.B.", "Northern Areas", "گلگت بلتستان"},
	AzadKashmir: {"Azad Kashmir", "Azad Jammu and Kashmir", "Azad Jammu & Kashmir", "Azad Jammu Kashmir",
		"AJK", "AJ&K", "AJ and K", "Kashmir", "آزاد کشمیر", "آزاد جموں و کشمیر"},
}

var provinceKeys = func() map[string]string {
	m := map[string]string{}
	for p, names := range provinceNames {
		for _, n := range names {
			m[nameKey(n)] = p
		}
	}
	return m
}()

// countryKeys are the names of the country as a whole: a row that gives
// one of them and no province is placed at the national level.
var countryKeys = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range []string{"Pakistan", "Islamic Republic of Pakistan", "PAK", "All Pakistan", "Across Pakistan",
		"Pakistan-wide", "Nationwide", "Nation-wide", "Countrywide", "Country-wide", "پاکستان", "ملک بھر", "پورا پاکستان"} {
		m[nameKey(n)] = true
	}
	return m
}()

// NormalizeProvince returns the province that s names, spelt as in the
// COD-AB 2022 file: "KPK", "NWFP" and "FATA" give "Khyber Pakhtunkhwa",
// "ICT" and "Capital" "Islamabad", "AJK" "Azad Kashmir". ok is false for an
// unknown or empty name.
func NormalizeProvince(s string) (string, bool) {
	p, ok := provinceKeys[nameKey(s)]
	return p, ok
}

// Words a name carries that say what kind of unit it is, not which.
var dropWords = wordSet("district", "distt", "dist", "agency", "tehsil", "tahsil", "city", "town",
	// A sub-division is a tehsil: "Kharian Sub-Division" is Kharian.
	"subdivision", "subdiv", "subdivn",
	// A cantonment lies in the district it is named after: "Lahore Cantt".
	"cantt", "cantonment", "cant", "cantonement",
	// The same in Urdu: district, tehsil, agency, city (شہر, سٹی), town,
	// cantonment (کینٹ, چھاؤنی): "لاہور کینٹ" is Lahore.
	"ضلع", "تحصیل", "ایجنسی", "شہر", "ڈسٹرکٹ", "سٹی", "ٹاؤن", "کینٹ", "چھاؤنی")

// divisionWords make a name a division, a group of districts named after
// one of them: Malakand Division is Swat, Dir, Chitral, Buner, Shangla and
// Malakand; Dera Ghazi Khan Division four districts. Never the district.
var divisionWords = wordSet("division", "divisional", "ڈویژن")

// Qualifiers whose place in a name varies ("Karachi East", "East Karachi";
// "Dir Lower", "Lower Dir"): they are sorted to the front of the key. Urdu
// بالا/اپر is upper and پائین/لوئر/زیریں lower.
var qualifiers = func() map[string]string {
	m := map[string]string{}
	for q, words := range map[string][]string{
		"upper":   {"upper", "بالا", "اپر"},
		"lower":   {"lower", "پائین", "لوئر", "زیریں"},
		"east":    {"east", "شرقی"},
		"west":    {"west", "غربی"},
		"north":   {"north", "شمالی"},
		"south":   {"south", "جنوبی"},
		"central": {"central", "وسطی"},
	} {
		for _, w := range words {
			m[foldWord(w)] = q
		}
	}
	return m
}()

// compassLetters are the abbreviations of the compass qualifiers.
var compassLetters = map[string]string{"n": "north", "s": "south", "e": "east", "w": "west"}

func wordSet(words ...string) map[string]bool {
	m := map[string]bool{}
	for _, w := range words {
		m[foldWord(w)] = true
	}
	return m
}

func foldWord(w string) string {
	ws := words(w)
	if len(ws) != 1 {
		panic("geo: not one word: " + w)
	}
	return ws[0]
}

// nameKey is the key names are compared by: [NormalizeName] (case, spaces
// and punctuation folded) after these steps on the words of the name:
//   - Urdu and Arabic letter variants fold (ي ى→ی, ك→ک, ه ھ ة ە→ہ), marks,
//     tatweel and joiners go, Arabic-Indic digits become ASCII;
//   - words for the kind of unit go ("District", "Agency", ضلع), as does a
//     leading "FR"/"Frontier Region" (a Frontier Region is now part of the
//     district it was named after);
//   - qualifiers (upper, lower, east, ...) move to the front, sorted.
func nameKey(s string) string {
	ws := words(s)
	if len(ws) > 1 {
		kept := ws[:0:0]
		for _, w := range ws {
			if !dropWords[w] {
				kept = append(kept, w)
			}
		}
		if len(kept) > 0 {
			ws = kept
		}
	}
	// "N. Waziristan", "S Waziristan": a lone compass letter before a name.
	// Not in an acronym: "N.W.F.P." is a province.
	if len(ws) > 1 && len(ws[1]) > 2 {
		if q, ok := compassLetters[ws[0]]; ok {
			ws = append([]string{q}, ws[1:]...)
		}
	}
	switch {
	case len(ws) > 1 && ws[0] == "fr":
		ws = ws[1:]
	case len(ws) > 2 && ws[0] == "f" && ws[1] == "r", len(ws) > 2 && ws[0] == "frontier" && ws[1] == "region":
		ws = ws[2:]
	}
	var quals, rest []string
	for _, w := range ws {
		if q, ok := qualifiers[w]; ok {
			quals = append(quals, q)
		} else {
			rest = append(rest, w)
		}
	}
	if len(rest) == 0 {
		return strings.Join(ws, "")
	}
	sort.Strings(quals)
	return strings.Join(quals, "") + strings.Join(rest, "")
}

// words splits s into lower-case, script-folded words.
func words(s string) []string {
	out, _ := splitWords(s, false)
	// "Sub-Division", "Sub Div", "سب ڈویژن": one word, a part of a district
	// (a tehsil, as police and revenue records call it), not a division.
	for i := 0; i+1 < len(out); i++ {
		if (out[i] == "sub" || out[i] == subUrdu) && slices.Contains(subDivisionWords, out[i+1]) {
			out = slices.Delete(out, i, i+1)
			out[i] = "subdivision"
		}
	}
	return out
}

// subUrdu and subDivisionWords make "Sub-Division" in its spellings, as
// splitWords folds them (wordSet cannot make them: it calls words).
var (
	subUrdu          = foldedWord("سب")
	subDivisionWords = []string{"division", "div", "divn", foldedWord("ڈویژن")}
)

// foldedWord is w as splitWords folds it.
func foldedWord(w string) string {
	ws, _ := splitWords(w, false)
	return ws[0]
}

// splitWords splits s into lower-case, script-folded words and, when raw
// is set, the same words as written (for telling "SUI" from "Sui").
func splitWords(s string, raw bool) (folded, written []string) {
	folded, written, _ = splitWordsPunct(s, raw, false)
	return folded, written
}

// splitWordsPunct is splitWords that, when punct is set, also reports for
// each word whether a mark other than a space (a comma, a full stop, a
// bracket) stands between it and the word before.
func splitWordsPunct(s string, raw, punct bool) (folded, written []string, afterPunct []bool) {
	var sb, rb strings.Builder
	marked := false // a mark since the last word
	flush := func() {
		if sb.Len() > 0 {
			folded = append(folded, sb.String())
			sb.Reset()
			if raw {
				written = append(written, rb.String())
				rb.Reset()
			}
			if punct {
				afterPunct = append(afterPunct, marked)
			}
			marked = false
		}
	}
	if !isASCII(s) {
		s = norm.NFD.String(s)
	}
	for _, r := range s {
		switch {
		case r == '\u0640' || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Cf, r):
			// tatweel, diacritics (and the accents NFD split off), ZWNJ
		case r >= '\u0660' && r <= '\u0669':
			sb.WriteRune('0' + r - '\u0660')
		case r >= '\u06F0' && r <= '\u06F9':
			sb.WriteRune('0' + r - '\u06F0')
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			sb.WriteRune(foldRune(unicode.ToLower(r)))
			if raw {
				rb.WriteRune(r)
			}
		case r == '\'' || r == '’':
			// "Ahmed'pur" is one word
		default:
			flush()
			marked = marked || !unicode.IsSpace(r)
		}
	}
	flush()
	return folded, written, afterPunct
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func foldRune(r rune) rune {
	switch r {
	case 'ي', 'ى', 'ې': // Arabic yeh, alef maksura, Pashto yeh
		return 'ی'
	case 'ك':
		return 'ک'
	case 'ه', 'ھ', 'ة', 'ە': // heh, do-chashmi heh, teh marbuta, ae
		return 'ہ'
	}
	return r
}
