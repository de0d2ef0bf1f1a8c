package schemas

import "unicode"

// How a row's district was found, stored in match_method.
const (
	MethodPoint    = "point"    // the point lies in the district
	MethodPcode    = "pcode"    // the name is the district's code
	MethodExact    = "exact"    // the name is the district's name
	MethodAlias    = "alias"    // a spelling, old name, town or Urdu name of the gazetteer
	MethodFuzzy    = "fuzzy"    // a close spelling, above the gazetteer's threshold
	MethodProvince = "province" // no district: kept in its province only
	MethodCountry  = "country"  // the name is the country: kept at national level only
	MethodText     = "text"     // a place named in the row's narrative text
	MethodPlace    = "place"    // near a town or village of the place layer (GeoNames)
)

// Notes on a row's location, stored in location_note.
const (
	NoteSwapped = "coordinates swapped back: latitude and longitude were exchanged in the source"
	NoteByName  = "coordinates outside every district: placed by district name"
	// NotePointKept ends the note of a row whose point lies in another
	// district than its name: "the point is in A but the name "x" is B:
	// the point is kept".
	NotePointKept = ": the point is kept"
	// NoteNameOverPoint ends the note of a row whose name is taken over
	// its point.
	NoteNameOverPoint = ": placed by its name, not its point"
)

// PlaceQuery is what a row says of its location.
type PlaceQuery struct {
	Lon, Lat float64
	HasPoint bool
	Hint     []byte // district or place name, or a district code
	Province []byte // province as written, which constrains the name
	// Place is the row's place text ("Eidgah market of Parachinar", "Near
	// Wana"): it settles a point against Hint, one district of a name of
	// several, and feeds the place layer.
	Place []byte
	// Text is narrative text that a layout marks to be read for places
	// ("nine militants were killed in Bara tehsil of Khyber Agency"), used
	// when no point and no name place the row.
	Text []byte
	On   int32 // the day of the incident (days since 1970); 0 unknown
}

// Placement is where a row was placed, and how.
type Placement struct {
	District  int    // district index of the placer; -1 when placed in a province only
	Precision int8   // Precision*
	Method    string // Method*
	Score     float32
	Province  string // the province of a row placed in a province only
	Note      string // a correction or disagreement worth a look
	OK        bool
	Field     string // when not OK: the field at fault
	Reason    string // and why
}

// noPlaceWords are what sources write in a place column for "no place",
// folded as NoPlace folds: lower case, letters and digits only. A value of
// no letter or digit at all ("-", "?", "...") is one too.
var noPlaceWords = map[string]bool{
	"na": true, "nil": true, "none": true, "null": true, "nan": true, "unknown": true, "unk": true,
	"notknown": true, "notavailable": true, "notgiven": true, "notmentioned": true, "nk": true,
	"0": true, "نامعلوم": true, "معلومنہیں": true,
}

// NoPlace reports whether a place name is a placeholder for no place:
// "N/A", "n.a.", "unknown", "Not Known", "nil", "-", "?", "0" (an Excel
// blank), "نامعلوم". Such a name is no name: a row placed by nothing
// else is rejected, and rows sharing a point do not count it as a place.
func NoPlace(b []byte) bool {
	if len(b) == 0 || len(b) > 32 {
		return false
	}
	var folded []rune
	for _, r := range string(b) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			folded = append(folded, unicode.ToLower(r))
		case unicode.Is(unicode.Mn, r) || unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r):
		default:
			return false
		}
	}
	return len(folded) == 0 || noPlaceWords[string(folded)]
}
