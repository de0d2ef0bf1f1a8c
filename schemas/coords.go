package schemas

import (
	"bytes"
	"math"
	"strconv"
)

// Coordinate component markers. Sources type the degree sign as °, º
// (ordinal) or ˚ (ring), minutes as ', ′, ’, ‘ or ´, seconds as ", ″, ”, “
// or two minute marks.
const (
	markNone = iota
	markDeg
	markMin
	markSec
	markColon
)

// ParseCoord parses one WGS 84 coordinate: decimal degrees ("33.6844",
// "-73.05", "33.6844N", "73.0479 E", "33.6844°N"), or degrees with minutes
// and optional seconds ("33°41'04\"N", "33° 41' 4.5\" N", "33 41 04 N",
// "N 33 41 04", "33:41:04N", "33d41m4s N", "33°41.07'N"), with Unicode
// primes and typographic quotes. axis is 'y' for latitude (N/S, -90..90) or
// 'x' for longitude (E/W, -180..180); a hemisphere letter of the other axis
// is refused, since it usually means lat and lon were swapped. S and W make
// the value negative; a minus sign with a hemisphere letter is refused.
// Minutes and seconds must be below 60 and only the last component may have
// a fraction. It returns the value and "" or the reason, which never quotes
// the text.
func ParseCoord(b []byte, axis byte) (float64, string) {
	var limit float64
	var pos, neg byte
	switch axis {
	case 'y':
		limit, pos, neg = 90, 'N', 'S'
	case 'x':
		limit, pos, neg = 180, 'E', 'W'
	default:
		return 0, "axis must be 'y' (latitude) or 'x' (longitude)"
	}
	s := trimBlank(FoldNumber(b))
	if len(s) == 0 {
		return 0, "empty"
	}
	if DecimalComma(s) {
		return 0, DecimalCommaReason
	}
	i := 0
	var hemi byte
	if h := hemiAt(s, 0); h != 0 && (len(s) == 1 || !isLetterByte(s[1])) {
		hemi = h
		i = skipSpaces(s, 1)
	}
	var minus bool
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		minus = s[i] == '-'
		i++
	}
	var (
		comp        [3]float64
		n           int
		lastHasFrac bool
		letters     bool // 33d41m4s: m and s are markers, not words
		mark        int
	)
	for n < 3 {
		v, w, frac := parseUnsigned(s[i:])
		if w == 0 {
			if mark == markColon {
				return 0, "not a coordinate"
			}
			break
		}
		if n > 0 && lastHasFrac {
			return 0, "only the last of degrees, minutes and seconds may have a fraction"
		}
		comp[n], lastHasFrac = v, frac
		n++
		i = skipSpaces(s, i+w)
		var mw int
		mark, mw = coordMark(s[i:], letters)
		switch {
		case mark == markNone:
		case mark == markColon && n < 3:
		case mark == markDeg && n == 1:
			letters = s[i]|0x20 == 'd'
		case mark == markMin && n == 2, mark == markSec && n == 3:
		default:
			return 0, "degree, minute and second marks out of order"
		}
		i = skipSpaces(s, i+mw)
		if mark == markNone && (i >= len(s) || !isDigitByte(s[i])) {
			break
		}
	}
	if n == 0 {
		return 0, "not a coordinate"
	}
	if i < len(s) && hemi == 0 {
		// A trailing letter must be the last thing, which the check below
		// enforces: "33.5N" and "33d41m4sN" are fine, "33 North" is not.
		if hemi = hemiAt(s, i); hemi != 0 {
			i = skipSpaces(s, i+1)
		}
	}
	if i != len(s) {
		return 0, "not a coordinate"
	}
	switch {
	case hemi != 0 && hemi != pos && hemi != neg:
		if axis == 'y' {
			return 0, "longitude hemisphere (E/W) on a latitude"
		}
		return 0, "latitude hemisphere (N/S) on a longitude"
	case hemi != 0 && minus:
		return 0, "both a minus sign and a hemisphere letter"
	case n >= 2 && comp[1] >= 60:
		return 0, "minutes must be below 60"
	case n == 3 && comp[2] >= 60:
		return 0, "seconds must be below 60"
	}
	v := comp[0]
	if n > 1 {
		// One division keeps whole minutes and seconds exact: 33°41'04" is
		// 121264/3600, correctly rounded.
		v = (comp[0]*3600 + comp[1]*60 + comp[2]) / 3600
	}
	if v > limit {
		if axis == 'y' {
			return 0, "latitude outside -90..90"
		}
		return 0, "longitude outside -180..180"
	}
	if minus || hemi == neg {
		v = -v
	}
	return v, ""
}

// LooksSwapped reports whether (lat, lon) look swapped for a region with the
// given bounds: the pair is outside them but (lon, lat) is inside. The caller
// confirms with the point-in-polygon locator before swapping.
func LooksSwapped(lat, lon float64, minLat, maxLat, minLon, maxLon float64) bool {
	in := func(y, x float64) bool { return y >= minLat && y <= maxLat && x >= minLon && x <= maxLon }
	return !in(lat, lon) && in(lon, lat)
}

// hemiAt returns the hemisphere letter N, S, E or W at s[i], in upper case,
// or 0.
func hemiAt(s []byte, i int) byte {
	if c := s[i] &^ 0x20; isHemiLetter(c) {
		return c
	}
	return 0
}

func skipSpaces(s []byte, i int) int {
	for i < len(s) && isBlankByte(s[i]) {
		i++
	}
	return i
}

// coordMark returns the marker at the start of s and its length in bytes.
// With letters set (after a 'd' degree mark) m and s mark minutes and seconds.
func coordMark(s []byte, letters bool) (mark, n int) {
	if len(s) == 0 {
		return markNone, 0
	}
	// Two minute marks are a seconds mark.
	if m, w := minuteMark(s); m {
		if m2, w2 := minuteMark(s[w:]); m2 {
			return markSec, w + w2
		}
		return markMin, w
	}
	switch c := s[0]; {
	case c == ':':
		return markColon, 1
	case c == '"':
		return markSec, 1
	case c|0x20 == 'd' && (len(s) == 1 || !isLetterByte(s[1])):
		return markDeg, 1
	case letters && c|0x20 == 'm' && (len(s) == 1 || !isLetterByte(s[1])):
		return markMin, 1
	case letters && c|0x20 == 's' && (len(s) == 1 || !isLetterByte(s[1]) || isHemiLetter(s[1])):
		return markSec, 1
	case len(s) >= 2 && c == 0xC2 && (s[1] == 0xB0 || s[1] == 0xBA): // ° º
		return markDeg, 2
	case len(s) >= 2 && c == 0xCB && s[1] == 0x9A: // ˚
		return markDeg, 2
	case len(s) >= 3 && c == 0xE2 && s[1] == 0x80 && (s[2] == 0xB3 || s[2] == 0x9D || s[2] == 0x9C): // ″ ” “
		return markSec, 3
	}
	return markNone, 0
}

func minuteMark(s []byte) (bool, int) {
	switch {
	case len(s) >= 1 && s[0] == '\'':
		return true, 1
	case len(s) >= 2 && s[0] == 0xC2 && s[1] == 0xB4: // ´
		return true, 2
	case len(s) >= 3 && s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0xB2 || s[2] == 0x99 || s[2] == 0x98): // ′ ’ ‘
		return true, 3
	}
	return false, 0
}

func isHemiLetter(c byte) bool {
	c &^= 0x20
	return c == 'N' || c == 'S' || c == 'E' || c == 'W'
}

// parseUnsigned reads digits with an optional fraction ("33", "33.6844",
// ".5") from the start of s, exactly when it can. It returns the value, the
// bytes read (0 for none) and whether there was a fraction.
func parseUnsigned(s []byte) (v float64, n int, frac bool) {
	var mant uint64
	exp, sig, digits := 0, 0, 0
	exact := true
	for ; n < len(s); n++ {
		c := s[n]
		if c == '.' && !frac {
			frac = true
			continue
		}
		if !isDigitByte(c) {
			break
		}
		digits++
		if frac {
			exp--
		}
		if mant == 0 && c == '0' {
			continue
		}
		if sig < 19 {
			mant = mant*10 + uint64(c-'0')
			sig++
		} else {
			exp++
			exact = exact && c == '0'
		}
	}
	if digits == 0 {
		return 0, 0, false
	}
	if s[n-1] == '.' { // "33." is a whole number
		frac = false
	}
	if exact {
		if v, ok := exactDecimal(mant, exp); ok {
			return v, n, frac
		}
	}
	v, err := strconv.ParseFloat(string(s[:n]), 64)
	if err != nil {
		v = math.Inf(1)
	}
	return v, n, frac
}

// DecimalCommaReason is why a coordinate written with a decimal comma is
// refused.
const DecimalCommaReason = "a decimal comma: write degrees with a point (30.5, not 30,5)"

// DecimalComma reports whether b is a coordinate written with a decimal
// comma, as spreadsheets in many locales write it ("30,5", "-72,25"): one
// to three digits, a comma, digits. No coordinate has a thousands
// separator, so the comma can only be a decimal one; the row is still
// refused (the file may use commas in other numbers too), with that reason.
func DecimalComma(b []byte) bool {
	b = trimBlank(b)
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		b = b[1:]
	}
	c := bytes.IndexByte(b, ',')
	if c < 1 || c > 3 || c == len(b)-1 {
		return false
	}
	for i, x := range b {
		if i != c && !isDigitByte(x) {
			return false
		}
	}
	return true
}
