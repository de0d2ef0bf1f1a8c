package geo

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// A Mention is a district or province named inside a sentence.
type Mention struct {
	District int    // -1 for a province, or a name of several districts
	Province string // the district's province, or the one named
	Words    string // the words as written
	// Near is set for a name that says where the event was by, not in:
	// "near Kohat", "from Quetta", "on the way to Peshawar".
	Near bool
	// Several is set for a name of several districts of one province
	// ("Karachi"): it gives the province only.
	Several bool
	// District is set for a name the sentence calls a district or an
	// agency ("in Khyber Agency", "Kasur district"): the unit that holds
	// the others it names.
	Unit bool
	// Unread is set for a district's name that is also an ordinary word
	// (commonWords: Chaman, Hub, Tank, Kotli), written as a name (with a
	// capital; in a text whose capitals tell nothing, where a name stands:
	// mayBeName) but with no unit word after it: it is not read as the
	// place, yet it may be where the event was, so the names after
	// "near", "from" or "to" are not taken in its stead ("seized at
	// Chaman bound for Lahore" was not in Lahore).
	Unread bool
	// Road is set for a name followed by a route word ("Kohat road",
	// "Bannu-Tank highway"): the way, not the place, but the event was on
	// it, so, as for Unread, the names after "near", "from" or "to" are
	// not taken in its stead.
	Road bool
}

// districtWords after a name say it is a district.
var districtWords = wordSet("district", "distt", "dist", "agency")

// unitWords after a name say what kind of unit it is: they support a name
// that is also an ordinary word ("Tank district", "SWAT agency").
var unitWords = wordSet("district", "distt", "agency", "tehsil", "tahsil", "city", "town", "division", "valley", "province")

// nearWords before a name make it a reference point, not the place.
var nearWords = wordSet("near", "from", "to", "for", "towards", "outside", "via", "between")

// Scan finds the districts and provinces that a sentence names, by names
// and aliases in force on the day on (no close spellings), longest first,
// as Mentions does, with three guards for narrative text: a word that is
// also a common noun (commonWords) or written as an acronym ("SUI" for the
// gas company, "PAF") is taken only when a unit word follows it ("Tank
// district"); a name followed by a route word is a road, not the place;
// and a name after "near", "from" or "to" is marked Near. A name in two
// provinces is read in the hinted one.
func (g *Gazetteer) Scan(text, provinceHint string, on time.Time) []Mention {
	hint := g.province(provinceHint)
	ws, raw, punct := splitWordsPunct(text, true, true)
	shouting := isShouting(raw)
	caseless := shouting || isLowerCase(raw) || isTitleCase(raw) // capitals tell nothing
	taken := make([]bool, len(ws))
	var out []Mention
	for n := min(maxMentionWords, len(ws)); n >= 1; n-- {
	next:
		for i := 0; i+n <= len(ws); i++ {
			for j := i; j < i+n; j++ {
				if taken[j] {
					continue next
				}
			}
			supported := i+n < len(ws) && unitWords[ws[i+n]]
			if i+n < len(ws) && (routeWords[ws[i+n]] || i+n+1 < len(ws) && routeWords[ws[i+n+1]]) {
				// "Kohat road", "Peshawar-Bara road": not the place, but
				// the names after "near" or "from" are not it either.
				if r, ok := g.resolve(nameKey(strings.Join(ws[i:i+n], " ")), hint, on); ok && r.District >= 0 {
					for j := i; j < i+n; j++ {
						taken[j] = true
					}
					out = append(out, Mention{District: r.District, Province: r.Province, Words: strings.Join(raw[i:i+n], " "), Road: true})
				}
				continue
			}
			if n > 1 && dropWords[ws[i]] {
				continue // "town Dera Bugti": the shorter name is tried next
			}
			phrase := strings.Join(ws[i:i+n], " ")
			m := Mention{District: -1, Words: strings.Join(raw[i:i+n], " "), Near: i > 0 && nearWords[ws[i-1]],
				Unit: districtWords[ws[i+n-1]] || i+n < len(ws) && districtWords[ws[i+n]]}
			// Province names and their acronyms (FATA, KPK, AJK), but not
			// a lone ordinary word ("capital").
			if p, ok := NormalizeProvince(phrase); ok && (n > 1 || !commonWords[ws[i]] && len(ws[i]) > 2) {
				m.Province = p
			} else {
				if n == 1 && !supported && (commonWords[ws[i]] || len(ws[i]) < 3 || !shouting && isAcronym(raw[i])) {
					if commonWords[ws[i]] && mayBeName(ws, raw, punct, i, caseless) {
						if r, ok := g.resolve(nameKey(phrase), hint, on); ok && r.District >= 0 {
							m.District, m.Province, m.Unread = r.District, r.Province, true
							out = append(out, m)
						}
					}
					continue
				}
				key := nameKey(phrase)
				if key == "" {
					continue
				}
				r, ok := g.resolve(key, hint, on)
				if !ok {
					continue
				}
				m.District, m.Province, m.Several = r.District, r.Province, r.District < 0
				if m.Several {
					// The province of the districts, not the hint's.
					m.Province = ""
					for k, c := range r.Candidates {
						if k == 0 {
							m.Province = c.Province
						} else if c.Province != m.Province {
							m.Province = ""
							break
						}
					}
				}
				if r.District >= 0 && i+n < len(ws) && divisionWords[ws[i+n]] {
					// "Malakand division": several districts of the province.
					m.District, m.Province, m.Several = -1, g.prov[r.District], true
				}
				if m.Province == "" {
					continue // several districts in several provinces
				}
			}
			for j := i; j < i+n; j++ {
				taken[j] = true
			}
			out = append(out, m)
		}
	}
	return out
}

// Settle reads mentions as one place: the one district that the sentence
// names, when the provinces it names agree; else, when every place it
// names lies in one province, that province. A name after "near", "from",
// "for" or "to" counts only when nothing else is named ("bus bound for
// Quetta attacked in Mastung" is Mastung), not even a name read as an
// ordinary word (Mention.Unread: "seized at Chaman bound for Lahore" is
// neither). District is -1 when the text settles no district; province is ""
// when it settles nothing; used lists the words it went by.
func (g *Gazetteer) Settle(ms []Mention) (district int, province string, used []string) {
	var provinces []string // named outright: "in Khyber Agency of FATA"
	unread := false        // a name read as an ordinary word
	for _, m := range ms {
		unread = unread || m.Unread || m.Road
		if m.District < 0 && !m.Several && !m.Near && !slices.Contains(provinces, m.Province) {
			provinces = append(provinces, m.Province)
		}
	}
	pick := func(near bool) (ds []int, several []Mention, words []string) {
		for _, m := range ms {
			if m.District < 0 && !m.Several || m.Near != near || m.Unread || m.Road {
				continue
			}
			// A place outside the province the sentence names is a
			// reference, not the place.
			if len(provinces) > 0 && !slices.Contains(provinces, m.Province) {
				continue
			}
			if m.Several {
				several = append(several, m)
			} else if !slices.Contains(ds, m.District) {
				ds = append(ds, m.District)
			}
			words = append(words, m.Words)
		}
		return ds, several, words
	}
	ds, several, words := pick(false)
	if len(ds) == 0 && len(several) == 0 && !unread {
		ds, several, words = pick(true)
	}
	// "in Duki, Loralai district", "at Chaman, Killa Abdullah district": a
	// district named with the one it was carved out of (CarvedFrom), even
	// by a name read as an ordinary word, is the carved-out district.
	for _, m := range ms {
		if m.District < 0 || m.Near || m.Road {
			continue
		}
		if slices.ContainsFunc(ds, func(d int) bool { return g.CarvedFrom(m.District, d) }) {
			ds = slices.DeleteFunc(ds, func(d int) bool { return d == m.District || g.CarvedFrom(m.District, d) })
			ds = append(ds, m.District)
			if m.Unread {
				words = append(words, m.Words)
			}
		}
	}
	// "Bara tehsil in Khyber Agency": when the names give several
	// districts and the sentence calls one of them a district or an
	// agency, that one holds the others.
	if len(ds) > 1 {
		var units []int
		for _, m := range ms {
			if m.Unit && !m.Near && !m.Unread && !m.Road && slices.Contains(ds, m.District) && !slices.Contains(units, m.District) {
				units = append(units, m.District)
			}
		}
		if len(units) == 1 {
			ds = units
		}
	}
	// Every place named must lie in one province, or the sentence names
	// two places ("raids in Lahore and Karachi").
	prov := ""
	for _, p := range append(provincesOf(g, ds), provincesOf2(several)...) {
		if prov == "" {
			prov = p
		} else if p != prov {
			return -1, "", nil
		}
	}
	if len(provinces) == 1 {
		if prov == "" {
			prov = provinces[0]
		}
		words = append(words, provinceWords(ms)...)
	}
	if len(ds) == 1 {
		return ds[0], prov, words
	}
	if prov == "" {
		return -1, "", nil
	}
	return -1, prov, words
}

func provincesOf(g *Gazetteer, ds []int) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = g.prov[d]
	}
	return out
}

func provincesOf2(ms []Mention) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Province
	}
	return out
}

func provinceWords(ms []Mention) []string {
	var out []string
	for _, m := range ms {
		if m.District < 0 && !m.Several && !m.Near {
			out = append(out, m.Words)
		}
	}
	return out
}

// isAcronym reports whether a word as written is an acronym: two to five
// letters, all capitals ("SUI", "PAF", "KRL").
func isAcronym(w string) bool {
	n := 0
	for _, r := range w {
		if !unicode.IsUpper(r) {
			return false
		}
		n++
	}
	return n >= 2 && n <= 5
}

// startsUpper reports whether a word as written begins with a capital.
func startsUpper(w string) bool {
	for _, r := range w {
		return unicode.IsUpper(r)
	}
	return false
}

// isShouting reports whether a text is written in capitals throughout, in
// which case capitals tell nothing.
func isShouting(raw []string) bool {
	letters, upper := 0, 0
	for _, w := range raw {
		for _, r := range w {
			if unicode.IsLetter(r) {
				letters++
				if unicode.IsUpper(r) {
					upper++
				}
			}
		}
	}
	return letters > 0 && upper*10 >= letters*9
}

// placeBefore are the words after which a name stands for a place ("in
// Tank", "at Chaman", "Kohat and Tank"), with officeWords.
var placeBefore = wordSet("in", "at", "near", "from", "to", "for", "towards", "outside", "via", "between",
	"into", "inside", "of", "and")

// officeWords are offices, forces and stations that headlines name with
// their district before or after them: "SHO Kotli", "Chaman Levies",
// "Tank Police".
var officeWords = wordSet("police", "sho", "dpo", "dsp", "ssp", "sp", "asp", "dc", "ps", "thana", "levies", "ctd",
	"anf", "fia", "fc", "customs", "station", "saddar", "cantt", "border", "bazaar", "bazar")

// mayBeName reports whether word i, an ordinary word that is also a
// district's name (commonWords), may be written as the name. In a text
// whose capitals tell something, it is the name when it has a capital. In
// one where they tell nothing (caseless: capitals, lower case or Title
// Case throughout), it is a name only where a place's name stands: first,
// after a mark (a comma), after a word of placeBefore or a province's
// name, or beside an office (officeWords); elsewhere it is the word
// ("Water Tank Blast Near Kohat").
func mayBeName(ws, raw []string, punct []bool, i int, caseless bool) bool {
	if !caseless {
		return startsUpper(raw[i])
	}
	if i == 0 || punct[i] || placeBefore[ws[i-1]] || officeWords[ws[i-1]] || i+1 < len(ws) && officeWords[ws[i+1]] {
		return true
	}
	// After its province, possessive or not: "Balochistan's Chaman", "KP
	// Tank" (splitWords drops the apostrophe).
	_, ok := NormalizeProvince(ws[i-1])
	_, okS := NormalizeProvince(strings.TrimSuffix(ws[i-1], "s"))
	return ok || okS
}

// isTitleCase reports whether a text capitalises every word of four or
// more letters, as headlines do ("Water Tank Blast Near Kohat"), so that a
// capital does not tell a name from a word. Two such words at least.
func isTitleCase(raw []string) bool {
	n := 0
	for _, w := range raw {
		if utf8.RuneCountInString(w) < 4 || !hasCase(w) {
			continue
		}
		if !startsUpper(w) {
			return false
		}
		n++
	}
	return n >= 2
}

// hasCase reports whether a word has a letter with case (not Urdu).
func hasCase(w string) bool {
	for _, r := range w {
		if unicode.IsUpper(r) || unicode.IsLower(r) {
			return true
		}
	}
	return false
}

// isLowerCase reports whether a text has letters with case and not one
// capital: a district's name that is also an ordinary word ("chaman bound
// for lahore") may then be a name as well as the word.
func isLowerCase(raw []string) bool {
	cased := false
	for _, w := range raw {
		for _, r := range w {
			if unicode.IsUpper(r) {
				return false
			}
			cased = cased || unicode.IsLower(r)
		}
	}
	return cased
}

// Scan finds the towns and villages that a sentence names, with the guards
// of [Gazetteer.Scan] (no common nouns or acronyms alone, no road names,
// names after "near", "from" or "to" only when nothing else is named, not
// even a district's name read as an ordinary word, "Tank"), and
// returns the place when all it found lie in one district: the most
// populous of them. Within province when it is a known province.
func (ps *Places) Scan(text, province string) PlaceMatch {
	if ps == nil {
		return PlaceMatch{}
	}
	prov := ps.province(province)
	ws, raw, punct := splitWordsPunct(text, true, true)
	shouting := isShouting(raw)
	taken := make([]bool, len(ws))
	caseless := shouting || isLowerCase(raw) || isTitleCase(raw)
	var in, near []PlaceMatch
	unread := false // a district's name read as an ordinary word (Mention.Unread)
	for n := min(3, len(ws)); n >= 1; n-- {
	next:
		for i := 0; i+n <= len(ws); i++ {
			for j := i; j < i+n; j++ {
				if taken[j] {
					continue next
				}
			}
			if dropWords[ws[i]] || nearWords[ws[i]] {
				continue
			}
			supported := i+n < len(ws) && unitWords[ws[i+n]]
			if n == 1 && !supported && (commonWords[ws[i]] || len(ws[i]) < 4 || !shouting && isAcronym(raw[i])) {
				if commonWords[ws[i]] && mayBeName(ws, raw, punct, i, caseless) && ps.g != nil {
					if r, ok := ps.g.resolve(nameKey(ws[i]), prov, time.Time{}); ok && r.District >= 0 {
						unread = true
					}
				}
				continue
			}
			if i+n < len(ws) && (routeWords[ws[i+n]] || i+n+1 < len(ws) && routeWords[ws[i+n+1]]) {
				// A road named after a town or district ("Wana road"): the
				// event was on it, not at the places after "from" or "to".
				key := nameKey(strings.Join(ws[i:i+n], " "))
				if ps.lookupKey(key, prov).OK() {
					unread = true
				} else if ps.g != nil {
					if r, ok := ps.g.resolve(key, prov, time.Time{}); ok && r.District >= 0 {
						unread = true
					}
				}
				continue
			}
			m := ps.lookupKey(nameKey(strings.Join(ws[i:i+n], " ")), prov)
			if !m.OK() {
				continue
			}
			m.Text = strings.Join(raw[i:i+n], " ")
			for j := i; j < i+n; j++ {
				taken[j] = true
			}
			if i > 0 && nearWords[ws[i-1]] {
				near = append(near, m)
			} else {
				in = append(in, m)
			}
		}
	}
	if len(in) == 0 && !unread {
		in = near
	}
	var best PlaceMatch
	for _, m := range in {
		if best.OK() && m.Place.District != best.Place.District {
			return PlaceMatch{} // places in two districts
		}
		if !best.OK() || m.Place.Population > best.Place.Population {
			best = m
		}
	}
	return best
}

// HasNearWord reports whether a text has a word that makes the name after
// it a reference ("near", "from", "to": nearWords), not the place itself:
// such a text is not one place's name ("near Duki" is not in Duki).
func HasNearWord(text string) bool {
	ws, _ := splitWords(text, false)
	return slices.ContainsFunc(ws, func(w string) bool { return nearWords[w] })
}
