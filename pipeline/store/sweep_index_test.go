//go:build duckdb_arrow

package store

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSweepBands sweeps a dense district twice, comparing each record
// with the clusters of its lists (its grid cell and the cells around it,
// its quantity's buckets, ...), and with every open cluster: the clusters
// must be the same, and the listed sweep must compare far fewer.
func TestSweepBands(t *testing.T) {
	for seed := range uint64(8) {
		sweepBandsSeed(t, seed)
	}
}

func sweepBandsSeed(t *testing.T, seed uint64) {
	sources := []string{"anf", "customs", "fc", "media", "police"}
	width := 0.2
	if seed >= 4 {
		width = 1.5
	}
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
					// A district 2 degrees tall, 0.2 or (seeds 4 to 7) 1.5
					// wide, where the grid cuts bands in cells; one record
					// in 4 to 11 has no point.
					lat: 30 + 2*rng.Float64(), lon: 70 + width*rng.Float64(),
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

// TestSweepGridFindsNear: for pairs of points within linkMaxKm (at every
// latitude, across the 180th meridian, on the 60th parallel where the grid
// ends), the cell of one is among the cells the other is compared with.
// A cluster out of those cells would never be compared.
func TestSweepGridFindsNear(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	near := func(lat, lon float64) (float64, float64) {
		for {
			la := lat + (rng.Float64()*2-1)*bandDeg
			lo := lon + (rng.Float64()*2-1)*bandDeg*4
			if lo >= 180 {
				lo -= 360
			}
			if lo < -180 {
				lo += 360
			}
			if la <= 90 && la >= -90 && haversineKm(lat, lon, la, lo) <= linkMaxKm {
				return la, lo
			}
		}
	}
	checked := 0
	for i := range 200000 {
		var lat, lon float64
		switch i % 4 {
		case 0:
			lat, lon = rng.Float64()*170-85, rng.Float64()*360-180
		case 1: // Pakistan
			lat, lon = 23+rng.Float64()*14, 60+rng.Float64()*18
		case 2: // the 180th meridian
			lat, lon = rng.Float64()*120-60, 179.95+rng.Float64()*0.05
		case 3: // the 60th parallels
			lat, lon = math.Copysign(59.8+rng.Float64()*0.4, rng.Float64()-0.5), rng.Float64()*360-180
		}
		la, lo := near(lat, lon)
		s := &sweeper{}
		// No measures: the grid's lists are the shortest.
		c := &sweepCluster{members: []*sweepRec{{lat: la, lon: lo, skey: "a", qty: math.NaN(), amt: math.NaN()}}}
		listFar(s, c)
		found := false
		s.candidates(&sweepRec{lat: lat, lon: lon, skey: "b", qty: math.NaN(), amt: math.NaN()}, func(x *sweepCluster) { found = found || x == c })
		if !found {
			t.Fatalf("(%.5f, %.5f) and (%.5f, %.5f) are %.3f km apart, but the cell of one is not compared with the other",
				lat, lon, la, lo, haversineKm(lat, lon, la, lo))
		}
		checked++
	}
	// The grid must also leave out far cells, or it would prove nothing.
	s := &sweeper{}
	far := &sweepCluster{members: []*sweepRec{{lat: 30, lon: 70 + 3*lonCellDeg, skey: "a", qty: math.NaN(), amt: math.NaN()}}}
	listFar(s, far)
	s.candidates(&sweepRec{lat: 30, lon: 70, skey: "b", qty: math.NaN(), amt: math.NaN()}, func(x *sweepCluster) {
		if x == far {
			t.Errorf("a cluster %.1f km east is compared", haversineKm(30, 70, 30, 70+3*lonCellDeg))
		}
	})
}

// TestPairScoreDistances: pairScore, which compares haversines and skips
// pairs far apart in latitude, decides "within linkMaxKm" and "within
// linkNearKm" as the distance in km does, for pairs on either side of both.
func TestPairScoreDistances(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	counts := map[string]int{}
	for range 100000 {
		lat, lon := 23+rng.Float64()*14, 60+rng.Float64()*18
		km := []float64{linkNearKm, linkMaxKm}[rng.IntN(2)] * (0.98 + 0.04*rng.Float64())
		bearing := 2 * math.Pi * rng.Float64()
		la := lat + km/111.19*math.Cos(bearing)
		lo := lon + km/111.19*math.Sin(bearing)/math.Cos(lat*math.Pi/180)
		a := &sweepRec{skey: "a", lat: lat, lon: lon, qty: math.NaN(), amt: math.NaN()}
		b := &sweepRec{skey: "b", lat: la, lon: lo, qty: math.NaN(), amt: math.NaN()}
		d := haversineKm(lat, lon, la, lo)
		if math.Abs(d-linkMaxKm) < 1e-9 || math.Abs(d-linkNearKm) < 1e-9 {
			continue
		}
		score, ok := pairScore(a, b, linkWindowDays)
		if want := d <= linkMaxKm; ok != want {
			t.Fatalf("%.6f km apart: linked %v, want %v", d, ok, want)
		}
		if !ok {
			counts["beyond max"]++
			continue
		}
		// Same day, no amounts: score is (1 + place + 0.5) / 3.
		near := score > (1+0.75+0.5)/3
		if want := d <= linkNearKm; near != want {
			t.Fatalf("%.6f km apart: near %v, want %v (score %v)", d, near, want, score)
		}
		if near {
			counts["near"]++
		} else {
			counts["within max"]++
		}
	}
	for _, k := range []string{"near", "within max", "beyond max"} {
		if counts[k] < 10000 {
			t.Errorf("only %d pairs %s: the test does not reach both sides of each limit", counts[k], k)
		}
	}
}

// listFar opens c in s with clusters far from everything (in the
// southern Pacific, of measures of 1e100), crowdOpen in all, so that s
// lists its clusters along every dimension, and makes the lists.
func listFar(s *sweeper, c *sweepCluster) {
	s.open = append(s.open[:0], c)
	for len(s.open) < crowdOpen {
		s.open = append(s.open, &sweepCluster{members: []*sweepRec{{skey: "far", lat: -50, lon: -100, qty: 1e100, amt: 1e100}}})
	}
	s.reindex()
}
