//go:build duckdb_arrow

package store

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
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

var benchDB = flag.String("db", "", "ocmap database for BenchmarkDuckDBStoreIncidents")

// BenchmarkDuckDBStoreIncidents measures DuckDB storing the incidents of an
// ocmap database (-db) as a finished table, with nothing else to do: the
// rows are read from a Parquet copy (made before the clock starts) into
// the incidents table of a new ocmap database, under ocmap's memory limit.
// It is the floor for an ingest that stores ocmap's table, as
// BenchmarkDuckDBReadCSV is for one that stores the file's columns;
// scripts/bench-ingest.sh prints both.
func BenchmarkDuckDBStoreIncidents(b *testing.B) {
	if *benchDB == "" {
		b.Skip("pass -args -db FILE")
	}
	ctx := context.Background()
	dir := b.TempDir()
	parquet := filepath.Join(dir, "incidents.parquet")
	src, err := sql.Open("duckdb", *benchDB+"?access_mode=read_only")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := src.ExecContext(ctx, `COPY incidents TO '`+parquet+`' (FORMAT parquet)`); err != nil {
		b.Fatal(err)
	}
	if err := src.Close(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		path := filepath.Join(dir, fmt.Sprintf("store-%d.duckdb", i))
		st, err := Open(ctx, path, Options{MemoryLimit: "256MB"})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		res, err := st.DB().ExecContext(ctx, `INSERT INTO incidents SELECT * FROM read_parquet(?)`, parquet)
		if err != nil {
			b.Fatal(err)
		}
		if err := st.Close(); err != nil {
			b.Fatal(err)
		}
		n, _ := res.RowsAffected()
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rows/s")
	}
}
