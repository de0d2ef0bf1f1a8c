package normalize_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ocmap/ocmap/pipeline/layout"
	"github.com/ocmap/ocmap/pipeline/normalize"
	"github.com/ocmap/ocmap/pipeline/read"
	"github.com/ocmap/ocmap/schemas"
)

// boxPlacer has one district, the square lon 70-71, lat 30-31, also known
// by the name "alpha"; it answers bare points, so swapped coordinates can
// be corrected.
type boxPlacer struct{}

var _ normalize.PointLocator = boxPlacer{}

func (boxPlacer) Locate(lon, lat float64) int {
	if lon >= 70 && lon <= 71 && lat >= 30 && lat <= 31 {
		return 0
	}
	return -1
}

func (p boxPlacer) Place(q *schemas.PlaceQuery) schemas.Placement {
	if q.HasPoint && p.Locate(q.Lon, q.Lat) == 0 {
		return schemas.Placement{Precision: schemas.PrecisionPoint, Method: schemas.MethodPoint, Score: 1, OK: true}
	}
	if string(q.Hint) == "alpha" {
		return schemas.Placement{Precision: schemas.PrecisionDistrict, Method: schemas.MethodExact, Score: 1, OK: true}
	}
	if q.HasPoint {
		return schemas.Placement{Field: schemas.FieldLat, Reason: "coordinates are outside every district"}
	}
	return schemas.Placement{Field: schemas.FieldDistrictHint, Reason: "unknown district name"}
}

func (boxPlacer) District(int) (code, name, province string) { return "PK001", "Alpha", "North" }

const detailsLayout = `name: test-details
title: test
match: [Case, Date, Act]
dates: {formats: [yyyy-mm-dd]}
fields:
  incident_id: {column: Case}
  occurred_on: {column: Date}
  statute: {column: Act}
  section: {column: Sec}
  lat: {column: Lat}
  lon: {column: Lon}
  district_hint: {column: District}
  victims: {column: Victims}
  victims_male: {column: Men}
  victims_female: {column: Women}
  offence_type: {column: Kind, map: {human trafficking: trafficking, migrant smuggling: smuggling}}
  substance: {column: Drug, map: {charas: hashish, ice: methamphetamine}}
  platform: {column: App}
personal:
  - {column: CNIC, action: hash, kind: cnic}
`

var detailsInput = "Case,Date,Act,Sec,Lat,Lon,District,Victims,Men,Women,Kind,Drug,App,CNIC\n" +
	"1,2024-01-05,CNSA,9(c),30.5,70.5,,,,,,Charas,,35202-1234567-1\n" + // point inside; hashish; CNIC hashed
	"2,2024-01-06,CNSA,9(c),70.5,30.5,,,,,,ice,,\n" + // lat and lon exchanged: corrected
	"3,2024-01-07,PTPA,3,10,10,alpha,,3,2,Human Trafficking,,,3520212345671\n" + // outside, placed by name; total from parts; same CNIC
	"4,2024-01-08,PECA,14,,,alpha,,,,,,WhatsApp,\n" + // peca_section from the section
	"5,2024-01-09,PTPA,3,,,alpha,4,3,2,,,,\n" + // 5 by sex > 4 victims
	"6,2024-01-10,CNSA,9(c),,,alpha,,,,,Bhang,,\n" + // substance not mapped
	"7,2024-01-11,PECA,14,,,alpha,,,,,heroin,,\n" + // a drug field on a cybercrime row
	"8,2024-01-12,CNSA,9(c),10,10,,,,,,heroin,,\n" // outside, even swapped, no name

func TestIncidentDetails(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	l, err := layout.Parse("test.yaml", []byte(detailsLayout))
	if err != nil {
		t.Fatal(err)
	}
	src, err := read.NewCSV(strings.NewReader(detailsInput), read.CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	h, err := schemas.NewHasher([]byte("a test key of 32 bytes, no more."))
	if err != nil {
		t.Fatal(err)
	}
	nz, err := normalize.NewIncidents(mem, src, boxPlacer{}, l, crosswalk(t), normalize.Options{File: "d.csv", KeepRaw: true, Today: today, Hasher: h})
	if err != nil {
		t.Fatal(err)
	}
	defer nz.Release()
	show := []string{"incident_id", "category", "subcategory", "lat", "lon", "location_precision", "location_note", "victims",
		"person_keys", "substance", "offence_type", "victims_male", "victims_female", "peca_section", "platform"}
	var rows, rejects []string
	for nz.Next() {
		rec, rej := nz.Record(), nz.Rejects()
		if !rec.Schema().Equal(schemas.LayoutIncidents) {
			t.Fatalf("schema %s, want schemas.LayoutIncidents", rec.Schema())
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			var cells []string
			for _, name := range show {
				col := rec.Column(rec.Schema().FieldIndices(name)[0])
				v := "-"
				if col.IsValid(i) {
					v = col.ValueStr(i)
				}
				cells = append(cells, name+"="+v)
			}
			rows = append(rows, strings.Join(cells, " "))
		}
		for i := 0; i < int(rej.NumRows()); i++ {
			rejects = append(rejects, rej.Column(3).(*array.String).Value(i)+": "+rej.Column(4).(*array.String).Value(i))
		}
		rec.Release()
		rej.Release()
	}
	if err := nz.Err(); err != nil {
		t.Fatal(err)
	}
	cnic := "cnic=" + h.Hash("cnic", "3520212345671")
	want := []string{
		"incident_id=1 category=drug_trafficking subcategory=hashish lat=30.5 lon=70.5 location_precision=1 location_note=- victims=- " +
			"person_keys=" + cnic + " substance=hashish offence_type=- victims_male=- victims_female=- peca_section=- platform=-",
		"incident_id=2 category=drug_trafficking subcategory=methamphetamine lat=30.5 lon=70.5 location_precision=1 location_note=" +
			normalize.NoteSwapped + " victims=- person_keys=- substance=methamphetamine offence_type=- victims_male=- victims_female=- peca_section=- platform=-",
		"incident_id=3 category=human_trafficking subcategory=trafficking lat=10 lon=10 location_precision=3 location_note=" +
			normalize.NoteByName + " victims=5 person_keys=" + cnic + " substance=- offence_type=trafficking victims_male=3 victims_female=2 peca_section=- platform=-",
		"incident_id=4 category=cybercrime subcategory=electronic_fraud lat=- lon=- location_precision=3 location_note=- victims=- " +
			"person_keys=- substance=- offence_type=- victims_male=- victims_female=- peca_section=14 platform=WhatsApp",
	}
	if got := strings.Join(rows, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	wantRej := []string{
		"victims: victims_male and victims_female add up to 5, more than the 4 victims given",
		`substance: unknown substance "Bhang"; map it to one of heroin, opium, hashish, methamphetamine, cocaine, precursors, other in fields.substance.map`,
		"substance: substance is a field of drug_trafficking records, but this row is cybercrime",
		"lat: coordinates are outside every district",
	}
	if got := strings.Join(rejects, "\n"); got != strings.Join(wantRej, "\n") {
		t.Errorf("rejects:\n%s\nwant:\n%s", got, strings.Join(wantRej, "\n"))
	}
	if nz.Read != 8 || nz.Accepted != 4 || nz.Rejected != 4 {
		t.Errorf("read %d accepted %d rejected %d, want 8 = 4 + 4", nz.Read, nz.Accepted, nz.Rejected)
	}
}

func TestDetailLayoutValidation(t *testing.T) {
	for _, tt := range []struct{ name, yaml, want string }{
		{"field of another category", "category: cybercrime\n", "fields.substance: a field of drug_trafficking records, but this layout's category is cybercrime"},
		{"map to no code", "", `fields.offence_type.map.migrant smuggling: "smuggled"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			y := strings.Replace(detailsLayout, "title: test\n", "title: test\n"+tt.yaml, 1)
			y = strings.Replace(y, "  statute: {column: Act}\n", "", 1)
			if tt.name == "map to no code" {
				y = strings.Replace(y, "migrant smuggling: smuggling", "migrant smuggling: smuggled", 1)
				y = strings.Replace(y, "title: test\n", "title: test\ncategory: human_trafficking\n", 1)
				y = strings.Replace(y, "  substance: {column: Drug, map: {charas: hashish, ice: methamphetamine}}\n", "", 1)
				y = strings.Replace(y, "  platform: {column: App}\n", "", 1)
			}
			_, err := layout.Parse("t.yaml", []byte(y))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// FuzzIncidentDetails feeds arbitrary rows through a layout with category
// fields, swapped-coordinate correction and hashed columns: it must never
// panic, and every row read is accepted or rejected.
func FuzzIncidentDetails(f *testing.F) {
	f.Add(detailsInput)
	f.Add("Case,Date,Act,Sec,Lat,Lon,District,Victims,Men,Women,Kind,Drug,App,CNIC\n9,2024-01-01,PTPA,3,,,alpha,2147483647,2147483647,1,migrant smuggling,,,\n")
	l, err := layout.Parse("test.yaml", []byte(detailsLayout))
	if err != nil {
		f.Fatal(err)
	}
	cw := crosswalk(&testing.T{})
	h, err := schemas.NewHasher([]byte("a test key of 32 bytes, no more."))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		src, err := read.NewCSV(strings.NewReader(text), read.CSVOptions{})
		if err != nil {
			return
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		nz, err := normalize.NewIncidents(mem, src, boxPlacer{}, l, cw, normalize.Options{KeepRaw: true, Today: today, Hasher: h})
		if err != nil {
			return // a header without the layout's columns
		}
		defer nz.Release()
		for nz.Next() {
			nz.Record().Release()
			nz.Rejects().Release()
		}
		if nz.Read != nz.Accepted+nz.Rejected {
			t.Fatalf("read %d != accepted %d + rejected %d", nz.Read, nz.Accepted, nz.Rejected)
		}
	})
}

// TestCanonicalSwapped: the canonical layout corrects exchanged coordinates
// as layouts do (one rule, placeRow): a point outside every district whose
// exchanged coordinates land in one is kept, corrected and noted; a point
// outside even exchanged is placed by its name (noted) or rejected.
func TestCanonicalSwapped(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	in := "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n" +
		"S1,cybercrime,hacking,2023-01-15,70.5,30.25,,FIA,,,\n" + // exchanged
		"S2,cybercrime,hacking,2023-01-15,30.25,70.5,,FIA,,,\n" + // right
		"S3,cybercrime,hacking,2023-01-15,10,10,alpha,FIA,,,\n" + // outside, named
		"S4,cybercrime,hacking,2023-01-15,10,10,,FIA,,,\n" // outside, even exchanged
	nz := normalize.New(mem, read.NewScanner(strings.NewReader(in)), boxPlacer{}, normalize.Options{File: "in.csv", RunID: 1, Today: today})
	defer nz.Release()
	var got []string
	for nz.Next() {
		rec, rej := nz.Record(), nz.Rejects()
		for i := 0; i < int(rec.NumRows()); i++ {
			got = append(got, fmt.Sprintf("%s %s,%s p%d %s", rec.Column(schemas.NIncidentID).ValueStr(i),
				rec.Column(schemas.NLat).ValueStr(i), rec.Column(schemas.NLon).ValueStr(i),
				rec.Column(schemas.ILocationPrecision).(*array.Int8).Value(i), rec.Column(schemas.ILocationNote).ValueStr(i)))
		}
		for _, r := range rejects(rej) {
			got = append(got, fmt.Sprintf("line %d %s: %s", r.Line, r.Field, r.Reason))
		}
		rec.Release()
		rej.Release()
	}
	if err := nz.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	want := []string{
		"S1 30.25,70.5 p1 " + normalize.NoteSwapped,
		"S2 30.25,70.5 p1 (null)",
		"S3 10,10 p3 " + normalize.NoteByName,
		"line 5 lat: coordinates are outside every district",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
