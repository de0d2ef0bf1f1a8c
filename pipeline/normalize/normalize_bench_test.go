package normalize_test

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/internal/testmaps"
	"github.com/ocmap/ocmap/pipeline/normalize"
	"github.com/ocmap/ocmap/pipeline/read"
	"github.com/ocmap/ocmap/pipeline/synth"
	"github.com/ocmap/ocmap/schemas"
)

// twoSquares is the shared hand-made map (see package testmaps).
const twoSquares = testmaps.TwoSquares

// anywhere places every row in district 0, so the benchmark measures
// reading and validation, not the spatial index.
type anywhere struct{}

func (anywhere) Place(q *schemas.PlaceQuery) schemas.Placement {
	if !q.HasPoint && len(q.Hint) == 0 {
		return schemas.Placement{Field: schemas.FieldLat, Reason: "no coordinates and no district name"}
	}
	return schemas.Placement{Precision: schemas.PrecisionPoint, Method: schemas.MethodPoint, Score: 1, OK: true}
}

func (anywhere) District(int) (code, name, province string) { return "PK001", "Alpha", "North" }

// BenchmarkReadValidate measures read.Scanner and the Normalizer together
// over a synthetic canonical file held in memory, from ten sources with 5%
// duplicates. OCMAP_BENCH_ROWS sets its size (default 200,000 rows; an
// ingest's normalizer sees a million or more, in batches of 131,072).
func BenchmarkReadValidate(b *testing.B) {
	rows := 200000
	if s := os.Getenv("OCMAP_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("OCMAP_BENCH_ROWS=%q: want a positive number", s)
		}
		rows = n
	}
	bd, err := geo.Read(strings.NewReader(twoSquares), "two-squares.geojson", geo.Properties{})
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := synth.Generate(&buf, bd, geo.NewIndex(bd.Polygons), synth.Options{Rows: rows, Seed: 1, Sources: 10, DupRate: 0.05}); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	mem := memory.NewGoAllocator()
	for b.Loop() {
		nz := normalize.New(mem, read.NewScanner(bytes.NewReader(data)), anywhere{}, normalize.Options{File: "bench.csv"})
		for nz.Next() {
			nz.Record().Release()
			nz.Rejects().Release()
		}
		if err := nz.Err(); err != nil {
			b.Fatal(err)
		}
		if nz.Read != int64(rows) {
			b.Fatalf("read %d rows, want %d", nz.Read, rows)
		}
		nz.Release()
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
