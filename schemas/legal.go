package schemas

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Canonical statute ids of the legal crosswalk. FIRs spell statutes many
// ways; [NormalizeStatute] maps the spellings to these.
const (
	StatuteCNSA = "CNSA-1997" // Control of Narcotic Substances Act 1997
	StatutePTPA = "PTPA-2018" // Prevention of Trafficking in Persons Act 2018
	StatutePSMA = "PSMA-2018" // Prevention of Smuggling of Migrants Act 2018
	StatutePECA = "PECA-2016" // Prevention of Electronic Crimes Act 2016
	StatuteATA  = "ATA-1997"  // Anti-terrorism Act 1997
	StatuteAMLA = "AMLA-2010" // Anti-Money Laundering Act 2010
	StatutePPC  = "PPC-1860"  // Pakistan Penal Code 1860
	StatutePEEO = "PEEO-1979" // Emigration Ordinance 1979
	StatuteFA   = "FA-1946"   // Foreigners Act 1946
)

// CategoryContext is the crosswalk category of sections outside the four
// categories that FIRs cite beside them, such as PPC 302 with ATA 7.
const CategoryContext = "context"

// CrosswalkColumns is the header of the legal crosswalk CSV, in order.
var CrosswalkColumns = []string{
	"statute", "section", "in_force_from", "in_force_to", "iccs_code",
	"iccs_label", "category", "subcategory", "note",
}

// ErrCrosswalk is wrapped by every error [LoadCrosswalk] returns.
var ErrCrosswalk = errors.New("schemas: invalid legal crosswalk")

// statuteAliases lists each canonical id with the names FIRs use for it. Acronyms
// (all capitals) also match with dots and spaces: "C.N.S.A", "P P C".
var statuteAliases = []struct {
	id      string
	aliases []string
}{
	{StatuteCNSA, []string{"CNSA", "CNS", "CNS Act", "Control of Narcotic Substances Act",
		"Control of Narcotics Substances Act", "Control of Narcotic Substance Act"}},
	{StatutePTPA, []string{"PTPA", "Prevention of Trafficking in Persons Act"}},
	{StatutePSMA, []string{"PSMA", "Prevention of Smuggling of Migrants Act"}},
	{StatutePECA, []string{"PECA", "PEC Act", "Prevention of Electronic Crimes Act"}},
	{StatuteATA, []string{"ATA", "Anti Terrorism Act"}},
	{StatuteAMLA, []string{"AMLA", "AML Act", "Anti Money Laundering Act"}},
	{StatutePPC, []string{"PPC", "Pakistan Penal Code"}},
	{StatutePEEO, []string{"PEEO", "EO", "Emigration Ordinance"}},
	{StatuteFA, []string{"FA", "Foreigners Act"}},
}

var (
	// statuteByKey maps a compacted alias ("CONTROLOFNARCOTICSUBSTANCESACT")
	// to its canonical id.
	statuteByKey = map[string]string{}
	// statuteRE finds statute names in free text; group 1 is the name
	// without the year.
	statuteRE *regexp.Regexp
	// sectionRE matches one section as FIRs write it: 9(c), 9-C, 9 (c),
	// 489F, 11-EEE, 9(1)(3)(c), 9(1)3(c).
	sectionRE = regexp.MustCompile(`(?i)\d+(?:\s*-\s*[a-z]{1,5}\b|[a-z]{1,5}\b|\s[a-z]\b)?(?:\s*\(\s*[0-9a-z]{1,5}\s*\)\d*)*`)
	// citedDateRE matches dates, which look like sections: 12-03-2023.
	citedDateRE = regexp.MustCompile(`\b\d{1,2}[-.]\d{1,2}[-.]\d{2,4}\b|\b\d{1,2}/\d{1,2}/(?:19|20)\d\d\b`)
	// underSectionRE matches "u/s" and "u/ss" (under section), dropped before parsing.
	underSectionRE = regexp.MustCompile(`(?i)\bu\s*/\s*ss?\b\.?`)
	// groupSepRE splits a citation list into groups: "9(c) CNSA, 324 PPC",
	// "3 PTPA r/w 366-B PPC".
	groupSepRE    = regexp.MustCompile(`(?i)\br\s*/\s*w\b|\bread\s+with\b|\band\b|[,;&+\n]`)
	subcategoryRE = regexp.MustCompile(`^[a-z0-9_]*$`)
	statuteList   []string
)

func init() {
	var alts []string
	for _, s := range statuteAliases {
		statuteList = append(statuteList, s.id)
		for _, a := range s.aliases {
			statuteByKey[compactName(a)] = s.id
			alts = append(alts, aliasPattern(a))
		}
	}
	// Longest first, so that "CNSA" wins over "CNS" at the same position.
	sort.SliceStable(alts, func(i, j int) bool { return len(alts[i]) > len(alts[j]) })
	statuteRE = regexp.MustCompile(`(?i)(` + strings.Join(alts, "|") + `)(?:[\s,\-]*(?:18|19|20)\d\d\b)?`)
}

// aliasPattern turns an alias into a regexp: words may be joined by spaces
// or hyphens ("Anti-Terrorism"), acronyms may carry dots ("C.N.S.A").
func aliasPattern(alias string) string {
	words := strings.Fields(alias)
	for i, w := range words {
		if len(w) <= 5 && strings.ToUpper(w) == w {
			letters := strings.Split(w, "")
			words[i] = strings.Join(letters, `\.?\s?`) + `\.?`
			continue
		}
		words[i] = regexp.QuoteMeta(w)
	}
	return strings.Join(words, `[\s\-]*`)
}

// compact keeps the letters and digits of s, upper-cased.
func compactName(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			b.WriteByte(c - 'a' + 'A')
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Statutes returns the canonical statute ids the crosswalk knows.
func Statutes() []string { return slices.Clone(statuteList) }

// NormalizeStatute maps a statute as FIRs write it ("C.N.S.A", "CNSA 1997",
// "Control of Narcotic Substances Act", "Anti-Terrorism Act, 1997") to its
// canonical id ("CNSA-1997"). A year, if given, is not checked.
func NormalizeStatute(s string) (string, bool) {
	k := strings.TrimPrefix(compactName(s), "THE")
	if n := len(k); n > 4 && isStatuteYear(k[n-4:]) && !cwIsDigit(k[n-5]) {
		k = k[:n-4]
	}
	if id, ok := statuteByKey[k]; ok {
		return id, true
	}
	for _, suffix := range []string{"ACT", "ORDINANCE"} {
		if t, ok := strings.CutSuffix(k, suffix); ok && t != "" {
			if id, ok := statuteByKey[t]; ok {
				return id, true
			}
		}
	}
	return "", false
}

func isStatuteYear(s string) bool {
	return len(s) == 4 && (s[:2] == "18" || s[:2] == "19" || s[:2] == "20") && cwIsDigit(s[2]) && cwIsDigit(s[3])
}

func cwIsDigit(c byte) bool  { return c >= '0' && c <= '9' }
func cwIsLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// NormalizeSection maps a section as FIRs write it to the crosswalk's form:
// the number, an upper-case section letter after a hyphen ("489-F", "11-N"),
// then clauses in parentheses, lower-case ("9(c)", "9(1)(3)(c)"). Anything
// before the first digit ("u/s", "Sec", "s.") is dropped, and so is text
// after the section.
//
// A letter straight after the number names a section of its own in most
// statutes (PPC 489-F is not a clause of s.489), but a clause in the CNSA,
// where FIRs write s.9 clause (c) as "9-C", "9C" or "9 (c)".
func NormalizeSection(statute, s string) (string, bool) {
	i := strings.IndexFunc(s, func(r rune) bool { return r >= '0' && r <= '9' })
	if i < 0 {
		return "", false
	}
	if loc := citedDateRE.FindStringIndex(s[i:]); loc != nil && loc[0] == 0 {
		return "", false
	}
	m := sectionRE.FindString(s[i:])
	type token struct {
		text          string
		digits, paren bool
		afterHyphen   bool
	}
	var toks []token
	depth, hyphen := 0, false
	for j := 0; j < len(m); {
		c := m[j]
		switch {
		case c == '(':
			depth++
			j++
		case c == ')':
			depth--
			j++
		case c == '-':
			hyphen = true
			j++
		case cwIsDigit(c) || cwIsLetter(c):
			k := j
			for k < len(m) && cwIsDigit(m[k]) == cwIsDigit(c) && (cwIsDigit(m[k]) || cwIsLetter(m[k])) {
				k++
			}
			toks = append(toks, token{text: m[j:k], digits: cwIsDigit(c), paren: depth > 0, afterHyphen: hyphen})
			hyphen = false
			j = k
		default:
			j++
		}
	}
	if len(toks) == 0 || !toks[0].digits {
		return "", false
	}
	n, err := strconv.Atoi(toks[0].text)
	if err != nil || n < 1 || n > 999 {
		return "", false
	}
	var b strings.Builder
	b.WriteString(strconv.Itoa(n))
	rest := toks[1:]
	if len(rest) > 0 && !rest[0].digits && !rest[0].paren {
		letters := strings.ToUpper(rest[0].text)
		if _, glued := statuteByKey[letters]; glued { // "302PPC"
			return b.String(), true
		}
		if statute == StatuteCNSA {
			b.WriteString("(" + strings.ToLower(letters) + ")")
		} else {
			b.WriteString("-" + letters)
		}
		rest = rest[1:]
	}
	for _, t := range rest {
		if t.digits && t.afterHyphen && !t.paren { // a date: 12-03-2023
			return "", false
		}
		b.WriteString("(" + strings.ToLower(t.text) + ")")
	}
	return b.String(), true
}

// parentSection drops the last clause: "9(1)(3)(c)" -> "9(1)(3)", "9" -> "".
func parentSection(s string) string {
	if !strings.HasSuffix(s, ")") {
		return ""
	}
	return s[:strings.LastIndexByte(s, '(')]
}

// Citation is one statute section cited in an FIR, in canonical form.
type Citation struct {
	Statute string // canonical id, e.g. "CNSA-1997"
	Section string // e.g. "9(c)", "489-F"
}

// ParseCitation splits the sections column of an FIR, such as
// "u/s 9(c) CNSA 1997, 324 PPC" or "302/324/34 PPC, 7 ATA", into statute
// sections in the order written, without duplicates. Sections of statutes
// it does not know are dropped.
//
// Sections bind to the statute written after them ("302/324 PPC") when the
// group, a stretch between commas, "r/w" or "and", starts with a section,
// and to the statute before them ("PPC 489-F") when it starts with a
// statute. A group with no statute takes the statute of its neighbours:
// "PPC 489-F, 420" and "302, 324 PPC" both cite two PPC sections. It joins
// the group before only if that group starts with its statute and no "r/w"
// or ";" comes between, so "PECA 14, 16 r/w 419, 420 PPC" cites PECA 14 and
// 16 and PPC 419 and 420. It reads a sections column, not a narrative: in
// "FIR 12/2023 u/s 9(c) CNSA" the 12 would be read as a section too.
func ParseCitation(s string) []Citation {
	s = underSectionRE.ReplaceAllString(s, " ")
	s = citedDateRE.ReplaceAllString(s, " ")
	seps := groupSepRE.FindAllString(s, -1)
	type pending struct{ statute, section string }
	type group struct {
		cites         []pending // statute empty until resolved
		statuteFirst  bool
		first, last   string // first and last statute named in the group
		hasStatute    bool
		hasUnresolved bool
		strongBefore  bool // "r/w", "read with", ";" or a new line precedes it
	}
	var groups []group
	strong := false
	for gi, text := range groupSepRE.Split(s, -1) {
		if gi > 0 {
			sep := strings.TrimSpace(seps[gi-1])
			strong = strong || (sep != "," && sep != "&" && sep != "+" && !strings.EqualFold(sep, "and"))
		}
		items := citationItems(text)
		if len(items) == 0 {
			continue
		}
		g := group{strongBefore: strong}
		strong = false
		g.statuteFirst = items[0].statute != ""
		for i, it := range items {
			if it.statute != "" {
				if !g.hasStatute {
					g.first = it.statute
				}
				g.last, g.hasStatute = it.statute, true
				continue
			}
			bound := ""
			if g.statuteFirst {
				bound = g.last
			} else {
				for _, next := range items[i+1:] {
					if next.statute != "" {
						bound = next.statute
						break
					}
				}
			}
			g.cites = append(g.cites, pending{statute: bound, section: it.section})
		}
		if !g.hasStatute {
			g.hasUnresolved = len(g.cites) > 0
		}
		for i := range g.cites {
			if g.cites[i].statute == "" {
				g.cites[i].statute = g.last // trailing sections: "9(c) CNSA 14"
			}
		}
		groups = append(groups, g)
	}
	var out []Citation
	for i, g := range groups {
		if g.hasUnresolved {
			var prev, next *group
			strong := g.strongBefore
			for j := i - 1; j >= 0 && prev == nil; j-- {
				if groups[j].hasStatute {
					prev = &groups[j]
				} else {
					strong = strong || groups[j].strongBefore
				}
			}
			for j := i + 1; j < len(groups) && next == nil; j++ {
				if groups[j].hasStatute {
					next = &groups[j]
				}
			}
			statute := ""
			switch {
			case prev != nil && prev.statuteFirst && !strong:
				statute = prev.last
			case next != nil:
				statute = next.first
			case prev != nil:
				statute = prev.last
			}
			for k := range g.cites {
				g.cites[k].statute = statute
			}
		}
		for _, p := range g.cites {
			if p.statute == "" {
				continue
			}
			sec, ok := NormalizeSection(p.statute, p.section)
			if !ok {
				continue
			}
			c := Citation{Statute: p.statute, Section: sec}
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// citationItem is a statute or a section named in a citation group.
type citationItem struct {
	statute string // canonical id of a statute; empty for a section
	section string // the section as written
}

// citationItems lists the statutes and sections of one group in order.
func citationItems(text string) []citationItem {
	var items []citationItem
	addSections := func(gap string) {
		for _, sec := range sectionRE.FindAllString(gap, -1) {
			items = append(items, citationItem{section: sec})
		}
	}
	prev := 0
	for pos := 0; pos < len(text); {
		loc := statuteRE.FindStringSubmatchIndex(text[pos:])
		if loc == nil {
			break
		}
		start, end := pos+loc[0], pos+loc[1]
		if (start > 0 && cwIsLetter(text[start-1])) || (end < len(text) && cwIsLetter(text[end])) {
			pos = start + 1 // inside a word: "DATA", "SOFA"
			continue
		}
		addSections(text[prev:start])
		items = append(items, citationItem{statute: statuteByKey[compactName(text[pos+loc[2]:pos+loc[3]])]})
		prev, pos = end, end
	}
	addSections(text[prev:])
	return items
}

// LegalRule maps one statute section, for the days it was in force, to its
// ICCS code and ocmap category.
type LegalRule struct {
	Statute     string    // canonical id, e.g. "CNSA-1997"
	Section     string    // canonical section, e.g. "9(c)", "489-F"
	From, To    time.Time // first and last day in force (UTC midnight); zero = open
	ICCS        string    // UNODC ICCS v1.0 code, 2 to 6 digits: "0601", "06012"
	ICCSLabel   string
	Category    string // one of Categories(), or CategoryContext
	Subcategory string
	Note        string // sources, and which facts are unverified
}

// InForce reports whether the rule was in force on the calendar day of on;
// the time of day and the zone are ignored.
func (r LegalRule) InForce(on time.Time) bool {
	d := calendarDay(on)
	return (r.From.IsZero() || !d.Before(r.From)) && (r.To.IsZero() || !d.After(r.To))
}

func calendarDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Crosswalk is the loaded legal crosswalk. It is read-only and safe for
// concurrent use.
type Crosswalk struct {
	rules []LegalRule
	byKey map[string][]int // statute + "\x00" + section -> rules, by From
}

// Rules returns every rule in file order.
func (c *Crosswalk) Rules() []LegalRule { return slices.Clone(c.rules) }

// LoadCrosswalk reads a crosswalk CSV with the header [CrosswalkColumns]. It
// checks every row: known statute ids, sections in canonical form, dates as
// yyyy-mm-dd with from <= to, ICCS codes of 2, 4, 5 or 6 digits in sections
// 01 to 11, the category, and that no two rules for one statute section are
// in force on the same day. The error wraps [ErrCrosswalk] and a [RowError]
// per problem, naming the line and column.
func LoadCrosswalk(r io.Reader) (*Crosswalk, error) {
	const maxErrors = 50
	var errs []error
	fail := func(line int, field, format string, args ...any) {
		errs = append(errs, &RowError{File: "crosswalk", Line: int64(line), Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	done := func() error {
		if len(errs) == 0 {
			return nil
		}
		slices.SortStableFunc(errs, func(x, y error) int {
			return int(x.(*RowError).Line - y.(*RowError).Line)
		})
		return fmt.Errorf("%w:\n%w", ErrCrosswalk, errors.Join(errs...))
	}

	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(CrosswalkColumns)
	header, err := cr.Read()
	if err != nil {
		fail(1, "(header)", "cannot read the header: %v", err)
		return nil, done()
	}
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	if !slices.Equal(header, CrosswalkColumns) {
		fail(1, "(header)", "header is %q, want %q", strings.Join(header, ","), strings.Join(CrosswalkColumns, ","))
		return nil, done()
	}

	c := &Crosswalk{byKey: map[string][]int{}}
	var lines []int
	for len(errs) < maxErrors {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				fail(pe.StartLine, RecordField, "%v", pe.Err)
				if errors.Is(pe.Err, csv.ErrFieldCount) {
					continue
				}
			} else {
				fail(0, RecordField, "%v", err)
			}
			return nil, done()
		}
		line, _ := cr.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		before := len(errs)
		rule := parseLegalRule(rec, line, fail)
		if len(errs) > before {
			continue
		}
		key := rule.Statute + "\x00" + rule.Section
		c.byKey[key] = append(c.byKey[key], len(c.rules))
		c.rules = append(c.rules, rule)
		lines = append(lines, line)
	}

	for _, idx := range c.byKey {
		sort.SliceStable(idx, func(i, j int) bool { return c.rules[idx[i]].From.Before(c.rules[idx[j]].From) })
		for k := 1; k < len(idx); k++ {
			a, b := c.rules[idx[k-1]], c.rules[idx[k]]
			if a.To.IsZero() || b.From.IsZero() || !b.From.After(a.To) {
				first, second := lines[idx[k-1]], lines[idx[k]]
				if first > second {
					first, second = second, first
				}
				fail(second, "in_force_from", "%s %s is in force on the same days as line %d (%s to %s)",
					a.Statute, a.Section, first, cwDateText(a.From), cwDateText(a.To))
			}
		}
	}
	if err := done(); err != nil {
		return nil, err
	}
	return c, nil
}

func cwDateText(t time.Time) string {
	if t.IsZero() {
		return "open"
	}
	return t.Format(time.DateOnly)
}

// parseRule checks one row, reporting each problem through fail.
func parseLegalRule(rec []string, line int, fail func(line int, field, format string, args ...any)) LegalRule {
	r := LegalRule{
		Statute: rec[0], Section: rec[1], ICCS: rec[4], ICCSLabel: rec[5],
		Category: rec[6], Subcategory: rec[7], Note: rec[8],
	}
	if !slices.Contains(statuteList, r.Statute) {
		if id, ok := NormalizeStatute(r.Statute); ok {
			fail(line, "statute", "%q is not a canonical id: write %q", r.Statute, id)
		} else {
			fail(line, "statute", "unknown statute %q, want one of %s", r.Statute, strings.Join(statuteList, ", "))
		}
	} else if sec, ok := NormalizeSection(r.Statute, r.Section); !ok {
		fail(line, "section", "%q is not a section", r.Section)
	} else if sec != r.Section {
		fail(line, "section", "%q is not in canonical form: write %q", r.Section, sec)
	}
	for i, dst := range []*time.Time{&r.From, &r.To} {
		if rec[2+i] == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, rec[2+i])
		if err != nil {
			fail(line, CrosswalkColumns[2+i], "%q is not a yyyy-mm-dd date", rec[2+i])
			continue
		}
		*dst = t
	}
	if !r.From.IsZero() && !r.To.IsZero() && r.To.Before(r.From) {
		fail(line, "in_force_to", "%s is before in_force_from %s", cwDateText(r.To), cwDateText(r.From))
	}
	if !validICCS(r.ICCS) {
		fail(line, "iccs_code", "%q is not an ICCS code: 2, 4, 5 or 6 digits starting with a section 01 to 11", r.ICCS)
	}
	if r.ICCSLabel == "" {
		fail(line, "iccs_label", "missing")
	}
	if _, ok := ParseCategory(r.Category); !ok && r.Category != CategoryContext {
		fail(line, "category", "unknown category %q, want one of %s or %s", r.Category, strings.Join(Categories(), ", "), CategoryContext)
	}
	if !subcategoryRE.MatchString(r.Subcategory) {
		fail(line, "subcategory", "%q: use lower-case letters, digits and _", r.Subcategory)
	}
	return r
}

// validICCS accepts the code lengths of ICCS levels 1 to 4 (2, 4, 5 and 6
// digits) in its eleven sections.
func validICCS(code string) bool {
	switch len(code) {
	case 2, 4, 5, 6:
	default:
		return false
	}
	for i := 0; i < len(code); i++ {
		if !cwIsDigit(code[i]) {
			return false
		}
	}
	section, _ := strconv.Atoi(code[:2])
	return section >= 1 && section <= 11
}

// Lookup finds the rule for a statute section in force on the day on; with
// a zero on it returns the latest rule. Both are normalised as FIRs write
// them ("C.N.S.A", "9-C"), and either argument may hold the whole citation:
// Lookup("u/s 365-B PPC", "", on). A section without a rule of its own falls
// back to its parent, so "9(1)(3)(c)" finds the rule for s.9 in force that
// day; a lettered section ("489-F") never falls back to its number.
func (c *Crosswalk) Lookup(statute, section string, on time.Time) (LegalRule, bool) {
	id, ok := NormalizeStatute(statute)
	sec := ""
	if ok {
		sec, ok = NormalizeSection(id, section)
	}
	if !ok {
		cites := ParseCitation(statute + " " + section)
		if len(cites) != 1 {
			return LegalRule{}, false
		}
		id, sec = cites[0].Statute, cites[0].Section
	}
	for k := sec; k != ""; k = parentSection(k) {
		idx := c.byKey[id+"\x00"+k]
		if len(idx) == 0 {
			continue
		}
		if on.IsZero() {
			return c.rules[idx[len(idx)-1]], true
		}
		for i := len(idx) - 1; i >= 0; i-- {
			if r := c.rules[idx[i]]; r.InForce(on) {
				return r, true
			}
		}
	}
	return LegalRule{}, false
}
