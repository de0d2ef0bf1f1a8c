//go:build duckdb_arrow

package store

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

// TestSweepRunsCloseSpansSearch commits, from fixed seeds, a dense history
// of one district in files of ten days, then runs that add records a few
// weeks apart (spans of one district close together) and change or empty
// a file of the history, and checks each against a rebuild
// (OCMAP_CLOSE_SEEDS seeds, default 2).
func TestSweepRunsCloseSpansSearch(t *testing.T) {
	seeds := uint64(2)
	if n, err := strconv.ParseUint(os.Getenv("OCMAP_CLOSE_SEEDS"), 10, 64); err == nil {
		seeds = n
	}
	var stats sweepStats
	sweeps := 0
	sweepHook = func(s sweepStats) {
		sweeps++
		stats.spans += s.spans
		stats.inStep += s.inStep
		stats.rounds += s.rounds
	}
	defer func() { sweepHook = nil }()
	for seed := range seeds {
		rnd := rand.New(rand.NewPCG(5, seed))
		row := func(day int) propRow {
			d := rnd.IntN(3)
			return propRow{source: []string{"A", "B", "C"}[rnd.IntN(3)], category: "drug_trafficking",
				code: []string{"PK004", "PK004", "PK005"}[d], province: "North",
				date: fmt.Sprintf("2023-%s", dayOf(day)), lat: 30 + 0.02*rnd.Float64(), lon: 70 + 0.02*rnd.Float64(), prec: 1,
				qty: []float64{10, 9.5, 9, 8.5, 11, 12}[rnd.IntN(6)]}
		}
		var hist propRun
		for f := range 12 {
			var rows []propRow
			for range 30 {
				rows = append(rows, row(10*f+rnd.IntN(10)))
			}
			hist = append(hist, propFile{name: fmt.Sprintf("h%d", f), rows: rows})
		}
		runs := []propRun{hist}
		for r := range 4 {
			var run propRun
			base := 5 + rnd.IntN(100)
			var rows []propRow
			for k := range 1 + rnd.IntN(3) {
				rows = append(rows, row(base+k*(10+rnd.IntN(20))))
			}
			run = append(run, propFile{name: fmt.Sprintf("n%d", r), rows: rows})
			f := rnd.IntN(12)
			switch rnd.IntN(3) {
			case 0: // emptied
				run = append(run, propFile{name: fmt.Sprintf("h%d", f)})
			case 1: // changed: half its rows
				old := hist[f].rows
				run = append(run, propFile{name: fmt.Sprintf("h%d", f), rows: old[:len(old)/2]})
			}
			runs = append(runs, run)
		}
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			st := openTestStore(t, "close.duckdb", Options{Threads: 2})
			for i, run := range runs {
				commitPropRun(t, st, run)
				checkEqualsRebuild(t, st, i+1)
			}
		})
	}
	t.Logf("%d sweeps: %+v", sweeps, stats)
	// Some spans came back in step, and some read further than their
	// first extent.
	if stats.inStep == 0 || stats.rounds <= sweeps {
		t.Errorf("%d sweeps: %+v, want spans back in step and sweeps of more than one round", sweeps, stats)
	}
}

// dayOf is the month and day of day (0: January 1st) of 2023.
func dayOf(day int) string {
	m, d := 1, day+1
	for _, n := range []int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31} {
		if d <= n {
			break
		}
		d -= n
		m++
	}
	return fmt.Sprintf("%02d-%02d", m, d)
}
