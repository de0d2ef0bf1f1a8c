package geoparquet

import (
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// BenchmarkPoints writes 262,144 points into 12 monthly partitions, in
// batches of 2,048 rows as DuckDB hands them over.
func BenchmarkPoints(b *testing.B) {
	const rows, perBatch = 1 << 18, 2048
	mem := memory.NewGoAllocator()
	var batches [][]row
	for i := 0; i < rows; i += perBatch {
		var rs []row
		for k := i; k < i+perBatch; k++ {
			month := fmt.Sprint(1 + k*12/rows)
			rs = append(rs, row{"drugs", month, fmt.Sprint(k), 60 + float64(k%1000)/100, 24 + float64(k%1300)/100, k%50 != 0})
		}
		batches = append(batches, rs)
	}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		w, err := NewPoints(inSchema, PointsOptions{Dir: b.TempDir(), Keys: []string{"category", "month"}, Lon: "lon", Lat: "lat", Mem: mem})
		if err != nil {
			b.Fatal(err)
		}
		for _, rs := range batches {
			rec := batch(mem, rs)
			err := w.Write(rec)
			rec.Release()
			if err != nil {
				b.Fatal(err)
			}
		}
		if _, err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
