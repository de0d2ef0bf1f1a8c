package schemas

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// What Scrub finds, and the tag that replaces it.
type pii uint8

const (
	piiNone pii = iota
	piiCNIC
	piiPhone
	piiEmail
	piiID // any other run of 13 or more digits: accounts, cards, IMEIs
	piiPassport
)

var piiTags = [...]string{"", "[CNIC]", "[PHONE]", "[EMAIL]", "[ID]", "[PASSPORT]"}

// Scrub replaces personal data in free text: CNIC numbers ("35202-1234567-1",
// 13 bare digits, or dots or slashes for the dashes: "35202.1234567.1")
// with "[CNIC]"; Pakistani mobile and landline numbers in
// their usual spellings ("+92 300 1234567", "0092-300-1234567",
// "0300-1234567", "03001234567", "923001234567", "3001234567", "051-1234567",
// "042 35761234", "(021) 1234567", "0300.123.4567", "92-42-35761234") and
// any number written with "+" or "00" and a country code with "[PHONE]";
// passport numbers (two capital letters and 7 digits, "AB1234567") with
// "[PASSPORT]"; e-mail addresses with "[EMAIL]"; and
// any other run of 13 or more digits (bank accounts, card numbers, IMEIs)
// with "[ID]". Numbers written with Unicode dashes or no-break spaces
// ("35202–1234567–1", as word processors type them) are found too; text in
// which nothing is found keeps its dashes as written. Dates, times, amounts with separators ("1,250,000"), FIR
// numbers ("123/2023") and years are left alone.
//
// It is the one rule for personal data in free text: ingest applies it to
// every free-text column of every layout, the canonical one included
// (descriptions, sources, references, place and district names as given,
// statutes and sections, notes, the category tables' text fields), and to
// the reason and raw text of every rejected row, so the database holds none
// of these. Incident ids are not free text: one that holds such a number is
// replaced whole by its keyed hash (PrivateID), so that it still links.
// File paths are kept as given.
//
// Text with no digit group of 7 or more digits (digits joined by spaces,
// hyphens, dots, slashes, brackets or "+" count as one group) and no '@' is
// returned as is,
// without allocating; so is any text in which nothing is found.
func Scrub(s string) string {
	if plainText(s) {
		return s
	}
	s = foldDigits(s)
	written := s
	s = foldSeparators(s)
	digits, at := mayHoldPII(s)
	if !digits && !at {
		return written
	}
	start, end, kind := nextPII(s, 0, at)
	if kind == piiNone {
		return written
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for kind != piiNone {
		b.WriteString(s[last:start])
		b.WriteString(piiTags[kind])
		last = end
		start, end, kind = nextPII(s, end, at)
	}
	b.WriteString(s[last:])
	return b.String()
}

// HoldsPII reports whether Scrub would replace part of s.
func HoldsPII(s string) bool {
	if plainText(s) {
		return false
	}
	s = foldSeparators(foldDigits(s))
	digits, at := mayHoldPII(s)
	if !digits && !at {
		return false
	}
	_, _, kind := nextPII(s, 0, at)
	return kind != piiNone
}

// PrivateID returns an incident id as given, or, when it holds what Scrub
// replaces in text (a phone, CNIC or passport number, an e-mail address:
// a complaint filed under the complainant's mobile number, say), its keyed
// hash of kind "incident_id" (Hasher.Hash: "h:" and 32 hex digits). The
// same id under the same key gives the same hash, so a source's records
// with one id are still one incident, and the number is not stored. A nil
// h uses a key made for the process. An id that is such a hash already is
// returned as is (IsIDHash), though one in 50 has hex digits that Scrub
// takes for a number: an id read twice (an export read in again) keeps
// its links.
//
// The number is hashed in one form however it is written (CanonicalPII:
// "0300-1234567", "+92 300 1234567" and "03001234567" are one id), unless
// h.AsWritten: a database whose ids were hashed as written keeps doing so,
// or its records sent again would not find their earlier copies.
func PrivateID(h *Hasher, id string) string {
	if IsIDHash(id) || !HoldsPII(id) {
		return id
	}
	if h == nil {
		h = processHasher()
	}
	if !h.AsWritten {
		id = CanonicalPII(id)
	}
	return h.Hash("incident_id", id)
}

// CanonicalPII writes each number or address Scrub finds in s in one form:
// a phone number as its digits with a Pakistani country code (+92, 0092,
// 92) written as the trunk 0 ("+92 300 1234567", "0092-300-1234567",
// "0300.1234567" are "03001234567"); a CNIC or other long number as its
// digits; a passport number in upper case without spaces; an e-mail
// address in lower case. Digits of other scripts are read as ASCII
// digits. The rest of s is kept.
func CanonicalPII(s string) string {
	s = foldSeparators(foldDigits(s))
	digits, at := mayHoldPII(s)
	if !digits && !at {
		return s
	}
	start, end, kind := nextPII(s, 0, at)
	if kind == piiNone {
		return s
	}
	var b strings.Builder
	last := 0
	for kind != piiNone {
		b.WriteString(s[last:start])
		b.WriteString(canonicalSpan(s[start:end], kind))
		last = end
		start, end, kind = nextPII(s, end, at)
	}
	b.WriteString(s[last:])
	return b.String()
}

// canonicalSpan is CanonicalPII of one span of kind.
func canonicalSpan(span string, kind pii) string {
	switch kind {
	case piiEmail:
		return strings.ToLower(span)
	case piiPassport:
		return strings.ToUpper(strings.Map(func(r rune) rune {
			if r == ' ' || r == '-' {
				return -1
			}
			return r
		}, span))
	}
	d := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, span)
	if kind == piiPhone {
		switch {
		case strings.HasPrefix(span, "+92"), strings.HasPrefix(span, "+ 92"):
			d = "0" + d[2:]
		case strings.HasPrefix(d, "0092"):
			d = "0" + d[4:]
		case strings.HasPrefix(d, "92") && len(d) >= 11 && len(d) <= 12:
			d = "0" + d[2:] // 92 300 1234567, 92 42 35761234
		case len(d) == 10 && d[0] == '3':
			d = "0" + d // a mobile number without its 0
		}
	}
	return d
}

// IsIDHash reports whether id has the form of PrivateID's hashes: "h:"
// and 32 lower-case hex digits.
func IsIDHash(id string) bool {
	if len(id) != 2+32 || id[:2] != "h:" {
		return false
	}
	for i := 2; i < len(id); i++ {
		if c := id[i]; !isDigitByte(c) && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// processHasher keys PrivateID when no key is given: ids of one process
// agree, and no one can recompute the hashes.
var processHasher = sync.OnceValue(func() *Hasher {
	h, err := NewHasher(NewIDKey())
	if err != nil {
		panic(err)
	}
	return h
})

// NewIDKey returns a random key of 32 bytes for PrivateID's hashes.
func NewIDKey() []byte {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return key
}

// LooksPersonal reports whether a field value looks like a CNIC, phone
// number (with dots or slashes too: "0512.111.0508"), passport number or
// e-mail address, or holds 10 or more digits joined only by spaces and
// hyphens, so callers can withhold it from error messages.
func LooksPersonal(b []byte) bool {
	if !isASCIIBytes(b) {
		b = []byte(foldSeparators(foldDigits(string(b))))
	}
	digits, at := mayHoldPII(b)
	if !digits && !at {
		return false
	}
	if _, _, kind := nextPII(b, 0, at); kind != piiNone {
		return true
	}
	run := 0
	for _, c := range b {
		switch {
		case isDigitByte(c):
			if run++; run >= 10 {
				return true
			}
		case c != ' ' && c != '-':
			// Not across dots and slashes: numbers written with them are
			// the full scan's (nextPII above), and decimals ("31.5204
			// 74.3587", an SVG's coordinates) would all be withheld.
			run = 0
		}
	}
	return false
}

// digitZeros are the zeros of the decimal digit scripts that Pakistani
// files use besides ASCII: Arabic-Indic (٠), Extended Arabic-Indic, as Urdu
// writes them (۰), Devanagari (०) and fullwidth (０).
var digitZeros = []rune{'\u0660', '\u06F0', '\u0966', '\uFF10'}

// foldDigits writes the digits of those scripts as ASCII digits, so that a
// CNIC or a phone number written in Urdu digits (۳۵۲۰۲-۱۲۳۴۵۶۷-۱) is found
// like any other. ASCII text is returned as is, without allocating.
func foldDigits(s string) string {
	if isASCIIBytes(s) || !strings.ContainsFunc(s, otherDigit) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	changed := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if otherDigit(r) {
			for _, z := range digitZeros {
				if r >= z && r <= z+9 {
					b.WriteByte(byte('0' + r - z))
				}
			}
			changed = true
		} else {
			b.WriteString(s[i : i+size]) // invalid bytes stay as they are
		}
		i += size
	}
	if !changed {
		return s
	}
	return b.String()
}

// plainText reports whether s is ASCII without a digit or '@' (nor ':' to
// '?', which share their range), so that Scrub has nothing to look for. It
// tests eight bytes at a time: most free text (descriptions, sources,
// place names) has no digit, and this is the whole cost of scrubbing it.
func plainText(s string) bool {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))
		if w&high != 0 {
			return false
		}
		// A byte of w in 0x30..0x40: bytes are below 0x80 here, so adding
		// 0x50 sets the high bit exactly for the bytes from 0x30 up, and
		// adding 0x3f for those from 0x41 up.
		if (w+ones*0x50)&^(w+ones*0x3f)&high != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || c >= '0' && c <= '@' {
			return false
		}
	}
	return true
}

func isASCIIBytes[T ~string | ~[]byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// foldSeparators writes a Unicode dash or no-break space between two ASCII
// digits as '-' or ' ': word processors and Excel turn the hyphens and
// spaces of "35202-1234567-1" and "+92 300 1234567" into en dashes and
// no-break spaces, and the number must still be found. Text without such a
// separator is returned as is, without allocating.
func foldSeparators(s string) string {
	if isASCIIBytes(s) || !strings.ContainsFunc(s, separatorFold) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if separatorFold(r) && i > 0 && isDigitByte(s[i-1]) && i+size < len(s) && (isDigitByte(s[i+size]) || s[i+size] == '(') {
			if unicode.IsSpace(r) {
				b.WriteByte(' ')
			} else {
				b.WriteByte('-')
			}
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// separatorFold reports the dashes (hyphen, non-breaking hyphen, figure
// dash, en and em dash, minus sign) and the no-break, figure, thin and
// narrow no-break spaces that foldSeparators writes as ASCII.
func separatorFold(r rune) bool {
	switch r {
	case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212', '\uFE63', '\uFF0D',
		'\u00A0', '\u2007', '\u2009', '\u202F':
		return true
	}
	return false
}

func otherDigit(r rune) bool {
	for _, z := range digitZeros {
		if r >= z && r <= z+9 {
			return true
		}
	}
	return false
}

// Byte classes for the scans below.
const (
	clsDigit = 1 << iota
	clsJoin  // joins digits into one group for the prefilter: space - . / ( ) +
	clsStart // may start a number match: digit + (
	clsAt
	clsDot // a dot or slash, which joins digits only in numbers of 9 or more
)

var byteClass = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] = clsDigit | clsStart
	}
	for _, c := range " -./()+" {
		t[c] = clsJoin
	}
	t['+'] |= clsStart
	t['('] |= clsStart
	t['.'] |= clsDot
	t['/'] |= clsDot
	t['@'] = clsAt
	return t
}()

// mayHoldPII is the cheap prefilter: a digit group of 7 or more digits
// without a dot or slash, or of 9 or more with them, or an '@'. It must
// admit everything nextPII can match: a number with a dot or slash is a
// phone or CNIC number of 9 digits or more, and the rest have 7 or more.
// Dates ("16/07/2023") and FIR numbers ("123/2023") so take the fast path.
func mayHoldPII[T ~string | ~[]byte](s T) (digits, at bool) {
	group, plain := 0, 0 // digits joined, and joined since a dot or slash
	for i := 0; i < len(s); i++ {
		switch k := byteClass[s[i]]; {
		case k&clsDigit != 0:
			group++
			if plain++; plain >= 7 || group >= 9 {
				digits = true
			}
		case k&clsDot != 0:
			plain = 0
		case k&clsJoin != 0:
		case k&clsAt != 0:
			at, group, plain = true, 0, 0
		default:
			group, plain = 0, 0
		}
	}
	return digits, at
}

// nextPII returns the first match at or after from. A match never starts or
// ends inside a run of digits, so whatever is left between matches cannot be
// matched again: Scrub is idempotent.
func nextPII[T ~string | ~[]byte](s T, from int, at bool) (start, end int, kind pii) {
	for i := from; i < len(s); i++ {
		if !at {
			// Without an '@' only digits, '+' and '(' can start a match.
			for i < len(s) && byteClass[s[i]]&clsStart == 0 {
				i++
			}
			if i == len(s) {
				break
			}
		}
		c := s[i]
		if at {
			if isLocal(c) && (i == 0 || !isLocal(s[i-1])) {
				if st, e := emailAt(s, i); e > 0 {
					return st, e, piiEmail
				}
			}
			if c == '@' {
				if e := domainEnd(s, i+1); e > 0 {
					return i, e, piiEmail
				}
			}
		}
		switch {
		case isDigitByte(c) && (i == 0 || !isDigitByte(s[i-1])):
			if e, k := numberAt(s, i); k != piiNone {
				return i, e, k
			}
			if i-2 >= from {
				if e := passportAt(s, i); e > 0 {
					return i - 2, e, piiPassport
				}
			}
			for i+1 < len(s) && isDigitByte(s[i+1]) {
				i++
			}
		case c == '+' || c == '(':
			if e, k := numberAt(s, i); k != piiNone {
				return i, e, k
			}
		}
	}
	return -1, -1, piiNone
}

// passportAt matches the digits of a passport number starting at s[i]: two
// capital letters before them (not part of a longer word or code) and
// exactly 7 digits ("AB1234567"), as Pakistani passports are numbered. It
// returns the end of the match, or 0.
func passportAt[T ~string | ~[]byte](s T, i int) int {
	if i < 2 || !isUpperByte(s[i-1]) || !isUpperByte(s[i-2]) || i > 2 && (isLetterByte(s[i-3]) || isDigitByte(s[i-3])) {
		return 0
	}
	e := i
	for e < len(s) && isDigitByte(s[e]) {
		e++
	}
	if e-i != 7 || e < len(s) && isLetterByte(s[e]) {
		return 0
	}
	return e
}

func isUpperByte(c byte) bool { return c >= 'A' && c <= 'Z' }

// numberAt matches a CNIC, phone number or long digit run starting at s[i]:
// up to six digit groups, each optionally in brackets, joined by one space or
// hyphen (or a dot or slash after a first group of 5 digits, or of 3 to 5
// that starts with 0, and then the same dot or slash again), the first
// optionally after "+". It tries the longest run of groups first and
// returns the end of the match.
func numberAt[T ~string | ~[]byte](s T, i int) (end int, kind pii) {
	var (
		ends    [6]int // end of each group, after its ')'
		lens    [6]int // digits in each group
		d       [18]byte
		nd, ng  int
		runLong bool
		sep     byte // the dot or slash after the first group
	)
	p, plus := i, false
	if s[p] == '+' {
		plus = true
		if p++; p < len(s) && s[p] == ' ' {
			p++
		}
	}
	// Inside a decimal ("0.0511234567") only a long run counts.
	fraction := !plus && i >= 2 && s[i-1] == '.' && (isDigitByte(s[i-2]) || s[i-2] == ']')
	for ng < len(ends) {
		q, paren := p, false
		if q < len(s) && s[q] == '(' {
			q, paren = q+1, true
		}
		ds := q
		for q < len(s) && isDigitByte(s[q]) {
			if nd < len(d) {
				d[nd] = s[q]
			}
			nd++
			q++
		}
		if q == ds {
			break
		}
		if ng == 0 && !paren && !plus && q-ds >= 13 {
			runLong = true
			ends[0] = q
		}
		lens[ng] = q - ds
		if paren {
			if q >= len(s) || s[q] != ')' {
				nd -= q - ds
				break
			}
			q++
		}
		ends[ng] = q
		ng++
		switch {
		case q+1 < len(s) && (s[q] == ' ' || s[q] == '-') && (isDigitByte(s[q+1]) || s[q+1] == '('):
			p = q + 1
		case paren && q < len(s) && (isDigitByte(s[q]) || s[q] == '('): // "(021)1234567"
			p = q
		case ng == 1 && !paren && !plus && (lens[0] >= 3 && lens[0] <= 5 && d[0] == '0' || lens[0] == 5) &&
			q+1 < len(s) && (s[q] == '.' || s[q] == '/') && isDigitByte(s[q+1]):
			// "0300.1234567", "042/35761234": a dot or slash after a code
			// that starts with 0, which no decimal number has; FIR numbers
			// ("0123/2023") and dates are too short for a phone number.
			// "35202.1234567.1": a CNIC with dots (dottedOK).
			sep, p = s[q], q+1
		case sep != 0 && q+1 < len(s) && s[q] == sep && isDigitByte(s[q+1]):
			p = q + 1 // "0300.123.4567": the same dot or slash again
		default:
			p = -1
		}
		if p < 0 {
			break
		}
	}
	if !fraction {
		n := nd
		for k := ng; k >= 1; k-- {
			if n <= len(d) {
				if kind := classifyNumber(d[:n], lens[:k], plus); kind != piiNone && (sep == 0 || dottedOK(kind, d[:n], lens[:k])) {
					return ends[k-1], kind
				}
			}
			n -= lens[k-1]
		}
	}
	if runLong {
		return ends[0], piiID
	}
	return 0, piiNone
}

// dottedOK reports whether a number whose first groups a dot or slash joins
// may be kind: a code that starts with 0 and one more group ("0300.1234567",
// "042/35761234"), a phone number in more groups ("0300.123.4567",
// "042.3576.1234") none of which is a year, or a CNIC as 5-7-1
// ("35202.1234567.1"). Decimals ("35202.12345678") and FIR numbers
// ("0123/2023/45") are none of these.
func dottedOK(kind pii, d []byte, lens []int) bool {
	switch {
	case len(lens) < 2:
		return true
	case kind == piiCNIC:
		return len(lens) == 3 && lens[0] == 5 && lens[1] == 7 && lens[2] == 1
	case d[0] != '0' || lens[0] > 5:
		return false
	case len(lens) == 2 || kind == piiPhone && d[1] == '3':
		return true
	}
	for k, at := 1, lens[0]; k < len(lens); k++ {
		if y := d[at:]; lens[k] == 4 && (y[0] == '1' && y[1] == '9' || y[0] == '2' && y[1] == '0') {
			return false // "0123/2023/45": a case number and its year
		}
		at += lens[k]
	}
	return kind == piiPhone
}

// classifyNumber says what the digits d, written in groups of lens, are.
func classifyNumber(d []byte, lens []int, plus bool) pii {
	n, k := len(d), len(lens)
	switch {
	case plus:
		// E.164: a country code and at most 15 digits.
		if n >= 8 && n <= 15 && d[0] != '0' {
			return piiPhone
		}
		return piiNone
	case n >= 3 && d[0] == '0' && d[1] == '0':
		// Dialled from Pakistan: 00, country code, number.
		if n >= 11 && n <= 17 && d[2] != '0' {
			return piiPhone
		}
		return piiNone
	case n == 13 && (k == 1 || lens[0] == 5 || lens[k-1] == 1):
		// "35202-1234567-1", and as typed: "352021234567-1", "35202 123 4567 1"
		return piiCNIC
	case n == 11 && d[0] == '0' && d[1] == '3' && d[2] <= '6':
		return piiPhone // mobile 03xx-xxxxxxx
	case n == 12 && d[0] == '9' && d[1] == '2' && d[2] == '3' && d[3] <= '6':
		return piiPhone // mobile 92 3xx xxxxxxx
	case n == 10 && d[0] == '3' && d[1] <= '6' && (k == 1 || lens[0] == 3):
		return piiPhone // mobile without its 0
	case (n == 11 || n == 12) && k >= 2 && lens[0] == 2 && d[0] == '9' && d[1] == '2' && d[2] != '0':
		return piiPhone // landline 92 42 35761234, without "+"
	case n >= 9 && n <= 11 && d[0] == '0' && d[1] != '0':
		// Landline: 0, a 2-4 digit area code, a 5-8 digit number.
		if (k == 1 && n >= 10) || (k >= 2 && lens[0] >= 3 && lens[0] <= 5) {
			return piiPhone
		}
	}
	return piiNone
}

// isLocal reports a byte of an e-mail address's local part.
func isLocal(c byte) bool {
	return isLetterByte(c) || isDigitByte(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

func isDomain(c byte) bool { return isLetterByte(c) || isDigitByte(c) || c == '.' || c == '-' }

// emailAt matches an address whose local part starts at s[i]; it returns the
// start (leading dots and signs are left out) and end, or end 0.
func emailAt[T ~string | ~[]byte](s T, i int) (start, end int) {
	j := i
	for j < len(s) && isLocal(s[j]) {
		j++
	}
	if j >= len(s) || s[j] != '@' {
		return 0, 0
	}
	e := domainEnd(s, j+1)
	if e == 0 {
		return 0, 0
	}
	for i < j && (s[i] == '.' || s[i] == '+' || s[i] == '-') {
		i++
	}
	return i, e
}

// domainEnd returns the end of a domain starting at s[i]: a run of letters,
// digits, dots and hyphens with a dot, not first, followed by a letter ("x.pk").
// It returns 0 when there is none.
func domainEnd[T ~string | ~[]byte](s T, i int) int {
	e := i
	for e < len(s) && isDomain(s[e]) {
		e++
	}
	for e > i && (s[e-1] == '.' || s[e-1] == '-') {
		e--
	}
	for p := i + 1; p+1 < e; p++ {
		if s[p] == '.' && isLetterByte(s[p+1]) {
			return e
		}
	}
	return 0
}

// ErrHashKey is returned by [NewHasher] for a key shorter than 16 bytes.
var ErrHashKey = errors.New("schemas: hash key must be at least 16 bytes")

// Hasher replaces personal values by a keyed hash, so records can be linked
// by CNIC or phone number without the number being stored. Without the key
// the hashes cannot be reversed by trying all 10^13 CNICs. It is safe for
// concurrent use.
type Hasher struct {
	pool sync.Pool
	// AsWritten has PrivateID hash an id as written, not in its
	// canonical form: databases whose ids were first hashed so.
	AsWritten bool
}

type hashState struct {
	mac hash.Hash
	buf []byte
	sum [sha256.Size]byte
}

// NewHasher returns a Hasher keyed with key (HMAC-SHA256), which must be at
// least 16 bytes; keep it out of the repository and the database.
func NewHasher(key []byte) (*Hasher, error) {
	if len(key) < 16 {
		return nil, ErrHashKey
	}
	k := append([]byte(nil), key...)
	h := &Hasher{}
	h.pool.New = func() any { return &hashState{mac: hmac.New(sha256.New, k)} }
	return h, nil
}

// Hash kinds and how [Hasher.Hash] normalises each before hashing, so that
// spellings of one value get one hash.
var hashKinds = map[string]bool{
	"cnic":  true, // digits only
	"phone": true, // +92 form: 0300-1234567, 923001234567 and +92 300 1234567 agree
	"email": true, // trimmed, ASCII lower case
	"name":  true, // lower case, runs of spaces as one
	"text":  true, // trimmed
}

// IsHashKind reports whether kind is one of "cnic", "phone", "email", "name"
// and "text"; layouts check their kinds with it at load.
func IsHashKind(kind string) bool { return hashKinds[kind] }

// Hash returns "h:" and 32 hex digits (the first 16 bytes of
// HMAC-SHA256(key, kind, normalised v)), or "" when v normalises to nothing,
// so blanks are never linked. The kind is part of the hashed message: a
// phone number and the same digits as text do not link. An unknown kind is
// normalised as text.
func (h *Hasher) Hash(kind string, v string) string {
	st := h.pool.Get().(*hashState)
	defer h.pool.Put(st)
	st.buf = append(append(st.buf[:0], kind...), 0)
	head := len(st.buf)
	switch kind {
	case "cnic":
		st.buf = appendDigits(st.buf, v)
	case "phone":
		st.buf = appendPhone(st.buf, v)
	case "email":
		for _, c := range []byte(strings.TrimSpace(v)) {
			st.buf = append(st.buf, lowerASCII(c))
		}
	case "name":
		space := false
		for _, r := range v {
			if unicode.IsSpace(r) {
				space = true
				continue
			}
			if space && len(st.buf) > head {
				st.buf = append(st.buf, ' ')
			}
			space = false
			st.buf = utf8.AppendRune(st.buf, unicode.ToLower(r))
		}
	default:
		st.buf = append(st.buf, strings.TrimSpace(v)...)
	}
	if len(st.buf) == head {
		return ""
	}
	st.mac.Reset()
	st.mac.Write(st.buf)
	sum := st.mac.Sum(st.sum[:0])
	var out [2 + 32]byte
	out[0], out[1] = 'h', ':'
	hex.Encode(out[2:], sum[:16])
	return string(out[:])
}

func appendDigits(buf []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		if isDigitByte(v[i]) {
			buf = append(buf, v[i])
		}
	}
	return buf
}

// appendPhone appends v as +92… (or +<country code>… for foreign numbers).
func appendPhone(buf []byte, v string) []byte {
	var tmp [24]byte
	d := appendDigits(tmp[:0], v)
	if len(d) == 0 {
		return buf
	}
	buf = append(buf, '+')
	switch {
	case strings.HasPrefix(strings.TrimSpace(v), "+"):
	case len(d) > 2 && d[0] == '0' && d[1] == '0':
		d = d[2:]
	case d[0] == '0':
		return append(append(buf, '9', '2'), d[1:]...)
	case len(d) == 10 && d[0] == '3':
		return append(append(buf, '9', '2'), d...)
	}
	// "+92 (0)300 …" and "0092 0300 …": the trunk 0 after the country code.
	if len(d) > 3 && d[0] == '9' && d[1] == '2' && d[2] == '0' {
		return append(append(buf, '9', '2'), d[3:]...)
	}
	return append(buf, d...)
}

// FoldNumber writes the digits of a number or date in the scripts Pakistani
// files use besides ASCII (Urdu ۰-۹, Arabic-Indic ٠-٩, Devanagari,
// fullwidth) as ASCII digits, and the Arabic decimal and thousands
// separators (٫ ٬) as '.' and ','. An Urdu register's "۲" is 2 kg and
// "٠٨/٠١/٢٠٢٣" 8 January 2023, not "not a number". ASCII text is returned
// as it is, without copying.
func FoldNumber(b []byte) []byte {
	if isASCIIBytes(b) || !bytes.ContainsFunc(b, numberRune) {
		return b // no copy: "33°41'N" is read as it is
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r == '\u066B':
			out = append(out, '.')
		case r == '\u066C':
			out = append(out, ',')
		case otherDigit(r):
			for _, z := range digitZeros {
				if r >= z && r <= z+9 {
					out = append(out, byte('0'+r-z))
				}
			}
		default:
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}

// numberRune reports a digit of another script or an Arabic decimal or
// thousands separator.
func numberRune(r rune) bool { return r == '\u066B' || r == '\u066C' || otherDigit(r) }
