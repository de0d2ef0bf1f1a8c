// Package locate places incidents in districts: by point-in-polygon when a
// row has coordinates, by the gazetteer when it has only a place name.
package locate

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/ocmap/ocmap/data"
	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/schemas"
)

// Locator places rows using one boundary file and the gazetteer built over
// it. It is safe for concurrent use; [Locator.Worker] gives each goroutine
// a cache of the names it has matched.
type Locator struct {
	b        *geo.Boundaries
	ix       *geo.Index
	g        *geo.Gazetteer
	bounds   []orb.Bound
	warnings []string
	places   *geo.Places // nil: no place layer (see UsePlaces)
	// countries knows the places abroad that rows name (Spin Boldak,
	// Amritsar), so that a point just across the border with such a name
	// is not snapped into Pakistan.
	countries *geo.Countries
}

// SnapKm is how far outside every district a point may lie and still be
// placed in the nearest one (precision 2): simplified boundary files leave
// slivers between neighbours and cut corners off coastlines and borders.
const SnapKm = 2.0

// kmPerDegree is a degree of latitude; a degree of longitude is shorter, so
// distances in degrees times this overestimate, and snapping stays within
// SnapKm.
const kmPerDegree = 111.32

// New builds the spatial index and the gazetteer (with the alias table
// embedded in the binary) over b.
func New(b *geo.Boundaries) *Locator {
	l, err := NewWithAliases(b, nil)
	if err != nil {
		panic(err) // the embedded table is tested; this cannot happen in a build
	}
	return l
}

// NewWithAliases is New with a user's aliases (geo.ReadAliases) added to
// the embedded table, such as the spellings 'ocmap review' found.
func NewWithAliases(b *geo.Boundaries, extra []geo.Alias) (*Locator, error) {
	// The point index and the gazetteer are independent, and each takes
	// 0.04-0.07 s on the full-resolution map: they are built at once.
	ix := make(chan *geo.Index, 1)
	go func() { ix <- geo.NewIndex(b.Polygons) }()
	aliases, err := geo.ReadAliases(bytes.NewReader(data.GazetteerAliases))
	if err != nil {
		<-ix
		return nil, fmt.Errorf("locate: the embedded alias table: %w", err)
	}
	g, warnings, err := geo.NewGazetteer(b, append(aliases, extra...))
	if err != nil {
		<-ix
		return nil, fmt.Errorf("locate: %w", err)
	}
	countries, err := geo.ReadCountries(bytes.NewReader(data.Countries), "data/flows/countries.csv")
	if err != nil {
		<-ix
		return nil, fmt.Errorf("locate: the embedded countries table: %w", err)
	}
	bounds := make([]orb.Bound, len(b.Polygons))
	for i, mp := range b.Polygons {
		bounds[i] = mp.Bound()
	}
	return &Locator{b: b, ix: <-ix, g: g, bounds: bounds, warnings: warnings, countries: countries}, nil
}

// snap returns the district nearest to a point outside every district when
// it is within SnapKm, with the distance in km, or -1.
func (l *Locator) snap(p orb.Point) (int, float64) {
	pad := SnapKm / kmPerDegree
	best, bestKm := -1, SnapKm
	for i, bd := range l.bounds {
		if !bd.Pad(pad).Contains(p) {
			continue
		}
		if km := planar.DistanceFrom(l.b.Polygons[i], p) * kmPerDegree; km <= bestKm {
			best, bestKm = i, km
		}
	}
	return best, bestKm
}

// Boundaries returns the boundary file the Locator uses.
func (l *Locator) Boundaries() *geo.Boundaries { return l.b }

// Gazetteer returns the gazetteer over the Locator's boundaries.
func (l *Locator) Gazetteer() *geo.Gazetteer { return l.g }

// Warnings lists the aliases of the table that name no district of the
// boundary file (expected for other frames: geoBoundaries lacks newer
// districts).
func (l *Locator) Warnings() []string { return l.warnings }

// Locate returns the district holding the point, or -1.
func (l *Locator) Locate(lon, lat float64) int { return l.ix.Locate(orb.Point{lon, lat}) }

// District implements normalize.Placer.
func (l *Locator) District(i int) (code, name, province string) {
	d := &l.b.Districts[i]
	return d.Code, d.Name, d.Province
}

// Place implements normalize.Placer without a cache.
func (l *Locator) Place(q *schemas.PlaceQuery) schemas.Placement {
	return l.place(q, l.match)
}

// match asks the gazetteer.
func (l *Locator) match(hint, province []byte, on int32) geo.Match {
	return l.g.Match(string(hint), string(province), day(on))
}

func day(on int32) time.Time {
	if on == 0 {
		return time.Time{}
	}
	return time.Unix(int64(on)*86400, 0).UTC()
}

// place decides. A point inside a district wins; when the row also names a
// place in another district, the disagreement is noted. A row without a
// point inside a district is placed by its name through the gazetteer; a
// name the gazetteer cannot settle on one district keeps the row in its
// province when that is known (precision 4), else rejects it with the
// candidates.
func (l *Locator) place(q *schemas.PlaceQuery, match func(hint, province []byte, on int32) geo.Match) schemas.Placement {
	if q.HasPoint && wholeDegrees(q.Lon, q.Lat) {
		if i := l.ix.Locate(orb.Point{q.Lon, q.Lat}); i >= 0 {
			return l.wholeDegrees(q, i, match)
		}
	}
	if q.HasPoint {
		if i := l.ix.Locate(orb.Point{q.Lon, q.Lat}); i >= 0 {
			if p, ok := l.otherProvince(q, i, match); ok {
				return p
			}
			p := schemas.Placement{District: i, Precision: schemas.PrecisionPoint, Method: schemas.MethodPoint, Score: 1, OK: true}
			if len(q.Hint) > 0 {
				if m := match(q.Hint, q.Province, q.On); m.District >= 0 && m.District != i {
					if m.Method == geo.MethodFuzzy {
						// A close spelling is weaker evidence than a point:
						// "Akora" (a town in Nowshera) is not Okara.
						p.Note = fmt.Sprintf("the point is in %s but the name %s is close to %s (%.2f)",
							l.b.Districts[i].Name, quote(q.Hint), l.b.Districts[m.District].Name, m.Score) + schemas.NotePointKept
						return p
					}
					if l.g.CarvedFrom(i, m.District) {
						// The name is the district the point's was carved
						// out of ("Qila Abdullah" for a point in Chaman):
						// both say the point's.
						return p
					}
					// The name with a place carved out of it ("Qila
					// Abdullah" with "Chaman") says the carved-out
					// district, as it does for a row without a point.
					named, carved := m, ""
					if c, ok := l.carvedOut(q, m, match); ok && c.District >= 0 {
						named = geo.Match{District: c.District, Precision: geo.PrecisionDistrict, Method: geo.MethodAlias, Score: 1}
						carved = c.Note + "; "
					}
					if byName, ok := l.nameOverPoint(q, i, named); ok {
						byName.Note = carved + byName.Note
						return byName
					}
					p.Note = fmt.Sprintf("the point is in %s but the name %s is %s",
						l.b.Districts[i].Name, quote(q.Hint), l.b.Districts[m.District].Name) + schemas.NotePointKept
				}
			}
			if p.Note == "" {
				p.Note = l.farPlace(q, i, match) // place layer: a named town far from the point
			}
			return p
		}
	}
	outside := ""
	if q.HasPoint {
		outside = "coordinates outside every district: "
		if i, km := l.snap(orb.Point{q.Lon, q.Lat}); i >= 0 {
			// A name that says another district wins over a snapped point.
			m := geo.Match{District: -1}
			if len(q.Hint) > 0 {
				m = match(q.Hint, q.Province, q.On)
			}
			if m.District < 0 && len(q.Hint) > 0 {
				// "Spin Boldak" with a point 1 km outside Chaman: the name
				// says the point is across the border, not a sliver.
				if c, ok := l.countries.Lookup(string(q.Hint)); ok && c.Kind == geo.CountryKind {
					return schemas.Placement{Field: schemas.FieldLat,
						Reason: fmt.Sprintf("coordinates are outside every district and the name %s is in %s", quote(q.Hint), c.Name)}
				}
			}
			if m.District < 0 || m.District == i {
				return schemas.Placement{District: i, Precision: schemas.PrecisionNear, Method: schemas.MethodPoint, Score: 1, OK: true,
					Note: fmt.Sprintf("point %.1f km outside %s, placed in it", km, l.b.Districts[i].Name)}
			}
		}
	}
	if len(q.Hint) == 0 {
		if p, ok := l.byPlace(q, geo.Match{District: -1}, outside); ok { // place layer
			return p
		}
		if p, ok := l.byText(q, geo.Match{District: -1}, outside); ok {
			return p
		}
		if prov, ok := geo.NormalizeProvince(string(q.Province)); ok {
			return schemas.Placement{District: -1, Precision: schemas.PrecisionProvince, Method: schemas.MethodProvince,
				Province: prov, Note: outside + "no district name: kept in the province", OK: true}
		}
		if q.HasPoint {
			return schemas.Placement{Field: schemas.FieldLat, Reason: "coordinates are outside every district and no district name is given"}
		}
		if len(q.Text) > 0 {
			// The raw row holds a sentence, perhaps full of place names:
			// say it was read.
			return schemas.Placement{Field: schemas.FieldLat, Reason: "no coordinates and no district name, and the narrative text names no one place"}
		}
		return schemas.Placement{Field: schemas.FieldLat, Reason: "no coordinates and no district name"}
	}
	m := match(q.Hint, q.Province, q.On)
	if m.District >= 0 && m.Method == geo.MethodFuzzy {
		// A town the place layer knows by this very name beats a close
		// spelling of a district's name.
		if p, ok := l.byPlace(q, geo.Match{District: -1}, outside); ok && p.District != m.District {
			p.Note += fmt.Sprintf("; not %s, whose name is only close (%.2f)", l.b.Districts[m.District].Name, m.Score)
			return p
		}
	}
	if m.District >= 0 {
		if p, ok := l.carvedOut(q, m, match); ok {
			p.Note = outside + p.Note
			return p
		}
		p := schemas.Placement{District: m.District, Precision: m.Precision, Method: m.Method, Score: float32(m.Score), OK: true}
		switch {
		case outside != "":
			p.Note = schemas.NoteByName
		case m.HintIgnored:
			p.Note = fmt.Sprintf("the name is in %s, not in the province given (%s)", m.Province, quote(q.Province))
		}
		return p
	}
	if p, ok := l.oneOfSeveral(q, m); ok {
		if outside != "" {
			p.Note = outside + p.Note
		}
		return p
	}
	if p, ok := l.byPlace(q, m, outside); ok { // place layer
		return p
	}
	if p, ok := l.byText(q, m, outside); ok {
		return p
	}
	if m.Method == geo.MethodCountry {
		return schemas.Placement{District: -1, Precision: schemas.PrecisionCountry, Method: schemas.MethodCountry, Score: 1,
			Note: outside + "the name is the country: kept at national level", OK: true}
	}
	cands := candidates(m)
	if m.Province != "" {
		note := fmt.Sprintf("%sthe name %s is not one district", outside, quote(q.Hint))
		if cands != "" {
			note += " (" + cands + ")"
		}
		return schemas.Placement{District: -1, Precision: schemas.PrecisionProvince, Method: schemas.MethodProvince,
			Province: m.Province, Note: note + ": kept in the province", OK: true}
	}
	field, reason := schemas.FieldDistrictHint, "unknown district name"
	if q.HasPoint {
		field, reason = schemas.FieldLat, "coordinates are outside every district and the district name is not known"
	}
	if several := severalProvinces(m); several != "" {
		reason = "the name is " + several + ": give the row's province, or the district"
		if q.HasPoint {
			reason = "coordinates are outside every district and the name is " + several
		}
		return schemas.Placement{Field: field, Reason: reason}
	}
	if cands != "" {
		reason += " (" + cands + ")"
	}
	return schemas.Placement{Field: field, Reason: reason}
}

// severalProvinces describes a name that is the name of several districts
// in different provinces ("Khanpur" is a tehsil of Haripur, Rahim Yar Khan
// and Shikarpur): "a place in 3 districts of different provinces (Haripur
// (Khyber Pakhtunkhwa), Rahim Yar Khan (Punjab), Shikarpur (Sindh))"; "" for
// any other match. Such a name is
// known, not misspelt: the reason must not call it unknown.
func severalProvinces(m geo.Match) string {
	var names []string
	for _, c := range m.Candidates {
		if c.Score == 1 {
			names = append(names, c.Name+" ("+c.Province+")")
		}
	}
	if len(names) < 2 {
		return ""
	}
	return fmt.Sprintf("a place in %d districts of different provinces (%s)", len(names), strings.Join(names, ", "))
}

// wholeDegrees reports a point whose latitude and longitude are both whole
// degrees (30, 70): a placeholder or a rounding, not a location. Each is
// ±0.5 degree, 55 km, about a district's width.
func wholeDegrees(lon, lat float64) bool {
	return lon == math.Trunc(lon) && lat == math.Trunc(lat)
}

// wholeDegrees places a row whose point, in whole degrees, falls in
// district i by its names, as a row without a point; with no name that
// places it, in the province of the point (precision 4), never in district
// i. (A point outside every district is not used in any case.)
func (l *Locator) wholeDegrees(q *schemas.PlaceQuery, i int, match func(hint, province []byte, on int32) geo.Match) schemas.Placement {
	said := fmt.Sprintf("the point (%g, %g) is in whole degrees, not a location", q.Lat, q.Lon)
	byName := *q
	byName.HasPoint = false
	if p := l.place(&byName, match); p.OK {
		p.Note = said + "; " + cmp.Or(p.Note, "placed by its name")
		return p
	}
	prov := l.b.Districts[i].Province
	if p, ok := geo.NormalizeProvince(prov); ok {
		prov = p
	}
	return schemas.Placement{District: -1, Precision: schemas.PrecisionProvince, Method: schemas.MethodProvince, Province: prov, OK: true,
		Note: said + "; no name places the row: kept in the province of the point"}
}

// oneOfSeveral places a row whose name is several districts ("Karachi" is
// six) in the one of them that its place text names ("Orangi Town" is in
// West Karachi), precision 3. Only those districts are read in the text,
// so "Kohat road, Karachi" cannot take it elsewhere.
func (l *Locator) oneOfSeveral(q *schemas.PlaceQuery, m geo.Match) (schemas.Placement, bool) {
	if len(q.Place) == 0 || len(m.Candidates) < 2 || m.Candidates[1].Score != 1 {
		return schemas.Placement{}, false
	}
	found := -1
	for _, d := range l.g.Mentions(withoutName(q), string(q.Province), day(q.On)) {
		if !slices.ContainsFunc(m.Candidates, func(c geo.Candidate) bool { return c.Score == 1 && c.District == d }) {
			continue
		}
		if found >= 0 {
			return schemas.Placement{}, false // the text names two of them
		}
		found = d
	}
	if found < 0 {
		return schemas.Placement{}, false
	}
	return schemas.Placement{District: found, Precision: schemas.PrecisionDistrict, Method: schemas.MethodAlias, Score: 1, OK: true,
		Note: fmt.Sprintf("the name %s is %d districts; the place %s is in %s", quote(q.Hint), len(m.Candidates),
			quote(q.Place), l.b.Districts[found].Name)}, true
}

// carvedOut places a row whose name gives district m in the district its
// place text names, when that district was carved out of m
// (geo.Gazetteer.CarvedFrom): "Qila Abdullah" with the place "Chaman",
// a district of its own since 2021, is in Chaman on the boundary file's
// map, as sources go on writing the district they always wrote. The place
// text is read as a whole name (a place column of "Chaman") and for the
// districts it names; two districts carved out of m leave the row to m.
// A place that also names a district neither m nor carved out of it
// ("Surab, Khuzdar" for Kalat) contradicts itself: the row is kept in
// m's province (precision 4, District -1), with a note.
func (l *Locator) carvedOut(q *schemas.PlaceQuery, m geo.Match, match func(hint, province []byte, on int32) geo.Match) (schemas.Placement, bool) {
	if len(q.Place) == 0 || !l.g.HasCarved(m.District) {
		return schemas.Placement{}, false
	}
	var carved []int // the districts carved out of m that the place is in
	add := func(d int) {
		if d >= 0 && l.g.CarvedFrom(d, m.District) && !slices.Contains(carved, d) {
			carved = append(carved, d)
		}
	}
	rest := withoutName(q)
	var others []int // other districts the place is in: it contradicts itself
	// The districts the place is in, not those it is near, from or on the
	// way to ("Loralai, near Duki" is in Loralai).
	for _, sm := range l.g.Scan(rest, string(q.Province), day(q.On)) {
		if sm.Near || sm.Unread || sm.Road || sm.District < 0 {
			continue
		}
		add(sm.District)
		if sm.District != m.District && !l.g.CarvedFrom(sm.District, m.District) && !slices.Contains(others, sm.District) {
			others = append(others, sm.District)
		}
	}
	// The place as a whole name, also without the row's name ("Chaman,
	// Qila Abdullah"): a word that is also an ordinary one ("chaman", a
	// meadow) is no mention in a phrase, but is a name as a column's value,
	// and so it is with the words for the kind of place read past, as the
	// place layer reads them ("Chaman border", "Chaman Bazaar"; "Chaman
	// road" is a road). Not a place said to be near, from or on the way to
	// one.
	for _, name := range []string{string(q.Place), strings.Trim(rest, " ,;:-/()")} {
		if geo.HasNearWord(name) {
			break
		}
		for _, n := range slices.Compact([]string{name, geo.WithoutPlaceWords(name)}) {
			if pm := match([]byte(n), q.Province, q.On); pm.Method != geo.MethodFuzzy {
				add(pm.District)
			}
		}
	}
	if len(carved) != 1 {
		return schemas.Placement{}, false
	}
	found := carved[0]
	if len(others) > 0 {
		// "Kalat" with "Surab, Khuzdar": the place names the carved-out
		// district and another, as a name "Murree, Lahore" does, and
		// neither side is taken. The row's name's province holds them
		// both (another province named is the place's mistake, not the
		// row's).
		names := make([]string, 0, len(others)+1)
		for _, d := range append([]int{found}, others...) {
			names = append(names, l.b.Districts[d].Name)
		}
		return schemas.Placement{District: -1, Precision: schemas.PrecisionProvince, Method: schemas.MethodProvince,
			Province: l.g.ProvinceOf(m.District), OK: true,
			Note: fmt.Sprintf("the name %s is %s, but the place %s names %s (carved out of it) and %s: kept in the province",
				quote(q.Hint), l.b.Districts[m.District].Name, quote(q.Place), names[0], strings.Join(names[1:], ", "))}, true
	}
	return schemas.Placement{District: found, Precision: schemas.PrecisionDistrict, Method: schemas.MethodAlias, Score: 1, OK: true,
		Note: fmt.Sprintf("the name %s is %s, and the place %s is in %s, since carved out of it", quote(q.Hint),
			l.b.Districts[m.District].Name, quote(q.Place), l.b.Districts[found].Name)}, true
}

// byText places a row by the places its narrative text names (geo.Scan,
// geo.Settle): a district at precision 3, or a province at 4, noting the
// words it went by. A name m of several districts admits only those.
func (l *Locator) byText(q *schemas.PlaceQuery, m geo.Match, outside string) (schemas.Placement, bool) {
	if len(q.Text) == 0 {
		return schemas.Placement{}, false
	}
	d, prov, used := l.g.Settle(l.g.Scan(string(q.Text), string(q.Province), day(q.On)))
	if d >= 0 && len(m.Candidates) > 1 && m.Candidates[1].Score == 1 &&
		!slices.ContainsFunc(m.Candidates, func(c geo.Candidate) bool { return c.District == d }) {
		return schemas.Placement{}, false
	}
	words := make([]string, len(used))
	for i, w := range used {
		words[i] = quote([]byte(w))
	}
	note := outside + "found in the text: " + strings.Join(words, ", ")
	if d < 0 && l.places != nil {
		// A town or village of the place layer, in the province the text
		// or the row gives.
		in := prov
		if in == "" {
			in = string(q.Province)
		}
		if pm := l.places.Scan(string(q.Text), in); pm.OK() && (len(m.Candidates) < 2 || m.Candidates[1].Score != 1 ||
			slices.ContainsFunc(m.Candidates, func(c geo.Candidate) bool { return c.District == pm.Place.District })) {
			p := pm.Place
			return schemas.Placement{District: p.District, Precision: schemas.PrecisionNear, Method: schemas.MethodPlace, Score: 1, OK: true,
				Note: outside + fmt.Sprintf("found in the text: %s, a GeoNames place at %.4f E %.4f N", quote([]byte(pm.Text)), p.Lon, p.Lat)}, true
		}
	}
	switch {
	case d >= 0:
		return schemas.Placement{District: d, Precision: schemas.PrecisionDistrict, Method: schemas.MethodText, Score: 1, OK: true, Note: note}, true
	case prov != "" && (m.Province == "" || m.Province == prov):
		return schemas.Placement{District: -1, Precision: schemas.PrecisionProvince, Method: schemas.MethodProvince, Province: prov, OK: true,
			Note: note + ": kept in the province"}, true
	}
	return schemas.Placement{}, false
}

// withoutName is the row's place text without its name: layouts often join
// the two ("Mastung, Quetta"), and the name is no evidence for itself.
func withoutName(q *schemas.PlaceQuery) string {
	text := strings.ToLower(string(q.Place))
	if h := strings.ToLower(strings.TrimSpace(string(q.Hint))); h != "" {
		text = strings.ReplaceAll(text, h, " ")
	}
	return text
}

// NameOverPointKm is how far outside the district a row names its point
// may lie and still be believed: farther, the row is placed by its name.
// On the political-attacks file, the five points that contradict their
// City lie 9 to 150 km from it, and the row's Location sides with the City
// (a Parachinar office given Swat's point; an address on Aikman Road,
// Lahore, given a point in Sheikhupura). Within this distance an event
// just across a border from the city it is named after keeps its point.
const NameOverPointKm = 2.0

// nameOverPoint settles a point in district i against a name that gives
// district m. The row's own place text decides first: when it names one of
// the two and not the other, that one wins. Otherwise the name wins when
// the point lies more than NameOverPointKm outside m. ok is false when the
// point stands.
func (l *Locator) nameOverPoint(q *schemas.PlaceQuery, i int, m geo.Match) (schemas.Placement, bool) {
	byName := schemas.Placement{District: m.District, Precision: m.Precision, Method: m.Method, Score: float32(m.Score), OK: true}
	if len(q.Place) > 0 {
		said := l.g.Mentions(withoutName(q), string(q.Province), day(q.On))
		atPoint, atName := slices.Contains(said, i), slices.Contains(said, m.District)
		switch {
		case atPoint && !atName:
			return schemas.Placement{}, false
		case atName && !atPoint:
			byName.Note = fmt.Sprintf("the point is in %s but the name %s and the place %s are in %s",
				l.b.Districts[i].Name, quote(q.Hint), quote(q.Place), l.b.Districts[m.District].Name) + schemas.NoteNameOverPoint
			return byName, true
		}
	}
	km := planar.DistanceFrom(l.b.Polygons[m.District], orb.Point{q.Lon, q.Lat}) * kmPerDegree
	if km <= NameOverPointKm {
		return schemas.Placement{}, false
	}
	byName.Note = fmt.Sprintf("the point is in %s, %.0f km outside %s that the name %s gives",
		l.b.Districts[i].Name, km, l.b.Districts[m.District].Name, quote(q.Hint)) + schemas.NoteNameOverPoint
	return byName, true
}

// otherProvince checks a point against the province the row states. A
// point in another province is not trusted when the row's own name places
// it in the stated one: swapped coordinates that land in the stated
// province are taken first (precision 1), else the row is placed by its
// name (precision 3). ok is false when the point stands: no province
// stated, the point in it, or no name that places the row there (the
// point is then kept, and the name rule notes any disagreement).
func (l *Locator) otherProvince(q *schemas.PlaceQuery, i int, match func(hint, province []byte, on int32) geo.Match) (schemas.Placement, bool) {
	if len(q.Province) == 0 {
		return schemas.Placement{}, false
	}
	stated := l.g.NormalizedProvince(string(q.Province))
	at := l.b.Districts[i].Province
	if p, ok := geo.NormalizeProvince(at); ok {
		at = p
	}
	if stated == "" || at == "" || stated == at {
		return schemas.Placement{}, false
	}
	var m geo.Match
	if len(q.Hint) > 0 {
		m = match(q.Hint, q.Province, q.On)
	}
	if m.District < 0 || l.g.ProvinceOf(m.District) != stated {
		return schemas.Placement{}, false
	}
	outside := fmt.Sprintf("the point (%.4f, %.4f) is in %s, %s, outside the province the row gives (%s)",
		q.Lat, q.Lon, l.b.Districts[i].Name, at, stated)
	if j := l.ix.Locate(orb.Point{q.Lat, q.Lon}); j >= 0 && l.g.ProvinceOf(j) == stated {
		return schemas.Placement{District: j, Precision: schemas.PrecisionPoint, Method: schemas.MethodPoint, Score: 1, OK: true,
			Note: outside + "; " + schemas.NoteSwapped}, true
	}
	return schemas.Placement{District: m.District, Precision: m.Precision, Method: m.Method, Score: float32(m.Score), OK: true,
		Note: outside + "; placed by its name " + quote(q.Hint)}, true
}

// minCandidate is the similarity below which a candidate is not worth
// showing: "Atlantis" is not "Alpha" (0.69).
const minCandidate = 0.8

// candidates lists a match's best candidates, "closest: Swat 0.87, Dir 0.85".
func candidates(m geo.Match) string {
	parts := make([]string, 0, 3)
	for _, c := range m.Candidates {
		if len(parts) == 3 || c.Score < minCandidate {
			break
		}
		parts = append(parts, fmt.Sprintf("%s %.2f", c.Name, c.Score))
	}
	if len(parts) == 0 {
		return ""
	}
	return "closest: " + strings.Join(parts, ", ")
}

// quote shows a place name as written, shortened, with anything that looks
// like personal data withheld.
func quote(b []byte) string {
	if schemas.LooksPersonal(b) {
		return "(withheld: looks like personal data)"
	}
	s := strings.TrimSpace(string(b))
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// Worker is a Locator for one goroutine: it remembers the names it has
// matched, so a file that names Lahore a million times asks the gazetteer
// once.
type Worker struct {
	*Locator
	cache map[string][]cached
	n     int
}

type cached struct {
	province string
	epoch    int
	m        geo.Match
}

// maxCached bounds a Worker's memory: past it the cache starts over.
const maxCached = 1 << 17

// Worker returns a placer for one goroutine.
func (l *Locator) Worker() *Worker {
	return &Worker{Locator: l, cache: map[string][]cached{}}
}

// Place implements normalize.Placer.
func (w *Worker) Place(q *schemas.PlaceQuery) schemas.Placement {
	return w.place(q, w.match)
}

func (w *Worker) match(hint, province []byte, on int32) geo.Match {
	epoch := w.g.Epoch(day(on))
	for _, c := range w.cache[string(hint)] {
		if c.epoch == epoch && c.province == string(province) {
			return c.m
		}
	}
	m := w.Locator.match(hint, province, on)
	if w.n++; w.n > maxCached {
		clear(w.cache)
		w.n = 1
	}
	w.cache[string(hint)] = append(w.cache[string(hint)], cached{province: string(province), epoch: epoch, m: m})
	return m
}
