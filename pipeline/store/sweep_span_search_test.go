//go:build duckdb_arrow

package store

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/ocmap/ocmap/internal/testdb"
)

// spanRec is a record of the in-memory span search: what a sweep reads.
type spanRec struct {
	key      rowKey
	skey     string
	day      int32
	lat, lon float64
	qty      float64
}

// spanOutcome is what a sweep leaves of a record: its cluster and score
// (0, 0 alone) and its moves.
type spanOutcome struct {
	cluster int64
	score   float64
	moves   []sweepMoveEvent
}

func (x spanRec) sweepRec() *sweepRec {
	return &sweepRec{key: x.key, skey: x.skey, category: "c", district: "d", day: x.day,
		lat: x.lat, lon: x.lon, qty: x.qty, amt: math.NaN()}
}

// sortSpanRecs puts recs in sweep order.
func sortSpanRecs(recs []spanRec) {
	slices.SortFunc(recs, func(a, b spanRec) int { return sweepCompare(a.sweepRec(), b.sweepRec()) })
}

// fullSweep sweeps recs (in sweep order) as a rebuild does.
func fullSweep(recs []spanRec) map[rowKey]spanOutcome {
	s := &sweeper{window: linkWindowDays}
	var all []*sweepRec
	for _, x := range recs {
		r := x.sweepRec()
		all = append(all, r)
		s.add(r)
	}
	s.flush()
	out := map[rowKey]spanOutcome{}
	for _, r := range all {
		id, score := r.cluster()
		out[r.key] = spanOutcome{id, score, r.moves}
	}
	return out
}

// incrementalSweep is sweepChanged and writeMoves for one span from lo to
// hi, in memory: old is the full sweep of the records before the run,
// recs those after it (isNew: the run's). It also says which records in
// the clusters still open where the span stopped have left clusters a
// different number of times than in the old sweep: a later move would give
// the cluster each then starts another id (clusterID) than a rebuild's.
func incrementalSweep(old map[rowKey]spanOutcome, recs []spanRec, isNew map[rowKey]bool, lo, hi int32) (map[rowKey]spanOutcome, *span, []string) {
	var latent []string
	var read []*sweepRec
	for _, x := range recs {
		if x.day < lo-2*linkWindowDays {
			continue
		}
		r := x.sweepRec()
		r.isNew = isNew[x.key]
		if o, ok := old[x.key]; ok && !r.isNew {
			r.oldMoves = o.moves
			if o.cluster != 0 {
				r.oldCluster, r.oldScore, r.oldStored = o.cluster, o.score, true
			} else {
				r.oldCluster = clusterIDAfter(r.key, len(o.moves))
			}
		} else {
			r.oldCluster = groupID(r.key)
		}
		read = append(read, r)
	}
	sp := &span{category: "c", district: "d", lo: lo, hi: hi, ext: unbounded, last: unbounded}
	sweepSpan(read, sp, linkWindowDays, &sweepCounts{})
	if sp.inStep {
		for _, r := range read {
			if r.day >= sp.end || r.day < sp.end-2*linkWindowDays {
				continue
			}
			n := 0
			for _, m := range r.oldMoves {
				if m.day < sp.end {
					n++
				}
			}
			if r.movesBefore+len(r.moves) != n && r.day >= sp.end-linkWindowDays {
				latent = append(latent, fmt.Sprintf("lo %d hi %d end %d: %v day %d %s: old moves %v, new %d+%v", lo, hi, sp.end, r.key, r.day, r.skey, r.oldMoves, r.movesBefore, r.moves))
			}
		}
	}
	out := map[rowKey]spanOutcome{}
	for _, x := range recs {
		o := old[x.key]
		var moves []sweepMoveEvent
		for _, m := range o.moves {
			if m.day < sp.lo || m.day >= sp.end {
				moves = append(moves, m)
			}
		}
		out[x.key] = spanOutcome{o.cluster, o.score, moves}
	}
	for _, m := range sp.moves {
		o := out[m.key]
		o.moves = append(o.moves, m.sweepMoveEvent)
		slices.SortFunc(o.moves, func(a, b sweepMoveEvent) int {
			if a.day != b.day {
				return int(a.day - b.day)
			}
			return int(a.step - b.step)
		})
		out[m.key] = o
	}
	for _, r := range sp.decided {
		o := out[r.key]
		o.cluster, o.score = r.cluster()
		out[r.key] = o
	}
	return out, sp, latent
}

// randSpanRecs makes n records of three sources on days 0 to days-1,
// near one place, with quantities that mostly link.
func randSpanRecs(rnd *rand.Rand, run int64, n int, days int32, g spanGen) []spanRec {
	var out []spanRec
	for i := range n {
		out = append(out, spanRec{
			key:  rowKey{run: run, file: fmt.Sprintf("f%d", run), line: int64(i + 2)},
			skey: []string{"A", "B", "C", "D"}[rnd.IntN(g.sources)],
			day:  rnd.Int32N(days),
			lat:  30 + g.spread*rnd.Float64(),
			lon:  70 + g.spread*rnd.Float64(),
			qty:  []float64{10, 9.5, 9, 8.5, 11, 12, 7, 14}[rnd.IntN(g.qtys)],
		})
	}
	return out
}

// spanGen shapes randSpanRecs: how many sources, how far apart the
// points (degrees), how many quantities.
type spanGen struct {
	sources, qtys int
	spread        float64
}

// TestSweepSpanSearch compares, in memory, a run's sweep of one span
// (sweepSpan, from the old clusters and moves) with a full sweep, over
// random dense histories of one category and district and runs that add
// or remove up to three records within 8 days: each record's cluster,
// score and moves (OCMAP_SPAN_SEEDS seeds, default 300; OCMAP_SPAN_NOISE
// records far apart added to each history, to crowd the sweeper).
func TestSweepSpanSearch(t *testing.T) {
	seeds := uint64(300)
	if n, err := strconv.ParseUint(os.Getenv("OCMAP_SPAN_SEEDS"), 10, 64); err == nil {
		seeds = n
	}
	fails, inStep, moved, movedAtEnd := 0, 0, 0, 0
	noise, _ := strconv.Atoi(os.Getenv("OCMAP_SPAN_NOISE"))
	for seed := range seeds {
		rnd := rand.New(rand.NewPCG(11, seed))
		days := int32(10 + rnd.IntN(30))
		g := spanGen{sources: 2 + rnd.IntN(3), qtys: 2 + rnd.IntN(7), spread: []float64{0.005, 0.02, 0.1}[rnd.IntN(3)]}
		oldRecs := randSpanRecs(rnd, 1, 10+rnd.IntN(60), days, g)
		if noise > 0 {
			// Records far apart, that link to little: crowd the sweeper
			// past crowdOpen open clusters.
			for i, x := range randSpanRecs(rnd, 3, noise, days, spanGen{sources: 4, qtys: 8, spread: 3}) {
				x.key.line += int64(i)
				oldRecs = append(oldRecs, x)
			}
		}
		sortSpanRecs(oldRecs)
		newRecs := slices.Clone(oldRecs)
		isNew := map[rowKey]bool{}
		lo, hi := int32(math.MaxInt32), int32(math.MinInt32)
		changes := 1 + rnd.IntN(3)
		base := rnd.Int32N(days)
		adds := randSpanRecs(rnd, 2, changes, 8, g)
		for c := range changes {
			var day int32
			if rnd.IntN(2) == 0 {
				add := adds[c]
				add.day = min(base+add.day, days-1)
				isNew[add.key] = true
				newRecs = append(newRecs, add)
				day = add.day
			} else {
				i := rnd.IntN(len(newRecs))
				if isNew[newRecs[i].key] || newRecs[i].day < base || newRecs[i].day > base+8 {
					continue
				}
				day = newRecs[i].day
				newRecs = slices.Delete(newRecs, i, i+1)
			}
			lo, hi = min(lo, day), max(hi, day)
		}
		if lo > hi {
			continue
		}
		sortSpanRecs(newRecs)
		old := fullSweep(oldRecs)
		want := fullSweep(newRecs)
		got, sp, latent := incrementalSweep(old, newRecs, isNew, lo, hi)
		if sp.inStep {
			inStep++
		}
		if len(latent) > 0 {
			t.Errorf("seed %d: %v", seed, latent)
		}
		for _, o := range old {
			if len(o.moves) > 0 {
				moved++
				break
			}
		}
		if len(sp.moves) > 0 && sp.inStep {
			movedAtEnd++
		}
		for _, x := range newRecs {
			g, w := got[x.key], want[x.key]
			if g.cluster != w.cluster || g.score != w.score || fmt.Sprint(g.moves) != fmt.Sprint(w.moves) {
				fails++
				if fails <= 5 {
					t.Errorf("seed %d (days %d to %d, end %d, inStep %v): record %v day %d %s: got %+v, want %+v",
						seed, lo, hi, sp.end, sp.inStep, x.key, x.day, x.skey, g, w)
				}
				break
			}
		}
	}
	t.Logf("%d seeds: %d in step, %d with moves, %d in step with new moves", seeds, inStep, moved, movedAtEnd)
	if inStep == 0 || movedAtEnd == 0 {
		t.Errorf("no span came back in step after moving records")
	}
	if fails > 0 {
		t.Errorf("%d of %d seeds differ", fails, seeds)
	}
}

// TestSweepRunRestoredMovedTwice is a case TestSweepSpanSearch found
// (seed 45324), in a store: a run adds three records of the source B on
// days 2, 5 and 6 of a history of two sources. Its sweep starts from the
// old clusters of day 2, takes records out of clusters again (one of them
// twice on one day), and is back in step on day 15, before the last
// record: the derived tables and sweep_moves must equal a rebuild's.
func TestSweepRunRestoredMovedTwice(t *testing.T) {
	x := func(src string, day int, lat, lon, qty float64) propRow {
		return propRow{source: src, category: "human_trafficking", code: "PK004", province: "North",
			date: fmt.Sprintf("2023-03-%02d", 1+day), lat: lat, lon: lon, prec: 1, qty: qty}
	}
	runs := []propRun{
		{{name: "f1", rows: []propRow{ // lines 2 to 13
			x("B", 1, 30.00391010761584, 70.00191195060044, 8.5),
			x("B", 15, 30.004217997503275, 70.00359602187946, 10),
			x("A", 5, 30.003771174063285, 70.00272333606604, 9),
			x("B", 5, 30.00338735021232, 70.00447849632572, 11),
			x("A", 15, 30.001575228726146, 70.00152857771079, 10),
			x("B", 10, 30.00131066758922, 70.0024280084424, 12),
			x("B", 12, 30.00305499858808, 70.0001737851571, 9.5),
			x("A", 15, 30.0026804123972, 70.00062175820766, 7),
			x("B", 19, 30.002510520081582, 70.00021300966297, 8.5),
			x("B", 9, 30.001608664268478, 70.00274089775054, 9),
			x("A", 12, 30.003647867278758, 70.00338870624977, 11),
			x("A", 5, 30.002562295752455, 70.00104511260432, 8.5),
		}}},
		{{name: "f2", rows: []propRow{
			x("B", 5, 30.001355405636957, 70.00460533851945, 7),
			x("B", 6, 30.001340460215076, 70.00196780457006, 9.5),
			x("B", 2, 30.004592178181827, 70.00254835510603, 10),
		}}},
	}
	var stats []sweepStats
	sweepHook = func(s sweepStats) { stats = append(stats, s) }
	defer func() { sweepHook = nil }()
	st := openTestStore(t, "twice.duckdb", Options{Threads: 2})
	for i, run := range runs {
		commitPropRun(t, st, run)
		checkEqualsRebuild(t, st, i+1)
	}
	// The second run swept one span, back in step before the last record.
	if len(stats) != 1 || stats[0].spans != 1 || stats[0].inStep != 1 {
		t.Errorf("sweeps of runs: %+v, want one span back in step", stats)
	}
	// A record left two clusters on one day.
	got := testdb.Rows(t, st.db, `SELECT count(*), max(step) FROM sweep_moves`)
	if want := []string{"3 2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("sweep_moves: %q, want %q", got, want)
	}
}

// TestSweepSpanStopsOnEqualMoveCounts checks that a span's sweep is back
// in step only when the records of the two windows before its stop left
// clusters as many times as in the old sweep, not only when they are in
// the same clusters: a record that leaves later starts a cluster whose id
// counts its moves. Pairs of sources A and B, one a day at one place, and
// a run adding a record far from them on day 0; the old moves of day 4's
// B record are given one the sweep does not make, on that day, out of
// another cluster. In step from day 7 (two windows past the change)
// without it; with it, not before day 4 lies two windows back: day 11.
func TestSweepSpanStopsOnEqualMoveCounts(t *testing.T) {
	var recs []spanRec
	for d := range int32(30) {
		for i, s := range []string{"A", "B"} {
			recs = append(recs, spanRec{key: rowKey{run: 1, file: "f", line: 2*int64(d) + int64(i) + 2}, skey: s, day: d,
				lat: 30, lon: 70, qty: 10})
		}
	}
	sortSpanRecs(recs)
	old := fullSweep(recs)
	added := spanRec{key: rowKey{run: 2, file: "g", line: 2}, skey: "C", day: 0, lat: 35, lon: 75, qty: 1}
	all := append(slices.Clone(recs), added)
	sortSpanRecs(all)
	isNew := map[rowKey]bool{added.key: true}

	_, sp, _ := incrementalSweep(old, all, isNew, 0, 0)
	if !sp.inStep || sp.end != 7 {
		t.Fatalf("consistent moves: in step %v on day %d, want day 7", sp.inStep, sp.end)
	}
	b4 := rowKey{run: 1, file: "f", line: 2*4 + 1 + 2}
	o := old[b4]
	if o.cluster == 0 {
		t.Fatalf("day 4's B record is alone in the old sweep; the test needs it in its pair's cluster")
	}
	o.moves = []sweepMoveEvent{{day: 4, from: 99}}
	old[b4] = o
	_, sp, latent := incrementalSweep(old, all, isNew, 0, 0)
	if !sp.inStep || sp.end != 11 {
		t.Errorf("a record with a move the sweep did not make: in step %v on day %d, want day 11", sp.inStep, sp.end)
	}
	if len(latent) > 0 {
		t.Errorf("stopped with records whose moves differ: %v", latent)
	}
}
