package geo

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"github.com/paulmach/orb"
)

// ErrPlacesFile is wrapped by every error of [ReadPlaces].
var ErrPlacesFile = errors.New("geo: bad places file")

// PlacesLicence is the attribution GeoNames asks for.
const PlacesLicence = "GeoNames (geonames.org), CC BY 4.0"

// geonamesColumns are the 19 columns of a GeoNames dump (PK.txt,
// cities500.txt), which has no header line.
var geonamesColumns = []string{"geonameid", "name", "asciiname", "alternatenames", "latitude", "longitude",
	"feature class", "feature code", "country code", "cc2", "admin1 code", "admin2 code", "admin3 code",
	"admin4 code", "population", "elevation", "dem", "timezone", "modification date"}

// PlaceLimits bound what [ReadPlaces] reads: a line longer than
// MaxLineBytes or a file of more than MaxRows lines is an error, not a
// truncation. Zero fields take the defaults.
type PlaceLimits struct {
	MaxLineBytes int // default 1 MiB: the longest line of the full PK.txt is about 10 kB of alternate names
	MaxRows      int // default 5,000,000: the full PK.txt has about 200,000
}

// DefaultPlaceLimits are the limits of a zero [PlaceLimits].
var DefaultPlaceLimits = PlaceLimits{MaxLineBytes: 1 << 20, MaxRows: 5_000_000}

func (lim PlaceLimits) orDefault() PlaceLimits {
	if lim.MaxLineBytes <= 0 {
		lim.MaxLineBytes = DefaultPlaceLimits.MaxLineBytes
	}
	if lim.MaxRows <= 0 {
		lim.MaxRows = DefaultPlaceLimits.MaxRows
	}
	return lim
}

// Place is a populated place (GeoNames feature class P) or a tehsil
// (class A, ADM3/ADM4) of a GeoNames file.
type Place struct {
	ID         int64
	Name       string
	Lon, Lat   float64 // WGS 84
	Code       string  // GeoNames feature code: PPL, PPLA2, ADM3, ...
	Population int64
	District   int // index into Boundaries.Districts; -1 until placed by NewPlaces
	names      []string
}

// PlaceFile is what [ReadPlaces] read.
type PlaceFile struct {
	Path, SHA256 string
	Places       []Place
	Lines        int // lines read
}

// skippedCodes are populated-place codes that name no current place:
// historical (PPLH, PPLCH), abandoned (PPLQ) or destroyed (PPLW).
var skippedCodes = map[string]bool{"PPLH": true, "PPLCH": true, "PPLQ": true, "PPLW": true}

// ReadPlacesFile reads a GeoNames dump file; see [ReadPlaces].
func ReadPlacesFile(path string, lim PlaceLimits) (*PlaceFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("geo: places: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	pf, err := ReadPlaces(io.TeeReader(f, h), path, lim)
	if err != nil {
		return nil, err
	}
	// The hash covers the whole file, also what follows a last line the
	// reader stopped at.
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("geo: places: %s: %w", path, err)
	}
	pf.SHA256 = hex.EncodeToString(h.Sum(nil))
	return pf, nil
}

// ReadPlaces reads a GeoNames dump (tab-separated, no header, 19 columns)
// and keeps the populated places (feature class P, but for historical,
// abandoned and destroyed ones) and the tehsils (class A, ADM3 and ADM4).
// It reads each line once and keeps only those rows, so memory grows with
// the places kept. A malformed kept row is an error naming name:line and
// the column.
func ReadPlaces(r io.Reader, name string, lim PlaceLimits) (*PlaceFile, error) {
	lim = lim.orDefault()
	sc := bufio.NewScanner(r)
	// The scanner's limit is the larger of max and the buffer's capacity.
	sc.Buffer(make([]byte, 0, min(64<<10, lim.MaxLineBytes)), lim.MaxLineBytes)
	pf := &PlaceFile{Path: name}
	var fields [19]string
	codes := map[string]string{} // interned feature codes
	for sc.Scan() {
		pf.Lines++
		line := pf.Lines
		if line > lim.MaxRows {
			return nil, fmt.Errorf("%w: %s: more than %d lines (raise OCMAP_PLACES_MAX_ROWS)", ErrPlacesFile, name, lim.MaxRows)
		}
		text := strings.TrimSuffix(sc.Text(), "\r")
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		n := 0
		for s := range strings.SplitSeq(text, "\t") {
			if n < len(fields) {
				fields[n] = s
			}
			n++
		}
		if n != len(fields) {
			return nil, fmt.Errorf("%w: %s:%d: %d tab-separated columns, want the 19 of a GeoNames dump", ErrPlacesFile, name, line, n)
		}
		bad := func(col int, format string, args ...any) error {
			return fmt.Errorf("%w: %s:%d: column %d (%s): %s", ErrPlacesFile, name, line, col+1, geonamesColumns[col], fmt.Sprintf(format, args...))
		}
		class, code := fields[6], fields[7]
		switch {
		case class == "P" && !skippedCodes[code]:
		case class == "A" && (code == "ADM3" || code == "ADM4"):
		default:
			continue
		}
		p := Place{Name: strings.TrimSpace(fields[1]), District: -1}
		var err error
		if p.ID, err = strconv.ParseInt(fields[0], 10, 64); err != nil {
			return nil, bad(0, "%q is not a number", clip(fields[0]))
		}
		if p.Name == "" {
			return nil, bad(1, "empty name")
		}
		if p.Lat, err = strconv.ParseFloat(fields[4], 64); err != nil || p.Lat < -90 || p.Lat > 90 || math.IsNaN(p.Lat) {
			return nil, bad(4, "%q is not a latitude", clip(fields[4]))
		}
		if p.Lon, err = strconv.ParseFloat(fields[5], 64); err != nil || p.Lon < -180 || p.Lon > 180 || math.IsNaN(p.Lon) {
			return nil, bad(5, "%q is not a longitude", clip(fields[5]))
		}
		if s := fields[14]; s != "" {
			if p.Population, err = strconv.ParseInt(s, 10, 64); err != nil || p.Population < 0 {
				return nil, bad(14, "%q is not a population", clip(s))
			}
		}
		if c, ok := codes[code]; ok {
			p.Code = c
		} else {
			p.Code = strings.Clone(code)
			codes[p.Code] = p.Code
		}
		p.Name = strings.Clone(p.Name)
		p.names = placeNames(p.Name, fields[2], fields[3])
		pf.Places = append(pf.Places, p)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%w: %s:%d: line longer than %d bytes (raise OCMAP_PLACES_MAX_LINE)", ErrPlacesFile, name, pf.Lines+1, lim.MaxLineBytes)
		}
		return nil, fmt.Errorf("geo: places: %s:%d: %w", name, pf.Lines+1, err)
	}
	return pf, nil
}

func clip(s string) string {
	if r := []rune(s); len(r) > 30 {
		return string(r[:30]) + "…"
	}
	return s
}

// placeNames returns the name keys of a place: its name, ASCII name and
// alternate names, without codes (IATA "PAJ", ICAO "OPPC": no lower-case
// letter) and keys under minPlaceRunes.
func placeNames(name, ascii, alternates string) []string {
	var keys []string
	add := func(s string) {
		k := nameKey(s)
		if len([]rune(k)) >= minPlaceRunes && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	add(name)
	add(ascii)
	for a := range strings.SplitSeq(alternates, ",") {
		a = strings.TrimSpace(a)
		if a == "" || !strings.ContainsFunc(a, unicode.IsLower) && isASCII(a) {
			continue
		}
		add(a)
	}
	return keys
}

// minPlaceRunes is the shortest name key a place is found by: two letters
// are an abbreviation more often than a village.
const minPlaceRunes = 3

// Dominance is how many times more people the most populous place of a
// name must have than the next one in another district for the name to
// mean it: "Wana" the town of 20,000, not a hamlet of 800 called Wana.
const Dominance = 10

// Places finds the district of a town or village by name. It is built once
// over a [PlaceFile], the boundaries and their gazetteer, and is safe for
// concurrent use.
type Places struct {
	Path, SHA256 string
	// Loaded is the number of places inside a district, Outside those in
	// none (other countries' rows, points off the boundary file), and
	// DistrictNames the names left to the gazetteer because they are a
	// district's name or an alias of another district (see NewPlaces).
	Loaded, Outside, DistrictNames int
	g                              *Gazetteer
	places                         []Place
	byKey                          map[string][]int32
	cache                          sync.Map // findKey -> PlaceMatch
	cached                         atomic.Int64
}

// NewPlaces places each place of pf in the district of g's boundaries
// that contains its point (ix indexes the same boundaries) and indexes
// them by name. A name that is a district's name in g, or an alias of
// another district than the one the place lies in, is not indexed: the
// gazetteer decides it. pf is not changed, so one file serves several
// boundary files.
func NewPlaces(pf *PlaceFile, g *Gazetteer, ix *Index) *Places {
	ps := &Places{Path: pf.Path, SHA256: pf.SHA256, g: g, byKey: map[string][]int32{}}
	ps.places = make([]Place, 0, len(pf.Places))
	skipped := map[string]bool{}
	for _, p := range pf.Places {
		p.District = ix.Locate(orb.Point{p.Lon, p.Lat})
		if p.District < 0 {
			ps.Outside++
			continue
		}
		i := int32(len(ps.places))
		for _, k := range p.names {
			if !g.placeKeyAgrees(k, p.District) {
				skipped[k] = true
				continue
			}
			ps.byKey[k] = append(ps.byKey[k], i)
		}
		p.names = nil
		ps.places = append(ps.places, p)
	}
	ps.Loaded, ps.DistrictNames = len(ps.places), len(skipped)
	return ps
}

// placeKeyAgrees reports whether a place's name key may find it: not a
// district's name ("Peshawar": the district, not the city's centre), and
// when it is an alias ("Wana", a town of South Waziristan), one of the
// district the place lies in. A name the gazetteer gives to another
// district, or to several ("Karachi"), is the gazetteer's to decide.
func (g *Gazetteer) placeKeyAgrees(key string, district int) bool {
	if len(g.exact[key]) > 0 {
		return false
	}
	for _, a := range g.alias[key] {
		if a.district != district {
			return false
		}
	}
	return true
}

// Len is the number of places indexed.
func (ps *Places) Len() int { return len(ps.places) }

// PlaceMatch is what [Places.Find] found in a text.
type PlaceMatch struct {
	Place *Place // nil when no place was found, or not one
	Text  string // the words of the text that named it
	// Ambiguous lists the districts of a name found in several, none
	// dominant; Place is nil then.
	Ambiguous []int
}

// OK reports whether a place was found.
func (m PlaceMatch) OK() bool { return m.Place != nil }

// Lookup finds the place a name denotes, within province when it is a
// known province (see [NormalizeProvince]): the only place of that name,
// or the most populous when all places of the name are in one district or
// it has [Dominance] times the people of the next in another district.
// A name in several districts without such a place is ambiguous: no
// Place, and the districts.
func (ps *Places) Lookup(name, province string) PlaceMatch {
	return ps.lookupKey(nameKey(name), ps.province(province))
}

func (ps *Places) province(s string) string {
	if ps.g != nil {
		return ps.g.province(s)
	}
	p, _ := NormalizeProvince(s)
	return p
}

func (ps *Places) lookupKey(key, province string) PlaceMatch {
	ids := ps.byKey[key]
	in := func(p *Place) bool { return province == "" || ps.g.prov[p.District] == province }
	// best is the most populous place (the first of equals), next the most
	// populous in another district.
	var best, next *Place
	for _, i := range ids {
		if p := &ps.places[i]; in(p) && (best == nil || p.Population > best.Population) {
			best = p
		}
	}
	if best == nil {
		return PlaceMatch{}
	}
	districts := []int{best.District}
	for _, i := range ids {
		p := &ps.places[i]
		if !in(p) || p.District == best.District {
			continue
		}
		if !slices.Contains(districts, p.District) {
			districts = append(districts, p.District)
		}
		if next == nil || p.Population > next.Population {
			next = p
		}
	}
	if next == nil || best.Population > 0 && best.Population >= Dominance*next.Population {
		return PlaceMatch{Place: best}
	}
	slices.Sort(districts)
	return PlaceMatch{Ambiguous: districts}
}

// placeWords are words that say what kind of place a text names, or where
// near it, not which: "Near Wana", "Mir Ali Bazaar", "Datta Khel area".
var placeWords = wordSet("near", "nearby", "area", "areas", "village", "vill", "town", "city", "bazaar", "bazar",
	"tehsil", "tahsil", "subdivision", "suburb", "suburbs", "outskirts", "outskirt", "of", "in", "the", "at",
	"vicinity", "locality", "mohalla", "moh", "district", "distt", "dist", "agency", "border", "afghan",
	"main", "market", "chowk", "adda", "close", "to", "on", "off", "from")

// WithoutPlaceWords is a place text as the place layer reads it (Find):
// each part between commas, brackets and dashes without the words that say
// what kind of place it is or where near it ("Chaman border", "Mir Ali
// Bazaar", "main chowk Wana"), and without the parts that name a road
// ("Chaman road, Killa Abdullah" is "Killa Abdullah"); the parts are
// joined by commas. A text with no such word is returned as it is.
func WithoutPlaceWords(text string) string {
	var parts []string
	changed := false
	for _, part := range strings.FieldsFunc(joinConnectors(text), func(r rune) bool { return strings.ContainsRune(",;/()[]|،-–", r) }) {
		ws := words(part)
		if namesRoad(part) {
			changed = true
			continue
		}
		kept := slices.DeleteFunc(slices.Clone(ws), func(w string) bool { return placeWords[w] })
		changed = changed || len(kept) < len(ws)
		if len(kept) > 0 {
			parts = append(parts, strings.Join(kept, " "))
		}
	}
	if !changed {
		return text
	}
	return strings.Join(parts, ", ")
}

// roadWords mark a part that names a road: roads are named after the towns
// they join ("Thall-Parachinar road", "Bannu-Miranshah road"), which are
// not where the event was.
var roadWords = wordSet("road", "rd", "highway", "motorway", "bypass", "expressway", "sadak")

// maxFindBytes bounds the text Find looks at: a longer text is a sentence,
// not a place name.
const maxFindBytes = 200

// maxFindParts bounds the parts of a text Find tries.
const maxFindParts = 8

type findKey struct{ text, province string }

// Find looks for one place named in a district hint or place text: the
// whole text without words like "near" or "area" and bracketed parts, else
// its parts split at commas, brackets and dashes, longest first ("Mir Ali
// (Near Afghan Border)", "Wana, South Waziristan"). Parts that name places
// in different districts cancel each other: no match. province restricts
// the places as for Lookup.
func (ps *Places) Find(text, province string) PlaceMatch {
	if ps == nil || len(text) == 0 || len(text) > maxFindBytes {
		return PlaceMatch{}
	}
	prov := ps.province(province)
	fk := findKey{text, prov}
	if v, ok := ps.cache.Load(fk); ok {
		return v.(PlaceMatch)
	}
	m := ps.find(text, prov)
	if ps.cached.Add(1) > maxCache {
		ps.cache.Clear()
		ps.cached.Store(0)
	}
	ps.cache.Store(fk, m)
	return m
}

func (ps *Places) find(text, prov string) PlaceMatch {
	whole := stripBrackets(text)
	wm := ps.lookupText(whole, prov)
	if wm.OK() {
		return wm
	}
	// Segments between commas and brackets, without those naming a road,
	// then their pieces between dashes ("Wana-mosque").
	var parts []string
	for _, seg := range strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune(",;/()[]|،", r) }) {
		if namesRoad(seg) {
			continue
		}
		pieces := strings.FieldsFunc(joinConnectors(seg), func(r rune) bool { return r == '-' || r == '–' })
		parts = append(parts, pieces...)
		if len(pieces) > 1 {
			parts = append(parts, seg)
		}
	}
	if len(parts) > maxFindParts {
		parts = parts[:maxFindParts]
	}
	slices.SortStableFunc(parts, func(a, b string) int { return len(strings.TrimSpace(b)) - len(strings.TrimSpace(a)) })
	var found PlaceMatch
	var amb []int
	for _, part := range parts {
		if strings.TrimSpace(part) == strings.TrimSpace(whole) {
			continue
		}
		m := ps.lookupText(part, prov)
		switch {
		case m.OK() && !found.OK():
			found = m
		case m.OK() && m.Place.District != found.Place.District:
			return PlaceMatch{Ambiguous: sortedUnion([]int{found.Place.District, m.Place.District}, nil)}
		case len(m.Ambiguous) > 0:
			amb = sortedUnion(amb, m.Ambiguous)
		}
	}
	if !found.OK() {
		return PlaceMatch{Ambiguous: sortedUnion(amb, wm.Ambiguous)}
	}
	return found
}

func sortedUnion(a, b []int) []int {
	for _, x := range b {
		if !slices.Contains(a, x) {
			a = append(a, x)
		}
	}
	slices.Sort(a)
	return a
}

func namesRoad(s string) bool {
	for _, w := range words(s) {
		if roadWords[w] {
			return true
		}
	}
	return false
}

// lookupText looks up one part of a text as written ("Chowk Azam"), else
// without its kind-of-place words ("Near Wana", "Mir Ali Bazaar").
func (ps *Places) lookupText(s, prov string) PlaceMatch {
	ws := words(s)
	kept := make([]string, 0, len(ws))
	for _, w := range ws {
		if roadWords[w] {
			return PlaceMatch{}
		}
		if !placeWords[w] {
			kept = append(kept, w)
		}
	}
	if len(kept) == 0 {
		return PlaceMatch{}
	}
	var m PlaceMatch
	if len(kept) < len(ws) {
		all := strings.Join(ws, " ")
		if m = ps.lookupKey(nameKey(all), prov); m.OK() {
			m.Text = all
			return m
		}
	}
	text := strings.Join(kept, " ")
	m2 := ps.lookupKey(nameKey(text), prov)
	m2.Text = text
	if !m2.OK() {
		m2.Ambiguous = sortedUnion(m2.Ambiguous, m.Ambiguous)
	}
	return m2
}

// stripBrackets removes bracketed parts: "Mir Ali (Near Afghan Border)" is
// "Mir Ali ".
func stripBrackets(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch r {
		case '(', '[':
			depth++
		case ')', ']':
			if depth > 0 {
				depth--
			}
		default:
			if depth == 0 {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// DistanceKm is the great-circle distance in km between two lon/lat
// points (haversine, earth radius 6371 km).
func DistanceKm(a, b orb.Point) float64 {
	const r = 6371.0
	rad := math.Pi / 180
	dLat, dLon := (b[1]-a[1])*rad, (b[0]-a[0])*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a[1]*rad)*math.Cos(b[1]*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}

// Source names the file and its licence: "geonames_cities500_PK.tsv:
// GeoNames (geonames.org), CC BY 4.0".
func (ps *Places) Source() string {
	return filepath.Base(ps.Path) + ": " + PlacesLicence
}

// All returns the places inside a district, in file order; callers must
// not change them.
func (ps *Places) All() []Place { return ps.places }
