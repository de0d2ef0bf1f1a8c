package normalize_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ocmap/ocmap/pipeline/layout"
	"github.com/ocmap/ocmap/pipeline/normalize"
	"github.com/ocmap/ocmap/pipeline/read"
)

const contextLayout = `name: test-attacks
title: test
kind: context
event_type: attack_on_politician
encoding: windows-1252
match: [S#, Politician, Longititude]
dates: {formats: [d-mmm-yy], pivot: 30}
fields:
  incident_id: {column: S#, prefix: "T-"}
  occurred_on: {column: Date}
  lat: {column: Latitude}
  lon: {column: Longititude}
  district_hint: {column: City}
  province_hint: {column: Province}
  place: {columns: [Location, City], join: ", "}
  killed: {column: Killed}
  injured: {column: Injured}
  source: {value: Test}
  description: {column: Target}
personal:
  - {column: Politician, action: drop}
`

func openContext(t *testing.T, path, yaml string) (normalize.Source, *layout.Layout) {
	t.Helper()
	l, err := layout.Parse("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	r, err := read.Decode(f, l.Encoding)
	if err != nil {
		t.Fatal(err)
	}
	src, err := read.NewCSV(r, read.CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return src, l
}

func TestContext(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	src, l := openContext(t, "testdata/layouts/attacks-cp1252.csv", contextLayout)
	nz, err := normalize.NewContext(mem, src, fakePlacer{}, l, normalize.Options{File: "input.csv", RunID: 7, KeepRaw: true, Today: today})
	if err != nil {
		t.Fatal(err)
	}
	defer nz.Release()
	var rows []string
	rejects := map[int64]string{}
	raws := map[int64]string{}
	for nz.Next() {
		rec, rej := nz.Record(), nz.Rejects()
		for i := 0; i < int(rec.NumRows()); i++ {
			var cells []string
			for c, col := range rec.Columns() {
				v := "-"
				if col.IsValid(i) {
					v = col.ValueStr(i)
				}
				cells = append(cells, rec.ColumnName(c)+"="+v)
			}
			rows = append(rows, strings.Join(cells, " "))
		}
		for i := 0; i < int(rej.NumRows()); i++ {
			line := rej.Column(2).(*array.Int64).Value(i)
			rejects[line] = rej.Column(3).(*array.String).Value(i) + ": " + rej.Column(4).(*array.String).Value(i)
			raws[line] = rej.Column(5).(*array.String).Value(i)
		}
		rec.Release()
		rej.Release()
	}
	if err := nz.Err(); err != nil {
		t.Fatal(err)
	}
	if got, want := nz.Read, int64(9); got != want {
		t.Errorf("read %d, want %d", got, want)
	}
	if got, want := nz.Read, nz.Accepted+nz.Rejected; got != want {
		t.Errorf("read %d != accepted %d + rejected %d", nz.Read, nz.Accepted, nz.Rejected)
	}
	wantRows := []string{
		"incident_id=T-1 event_type=attack_on_politician occurred_on=1951-10-16 date_precision=1 lat=33.6058 lon=73.0437 " +
			"place=Café Bagh, Alpha district_hint=Alpha province_hint=Punjab source=Test description=Target killed=1 injured=1 " +
			"source_file=input.csv source_line=2 run_id=7 layout=test-attacks district_code=PK001 district_name=Alpha province=North location_precision=1 location_note=- match_method=point match_score=1",
		"incident_id=T-2 event_type=attack_on_politician occurred_on=2008-05-09 date_precision=1 lat=- lon=- " +
			"place=House, Aikman Road, alpha district_hint=alpha province_hint=Punjab source=Test description=Residence killed=0 injured=2 " +
			"source_file=input.csv source_line=3 run_id=7 layout=test-attacks district_code=PK001 district_name=Alpha province=North location_precision=3 location_note=- match_method=exact match_score=1",
		"incident_id=T-8 event_type=attack_on_politician occurred_on=2005-01-05 date_precision=1 lat=- lon=- " +
			"place=Jalsa gah, beta district_hint=beta province_hint=KP source=Test description=call [PHONE] for details killed=- injured=- " +
			"source_file=input.csv source_line=9 run_id=7 layout=test-attacks district_code=PK002 district_name=Beta province=- location_precision=3 location_note=- match_method=exact match_score=1",
	}
	if len(rows) != len(wantRows) {
		t.Fatalf("accepted %d rows, want %d:\n%s", len(rows), len(wantRows), strings.Join(rows, "\n"))
	}
	for i := range rows {
		if got, want := rows[i], wantRows[i]; got != want {
			t.Errorf("row %d:\n got %s\nwant %s", i, got, want)
		}
	}
	wantRejects := map[int64]string{
		4:  `district_hint: unknown district name: "Nowhere"`,
		5:  "occurred_on: ",
		6:  `killed: not a whole number of people: "40+"`,
		7:  "(record): has 5 fields, the header has 11",
		8:  "lon: latitude given without longitude",
		10: "occurred_on: missing date",
	}
	for line, want := range wantRejects {
		if got := rejects[line]; !strings.HasPrefix(got, want) {
			t.Errorf("line %d: reject %q, want %q", line, got, want)
		}
	}
	if len(rejects) != len(wantRejects) {
		t.Errorf("rejects %v, want lines of %v", rejects, wantRejects)
	}
	for line, raw := range raws {
		if strings.Contains(raw, "Name") {
			t.Errorf("line %d: raw %q holds the personal column", line, raw)
		}
	}
	if got, want := raws[4], "3,,1-Jan-99,Nowhere,Market,Sindh,,,1,0,Rally"; got != want {
		t.Errorf("raw of line 4 %q, want %q", got, want)
	}
}

func TestContextMissingColumn(t *testing.T) {
	src, l := openContext(t, "testdata/layouts/attacks-cp1252.csv", strings.Replace(contextLayout, "column: Target", "column: Target Type", 1))
	_, err := normalize.NewContext(memory.NewGoAllocator(), src, fakePlacer{}, l, normalize.Options{File: "input.csv"})
	if !errors.Is(err, normalize.ErrLayoutColumn) {
		t.Fatalf("err %v, want ErrLayoutColumn", err)
	}
	for _, want := range []string{"input.csv", `"Target Type"`, "Longititude"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

// FuzzContext feeds arbitrary bytes through the context normalizer: it must
// not panic, and every record read is accepted or rejected.
func FuzzContext(f *testing.F) {
	seed, err := os.ReadFile("testdata/layouts/attacks-cp1252.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte("S#,Politician,Date,City,Location,Province,Latitude,Longititude,Killed,Injured,Target\n1,,\"x\n"))
	l, err := layout.Parse("test.yaml", []byte(contextLayout))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := read.Decode(bytes.NewReader(data), l.Encoding)
		if err != nil {
			t.Fatal(err)
		}
		src, err := read.NewCSV(r, read.CSVOptions{})
		if err != nil {
			return // no header
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		nz, err := normalize.NewContext(mem, src, fakePlacer{}, l, normalize.Options{File: "fuzz.csv", KeepRaw: true, BatchRows: 3, Today: today})
		if err != nil {
			return // the header lacks a column of the layout
		}
		defer nz.Release()
		for nz.Next() {
			nz.Record().Release()
			nz.Rejects().Release()
		}
		if nz.Err() != nil {
			return
		}
		if got, want := nz.Read, nz.Accepted+nz.Rejected; got != want {
			t.Errorf("read %d != accepted %d + rejected %d", nz.Read, nz.Accepted, nz.Rejected)
		}
	})
}

// TestContextPlaceholderDates: context events dated with a placeholder for
// an unknown date are rejected as incidents are (schemas.DayProblem); the
// days beside them are kept.
func TestContextPlaceholderDates(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	path := filepath.Join(t.TempDir(), "attacks.csv")
	text := "S#,Politician,Date,City,Location,Province,Latitude,Longititude,Killed,Injured,Target\n" +
		"1,A,1-Jan-70,alpha,Market,Punjab,,,1,0,Rally\n" +
		"2,B,2-Jan-70,alpha,Market,Punjab,,,1,0,Rally\n" +
		"3,C,1-Jan-00,alpha,Market,Punjab,,,1,0,Rally\n" + // 2000 (pivot 30): a real day
		"4,D,31-Dec-69,alpha,Market,Punjab,,,1,0,Rally\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	src, l := openContext(t, path, contextLayout)
	nz, err := normalize.NewContext(mem, src, fakePlacer{}, l, normalize.Options{File: "attacks.csv", RunID: 1, Today: today})
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for nz.Next() {
		rec, rej := nz.Record(), nz.Rejects()
		for _, r := range rejects(rej) {
			reasons = append(reasons, fmt.Sprintf("%d %s: %s", r.Line, r.Field, r.Reason))
		}
		rec.Release()
		rej.Release()
	}
	if err := nz.Err(); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(reasons, "\n"), `2 occurred_on: `+placeholderDate+`: "1-Jan-70"`; got != want {
		t.Errorf("rejects:\n%s\nwant:\n%s", got, want)
	}
	if nz.Accepted != 3 || nz.Rejected != 1 {
		t.Errorf("accepted %d, rejected %d; want 3 and 1", nz.Accepted, nz.Rejected)
	}
}

// TestLayoutOtherDelimiter: a CSV saved with semicolons (a spreadsheet in a
// European locale) or tabs, read through a layout that splits on commas,
// is one column. The error says so and how to read it, for a layout file
// and for the canonical layout ('layouts check auto' of a canonical file),
// instead of "the header is [(withheld)]".
func TestLayoutOtherDelimiter(t *testing.T) {
	canonical, err := layout.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	own, err := layout.Parse("mine.yaml", []byte(strings.Replace(contextLayout, "encoding: windows-1252\n", "", 1)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		l      *layout.Layout
		header string
		want   string
	}{
		{"own layout, semicolons", own, "S#;Politician;Date;City;Location;Province;Latitude;Longititude;Killed;Injured;Target",
			`input.csv: normalize: a column of the layout is not in the header: layout test-attacks reads column "S#", and the header is one column: ` +
				`its columns are separated by semicolons (;), the layout's by commas: add delimiter: ";" to the layout, or save the file with commas`},
		{"canonical, tabs", canonical, "incident_id\tcategory\tsubcategory\toccurred_on\tlat\tlon\tdistrict_hint\tsource\tquantity\tamount_pkr\tdescription",
			`input.csv: normalize: a column of the layout is not in the header: layout canonical reads column "incident_id", and the header is one column: ` +
				`its columns are separated by tabs, the layout's by commas: save the file as CSV with commas, or read it through a layout with delimiter: "\t" (ocmap help layouts)`},
		// A one-column header that is not this layout's: no guess.
		{"not the layout's file", own, "a;b;c", `input.csv: normalize: a column of the layout is not in the header: layout test-attacks reads column "S#"; the header is [`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src, err := read.NewCSV(strings.NewReader(tt.header+"\n1;2;3\n"), read.CSVOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var nerr error
			if tt.l.Kind == layout.KindContext {
				_, nerr = normalize.NewContext(memory.NewGoAllocator(), src, fakePlacer{}, tt.l, normalize.Options{File: "input.csv"})
			} else {
				_, nerr = normalize.NewIncidents(memory.NewGoAllocator(), src, fakePlacer{}, tt.l, nil, normalize.Options{File: "input.csv"})
			}
			if !errors.Is(nerr, normalize.ErrLayoutColumn) || !strings.HasPrefix(nerr.Error(), tt.want) {
				t.Errorf("error %v\nwant %s", nerr, tt.want)
			}
		})
	}
}
