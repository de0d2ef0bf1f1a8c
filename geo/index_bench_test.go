package geo

import (
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// benchSink keeps benchmarked results alive.
var benchSink int

// benchPoints are n seeded random points in the bounding box of polys; with
// inside, only points that ix puts in a district (ix is only the filter; the
// orb and GEOS tests establish that it is right).
func benchPoints(polys []orb.MultiPolygon, ix *Index, n int, inside bool) []orb.Point {
	bounds := ixBounds(polys)
	all := bounds[0]
	for _, b := range bounds[1:] {
		all = all.Union(b)
	}
	rng := rand.New(rand.NewPCG(11, 12))
	pts := make([]orb.Point, 0, n)
	for len(pts) < n {
		p := orb.Point{
			all.Min[0] + rng.Float64()*(all.Max[0]-all.Min[0]),
			all.Min[1] + rng.Float64()*(all.Max[1]-all.Min[1]),
		}
		if !inside || ix.Locate(p) >= 0 {
			pts = append(pts, p)
		}
	}
	return pts
}

// BenchmarkLocate locates a batch of a million points per op, so that even
// -benchtime 2x measures something; points/s is the number to watch.
func BenchmarkLocate(b *testing.B) {
	_, polys := loadIndexBoundaries(b)
	ix := NewIndex(polys)
	for _, bc := range []struct {
		name   string
		inside bool
	}{
		{"bbox", false},
		{"districts", true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			pts := benchPoints(polys, ix, 1_000_000, bc.inside)
			sum := 0
			for b.Loop() {
				for _, p := range pts {
					sum += ix.Locate(p)
				}
			}
			benchSink = sum
			b.ReportMetric(float64(b.N)*float64(len(pts))/b.Elapsed().Seconds(), "points/s")
		})
	}
}

func BenchmarkNewIndex(b *testing.B) {
	_, polys := loadIndexBoundaries(b)
	var ix *Index
	for b.Loop() {
		ix = NewIndex(polys)
	}
	b.ReportMetric(float64(len(ix.cells)), "cells")
	b.ReportMetric(float64(len(ix.edges)), "cell-edges")
}

// BenchmarkOrbContains is the baseline Locate replaces: orb's exact test
// behind a bounding-box filter, on a few thousand points.
func BenchmarkOrbContains(b *testing.B) {
	_, polys := loadIndexBoundaries(b)
	bounds := ixBounds(polys)
	pts := benchPoints(polys, nil, 2000, false)
	sum := 0
	for b.Loop() {
		for _, p := range pts {
			sum += orbLocate(polys, bounds, p)
		}
	}
	benchSink = sum
	b.ReportMetric(float64(b.N)*float64(len(pts))/b.Elapsed().Seconds(), "points/s")
}
