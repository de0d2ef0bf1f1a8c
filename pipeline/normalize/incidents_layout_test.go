package normalize_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ocmap/ocmap/data"
	"github.com/ocmap/ocmap/pipeline/layout"
	"github.com/ocmap/ocmap/pipeline/normalize"
	"github.com/ocmap/ocmap/pipeline/read"
	"github.com/ocmap/ocmap/schemas"
)

const firLayout = `name: test-firs
title: test
match: [FIR, Date, Head]
dates: {formats: [dd/mm/yyyy]}
usd_rate: 280
fields:
  incident_id: {column: FIR}
  occurred_on: {column: Date}
  category: {column: Head, map: {narcotics: drug_trafficking, cyber: cybercrime}}
  district_hint: {column: District}
  statute: {column: Act}
  section: {column: Sec}
  quantity: {column: Kg, unit: kg}
  amount_pkr: {column: USD, unit: usd}
  victims: {column: Victims}
  place: {column: Place}
personal:
  - {column: Accused, action: drop}
`

const firs = "FIR,Date,Head,District,Act,Sec,Kg,USD,Victims,Place,Accused\n" +
	"1/2024,05/01/2024,Narcotics,alpha,CNSA,9(c),1.5,,,Near 0300-1234567,Someone\n" + // ok; CNSA 9 after 2022
	"2/2024,06/01/2024,Cyber,beta,,,,\"1,000\",2,,Someone\n" + // ok, USD to PKR
	"3/2024,07/01/2024,Theft,alpha,,,,,,,Someone\n" + // category not mapped
	"4/2024,08/01/2024,Narcotics,alpha,,,-1,,,,Someone\n" + // negative quantity
	"5/2024,09/01/2024,Cyber,alpha,,,,,many,,Someone\n" + // victims not a number
	"6/2024,10/01/2024,Narcotics,alpha,,,\"10,000,000,000,000,000\",,,,Someone\n" + // more kg than the store can sum
	"7/2024,11/01/2024,Cyber,alpha,,,,\"10,000,000,000,000\",,,Someone\n" + // 2.8e15 PKR once converted
	"8/2024,01/01/1970,Cyber,alpha,,,,,,,Someone\n" + // Unix time 0 for an unknown date
	"9/2024,01/01/1900,Cyber,alpha,,,,,,,Someone\n" // day 1 of Excel's calendar

func crosswalk(t *testing.T) *schemas.Crosswalk {
	t.Helper()
	cw, err := schemas.LoadCrosswalk(bytes.NewReader(data.LegalCrosswalk))
	if err != nil {
		t.Fatal(err)
	}
	return cw
}

func TestIncidentLayout(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	l, err := layout.Parse("test.yaml", []byte(firLayout))
	if err != nil {
		t.Fatal(err)
	}
	src, err := read.NewCSV(strings.NewReader(firs), read.CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	nz, err := normalize.NewIncidents(mem, src, fakePlacer{}, l, crosswalk(t), normalize.Options{File: "firs.csv", KeepRaw: true, Today: today})
	if err != nil {
		t.Fatal(err)
	}
	defer nz.Release()
	var rows, rejects []string
	for nz.Next() {
		rec, rej := nz.Record(), nz.Rejects()
		if !rec.Schema().Equal(schemas.LayoutIncidents) {
			t.Fatalf("schema %s, want schemas.LayoutIncidents", rec.Schema())
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			var cells []string
			for _, c := range []int{schemas.NIncidentID, schemas.NCategory, schemas.NQuantity, schemas.NAmountPKR,
				schemas.IICCSCode, schemas.IVictims, schemas.IPlace, schemas.ILayout} {
				col := rec.Column(c)
				v := "-"
				if col.IsValid(i) {
					v = col.ValueStr(i)
				}
				cells = append(cells, v)
			}
			rows = append(rows, strings.Join(cells, " "))
		}
		for i := 0; i < int(rej.NumRows()); i++ {
			rejects = append(rejects, rej.Column(3).(*array.String).Value(i)+": "+rej.Column(4).(*array.String).Value(i)+
				" | "+rej.Column(5).(*array.String).Value(i))
		}
		rec.Release()
		rej.Release()
	}
	if err := nz.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"1/2024 drug_trafficking 1.5 - 0601 - Near [PHONE] test-firs",
		"2/2024 cybercrime - 280000 - 2 - test-firs",
	}
	if got := strings.Join(rows, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	wantRej := []string{
		`category: unknown category "Theft"; map it to one of terror_financing, drug_trafficking, human_trafficking, cybercrime in fields.category.map | 3/2024,07/01/2024,Theft,alpha,,,,,,,`,
		`quantity: negative quantity: "-1" | 4/2024,08/01/2024,Narcotics,alpha,,,-1,,,,`,
		`victims: not a whole number of people: "many" | 5/2024,09/01/2024,Cyber,alpha,,,,,many,,`,
		`quantity: too large: "10,000,000,000,000,000" is more than 10^15 | 6/2024,10/01/2024,Narcotics,alpha,,,"10,000,000,000,000,000",,,,`,
		`amount_pkr: too large: "10,000,000,000,000" is more than 10^15 | 7/2024,11/01/2024,Cyber,alpha,,,,"10,000,000,000,000",,,`,
		`occurred_on: ` + placeholderDate + `: "01/01/1970" | 8/2024,01/01/1970,Cyber,alpha,,,,,,,`,
		`occurred_on: ` + placeholderDate + `: "01/01/1900" | 9/2024,01/01/1900,Cyber,alpha,,,,,,,`,
	}
	if got := strings.Join(rejects, "\n"); got != strings.Join(wantRej, "\n") {
		t.Errorf("rejects:\n%s\nwant:\n%s", got, strings.Join(wantRej, "\n"))
	}
	if got, want := nz.Read, nz.Accepted+nz.Rejected; got != want {
		t.Errorf("read %d != accepted %d + rejected %d", nz.Read, nz.Accepted, nz.Rejected)
	}
}

func TestIncidentLayoutErrors(t *testing.T) {
	mem := memory.NewGoAllocator()
	for _, tt := range []struct {
		name, yaml, want string
		err              error
	}{
		{"missing column", strings.Replace(firLayout, "column: Place", "column: Town", 1), "Town", normalize.ErrLayoutColumn},
		{"hash without a key", strings.Replace(firLayout, "action: drop", "action: hash, kind: name", 1), "OCMAP_HASH_KEY", normalize.ErrNoHashKey},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l, err := layout.Parse("test.yaml", []byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			src, err := read.NewCSV(strings.NewReader(firs), read.CSVOptions{})
			if err != nil {
				t.Fatal(err)
			}
			_, err = normalize.NewIncidents(mem, src, fakePlacer{}, l, crosswalk(t), normalize.Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) || tt.err != nil && !errors.Is(err, tt.err) {
				t.Errorf("err %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestIncidentLayoutDuplicateColumns: a header that repeats a column name
// (an export with the complainant's and the accused's "Name") keeps every
// copy of a personal column out of the raw text of rejects, and refuses a
// field column it cannot tell apart rather than read the first.
func TestIncidentLayoutDuplicateColumns(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	l, err := layout.Parse("test.yaml", []byte(firLayout))
	if err != nil {
		t.Fatal(err)
	}
	in := "FIR,Date,Head,District,Act,Sec,Kg,USD,Victims,Place,Accused,Accused\n" +
		"4/2024,08/01/2024,Narcotics,alpha,,,-1,,,,Rubina Kausar,Nasreen Akhtar\n"
	src, err := read.NewCSV(strings.NewReader(in), read.CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	nz, err := normalize.NewIncidents(mem, src, fakePlacer{}, l, crosswalk(t), normalize.Options{File: "firs.csv", KeepRaw: true, Today: today})
	if err != nil {
		t.Fatal(err)
	}
	var raws []string
	for nz.Next() {
		rec, rej := nz.Record(), nz.Rejects()
		for i := 0; i < int(rej.NumRows()); i++ {
			raws = append(raws, rej.Column(5).(*array.String).Value(i))
		}
		rec.Release()
		rej.Release()
	}
	nz.Release()
	if err := nz.Err(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"4/2024,08/01/2024,Narcotics,alpha,,,-1,,,,,"}; strings.Join(raws, "\n") != strings.Join(want, "\n") {
		t.Errorf("raw text of rejects %q, want %q", raws, want)
	}

	in = "FIR,Date,Head,District,Act,Sec,Kg,USD,Victims,Place,Accused,District\n1/2024,05/01/2024,Narcotics,alpha,,,1,,,,,beta\n"
	if src, err = read.NewCSV(strings.NewReader(in), read.CSVOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err = normalize.NewIncidents(mem, src, fakePlacer{}, l, crosswalk(t), normalize.Options{File: "firs.csv", Today: today})
	if want := `firs.csv: normalize: a column of the layout appears twice in the header: layout test-firs reads column "District", which is columns 4 and 12: rename one of them`; err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, normalize.ErrDuplicateColumn) {
		t.Errorf("err %v, want ErrDuplicateColumn containing %q", err, want)
	}
}

// FuzzIncidentLayout feeds arbitrary rows through an incident layout: it
// must never panic, and every row read is accepted or rejected.
func FuzzIncidentLayout(f *testing.F) {
	f.Add(firs)
	f.Add("FIR,Date,Head,District,Act,Sec,Kg,USD,Victims,Place,Accused\n1,31/12/2023,cyber,beta,PECA,14,,,,,\n")
	f.Add("FIR,Date,Head,District,Act,Sec,Kg,USD,Victims,Place,Accused\n\"unterminated\n")
	l, err := layout.Parse("test.yaml", []byte(firLayout))
	if err != nil {
		f.Fatal(err)
	}
	cw, err := schemas.LoadCrosswalk(bytes.NewReader(data.LegalCrosswalk))
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
		nz, err := normalize.NewIncidents(mem, src, fakePlacer{}, l, cw, normalize.Options{KeepRaw: true, Today: today})
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

// TestIncidentLayoutDecimalComma: a file saved by a spreadsheet in a
// European locale separates columns with semicolons and writes 1.250,5.
// "1,250" read as Pakistani grouping gave 1250 kg where the file meant
// 1.25 kg, silently. Without decimal: in the layout such numbers are now
// refused with what to say; decimal: comma reads them, coordinates too;
// decimal: point keeps the grouping.
func TestIncidentLayoutDecimalComma(t *testing.T) {
	const file = "FIR;Date;Kg;PKR;Lat;Lon\n" +
		"1;05/01/2024;1,250;Rs. 1.250.000/-;;\n" +
		"2;06/01/2024;2,5;12.500,75;;\n" +
		"3;07/01/2024;3;400;;\n" +
		"4;08/01/2024;4;;31,5204;74,3587\n"
	const base = `name: test-eu
title: test
category: drug_trafficking
delimiter: ";"
match: [FIR, Date]
dates: {formats: [dd/mm/yyyy]}
fields:
  incident_id: {column: FIR}
  occurred_on: {column: Date}
  district_hint: {value: alpha}
  quantity: {column: Kg, unit: kg}
  amount_pkr: {column: PKR}
  lat: {column: Lat}
  lon: {column: Lon}
`
	for _, tt := range []struct {
		decimal string
		want    []string
	}{
		{"", []string{
			"3 3 400 - -",
			`quantity: a comma in a number of a file separated by semicolons: "1,250" is a decimal comma or a thousands comma; say which in the layout: decimal: comma (1.250,5) or decimal: point (1,250.5)`,
			`quantity: a comma in a number of a file separated by semicolons: "2,5" is a decimal comma or a thousands comma; say which in the layout: decimal: comma (1.250,5) or decimal: point (1,250.5)`,
			`lat: a decimal comma: write degrees with a point (30.5, not 30,5): "31,5204" (or say decimal: comma in the layout)`,
		}},
		{"decimal: comma\n", []string{"1 1.25 1.25e+06 - -", "2 2.5 12500.75 - -", "3 3 400 - -", "4 4 - 31.5204 74.3587"}},
		{"decimal: point\n", []string{
			"3 3 400 - -",
			`amount_pkr: not a number: "Rs. 1.250.000/-"`,
			`quantity: not a number: "2,5"`,
			`lat: a decimal comma: write degrees with a point (30.5, not 30,5): "31,5204"`,
		}},
	} {
		t.Run(tt.decimal, func(t *testing.T) {
			l, err := layout.Parse("eu.yaml", []byte(base+tt.decimal))
			if err != nil {
				t.Fatal(err)
			}
			src, err := read.NewCSV(strings.NewReader(file), read.CSVOptions{Comma: ';'})
			if err != nil {
				t.Fatal(err)
			}
			nz, err := normalize.NewIncidents(memory.NewGoAllocator(), src, fakePlacer{}, l, crosswalk(t), normalize.Options{File: "eu.csv", Today: today})
			if err != nil {
				t.Fatal(err)
			}
			defer nz.Release()
			var order []string
			for nz.Next() {
				rec, rej := nz.Record(), nz.Rejects()
				for i := 0; i < int(rec.NumRows()); i++ {
					var cells []string
					for _, c := range []int{schemas.NIncidentID, schemas.NQuantity, schemas.NAmountPKR, schemas.NLat, schemas.NLon} {
						v := "-"
						if rec.Column(c).IsValid(i) {
							v = rec.Column(c).ValueStr(i)
						}
						cells = append(cells, v)
					}
					order = append(order, strings.Join(cells, " "))
				}
				for i := 0; i < int(rej.NumRows()); i++ {
					order = append(order, rej.Column(3).(*array.String).Value(i)+": "+rej.Column(4).(*array.String).Value(i))
				}
				rec.Release()
				rej.Release()
			}
			if err := nz.Err(); err != nil {
				t.Fatal(err)
			}
			if a, b := strings.Join(order, "\n"), strings.Join(tt.want, "\n"); a != b {
				t.Errorf("rows and rejects:\n%s\nwant:\n%s", a, b)
			}
		})
	}
	if _, err := layout.Parse("eu.yaml", []byte(base+"decimal: european\n")); err == nil || !strings.Contains(err.Error(), `decimal: "european": want point or comma`) {
		t.Errorf("decimal: european: %v", err)
	}
}

// TestIncidentLayoutPlaceholderIDs: every shipped layout prefixes its ids
// ("ANF-" and the FIR number), and some join a station and a number; an
// id whose own value or joined part says there is none ("N/A"), or whose
// joined part is blank, is refused as it would be without the prefix,
// not kept as "ANF-N/A" or "PP-Saddar" to make a source's every such
// record of a month one incident.
func TestIncidentLayoutPlaceholderIDs(t *testing.T) {
	const base = `name: test-ids
title: test
category: drug_trafficking
match: [PS, FIR, Date]
dates: {formats: [dd/mm/yyyy]}
fields:
  occurred_on: {column: Date}
  district_hint: {column: District}
`
	const file = "PS,FIR,Date,District\n" +
		"Saddar,12/2024,05/01/2024,alpha\n" +
		"Saddar,N/A,05/01/2024,alpha\n" +
		"Saddar,#N/A,05/01/2024,alpha\n" +
		"Unknown,13/2024,05/01/2024,alpha\n" +
		"Saddar,,05/01/2024,alpha\n" +
		"Saddar,[CNIC],05/01/2024,alpha\n"
	for _, tc := range []struct{ name, id, want string }{
		{"prefix", `  incident_id: {column: FIR, prefix: "ANF-"}`,
			`ANF-12/2024 ANF-13/2024 | incident id "ANF-N/A" says there is none | incident id "ANF-#N/A" says there is none | missing incident id | incident id holds [CNIC], which ocmap writes in place of a personal number: every record given it would be one incident`},
		{"joined", `  incident_id: {columns: [PS, FIR], join: "-", prefix: "PP-"}`,
			`PP-Saddar-12/2024 | incident id "PP-Saddar-N/A" says there is none | incident id "PP-Saddar-#N/A" says there is none | incident id "PP-Unknown-13/2024" says there is none | missing incident id: a column it is joined from is blank | incident id holds [CNIC], which ocmap writes in place of a personal number: every record given it would be one incident`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			l, err := layout.Parse("test.yaml", []byte(base+tc.id+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			src, err := read.NewCSV(strings.NewReader(file), read.CSVOptions{})
			if err != nil {
				t.Fatal(err)
			}
			nz, err := normalize.NewIncidents(mem, src, fakePlacer{}, l, crosswalk(t), normalize.Options{File: "ids.csv", Today: today})
			if err != nil {
				t.Fatal(err)
			}
			defer nz.Release()
			var ids, reasons []string
			for nz.Next() {
				rec, rej := nz.Record(), nz.Rejects()
				for i := 0; i < int(rec.NumRows()); i++ {
					ids = append(ids, rec.Column(schemas.NIncidentID).ValueStr(i))
				}
				for i := 0; i < int(rej.NumRows()); i++ {
					r, _, _ := strings.Cut(rej.Column(4).(*array.String).Value(i), ";")
					reasons = append(reasons, r)
				}
				rec.Release()
				rej.Release()
			}
			if err := nz.Err(); err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(append([]string{strings.Join(ids, " ")}, reasons...), " | "); got != tc.want {
				t.Errorf("ids and rejects\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestCanonicalLayoutWholeVictims: the canonical layout ('layouts check
// canonical', and 'layouts check auto' of a canonical file) refuses a
// human trafficking quantity that is not a whole number, as ingest's
// canonical reader does: the quantity counts victims.
func TestCanonicalLayoutWholeVictims(t *testing.T) {
	l, err := layout.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	const file = "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n" +
		"H1,human_trafficking,,2024-01-05,,,alpha,FIA,3,,\n" +
		"H2,human_trafficking,,2024-01-05,,,alpha,FIA,2.5,,\n" +
		"D1,drug_trafficking,heroin,2024-01-05,,,alpha,ANF,2.5,,\n"
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	src, err := read.NewCSV(strings.NewReader(file), read.CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	nz, err := normalize.NewIncidents(mem, src, fakePlacer{}, l, crosswalk(t), normalize.Options{File: "c.csv", Today: today})
	if err != nil {
		t.Fatal(err)
	}
	defer nz.Release()
	var ids, reasons []string
	for nz.Next() {
		rec, rej := nz.Record(), nz.Rejects()
		for i := 0; i < int(rec.NumRows()); i++ {
			ids = append(ids, rec.Column(schemas.NIncidentID).ValueStr(i))
		}
		for i := 0; i < int(rej.NumRows()); i++ {
			reasons = append(reasons, rej.Column(4).(*array.String).Value(i))
		}
		rec.Release()
		rej.Release()
	}
	if err := nz.Err(); err != nil {
		t.Fatal(err)
	}
	want := `H1 D1 | quantity "2.5" is not a whole number: for human_trafficking it counts victims`
	if got := strings.Join(append([]string{strings.Join(ids, " ")}, reasons...), " | "); got != want {
		t.Errorf("ids and rejects\n got %s\nwant %s", got, want)
	}
}
