package schemas_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ocmap/ocmap/schemas"
)

// day returns days since 1970-01-01, computed by the time package.
func dateDays(y int, m time.Month, d int) int32 {
	return int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func dateYMD(days int32) string {
	return time.Unix(int64(days)*86400, 0).UTC().Format("2006-01-02")
}

func mustDateParser(t testing.TB, pivot int, specs ...string) *schemas.DateParser {
	t.Helper()
	p := &schemas.DateParser{Pivot: pivot}
	for _, s := range specs {
		f, err := schemas.ParseDateFormat(s)
		if err != nil {
			t.Fatalf("ParseDateFormat(%q): %v", s, err)
		}
		p.Formats = append(p.Formats, f)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDateParse(t *testing.T) {
	tests := []struct {
		name    string
		formats []string
		pivot   int
		in      string
		want    string // yyyy-mm-dd
		prec    schemas.DatePrecision
	}{
		// Both spellings occur in one file.
		{"weekday, month day-year", []string{"dddd-mmmm d-yyyy", "dddd-mmmm-d-yyyy"}, 0, "Sunday-November 19-1995", "1995-11-19", schemas.DateDay},
		{"weekday-month-day-year", []string{"dddd-mmmm d-yyyy", "dddd-mmmm-d-yyyy"}, 0, "Saturday-November-25-2017", "2017-11-25", schemas.DateDay},
		{"weekday ignored even if wrong", []string{"dddd-mmmm d-yyyy"}, 0, "Monday-November 19-1995", "1995-11-19", schemas.DateDay},
		{"yy above pivot", []string{"d-mmm-yy"}, 30, "16-Oct-51", "1951-10-16", schemas.DateDay},
		{"yy below pivot", []string{"d-mmm-yy"}, 30, "13-Jul-18", "2018-07-13", schemas.DateDay},
		{"yy at pivot", []string{"d-mmm-yy"}, 30, "1-Jan-30", "1930-01-01", schemas.DateDay},
		{"dd/mm/yyyy", []string{"dd/mm/yyyy"}, 0, "31/12/2021", "2021-12-31", schemas.DateDay},
		{"mm/dd/yyyy", []string{"mm/dd/yyyy"}, 0, "12/31/2021", "2021-12-31", schemas.DateDay},
		{"first format wins", []string{"dd/mm/yyyy", "mm/dd/yyyy"}, 0, "05/04/2021", "2021-04-05", schemas.DateDay},
		{"second format when first fails", []string{"dd/mm/yyyy", "mm/dd/yyyy"}, 0, "12/31/2021", "2021-12-31", schemas.DateDay},
		{"excel", []string{"excel"}, 0, "45123", "2023-07-16", schemas.DateDay},
		{"excel time dropped", []string{"excel"}, 0, "45123.75", "2023-07-16", schemas.DateDay},
		{"excel 1", []string{"excel"}, 0, "1", "1900-01-01", schemas.DateDay},
		{"excel 59", []string{"excel"}, 0, "59", "1900-02-28", schemas.DateDay},
		{"excel 61", []string{"excel"}, 0, "61", "1900-03-01", schemas.DateDay},
		{"excel last", []string{"excel"}, 0, "2958465", "9999-12-31", schemas.DateDay},
		{"month precision", []string{"yyyy-mm"}, 0, "2023-07", "2023-07-01", schemas.DateMonth},
		{"mm/yyyy", []string{"mm/yyyy"}, 0, "07/2023", "2023-07-01", schemas.DateMonth},
		{"year precision", []string{"yyyy"}, 0, "2019", "2019-01-01", schemas.DateYear},
		{"iso", []string{"yyyy-mm-dd"}, 0, "2024-02-29", "2024-02-29", schemas.DateDay},
		{"month name comma", []string{"mmm d, yyyy"}, 0, "Nov 5, 2020", "2020-11-05", schemas.DateDay},
		{"full month in mmm", []string{"mmm d, yyyy"}, 0, "NOVEMBER 5, 2020", "2020-11-05", schemas.DateDay},
		{"sept", []string{"d mmm yyyy"}, 0, "3 Sept 2021", "2021-09-03", schemas.DateDay},
		{"lower case", []string{"d-mmm-yyyy"}, 0, "3-sep-2021", "2021-09-03", schemas.DateDay},
		{"d takes two digits", []string{"d/m/yyyy"}, 0, "25/12/2020", "2020-12-25", schemas.DateDay},
		{"d takes one digit", []string{"d/m/yyyy"}, 0, "5/7/2020", "2020-07-05", schemas.DateDay},
		{"surrounding spaces", []string{"dd/mm/yyyy"}, 0, "  31/12/2021\t", "2021-12-31", schemas.DateDay},
		{"no-break spaces", []string{"dd/mm/yyyy"}, 0, "\u00a031/12/2021\u00a0", "2021-12-31", schemas.DateDay},
		{"upper-case spec", []string{"DD.MM.YYYY"}, 0, "16.07.2023", "2023-07-16", schemas.DateDay},
		{"no separators", []string{"yyyymmdd"}, 0, "20230716", "2023-07-16", schemas.DateDay},
		{"short weekday", []string{"ddd, d mmm yyyy"}, 0, "Thurs, 1 Feb 2024", "2024-02-01", schemas.DateDay},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustDateParser(t, tt.pivot, tt.formats...)
			days, prec, reason := p.Parse([]byte(tt.in))
			if reason != "" {
				t.Fatalf("Parse(%q) = reason %q", tt.in, reason)
			}
			if got, want := dateYMD(days), tt.want; got != want {
				t.Errorf("Parse(%q) = %s, want %s", tt.in, got, want)
			}
			if got, want := prec, tt.prec; got != want {
				t.Errorf("Parse(%q) precision = %d, want %d", tt.in, got, want)
			}
		})
	}
	if got, want := dateDays(2023, 7, 16), int32(19554); got != want {
		t.Errorf("2023-07-16 = day %d, want %d", got, want)
	}
}

func TestDateParseRejects(t *testing.T) {
	tests := []struct {
		name    string
		formats []string
		in      string
		reason  string // a substring of the reason
	}{
		{"feb 30", []string{"dd/mm/yyyy"}, "30/02/2021", "no such day"},
		{"feb 29 not leap", []string{"yyyy-mm-dd"}, "2023-02-29", "no such day"},
		{"feb 29 1900", []string{"yyyy-mm-dd"}, "1900-02-29", "no such day"},
		{"day 0", []string{"dd/mm/yyyy"}, "00/01/2021", "no such day"},
		{"month 13", []string{"dd/mm/yyyy"}, "31/13/2021", "month"},
		{"year 0", []string{"yyyy"}, "0000", "year 0000"},
		{"mm/dd read as dd/mm", []string{"dd/mm/yyyy"}, "12/31/2021", "month"},
		{"dd needs two digits", []string{"dd/mm/yyyy"}, "1/12/2021", "not a date in the form dd/mm/yyyy"},
		{"trailing text", []string{"yyyy"}, "2019 approx", "not a date in the form yyyy"},
		{"two separators", []string{"dd/mm/yyyy"}, "31//12/2021", "not a date"},
		{"other separator", []string{"dd/mm/yyyy"}, "31-12-2021", "not a date"},
		{"unknown month", []string{"d-mmm-yy"}, "16-Okt-51", "unknown month name"},
		{"unknown weekday", []string{"dddd-mmmm d-yyyy"}, "Funday-November 19-1995", "unknown weekday name"},
		{"empty", []string{"yyyy"}, "   ", "empty"},
		{"excel 60", []string{"excel"}, "60", "1900-02-29"},
		{"excel 0", []string{"excel"}, "0", "serial 0"},
		{"excel negative", []string{"excel"}, "-5", "not an Excel"},
		{"excel too large", []string{"excel"}, "3520212", "after 9999"},
		{"excel with text", []string{"excel"}, "45123.5x", "not an Excel"},
		{"cnic never echoed", []string{"excel"}, "35202-1234567-1", "not an Excel"},
		{"all forms listed", []string{"dd/mm/yyyy", "yyyy-mm-dd"}, "July 2023", "any of the forms dd/mm/yyyy, yyyy-mm-dd"},
		{"value reason beats shape", []string{"yyyy-mm-dd", "dd/mm/yyyy"}, "30/02/2021", "no such day"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustDateParser(t, 30, tt.formats...)
			days, _, reason := p.Parse([]byte(tt.in))
			if reason == "" {
				t.Fatalf("Parse(%q) = %s, want a reason", tt.in, dateYMD(days))
			}
			if !strings.Contains(reason, tt.reason) {
				t.Errorf("Parse(%q) reason = %q, want it to contain %q", tt.in, reason, tt.reason)
			}
			if in := strings.TrimSpace(tt.in); len(in) > 5 && strings.Contains(reason, in) {
				t.Errorf("reason %q echoes the input", reason)
			}
		})
	}
}

func TestParseDateFormatErrors(t *testing.T) {
	tests := []struct {
		spec string
		want string // a substring of the error
	}{
		{"dd/mm/yyy", `"yyy"`},
		{"dd/mm/yyyy hh:mm", `"hh"`},
		{"ddddd-mm-yyyy", `"ddddd"`},
		{"qq/yyyy", `"qq"`},
		{"dd/mm", "no year"},
		{"dd/yyyy", "a day but no month"},
		{"dddd yyyy", "a weekday but no day"},
		{"dddd mm/yyyy", "a weekday but no day"},
		{"dd/mm/yyyy/yy", `"yy" repeats`},
		{"d/mm/yyyy/d", `"d" repeats`},
		{"dmyyyy", "directly follows"},
		{"d-myyyy", "directly follows"},
		{"yyyy-mm-01", `'0'`},
		{"", "empty"},
		{"dd\u00b7mm\u00b7yyyy", "neither a token nor a separator"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			_, err := schemas.ParseDateFormat(tt.spec)
			if err == nil {
				t.Fatalf("ParseDateFormat(%q) = nil error", tt.spec)
			}
			if !errors.Is(err, schemas.ErrDateFormat) {
				t.Errorf("error %v does not wrap ErrDateFormat", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %s", err, tt.want)
			}
		})
	}
}

func TestDateParserValidate(t *testing.T) {
	yy, _ := schemas.ParseDateFormat("d-mmm-yy")
	for _, tt := range []struct {
		name string
		p    schemas.DateParser
		ok   bool
	}{
		{"no formats", schemas.DateParser{}, false},
		{"yy without pivot", schemas.DateParser{Formats: []schemas.DateFormat{yy}}, false},
		{"yy with pivot", schemas.DateParser{Formats: []schemas.DateFormat{yy}, Pivot: 30}, true},
		{"pivot too large", schemas.DateParser{Formats: []schemas.DateFormat{yy}, Pivot: 101}, false},
		{"zero format", schemas.DateParser{Formats: []schemas.DateFormat{{}}}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := tt.p.Validate() == nil, tt.ok; got != want {
				t.Errorf("Validate() ok = %v, want %v", got, want)
			}
		})
	}
	// Parse, too, refuses a two-digit year without a pivot instead of guessing.
	p := schemas.DateParser{Formats: []schemas.DateFormat{yy}}
	if _, _, reason := p.Parse([]byte("16-Oct-51")); !strings.Contains(reason, "pivot") {
		t.Errorf("reason %q, want one about the pivot year", reason)
	}
}

func TestSwapsDayAndMonth(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"dd/mm/yyyy", "mm/dd/yyyy", true},
		{"d-m-yy", "mm-dd-yy", true},
		{"dd/mm/yyyy", "dd/mm/yyyy", false},
		{"dd/mm/yyyy", "yyyy-mm-dd", false},
		{"dd/mm/yyyy", "mm/dd/yy", false}, // a 4-digit year fits only the first
		{"dd-mmm-yyyy", "mmm-dd-yyyy", false},
		{"dd/mm/yyyy", "excel", false},
		{"yyyy/mm/dd", "yyyy/dd/mm", true},
	} {
		a, _ := schemas.ParseDateFormat(tt.a)
		b, _ := schemas.ParseDateFormat(tt.b)
		if got := schemas.SwapsDayAndMonth(a, b); got != tt.want {
			t.Errorf("SwapsDayAndMonth(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestDateEveryDay parses every day from 1900 to 2100 in two formats and
// compares with the time package.
func TestDateEveryDay(t *testing.T) {
	p := mustDateParser(t, 50, "dd/mm/yyyy")
	q := mustDateParser(t, 50, "dddd-mmmm d-yyyy")
	x := mustDateParser(t, 50, "excel")
	for d := time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2100; d = d.AddDate(0, 0, 1) {
		want := int32(d.Unix() / 86400)
		if got, _, r := p.Parse([]byte(d.Format("02/01/2006"))); got != want || r != "" {
			t.Fatalf("%s: got %d %q, want %d", d.Format("02/01/2006"), got, r, want)
		}
		if got, _, r := q.Parse([]byte(d.Format("Monday-January 2-2006"))); got != want || r != "" {
			t.Fatalf("%s: got %d %q, want %d", d.Format("Monday-January 2-2006"), got, r, want)
		}
		serial := fmt.Sprint(want + 25569)
		if got, _, r := x.Parse([]byte(serial)); got != want || r != "" {
			t.Fatalf("excel %s: got %d %q, want %d", serial, got, r, want)
		}
	}
}

func TestDateParseNoAlloc(t *testing.T) {
	p := mustDateParser(t, 30, "dd/mm/yyyy", "d-mmm-yy", "dddd-mmmm d-yyyy")
	in := []byte("Sunday-November 19-1995")
	bad := []byte("30/02/2021")
	if n := testing.AllocsPerRun(100, func() {
		p.Parse(in)
		p.Parse(bad)
	}); n != 0 {
		t.Errorf("Parse allocates %v times per call", n)
	}
}

func BenchmarkDateParse(b *testing.B) {
	p := mustDateParser(b, 30, "dd/mm/yyyy", "d-mmm-yy", "dddd-mmmm d-yyyy")
	in := [][]byte{[]byte("31/12/2021"), []byte("16-Oct-51"), []byte("Sunday-November 19-1995")}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p.Parse(in[i%len(in)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "dates/s")
}

func FuzzDateParse(f *testing.F) {
	for _, s := range []string{
		"31/12/2021", "12/31/2021", "16-Oct-51", "13-Jul-18", "Sunday-November 19-1995",
		"Saturday-November-25-2017", "45123", "45123.75", "60", "2023-07", "2019",
		"2024-02-29", "Nov 5, 2020", "30/02/2021", "0000", "9999-12-31",
	} {
		f.Add(s)
	}
	specs := []string{
		"dd/mm/yyyy", "d/m/yyyy", "mm/dd/yyyy", "d-mmm-yy", "mmm d, yyyy", "yyyy-mm-dd",
		"dddd-mmmm d-yyyy", "dddd-mmmm-d-yyyy", "mm/yyyy", "yyyy-mm", "yyyy", "excel", "yyyymmdd",
	}
	parsers := make([]*schemas.DateParser, len(specs))
	for i, s := range specs {
		parsers[i] = mustDateParser(f, 30, s)
	}
	iso := mustDateParser(f, 30, "yyyy-mm-dd")
	f.Fuzz(func(t *testing.T, s string) {
		for i, p := range parsers {
			days, prec, reason := p.Parse([]byte(s))
			if reason != "" {
				continue
			}
			if prec != p.Formats[0].Precision() {
				t.Fatalf("%s %q: precision %d, want %d", specs[i], s, prec, p.Formats[0].Precision())
			}
			out := dateYMD(days)
			back, _, r := iso.Parse([]byte(out))
			if r != "" || back != days {
				t.Fatalf("%s %q: day %d formats as %s, which parses back as %d %q", specs[i], s, days, out, back, r)
			}
			// Differential check against the time package.
			if specs[i] == "dd/mm/yyyy" && s == strings.TrimSpace(s) {
				tm, err := time.Parse("02/01/2006", s)
				if err != nil || int32(tm.Unix()/86400) != days {
					t.Fatalf("%q: we read %s, time.Parse %v %v", s, out, tm, err)
				}
			}
		}
		// The other direction: what time.Parse reads, we read the same.
		// (time.Parse also takes a signed year such as "+123", which we do not.)
		if tm, err := time.Parse("02/01/2006", s); err == nil && tm.Year() >= 1 && !strings.ContainsAny(s, "+-") {
			days, _, r := parsers[0].Parse([]byte(s))
			if r != "" || days != int32(tm.Unix()/86400) {
				t.Fatalf("%q: time.Parse reads %v, we read %d %q", s, tm, days, r)
			}
		}
	})
}

func ExampleDateParser() {
	var p schemas.DateParser
	for _, spec := range []string{"dddd-mmmm d-yyyy", "dddd-mmmm-d-yyyy", "d-mmm-yy", "excel"} {
		f, err := schemas.ParseDateFormat(spec)
		if err != nil {
			panic(err)
		}
		p.Formats = append(p.Formats, f)
	}
	p.Pivot = 30 // 16-Oct-51 is 1951, 13-Jul-18 is 2018
	for _, in := range []string{"Sunday-November 19-1995", "Saturday-November-25-2017", "16-Oct-51", "13-Jul-18", "45123", "30-Feb-21"} {
		days, prec, reason := p.Parse([]byte(in))
		if reason != "" {
			fmt.Printf("%-26s rejected: %s\n", in, reason)
			continue
		}
		fmt.Printf("%-26s %s (precision %d)\n", in, time.Unix(int64(days)*86400, 0).UTC().Format("2006-01-02"), prec)
	}
	// Output:
	// Sunday-November 19-1995    1995-11-19 (precision 1)
	// Saturday-November-25-2017  2017-11-25 (precision 1)
	// 16-Oct-51                  1951-10-16 (precision 1)
	// 13-Jul-18                  2018-07-13 (precision 1)
	// 45123                      2023-07-16 (precision 1)
	// 30-Feb-21                  rejected: no such day in that month
}

// TestDateTimes: date cells saved with their time of day read as their day,
// in every format; a time in a zone is refused unless it is midnight UTC.
// An Excel day number read by a layout without the excel format says so.
func TestDateTimes(t *testing.T) {
	for _, tt := range []struct {
		formats []string
		in      string
		want    string // the day, or a part of the reason
	}{
		{[]string{"yyyy-mm-dd"}, "2023-01-05 00:00:00", "2023-01-05"},
		{[]string{"yyyy-mm-dd"}, "2023-01-05T00:00:00.000Z", "2023-01-05"},
		{[]string{"yyyy-mm-dd"}, "2023-01-05T00:00:00+00:00", "2023-01-05"},
		{[]string{"yyyy-mm-dd"}, "2023-01-05 23:59", "2023-01-05"},
		{[]string{"dd/mm/yyyy"}, "05/01/2023 14:30:00", "2023-01-05"},
		{[]string{"m/d/yyyy"}, "1/5/2023 12:00:00 AM", "2023-01-05"},
		{[]string{"m/d/yyyy"}, "1/5/2023 11:30 pm", "2023-01-05"},
		{[]string{"d-mmm-yy"}, "5-Jan-23 00:00", "2023-01-05"},
		{[]string{"yyyy-mm-dd"}, "2023-01-05T22:00:00Z", "time zone"},
		{[]string{"yyyy-mm-dd"}, "2023-01-05T09:00+05:00", "time zone"},
		{[]string{"yyyy-mm-dd"}, "2023-01-05 25:00", "not a date in the form yyyy-mm-dd"},
		{[]string{"m/d/yyyy"}, "1/5/2023 13:00 PM", "not a date in the form m/d/yyyy"},
		{[]string{"dd/mm/yyyy"}, "44931", "not a date in the form dd/mm/yyyy (an Excel day number? add excel to dates.formats)"},
		{[]string{"excel"}, "44931", "2023-01-05"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			days, _, reason := mustDateParser(t, 30, tt.formats...).Parse([]byte(tt.in))
			got := reason
			if reason == "" {
				got = dateYMD(days)
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("Parse(%q) with %v = %q, want %q", tt.in, tt.formats, got, tt.want)
			}
		})
	}
}

func TestCategoryHint(t *testing.T) {
	for in, want := range map[string]string{
		"Cybercrime":        " (write it as the code cybercrime)",
		"Drug Trafficking":  " (write it as the code drug_trafficking)",
		"human-trafficking": " (write it as the code human_trafficking)",
		"cyber crime":       " (write it as the code cybercrime)",
		"Cyber-Crime":       " (write it as the code cybercrime)",
		"drugtrafficking":   " (write it as the code drug_trafficking)",
		"terror financing":  " (write it as the code terror_financing)",
		"cybercrime":        "",
		"narcotics":         "",
	} {
		if got := schemas.CategoryHint(in); got != want {
			t.Errorf("CategoryHint(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestUrduDigits: dates, amounts and coordinates written in Urdu or
// Arabic-Indic digits read as in ASCII. Before, "٠٨/٠١/٢٠٢٣" was "not a
// date in the form dd/mm/yyyy" and "۲" "not a number", the reasons showing
// the digits folded ("08/01/2023", "2"), as if the value were fine.
func TestUrduDigits(t *testing.T) {
	days, _, reason := mustDateParser(t, 30, "dd/mm/yyyy").Parse([]byte("٠٨/٠١/٢٠٢٣"))
	if got := dateYMD(days); reason != "" || got != "2023-01-08" {
		t.Errorf("Parse(٠٨/٠١/٢٠٢٣) = %s, %q", got, reason)
	}
	for in, want := range map[string]float64{"۲": 2, "۱٬۲۵۰٫۵": 1250.5, "Rs. ۵۰,۰۰۰/-": 50000, "١٢٣": 123} {
		if v, reason := schemas.ParseAmount([]byte(in)); reason != "" || v != want {
			t.Errorf("ParseAmount(%q) = %v, %q; want %v", in, v, reason, want)
		}
	}
	if v, reason := schemas.ParseCoord([]byte("۳۱٫۵۲"), 'y'); reason != "" || v != 31.52 {
		t.Errorf("ParseCoord(۳۱٫۵۲) = %v, %q", v, reason)
	}
}
