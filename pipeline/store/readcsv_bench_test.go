//go:build duckdb_arrow

package store

import (
	"database/sql"
	"flag"
	"path/filepath"
	"testing"
	"time"
)

var benchCSV = flag.String("csv", "", "CSV file for BenchmarkDuckDBReadCSV")

// BenchmarkDuckDBReadCSV measures DuckDB's own load of a CSV file into a
// database file: the floor for an ingest that persists every row. It is the
// baseline that scripts/bench-ingest.sh compares ocmap against. It skips the
// rows DuckDB cannot read (a generated file has rows with a field missing),
// as an ingest rejects them.
func BenchmarkDuckDBReadCSV(b *testing.B) {
	if *benchCSV == "" {
		b.Skip("pass -args -csv FILE")
	}
	for i := 0; i < b.N; i++ {
		start := time.Now()
		db, err := sql.Open("duckdb", filepath.Join(b.TempDir(), "ctas.duckdb"))
		if err != nil {
			b.Fatal(err)
		}
		var n int64
		if _, err := db.Exec(`CREATE TABLE t AS SELECT * FROM read_csv(?, ignore_errors=true)`, *benchCSV); err != nil {
			b.Fatal(err)
		}
		if err := db.QueryRow(`SELECT count(*) FROM t`).Scan(&n); err != nil {
			b.Fatal(err)
		}
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rows/s")
	}
}
