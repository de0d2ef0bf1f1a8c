package read

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ocmap/ocmap/pipeline/geoparquet"
)

var pqSchema = arrow.NewSchema([]arrow.Field{
	{Name: "category", Type: arrow.BinaryTypes.String},
	{Name: "id", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "on", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "kg", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "n", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "lon", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "lat", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
}, nil)

type pqRow struct {
	cat, id  string
	day      int32 // days since 1970
	kg       float64
	n        int32
	lon, lat float64
}

// writeDataset writes rows as a folder partitioned by category, through
// the GeoParquet writer, and returns the folder.
func writeDataset(t testing.TB, rows []pqRow) string {
	t.Helper()
	dir := t.TempDir()
	w, err := geoparquet.NewPoints(pqSchema, geoparquet.PointsOptions{Dir: dir, Keys: []string{"category"}, Lon: "lon", Lat: "lat"})
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, pqSchema)
	defer b.Release()
	for _, r := range rows {
		b.Field(0).(*array.StringBuilder).Append(r.cat)
		if r.id == "" {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append(r.id)
		}
		b.Field(2).(*array.Date32Builder).Append(arrow.Date32(r.day))
		b.Field(3).(*array.Float64Builder).Append(r.kg)
		b.Field(4).(*array.Int32Builder).Append(r.n)
		if r.lon == 0 {
			b.Field(5).AppendNull()
			b.Field(6).AppendNull()
		} else {
			b.Field(5).(*array.Float64Builder).Append(r.lon)
			b.Field(6).(*array.Float64Builder).Append(r.lat)
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// drainText returns each record as "line: fields joined by |" or
// "line: malformed: reason".
func drainText(t *testing.T, src Source) []string {
	t.Helper()
	var out []string
	for src.Next() {
		if m := src.Malformed(); m != "" {
			out = append(out, strconv.FormatInt(src.Line(), 10)+": malformed: "+m)
			continue
		}
		var fs []string
		for _, f := range src.Fields() {
			fs = append(fs, string(f))
		}
		out = append(out, strconv.FormatInt(src.Line(), 10)+": "+strings.Join(fs, "|"))
	}
	if err := src.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestParquet(t *testing.T) {
	dir := writeDataset(t, []pqRow{
		{"cyber", "C1", 19723, 0, 3, 71.5, 30.25},
		{"drugs", "D1", 19724, 2.5, 0, 70.5, 30.5},
		{"drugs", "", 19725, 1e-7, -4, 0, 0},
	})
	path := filepath.Join(dir, "category=drugs", "part-0.parquet")
	p, err := OpenParquet(context.Background(), path, nil, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	want := []string{"id", "on", "kg", "n", "geometry.lon", "geometry.lat", "bbox.xmin", "bbox.ymin", "bbox.xmax", "bbox.ymax", "category"}
	if got := p.Columns(); !reflect.DeepEqual(got, want) {
		t.Errorf("columns %q, want %q", got, want)
	}
	got := drainText(t, p)
	wantRows := []string{
		"1: D1|2024-01-02|2.5|0|70.5|30.5|70.5|30.5|70.5|30.5|drugs",
		"2: |2024-01-03|0.0000001|-4|||||||drugs",
	}
	if !reflect.DeepEqual(got, wantRows) {
		t.Errorf("rows\n%q\nwant\n%q", got, wantRows)
	}

	// Only the columns asked for are read; the others are empty.
	p2, err := OpenParquet(context.Background(), path, []string{"id", "geometry.lat"}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer p2.Close()
	if got, want := drainText(t, p2), []string{"1: D1|||||30.5|||||drugs", "2: ||||||||||drugs"}; !reflect.DeepEqual(got, want) {
		t.Errorf("some columns:\n%q\nwant\n%q", got, want)
	}

	// The folder as one source: files in name order, rows numbered across.
	set, err := OpenParquetSet(context.Background(), dir, []string{"id", "category"}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	if got, want := drainText(t, set), []string{"1: C1||||||||||cyber", "2: D1||||||||||drugs", "3: ||||||||||drugs"}; !reflect.DeepEqual(got, want) {
		t.Errorf("folder:\n%q\nwant\n%q", got, want)
	}

	// Origin names each row's file and its row there.
	set2, err := OpenParquetSet(context.Background(), dir, []string{"id"}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer set2.Close()
	var origins []string
	for set2.Next() {
		file, line := set2.Origin()
		rel, _ := filepath.Rel(dir, file)
		origins = append(origins, fmt.Sprintf("%d: %s:%d", set2.Line(), filepath.ToSlash(rel), line))
	}
	if want := []string{"1: category=cyber/part-0.parquet:1", "2: category=drugs/part-0.parquet:1", "3: category=drugs/part-0.parquet:2"}; !reflect.DeepEqual(origins, want) {
		t.Errorf("origins:\n%q\nwant\n%q", origins, want)
	}
}

func TestParquetLimitsAndDamage(t *testing.T) {
	dir := writeDataset(t, []pqRow{{"drugs", "D\x001", 19724, 1, 1, 70.5, 30.5}, {"drugs", "D2", 19724, 1, 1, 70.5, 30.5}})
	path := filepath.Join(dir, "category=drugs", "part-0.parquet")
	p, err := OpenParquet(context.Background(), path, []string{"id"}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	got := drainText(t, p)
	p.Close()
	if len(got) != 2 || !strings.Contains(got[0], `malformed: column "id" holds the control character 0x00 (NUL)`) || got[1] != "2: D2||||||||||drugs" {
		t.Errorf("rows %q", got)
	}
	if _, err := OpenParquet(context.Background(), path, nil, Limits{MaxBytes: 10}); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), path) {
		t.Errorf("over the limit: %v, want ErrTooLarge naming the file", err)
	}
	notPQ := filepath.Join(t.TempDir(), "x.parquet")
	os.WriteFile(notPQ, []byte("PAR1 but not really"), 0o644)
	if _, err := OpenParquet(context.Background(), notPQ, nil, Limits{}); err == nil || !strings.Contains(err.Error(), "not a readable Parquet file") {
		t.Errorf("damaged file: %v", err)
	}
	// A folder whose files differ in columns is refused when the reader
	// reaches the odd one.
	other := filepath.Join(dir, "category=zz", "part-0.parquet")
	os.MkdirAll(filepath.Dir(other), 0o755)
	b, _ := os.ReadFile(filepath.Join(writeDataset(t, []pqRow{{"x", "X", 1, 1, 1, 70, 30}}), "category=x", "part-0.parquet"))
	os.WriteFile(other, b, 0o644)
	os.WriteFile(filepath.Join(dir, "_SUCCESS"), nil, 0o644)
	if files, err := ParquetFiles(dir); err != nil || len(files) != 2 {
		t.Errorf("files %q, %v", files, err)
	}
	set, err := OpenParquetSet(context.Background(), dir, nil, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	for set.Next() {
	}
	if err := set.Err(); err != nil {
		t.Errorf("same columns, other partition value: %v", err)
	}
	if _, err := ParquetFiles(t.TempDir()); err == nil {
		t.Error("an empty folder was taken")
	}
}
