package geo

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// ErrCountryTable is returned for a countries table that cannot be read.
var ErrCountryTable = errors.New("geo: bad countries table")

// Kinds of a Country row.
const (
	CountryKind = "country" // a state, coded by ISO 3166-1 alpha-2
	RegionKind  = "region"  // a group of states (the Gulf, Europe), coded by a user-assigned code (XA to XZ)
)

// Country is a state, or a group of states, that records name as the
// origin or destination of a consignment or of trafficked people.
type Country struct {
	Code   string    // ISO 3166-1 alpha-2 ("AE"), or XA..XZ for a group
	Kind   string    // CountryKind or RegionKind
	Name   string    // "United Arab Emirates"
	Region string    // the group's code ("XG" for a Gulf state), or ""
	Anchor orb.Point // (lon, lat) inside the country, where maps end its flows
	Where  string    // what the anchor is ("Kabul", "inland Qatar peninsula")
	Names  []string  // spellings, demonyms, cities and Urdu names that denote it
}

// Countries finds a country by any of its names. It is built once and safe
// for concurrent use.
type Countries struct {
	list  []Country
	byKey map[string]int
	codes map[string]int
}

var (
	alpha2   = regexp.MustCompile(`^[A-Z]{2}$`)
	userCode = regexp.MustCompile(`^X[A-Z]$`)
)

// ReadCountries reads a countries table: a header code, kind, name,
// region, lon, lat, anchor, names, then one row a country; names are
// separated by "|". Every error names the row and field. A name that two
// rows claim is an error, since it could not be resolved.
func ReadCountries(r io.Reader, name string) (*Countries, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 8
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: header: %v", ErrCountryTable, name, err)
	}
	want := []string{"code", "kind", "name", "region", "lon", "lat", "anchor", "names"}
	for i, h := range head {
		if strings.TrimSpace(h) != want[i] {
			return nil, fmt.Errorf("%w: %s:1: column %d is %q, want %q", ErrCountryTable, name, i+1, h, want[i])
		}
	}
	cs := &Countries{byKey: map[string]int{}, codes: map[string]int{}}
	owner := map[string]string{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrCountryTable, name, err)
		}
		bad := func(field, format string, args ...any) error {
			return fmt.Errorf("%w: %s:%d: %s: %s", ErrCountryTable, name, line, field, fmt.Sprintf(format, args...))
		}
		c := Country{Code: strings.TrimSpace(rec[0]), Kind: strings.TrimSpace(rec[1]), Name: strings.TrimSpace(rec[2]),
			Region: strings.TrimSpace(rec[3]), Where: strings.TrimSpace(rec[6])}
		switch {
		case c.Kind == CountryKind && (!alpha2.MatchString(c.Code) || userCode.MatchString(c.Code)):
			return nil, bad("code", "%q is not an ISO 3166-1 alpha-2 code", c.Code)
		case c.Kind == RegionKind && !userCode.MatchString(c.Code):
			return nil, bad("code", "%q: a group of countries takes a user-assigned code, XA to XZ", c.Code)
		case c.Kind != CountryKind && c.Kind != RegionKind:
			return nil, bad("kind", "%q: want country or region", c.Kind)
		case c.Name == "":
			return nil, bad("name", "empty")
		}
		if _, dup := cs.codes[c.Code]; dup {
			return nil, bad("code", "%s appears twice", c.Code)
		}
		lon, err1 := strconv.ParseFloat(strings.TrimSpace(rec[4]), 64)
		lat, err2 := strconv.ParseFloat(strings.TrimSpace(rec[5]), 64)
		if err1 != nil || err2 != nil || math.Abs(lon) > 180 || math.Abs(lat) > 90 {
			return nil, bad("lon, lat", "%q, %q is not a point in degrees", rec[4], rec[5])
		}
		c.Anchor = orb.Point{lon, lat}
		for _, n := range strings.Split(rec[7], "|") {
			if n = strings.TrimSpace(n); n == "" {
				continue
			}
			k := countryKey(n)
			if k == "" {
				return nil, bad("names", "%q has no letters", n)
			}
			if o, ok := owner[k]; ok && o != c.Code {
				return nil, bad("names", "%q is already a name of %s", n, o)
			}
			owner[k] = c.Code
			cs.byKey[k] = len(cs.list)
			c.Names = append(c.Names, n)
		}
		if len(c.Names) == 0 {
			return nil, bad("names", "empty")
		}
		cs.codes[c.Code] = len(cs.list)
		cs.list = append(cs.list, c)
	}
	for i, c := range cs.list {
		if c.Region == "" {
			continue
		}
		j, ok := cs.codes[c.Region]
		if !ok || cs.list[j].Kind != RegionKind {
			return nil, fmt.Errorf("%w: %s: %s: region %q is not a group of the table", ErrCountryTable, name, cs.list[i].Code, c.Region)
		}
	}
	return cs, nil
}

// countryKey folds a name as the gazetteer folds district names (case,
// script, diacritics), words joined by one space.
func countryKey(s string) string { return strings.Join(words(s), " ") }

// Lookup returns the country or group that name denotes, whole: "UAE",
// "Dubai", "Afghan", "ایران". Words around a name are not searched.
func (cs *Countries) Lookup(name string) (Country, bool) {
	i, ok := cs.byKey[countryKey(name)]
	if !ok {
		return Country{}, false
	}
	return cs.list[i], true
}

// Code returns the country or group with code.
func (cs *Countries) Code(code string) (Country, bool) {
	i, ok := cs.codes[code]
	if !ok {
		return Country{}, false
	}
	return cs.list[i], true
}

// All returns the countries and groups in table order.
func (cs *Countries) All() []Country { return cs.list }
