//go:build duckdb_arrow

package store

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// crowd shapes the records of crowdedRecs: n records of one category and
// district over days days, reported by sources sources, each with a point
// (in a square width degrees wide, 0.25 when 0: a town) with probability
// point, a quantity with probability qty, and an amount with probability
// amt. One record in three repeats an earlier one's incident from another
// source.
type crowd struct {
	n, days, sources       int
	point, qty, amt, width float64
}

// crowdedRecs makes c's records in sweep order, the same for a seed.
// Measures are log-normal, and some lie on the edges of the buckets and
// of linkMinRatio: exact powers of linkMinRatio, zeros, and (for amounts)
// a negative value, which the incidents table refuses but the sweep must
// treat as pairScore does.
func crowdedRecs(seed uint64, c crowd) []*sweepRec {
	rng := rand.New(rand.NewPCG(seed, 7))
	measure := func() float64 {
		switch k := rng.IntN(40); {
		case k == 0:
			return 0
		case k < 8:
			return math.Pow(linkMinRatio, float64(rng.IntN(9)-4))
		case k < 10:
			return 1 / math.Pow(linkMinRatio, float64(rng.IntN(5)))
		}
		return math.Exp(rng.NormFloat64() * 1.5)
	}
	maybe := func(p float64, v func() float64) float64 {
		if rng.Float64() < p {
			return v()
		}
		return math.NaN()
	}
	if c.width == 0 {
		c.width = 0.25
	}
	recs := make([]*sweepRec, 0, c.n)
	for len(recs) < c.n {
		r := &sweepRec{
			key:      rowKey{run: 1, file: "crowd.csv", line: int64(len(recs) + 2)},
			skey:     fmt.Sprintf("s%d", rng.IntN(c.sources)),
			category: "drug_trafficking", district: "PK1",
			day: int32(rng.IntN(c.days)),
			lat: math.NaN(), lon: math.NaN(),
			qty: maybe(c.qty, measure), amt: maybe(c.amt, measure),
		}
		if rng.Float64() < c.point {
			r.lat, r.lon = 31.4+c.width*rng.Float64(), 74.2+c.width*rng.Float64()
		}
		if rng.IntN(300) == 0 {
			r.amt = -1
		}
		if len(recs) > 0 && rng.IntN(3) == 0 {
			// Another source's record of an earlier record's incident: within
			// the window, about 1 km, and 20% of its measures.
			o := recs[rng.IntN(len(recs))]
			r.day = min(max(o.day+int32(rng.IntN(2*linkWindowDays+1))-linkWindowDays, 0), int32(c.days-1))
			if !math.IsNaN(o.lat) && !math.IsNaN(r.lat) {
				r.lat, r.lon = o.lat+0.01*rng.Float64(), o.lon+0.01*rng.Float64()
			}
			if !math.IsNaN(o.qty) && !math.IsNaN(r.qty) {
				r.qty = o.qty * (0.8 + 0.4*rng.Float64())
			}
			if !math.IsNaN(o.amt) && !math.IsNaN(r.amt) {
				r.amt = o.amt * []float64{1, linkMinRatio, 1 / linkMinRatio, 0.9}[rng.IntN(4)]
			}
		}
		recs = append(recs, r)
	}
	slices.SortFunc(recs, sweepCompare)
	return recs
}

// sweepCrowd sweeps recs, comparing each with every open cluster when all
// is true, and returns each record's cluster and score, and the clusters
// compared.
func sweepCrowd(recs []*sweepRec, all bool) (clusters [][2]float64, s *sweeper) {
	s = &sweeper{window: linkWindowDays, all: all}
	for _, r := range recs {
		r.c, r.score, r.moves = nil, 0, nil
		s.add(r)
	}
	s.flush()
	for _, r := range recs {
		id, score := r.cluster()
		clusters = append(clusters, [2]float64{float64(id), score})
	}
	return clusters, s
}

// crowds are the shapes of TestSweepIndexEqualsAll: crowded towns and
// districts on one day and over a month, with points, quantities and
// amounts, with some of them, and with none; and one source (no record
// may fit another's cluster).
var crowds = []struct {
	name string
	crowd
}{
	{"one day, points and quantities", crowd{n: 3000, days: 1, sources: 10, point: 0.95, qty: 1}},
	{"one day, some of each", crowd{n: 3000, days: 1, sources: 10, point: 0.6, qty: 0.5, amt: 0.5}},
	{"one day in a district, some of each", crowd{n: 3000, days: 1, sources: 10, point: 0.8, qty: 0.5, amt: 0.5, width: 1}},
	{"one day, no points", crowd{n: 3000, days: 1, sources: 5, qty: 0.7, amt: 0.7}},
	{"a month, some of each", crowd{n: 6000, days: 30, sources: 10, point: 0.6, qty: 0.5, amt: 0.3}},
	{"a month in a district, points only", crowd{n: 6000, days: 30, sources: 10, point: 0.9, width: 1}},
	{"a month, amounts only", crowd{n: 6000, days: 30, sources: 3, amt: 1}},
	{"one day, one source", crowd{n: 3000, days: 1, sources: 1, point: 0.5, qty: 0.5, amt: 0.5}},
	{"one day, nothing but sources", crowd{n: 1500, days: 1, sources: 10}},
}

// TestSweepIndexEqualsAll sweeps crowded records twice, comparing each
// record with the clusters of its shortest list, and with every open
// cluster: every record must get the same cluster and score.
func TestSweepIndexEqualsAll(t *testing.T) {
	for _, tc := range crowds {
		t.Run(tc.name, func(t *testing.T) {
			for seed := range uint64(3) {
				recs := crowdedRecs(seed, tc.crowd)
				got, lists := sweepCrowd(recs, false)
				want, all := sweepCrowd(recs, true)
				linked := 0
				for i := range recs {
					if got[i] != want[i] {
						t.Fatalf("seed %d, row %d: cluster and score %v with the lists, %v comparing every cluster",
							seed, recs[i].key.line, got[i], want[i])
					}
					if got[i][0] != 0 {
						linked++
					}
				}
				if tc.sources > 1 && linked < tc.n/2 {
					t.Errorf("seed %d: %d of %d records linked; the test needs dense links", seed, linked, tc.n)
				}
				if tc.sources == 1 && linked != 0 {
					t.Errorf("seed %d: %d records of one source linked", seed, linked)
				}
				if lists.fitted != all.fitted {
					t.Errorf("seed %d: %d clusters fitted with the lists, %d comparing every cluster", seed, lists.fitted, all.fitted)
				}
				t.Logf("seed %d: %d of %d records linked; clusters compared %d, fitted %d, every open cluster %d",
					seed, linked, tc.n, lists.fits, lists.fitted, all.fits)
			}
		})
	}
}

// TestSweepFitsCrowded counts the clusters compared with 4,000 records
// of one day: comparing each with every open cluster costs some millions
// (n(n-1)/2 when no record joins a cluster), and the lists must compare
// far fewer, a few for each cluster a record fitted. Records of one
// source fit nothing, and are compared with nothing once crowdOpen
// clusters are open. Records without a
// point and a measure, but of another source, may truly fit every
// cluster: there the count stays quadratic (maxShare 1), and so it does
// for records fitting many clusters in a crowded town.
func TestSweepFitsCrowded(t *testing.T) {
	for _, tc := range []struct {
		name     string
		c        crowd
		maxShare float64 // the most clusters compared may be of every open cluster
		perFit   float64 // the most clusters compared may be of those fitted
	}{
		{"a district, quantities", crowd{n: 4000, days: 1, sources: 10, point: 0.95, qty: 1, width: 1}, 0.04, 8},
		{"a district, some of each", crowd{n: 4000, days: 1, sources: 10, point: 0.8, qty: 0.5, amt: 0.5, width: 1}, 0.25, 4},
		{"a town, quantities", crowd{n: 4000, days: 1, sources: 10, point: 0.95, qty: 1}, 0.16, 14},
		{"amounts, no points", crowd{n: 4000, days: 1, sources: 10, amt: 1}, 0.16, 4},
		{"one source", crowd{n: 4000, days: 1, sources: 1, point: 1}, 0.0001, 0},
		{"nothing but sources", crowd{n: 4000, days: 1, sources: 10}, 1, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs := crowdedRecs(1, tc.c)
			_, lists := sweepCrowd(recs, false)
			_, all := sweepCrowd(recs, true)
			t.Logf("%d records: clusters compared %d (fitted %d), every open cluster %d (%.4f)",
				tc.c.n, lists.fits, lists.fitted, all.fits, float64(lists.fits)/float64(all.fits))
			if n := int64(tc.c.n); all.fits < n*n/12 {
				t.Fatalf("every open cluster is %d: the records are not crowded", all.fits)
			}
			// Up to crowdOpen open clusters, a record may be compared with all.
			const first = crowdOpen * (crowdOpen - 1) / 2
			if got, most := lists.fits, int64(tc.maxShare*float64(all.fits))+first; got > most {
				t.Errorf("clusters compared %d, want at most %d", got, most)
			}
			if got, most := lists.fits, int64(tc.perFit*float64(lists.fitted))+first; got > most {
				t.Errorf("clusters compared %d, want at most %d (%.1f for each fitted)", got, most, tc.perFit)
			}
		})
	}
}

// BenchmarkSweepCrowded sweeps the records of one district and day, of
// one town over a year, of one source in a town on one day, and of a
// district that is not crowded, at three sizes each, with the lists and (all) comparing every open cluster. It
// reports the clusters compared, and those fitted, per record, and the
// CPU time of an op (the machine is shared: wall time varies with the
// load).
func BenchmarkSweepCrowded(b *testing.B) {
	for _, shape := range []struct {
		name   string
		c      crowd
		sizes  []int
		allMax int // the largest size to sweep comparing every open cluster: minutes past it
	}{
		{"day", crowd{days: 1, sources: 10, point: 0.9, qty: 0.6, amt: 0.4, width: 1}, []int{2000, 8000, 32000}, 8000},
		{"year", crowd{days: 365, sources: 10, point: 0.9, qty: 0.6, amt: 0.4}, []int{50000, 200000, 400000}, 50000},
		{"one-source", crowd{days: 1, sources: 1, point: 0.9, qty: 0.6, amt: 0.4}, []int{2000, 8000, 32000}, 8000},
		// Not crowded: 10, 20 and 40 records a day in a district, as most
		// partitions of the 5M-row benchmark.
		{"sparse", crowd{days: 365, sources: 10, point: 0.99, qty: 0.6, amt: 0.4, width: 1}, []int{3650, 7300, 14600}, 14600},
	} {
		for _, n := range shape.sizes {
			for _, all := range []bool{false, true} {
				if all && n > shape.allMax {
					continue
				}
				name := fmt.Sprintf("%s/n=%d/lists", shape.name, n)
				if all {
					name = fmt.Sprintf("%s/n=%d/all", shape.name, n)
				}
				b.Run(name, func(b *testing.B) {
					c := shape.c
					c.n = n
					recs := crowdedRecs(1, c)
					var s *sweeper
					var cpu time.Duration
					for b.Loop() {
						start := cpuTime()
						_, s = sweepCrowd(recs, all)
						cpu += cpuTime() - start
					}
					b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
					b.ReportMetric(float64(s.fits)/float64(n), "fits/rec")
					b.ReportMetric(float64(s.fitted)/float64(n), "fitted/rec")
					b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
				})
			}
		}
	}
}

// TestMeasureBucketsLink: two measures that link (ratio at least
// linkMinRatio) lie in buckets at most one apart, at every scale and on
// the edge of linkMinRatio; measures three buckets apart do not link.
func TestMeasureBucketsLink(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	linked, apart := 0, 0
	for i := range 200000 {
		a := math.Exp(rng.Float64()*60 - 30)
		var b float64
		switch i % 3 {
		case 0: // exactly on the edge, from either side
			b = a * linkMinRatio
			if i%2 == 0 {
				b = a / linkMinRatio
			}
		case 1: // just either side of the edge
			b = a * linkMinRatio * (1 + (rng.Float64()*2-1)*1e-12)
		default:
			b = a * math.Exp((rng.Float64()*2-1)*1.5)
		}
		ba, _ := measureBucket(a)
		bb, _ := measureBucket(b)
		r, _ := ratio(a, b)
		d := abs32(ba - bb)
		switch {
		case r >= linkMinRatio:
			linked++
			if d > 1 {
				t.Fatalf("%v and %v link (ratio %v) but lie in buckets %d and %d", a, b, r, ba, bb)
			}
		case d >= 3:
			apart++
		}
	}
	if linked < 100000 || apart < 10000 {
		t.Errorf("%d pairs linked, %d three buckets apart: the test does not reach both", linked, apart)
	}
	// Zero links to zero and to a negative measure (ratio: the larger is
	// 0), and to nothing else. candidates compares a record of amount a
	// with a cluster of amount b when they link, and when b lies in a
	// bucket beside a's (fit decides); not when b is out of a's buckets (as
	// the cluster's amount bucket is then the shortest list). A negative
	// amount (the incidents table refuses it) leaves a record's amounts out
	// of candidates: it is compared with the cluster by source.
	for _, tc := range []struct {
		a, b            float64
		links, compared bool
	}{
		{0, 0, true, true}, {0, -3, true, true}, {-3, -4, true, true}, {-3, 5, false, true},
		{0, 1e-300, false, false}, {0, 5, false, false}, {5, 0, false, false},
		{5, 4, true, true}, {5, 3.9, false, true}, {5, 2, false, false},
	} {
		s := &sweeper{}
		c := &sweepCluster{members: []*sweepRec{{skey: "a", lat: math.NaN(), lon: math.NaN(), qty: math.NaN(), amt: tc.b}}}
		listFar(s, c)
		rec := &sweepRec{skey: "b", lat: math.NaN(), lon: math.NaN(), qty: math.NaN(), amt: tc.a}
		compared := false
		s.candidates(rec, func(x *sweepCluster) { compared = compared || x == c })
		r, ok := ratio(tc.a, tc.b)
		if links := ok && r >= linkMinRatio; links != tc.links {
			t.Errorf("ratio(%v, %v) = %v: linked %v, want %v", tc.a, tc.b, r, links, tc.links)
		}
		if compared != tc.compared {
			t.Errorf("a record of amount %v compared with a cluster of amount %v: %v, want %v", tc.a, tc.b, compared, tc.compared)
		}
	}
}
