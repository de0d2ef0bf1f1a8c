package schemas

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// ErrUnknownUnit is wrapped by the errors of [MassUnit], [MoneyUnit],
// [MassToKg] and [MoneyToPKR].
var ErrUnknownUnit = errors.New("schemas: unknown unit")

// Unit converts values to a canonical unit: kg for mass, PKR for money.
// Resolve it once per column with [MassUnit] or [MoneyUnit], outside the row
// loop. The zero Unit is the identity.
//
// Conversion is exact in decimal: the value is taken as the shortest decimal
// that prints it, so 1.1 crore is 11000000 and 250 mg is 0.00025 kg, not a
// neighbouring float.
type Unit struct {
	name  string
	pow10 int     // value × 10^pow10 …
	rate  float64 // … × rate, when not 0 (a USD exchange rate)
}

// String returns the unit as the layout named it.
func (u Unit) String() string { return u.name }

// Convert returns v in the canonical unit. NaN and ±Inf pass through.
func (u Unit) Convert(v float64) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v * u.factor()
	}
	if u.pow10 == 0 && u.rate == 0 {
		return v
	}
	neg := v < 0
	mant, exp, ok := shortestDecimal(math.Abs(v))
	var r float64
	if ok && u.rate != 0 {
		m2, e2, ok2 := shortestDecimal(u.rate)
		hi, lo := bits.Mul64(mant, m2)
		mant, exp, ok = lo, exp+e2, ok2 && hi == 0
	}
	if ok {
		r, ok = exactDecimal(mant, exp+u.pow10)
	}
	if !ok {
		r = math.Abs(v) * u.factor()
	}
	if neg {
		return -r
	}
	return r
}

func (u Unit) factor() float64 {
	f := math.Pow10(u.pow10)
	if u.rate != 0 {
		f *= u.rate
	}
	return f
}

// Mass units by the power of ten that turns them into kg. Tons are metric;
// pounds and maunds are not used in the sources and are refused rather than
// guessed.
var massUnits = map[string]int{
	"mg": -6, "mgs": -6, "milligram": -6, "milligrams": -6,
	"g": -3, "gm": -3, "gms": -3, "gram": -3, "grams": -3, "gramme": -3, "grammes": -3,
	"kg": 0, "kgs": 0, "kilo": 0, "kilos": 0, "kilogram": 0, "kilograms": 0, "kilogramme": 0, "kilogrammes": 0,
	"t": 3, "mt": 3, "ton": 3, "tons": 3, "tonne": 3, "tonnes": 3,
	"metric ton": 3, "metric tons": 3, "metric tonne": 3, "metric tonnes": 3,
}

// MassUnit resolves a mass unit name (mg, g, gm, gram(s), kg, kilo(s),
// kilogram(s), ton(s), tonne(s); any case, a trailing dot ignored) to a
// [Unit] that converts to kg.
func MassUnit(name string) (Unit, error) {
	key := strings.Join(strings.Fields(strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), "."))), " ")
	p, ok := massUnits[key]
	if !ok {
		return Unit{}, fmt.Errorf("%w: mass unit %s", ErrUnknownUnit, quoteSafe(name))
	}
	return Unit{name: name, pow10: p}, nil
}

// MassToKg converts v in unit to kg. Resolve the unit once with [MassUnit]
// when converting a whole column.
func MassToKg(v float64, unit string) (float64, error) {
	u, err := MassUnit(unit)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("schemas: mass is not a finite number")
	}
	return u.Convert(v), nil
}

var (
	pkrWords = map[string]bool{"pkr": true, "rs": true, "rupee": true, "rupees": true}
	usdWords = map[string]bool{"usd": true, "us": true, "dollar": true, "dollars": true}
	// Multipliers by power of ten; "000" is the "Rs '000" of financial tables.
	moneyScales = map[string]int{
		"thousand": 3, "thousands": 3, "000": 3,
		"lakh": 5, "lakhs": 5, "lac": 5, "lacs": 5,
		"million": 6, "millions": 6, "mn": 6,
		"crore": 7, "crores": 7,
		"billion": 9, "billions": 9, "bn": 9,
	}
)

// MoneyUnit resolves a money unit to a [Unit] that converts to PKR. The unit
// names a currency, PKR ("PKR", "Rs", "rupees") or USD ("USD", "US$",
// "dollars"), and at most one multiplier: thousand, lakh (1e5), million,
// crore (1e7), billion. Case, punctuation and the word "in" are ignored, so
// the table heading "(Rs. in million)" works. USD needs usdRate, the PKR
// value of one dollar.
func MoneyUnit(name string, usdRate float64) (Unit, error) {
	words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9')
	})
	u := Unit{name: name}
	var currency, scale int // 0 unset, 1 PKR, 2 USD; number of multipliers
	for _, w := range words {
		switch p, isScale := moneyScales[w]; {
		case w == "in":
		case pkrWords[w] && currency == 0:
			currency = 1
		case usdWords[w] && currency == 0, w == "dollars" && currency == 2, w == "dollar" && currency == 2:
			currency = 2
		case isScale && scale == 0:
			u.pow10, scale = p, 1
		default:
			return Unit{}, fmt.Errorf("%w: money unit %s", ErrUnknownUnit, quoteSafe(name))
		}
	}
	switch currency {
	case 0:
		return Unit{}, fmt.Errorf("%w: money unit %s names no currency (PKR, Rs, USD)", ErrUnknownUnit, quoteSafe(name))
	case 2:
		if !(usdRate > 0) || math.IsInf(usdRate, 0) {
			return Unit{}, fmt.Errorf("schemas: money unit %s needs a positive USD exchange rate", quoteSafe(name))
		}
		u.rate = usdRate
	}
	return u, nil
}

// MoneyToPKR converts v in unit to PKR; usdRate (PKR per USD) is used only
// for USD. Resolve the unit once with [MoneyUnit] when converting a column.
func MoneyToPKR(v float64, unit string, usdRate float64) (float64, error) {
	u, err := MoneyUnit(unit, usdRate)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("schemas: amount is not a finite number")
	}
	return u.Convert(v), nil
}

// WithheldValue is what a message says in place of a value that looks
// like personal data (LooksPersonal).
const WithheldValue = "(value withheld: looks like personal data)"

// quoteSafe quotes a unit name for an error, unless it looks like personal
// data (a unit column may hold anything).
func quoteSafe(s string) string {
	if LooksPersonal([]byte(s)) {
		return WithheldValue
	}
	if len(s) > 40 {
		s = strings.ToValidUTF8(s[:40], "") + "…"
	}
	return strconv.Quote(s)
}

// MaxMeasure is the largest quantity (kg) or amount (PKR) one row may give:
// 10^15, a thousand times Pakistan's yearly GDP in rupees and far above any
// seizure, yet small enough that the store's DECIMAL(38, 6) sums of a
// billion rows cannot overflow. A larger value is a typing error.
const MaxMeasure = 1e15

// MeasureProblem returns the reason a quantity or amount v, written text,
// is refused, or "": more than [MaxMeasure], or written as a phone, CNIC or
// other personal number that [Scrub] finds ("03001234567", "923001234567",
// 13 digits), a value from the wrong column that would otherwise be stored
// as a number and reach sums and exports. Amounts of 13 digits are written
// with their separators ("1,000,000,000,000") and pass: the reason says so,
// for the layouts' readers, which take separators (ParseAmount).
func MeasureProblem(v float64, text []byte) string {
	return measureProblem(v, text, "write an amount with its separators, as in 3,001,234,567")
}

// CanonicalMeasureProblem is MeasureProblem for canonical files, whose
// numbers have no separators: an amount of billions is written with an
// exponent there ("3.001234567e9"), or the file read through a layout.
func CanonicalMeasureProblem(v float64, text []byte) string {
	return measureProblem(v, text, "in a canonical file write an amount of billions with an exponent, as in 3.001234567e9, "+
		"or read the file through a layout, which takes 3,001,234,567")
}

func measureProblem(v float64, text []byte, advice string) string {
	if v > MaxMeasure {
		return "too large: " + quoteSafe(string(text)) + " is more than 10^15"
	}
	b := text
	if !isASCIIBytes(b) {
		b = []byte(foldSeparators(foldDigits(string(b))))
	}
	if digits, _ := mayHoldPII(b); !digits {
		return ""
	}
	if _, _, kind := nextPII(b, 0, false); kind != piiNone {
		// An amount of billions written bare ("3001234567") reads as a
		// mobile number without its 0: its separators tell them apart.
		return "not a quantity or amount: (value withheld: looks like personal data, a phone or CNIC number; " + advice + ")"
	}
	return ""
}

// ParseAmount parses a number as agencies write it: "1,250,000", Pakistani
// lakh grouping "12,50,000", "Rs. 50,000/-", " 3.5 ", "-2". It returns the
// value and "" or the reason it is not an amount. Multipliers ("1.25
// million") belong to the layout's unit, not the cell, and an accounting
// negative "(1,000)" is refused because sources use brackets for notes too.
// A minus sign is read; the caller decides whether negatives are allowed.
func ParseAmount(b []byte) (float64, string) {
	s := trimBlank(FoldNumber(b))
	if len(s) == 0 {
		return 0, "empty"
	}
	s = trimCurrency(s)
	if n := len(s); n >= 2 && s[n-2] == '/' && (s[n-1] == '-' || s[n-1] == '=') {
		s = trimBlank(s[:n-2]) // "50,000/-": nothing after the rupees
	}
	if len(s) > 0 && (s[0] == '(' || s[len(s)-1] == ')') {
		return 0, "amount in brackets (an accounting negative?) is not accepted"
	}
	neg := false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
	}

	var (
		mant              uint64
		exp, sig          int // decimal exponent, significant digits read
		dropped           bool
		groups            int // comma-separated groups in the integer part
		first, last       int // their lengths
		mid2, mid3        = true, true
		i, intDigits      int
		firstDigitIsZero  bool
		fracStart, digits int
	)
	add := func(c byte) {
		digits++
		if mant == 0 && c == '0' {
			return
		}
		if sig < 19 {
			mant = mant*10 + uint64(c-'0')
			sig++
		} else {
			exp++
			dropped = dropped || c != '0'
		}
	}
	for {
		g := 0
		for i < len(s) && isDigitByte(s[i]) {
			if groups == 0 && g == 0 {
				firstDigitIsZero = s[i] == '0'
			}
			add(s[i])
			g++
			i++
		}
		if g == 0 {
			if groups > 0 {
				return 0, "not a number" // "1,"
			}
			break
		}
		intDigits += g
		if groups == 0 {
			first = g
		} else if groups >= 2 { // the previous group was a middle one
			mid2, mid3 = mid2 && last == 2, mid3 && last == 3
		}
		last = g
		groups++
		if i < len(s) && s[i] == ',' {
			i++
			continue
		}
		break
	}
	if groups > 1 {
		western := first <= 3 && mid3
		lakh := first <= 2 && mid2
		if last != 3 || !(western || lakh) || firstDigitIsZero {
			return 0, "bad digit grouping"
		}
	}
	if i < len(s) && s[i] == '.' {
		i++
		fracStart = i
		for i < len(s) && isDigitByte(s[i]) {
			add(s[i])
			exp--
			i++
		}
		if intDigits == 0 && i == fracStart {
			return 0, "not a number"
		}
	}
	if i != len(s) || digits == 0 {
		return 0, "not a number"
	}
	v, ok := exactDecimal(mant, exp)
	if !ok || dropped {
		// Too many digits for the exact path: let strconv round.
		clean := make([]byte, 0, len(s))
		for _, c := range s {
			if c != ',' {
				clean = append(clean, c)
			}
		}
		var err error
		if v, err = strconv.ParseFloat(string(clean), 64); err != nil {
			return 0, "too large"
		}
	}
	if neg {
		v = -v
	}
	return v, ""
}

// trimCurrency drops a leading "Rs", "Rs.", "Rs:", "PKR" or "Rupees" and the
// spaces after it.
func trimCurrency(s []byte) []byte {
	for _, p := range [...]string{"rupees", "pkr", "rs"} {
		if len(s) >= len(p) && foldEqPrefix(s, p) && (len(s) == len(p) || !isLetterByte(s[len(p)])) {
			s = s[len(p):]
			if len(s) > 0 && (s[0] == '.' || s[0] == ':') {
				s = s[1:]
			}
			return trimBlank(s)
		}
	}
	return s
}

func foldEqPrefix(b []byte, p string) bool {
	for i := range len(p) {
		if lowerASCII(b[i]) != p[i] {
			return false
		}
	}
	return true
}

// pow10tab holds the powers of ten that a float64 holds exactly.
var pow10tab = [...]float64{
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
}

// exactDecimal returns mant × 10^exp correctly rounded when one rounding
// suffices (Clinger's fast path): mant below 2^53 and |exp| at most 22.
func exactDecimal(mant uint64, exp int) (float64, bool) {
	if mant == 0 {
		return 0, true
	}
	// Move excess exponent into the mantissa while it stays exact: 12e23 = 12000e20.
	for exp > 22 && mant < 1<<53/10 {
		mant *= 10
		exp--
	}
	if mant >= 1<<53 {
		return 0, false
	}
	f := float64(mant)
	switch {
	case exp >= 0 && exp <= 22:
		return f * pow10tab[exp], true
	case exp < 0 && exp >= -22:
		return f / pow10tab[-exp], true
	}
	return 0, false
}

// shortestDecimal returns the shortest decimal mant × 10^exp that prints as
// v (v > 0 and finite), without allocating.
func shortestDecimal(v float64) (mant uint64, exp int, ok bool) {
	var buf [32]byte
	b := strconv.AppendFloat(buf[:0], v, 'e', -1, 64) // d.ddde±xx
	i := 0
	for ; i < len(b) && b[i] != 'e'; i++ {
		if b[i] == '.' {
			continue
		}
		mant = mant*10 + uint64(b[i]-'0')
		if i > 1 {
			exp--
		}
	}
	if i+2 >= len(b) {
		return 0, 0, false
	}
	e, _ := readDigits(b[i+2:], 3)
	if b[i+1] == '-' {
		e = -e
	}
	return mant, exp + e, true
}
