package schemas

import (
	"strings"
	"unicode"
)

// placeholderIDs are what agencies write in an id column that has no id,
// folded as PlaceholderID folds them.
var placeholderIDs = map[string]bool{
	"na": true, "nil": true, "nill": true, "none": true, "null": true, "nan": true,
	"unknown": true, "notknown": true, "nk": true, "notavailable": true, "notapplicable": true,
	"tbd": true, "tba": true, "pending": true, "awaited": true, "blank": true, "missing": true,
	"nonegiven": true, "notgiven": true, "notmentioned": true, "notreported": true, "notrecorded": true,
	"نامعلوم": true, "دستیابنہیں": true,
}

// maxPlaceholder bounds the bytes of a placeholder as written: the longest
// folded one ("notapplicable", "دستیابنہیں") with room for spaces, dots,
// quotes and invisible marks.
const maxPlaceholder = 64

// excelErrors are Excel's error values, folded as PlaceholderID folds
// them after their '#': a formula that found nothing ("#N/A") leaves one
// in the cell, and it reaches the file as text.
var excelErrors = map[string]bool{
	"na": true, "null!": true, "ref!": true, "value!": true, "div0!": true, "name?": true,
	"num!": true, "spill!": true, "calc!": true, "gettingdata": true,
}

// TagID returns the tag of Scrub ("[CNIC]", "[PHONE]", ...) that id
// holds, or "". Such an id was copied from ocmap's own output (a rejects
// list, say) where the tag stands for a number: every record given it
// would have one id, so one incident.
func TagID(id string) string {
	if !strings.Contains(id, "[") {
		return ""
	}
	for _, tag := range piiTags[1:] {
		if strings.Contains(id, tag) {
			return tag
		}
	}
	return ""
}

// PlaceholderID reports whether an incident id says there is none: "N/A",
// "n.a.", "Nil", "Unknown", "TBD", "None given", "-", "0", "000", "?",
// "x", "نامعلوم", "(blank)", Excel's "#N/A" and other error values
// (ignoring case, spaces, dots, slashes, hyphens, dashes, underscores,
// quotes, brackets and invisible marks such as U+200F; zeros in Urdu or
// Arabic digits are zeros). Such an id on many records of a source would
// make them one incident (a same-id link), so readers refuse it as they
// refuse a missing id.
func PlaceholderID(id string) bool {
	// Most ids hold a digit other than 0, or are longer than any
	// placeholder: they are ids, found without folding.
	if len(id) > maxPlaceholder || strings.ContainsAny(id, "123456789") {
		return false
	}
	var b strings.Builder
	for _, r := range strings.ToLower(id) {
		switch r {
		case ' ', '.', '/', '\\', '-', '_', '\u00a0', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212',
			'\'', '"', '(', ')', '[', ']', '<', '>':
			continue
		}
		if unicode.Is(unicode.Cf, r) { // U+200B, U+200F, U+FEFF, ...
			continue
		}
		if otherDigit(r) {
			for _, z := range digitZeros {
				if r >= z && r <= z+9 {
					r = '0' + r - z
				}
			}
		}
		b.WriteRune(r)
	}
	s := b.String()
	if s == "" || placeholderIDs[s] {
		return true
	}
	if len(s) > 1 && s[0] == '#' && excelErrors[s[1:]] {
		return true
	}
	// Only zeros, question marks, x's, stars or hashes.
	return strings.Trim(s, "0?x*#") == ""
}
