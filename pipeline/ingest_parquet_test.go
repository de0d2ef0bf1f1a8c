//go:build duckdb_arrow

package pipeline_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ocmap/ocmap/internal/testdb"
	"github.com/ocmap/ocmap/pipeline"
	"github.com/ocmap/ocmap/pipeline/geoparquet"
	"github.com/ocmap/ocmap/pipeline/layout"
)

const parquetLayout = `name: test-seizures
title: test seizures (Parquet folder)
format: parquet
match: [id, on, geometry.lon]
dates: {formats: [yyyy-mm-dd]}
fields:
  incident_id: {column: id}
  category: {column: category}
  occurred_on: {column: on}
  lon: {column: geometry.lon}
  lat: {column: geometry.lat}
  source: {value: test}
`

// TestIngestParquetFolderRejects ingests a partitioned folder whose second
// file holds bad rows: each reject names that file and its row in it, while
// the stored rows keep the folder as their file; a second ingest of the
// folder replaces the first's rows and rejects.
func TestIngestParquetFolderRejects(t *testing.T) {
	f := newFixture(t)
	dir := filepath.Join(f.dir, "lake")
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "category", Type: arrow.BinaryTypes.String},
		{Name: "id", Type: arrow.BinaryTypes.String},
		{Name: "on", Type: arrow.BinaryTypes.String},
		{Name: "lon", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "lat", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	w, err := geoparquet.NewPoints(schema, geoparquet.PointsOptions{Dir: dir, Keys: []string{"category"}, Lon: "lon", Lat: "lat"})
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for _, r := range []struct {
		cat, id, on string
		lon, lat    float64
	}{
		// category=cybercrime/part-0.parquet: rows 1-2 of the folder
		{"cybercrime", "C1", "2024-01-05", 70.5, 30.5},
		{"cybercrime", "C2", "2024-01-06", 71.5, 30.5},
		// category=drug_trafficking/part-0.parquet: rows 3-6
		{"drug_trafficking", "D1", "2024-01-07", 70.5, 30.5},
		{"drug_trafficking", "D2", "2024-13-40", 70.5, 30.5}, // no such date
		{"drug_trafficking", "D3", "2024-01-08", 71.5, 30.5},
		{"drug_trafficking", "D4", "2024-01-09", 90, 10}, // outside every district
	} {
		b.Field(0).(*array.StringBuilder).Append(r.cat)
		b.Field(1).(*array.StringBuilder).Append(r.id)
		b.Field(2).(*array.StringBuilder).Append(r.on)
		b.Field(3).(*array.Float64Builder).Append(r.lon)
		b.Field(4).(*array.Float64Builder).Append(r.lat)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	l, err := layout.Parse("test.yaml", []byte(parquetLayout))
	if err != nil {
		t.Fatal(err)
	}
	cfg := f.config(dir)
	cfg.Layout = l
	part := filepath.Join(dir, "category=drug_trafficking", "part-0.parquet")
	for run := 1; run <= 2; run++ {
		rep, err := pipeline.Ingest(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := [3]int64{rep.Read, rep.Accepted, rep.Rejected}, [3]int64{6, 4, 2}; got != want {
			t.Errorf("run %d: read, accepted, rejected %v, want %v", run, got, want)
		}
		var shown []string
		for _, e := range rep.FirstRejects {
			shown = append(shown, fmt.Sprintf("%s:%d:%s", e.File, e.Line, e.Field))
		}
		if want := []string{part + ":2:occurred_on", part + ":4:lat"}; !reflect.DeepEqual(shown, want) {
			t.Errorf("run %d: rejects shown %q, want %q", run, shown, want)
		}
		query(t, f.db, func(db *sql.DB) {
			got := testdb.Rows(t, db, `SELECT concat_ws('|', run_id, source_file, source_line, field) FROM rejects ORDER BY source_line`)
			want := []string{
				fmt.Sprintf("%d|%s|2|occurred_on", run, part),
				fmt.Sprintf("%d|%s|4|lat", run, part),
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("run %d: rejects\n%q\nwant\n%q", run, got, want)
			}
			// The stored rows' lineage is the folder and its row across
			// the files, as ingest_files records the folder.
			got = testdb.Rows(t, db, `SELECT concat_ws('|', incident_id, source_file, source_line) FROM incidents ORDER BY source_line`)
			want = []string{"C1|" + dir + "|1", "C2|" + dir + "|2", "D1|" + dir + "|3", "D3|" + dir + "|5"}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("run %d: incidents\n%q\nwant\n%q", run, got, want)
			}
		})
	}
}
