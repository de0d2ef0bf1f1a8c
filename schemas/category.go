package schemas

import (
	"strings"
	"unicode"
)

// Category is one of the four organized-crime categories of the National
// Initiative against Organized Crime.
type Category uint8

// The categories, in the order used for columns and reports.
const (
	TerrorFinancing Category = iota
	DrugTrafficking
	HumanTrafficking
	Cybercrime
	NumCategories int = iota
)

var categoryNames = [NumCategories]string{
	"terror_financing",
	"drug_trafficking",
	"human_trafficking",
	"cybercrime",
}

// String returns the canonical code, e.g. "drug_trafficking".
func (c Category) String() string {
	if int(c) < NumCategories {
		return categoryNames[c]
	}
	return "unknown"
}

// Categories returns the canonical codes of all categories in order.
func Categories() []string {
	out := make([]string, NumCategories)
	copy(out, categoryNames[:])
	return out
}

// CategoryHint returns, for a category written with capitals, spaces or
// hyphens ("Cybercrime", "Drug Trafficking"), the code it spells, as
// " (write it as the code cybercrime)"; "" otherwise. Categories are codes,
// matched exactly (ParseCategory): the hint only says how to write one.
func CategoryHint(s string) string {
	folded := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return '_'
		}
		return unicode.ToLower(r)
	}, strings.TrimSpace(s))
	if _, ok := ParseCategory(folded); ok && folded != s {
		return " (write it as the code " + folded + ")"
	}
	// "cyber crime", "drugtrafficking": the code with a space more or less.
	bare := strings.ReplaceAll(folded, "_", "")
	for _, name := range categoryNames {
		if bare == strings.ReplaceAll(name, "_", "") && name != s {
			return " (write it as the code " + name + ")"
		}
	}
	return ""
}

// ParseCategory maps a canonical code to its Category. It is exact: spelling
// variants belong in a source layout's value map, not here.
func ParseCategory(s string) (Category, bool) {
	for i, name := range categoryNames {
		if s == name {
			return Category(i), true
		}
	}
	return 0, false
}

// Location precision codes follow the UCDP GED where_prec ladder so that the
// later codes (near a place, province only, country only) slot in unchanged.
const (
	PrecisionPoint    int8 = 1 // exact point inside the district
	PrecisionNear     int8 = 2 // point near a named place, or snapped from a sliver
	PrecisionDistrict int8 = 3 // district known by name only
	PrecisionProvince int8 = 4 // province only
	PrecisionCountry  int8 = 6 // country only
)
