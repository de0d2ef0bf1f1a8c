package measures

import (
	"math/rand/v2"
	"testing"
)

// ring returns n districts on a ring, each bordering the three on either
// side: six neighbours each, symmetric, like a mid-sized Pakistani district.
func ring(n int) [][]int {
	nbrs := make([][]int, n)
	for i := range n {
		for _, d := range []int{-3, -2, -1, 1, 2, 3} {
			nbrs[i] = append(nbrs[i], (i+d+n)%n)
		}
	}
	return nbrs
}

func counts(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 0))
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(rng.IntN(200))
	}
	return x
}

const benchDistricts = 160

func BenchmarkGiStar(b *testing.B) {
	x, nbrs := counts(benchDistricts, 1), ring(benchDistricts)
	for b.Loop() {
		GiStar(x, nbrs)
	}
	b.ReportMetric(float64(benchDistricts*b.N)/b.Elapsed().Seconds(), "districts/s")
}

func BenchmarkLocalMoran999(b *testing.B) {
	x, nbrs := counts(benchDistricts, 1), ring(benchDistricts)
	for b.Loop() {
		LocalMoran(x, nbrs, 999, 1)
	}
	b.ReportMetric(float64(benchDistricts*b.N)/b.Elapsed().Seconds(), "districts/s")
}

// BenchmarkMannKendall runs the trend test on 72 months for each of 160
// districts, one op being the whole district set.
func BenchmarkMannKendall(b *testing.B) {
	series := make([][]float64, benchDistricts)
	for i := range series {
		series[i] = counts(72, uint64(i))
	}
	for b.Loop() {
		for _, y := range series {
			MannKendall(y)
		}
	}
	b.ReportMetric(float64(benchDistricts*b.N)/b.Elapsed().Seconds(), "series/s")
}

func BenchmarkGiStarPerm999(b *testing.B) {
	x, nbrs := counts(benchDistricts, 1), ring(benchDistricts)
	for b.Loop() {
		GiStarPerm(x, nbrs, 999, 1)
	}
	b.ReportMetric(float64(benchDistricts*b.N)/b.Elapsed().Seconds(), "districts/s")
}
