package schemas

import "strings"

// placeholderIDs are what agencies write in an id column that has no id,
// folded as PlaceholderID folds them.
var placeholderIDs = map[string]bool{
	"na": true, "nil": true, "nill": true, "none": true, "null": true, "nan": true,
	"unknown": true, "notknown": true, "nk": true, "notavailable": true, "notapplicable": true,
	"tbd": true, "tba": true, "pending": true, "awaited": true, "blank": true, "missing": true,
	"نامعلوم": true, "دستیابنہیں": true,
}

// PlaceholderID reports whether an incident id says there is none: "N/A",
// "n.a.", "Nil", "Unknown", "TBD", "-", "0", "000", "?", "x", "نامعلوم"
// (ignoring case, spaces, dots, slashes, hyphens, dashes and underscores). Such an
// id on many records of a source would make them one incident (a same-id
// link), so readers refuse it as they refuse a missing id.
func PlaceholderID(id string) bool {
	var b strings.Builder
	for _, r := range strings.ToLower(id) {
		switch r {
		case ' ', '.', '/', '\\', '-', '_', '\u00a0', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212':
			continue
		}
		b.WriteRune(r)
	}
	s := b.String()
	if s == "" || placeholderIDs[s] {
		return true
	}
	// Only zeros, question marks, x's, stars or hashes.
	return strings.Trim(s, "0?x*#") == ""
}
