//go:build duckdb_arrow

package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/pipeline"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/pipeline/synth"
)

// BenchmarkIngest ingests a synthetic file over the real districts into a
// fresh database per iteration: read, normalize, locate, store and commit.
// OCMAP_BENCH_ROWS sets the file's size (default 200,000 rows).
func BenchmarkIngest(b *testing.B) {
	path := os.Getenv("OCMAP_BOUNDARIES")
	if path == "" {
		b.Skip("OCMAP_BOUNDARIES is not set")
	}
	rows := 200000
	if s := os.Getenv("OCMAP_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("OCMAP_BENCH_ROWS=%q: want a positive number", s)
		}
		rows = n
	}
	bd, err := geo.Load(path, geo.Properties{})
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	in := filepath.Join(dir, "bench.csv")
	out, err := os.Create(in)
	if err != nil {
		b.Fatal(err)
	}
	_, err = synth.Generate(out, bd, geo.NewIndex(bd.Polygons), synth.Options{Rows: rows, Seed: 1})
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(in)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())

	i := 0
	for b.Loop() {
		db := filepath.Join(dir, fmt.Sprintf("bench-%d.duckdb", i))
		i++
		rep, err := pipeline.Ingest(context.Background(), pipeline.Config{
			DB: db, Boundaries: bd, Inputs: []string{in}, KeepRaw: true, Version: "bench",
			Store: store.Options{MemoryLimit: "512MB"},
		})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Read != int64(rows) {
			b.Fatalf("read %d rows, want %d", rep.Read, rows)
		}
		b.StopTimer()
		os.Remove(db)
		os.Remove(db + ".wal")
		b.StartTimer()
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
