package geoparquet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

var inSchema = arrow.NewSchema([]arrow.Field{
	{Name: "category", Type: arrow.BinaryTypes.String},
	{Name: "month", Type: arrow.BinaryTypes.String},
	{Name: "id", Type: arrow.BinaryTypes.String},
	{Name: "lon", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "lat", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
}, nil)

type row struct {
	cat, month, id string
	lon, lat       float64
	point          bool
}

func batch(mem memory.Allocator, rows []row) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, inSchema)
	defer b.Release()
	for _, r := range rows {
		b.Field(0).(*array.StringBuilder).Append(r.cat)
		b.Field(1).(*array.StringBuilder).Append(r.month)
		b.Field(2).(*array.StringBuilder).Append(r.id)
		if r.point {
			b.Field(3).(*array.Float64Builder).Append(r.lon)
			b.Field(4).(*array.Float64Builder).Append(r.lat)
		} else {
			b.Field(3).(*array.Float64Builder).AppendNull()
			b.Field(4).(*array.Float64Builder).AppendNull()
		}
	}
	return b.NewRecordBatch()
}

// readBack returns a part's ids, its points and its key-value metadata.
func readBack(t *testing.T, path string) (ids []string, pts []string, meta map[string]string) {
	t.Helper()
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	meta = map[string]string{}
	for _, kv := range pf.MetaData().KeyValueMetadata() {
		meta[kv.Key] = *kv.Value
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	tr := array.NewTableReader(tbl, 0)
	defer tr.Release()
	for tr.Next() {
		rec := tr.RecordBatch()
		idc := rec.Column(0).(*array.String)
		geom := rec.Column(1).(*array.Binary)
		bbox := rec.Column(2).(*array.Struct)
		for i := 0; i < int(rec.NumRows()); i++ {
			ids = append(ids, idc.Value(i))
			if geom.IsNull(i) {
				if !bbox.IsNull(i) {
					t.Errorf("%s: row %d has a bbox but no geometry", path, i)
				}
				pts = append(pts, "")
				continue
			}
			g, err := wkb.Unmarshal(geom.Value(i))
			if err != nil {
				t.Fatal(err)
			}
			p := g.(orb.Point)
			xmin := bbox.Field(0).(*array.Float64).Value(i)
			ymax := bbox.Field(3).(*array.Float64).Value(i)
			if xmin != p[0] || ymax != p[1] {
				t.Errorf("%s: row %d: bbox (%v, %v) is not the point %v", path, i, xmin, ymax, p)
			}
			pts = append(pts, fmt.Sprintf("POINT(%v %v)", p[0], p[1]))
		}
	}
	return ids, pts, meta
}

func TestPoints(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dir := t.TempDir()
	w, err := NewPoints(inSchema, PointsOptions{Dir: dir, Keys: []string{"category", "month"}, Lon: "lon", Lat: "lat",
		Metadata: map[string]string{"ocmap:use": "INTERNAL"}, FileRows: 3, RowGroupRows: 2, Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	// Four rows of drugs in month 1 (two parts, as a part holds three),
	// one of cyber; then drugs in month 1 again, in a third part.
	for _, rows := range [][]row{
		{{"drugs", "1", "a", 70.5, 30.5, true}, {"drugs", "1", "b", 0, 0, false}},
		{{"drugs", "1", "c", 71.25, 30.75, true}, {"drugs", "1", "d", 70.1, 30.9, true}, {"cyber", "12", "e", 72, 31, true}},
		{{"drugs", "1", "f", 70, 30, true}},
	} {
		rec := batch(mem, rows)
		err := w.Write(rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	files, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	want := []File{
		{"category=drugs/month=1/part-0.parquet", 3},
		{"category=drugs/month=1/part-1.parquet", 1},
		{"category=cyber/month=12/part-0.parquet", 1},
		{"category=drugs/month=1/part-2.parquet", 1},
	}
	if !reflect.DeepEqual(files, want) {
		t.Fatalf("files %v, want %v", files, want)
	}
	ids, pts, meta := readBack(t, filepath.Join(dir, "category=drugs", "month=1", "part-0.parquet"))
	if got, want := ids, []string{"a", "b", "c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ids %q, want %q", got, want)
	}
	if got, want := pts, []string{"POINT(70.5 30.5)", "", "POINT(71.25 30.75)"}; !reflect.DeepEqual(got, want) {
		t.Errorf("points %q, want %q", got, want)
	}
	if meta["ocmap:use"] != "INTERNAL" {
		t.Errorf("ocmap:use = %q", meta["ocmap:use"])
	}
	var geo Metadata
	if err := json.Unmarshal([]byte(meta[MetadataKey]), &geo); err != nil {
		t.Fatal(err)
	}
	c := geo.Columns[GeometryColumn]
	if geo.Version != "1.1.0" || geo.PrimaryColumn != "geometry" || c.Encoding != "WKB" || !reflect.DeepEqual(c.GeometryTypes, []string{"Point"}) ||
		!reflect.DeepEqual(c.BBox, []float64{70.5, 30.5, 71.25, 30.75}) || c.Covering == nil ||
		!reflect.DeepEqual(c.Covering.BBox.XMin, []string{"bbox", "xmin"}) || !json.Valid(c.CRS) {
		t.Errorf("geo metadata: %s", meta[MetadataKey])
	}
	var crs struct {
		ID struct{ Authority, Code string }
	}
	json.Unmarshal(c.CRS, &crs)
	if crs.ID.Authority != "OGC" || crs.ID.Code != "CRS84" {
		t.Errorf("crs id %+v", crs.ID)
	}
}

func TestPointsRefuses(t *testing.T) {
	for _, tt := range []struct {
		name string
		opt  PointsOptions
		rows []row
	}{
		{"unknown key", PointsOptions{Keys: []string{"nope"}, Lon: "lon", Lat: "lat"}, nil},
		{"key not text", PointsOptions{Keys: []string{"lon"}, Lon: "lon", Lat: "lat"}, nil},
		{"no lat", PointsOptions{Keys: []string{"category"}, Lon: "lon", Lat: "id"}, nil},
		{"slash in a key", PointsOptions{Keys: []string{"category"}, Lon: "lon", Lat: "lat"}, []row{{"a/b", "1", "x", 1, 1, true}}},
		{"dot-dot key", PointsOptions{Keys: []string{"category"}, Lon: "lon", Lat: "lat"}, []row{{"..", "1", "x", 1, 1, true}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.opt.Dir = t.TempDir()
			w, err := NewPoints(inSchema, tt.opt)
			if err == nil {
				rec := batch(memory.DefaultAllocator, tt.rows)
				err = w.Write(rec)
				rec.Release()
				w.Close()
			}
			if !errors.Is(err, ErrInput) {
				t.Errorf("err %v, want ErrInput", err)
			}
			if entries, _ := os.ReadDir(tt.opt.Dir); len(entries) != 0 {
				t.Errorf("wrote %d entries", len(entries))
			}
		})
	}
}

func TestWriteAreas(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	sq := func(x float64) orb.Polygon {
		return orb.Polygon{{{x, 30}, {x + 1, 30}, {x + 1, 31}, {x, 31}, {x, 30}}}
	}
	path := filepath.Join(t.TempDir(), "districts.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	err = WriteAreas(f, []Area{
		{Code: "PK001", Name: "Alpha", Province: "North", Shape: orb.MultiPolygon{sq(70)}},
		{Code: "PK002", Name: "Beta", Shape: orb.MultiPolygon{sq(71), sq(73)}},
	}, nil, mem)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	var geo Metadata
	if err := json.Unmarshal([]byte(*pf.MetaData().KeyValueMetadata().FindValue(MetadataKey)), &geo); err != nil {
		t.Fatal(err)
	}
	c := geo.Columns[GeometryColumn]
	if !reflect.DeepEqual(c.GeometryTypes, []string{"MultiPolygon", "Polygon"}) || !reflect.DeepEqual(c.BBox, []float64{70, 30, 74, 31}) {
		t.Errorf("geo metadata %+v", c)
	}
	if got, want := pf.NumRows(), int64(2); got != want {
		t.Errorf("rows %d, want %d", got, want)
	}
	if err := WriteAreas(&bytesSink{}, []Area{{Code: "PK003"}}, nil, mem); err == nil {
		t.Error("a district without a polygon was written")
	}
}

type bytesSink struct{ n int }

func (b *bytesSink) Write(p []byte) (int, error) { b.n += len(p); return len(p), nil }
