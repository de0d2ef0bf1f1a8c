package synth_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/pipeline/synth"
	"github.com/ocmap/ocmap/schemas"
)

// grid returns n x n square districts of 0.5 degrees from 66 E, 27 N,
// named "Dist Aa", "Dist Ab", ...
func grid(t testing.TB, n int) *geo.Boundaries {
	t.Helper()
	var fs []string
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			x, y := 66+0.5*float64(i), 27+0.5*float64(j)
			fs = append(fs, fmt.Sprintf(`{"type":"Feature","properties":{"ADM2_PCODE":"PK%d%d","ADM2_EN":"Dist %c%c","ADM1_EN":"Sindh"},
 "geometry":{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}}`,
				i, j, 'A'+i, 'a'+j, x, y, x+0.5, y, x+0.5, y+0.5, x, y+0.5, x, y))
		}
	}
	b, err := geo.Read(strings.NewReader(`{"type":"FeatureCollection","features":[`+strings.Join(fs, ",")+`]}`), "grid", geo.Properties{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// generate returns the file's records, without the header, and the stats.
func generate(t testing.TB, b *geo.Boundaries, opt synth.Options) ([][]string, synth.Stats) {
	t.Helper()
	var buf bytes.Buffer
	st, err := synth.Generate(&buf, b, geo.NewIndex(b.Polygons), opt)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(&buf)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(recs)-1, st.Rows; got != want {
		t.Fatalf("%d records, stats say %d", got, want)
	}
	return recs[1:], st
}

// good says whether a record is one an ingest accepts, by the ways the
// generator spoils rows.
func good(b *geo.Boundaries, rec []string) bool {
	if len(rec) != schemas.NumCanonical {
		return false
	}
	if _, err := time.Parse("2006-01-02", rec[schemas.ColOccurredOn]); err != nil {
		return false
	}
	if _, ok := schemas.ParseCategory(rec[schemas.ColCategory]); !ok {
		return false
	}
	if strings.HasPrefix(rec[schemas.ColQuantity], "-") {
		return false
	}
	if rec[schemas.ColLat] == "" {
		return b.LookupName(rec[schemas.ColDistrictHint]) >= 0
	}
	return rec[schemas.ColLat] != "0.5"
}

func TestSourceShares(t *testing.T) {
	b := grid(t, 5)
	for _, tc := range []struct {
		name    string
		sources int
		dupRate float64
	}{
		{"two sources", 2, 0},
		{"ten sources", 10, 0},
		{"ten sources with duplicates", 10, 0.1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs, st := generate(t, b, synth.Options{Rows: 40000, Seed: 11, Sources: tc.sources, DupRate: tc.dupRate})
			dup := map[int]bool{}
			for _, p := range st.Pairs {
				dup[p.Dup] = true
			}
			index := map[string]int{}
			for i, a := range synth.Agencies[:tc.sources] {
				index[a.Name] = i
			}
			all := make([][schemas.NumCategories]int, tc.sources)   // good rows
			first := make([][schemas.NumCategories]int, tc.sources) // good rows that are no duplicate
			for i, rec := range recs {
				if !good(b, rec) {
					continue
				}
				s, ok := index[rec[schemas.ColSource]]
				if !ok {
					t.Fatalf("row %d: source %q", i+1, rec[schemas.ColSource])
				}
				c, _ := schemas.ParseCategory(rec[schemas.ColCategory])
				all[s][c]++
				if !dup[i+1] {
					first[s][c]++
				}
			}
			if got, want := fmt.Sprint(all), fmt.Sprint(st.PerSource); got != want {
				t.Errorf("rows per source and category %s, stats say %s", got, want)
			}
			var weight float64
			for _, a := range synth.Agencies[:tc.sources] {
				weight += a.Weight
			}
			var total int
			for s := range first {
				for _, n := range first[s] {
					total += n
				}
			}
			for s, a := range synth.Agencies[:tc.sources] {
				var n int
				for _, k := range first[s] {
					n += k
				}
				if got, want := float64(n)/float64(total), a.Weight/weight; math.Abs(got-want) > 0.01 {
					t.Errorf("%s: %.3f of the rows, want %.3f", a.Name, got, want)
				}
				for c, want := range a.Shares {
					got := float64(first[s][c]) / float64(n)
					if math.Abs(got-want) > 0.03 {
						t.Errorf("%s: %s %.3f of its rows, want %.3f", a.Name, schemas.Category(c), got, want)
					}
					// Not even a duplicate comes from an agency that never
					// reports the category.
					if want == 0 && all[s][c] != 0 {
						t.Errorf("%s: %d %s rows, want none", a.Name, all[s][c], schemas.Category(c))
					}
				}
			}
		})
	}
}

func TestOneSource(t *testing.T) {
	recs, st := generate(t, grid(t, 3), synth.Options{Rows: 2000, Seed: 3})
	for i, rec := range recs {
		if len(rec) > schemas.ColSource && rec[schemas.ColSource] != "synthetic" {
			t.Fatalf("row %d: source %q, want synthetic", i+1, rec[schemas.ColSource])
		}
	}
	if got, want := fmt.Sprint(len(st.PerSource), st.Dups, len(st.Pairs)), "1 0 0"; got != want {
		t.Errorf("sources, dups, pairs = %s, want %s", got, want)
	}
	var sum int
	for _, n := range st.PerSource[0] {
		sum += n
	}
	if got, want := sum, st.Rows-st.Bad; got != want {
		t.Errorf("%d good rows per source, want %d", got, want)
	}
}

// TestDuplicates checks every duplicate against the row it repeats.
func TestDuplicates(t *testing.T) {
	b := grid(t, 4)
	ix := geo.NewIndex(b.Polygons)
	for _, tc := range []struct {
		name    string
		opt     synth.Options
		minDups int // at least, of rows*rate
	}{
		{"two sources", synth.Options{Rows: 20000, Seed: 5, Sources: 2, DupRate: 0.05}, 950},
		{"ten sources", synth.Options{Rows: 20000, Seed: 6, Sources: 10, DupRate: 0.2}, 3900},
		{"many names", synth.Options{Rows: 5000, Seed: 7, Sources: 10, DupRate: 0.3, NameOnly: 0.5}, 1450},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs, st := generate(t, b, tc.opt)
			if got, want := len(st.Pairs), st.Dups; got != want {
				t.Errorf("%d pairs, %d duplicates", got, want)
			}
			// The rate holds, except where no earlier event waits.
			if got, most := st.Dups, int(float64(tc.opt.Rows)*tc.opt.DupRate*1.05); got < tc.minDups || got > most {
				t.Errorf("%d duplicates, want %d to %d", got, tc.minDups, most)
			}
			district := func(rec []string) int {
				if rec[schemas.ColLat] == "" {
					return b.LookupName(rec[schemas.ColDistrictHint])
				}
				return ix.Locate(point(t, rec))
			}
			seen := map[int]bool{}
			var names int
			for _, p := range st.Pairs {
				if p.Orig >= p.Dup || seen[p.Orig] || seen[p.Dup] {
					t.Fatalf("pair %v: rows out of order or in two pairs", p)
				}
				seen[p.Orig], seen[p.Dup] = true, true
				a, d := recs[p.Orig-1], recs[p.Dup-1]
				if !good(b, a) || !good(b, d) {
					t.Fatalf("pair %v: a bad row", p)
				}
				if a[schemas.ColSource] == d[schemas.ColSource] {
					t.Errorf("pair %v: one source %q", p, a[schemas.ColSource])
				}
				for _, col := range []int{schemas.ColCategory, schemas.ColSubcategory} {
					if a[col] != d[col] {
						t.Errorf("pair %v: %s %q and %q", p, schemas.CanonicalColumns[col], a[col], d[col])
					}
				}
				if da, dd := district(a), district(d); da != dd || da < 0 {
					t.Errorf("pair %v: districts %d and %d", p, da, dd)
				}
				ta, _ := time.Parse("2006-01-02", a[schemas.ColOccurredOn])
				td, _ := time.Parse("2006-01-02", d[schemas.ColOccurredOn])
				if days := math.Abs(td.Sub(ta).Hours() / 24); days > 3 {
					t.Errorf("pair %v: %g days apart", p, days)
				}
				if (a[schemas.ColLat] == "") != (d[schemas.ColLat] == "") {
					t.Errorf("pair %v: one has a point", p)
				} else if a[schemas.ColLat] != "" {
					if km := synth.Km(point(t, a), point(t, d)); km > 1 {
						t.Errorf("pair %v: %.3f km apart", p, km)
					}
				} else {
					names++
					if a[schemas.ColDistrictHint] == d[schemas.ColDistrictHint] {
						t.Errorf("pair %v: the district spelled %q twice", p, a[schemas.ColDistrictHint])
					}
				}
				for _, col := range []int{schemas.ColQuantity, schemas.ColAmountPKR} {
					if (a[col] == "") != (d[col] == "") {
						t.Errorf("pair %v: %s %q and %q", p, schemas.CanonicalColumns[col], a[col], d[col])
						continue
					}
					if a[col] == "" {
						continue
					}
					x, _ := strconv.ParseFloat(a[col], 64)
					y, _ := strconv.ParseFloat(d[col], 64)
					if r := min(x, y) / max(x, y); !(r >= 0.8) {
						t.Errorf("pair %v: %s %s and %s, ratio %.3f", p, schemas.CanonicalColumns[col], a[col], d[col], r)
					}
				}
			}
			if tc.opt.NameOnly > 0 && names < st.Dups/3 {
				t.Errorf("%d of %d duplicates by district name, want a third or more", names, st.Dups)
			}
		})
	}
}

func point(t *testing.T, rec []string) orb.Point {
	lat, err1 := strconv.ParseFloat(rec[schemas.ColLat], 64)
	lon, err2 := strconv.ParseFloat(rec[schemas.ColLon], 64)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	return orb.Point{lon, lat}
}

func TestOptions(t *testing.T) {
	b := grid(t, 2)
	for _, tc := range []struct {
		name string
		opt  synth.Options
	}{
		{"too many sources", synth.Options{Rows: 10, Sources: len(synth.Agencies) + 1}},
		{"negative sources", synth.Options{Rows: 10, Sources: -1}},
		{"duplicates of one source", synth.Options{Rows: 10, Sources: 1, DupRate: 0.1}},
		{"rate above one half", synth.Options{Rows: 10, Sources: 3, DupRate: 0.6}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := synth.Generate(io.Discard, b, geo.NewIndex(b.Polygons), tc.opt)
			if !errors.Is(err, synth.ErrOptions) {
				t.Errorf("err = %v, want %v", err, synth.ErrOptions)
			}
		})
	}
}
