package read

import (
	"context"
	"testing"
)

// BenchmarkParquet reads 65,536 rows of a GeoParquet folder as text
// records, the columns a layout asks for.
func BenchmarkParquet(b *testing.B) {
	const rows = 1 << 16
	rs := make([]pqRow, rows)
	for i := range rs {
		rs[i] = pqRow{"drugs", "D", 19724 + int32(i%365), float64(i%100) / 4, int32(i % 7), 70 + float64(i%100)/100, 30 + float64(i%90)/100}
	}
	dir := writeDataset(b, rs)
	want := []string{"id", "on", "kg", "n", "geometry.lon", "geometry.lat", "category"}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		set, err := OpenParquetSet(context.Background(), dir, want, Limits{})
		if err != nil {
			b.Fatal(err)
		}
		k := 0
		for set.Next() {
			k++
		}
		if err := set.Err(); err != nil || k != rows {
			b.Fatalf("%d rows, %v", k, err)
		}
		set.Close()
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
