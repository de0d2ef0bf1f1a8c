//go:build duckdb_arrow

package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ocmap/ocmap/schemas"
)

// rejectsBatch is n rejected rows of file.
func rejectsBatch(mem memory.Allocator, run int64, file string, first, n int) arrow.RecordBatch {
	rb := schemas.NewRejectBuilder(mem, run, false)
	defer rb.Release()
	for j := range n {
		rb.Add(schemas.RowError{File: file, Line: int64(first + j), Field: "category", Reason: "unknown category"}, nil)
	}
	return rb.NewBatch()
}

// insertFiles streams files batches of rows rows each into a run's
// rejects, one InsertStream per file, as an ingest of many small files does.
func insertFiles(tb testing.TB, run *Run, mem memory.Allocator, files, rows int) {
	tb.Helper()
	ctx := context.Background()
	for f := range files {
		rec := rejectsBatch(mem, run.ID, fmt.Sprintf("f%04d.csv", f), 2, rows)
		rdr, err := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
		if err != nil {
			tb.Fatal(err)
		}
		err = run.InsertStream(ctx, TableRejects, rdr)
		rdr.Release()
		rec.Release()
		if err != nil {
			tb.Fatalf("file %d: %v", f, err)
		}
	}
}

// TestSmallStreamsShareRowGroups inserts 200 files of 20 rows in one run
// on two threads. Inserted in parallel, each file left a row group of its
// own in the transaction's memory (17 MB for 100 such files of rejects,
// 4.6 MB each for incidents, until a run of 500 files ran out of memory);
// in order, they fill one.
func TestSmallStreamsShareRowGroups(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t, "small.duckdb", Options{Threads: 2, MemoryLimit: "256MB"})
	run, err := st.BeginRun(ctx, BoundaryInfo{Path: "test.geojson", SHA256: "0123456789abcdef"})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Rollback()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	insertFiles(t, run, mem, 200, 20)

	var rows, files int64
	if err := run.conn.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT source_file) FROM rejects`).Scan(&rows, &files); err != nil {
		t.Fatal(err)
	}
	if rows != 4000 || files != 200 {
		t.Errorf("rejects has %d rows of %d files, want 4000 of 200", rows, files)
	}
	var local int64
	if err := run.conn.QueryRowContext(ctx, `SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'`).Scan(&local); err != nil {
		t.Fatal(err)
	}
	// One row group of 4,000 rejects takes a block per column (1.7 MB); a
	// row group per file took 34 MB.
	if local > 4<<20 {
		t.Errorf("the run's rows take %.1f MB of DuckDB's memory, want under 4 MB", float64(local)/(1<<20))
	}
	var order string
	if err := run.conn.QueryRowContext(ctx, `SELECT current_setting('preserve_insertion_order')::VARCHAR`).Scan(&order); err != nil {
		t.Fatal(err)
	}
	if order != "false" {
		t.Errorf("preserve_insertion_order is %s after the inserts, want false (large streams insert in parallel)", order)
	}
}

// TestPeekSmall reads streams around the limit: every row comes through
// once, in order, and small says whether the stream ended within it.
func TestPeekSmall(t *testing.T) {
	const limit = 50
	for _, tc := range []struct {
		batches []int
		small   bool
	}{
		{nil, true},
		{[]int{limit}, true},
		{[]int{20, 30}, true},
		{[]int{limit + 1}, false},
		{[]int{20, 31}, false},
		{[]int{30, 30, 30, 5}, false},
	} {
		t.Run(fmt.Sprint(tc.batches), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			var recs []arrow.RecordBatch
			want := 0
			for _, n := range tc.batches {
				recs = append(recs, rejectsBatch(mem, 1, "a.csv", 2+want, n))
				want += n
			}
			src, err := array.NewRecordReader(schemas.Rejects, recs)
			if err != nil {
				t.Fatal(err)
			}
			for _, rec := range recs {
				rec.Release()
			}
			defer src.Release()
			h, small := peekSmall(src, limit)
			defer h.Release()
			if small != tc.small {
				t.Errorf("small = %v, want %v", small, tc.small)
			}
			got := 0
			for h.Next() {
				lines := h.RecordBatch().Column(2).(*array.Int64) // source_line
				for i := range lines.Len() {
					if lines.Value(i) != int64(2+got) {
						t.Fatalf("row %d has line %d, want %d", got, lines.Value(i), 2+got)
					}
					got++
				}
			}
			if h.Next() {
				t.Error("Next after the end is true")
			}
			if got != want {
				t.Errorf("read %d rows, want %d", got, want)
			}
		})
	}
}

// BenchmarkInsertSmallStreams inserts 200 files of 20 rows in one run.
func BenchmarkInsertSmallStreams(b *testing.B) {
	ctx := context.Background()
	mem := memory.NewGoAllocator()
	for b.Loop() {
		b.StopTimer()
		st, err := Open(ctx, filepath.Join(b.TempDir(), "small.duckdb"), Options{MemoryLimit: "256MB"})
		if err != nil {
			b.Fatal(err)
		}
		run, err := st.BeginRun(ctx, BoundaryInfo{Path: "test.geojson", SHA256: "0123456789abcdef"})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		insertFiles(b, run, mem, 200, 20)
		b.StopTimer()
		run.Rollback()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(200*20*b.N)/b.Elapsed().Seconds(), "rows/s")
}
