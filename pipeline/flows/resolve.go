package flows

import (
	"regexp"
	"strings"
	"time"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/schemas"
)

// Kinds of an End.
const (
	District = "district"
	Country  = geo.CountryKind
	Region   = geo.RegionKind
)

// End is a resolved origin or destination.
type End struct {
	Kind     string `json:"kind"`               // District, Country or Region
	Code     string `json:"code"`               // district code, or ISO 3166-1 alpha-2 (XG, XE for groups)
	Name     string `json:"name"`               // as the boundary file or countries.csv spells it
	Province string `json:"province,omitempty"` // of a district
}

// Bases of a resolved end: the field it came from.
const (
	BasisOrigin      = "origin"
	BasisDestination = "destination"
	BasisRoute       = "route"
	BasisNationality = "nationality"
	BasisSeizure     = "seizure district"
)

// Reasons an end is unresolved.
const (
	NotGiven    = "not given"                       // no field gives it
	Unknown     = "not a known district or country" // the gazetteer and countries.csv do not know the name
	Ambiguous   = "names several districts"         // "Karachi": the city spans six
	ProvinceOf  = "names a province only"
	Nationwide  = "names Pakistan as a whole"
	NotForeign  = "nationality is not a foreign country"
	SeizureLost = "seizure has no district"
)

// Resolved is one end of one record: the End, or why there is none.
type Resolved struct {
	End    End
	OK     bool
	Basis  string // the field it came from (or would have)
	Reason string // when not OK
}

// given reports whether a field gave the end (resolved or not).
func (r Resolved) given() bool { return r.OK || r.Reason != NotGiven }

// Record is what one record says of where it came from and went.
type Record struct {
	Category                                schemas.Category
	On                                      time.Time // date, for aliases in force then; zero: any
	District                                string    // district code where the record is placed, "" none
	Origin, Destination, Route, Nationality string
}

// Resolver resolves ends through a gazetteer and a countries table. It is
// safe for concurrent use.
type Resolver struct {
	g  *geo.Gazetteer
	cs *geo.Countries
	by map[string]int // district code -> index
}

// NewResolver returns a Resolver over g's boundary file and cs.
func NewResolver(g *geo.Gazetteer, cs *geo.Countries) *Resolver {
	r := &Resolver{g: g, cs: cs, by: map[string]int{}}
	for i, d := range g.Boundaries().Districts {
		r.by[d.Code] = i
	}
	return r
}

// Countries returns the countries table.
func (r *Resolver) Countries() *geo.Countries { return r.cs }

// Place resolves one place name to a district or a country.
func (r *Resolver) Place(name string, on time.Time) Resolved {
	name = strings.TrimSpace(name)
	if name == "" {
		return Resolved{Reason: NotGiven}
	}
	if c, ok := r.cs.Lookup(name); ok {
		return Resolved{End: End{Kind: c.Kind, Code: c.Code, Name: c.Name}, OK: true}
	}
	m := r.g.Match(name, "", on)
	switch {
	case m.District >= 0: // a district, or a town in one (PrecisionNear)
		return Resolved{End: r.district(m.District), OK: true}
	case m.Method == geo.MethodCountry:
		return Resolved{Reason: Nationwide}
	case len(m.Candidates) > 1 && m.Candidates[0].Score >= 1:
		return Resolved{Reason: Ambiguous}
	case m.Province != "" && m.Precision == geo.PrecisionProvince:
		return Resolved{Reason: ProvinceOf}
	}
	return Resolved{Reason: Unknown}
}

func (r *Resolver) district(i int) End {
	d := r.g.Boundaries().Districts[i]
	return End{Kind: District, Code: d.Code, Name: d.Name, Province: r.g.ProvinceOf(i)}
}

// Ends resolves a record's origin and destination by the rules of the
// package documentation.
func (r *Resolver) Ends(rec Record) (origin, dest Resolved) {
	places := RoutePlaces(rec.Route)
	origin = r.Place(rec.Origin, rec.On)
	origin.Basis = BasisOrigin
	if !origin.given() && len(places) > 1 {
		origin = r.Place(places[0], rec.On)
		origin.Basis = BasisRoute
	}
	if !origin.given() && rec.Category == schemas.HumanTrafficking && strings.TrimSpace(rec.Nationality) != "" {
		origin = r.Place(rec.Nationality, rec.On)
		origin.Basis = BasisNationality
		if origin.OK && origin.End.Kind == District || origin.Reason == Nationwide || isPakistani(rec.Nationality) {
			origin = Resolved{Basis: BasisNationality, Reason: NotForeign}
		}
	}
	dest = r.Place(rec.Destination, rec.On)
	dest.Basis = BasisDestination
	if !dest.given() && len(places) > 1 {
		dest = r.Place(places[len(places)-1], rec.On)
		dest.Basis = BasisRoute
	}
	if !dest.given() && rec.Category == schemas.DrugTrafficking {
		dest = Resolved{Basis: BasisSeizure, Reason: SeizureLost}
		if i, ok := r.by[rec.District]; ok {
			dest = Resolved{End: r.district(i), OK: true, Basis: BasisSeizure}
		}
	}
	return origin, dest
}

// isPakistani reports whether a nationality names Pakistan's own people.
func isPakistani(s string) bool {
	switch strings.Join(strings.Fields(strings.ToLower(s)), " ") {
	case "pakistani", "pakistanis", "pakistan", "pak", "پاکستانی":
		return true
	}
	return false
}

// routeSplit cuts a route into places: arrows, dashes and punctuation, and
// the linking words in English and Urdu. A hyphen cuts only with a space
// beside it, as "N-25" and "Kala-Bagh" are names.
var routeSplit = regexp.MustCompile(`(?i)\s*(?:->|=>|→|⇒|>|–|—|\s-|-\s|--|,|;|/|\||\b(?:to|via|through|thru|then|onward to|towards)\b|(?:^|\s)(?:براستہ|سے|تک|اور)(?:\s|$))\s*`)

// filler are words that, alone, are no place: what is left of "from X" or
// "X border".
var filler = map[string]bool{"from": true, "via": true, "to": true, "the": true, "border": true, "road": true,
	"by road": true, "by sea": true, "by air": true, "sea": true, "air": true, "land": true, "and": true, "route": true}

// RoutePlaces splits a route into its places, in order: "Kandahar - Chaman
// - Quetta to Karachi" gives Kandahar, Chaman, Quetta, Karachi.
func RoutePlaces(route string) []string {
	var out []string
	for _, p := range routeSplit.Split(route, -1) {
		p = strings.TrimSpace(p)
		p = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(p, "from "), "From "))
		if p == "" || filler[strings.ToLower(p)] {
			continue
		}
		out = append(out, p)
	}
	return out
}
