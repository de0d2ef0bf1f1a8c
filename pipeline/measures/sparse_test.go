package measures

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// line returns n districts in a row, each the neighbour of the next.
func line(n int) [][]int {
	nbrs := make([][]int, n)
	for i := range n {
		if i > 0 {
			nbrs[i] = append(nbrs[i], i-1)
		}
		if i < n-1 {
			nbrs[i] = append(nbrs[i], i+1)
		}
	}
	return nbrs
}

// oneIncident is 20 districts in a row, one incident in the first: the
// sparse case of issue 15 (D1, D2, D3) made small enough to work by hand.
func oneIncident() ([]float64, [][]int) {
	x := make([]float64, 20)
	x[0] = 1
	return x, line(20)
}

// TestLocalMoranTies: district 0 (1 incident, its only neighbour 0) is HL;
// every permutation draws a neighbour with 0, so every permuted I ties the
// observed one. Counting ties on both sides gives p = 1000/1000 = 1; the
// upper-tail-then-fold rule of esda gave 1/1000, a significant HL.
func TestLocalMoranTies(t *testing.T) {
	x, nbrs := oneIncident()
	I, p, q := LocalMoran(x, nbrs, 999, 1)
	if got, want := p[0], 1.0; got != want {
		t.Errorf("pSim[0] = %v, want %v (every draw ties)", got, want)
	}
	if got, want := q[0], QuadHL; got != want {
		t.Errorf("quad[0] = %d, want HL", got)
	}
	// z0 = (1 − 0.05)/√0.0475, lag z1 = −0.05/√0.0475: I0 = 19/20 · z0 · z1.
	if got, want := I[0], 0.95*(0.95*-0.05/0.0475); math.Abs(got-want) > 1e-12 {
		t.Errorf("I[0] = %v, want %v", got, want)
	}
	// Districts 2 to 19 with zero neighbours' values tie in the same way
	// unless the 1 is drawn: never significant. No cluster at all.
	if got := Cluster(q, p, 0.05); slices.IndexFunc(got, func(s string) bool { return s != "" }) >= 0 {
		t.Errorf("clusters %q, want none on one incident", got)
	}
	// Every value tied: the two tails are the whole distribution.
	_, p2, _ := LocalMoran([]float64{1, 0, 0, 0, 0}, line(5), 99, 3)
	if got, want := p2[0], 1.0; got != want {
		t.Errorf("pSim of 1 among zeros on a line of 5 = %v, want %v", got, want)
	}
}

// TestLocalMoranSparseGrid is the D1 at the size of Pakistan: 160
// districts (a 10 × 16 queen grid), 8 incidents in 8 districts apart from
// each other. Ties now count on both sides: with the seed fixed the clusters
// are exactly these (the upper-tail rule flagged every incident district as
// HL at p = 0.001 and most of their neighbours as LH).
func TestLocalMoranSparseGrid(t *testing.T) {
	const rows, cols = 10, 16
	nbrs := make([][]int, rows*cols)
	for i := range nbrs {
		r, c := i/cols, i%cols
		for dr := -1; dr <= 1; dr++ {
			for dc := -1; dc <= 1; dc++ {
				rr, cc := r+dr, c+dc
				if (dr != 0 || dc != 0) && rr >= 0 && rr < rows && cc >= 0 && cc < cols {
					nbrs[i] = append(nbrs[i], rr*cols+cc)
				}
			}
		}
	}
	x := make([]float64, rows*cols)
	for _, i := range []int{17, 22, 28, 65, 70, 76, 113, 140} {
		x[i] = 1
	}
	_, p, q := LocalMoran(x, nbrs, 999, 20261125)
	cl := Cluster(q, p, 0.05)
	var flagged []string
	for i, c := range cl {
		if c != "" {
			flagged = append(flagged, fmt.Sprintf("%d:%s:%.3f", i, c, p[i]))
		}
	}
	if got, want := fmt.Sprint(flagged), "[]"; got != want {
		t.Errorf("clusters %s, want %s", got, want)
	}
	// The incident districts are HL with p near 1 − P(a draw holds another
	// incident), about 0.6 for 8 queen neighbours out of 159 with 7 ones.
	if p[17] < 0.5 {
		t.Errorf("p of an incident district = %v, want above 0.5", p[17])
	}
}

// TestGiStarSparse: one incident at the end of a row of 20. Normal theory:
// z0 = (1 − 0.05·2)/√(0.0475·(40 − 4)/19) = 0.9/0.3 = 3, z1 =
// 0.85/√0.1275, a 90% hot spot after FDR. Permutation: district 0's local
// sum is 1 in every draw (p = 1); district 1 keeps 0 and draws 2 of 19
// others, reaching its observed sum 1 with probability 1 − C(18,2)/C(19,2)
// = 18/171, so p ≈ 2 · 18/171.
func TestGiStarSparse(t *testing.T) {
	x, nbrs := oneIncident()
	z, pn := GiStarBinary(x, nbrs)
	assertClose(t, "z", z[:3], []float64{3, 0.85 / math.Sqrt(0.1275), -0.15 / math.Sqrt(0.1275)}, 1e-12)
	if got, want := 2*pn[0], 2*normSF(3); math.Abs(got-want) > 1e-15 {
		t.Errorf("normal p0 = %v, want %v", got, want)
	}
	if got, want := GiBins(z, true)[:3], []int{1, 0, 0}; !slices.Equal(got, want) {
		t.Errorf("normal bins = %v, want %v", got, want)
	}
	zp, pp := GiStarPerm(x, nbrs, 20000, 5)
	if !slices.Equal(zp, z) {
		t.Errorf("GiStarPerm z = %v, want GiStarBinary's %v", zp, z)
	}
	if got, want := pp[0], 1.0; got != want {
		t.Errorf("permutation p0 = %v, want %v", got, want)
	}
	if got, want := pp[1], 2*18.0/171; math.Abs(got-want) > 0.015 {
		t.Errorf("permutation p1 = %v, want ≈ %v", got, want)
	}
	if got := GiBinsP(zp, pp, true); slices.ContainsFunc(got, func(b int) bool { return b != 0 }) {
		t.Errorf("permutation bins = %v, want none", got)
	}
	// Seeded: the same seed gives the same p, another seed other draws.
	_, again := GiStarPerm(x, nbrs, 20000, 5)
	_, other := GiStarPerm(x, nbrs, 20000, 6)
	if !slices.Equal(pp, again) || slices.Equal(pp, other) {
		t.Errorf("seed 5 twice: %v and %v; seed 6: %v", pp[1], again[1], other[1])
	}
}

// TestGiStarPermExact compares GiStarPerm with the exact conditional
// permutation distribution (every k-subset of the others) on the 3×3
// reference grid with tied values.
func TestGiStarPermExact(t *testing.T) {
	ref := loadReference(t)
	x := []float64{0, 0, 1, 0, 2, 0, 0, 1, 5} // ties, one outlier
	nbrs := ref.Grid3Queen
	const perms = 20000
	_, p := GiStarPerm(x, nbrs, perms, 11)
	n := len(x)
	for i := range n {
		k := len(nbrs[i])
		if k == n-1 {
			continue // the centre: its neighbourhood is the map, z is NaN
		}
		obs := x[i]
		for _, j := range nbrs[i] {
			obs += x[j]
		}
		var others []int
		for j := range n {
			if j != i {
				others = append(others, j)
			}
		}
		ge, le, all := 0, 0, 0
		var rec func(start, left int, sum float64)
		rec = func(start, left int, sum float64) {
			if left == 0 {
				all++
				if sum >= obs {
					ge++
				}
				if sum <= obs {
					le++
				}
				return
			}
			for s := start; s <= len(others)-left; s++ {
				rec(s+1, left-1, sum+x[others[s]])
			}
		}
		rec(0, k, x[i])
		want := math.Min(1, 2*(float64(min(ge, le))/float64(all)*perms+1)/(perms+1))
		if math.Abs(p[i]-want) > 0.02 {
			t.Errorf("district %d: p = %.4f, exact ≈ %.4f", i, p[i], want)
		}
	}
}

func TestEmergingHotSpotsP(t *testing.T) {
	// Two districts, three months of z = 3: with normal p (0.0027) both are
	// persistent hot spots; with permutation p of 1 neither is.
	z := [][]float64{{3, 3, 3}, {3, 3, 3}}
	if got := EmergingHotSpots(z, 0.05, false); !slices.Equal(got, []Pattern{PersistentHot, PersistentHot}) {
		t.Errorf("normal: %q", got)
	}
	p := [][]float64{{1, 1, 1}, {0.001, 0.001, 0.001}}
	if got := EmergingHotSpotsP(z, p, 0.05, false); !slices.Equal(got, []Pattern{NoPattern, PersistentHot}) {
		t.Errorf("given p: %q, want none and persistent", got)
	}
}
