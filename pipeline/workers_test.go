//go:build duckdb_arrow

package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/pipeline"
	"github.com/ocmap/ocmap/pipeline/synth"
)

// TestWorkersAgree checks that validating in parallel changes nothing: one
// worker and four store the same rows, rejects and summaries, and report
// the same first rejects in line order.
func TestWorkersAgree(t *testing.T) {
	f := newFixture(t)
	in := filepath.Join(f.dir, "many.csv")
	out, err := os.Create(in)
	if err != nil {
		t.Fatal(err)
	}
	st, err := synth.Generate(out, f.b, geo.NewIndex(f.b.Polygons), synth.Options{Rows: 60000, Seed: 3, BadShare: 0.02})
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	var snaps []map[string]string
	var firsts [][]int64
	for _, workers := range []int{1, 4} {
		cfg := f.config(in)
		cfg.DB = filepath.Join(f.dir, "w.duckdb")
		os.Remove(cfg.DB)
		cfg.Workers = workers
		cfg.BatchRows = 5000 // many batches, so workers interleave
		rep, err := pipeline.Ingest(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := rep.Read, int64(st.Rows); got != want {
			t.Errorf("workers=%d: read %d, want %d", workers, got, want)
		}
		if got, want := rep.Rejected, int64(st.Bad); got != want {
			t.Errorf("workers=%d: rejected %d, want %d", workers, got, want)
		}
		var lines []int64
		for _, r := range rep.FirstRejects {
			lines = append(lines, r.Line)
		}
		if !sort.SliceIsSorted(lines, func(i, j int) bool { return lines[i] < lines[j] }) || len(lines) != pipeline.MaxShownRejects {
			t.Errorf("workers=%d: first rejects at lines %v, want %d in order", workers, lines, pipeline.MaxShownRejects)
		}
		firsts = append(firsts, lines)
		s := snapshot(t, cfg.DB)
		snaps = append(snaps, map[string]string{
			"incidents": s["incidents"], "rejects": s["rejects"], "district_month": s["district_month"],
		})
	}
	if !reflect.DeepEqual(snaps[0], snaps[1]) {
		t.Errorf("1 worker and 4 workers stored different tables:\n%v\n%v", snaps[0], snaps[1])
	}
	if !reflect.DeepEqual(firsts[0], firsts[1]) {
		t.Errorf("first rejects differ: %v vs %v", firsts[0], firsts[1])
	}
}
