package measures

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

const tol = 1e-6

// reference holds testdata/reference.json, written by testdata/reference.py
// from the published formulas with numpy, independently of this package.
type reference struct {
	Grid4Rook [][]int   `json:"grid4_rook"`
	X16       []float64 `json:"x16"`
	GiRZ      []float64 `json:"gistar_r_z"`
	GiRP      []float64 `json:"gistar_r_p"`
	GiBZ      []float64 `json:"gistar_b_z"`
	GiBP      []float64 `json:"gistar_b_p"`
	MoranI    []float64 `json:"lmoran_I"`
	MoranQ    []int     `json:"lmoran_q"`

	Grid3Queen [][]int   `json:"grid3_queen"`
	X9         []float64 `json:"x9"`
	Gi9RZ      []float64 `json:"gistar9_r_z"`
	Gi9RP      []float64 `json:"gistar9_r_p"`
	Moran9I    []float64 `json:"lmoran9_I"`
	Moran9Q    []int     `json:"lmoran9_q"`

	EsdaNbrs  [][]int   `json:"esda_doc_nbrs"`
	EsdaY     []float64 `json:"esda_doc_y"`
	EsdaRStar []float64 `json:"esda_doc_r_star_z"`
	EsdaBStar []float64 `json:"esda_doc_b_star_z"`

	EBEvents []float64  `json:"eb_events"`
	EBPop    []float64  `json:"eb_pop"`
	EBRates  []*float64 `json:"eb_rates"`

	MKY  []float64 `json:"mk_y"`
	MK   mkRef     `json:"mk"`
	MK2Y []float64 `json:"mk2_y"`
	MK2  mkRef     `json:"mk2"`

	SpearmanX []float64 `json:"spearman_x"`
	SpearmanY []float64 `json:"spearman_y"`
	Spearman  float64   `json:"spearman"`

	CLQA  []float64 `json:"clq_a"`
	CLQB  []float64 `json:"clq_b"`
	CLQAB float64   `json:"clq_ab"`
	CLQBA float64   `json:"clq_ba"`
}

type mkRef struct {
	S, Var, Z, P, Tau float64
}

func loadReference(t *testing.T) reference {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r reference
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func assertClose(t *testing.T, name string, got, want []float64, eps float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: len %d, want %d", name, len(got), len(want))
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > eps || math.IsNaN(got[i]) != math.IsNaN(want[i]) {
			t.Errorf("%s[%d] = %.12g, want %.12g", name, i, got[i], want[i])
		}
	}
}

func TestGiStarGolden(t *testing.T) {
	ref := loadReference(t)
	tests := []struct {
		name         string
		x            []float64
		nbrs         [][]int
		binary       bool
		wantZ, wantP []float64
	}{
		{"rook4x4/R", ref.X16, ref.Grid4Rook, false, ref.GiRZ, ref.GiRP},
		{"rook4x4/B", ref.X16, ref.Grid4Rook, true, ref.GiBZ, ref.GiBP},
		{"queen3x3/R", ref.X9, ref.Grid3Queen, false, ref.Gi9RZ, ref.Gi9RP},
		{"esda-doctest/R", ref.EsdaY, ref.EsdaNbrs, false, ref.EsdaRStar, nil},
		{"esda-doctest/B", ref.EsdaY, ref.EsdaNbrs, true, ref.EsdaBStar, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := GiStar
			if tt.binary {
				f = GiStarBinary
			}
			z, p := f(tt.x, tt.nbrs)
			assertClose(t, "z", z, tt.wantZ, tol)
			if tt.wantP != nil {
				assertClose(t, "p", p, tt.wantP, tol)
			}
		})
	}
}

// TestGiStarEsdaDoctest pins the values printed in esda's own G_Local
// docstring (esda/getisord.py), typed in by hand, not from our script.
func TestGiStarEsdaDoctest(t *testing.T) {
	nbrs := [][]int{{1, 3}, {0, 3, 4}, {4}, {0, 1, 4}, {1, 2, 3, 5}, {4}}
	y := []float64{2, 3, 3.2, 5, 8, 7}
	zr, _ := GiStar(y, nbrs)
	assertClose(t, "R star", zr, []float64{-0.62488094, -0.09144599, 0.41150696, -0.09144599, 0.24690418, 1.28024388}, 1e-8)
	zb, _ := GiStarBinary(y, nbrs)
	assertClose(t, "B star", zb, []float64{-1.39727626, -0.28917762, 0.65064964, -0.28917762, 1.23452088, 2.02424331}, 1e-8)
}

func TestGiBins(t *testing.T) {
	tests := []struct {
		name string
		z    []float64
		fdr  bool
		want []int
	}{
		{"thresholds", []float64{2.6, 2.0, 1.7, 1.6, 0, -1.7, -2.0, -2.6, math.NaN()}, false, []int{3, 2, 1, 0, 0, -1, -2, -3, 0}},
		// Two-sided p: 3.5→0.000465, 2.6→0.0093, 2.0→0.0455, 1.7→0.0891,
		// rest ≥ 0.5. BH over m=6: q=.01 keeps rank 1 only (0.0093 > 2·.01/6);
		// q=.05 keeps ranks 1-2 (0.0455 > 3·.05/6=0.025); q=.10 keeps ranks 1-3
		// (0.0455 ≤ 0.05), and 0.0891 > 4·.1/6.
		{"fdr", []float64{3.5, 2.6, 2.0, 1.7, 0.5, -0.5}, true, []int{3, 2, 1, 0, 0, 0}},
		{"no fdr same z", []float64{3.5, 2.6, 2.0, 1.7, 0.5, -0.5}, false, []int{3, 3, 2, 1, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := GiBins(tt.z, tt.fdr), tt.want; !slices.Equal(got, want) {
				t.Errorf("GiBins = %v, want %v", got, want)
			}
		})
	}
}

// TestBH uses Benjamini & Hochberg's (1995, §4.2) own example: 15 p-values,
// q = 0.05; BH rejects the four smallest (Bonferroni only three).
func TestBH(t *testing.T) {
	p := []float64{0.0201, 0.0001, 0.0004, 0.0019, 0.0095, 0.0278, 0.0298, 0.0344,
		0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0000}
	got := BH(p, 0.05)
	want := make([]bool, len(p))
	want[1], want[2], want[3], want[4] = true, true, true, true
	if !slices.Equal(got, want) {
		t.Errorf("BH = %v, want %v", got, want)
	}
	// Step-up: p_(3)=0.03 fails 3·.05/4 only if > 0.0375; it passes, so all
	// smaller ones are rejected even where p_(2)=0.026 > 2·.05/4 = 0.025.
	if got, want := BH([]float64{0.026, 0.03, 0.9, 0.001}, 0.05), []bool{true, true, false, true}; !slices.Equal(got, want) {
		t.Errorf("BH step-up = %v, want %v", got, want)
	}
	if got, want := BH([]float64{math.NaN(), 0.01, 0.04}, 0.05), []bool{false, true, true}; !slices.Equal(got, want) {
		t.Errorf("BH with NaN = %v, want %v", got, want)
	}
}

func TestLocalMoranGolden(t *testing.T) {
	ref := loadReference(t)
	tests := []struct {
		name  string
		x     []float64
		nbrs  [][]int
		wantI []float64
		wantQ []int
	}{
		{"rook4x4", ref.X16, ref.Grid4Rook, ref.MoranI, ref.MoranQ},
		{"queen3x3", ref.X9, ref.Grid3Queen, ref.Moran9I, ref.Moran9Q},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			I, p, q := LocalMoran(tt.x, tt.nbrs, 99, 1)
			assertClose(t, "I", I, tt.wantI, 1e-9)
			if !slices.Equal(q, tt.wantQ) {
				t.Errorf("quad = %v, want %v", q, tt.wantQ)
			}
			for i, v := range p {
				// Ties count in both tails, so p may pass 0.5 (the 3×3
				// centre draws the whole map every time: p = 1).
				if v < 0.01 || v > 1 {
					t.Errorf("pSim[%d] = %g, outside [1/100, 1]", i, v)
				}
			}
		})
	}
}

// TestLocalMoranPSimExact checks conditional randomisation against the exact
// permutation distribution, enumerated over all k-subsets of the other n−1
// districts: pSim must be close to (min(P(I* ≥ I), P(I* ≤ I))·R + 1)/(R + 1).
func TestLocalMoranPSimExact(t *testing.T) {
	ref := loadReference(t)
	x, nbrs := ref.X9, ref.Grid3Queen
	const perms = 20000
	I, p, _ := LocalMoran(x, nbrs, perms, 7)
	n := len(x)
	var mean, ss float64
	for _, v := range x {
		mean += v
	}
	mean /= float64(n)
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	sd := math.Sqrt(ss / float64(n))
	z := make([]float64, n)
	for i, v := range x {
		z[i] = (v - mean) / sd
	}
	for i := range n {
		k := len(nbrs[i])
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
				v := float64(n-1) / float64(n) * z[i] * (sum / float64(k))
				if v >= I[i]-1e-12 {
					ge++
				}
				if v <= I[i]+1e-12 {
					le++
				}
				return
			}
			for s := start; s <= len(others)-left; s++ {
				rec(s+1, left-1, sum+z[others[s]])
			}
		}
		rec(0, k, 0)
		frac := math.Min(float64(ge), float64(le)) / float64(all)
		want := (frac*perms + 1) / (perms + 1)
		if math.Abs(p[i]-want) > 0.015 {
			t.Errorf("district %d: pSim = %.4f, exact ≈ %.4f", i, p[i], want)
		}
	}
}

func TestLocalMoranDeterministic(t *testing.T) {
	ref := loadReference(t)
	I1, p1, q1 := LocalMoran(ref.X16, ref.Grid4Rook, 999, 42)
	I2, p2, q2 := LocalMoran(ref.X16, ref.Grid4Rook, 999, 42)
	if !slices.Equal(I1, I2) || !slices.Equal(p1, p2) || !slices.Equal(q1, q2) {
		t.Fatal("same seed gave different results")
	}
	_, p3, _ := LocalMoran(ref.X16, ref.Grid4Rook, 999, 43)
	if slices.Equal(p1, p3) {
		t.Error("different seeds gave identical pSim; is the seed used?")
	}
}

func TestLocalMoranEdgeCases(t *testing.T) {
	t.Run("isolate", func(t *testing.T) {
		I, p, _ := LocalMoran([]float64{1, 2, 3, 10}, [][]int{{1}, {0, 2}, {1}, {}}, 99, 1)
		if got, want := I[3], 0.0; got != want {
			t.Errorf("isolate I = %g, want %g", got, want)
		}
		if !math.IsNaN(p[3]) {
			t.Errorf("isolate pSim = %g, want NaN", p[3])
		}
	})
	t.Run("constant", func(t *testing.T) {
		I, p, _ := LocalMoran([]float64{5, 5, 5}, [][]int{{1}, {0, 2}, {1}}, 99, 1)
		if !math.IsNaN(I[0]) || !math.IsNaN(p[0]) {
			t.Errorf("constant input: I = %v, p = %v, want NaN", I, p)
		}
	})
}

func TestCluster(t *testing.T) {
	quad := []int{QuadHH, QuadLH, QuadLL, QuadHL, QuadHH, QuadLL}
	p := []float64{0.001, 0.05, 0.01, 0.04, 0.2, math.NaN()}
	got := Cluster(quad, p, 0.05)
	want := []string{"HH", "LH", "LL", "HL", "", ""}
	if !slices.Equal(got, want) {
		t.Errorf("Cluster = %q, want %q", got, want)
	}
}

func TestEBRatesGolden(t *testing.T) {
	ref := loadReference(t)
	got, err := EBRates(ref.EBEvents, ref.EBPop)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float64, len(ref.EBRates))
	for i, v := range ref.EBRates {
		want[i] = math.NaN()
		if v != nil {
			want[i] = *v
		}
	}
	// Rates are ~1e-4 per person; compare per 100,000 to 1e-6.
	for i := range got {
		got[i] *= 1e5
		want[i] *= 1e5
	}
	assertClose(t, "EB per 100k", got, want, tol)
}

func TestEBRatesNonNegative(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 2000 {
		n := 1 + rng.IntN(40)
		ev := make([]float64, n)
		pop := make([]float64, n)
		for i := range n {
			pop[i] = float64(rng.IntN(3)) * math.Pow(10, 1+4*rng.Float64())
			if rng.IntN(3) > 0 {
				ev[i] = float64(rng.IntN(50))
			}
		}
		got, err := EBRates(ev, pop)
		if err != nil {
			continue // all populations zero
		}
		for i, r := range got {
			if r < 0 || (pop[i] > 0 && math.IsNaN(r)) || (pop[i] == 0 && !math.IsNaN(r)) {
				t.Fatalf("trial %d district %d: events %g pop %g → rate %g", trial, i, ev[i], pop[i], r)
			}
		}
	}
}

func TestEBRatesEdgeCases(t *testing.T) {
	tests := []struct {
		name     string
		ev, pop  []float64
		want     []float64
		wantFail bool
	}{
		{"no events anywhere", []float64{0, 0}, []float64{10, 20}, []float64{0, 0}, false},
		// r = (0.1, 0.1): a = 0 − b/p̄ < 0 → 0, so both shrink to b = 0.1.
		{"identical rates", []float64{1, 2}, []float64{10, 20}, []float64{0.1, 0.1}, false},
		{"length mismatch", []float64{1}, []float64{1, 2}, nil, true},
		{"negative", []float64{-1}, []float64{1}, nil, true},
		{"no population", []float64{1}, []float64{0}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EBRates(tt.ev, tt.pop)
			if (err != nil) != tt.wantFail {
				t.Fatalf("err = %v, wantFail %v", err, tt.wantFail)
			}
			if !tt.wantFail {
				assertClose(t, "rates", got, tt.want, 1e-12)
			}
		})
	}
}

func TestPercentChange(t *testing.T) {
	if got, want := PercentChange(40, 50), 25.0; got != want {
		t.Errorf("PercentChange(40, 50) = %g, want %g", got, want)
	}
	if got, want := PercentChange(50, 40), -20.0; got != want {
		t.Errorf("PercentChange(50, 40) = %g, want %g", got, want)
	}
	if got := PercentChange(0, 3); !math.IsNaN(got) {
		t.Errorf("PercentChange(0, 3) = %g, want NaN", got)
	}
}

// TestMannKendallHand works the tied series through by hand:
// y = 1 3 3 2 5 3 5 7 6 8. Per k, Σ_{j>k} sign(y_j − y_k) is
// 9, 4, 4, 6, 2, 4, 3, 0, 1, so S = 33. Ties: three 3s and two 5s, so
// var(S) = [10·9·25 − (3·2·11) − (2·1·9)]/18 = (2250 − 66 − 18)/18 = 120.333…;
// z = 32/√120.333 = 2.91714; tau = 33/45.
func TestMannKendallHand(t *testing.T) {
	s, z, p, tau := MannKendall([]float64{1, 3, 3, 2, 5, 3, 5, 7, 6, 8})
	if got, want := s, 33.0; got != want {
		t.Errorf("S = %g, want %g", got, want)
	}
	v := 2166.0 / 18
	assertClose(t, "z", []float64{z}, []float64{32 / math.Sqrt(v)}, 1e-12)
	assertClose(t, "tau", []float64{tau}, []float64{33.0 / 45}, 1e-12)
	assertClose(t, "p", []float64{p}, []float64{math.Erfc(32 / math.Sqrt(v) / math.Sqrt2)}, 1e-12)
}

func TestMannKendallGolden(t *testing.T) {
	ref := loadReference(t)
	for _, c := range []struct {
		name string
		y    []float64
		want mkRef
	}{{"mk", ref.MKY, ref.MK}, {"mk2", ref.MK2Y, ref.MK2}} {
		t.Run(c.name, func(t *testing.T) {
			s, z, p, tau := MannKendall(c.y)
			assertClose(t, "s,z,p,tau", []float64{s, z, p, tau}, []float64{c.want.S, c.want.Z, c.want.P, c.want.Tau}, tol)
		})
	}
}

func TestMannKendallDegenerate(t *testing.T) {
	s, z, p, _ := MannKendall([]float64{4, 4, 4, math.NaN(), 4})
	if s != 0 || z != 0 || p != 1 {
		t.Errorf("all tied: S %g z %g p %g, want 0 0 1", s, z, p)
	}
	s, _, _, _ = MannKendall([]float64{1, math.NaN(), 2})
	if got, want := s, 1.0; got != want {
		t.Errorf("NaN dropped: S = %g, want %g", got, want)
	}
}

func TestEmergingClass(t *testing.T) {
	// Ten steps; h/c/. = significant hot / significant cold / not significant.
	// z is built from the pattern plus a trend term so that the Mann-Kendall
	// test sees what the case needs.
	build := func(pattern string, trend float64) ([]float64, []bool) {
		z := make([]float64, len(pattern))
		sig := make([]bool, len(pattern))
		for i, c := range pattern {
			base := 0.5
			switch c {
			case 'h':
				base, sig[i] = 3, true
			case 'c':
				base, sig[i] = -3, true
			}
			z[i] = base + trend*float64(i)
		}
		return z, sig
	}
	tests := []struct {
		pattern string
		trend   float64
		want    Pattern
	}{
		{"........." + "h", 0, NewHot},
		{"......." + "hhh", 0, ConsecutiveHot},
		{"h......" + "hhh", 0, SporadicHot},
		{".h.h..h..h", 0, SporadicHot},
		{"c..h....hh", 0, OscillatingHot},
		{"c........h", 0, OscillatingHot},
		{"hhhhhhhhhh", 0.2, IntensifyingHot},
		{"hhhhhhhhhh", -0.2, DiminishingHot},
		{".hhhhhhhhh", 0, PersistentHot},
		{"hhhhhhhhh.", 0, HistoricalHot},
		{"hhhhhhhhhc", 0, HistoricalHot},
		{"h.........", 0, NoPattern},
		{"..........", 0, NoPattern},
		{"........." + "c", 0, NewCold},
		{"........cc", 0, ConsecutiveCold},
		{"cccccccccc", -0.2, IntensifyingCold},
		{"cccccccccc", 0.2, DiminishingCold},
		{"cccccccccc", 0, PersistentCold},
		{"c.c..c...c", 0, SporadicCold},
		{"h.......cc", 0, OscillatingCold},
		{"ccccccccc.", 0, HistoricalCold},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			z, sig := build(tt.pattern, tt.trend)
			if got, want := EmergingClass(z, sig, 0.05), tt.want; got != want {
				t.Errorf("EmergingClass = %q, want %q", got, want)
			}
		})
	}
}

func TestEmergingHotSpots(t *testing.T) {
	z := [][]float64{
		{0, 0, 0, 0, 0, 0, 0, 0, 0, 3},                   // new
		{3, 3.1, 3.2, 3.3, 3.4, 3.5, 3.6, 3.7, 3.8, 3.9}, // intensifying
		{0.1, -0.2, 0.3, 0, 1, 0, 0.5, 0, 0, 0},          // nothing
	}
	got := EmergingHotSpots(z, 0.05, false)
	want := []Pattern{NewHot, IntensifyingHot, NoPattern}
	if !slices.Equal(got, want) {
		t.Errorf("EmergingHotSpots = %q, want %q", got, want)
	}
}

func TestSpearman(t *testing.T) {
	ref := loadReference(t)
	assertClose(t, "golden", []float64{Spearman(ref.SpearmanX, ref.SpearmanY)}, []float64{ref.Spearman}, tol)
	tests := []struct {
		name string
		x, y []float64
		want float64
	}{
		{"monotone", []float64{1, 2, 3, 4}, []float64{10, 20, 25, 1000}, 1},
		{"reversed", []float64{1, 2, 3, 4}, []float64{4, 3, 2, 1}, -1},
		// ranks x = 1 2 3 4 5, y = 2 1 4 3 5: d² sums to 4, ρ = 1 − 6·4/120.
		{"no ties", []float64{1, 2, 3, 4, 5}, []float64{20, 10, 40, 30, 50}, 0.8},
		{"constant", []float64{1, 2, 3}, []float64{7, 7, 7}, math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertClose(t, "rho", []float64{Spearman(tt.x, tt.y)}, []float64{tt.want}, 1e-12)
		})
	}
}

func TestColocationQuotient(t *testing.T) {
	ref := loadReference(t)
	line := [][]int{{1}, {0, 2}, {1}} // 0 - 1 - 2
	tests := []struct {
		name string
		a, b []float64
		nbrs [][]int
		want float64
	}{
		// By hand, a = (1, 0, 2), b = (0, 3, 1): N = 7. A in 0 has 3
		// neighbours, all B (1); A in 2 has 5, 4 of them B (0.8): mean
		// (1 + 2·0.8)/3 over 4/6 = 1.3. B in 1 has 6 neighbours, 3 A (0.5);
		// B in 2 has 5, 2 A (0.4): (3·0.5 + 0.4)/4 = 0.475 over 3/6 = 0.95.
		{"hand A→B", []float64{1, 0, 2}, []float64{0, 3, 1}, line, 1.3},
		{"hand B→A", []float64{0, 3, 1}, []float64{1, 0, 2}, line, 0.95},
		// Two A together at one end, B at the other: no B around any A.
		{"apart", []float64{2, 0, 0}, []float64{0, 0, 1}, line, 0},
		// An A alone in its neighbourhood has no neighbour: nothing to count.
		{"A alone", []float64{1, 0, 0}, []float64{0, 0, 1}, line, math.NaN()},
		// Same district only: A in 0 sees 3 B of 3 (1), A in 1 none (left
		// out); over 4/5 = 1.25.
		{"aspatial", []float64{1, 1, 0}, []float64{3, 0, 1}, [][]int{{}, {}, {}}, 1.25},
		// The same mix everywhere, A = (1, 1, 1), B = (2, 2, 2): A in 0 sees
		// 5 others, 4 B (0.8); in 1, 8 others, 6 B (0.75); in 2, 0.8: mean
		// 0.78333 over 6/8 = 1.0444 (an A does not count itself, so small
		// neighbourhoods hold relatively more B than the whole).
		{"mixed", []float64{1, 1, 1}, []float64{2, 2, 2}, line, (0.8 + 0.75 + 0.8) / 3 / 0.75},
		{"no B", []float64{1, 1, 0}, []float64{0, 0, 0}, line, math.NaN()},
		{"golden A→B", ref.CLQA, ref.CLQB, ref.Grid4Rook, ref.CLQAB},
		{"golden B→A", ref.CLQB, ref.CLQA, ref.Grid4Rook, ref.CLQBA},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertClose(t, "CLQ", []float64{ColocationQuotient(tt.a, tt.b, tt.nbrs)}, []float64{tt.want}, 1e-12)
		})
	}
}
