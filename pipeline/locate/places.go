package locate

import (
	"fmt"
	"slices"

	"github.com/paulmach/orb"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/schemas"
)

// PlaceKm is how far a row's point may lie from the town its text names
// before the two disagree (a note that 'ocmap review' lists). A GeoNames
// point is a town's centre; the towns of the tribal districts and their
// tehsils are about 20 km across, and a district about 60-100 km, so 25 km
// is outside the town and its surroundings but well short of the
// neighbouring district's towns.
const PlaceKm = 25.0

// UsePlaces adds a place layer from a GeoNames file (geo.ReadPlacesFile):
// a row whose name the gazetteer cannot place in one district is placed
// near the town or village it names, and a row whose point is far from the
// town it names is noted. It returns the layer, for its counts. Call it
// before the Locator is shared.
func (l *Locator) UsePlaces(pf *geo.PlaceFile) *geo.Places {
	l.places = geo.NewPlaces(pf, l.g, l.ix)
	return l.places
}

// Places returns the place layer, or nil.
func (l *Locator) Places() *geo.Places { return l.places }

// byPlace is the place layer's step: when the gazetteer found no single
// district for the hint (m), the hint, else the place text, may name a
// town. A hint that names several districts ("Karachi") takes a town only
// among them. The row's stated province (else the one the hint gave)
// restricts the towns. When the hint and the place text name towns in two
// districts, neither is taken; nor is a town of a hint whose parts name
// two districts ("Murree, Lahore", m.Conflict): the town is one side of
// the contradiction, not a way out of it.
func (l *Locator) byPlace(q *schemas.PlaceQuery, m geo.Match, outside string) (schemas.Placement, bool) {
	if l.places == nil || m.District >= 0 || m.Conflict {
		return schemas.Placement{}, false
	}
	prov := string(q.Province)
	if _, ok := geo.NormalizeProvince(prov); !ok {
		prov = m.Province
	}
	var among []int // the districts an ambiguous name denotes
	for _, c := range m.Candidates {
		if c.Score >= 1 {
			among = append(among, c.District)
		}
	}
	var hit geo.PlaceMatch
	for _, text := range [][]byte{q.Hint, q.Place} {
		pm := l.places.Find(string(text), prov)
		if !pm.OK() {
			continue
		}
		if len(among) > 0 && !slices.Contains(among, pm.Place.District) {
			return schemas.Placement{}, false
		}
		if hit.OK() && hit.Place.District != pm.Place.District {
			return schemas.Placement{}, false
		}
		if !hit.OK() {
			hit = pm
		}
	}
	if !hit.OK() {
		return schemas.Placement{}, false
	}
	p := hit.Place
	return schemas.Placement{District: p.District, Precision: schemas.PrecisionNear, Method: schemas.MethodPlace, Score: 1, OK: true,
		Note: outside + fmt.Sprintf("near %s, a GeoNames place at %.4f E %.4f N", p.Name, p.Lon, p.Lat)}, true
}

// farPlace notes a row whose point, in district i, is more than PlaceKm
// from the town its hint or place text names. A hint that the gazetteer
// places in a district is a district's name, not a town's, and is not
// measured.
func (l *Locator) farPlace(q *schemas.PlaceQuery, i int, match func(hint, province []byte, on int32) geo.Match) string {
	if l.places == nil {
		return ""
	}
	texts := [][]byte{q.Place}
	if len(q.Hint) > 0 {
		if m := match(q.Hint, q.Province, q.On); m.District < 0 {
			texts = [][]byte{q.Hint, q.Place}
		}
	}
	for _, text := range texts {
		pm := l.places.Find(string(text), string(q.Province))
		if !pm.OK() {
			continue
		}
		p := pm.Place
		km := geo.DistanceKm(orb.Point{q.Lon, q.Lat}, orb.Point{p.Lon, p.Lat})
		if km <= PlaceKm {
			return ""
		}
		return fmt.Sprintf("the point is in %s but the place %s (GeoNames) is %.0f km away in %s",
			l.b.Districts[i].Name, p.Name, km, l.b.Districts[p.District].Name) + schemas.NotePointKept
	}
	return ""
}
