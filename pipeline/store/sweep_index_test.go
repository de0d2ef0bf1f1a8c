//go:build duckdb_arrow

package store

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSweepBands sweeps a dense district twice, comparing each record
// with the clusters of its latitude band and the bands beside it, and with
// every open cluster: the clusters must be the same, and the banded sweep
// must compare far fewer.
func TestSweepBands(t *testing.T) {
	for seed := range uint64(8) {
		sweepBandsSeed(t, seed)
	}
}

func sweepBandsSeed(t *testing.T, seed uint64) {
	sources := []string{"anf", "customs", "fc", "media", "police"}
	recs := func() []*sweepRec {
		rng := rand.New(rand.NewPCG(seed, 4))
		var out []*sweepRec
		for day := int32(0); day < 60; day++ {
			for i := range 40 {
				r := &sweepRec{
					key:      rowKey{run: 1, file: "f.csv", line: int64(len(out) + 2)},
					skey:     sources[rng.IntN(len(sources))],
					category: "drug_trafficking", district: "PK1",
					day: day,
					// A district 2 degrees tall; one record in 4 to 11 has no point.
					lat: 30 + 2*rng.Float64(), lon: 70 + 0.2*rng.Float64(),
					qty: math.NaN(), amt: math.NaN(),
				}
				if i%int(4+seed) == 0 {
					r.lat, r.lon = math.NaN(), math.NaN()
				}
				if i%3 == 0 {
					r.qty = 10 + rng.Float64()
				}
				out = append(out, r)
			}
		}
		return out
	}
	sweep := func(all bool) (map[rowKey]int64, int64) {
		s := &sweeper{window: linkWindowDays, all: all}
		rs := recs()
		for _, r := range rs {
			s.add(r)
		}
		s.flush()
		got := map[rowKey]int64{}
		for _, r := range rs {
			got[r.key], _ = r.cluster()
		}
		return got, s.fits
	}
	banded, fewer := sweep(false)
	whole, every := sweep(true)
	clustered := 0
	for k, c := range whole {
		if banded[k] != c {
			t.Fatalf("seed %d, row %d: cluster %d with bands, %d comparing every cluster", seed, k.line, banded[k], c)
		}
		if c != 0 {
			clustered++
		}
	}
	if clustered < 200 {
		t.Errorf("only %d of %d rows clustered: the test needs dense links", clustered, len(whole))
	}
	if fewer*2 > every {
		t.Errorf("bands compared %d clusters, every cluster %d: want half or less", fewer, every)
	}
	t.Logf("seed %d: %d rows clustered; clusters compared: %d with bands, %d without", seed, clustered, fewer, every)
}
