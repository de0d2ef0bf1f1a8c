package normalize_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ocmap/ocmap/pipeline/normalize"
	"github.com/ocmap/ocmap/pipeline/read"
	"github.com/ocmap/ocmap/schemas"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fakePlacer knows two districts. Any point is in district 0; a row without
// one is placed by the names "alpha" and "beta"; everything else is rejected
// the way locate.Locator rejects it.
type fakePlacer struct{}

var _ normalize.Placer = fakePlacer{}

func (fakePlacer) Place(q *schemas.PlaceQuery) schemas.Placement {
	if q.HasPoint {
		return schemas.Placement{Precision: schemas.PrecisionPoint, Method: schemas.MethodPoint, Score: 1, OK: true}
	}
	switch string(q.Hint) {
	case "alpha":
		return schemas.Placement{Precision: schemas.PrecisionDistrict, Method: schemas.MethodExact, Score: 1, OK: true}
	case "beta":
		return schemas.Placement{District: 1, Precision: schemas.PrecisionDistrict, Method: schemas.MethodExact, Score: 1, OK: true}
	case "":
		return schemas.Placement{Field: schemas.FieldLat, Reason: "no coordinates and no district name"}
	}
	return schemas.Placement{Field: schemas.FieldDistrictHint, Reason: "unknown district name"}
}

func (fakePlacer) District(i int) (code, name, province string) {
	if i == 0 {
		return "PK001", "Alpha", "North"
	}
	return "PK002", "Beta", "" // no province: stored as null
}

const header = "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"

// today is the fixed "now" of these tests: later dates are in the future.
var today = time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC)

const null = "<null>"

// incident is one accepted row with every value as text; null for nulls.
type incident struct {
	ID, Category, Subcategory, OccurredOn, Lat, Lon, Hint, Source, Quantity, Amount, Description string
	File                                                                                         string
	Line, RunID                                                                                  int64
	Code, Name, Province                                                                         string
	Precision                                                                                    int8
}

// reject is one rejected row; Raw is null when raw text is not kept.
type reject struct {
	RunID       int64
	File        string
	Line        int64
	Field       string
	Reason, Raw string
}

type result struct {
	Incidents                []incident
	Rejects                  []reject
	Read, Accepted, Rejected int64
	BatchSizes               []int // accepted + rejected rows per batch
}

func defaultOptions() normalize.Options {
	return normalize.Options{File: "in.csv", RunID: 7, KeepRaw: true, Today: today}
}

// run normalizes in with the fake placer, checking the invariants every
// input must keep, and releases every batch.
func run(t testing.TB, mem memory.Allocator, in string, opt normalize.Options) (result, error) {
	t.Helper()
	nz := normalize.New(mem, read.NewScanner(strings.NewReader(in)), fakePlacer{}, opt)
	defer nz.Release()
	var res result
	for nz.Next() {
		rec, rej := nz.Record(), nz.Rejects()
		if !rec.Schema().Equal(schemas.IncidentsCore) {
			t.Fatalf("record schema %s, want schemas.IncidentsCore", rec.Schema())
		}
		if !rej.Schema().Equal(schemas.Rejects) {
			t.Fatalf("rejects schema %s, want schemas.Rejects", rej.Schema())
		}
		res.Incidents = append(res.Incidents, incidents(rec)...)
		res.Rejects = append(res.Rejects, rejects(rej)...)
		res.BatchSizes = append(res.BatchSizes, int(rec.NumRows()+rej.NumRows()))
		rec.Release()
		rej.Release()
	}
	res.Read, res.Accepted, res.Rejected = nz.Read, nz.Accepted, nz.Rejected
	if got, want := res.Read, res.Accepted+res.Rejected; got != want {
		t.Errorf("read %d, want accepted %d + rejected %d = %d", got, res.Accepted, res.Rejected, want)
	}
	if got, want := int64(len(res.Incidents)), res.Accepted; got != want {
		t.Errorf("%d rows in record batches, want Accepted = %d", got, want)
	}
	if got, want := int64(len(res.Rejects)), res.Rejected; got != want {
		t.Errorf("%d rows in reject batches, want Rejected = %d", got, want)
	}
	return res, nz.Err()
}

func str(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return null
	}
	return a.(*array.String).Value(i)
}

func float(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return null
	}
	return strconv.FormatFloat(a.(*array.Float64).Value(i), 'g', -1, 64)
}

func incidents(rec arrow.RecordBatch) []incident {
	var out []incident
	c := rec.Column
	for i := 0; i < int(rec.NumRows()); i++ {
		out = append(out, incident{
			ID:          str(c(schemas.NIncidentID), i),
			Category:    str(c(schemas.NCategory), i),
			Subcategory: str(c(schemas.NSubcategory), i),
			OccurredOn:  c(schemas.NOccurredOn).(*array.Date32).Value(i).ToTime().Format("2006-01-02"),
			Lat:         float(c(schemas.NLat), i),
			Lon:         float(c(schemas.NLon), i),
			Hint:        str(c(schemas.NDistrictHint), i),
			Source:      str(c(schemas.NSource), i),
			Quantity:    float(c(schemas.NQuantity), i),
			Amount:      float(c(schemas.NAmountPKR), i),
			Description: str(c(schemas.NDescription), i),
			File:        str(c(schemas.NSourceFile), i),
			Line:        c(schemas.NSourceLine).(*array.Int64).Value(i),
			RunID:       c(schemas.NRunID).(*array.Int64).Value(i),
			Code:        str(c(schemas.IDistrictCode), i),
			Name:        str(c(schemas.IDistrictName), i),
			Province:    str(c(schemas.IProvince), i),
			Precision:   c(schemas.ILocationPrecision).(*array.Int8).Value(i),
		})
	}
	return out
}

func rejects(rec arrow.RecordBatch) []reject {
	var out []reject
	c := rec.Column
	for i := 0; i < int(rec.NumRows()); i++ {
		out = append(out, reject{
			RunID:  c(0).(*array.Int64).Value(i),
			File:   str(c(1), i),
			Line:   c(2).(*array.Int64).Value(i),
			Field:  str(c(3), i),
			Reason: str(c(4), i),
			Raw:    str(c(5), i),
		})
	}
	return out
}

// good is a valid row; tests change one field of it with row.
var good = []string{"A1", "drug_trafficking", "heroin", "2023-01-15", "30.5", "70.5", "", "ANF", "2.5", "", "seized at a checkpost"}

// row returns good with column col set to v, as a CSV line.
func row(col int, v string) string {
	r := append([]string(nil), good...)
	r[col] = v
	return strings.Join(r, ",")
}

// goodIncident is what good becomes.
var goodIncident = incident{
	ID: "A1", Category: "drug_trafficking", Subcategory: "heroin", OccurredOn: "2023-01-15",
	Lat: "30.5", Lon: "70.5", Hint: null, Source: "ANF", Quantity: "2.5", Amount: null,
	Description: "seized at a checkpost", File: "in.csv", Line: 2, RunID: 7,
	Code: "PK001", Name: "Alpha", Province: "North", Precision: 1,
}

const categories = "terror_financing, drug_trafficking, human_trafficking, cybercrime"

func TestRejects(t *testing.T) {
	tests := []struct {
		name  string
		line  string // one data row after the header
		field string
		want  string // reason
	}{
		{"text after closing quote", `A1,"drug_trafficking"x,heroin,2023-01-15,30.5,70.5,,ANF,2.5,,seized`, schemas.RecordField, "field 2: text after the closing quote"},
		{"unclosed quote", `A1,drug_trafficking,heroin,2023-01-15,30.5,70.5,,ANF,2.5,,"seized`, schemas.RecordField, "unclosed quote: the field's closing quote is missing"},
		{"invalid utf-8", row(schemas.ColDescription, "caf\xe9"), schemas.RecordField, "text is not valid UTF-8 (save the file as UTF-8)"},
		{"too few fields", strings.Join(good[:10], ","), schemas.RecordField, "has 10 fields, the header has 11"},
		{"too many fields", strings.Join(good, ",") + ",extra", schemas.RecordField, "has 12 fields, the header has 11"},
		{"too many fields, empty between", strings.Join(good, ",") + ",,extra,", schemas.RecordField, "has 13 fields, the header has 11"},
		{"one field", "A1", schemas.RecordField, "has 1 fields, the header has 11"},
		{"missing id", row(schemas.ColIncidentID, ""), schemas.FieldIncidentID, "missing incident id"},
		{"blank id", row(schemas.ColIncidentID, " \t "), schemas.FieldIncidentID, "missing incident id"},
		{"placeholder id", row(schemas.ColIncidentID, "N/A"), schemas.FieldIncidentID,
			`incident id "N/A" says there is none; give each record its own id (the agency's case, FIR or report number)`},
		{"zero id", row(schemas.ColIncidentID, "0"), schemas.FieldIncidentID,
			`incident id "0" says there is none; give each record its own id (the agency's case, FIR or report number)`},
		// Tags copied back from ocmap's own rejects list (a CNIC id is
		// shown as [CNIC]): two complaints would be one incident.
		{"tag id", row(schemas.ColIncidentID, "[CNIC]"), schemas.FieldIncidentID, tagIDReason("[CNIC]")},
		{"id with a tag", row(schemas.ColIncidentID, "FIR-[PHONE]"), schemas.FieldIncidentID, tagIDReason("[PHONE]")},
		{"unknown category", row(schemas.ColCategory, "narcotics"), schemas.FieldCategory, `unknown category "narcotics"; expected one of ` + categories},
		{"category in other case", row(schemas.ColCategory, "Drug_Trafficking"), schemas.FieldCategory, `unknown category "Drug_Trafficking"; expected one of ` + categories + " (write it as the code drug_trafficking)"},
		{"empty category", row(schemas.ColCategory, ""), schemas.FieldCategory, `unknown category ""; expected one of ` + categories},
		{"missing date", row(schemas.ColOccurredOn, ""), schemas.FieldOccurredOn, "missing date"},
		{"day-first date", row(schemas.ColOccurredOn, "31/12/2021"), schemas.FieldOccurredOn, `not a date in YYYY-MM-DD form: "31/12/2021"`},
		{"short date", row(schemas.ColOccurredOn, "2021-1-5"), schemas.FieldOccurredOn, `not a date in YYYY-MM-DD form: "2021-1-5"`},
		// A time of day is left out (TestCanonicalDateTimes), but not one
		// in a zone: the day in Pakistan could be another.
		{"date with time in a zone", row(schemas.ColOccurredOn, "2021-01-05T22:00+00:00"), schemas.FieldOccurredOn, schemas.TimeZoneReason + `: "2021-01-05T22:00+00:00"`},
		{"Excel day number", row(schemas.ColOccurredOn, "44931"), schemas.FieldOccurredOn, `not a date in YYYY-MM-DD form: "44931" (an Excel day number? format the column as a date, yyyy-mm-dd, before saving)`},
		{"letter in date", row(schemas.ColOccurredOn, "2o21-01-05"), schemas.FieldOccurredOn, `not a date in YYYY-MM-DD form: "2o21-01-05"`},
		{"signed year", row(schemas.ColOccurredOn, "+021-01-05"), schemas.FieldOccurredOn, `not a date in YYYY-MM-DD form: "+021-01-05"`},
		{"february 30", row(schemas.ColOccurredOn, "2021-02-30"), schemas.FieldOccurredOn, `no such date: "2021-02-30"`},
		{"february 29 of a common year", row(schemas.ColOccurredOn, "2023-02-29"), schemas.FieldOccurredOn, `no such date: "2023-02-29"`},
		{"february 29 of 1900", row(schemas.ColOccurredOn, "1900-02-29"), schemas.FieldOccurredOn, `no such date: "1900-02-29"`},
		{"april 31", row(schemas.ColOccurredOn, "2022-04-31"), schemas.FieldOccurredOn, `no such date: "2022-04-31"`},
		{"month 13", row(schemas.ColOccurredOn, "2021-13-01"), schemas.FieldOccurredOn, `no such date: "2021-13-01"`},
		{"month 0", row(schemas.ColOccurredOn, "2021-00-10"), schemas.FieldOccurredOn, `no such date: "2021-00-10"`},
		{"day 0", row(schemas.ColOccurredOn, "2021-01-00"), schemas.FieldOccurredOn, `no such date: "2021-01-00"`},
		{"tomorrow", row(schemas.ColOccurredOn, "2025-07-01"), schemas.FieldOccurredOn, `date is in the future: "2025-07-01"`},
		{"far future", row(schemas.ColOccurredOn, "9999-12-31"), schemas.FieldOccurredOn, `date is in the future: "9999-12-31"`},
		{"before 1900", row(schemas.ColOccurredOn, "1899-12-31"), schemas.FieldOccurredOn, `date is before 1900: "1899-12-31"`},
		{"placeholder 1900-01-01", row(schemas.ColOccurredOn, "1900-01-01"), schemas.FieldOccurredOn, placeholderDate + `: "1900-01-01"`},
		{"placeholder 1970-01-01", row(schemas.ColOccurredOn, "1970-01-01"), schemas.FieldOccurredOn, placeholderDate + `: "1970-01-01"`},
		{"year 0000", row(schemas.ColOccurredOn, "0000-01-01"), schemas.FieldOccurredOn, `no such date: "0000-01-01"`},
		{"non-numeric lat", row(schemas.ColLat, "abc"), schemas.FieldLat, `not a number: "abc"`},
		{"decimal comma lat", row(schemas.ColLat, `"30,5"`), schemas.FieldLat, `not a number: "30,5" (a decimal comma: write degrees with a point (30.5, not 30,5))`},
		// Three decimals after the comma look like a thousands group: a
		// coordinate is a decimal comma, never 31520 degrees.
		{"decimal comma lat, three decimals", row(schemas.ColLat, `"31,520"`), schemas.FieldLat, `not a number: "31,520" (a decimal comma: write degrees with a point (30.5, not 30,5))`},
		{"degrees lat", row(schemas.ColLat, "30°30'E"), schemas.FieldLat, `not a number: "30°30'E" (longitude hemisphere (E/W) on a latitude)`},
		{"minutes of 60", row(schemas.ColLon, "70°60'E"), schemas.FieldLon, `not a number: "70°60'E"`},
		{"no-place name and no point", "A1,cybercrime,hacking,2023-01-15,,,N/A,FIA,,,", schemas.FieldLat,
			`no coordinates and no district name (district_hint "N/A" names no place)`},
		{"no-place name, dashes", "A1,cybercrime,hacking,2023-01-15,,,--,FIA,,,", schemas.FieldLat,
			`no coordinates and no district name (district_hint "--" names no place)`},
		{"NaN lat", row(schemas.ColLat, "NaN"), schemas.FieldLat, `not a number: "NaN"`},
		{"overflowing lat", row(schemas.ColLat, "1e400"), schemas.FieldLat, `not a number: "1e400"`},
		{"infinite lon", row(schemas.ColLon, "-Inf"), schemas.FieldLon, `not a number: "-Inf"`},
		{"lat above 90", row(schemas.ColLat, "90.000001"), schemas.FieldLat, `latitude "90.000001" is outside -90..90`},
		{"lat below -90", row(schemas.ColLat, "-91"), schemas.FieldLat, `latitude "-91" is outside -90..90`},
		{"lon above 180", row(schemas.ColLon, "180.5"), schemas.FieldLon, `longitude "180.5" is outside -180..180`},
		{"lon below -180", row(schemas.ColLon, "-181"), schemas.FieldLon, `longitude "-181" is outside -180..180`},
		{"lat without lon", row(schemas.ColLon, ""), schemas.FieldLon, "latitude given without longitude"},
		{"half a victim", strings.Replace(row(schemas.ColCategory, "human_trafficking"), ",2.5,", ",2.5,", 1), schemas.FieldQuantity,
			`quantity "2.5" is not a whole number: for human_trafficking it counts victims`},
		{"lon without lat", row(schemas.ColLat, " "), schemas.FieldLat, "longitude given without latitude"},
		{"negative quantity", row(schemas.ColQuantity, "-1"), schemas.FieldQuantity, "negative quantity"},
		{"non-numeric quantity", row(schemas.ColQuantity, "2 kg"), schemas.FieldQuantity, `not a number: "2 kg"`},
		{"negative amount", row(schemas.ColAmountPKR, "-500"), schemas.FieldAmountPKR, "negative amount"},
		// The store sums quantities as DECIMAL(38, 6): 1e308 stopped the whole ingest.
		{"absurd quantity", row(schemas.ColQuantity, "1e308"), schemas.FieldQuantity, `too large: "1e308" is more than 10^15`},
		{"absurd amount", row(schemas.ColAmountPKR, "5e15"), schemas.FieldAmountPKR, `too large: "5e15" is more than 10^15`},
		{"thousands separator in amount", row(schemas.ColAmountPKR, `"1,000"`), schemas.FieldAmountPKR, `not a number: "1,000" (write it without thousands separators: 1000)`},
		{"no location", "A1,cybercrime,hacking,2023-01-15,,,,FIA,,,", schemas.FieldLat, "no coordinates and no district name"},
		{"unknown district name", "A1,cybercrime,hacking,2023-01-15,,,gamma,FIA,,,", schemas.FieldDistrictHint, `unknown district name: "gamma"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			res, err := run(t, mem, header+tt.line+"\n", defaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			raw := strings.ToValidUTF8(tt.line, "\uFFFD")
			want := []reject{{RunID: 7, File: "in.csv", Line: 2, Field: tt.field, Reason: tt.want, Raw: raw}}
			if got := res.Rejects; !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
			if got, want := [3]int64{res.Read, res.Accepted, res.Rejected}, [3]int64{1, 0, 1}; got != want {
				t.Errorf("read, accepted, rejected = %v, want %v", got, want)
			}
		})
	}
}

// TestAcceptedEdges checks values at the edge of what is valid.
func TestAcceptedEdges(t *testing.T) {
	tests := []struct {
		name   string
		col    int
		value  string
		change func(*incident)
	}{
		{"lat 90", schemas.ColLat, "90", func(w *incident) { w.Lat = "90" }},
		{"lat -90", schemas.ColLat, "-90", func(w *incident) { w.Lat = "-90" }},
		{"lon 180", schemas.ColLon, "180", func(w *incident) { w.Lon = "180" }},
		{"lon -180", schemas.ColLon, "-180.0", func(w *incident) { w.Lon = "-180" }},
		{"lat with exponent", schemas.ColLat, "3.05e1", func(w *incident) { w.Lat = "30.5" }},
		{"lat with plus sign", schemas.ColLat, "+30.5", func(w *incident) { w.Lat = "30.5" }},
		{"second of 1900", schemas.ColOccurredOn, "1900-01-02", func(w *incident) { w.OccurredOn = "1900-01-02" }},
		{"last day of 1969", schemas.ColOccurredOn, "1969-12-31", func(w *incident) { w.OccurredOn = "1969-12-31" }},
		{"second of 1970", schemas.ColOccurredOn, "1970-01-02", func(w *incident) { w.OccurredOn = "1970-01-02" }},
		{"today", schemas.ColOccurredOn, "2025-06-30", func(w *incident) { w.OccurredOn = "2025-06-30" }},
		{"leap day", schemas.ColOccurredOn, "2024-02-29", func(w *incident) { w.OccurredOn = "2024-02-29" }},
		{"leap day of 2000", schemas.ColOccurredOn, "2000-02-29", func(w *incident) { w.OccurredOn = "2000-02-29" }},
		{"december 31", schemas.ColOccurredOn, "2019-12-31", func(w *incident) { w.OccurredOn = "2019-12-31" }},
		{"zero quantity", schemas.ColQuantity, "0", func(w *incident) { w.Quantity = "0" }},
		{"zero amount", schemas.ColAmountPKR, "0", func(w *incident) { w.Amount = "0" }},
		{"large amount", schemas.ColAmountPKR, "1250000000.50", func(w *incident) { w.Amount = "1.2500000005e+09" }},
		// As a bare number it reads as a mobile number (3001234567); the
		// reject reason gives this way to write it.
		{"billions with an exponent", schemas.ColAmountPKR, "3.001234567e9", func(w *incident) { w.Amount = "3.001234567e+09" }},
		{"point wins over name", schemas.ColDistrictHint, "beta", func(w *incident) { w.Hint = "beta" }},
		// Degrees and minutes, a hemisphere letter: one value each.
		{"degrees and minutes", schemas.ColLat, "30°30'N", func(*incident) {}},
		{"degrees, minutes, seconds with spaces", schemas.ColLat, "30 30 00 N", func(*incident) {}},
		{"hemisphere letter", schemas.ColLon, "70.5E", func(*incident) {}},
		// A name that names no place is not stored: it is no place.
		{"no-place name with a point", schemas.ColDistrictHint, "Not Known", func(*incident) {}},
		{"bare quote in field", schemas.ColDescription, `5" pipe`, func(w *incident) { w.Description = `5" pipe` }},
		{"quoted comma and quote", schemas.ColDescription, `"a, ""b"""`, func(w *incident) { w.Description = `a, "b"` }},
		{"urdu text", schemas.ColDescription, "ہیروئن برآمد", func(w *incident) { w.Description = "ہیروئن برآمد" }},
		{"subcategory free text", schemas.ColSubcategory, "Heroin (brown)", func(w *incident) { w.Subcategory = "Heroin (brown)" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			res, err := run(t, mem, header+row(tt.col, tt.value)+"\n", defaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			want := goodIncident
			tt.change(&want)
			if got := res.Incidents; !reflect.DeepEqual(got, []incident{want}) {
				t.Errorf("got  %+v\nwant %+v\nrejects %+v", got, []incident{want}, res.Rejects)
			}
		})
	}
}

func TestPlacement(t *testing.T) {
	tests := []struct {
		name                     string
		line                     string
		code, district, province string
		precision                int8
	}{
		{"point", "A1,cybercrime,hacking,2023-01-15,30.5,70.5,,FIA,,,", "PK001", "Alpha", "North", 1},
		{"point at 0 0", "A1,cybercrime,hacking,2023-01-15,0,0,,FIA,,,", "PK001", "Alpha", "North", 1},
		{"name alpha", "A1,cybercrime,hacking,2023-01-15,,,alpha,FIA,,,", "PK001", "Alpha", "North", 3},
		{"name beta, no province", "A1,cybercrime,hacking,2023-01-15,,,beta,FIA,,,", "PK002", "Beta", null, 3},
		{"name with spaces around", "A1,cybercrime,hacking,2023-01-15,,,  beta\t,FIA,,,", "PK002", "Beta", null, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			res, err := run(t, mem, header+tt.line+"\n", defaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(res.Incidents), 1; got != want {
				t.Fatalf("%d incidents, want %d; rejects %+v", got, want, res.Rejects)
			}
			in := res.Incidents[0]
			if got, want := [3]string{in.Code, in.Name, in.Province}, [3]string{tt.code, tt.district, tt.province}; got != want {
				t.Errorf("district %q, want %q", got, want)
			}
			if got, want := in.Precision, tt.precision; got != want {
				t.Errorf("precision %d, want %d", got, want)
			}
		})
	}
}

// TestWithheld checks that values looking like personal data never reach a
// reject reason, while ordinary bad values are quoted to help the user.
func TestWithheld(t *testing.T) {
	const withheld = "(value withheld: looks like personal data)"
	tests := []struct {
		name  string
		line  string
		field string
		want  string
	}{
		{"cnic as category", row(schemas.ColCategory, "35202-1234567-1"), schemas.FieldCategory, "unknown category " + withheld + "; expected one of " + categories},
		{"cnic without dashes as date", row(schemas.ColOccurredOn, "3520212345671"), schemas.FieldOccurredOn, "not a date in YYYY-MM-DD form: " + withheld},
		{"cnic as lat", row(schemas.ColLat, "3520212345671"), schemas.FieldLat, "latitude " + withheld + " is outside -90..90"},
		{"phone as lon", row(schemas.ColLon, "03001234567"), schemas.FieldLon, "longitude " + withheld + " is outside -180..180"},
		// lon empty: the phone in lat is what is wrong, not the lon.
		{"phone as lat, no lon", strings.Replace(row(schemas.ColLat, "03001234567"), ",70.5,", ",,", 1), schemas.FieldLat, "latitude " + withheld + " is outside -90..90"},
		{"hex float", row(schemas.ColQuantity, "0x1Fp0"), schemas.FieldQuantity, `not a number: "0x1Fp0"`},
		{"separators", row(schemas.ColAmountPKR, `"1,250,000"`), schemas.FieldAmountPKR, `not a number: "1,250,000" (write it without thousands separators: 1250000)`},
		{"indian separators", row(schemas.ColAmountPKR, `"12,50,000.5"`), schemas.FieldAmountPKR, `not a number: "12,50,000.5" (write it without thousands separators: 1250000.5)`},
		{"comma decimal", row(schemas.ColQuantity, `"2,5"`), schemas.FieldQuantity, `not a number: "2,5"`},
		// Without its separators the value is a CNIC or a mobile number:
		// the hint would write it out plainly, as no message may.
		{"cnic with separators", row(schemas.ColAmountPKR, `"3,520,212,345,671"`), schemas.FieldAmountPKR, "not a number: " + withheld},
		{"phone with indian separators", row(schemas.ColAmountPKR, `"3,00,12,34,567"`), schemas.FieldAmountPKR, "not a number: " + withheld},
		{"mobile number as lat", row(schemas.ColLat, "0300-1234567"), schemas.FieldLat, "not a number: " + withheld},
		{"international number as quantity", row(schemas.ColQuantity, "+92 300 1234567"), schemas.FieldQuantity, "not a number: " + withheld},
		{"number inside text", row(schemas.ColAmountPKR, "call 03001234567"), schemas.FieldAmountPKR, "not a number: " + withheld},
		{"e-mail as date", row(schemas.ColOccurredOn, "ali@example.pk"), schemas.FieldOccurredOn, "not a date in YYYY-MM-DD form: " + withheld},
		{"nine digits are shown", row(schemas.ColCategory, "123456789"), schemas.FieldCategory, `unknown category "123456789"; expected one of ` + categories},
		{"letters break a digit run", row(schemas.ColCategory, "12345a67890"), schemas.FieldCategory, `unknown category "12345a67890"; expected one of ` + categories},
		{"long value is cut", row(schemas.ColCategory, strings.Repeat("x", 50)), schemas.FieldCategory, `unknown category "` + strings.Repeat("x", 40) + `…"; expected one of ` + categories},
		{"long value is cut at a rune", row(schemas.ColCategory, strings.Repeat("x", 39)+"ééé"), schemas.FieldCategory, `unknown category "` + strings.Repeat("x", 39) + `…"; expected one of ` + categories},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			opt := defaultOptions()
			opt.KeepRaw = false
			res, err := run(t, mem, header+tt.line+"\n", opt)
			if err != nil {
				t.Fatal(err)
			}
			want := []reject{{RunID: 7, File: "in.csv", Line: 2, Field: tt.field, Reason: tt.want, Raw: null}}
			if got := res.Rejects; !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestHeader(t *testing.T) {
	body := strings.Join(good, ",") + "\n"
	const want = " (want incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description)"
	tests := []struct {
		name    string
		in      string
		wantErr string
		header  bool // whether errors.Is(err, ErrHeader)
	}{
		{"missing column", strings.TrimSuffix(header, ",description\n") + "\n" + body, "in.csv:1: normalize: header does not match the canonical layout: missing description" + want, true},
		{"missing columns", "incident_id,category\n" + body, "in.csv:1: normalize: header does not match the canonical layout: missing subcategory, occurred_on, lat, lon, district_hint, source, quantity, amount_pkr, description" + want, true},
		{"unknown column", strings.TrimSuffix(header, "\n") + ",Notes\n" + body, `in.csv:1: normalize: header does not match the canonical layout: unknown "notes"` + want, true},
		{"renamed column", strings.Replace(header, "amount_pkr", "amount", 1) + body, `in.csv:1: normalize: header does not match the canonical layout: missing amount_pkr; unknown "amount"` + want, true},
		{"duplicate column", strings.TrimSuffix(header, "\n") + ",category\n" + body, `in.csv:1: normalize: header does not match the canonical layout: column "category" appears twice`, true},
		{"duplicate column in other case", strings.TrimSuffix(header, "\n") + ", Category \n" + body, `in.csv:1: normalize: header does not match the canonical layout: column "category" appears twice`, true},
		{"malformed header", "incident_id,\"category\n" + body, "in.csv:1: normalize: header does not match the canonical layout: unclosed quote: the field's closing quote is missing", true},
		{"header after blank lines", "\n\nincident_id\n" + body, "in.csv:3: normalize: header does not match the canonical layout: missing category, subcategory, occurred_on, lat, lon, district_hint, source, quantity, amount_pkr, description" + want, true},
		{"data instead of header", strings.Join(good, ",") + "\n" + body, "in.csv:1: normalize: header does not match the canonical layout: the line has none of the canonical columns; is the header row missing?" + want, true},
		{"CR-only line endings", strings.ReplaceAll(header+"a1,drug_trafficking,,2023-01-15,,,Lahore,35202-1234567-1,0300-1234567,,ali@example.pk\n", "\n", "\r"),
			"in.csv:1: normalize: header does not match the canonical layout: the line goes on past a carriage return (CR): the file's lines end with CR only, as old Mac programs write them; save it with Windows (CRLF) or Unix (LF) line endings", true},
		{"personal values among unknown names withheld", strings.TrimSuffix(header, "\n") + ",35202-1234567-1,0300-1234567,ali@example.pk,FIR 2023/11,x12345\n" + body,
			`in.csv:1: normalize: header does not match the canonical layout: unknown (withheld), (withheld), (withheld), "fir 2023/11", (withheld)` + want, true},
		{"semicolons", strings.ReplaceAll(header, ",", ";") + strings.ReplaceAll(body, ",", ";"), "in.csv:1: normalize: header does not match the canonical layout: its columns are separated by semicolons (;), the canonical layout's by commas: save the file as CSV with commas, or read it through a layout with delimiter: \";\" (ocmap help layouts)", true},
		{"tabs", strings.ReplaceAll(header, ",", "\t") + body, "in.csv:1: normalize: header does not match the canonical layout: its columns are separated by tabs, the canonical layout's by commas: save the file as CSV with commas, or read it through a layout with delimiter: \"\\t\" (ocmap help layouts)", true},
		{"nameless columns at the end", strings.TrimSuffix(header, "\n") + ",,,\n" + body, "in.csv:1: normalize: header does not match the canonical layout: 3 columns have no name (empty header cells, as a spreadsheet writes for columns once used): delete those columns and save the file again" + want, true},
		{"empty file", "", "in.csv: the file is empty (no header)", false},
		{"blank lines only", "\n\r\n\n", "in.csv: the file is empty (no header)", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			res, err := run(t, mem, tt.in, defaultOptions())
			if err == nil {
				t.Fatalf("no error; read %d", res.Read)
			}
			if got, want := err.Error(), tt.wantErr; got != want {
				t.Errorf("error\n got %s\nwant %s", got, want)
			}
			if got, want := errors.Is(err, normalize.ErrHeader), tt.header; got != want {
				t.Errorf("errors.Is(err, ErrHeader) = %v, want %v", got, want)
			}
			if got, want := [3]int64{res.Read, res.Accepted, res.Rejected}, [3]int64{0, 0, 0}; got != want {
				t.Errorf("read, accepted, rejected = %v, want %v", got, want)
			}
		})
	}
}

func TestHeaderOnly(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	res, err := run(t, mem, header+"\n\n", defaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(res.BatchSizes), 0; got != want {
		t.Errorf("%d batches, want %d", got, want)
	}
	if got, want := res.Read, int64(0); got != want {
		t.Errorf("read %d, want %d", got, want)
	}
}

// TestColumnOrder checks that columns are found by name: the same row in
// any column order, with a header in any case and padding, gives the same
// incident.
func TestColumnOrder(t *testing.T) {
	cols := append([]string(nil), schemas.CanonicalColumns...)
	tests := []struct {
		name  string
		order []int // input position -> canonical column
		head  func(string) string
	}{
		{"canonical", []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, func(s string) string { return s }},
		{"reversed", []int{10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, func(s string) string { return s }},
		{"lon before lat", []int{0, 1, 2, 3, 5, 4, 6, 7, 8, 9, 10}, func(s string) string { return s }},
		{"shuffled, upper case, padded", []int{3, 7, 0, 10, 5, 1, 9, 4, 2, 8, 6}, func(s string) string { return " " + strings.ToUpper(s) + "\t" }},
		{"with byte order mark", []int{1, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10}, func(s string) string { return s }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			var head, data []string
			for _, c := range tt.order {
				head = append(head, tt.head(cols[c]))
				data = append(data, good[c])
			}
			in := strings.Join(head, ",") + "\r\n" + strings.Join(data, ",") + "\r\n"
			if strings.Contains(tt.name, "byte order mark") {
				in = "\xEF\xBB\xBF" + in
			}
			res, err := run(t, mem, in, defaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			if got, want := res.Incidents, []incident{goodIncident}; !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v\nrejects %+v", got, want, res.Rejects)
			}
		})
	}
}

// TestTrimAndNulls checks that padding is trimmed from every field and that
// empty optional fields are stored as nulls, not as empty strings or zeros.
func TestTrimAndNulls(t *testing.T) {
	tests := []struct {
		name string
		line string
		want incident
	}{
		{
			"padded",
			" A1 ,\tdrug_trafficking , heroin ,2023-01-15 , 30.5 ,\t70.5\t, alpha , ANF , 2.5 , 100 ,  seized  ",
			incident{ID: "A1", Category: "drug_trafficking", Subcategory: "heroin", OccurredOn: "2023-01-15",
				Lat: "30.5", Lon: "70.5", Hint: "alpha", Source: "ANF", Quantity: "2.5", Amount: "100", Description: "seized",
				File: "in.csv", Line: 2, RunID: 7, Code: "PK001", Name: "Alpha", Province: "North", Precision: 1},
		},
		{
			"empty optionals",
			"A2,cybercrime,,2023-01-15,,,beta,,,,",
			incident{ID: "A2", Category: "cybercrime", Subcategory: null, OccurredOn: "2023-01-15",
				Lat: null, Lon: null, Hint: "beta", Source: null, Quantity: null, Amount: null, Description: null,
				File: "in.csv", Line: 2, RunID: 7, Code: "PK002", Name: "Beta", Province: null, Precision: 3},
		},
		{
			"blank optionals",
			"A3,cybercrime, \t ,2023-01-15, , ,beta,  ,\t, , ",
			incident{ID: "A3", Category: "cybercrime", Subcategory: null, OccurredOn: "2023-01-15",
				Lat: null, Lon: null, Hint: "beta", Source: null, Quantity: null, Amount: null, Description: null,
				File: "in.csv", Line: 2, RunID: 7, Code: "PK002", Name: "Beta", Province: null, Precision: 3},
		},
		{
			"quoted empties",
			`"A4","cybercrime","","2023-01-15","","","beta","","","",""`,
			incident{ID: "A4", Category: "cybercrime", Subcategory: null, OccurredOn: "2023-01-15",
				Lat: null, Lon: null, Hint: "beta", Source: null, Quantity: null, Amount: null, Description: null,
				File: "in.csv", Line: 2, RunID: 7, Code: "PK002", Name: "Beta", Province: null, Precision: 3},
		},
		{
			"padding inside quotes is trimmed too",
			`" A5 ","cybercrime","x","2023-01-15"," 30.5","70.5 ","","","","",""`,
			incident{ID: "A5", Category: "cybercrime", Subcategory: "x", OccurredOn: "2023-01-15",
				Lat: "30.5", Lon: "70.5", Hint: null, Source: null, Quantity: null, Amount: null, Description: null,
				File: "in.csv", Line: 2, RunID: 7, Code: "PK001", Name: "Alpha", Province: "North", Precision: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			res, err := run(t, mem, header+tt.line+"\n", defaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			if got, want := res.Incidents, []incident{tt.want}; !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v\nrejects %+v", got, want, res.Rejects)
			}
		})
	}
}

// TestBatches checks batch sizes, line numbers across blank lines and
// multi-line fields, and that rows are counted once each.
func TestBatches(t *testing.T) {
	in := header +
		row(schemas.ColIncidentID, "A1") + "\n" + // line 2
		row(schemas.ColCategory, "narcotics") + "\n" + // line 3, rejected
		"\n" + // line 4, blank: not a row
		row(schemas.ColDescription, "\"two\nlines\"") + "\n" + // lines 5-6
		row(schemas.ColIncidentID, "A4") + "\n" + // line 7
		row(schemas.ColOccurredOn, "2021-02-30") + "\n" // line 8, rejected
	tests := []struct {
		batchRows int
		want      []int
	}{
		{1, []int{1, 1, 1, 1, 1}},
		{2, []int{2, 2, 1}},
		{5, []int{5}},
		{0, []int{5}}, // the default
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.batchRows), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			opt := defaultOptions()
			opt.BatchRows = tt.batchRows
			res, err := run(t, mem, in, opt)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := res.BatchSizes, tt.want; !reflect.DeepEqual(got, want) {
				t.Errorf("batch sizes %v, want %v", got, want)
			}
			var lines []int64
			for _, in := range res.Incidents {
				lines = append(lines, in.Line)
			}
			if got, want := lines, []int64{2, 5, 7}; !reflect.DeepEqual(got, want) {
				t.Errorf("accepted lines %v, want %v", got, want)
			}
			if got, want := res.Incidents[1].Description, "two\nlines"; got != want {
				t.Errorf("description %q, want %q", got, want)
			}
			lines = nil
			for _, r := range res.Rejects {
				lines = append(lines, r.Line)
			}
			if got, want := lines, []int64{3, 8}; !reflect.DeepEqual(got, want) {
				t.Errorf("rejected lines %v, want %v", got, want)
			}
			if got, want := [3]int64{res.Read, res.Accepted, res.Rejected}, [3]int64{5, 3, 2}; got != want {
				t.Errorf("read, accepted, rejected = %v, want %v", got, want)
			}
		})
	}
}

func TestKeepRaw(t *testing.T) {
	line := row(schemas.ColCategory, "narcotics")
	tests := []struct {
		keep bool
		want string
	}{
		{true, line},
		{false, null},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.keep), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			opt := defaultOptions()
			opt.KeepRaw = tt.keep
			res, err := run(t, mem, header+line+"\n", opt)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := res.Rejects[0].Raw, tt.want; got != want {
				t.Errorf("raw %q, want %q", got, want)
			}
		})
	}
}

// TestTodayDefault checks that a zero Today means now: yesterday is fine,
// next year is in the future.
func TestTodayDefault(t *testing.T) {
	now := time.Now()
	tests := []struct {
		date     string
		accepted int64
	}{
		{now.AddDate(0, 0, -1).Format("2006-01-02"), 1},
		{now.AddDate(1, 0, 0).Format("2006-01-02"), 0},
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			opt := defaultOptions()
			opt.Today = time.Time{}
			res, err := run(t, mem, header+row(schemas.ColOccurredOn, tt.date)+"\n", opt)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := res.Accepted, tt.accepted; got != want {
				t.Errorf("accepted %d, want %d; rejects %+v", got, want, res.Rejects)
			}
		})
	}
}

// errReader fails after its data, as a broken disk or network would.
type errReader struct {
	data []byte
	err  error
}

func (r *errReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestReadError(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	broken := errors.New("disk on fire")
	in := &errReader{data: []byte(header + strings.Join(good, ",") + "\n"), err: broken}
	nz := normalize.New(mem, read.NewScanner(in), fakePlacer{}, defaultOptions())
	defer nz.Release()
	for nz.Next() {
		nz.Record().Release()
		nz.Rejects().Release()
	}
	if got, want := nz.Err(), broken; !errors.Is(got, want) {
		t.Fatalf("err %v, want %v", got, want)
	}
	if got, want := nz.Err().Error(), "in.csv: disk on fire"; got != want {
		t.Errorf("err %q, want %q", got, want)
	}
}

// TestGolden normalizes testdata/<case>/input.csv and compares a text dump
// of the batches with expected.golden. Rewrite with -update.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "*", "input.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("no testdata/*/input.csv")
	}
	for _, in := range dirs {
		dir := filepath.Dir(in)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			opt := defaultOptions()
			opt.File = "input.csv"
			opt.BatchRows = 4
			got := dump(t, mem, data, opt)
			golden := filepath.Join(dir, "expected.golden")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./pipeline/normalize/ -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs; got:\n%s", golden, got)
			}
		})
	}
}

// dump writes every batch as text: each accepted row with all its columns,
// each reject with its reason and raw text, then the counts.
func dump(t *testing.T, mem memory.Allocator, data []byte, opt normalize.Options) []byte {
	t.Helper()
	var out bytes.Buffer
	nz := normalize.New(mem, read.NewScanner(bytes.NewReader(data)), fakePlacer{}, opt)
	defer nz.Release()
	for b := 1; nz.Next(); b++ {
		rec, rej := nz.Record(), nz.Rejects()
		fmt.Fprintf(&out, "batch %d: %d accepted, %d rejected\n", b, rec.NumRows(), rej.NumRows())
		for i := 0; i < int(rec.NumRows()); i++ {
			fmt.Fprintf(&out, "  accept")
			for c, f := range rec.Schema().Fields() {
				fmt.Fprintf(&out, " %s=%s", f.Name, cell(rec.Column(c), i))
			}
			fmt.Fprintln(&out)
		}
		for i := 0; i < int(rej.NumRows()); i++ {
			fmt.Fprintf(&out, "  reject")
			for c, f := range rej.Schema().Fields() {
				fmt.Fprintf(&out, " %s=%s", f.Name, cell(rej.Column(c), i))
			}
			fmt.Fprintln(&out)
		}
		rec.Release()
		rej.Release()
	}
	if err := nz.Err(); err != nil {
		fmt.Fprintf(&out, "error: %v\n", err)
	}
	fmt.Fprintf(&out, "read %d = accepted %d + rejected %d\n", nz.Read, nz.Accepted, nz.Rejected)
	return out.Bytes()
}

func cell(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "NULL"
	}
	switch a := a.(type) {
	case *array.String:
		return strconv.Quote(a.Value(i))
	case *array.Float32:
		return strconv.FormatFloat(float64(a.Value(i)), 'g', -1, 32)
	case *array.Float64:
		return strconv.FormatFloat(a.Value(i), 'g', -1, 64)
	case *array.Int64:
		return strconv.FormatInt(a.Value(i), 10)
	case *array.Int8:
		return strconv.Itoa(int(a.Value(i)))
	case *array.Date32:
		return a.Value(i).ToTime().Format("2006-01-02")
	}
	return fmt.Sprintf("<%s>", a.DataType())
}

// FuzzNormalize feeds arbitrary bytes as the data rows of a file with a
// valid header: no panic, no error, every row counted once, and only valid
// UTF-8 in the batches (DuckDB refuses anything else).
func FuzzNormalize(f *testing.F) {
	inputs, _ := filepath.Glob(filepath.Join("testdata", "*", "input.csv"))
	for _, in := range inputs {
		data, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			f.Add(data[i+1:])
		}
	}
	for _, s := range []string{
		strings.Join(good, ","),
		"A1,cybercrime,,2023-01-15,,,beta,,,,\n\"open,\n",
		"\xff\xfe,\x00,\n",
		"A1,drug_trafficking,,1900-02-29,-90,180,alpha,,0,0,\r\n",
		",,,,,,,,,,\n,,,,,,,,,,,\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		in := header + string(body)
		opt := defaultOptions()
		opt.BatchRows = 3
		nz := normalize.New(mem, read.NewScanner(strings.NewReader(in)), fakePlacer{}, opt)
		defer nz.Release()
		var accepted, rejected int64
		last := int64(1)
		for nz.Next() {
			rec, rej := nz.Record(), nz.Rejects()
			accepted += rec.NumRows()
			rejected += rej.NumRows()
			for _, b := range []arrow.RecordBatch{rec, rej} {
				for c := 0; c < int(b.NumCols()); c++ {
					s, ok := b.Column(c).(*array.String)
					if !ok {
						continue
					}
					for i := 0; i < s.Len(); i++ {
						if !s.IsNull(i) && !utf8.ValidString(s.Value(i)) {
							t.Errorf("column %s row %d: invalid UTF-8 %q", b.Schema().Field(c).Name, i, s.Value(i))
						}
					}
				}
			}
			lines := rec.Column(schemas.NSourceLine).(*array.Int64)
			for i := 0; i < lines.Len(); i++ {
				if l := lines.Value(i); l <= last {
					t.Errorf("source line %d after %d", l, last)
				} else {
					last = l
				}
			}
			rec.Release()
			rej.Release()
		}
		if err := nz.Err(); err != nil {
			t.Fatalf("error after a valid header: %v", err)
		}
		if got, want := nz.Read, nz.Accepted+nz.Rejected; got != want {
			t.Errorf("read %d, want accepted %d + rejected %d", got, nz.Accepted, nz.Rejected)
		}
		if got, want := accepted, nz.Accepted; got != want {
			t.Errorf("%d rows in record batches, want Accepted = %d", got, want)
		}
		if got, want := rejected, nz.Rejected; got != want {
			t.Errorf("%d rows in reject batches, want Rejected = %d", got, want)
		}
		// Every record the scanner finds after the header is one row read.
		s := read.NewScanner(strings.NewReader(in))
		records := int64(-1)
		for s.Next() {
			records++
		}
		if got, want := nz.Read, records; got != want {
			t.Errorf("read %d rows, the scanner finds %d records after the header", got, want)
		}
	})
}

// tagIDReason is the reason an id holding a tag of schemas.Scrub is
// rejected with.
func tagIDReason(tag string) string {
	return "incident id holds " + tag + ", which ocmap writes in place of a personal number: every record given it would be one incident; " +
		"give each record the agency's own case, FIR or report number (an id that is the number itself is kept as a keyed hash)"
}

// placeholderDate is the reason a placeholder date is rejected with.
const placeholderDate = "date is a placeholder that systems write for an unknown date (1900-01-01: day 1 of Excel's calendar; 1970-01-01: Unix time 0); give the true date"

// TestTrailingEmptyFields: empty cells past the header's columns (a
// trailing comma on every line, as some exports write) carry no data, and
// the row is read as if they were not there, as layouts read it
// (schemas.TrimTrailingEmpty).
func TestTrailingEmptyFields(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	res, err := run(t, mem, header+strings.Join(good, ",")+",,, \n", defaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Incidents) != 1 || len(res.Rejects) != 0 {
		t.Fatalf("%d incidents, %d rejects %+v; want 1 and 0", len(res.Incidents), len(res.Rejects), res.Rejects)
	}
	if got, want := res.Incidents[0], goodIncident; got != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

// TestCanonicalDateTimes: a date column saved by a spreadsheet or a data
// frame carries a time of day ("2023-01-05 00:00:00"). Every such row was
// rejected, and its value withheld as if it were a phone number (ten
// digits between spaces and dashes). The day is now read, in the canonical
// reader as in layouts (schemas.StripTime).
func TestCanonicalDateTimes(t *testing.T) {
	in := header
	for i, d := range []string{"2023-01-05 00:00:00", "2023-01-05T00:00:00.000Z", "2023-01-05 14:30", "2023-01-05T23:59:59", "2023-01-05"} {
		in += fmt.Sprintf("D%d,cybercrime,fraud,%s,,,alpha,FIA,,1000,\n", i+1, d)
	}
	res, err := run(t, memory.NewGoAllocator(), in, defaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, inc := range res.Incidents {
		got = append(got, inc.ID+" "+inc.OccurredOn)
	}
	if want := "D1 2023-01-05,D2 2023-01-05,D3 2023-01-05,D4 2023-01-05,D5 2023-01-05"; strings.Join(got, ",") != want || len(res.Rejects) != 0 {
		t.Errorf("accepted %q, want %s; rejects %+v", got, want, res.Rejects)
	}
}

// TestCanonicalUrduDigits: a canonical row whose date, point and quantity
// are written in Urdu digits is read as the same row in ASCII digits.
func TestCanonicalUrduDigits(t *testing.T) {
	in := header + "U1,drug_trafficking,heroin,۲۰۲۳-۰۱-۱۵,۳۰٫۵,٧٠٫٥,,ANF,۲٫۵,,\n"
	res, err := run(t, memory.NewGoAllocator(), in, defaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Incidents) != 1 {
		t.Fatalf("rejects %+v", res.Rejects)
	}
	inc := res.Incidents[0]
	if got, want := strings.Join([]string{inc.OccurredOn, inc.Lat, inc.Lon, inc.Quantity}, " "), "2023-01-15 30.5 70.5 2.5"; got != want {
		t.Errorf("read %s, want %s", got, want)
	}
}

// TestCanonicalBillions: an amount of billions written bare reads as a
// mobile number without its 0 (3001234567) and is refused, withheld; the
// reason tells the way a canonical file can write it (with an exponent),
// not the separators it does not read.
func TestCanonicalBillions(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	res, err := run(t, mem, header+row(schemas.ColAmountPKR, "3001234567")+"\n", defaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	want := "not a quantity or amount: (value withheld: looks like personal data, a phone or CNIC number; in a canonical file " +
		"write an amount of billions with an exponent, as in 3.001234567e9, or read the file through a layout, which takes 3,001,234,567)"
	if len(res.Rejects) != 1 || res.Rejects[0].Reason != want || strings.Contains(res.Rejects[0].Raw, "3001234567") {
		t.Errorf("rejects %+v, want one with reason %q and the number scrubbed", res.Rejects, want)
	}
}
