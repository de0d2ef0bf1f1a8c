package pipeline

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/xuri/excelize/v2"

	"github.com/ocmap/ocmap/pipeline/geoparquet"
	"github.com/ocmap/ocmap/pipeline/layout"
	"github.com/ocmap/ocmap/pipeline/normalize"
	"github.com/ocmap/ocmap/pipeline/read"
	"github.com/ocmap/ocmap/schemas"
)

var update = flag.Bool("update", false, "rewrite the golden files (and generated inputs) in testdata")

// fixtureToday fixes "today" so that the future-date check never moves.
var fixtureToday = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// generators write fixture inputs that are binary; they run with -update
// and their output is committed.
var generators = map[string]func(path string) error{
	"anf-seizures":    writeANFWorkbook,
	"ocmap-incidents": writeIncidentsParquet,
}

// TestLayoutConformance runs every builtin layout that has a fixture
// directory, testdata/layouts/<name>/ with one input.* file, through its
// normalizer and compares a text dump of the accepted rows and the rejects
// with expected.golden. Rewrite with -update.
func TestLayoutConformance(t *testing.T) {
	all, err := layout.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, l := range all {
		dir := filepath.Join("testdata", "layouts", l.Name)
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		ran++
		t.Run(l.Name, func(t *testing.T) {
			if gen := generators[l.Name]; gen != nil && *update {
				if err := gen(filepath.Join(dir, "input."+l.Format)); err != nil {
					t.Fatal(err)
				}
			}
			inputs, _ := filepath.Glob(filepath.Join(dir, "input.*"))
			if len(inputs) != 1 {
				t.Fatalf("%s: want one input.* file, have %q", dir, inputs)
			}
			cols, _, err := read.Header(inputs[0], read.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if got, err := layout.Auto(cols); err != nil || got.Name != l.Name {
				t.Errorf("--layout auto on %s: %v %v, want %s", inputs[0], got, err, l.Name)
			}
			got := dumpLayout(t, inputs[0], l)
			golden := filepath.Join(dir, "expected.golden")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./pipeline/ -run TestLayoutConformance -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the normalized input:\n%s", golden, got)
			}
		})
	}
	if ran == 0 {
		t.Fatal("no builtin layout has a fixture in testdata/layouts")
	}
}

// dumpLayout normalizes the file at path in layout l and prints every
// accepted row (non-null columns, lineage left out) and every reject.
func dumpLayout(t *testing.T, path string, l *layout.Layout) []byte {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	in, warning, err := read.OpenLayout(context.Background(), path, l, read.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var out bytes.Buffer
	if warning != "" {
		fmt.Fprintf(&out, "warning: %s\n", warning)
	}
	// A fixed key, so that the golden person_keys never move.
	hasher, err := schemas.NewHasher([]byte("ocmap conformance test key"))
	if err != nil {
		t.Fatal(err)
	}
	nz, _, err := normalize.ForLayout(mem, in.Source, fixturePlacer{}, l, normalize.Options{
		File: filepath.Base(path), KeepRaw: true, BatchRows: 3, Today: fixtureToday, Hasher: hasher,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer nz.Release()
	skip := map[string]bool{schemas.FieldSourceFile: true, schemas.FieldRunID: true}
	for nz.Next() {
		rec, rej := nz.Record(), nz.Rejects()
		for i := 0; i < int(rec.NumRows()); i++ {
			var parts []string
			for c, col := range rec.Columns() {
				name := rec.Schema().Field(c).Name
				if skip[name] || !col.IsValid(i) {
					continue
				}
				parts = append(parts, name+"="+col.ValueStr(i))
			}
			fmt.Fprintf(&out, "row %s\n", strings.Join(parts, " | "))
		}
		lines := rej.Column(2).(*array.Int64)
		fields, reasons, raws := rej.Column(3).(*array.String), rej.Column(4).(*array.String), rej.Column(5).(*array.String)
		for i := 0; i < int(rej.NumRows()); i++ {
			fmt.Fprintf(&out, "reject line %d %s: %s\n  raw %s\n", lines.Value(i), fields.Value(i), reasons.Value(i), raws.Value(i))
		}
		rec.Release()
		rej.Release()
	}
	if err := nz.Err(); err != nil {
		t.Fatal(err)
	}
	r, a, j := nz.Counts()
	fmt.Fprintf(&out, "read %d accepted %d rejected %d\n", r, a, j)
	if r != a+j {
		t.Errorf("read %d != accepted %d + rejected %d", r, a, j)
	}
	return out.Bytes()
}

// fixturePlacer places rows by district name only, over a few invented
// districts, so that fixtures need no boundary file.
type fixturePlacer struct{}

var fixtureDistricts = []struct{ code, name, province string }{
	{"T01", "Lahore", "Punjab"},
	{"T02", "South Karachi", "Sindh"},
	{"T03", "Peshawar", "Khyber Pakhtunkhwa"},
	{"T04", "Quetta", "Balochistan"},
	{"T05", "Rawalpindi", "Punjab"},
	{"T06", "Sialkot", "Punjab"},
}

func (fixturePlacer) Place(q *schemas.PlaceQuery) schemas.Placement {
	for i, d := range fixtureDistricts {
		if h := strings.TrimSpace(string(q.Hint)); strings.EqualFold(h, d.name) || strings.EqualFold(h, d.code) {
			return schemas.Placement{District: i, Precision: schemas.PrecisionDistrict, Method: schemas.MethodExact, Score: 1, OK: true}
		}
	}
	if len(q.Hint) == 0 {
		return schemas.Placement{Field: schemas.FieldDistrictHint, Reason: "no district name"}
	}
	return schemas.Placement{Field: schemas.FieldDistrictHint, Reason: "unknown district"}
}

func (fixturePlacer) District(i int) (string, string, string) {
	d := fixtureDistricts[i]
	return d.code, d.name, d.province
}

// writeANFWorkbook writes the anf-seizures fixture: invented seizures, no
// real people. Dates are Excel date cells or dd/mm/yyyy text, as clerks mix
// them; the last row is a total the layout drops.
func writeANFWorkbook(path string) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Seizures"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	rows := [][]any{
		{"Anti-Narcotics Force: seizures (INVENTED TEST DATA, not real cases)"},
		{"Prepared for ocmap tests; every name below is fictional"},
		{"FIR No", "Seizure Date", "Police Station", "District", "Drug", "Qty (gm)", "Statute", "Section", "Accused", "Remarks"},
		{"101/2021", day(2021, 3, 14), "Model Town", "Lahore", "Charas", 1500, "CNSA", "9(c)", "Fictional Accused A", "Recovered from a parked car"},
		{"102/2021", "02/05/2021", "Saddar", "South Karachi", "Ice", 250, "CNSA", "9(c)", "Fictional Accused B", "Informer called from 0300-1234567"},
		{"103/2021", day(2021, 7, 30), "Airport", "Peshawar", "Heroin", "2,000", "C.N.S.A", "9-C", "Fictional Accused C", ""},
		{"104/2021", "31/02/2021", "Cantt", "Quetta", "Charas", 800, "CNSA", "9(c)", "Fictional Accused D", "Date typed wrong"},
		{"105/2021", day(2021, 9, 1), "Harbour", "Atlantis", "Ice", 100, "CNSA", "9(b)", "Fictional Accused E", ""},
		{"", day(2021, 10, 5), "Saddar", "South Karachi", "Heroin", 300, "CNSA", "9(b)", "Fictional Accused F", "FIR number missing"},
		{"106/2021", day(2021, 11, 20), "Cantt", "Quetta", "Opium", -50, "CNSA", "9(a)", "Fictional Accused G", ""},
		{"107/2023", "15/01/2023", "Cantt", "Quetta", "Heroin", 4000, "CNSA", "9(c)", "Fictional Accused H", "Cited after the 2022 amendment"},
		{"Total", nil, nil, nil, nil, 8900},
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		return err
	}
	for r, row := range rows {
		for c, v := range row {
			if v == nil {
				continue
			}
			cell, err := excelize.CoordinatesToCellName(c+1, r+1)
			if err != nil {
				return err
			}
			if err := f.SetCellValue(sheet, cell, v); err != nil {
				return err
			}
			if _, ok := v.(time.Time); ok {
				if err := f.SetCellStyle(sheet, cell, cell, dateStyle); err != nil {
					return err
				}
			}
		}
	}
	return f.SaveAs(path)
}

// writeIncidentsParquet writes the ocmap-incidents fixture: a part of an
// incidents export (invented rows), with category as a column since the
// fixture has no partition folders.
func writeIncidentsParquet(path string) error {
	str := arrow.BinaryTypes.String
	f64 := arrow.PrimitiveTypes.Float64
	fields := []arrow.Field{
		{Name: "category", Type: str}, {Name: "incident_id", Type: str}, {Name: "subcategory", Type: str, Nullable: true},
		{Name: "occurred_on", Type: arrow.FixedWidthTypes.Date32}, {Name: "occurred_end", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "reported_on", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "lon", Type: f64, Nullable: true}, {Name: "lat", Type: f64, Nullable: true},
		{Name: "district_code", Type: str, Nullable: true}, {Name: "province", Type: str, Nullable: true},
		{Name: "location_precision", Type: arrow.PrimitiveTypes.Int8}, {Name: "point_used", Type: str},
		{Name: "place", Type: str, Nullable: true}, {Name: "source", Type: str, Nullable: true}, {Name: "source_ref", Type: str, Nullable: true},
		{Name: "statute", Type: str, Nullable: true}, {Name: "section", Type: str, Nullable: true},
		{Name: "quantity", Type: f64, Nullable: true}, {Name: "amount_pkr", Type: f64, Nullable: true},
		{Name: "victims", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "source_file", Type: str}, {Name: "source_line", Type: arrow.PrimitiveTypes.Int64},
	}
	schema := arrow.NewSchema(fields, nil)
	type row []any // in fields' order; nil is null
	day := func(s string) any { t, _ := time.Parse(time.DateOnly, s); return arrow.Date32FromTime(t) }
	rows := []row{
		{"drug_trafficking", "ANF-1", "heroin", day("2024-01-05"), nil, day("2024-01-06"), 74.35, 31.55, "T01", "Punjab", int8(1), "exact",
			"Mall Road", "ANF", "FIR 12/2024", "CNSA", "9(c)", 2.5, nil, nil, "anf.csv", int64(2)},
		{"cybercrime", "FIA-7", "fraud", day("2023-12-31"), day("2024-01-02"), nil, nil, nil, "T02", "Sindh", int8(3), "ignore",
			"Saddar", "FIA", nil, "PECA", "14", nil, 150000.0, nil, "fia.jsonl", int64(8)},
		{"human_trafficking", "FIA-9", nil, day("2024-02-10"), nil, nil, 67.0, 30.2, "T04", "Balochistan", int8(3), "ignore",
			"bus stand", "FIA", nil, nil, nil, nil, nil, int32(4), "fia.jsonl", int64(9)},
		{"drug_trafficking", "ANF-2", nil, day("2024-01-20"), nil, nil, nil, nil, nil, "Punjab", int8(4), "ignore",
			nil, "ANF", nil, nil, nil, 1.0, nil, nil, "anf.csv", int64(3)},
		{"drug_trafficking", "ANF-3", nil, day("2024-01-21"), nil, nil, nil, nil, "T05", "Punjab", int8(3), "ignore",
			"Raja\x00 Bazaar", "ANF", nil, nil, nil, 1.0, nil, nil, "anf.csv", int64(4)},
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for _, r := range rows {
		for i, v := range r {
			fb := b.Field(i)
			if v == nil {
				fb.AppendNull()
				continue
			}
			switch x := v.(type) {
			case string:
				fb.(*array.StringBuilder).Append(x)
			case float64:
				fb.(*array.Float64Builder).Append(x)
			case int8:
				fb.(*array.Int8Builder).Append(x)
			case int32:
				fb.(*array.Int32Builder).Append(x)
			case int64:
				fb.(*array.Int64Builder).Append(x)
			case arrow.Date32:
				fb.(*array.Date32Builder).Append(x)
			}
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	dir, err := os.MkdirTemp("", "ocmap-fixture-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	w, err := geoparquet.NewPoints(schema, geoparquet.PointsOptions{Dir: dir, Lon: "lon", Lat: "lat"})
	if err != nil {
		return err
	}
	if err := w.Write(rec); err != nil {
		return err
	}
	if _, err := w.Close(); err != nil {
		return err
	}
	return os.Rename(filepath.Join(dir, "part-0.parquet"), path)
}
