package schemas

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// DatePrecision follows UCDP GED date_prec: how much of a date the source
// gives. A month or year is stored as its first day, with the precision
// beside it, so "2023-07" never reads as 1 July.
type DatePrecision int8

// The precisions a date format can give; UCDP's 2 (a 2–6 day span) and 3 (a
// known week) do not come out of a single cell.
const (
	DateDay   DatePrecision = 1
	DateMonth DatePrecision = 4
	DateYear  DatePrecision = 5
)

// ErrDateFormat is wrapped by every error of [ParseDateFormat] and
// [DateParser.Validate].
var ErrDateFormat = errors.New("schemas: bad date format")

type dateTok uint8

const (
	tokLit       dateTok = iota
	tokDay               // d: 1 or 2 digits
	tokDay2              // dd: exactly 2 digits
	tokWeekday           // ddd, dddd: a weekday name, checked and ignored
	tokMonth             // m: 1 or 2 digits
	tokMonth2            // mm: exactly 2 digits
	tokMonthName         // mmm, mmmm: an English month name
	tokYear2             // yy: 2 digits, century from the pivot
	tokYear4             // yyyy: exactly 4 digits
)

type dateItem struct {
	tok dateTok
	lit byte
}

// DateFormat is a compiled date format; build it with [ParseDateFormat].
type DateFormat struct {
	spec     string
	items    []dateItem
	excel    bool
	yy       bool
	prec     DatePrecision
	mismatch string // reason when the text does not have this form
}

// ParseDateFormat compiles a format such as "dd/mm/yyyy", "d-mmm-yy",
// "mmm d, yyyy", "dddd-mmmm d-yyyy", "mm/yyyy", "yyyy" or "excel".
//
// Tokens (any case): d and m take 1 or 2 digits, dd and mm exactly 2, yy 2
// and yyyy 4; mmm and mmmm take an English month name (full, 3 letters, or
// "Sept"), ddd and dddd a weekday name, which must be a real name but is not
// checked against the date. Every other character is a separator that must
// appear once, as written. "excel" alone reads Excel serial day numbers (1900
// date system); a fraction (the time of day) is dropped.
func ParseDateFormat(spec string) (DateFormat, error) {
	s := strings.TrimSpace(spec)
	f := DateFormat{spec: s, mismatch: "not a date in the form " + s}
	if strings.EqualFold(s, "excel") {
		f.excel, f.prec, f.mismatch = true, DateDay, "not an Excel serial day number"
		return f, nil
	}
	if s == "" {
		return DateFormat{}, fmt.Errorf("%w: empty", ErrDateFormat)
	}
	var seen [tokYear4 + 1]bool
	has := func(ts ...dateTok) bool {
		for _, t := range ts {
			if seen[t] {
				return true
			}
		}
		return false
	}
	for i := 0; i < len(s); {
		c := lowerASCII(s[i])
		if c < 'a' || c > 'z' {
			if c < ' ' || c > '~' || isDigitByte(c) {
				return DateFormat{}, fmt.Errorf("%w %q: %q is neither a token nor a separator", ErrDateFormat, spec, rune(s[i]))
			}
			f.items = append(f.items, dateItem{tok: tokLit, lit: s[i]})
			i++
			continue
		}
		j := i + 1
		for j < len(s) && lowerASCII(s[j]) == c {
			j++
		}
		word := s[i:j]
		var t dateTok
		switch {
		case c == 'd' && len(word) <= 4:
			t = [...]dateTok{tokDay, tokDay2, tokWeekday, tokWeekday}[len(word)-1]
		case c == 'm' && len(word) <= 4:
			t = [...]dateTok{tokMonth, tokMonth2, tokMonthName, tokMonthName}[len(word)-1]
		case c == 'y' && len(word) == 2:
			t = tokYear2
		case c == 'y' && len(word) == 4:
			t = tokYear4
		default:
			return DateFormat{}, fmt.Errorf("%w %q: unknown token %q", ErrDateFormat, spec, word)
		}
		var dup bool
		switch t {
		case tokDay, tokDay2:
			dup = has(tokDay, tokDay2)
		case tokMonth, tokMonth2, tokMonthName:
			dup = has(tokMonth, tokMonth2, tokMonthName)
		case tokYear2, tokYear4:
			dup = has(tokYear2, tokYear4)
		case tokWeekday:
			dup = has(tokWeekday)
		}
		if dup {
			return DateFormat{}, fmt.Errorf("%w %q: token %q repeats a part of the date", ErrDateFormat, spec, word)
		}
		if n := len(f.items); n > 0 {
			prev := f.items[n-1].tok
			// A 1-2 digit field directly before another number, or two names
			// side by side, cannot be split unambiguously.
			if (prev == tokDay || prev == tokMonth) && isNumericTok(t) {
				return DateFormat{}, fmt.Errorf("%w %q: token %q directly follows a 1-2 digit field; put a separator between them", ErrDateFormat, spec, word)
			}
			if isNameTok(prev) && isNameTok(t) {
				return DateFormat{}, fmt.Errorf("%w %q: token %q directly follows a name; put a separator between them", ErrDateFormat, spec, word)
			}
		}
		seen[t] = true
		f.items = append(f.items, dateItem{tok: t})
		i = j
	}
	day, month, year := has(tokDay, tokDay2), has(tokMonth, tokMonth2, tokMonthName), has(tokYear2, tokYear4)
	switch {
	case !year:
		return DateFormat{}, fmt.Errorf("%w %q: no year (yy or yyyy)", ErrDateFormat, spec)
	case day && !month:
		return DateFormat{}, fmt.Errorf("%w %q: a day but no month", ErrDateFormat, spec)
	case has(tokWeekday) && !day:
		return DateFormat{}, fmt.Errorf("%w %q: a weekday but no day", ErrDateFormat, spec)
	case day:
		f.prec = DateDay
	case month:
		f.prec = DateMonth
	default:
		f.prec = DateYear
	}
	f.yy = seen[tokYear2]
	return f, nil
}

// String returns the format as written in the layout.
func (f DateFormat) String() string { return f.spec }

// Precision returns the precision of the dates the format reads.
func (f DateFormat) Precision() DatePrecision { return f.prec }

// SwapsDayAndMonth reports whether a and b read the same text with day and
// month exchanged: "dd/mm/yyyy" and "mm/dd/yyyy" both read 05/01/2023, as 5
// January and as 1 May, so a parser holding both would guess by their order.
func SwapsDayAndMonth(a, b DateFormat) bool {
	ka, da, oka := a.numericShape()
	kb, db, okb := b.numericShape()
	return oka && okb && ka == kb && da != db
}

// numericShape writes f's items with a numeric day or month, of one or two
// digits, as one symbol, and says whether the day comes first; ok is false
// unless f has both a numeric day and a numeric month.
func (f DateFormat) numericShape() (shape string, dayFirst, ok bool) {
	var b strings.Builder
	day, month := false, false
	for _, it := range f.items {
		switch it.tok {
		case tokLit:
			b.WriteByte(it.lit)
		case tokDay, tokDay2:
			day, dayFirst = true, !month
			b.WriteByte(0)
		case tokMonth, tokMonth2:
			month = true
			b.WriteByte(0)
		default:
			b.WriteByte(1 + byte(it.tok)) // below ' ', so never a separator
		}
	}
	return b.String(), dayFirst, day && month
}

func isNumericTok(t dateTok) bool {
	return t == tokDay || t == tokDay2 || t == tokMonth || t == tokMonth2 || t == tokYear2 || t == tokYear4
}

func isNameTok(t dateTok) bool { return t == tokWeekday || t == tokMonthName }

// DateParser reads dates written in any of its formats. It is read-only while
// parsing, so one parser may serve many goroutines.
type DateParser struct {
	Formats []DateFormat
	// Pivot sets the century of two-digit years: yy < Pivot is 20yy, else
	// 19yy. It must be 1 to 100 when any format has yy (Pivot 30 reads 29 as
	// 2029 and 30 as 1930).
	Pivot int
}

// Validate reports a parser that cannot read anything: no formats, or a
// two-digit year without a pivot. Layouts call it once, at load.
func (p *DateParser) Validate() error {
	if len(p.Formats) == 0 {
		return fmt.Errorf("%w: no formats", ErrDateFormat)
	}
	for _, f := range p.Formats {
		if f.items == nil && !f.excel {
			return fmt.Errorf("%w: a format was not built by ParseDateFormat", ErrDateFormat)
		}
		if f.yy && (p.Pivot < 1 || p.Pivot > 100) {
			return fmt.Errorf("%w %q: a two-digit year needs a pivot year from 1 to 100, not %d", ErrDateFormat, f.spec, p.Pivot)
		}
	}
	return nil
}

// How far a format got before it failed: a value that was read but is not a
// date explains more than a text of another shape.
const (
	failShape = iota
	failName
	failValue
)

// Parse returns the date as days since 1970-01-01, its precision, and "" or
// the reason it is not a date. Formats are tried in order and the first that
// reads the whole text wins; spaces around the text and a time of day after
// it (StripTime) are ignored. Reasons never quote the text. A month or year
// is returned as its first day.
func (p *DateParser) Parse(b []byte) (days int32, prec DatePrecision, reason string) {
	b = trimBlank(FoldNumber(b))
	if len(b) == 0 {
		return 0, 0, "empty"
	}
	if b, reason = StripTime(b); reason != "" {
		return 0, 0, reason
	}
	if len(p.Formats) == 0 {
		return 0, 0, "no date format in the layout"
	}
	best, bestLevel := "", -1
	for i := range p.Formats {
		f := &p.Formats[i]
		d, level, why := f.parse(b, p.Pivot)
		if why == "" {
			return d, f.prec, ""
		}
		if level > bestLevel {
			best, bestLevel = why, level
		}
	}
	if bestLevel == failShape && len(p.Formats) > 1 {
		specs := make([]string, len(p.Formats))
		for i, f := range p.Formats {
			specs[i] = f.spec
		}
		best = "not a date in any of the forms " + strings.Join(specs, ", ")
	}
	if bestLevel == failShape && excelSerial(b) && !slices.ContainsFunc(p.Formats, func(f DateFormat) bool { return f.excel }) {
		best += " (an Excel day number? add excel to dates.formats)"
	}
	return 0, 0, best
}

// excelSerial reports a text of five digits, as an Excel date cell read as
// stored is from 1927 (10000) on.
func excelSerial(b []byte) bool {
	if len(b) != 5 {
		return false
	}
	for _, c := range b {
		if !isDigitByte(c) {
			return false
		}
	}
	return true
}

func (f *DateFormat) parse(b []byte, pivot int) (days int32, level int, reason string) {
	if f.excel {
		return parseExcel(b)
	}
	if f.items == nil {
		return 0, failShape, "date format not built by ParseDateFormat"
	}
	y, m, d := 0, 1, 1
	i := 0
	for _, it := range f.items {
		var v, w int
		switch it.tok {
		case tokLit:
			if i >= len(b) || b[i] != it.lit {
				return 0, failShape, f.mismatch
			}
			i++
			continue
		case tokDay, tokMonth:
			v, w = readDigits(b[i:], 2)
		case tokDay2, tokMonth2, tokYear2:
			if v, w = readDigits(b[i:], 2); w != 2 {
				w = 0
			}
		case tokYear4:
			if v, w = readDigits(b[i:], 4); w != 4 {
				w = 0
			}
		case tokWeekday, tokMonthName:
			j := i
			for j < len(b) && isLetterByte(b[j]) {
				j++
			}
			if j == i {
				return 0, failShape, f.mismatch
			}
			if it.tok == tokWeekday {
				if !isWeekday(b[i:j]) {
					return 0, failName, "unknown weekday name"
				}
			} else if m = monthNumber(b[i:j]); m == 0 {
				return 0, failName, "unknown month name"
			}
			i = j
			continue
		}
		if w == 0 {
			return 0, failShape, f.mismatch
		}
		i += w
		switch it.tok {
		case tokDay, tokDay2:
			d = v
		case tokMonth, tokMonth2:
			m = v
		case tokYear2:
			if pivot < 1 || pivot > 100 {
				return 0, failValue, "two-digit year, but the layout sets no pivot year"
			}
			y = 1900 + v
			if v < pivot {
				y = 2000 + v
			}
		case tokYear4:
			y = v
		}
	}
	if i != len(b) {
		return 0, failShape, f.mismatch
	}
	switch {
	case y == 0:
		return 0, failValue, "year 0000 does not exist"
	case m < 1 || m > 12:
		return 0, failValue, "month is not 1 to 12"
	case d < 1 || d > daysIn(y, m):
		return 0, failValue, "no such day in that month"
	}
	return daysFromCivil(y, m, d), 0, ""
}

// Excel's 1900 date system counts 1900-01-01 as 1 and, copying Lotus 1-2-3,
// has a 1900-02-29 at 60; serials from 61 on are one day ahead of a true count.
const (
	excelEpoch1970 = 25569   // serial of 1970-01-01
	excelMax       = 2958465 // serial of 9999-12-31
)

func parseExcel(b []byte) (int32, int, string) {
	n, w := readDigits(b, 8)
	if w == 0 {
		return 0, failShape, "not an Excel serial day number"
	}
	if w < len(b) {
		// Only a fraction may follow: the time of day, which is dropped.
		if b[w] != '.' {
			return 0, failShape, "not an Excel serial day number"
		}
		for _, c := range b[w+1:] {
			if !isDigitByte(c) {
				return 0, failShape, "not an Excel serial day number"
			}
		}
	}
	switch {
	case n == 0:
		return 0, failValue, "Excel serial 0 is not a date"
	case n == 60:
		return 0, failValue, "Excel serial 60 is 1900-02-29, which does not exist"
	case n > excelMax:
		return 0, failValue, "Excel serial day number after 9999-12-31"
	case n < 60:
		n++ // before Excel's phantom leap day the count is one short
	}
	return int32(n - excelEpoch1970), 0, ""
}

// readDigits reads up to max leading ASCII digits of b and returns their
// value and count.
func readDigits(b []byte, max int) (v, n int) {
	for n < max && n < len(b) && isDigitByte(b[n]) {
		v = v*10 + int(b[n]-'0')
		n++
	}
	return v, n
}

var monthNames = [12]string{
	"january", "february", "march", "april", "may", "june",
	"july", "august", "september", "october", "november", "december",
}

var weekdayNames = [7]string{
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
}

// monthNumber returns 1-12 for an English month name (full, 3 letters or
// "Sept", any case) and 0 otherwise. b holds ASCII letters only.
func monthNumber(b []byte) int {
	for i, name := range monthNames {
		if foldEq(b, name) || (len(b) == 3 && foldEq(b, name[:3])) {
			return i + 1
		}
	}
	if foldEq(b, "sept") {
		return 9
	}
	return 0
}

func isWeekday(b []byte) bool {
	for _, name := range weekdayNames {
		if foldEq(b, name) || (len(b) == 3 && foldEq(b, name[:3])) {
			return true
		}
	}
	return foldEq(b, "tues") || foldEq(b, "thur") || foldEq(b, "thurs")
}

// foldEq reports whether the ASCII letters b equal the lower-case word s.
func foldEq(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		if b[i]|0x20 != s[i] {
			return false
		}
	}
	return true
}

// First day an event may have, and the days that systems write for an
// unknown date, as days since 1970-01-01.
var (
	firstDay        = daysFromCivil(1900, 1, 1)
	placeholderDays = [...]int32{
		daysFromCivil(1900, 1, 1), // day 1 of Excel's and SQL Server's calendars
		0,                         // 1970-01-01, Unix time 0
	}
)

// DayProblem says why days (since 1970-01-01) cannot be the date of an
// event recorded up to today, or "": it is in the future, before 1900, or a
// placeholder, one of the days that spreadsheets, databases and Unix write
// for an unknown date (1900-01-01 and 1970-01-01). A placeholder accepted
// would be counted in its month and stretch every period to a century.
// Callers add the value as written.
func DayProblem(days, today int32) string {
	switch {
	case days > today:
		return "date is in the future"
	case days < firstDay:
		return "date is before 1900"
	case slices.Contains(placeholderDays[:], days):
		return "date is a placeholder that systems write for an unknown date (1900-01-01: day 1 of Excel's calendar; 1970-01-01: Unix time 0); give the true date"
	}
	return ""
}

// CivilDays returns the days since 1970-01-01 of the calendar date y-m-d, and
// false when there is no such date (2021-02-30) or the year is outside 1-9999.
func CivilDays(y, m, d int) (int32, bool) {
	if y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	return daysFromCivil(y, m, d), true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns days since 1970-01-01 in the proleptic Gregorian
// calendar (Howard Hinnant's days_from_civil) for years 1 to 9999.
func daysFromCivil(y, m, d int) int32 {
	if m <= 2 {
		y--
	}
	era := y / 400 // y >= 0 here
	yoe := y - era*400
	doy := (153*((m+9)%12)+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int32(era*146097 + doe - 719468)
}

// trimBlank drops ASCII white space and no-break spaces (U+00A0, common in
// spreadsheet exports) around b.
func trimBlank(b []byte) []byte {
	for len(b) > 0 {
		switch {
		case isBlankByte(b[0]):
			b = b[1:]
		case len(b) > 1 && b[0] == 0xC2 && b[1] == 0xA0:
			b = b[2:]
		default:
			goto right
		}
	}
right:
	for n := len(b); n > 0; n = len(b) {
		switch {
		case isBlankByte(b[n-1]):
			b = b[:n-1]
		case n > 1 && b[n-2] == 0xC2 && b[n-1] == 0xA0:
			b = b[:n-2]
		default:
			return b
		}
	}
	return b
}

func isBlankByte(c byte) bool  { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
func isDigitByte(c byte) bool  { return c >= '0' && c <= '9' }
func isLetterByte(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// timeOfDay matches a time of day after a date, as spreadsheets and data
// frames write a date cell: "2023-01-05 00:00:00", "05/01/2023 14:30",
// "1/5/2023 12:00:00 AM", "2023-01-05T00:00:00.000Z", "2023-01-05T09:00+05:00".
var timeOfDay = regexp.MustCompile(`^(.*[0-9A-Za-z])[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?(?: ?([AaPp][Mm]))?(Z|[+-][0-9]{2}:?[0-9]{2})?$`)

// TimeZoneReason is why a date with a time of day in a given zone is not
// read: the day it falls on in Pakistan is not the day written, unless the
// time is midnight of a date-only value.
const TimeZoneReason = "a date with a time of day and a time zone: the day in Pakistan may differ; give the day of the event alone (YYYY-MM-DD)"

// StripTime returns b without a time of day after its date, so that a date
// cell saved with its time ("2023-01-05 00:00:00", "1/5/2023 12:00:00 AM")
// reads as its day, the one rule for the canonical reader and every
// layout's date formats. The time is dropped: ocmap keeps days. A time with
// a zone ("Z", "+05:00") is taken off only at midnight UTC, which is how a
// date alone is exported as a timestamp; otherwise reason says why the date
// is not read. b is returned as it is when it holds no time of day.
func StripTime(b []byte) (date []byte, reason string) {
	b = trimBlank(b)
	if len(b) < 8 || !slices.Contains(b, ':') {
		return b, ""
	}
	m := timeOfDay.FindSubmatch(b)
	if m == nil {
		return b, ""
	}
	h, mi, s := atoi2(m[2]), atoi2(m[3]), atoi2(m[4])
	if ampm := strings.ToLower(string(m[5])); ampm != "" {
		if h < 1 || h > 12 {
			return b, ""
		}
		h %= 12
		if ampm == "pm" {
			h += 12
		}
	}
	if h > 23 || mi > 59 || s > 59 {
		return b, ""
	}
	if zone := string(m[6]); zone != "" {
		utc := zone == "Z" || strings.Trim(zone, "+-:0") == ""
		if !utc || h != 0 || mi != 0 || s != 0 {
			return b, TimeZoneReason
		}
	}
	return m[1], ""
}

// atoi2 reads up to two ASCII digits; empty is 0.
func atoi2(b []byte) int {
	v := 0
	for _, c := range b {
		v = v*10 + int(c-'0')
	}
	return v
}
