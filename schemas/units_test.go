package schemas_test

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/ocmap/ocmap/schemas"
)

func TestMassToKg(t *testing.T) {
	tests := []struct {
		v    float64
		unit string
		want float64
	}{
		{250, "mg", 0.00025},
		{1.5, "g", 0.0015},
		{500, "gm", 0.5},
		{500, "Gms", 0.5},
		{1, "gram", 0.001},
		{20, "grams", 0.02},
		{2.5, "kg", 2.5},
		{2.5, "KG.", 2.5},
		{3, "kgs", 3},
		{3, "kilo", 3},
		{3, "Kilos", 3},
		{3, "kilogram", 3},
		{3, "kilograms", 3},
		{1.2, "ton", 1200},
		{1.1, "tons", 1100},
		{0.7, "tonne", 700},
		{2, "tonnes", 2000},
		{2, "metric  tons", 2000},
		{-1, "kg", -1}, // the caller decides about negatives
		{0, "g", 0},
	}
	for _, tt := range tests {
		t.Run(tt.unit, func(t *testing.T) {
			got, err := schemas.MassToKg(tt.v, tt.unit)
			if err != nil {
				t.Fatal(err)
			}
			if want := tt.want; got != want {
				t.Errorf("MassToKg(%v, %q) = %v, want %v", tt.v, tt.unit, got, want)
			}
		})
	}
	for _, unit := range []string{"lb", "lbs", "pound", "maund", "oz", "", "kg kg", "03001234567"} {
		t.Run("reject "+unit, func(t *testing.T) {
			_, err := schemas.MassToKg(1, unit)
			if !errors.Is(err, schemas.ErrUnknownUnit) {
				t.Fatalf("MassToKg(1, %q) error = %v, want ErrUnknownUnit", unit, err)
			}
			if strings.Contains(err.Error(), "03001234567") {
				t.Errorf("error %q echoes a phone number", err)
			}
		})
	}
	if _, err := schemas.MassToKg(math.NaN(), "kg"); err == nil {
		t.Error("MassToKg(NaN) = nil error")
	}
}

func TestMoneyToPKR(t *testing.T) {
	tests := []struct {
		v    float64
		unit string
		rate float64
		want float64
	}{
		{50000, "PKR", 0, 50000},
		{50000, "Rs", 0, 50000},
		{50000, "Rs.", 0, 50000},
		{50000, "rupees", 0, 50000},
		{1.5, "PKR thousand", 0, 1500},
		{2.5, "PKR lakh", 0, 250000},
		{1.1, "PKR lakh", 0, 110000}, // not 110000.00000000001
		{12.5, "Rs lacs", 0, 1250000},
		{1.1, "PKR crore", 0, 11000000},
		{3.7, "PKR crore", 0, 37000000},
		{1.25, "PKR million", 0, 1250000},
		{0.3, "PKR million", 0, 300000},
		{2.1, "PKR billion", 0, 2100000000},
		{4.2, "(Rs. in million)", 0, 4200000},
		{7, "Rs '000", 0, 7000},
		{100, "USD", 278.5, 27850},
		{1.1, "USD", 278.3, 306.13},
		{2, "USD million", 280, 560000000},
		{10, "US$", 280, 2800},
		{10, "us dollars", 280, 2800},
	}
	for _, tt := range tests {
		t.Run(tt.unit, func(t *testing.T) {
			got, err := schemas.MoneyToPKR(tt.v, tt.unit, tt.rate)
			if err != nil {
				t.Fatal(err)
			}
			if want := tt.want; got != want {
				t.Errorf("MoneyToPKR(%v, %q, %v) = %v, want %v", tt.v, tt.unit, tt.rate, got, want)
			}
		})
	}
	for _, tt := range []struct {
		unit string
		rate float64
	}{
		{"EUR", 0}, {"million", 0}, {"PKR lakh crore", 0}, {"PKR USD", 280}, {"USD", 0}, {"USD", -1},
		{"USD", math.Inf(1)}, {"dirham", 0}, {"", 0},
	} {
		t.Run("reject "+tt.unit, func(t *testing.T) {
			if _, err := schemas.MoneyToPKR(1, tt.unit, tt.rate); err == nil {
				t.Errorf("MoneyToPKR(1, %q, %v) = nil error", tt.unit, tt.rate)
			}
		})
	}
}

// TestUnitExact checks that conversion equals parsing the decimal scaled by
// hand, for many decimals and every power of ten the units use.
func TestUnitExact(t *testing.T) {
	units := map[string]int{"mg": -6, "g": -3, "kg": 0, "ton": 3}
	for name, p := range units {
		u, err := schemas.MassUnit(name)
		if err != nil {
			t.Fatal(err)
		}
		for m := 1; m < 20000; m += 7 {
			for _, frac := range []int{0, 1, 2, 3} {
				s := strconv.Itoa(m)
				if frac > 0 && len(s) > frac {
					s = s[:len(s)-frac] + "." + s[len(s)-frac:]
				}
				v, _ := strconv.ParseFloat(s, 64)
				want, _ := strconv.ParseFloat(s+"e"+strconv.Itoa(p), 64)
				if got := u.Convert(v); got != want {
					t.Fatalf("%s %s: got %v, want %v", s, name, got, want)
				}
			}
		}
	}
}

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"1250000", 1250000},
		{"1,250,000", 1250000},
		{"12,50,000", 1250000}, // lakh grouping
		{"1,25,00,000", 12500000},
		{"1,000", 1000},
		{"123,456", 123456},
		{"Rs. 50,000/-", 50000},
		{"Rs.50,000/-", 50000},
		{"rs 50000", 50000},
		{"Rs: 700", 700},
		{"PKR 1,000.50", 1000.5},
		{"Rupees 20,000/=", 20000},
		{"50,000 /-", 50000},
		{" 3.5 ", 3.5},
		{"0.1", 0.1},
		{".5", 0.5},
		{"5.", 5},
		{"-2", -2},
		{"+7", 7},
		{"007", 7},
		{"1,250,000.123", 1250000.123},
		{"12345678901234567890123", 12345678901234567890123},
		{"0.30000000000000000000001", 0.3},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, reason := schemas.ParseAmount([]byte(tt.in))
			if reason != "" {
				t.Fatalf("ParseAmount(%q) reason %q", tt.in, reason)
			}
			if want := tt.want; got != want {
				t.Errorf("ParseAmount(%q) = %v, want %v", tt.in, got, want)
			}
		})
	}
	rejects := []struct {
		in, reason string
	}{
		{"", "empty"},
		{"  ", "empty"},
		{"(1,000)", "brackets"},
		{"Rs. (1,000)", "brackets"},
		{"1.25 million", "not a number"},
		{"1,2,3", "grouping"},
		{"12,5000", "grouping"},
		{"1234,567", "grouping"},
		{"1,00,000,000", "grouping"}, // lakh and western mixed
		{"0,500", "grouping"},
		{"1,", "not a number"},
		{",500", "not a number"},
		{"1.250.000", "not a number"},
		{"1 250 000", "not a number"},
		{"12a", "not a number"},
		{"Rs.", "not a number"},
		{".", "not a number"},
		{"-", "not a number"},
		{"1e5", "not a number"},
		{"0x10", "not a number"},
		{"NaN", "not a number"},
		{"Inf", "not a number"},
		{"3520212345671x", "not a number"},
	}
	for _, tt := range rejects {
		t.Run("reject "+tt.in, func(t *testing.T) {
			got, reason := schemas.ParseAmount([]byte(tt.in))
			if !strings.Contains(reason, tt.reason) {
				t.Errorf("ParseAmount(%q) = %v, %q; want a reason with %q", tt.in, got, reason, tt.reason)
			}
		})
	}
}

func TestParseAmountNoAlloc(t *testing.T) {
	in := []byte("Rs. 12,50,000.75/-")
	u, _ := schemas.MoneyUnit("PKR crore", 0)
	if n := testing.AllocsPerRun(100, func() {
		v, _ := schemas.ParseAmount(in)
		u.Convert(v)
	}); n != 0 {
		t.Errorf("ParseAmount + Convert allocate %v times per call", n)
	}
}

func BenchmarkParseAmount(b *testing.B) {
	in := []byte("Rs. 12,50,000/-")
	u, _ := schemas.MoneyUnit("PKR lakh", 0)
	b.ReportAllocs()
	for b.Loop() {
		v, _ := schemas.ParseAmount(in)
		u.Convert(v)
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"1,250,000", "12,50,000", "Rs. 50,000/-", " 3.5 ", "(1,000)", "1,2,3", "-0.5", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, reason := schemas.ParseAmount([]byte(s))
		if reason != "" {
			return
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("%q: %v", s, v)
		}
		// Without grouping and decoration, the value is what strconv reads.
		if strings.Trim(s, "0123456789.") == "" && strings.Count(s, ".") <= 1 && s != "." {
			want, err := strconv.ParseFloat(s, 64)
			if err == nil && want != v {
				t.Fatalf("%q: got %v, strconv %v", s, v, want)
			}
		}
	})
}

// TestMeasurePersonal: a phone or CNIC number in a quantity or amount cell
// ("03231110023" kg, "923241110024" PKR) parsed as a number and was stored,
// summed and exported; it is refused, without repeating it, while real
// quantities and amounts pass.
func TestMeasurePersonal(t *testing.T) {
	for _, s := range []string{"03001234567", "923001234567", "3520212345671", "0300-1234567", "۰۳۰۰۱۲۳۴۵۶۷", "03001234567.0", "3001234567"} {
		got := schemas.MeasureProblem(1, []byte(s))
		if !strings.Contains(got, "personal") || !strings.Contains(got, "3,001,234,567") || strings.Contains(got, "1234567") {
			t.Errorf("MeasureProblem(%q) = %q, want a reason that withholds the value", s, got)
		}
	}
	for _, s := range []string{"1250000", "1,250,000", "12.5", "1000000000", "9999999999", "2", "0.300", "12,50,00,000", "1,000,000,000,000", "3,001,234,567"} {
		if got := schemas.MeasureProblem(1, []byte(s)); got != "" {
			t.Errorf("MeasureProblem(%q) = %q, want \"\"", s, got)
		}
	}
	if got, want := schemas.MeasureProblem(2e15, []byte("2000000000000000")), "too large: (value withheld: looks like personal data) is more than 10^15"; got != want {
		t.Errorf("MeasureProblem(2e15) = %q, want %q", got, want)
	}
}
