//go:build duckdb_arrow

package main

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ocmap/ocmap/pipeline/analysis"
	"github.com/ocmap/ocmap/pipeline/store"
)

// TestServeClasses checks the page's colour schemes by kind of metric:
// sequential quantiles for counts and rates (YlOrRd, as the static maps),
// diverging for change and trend z (RdBu), ArcGIS's hot and cold spot
// classes for Gi*, GeoDa's cluster colours for Local Moran, and "no
// population figure", not "no data", for a district with incidents but no
// census figure.
func TestServeClasses(t *testing.T) {
	nan := math.NaN()
	d := func(code string, incidents, pop int64, rate, change, trendZ, giZ float64, giBin int, lisaI float64, lisa string) analysis.District {
		return analysis.District{Code: code, Incidents: incidents, Population: pop, Rate: rate, EBRate: rate, Change: change,
			TrendZ: trendZ, GiZ: giZ, GiBin: giBin, LisaI: lisaI, Lisa: lisa}
	}
	a := &analysed{Result: &analysis.Result{Basis: "eb_rate", Districts: []analysis.District{
		d("A", 10, 1000, 1000, -60, -3, 3.1, 3, 0.5, "HH"),
		d("B", 0, 1000, 0, 0, 0, 0.1, 0, 0.1, ""),
		d("C", 5, 0, nan, 50, 1.7, nan, 0, nan, ""),  // incidents, no census figure
		d("D", 0, 0, nan, nan, 2.0, nan, 0, nan, ""), // no incidents, no census figure
		d("E", 2, 1000, 200, 20.5, -1.7, -2.0, -2, 0.3, "LL"),
		d("F", 1, 1000, 100, 5, 1.0, -1.7, -1, -0.2, "HL"),
	}}}
	tests := []struct {
		metric string
		want   []string // class label:fill per district A..F
	}{
		{"gi", []string{"hot spot 99%:#d62f27", "not significant:#ffffbf", "no population figure:#c6dbef", "no data:#d9d9d9",
			"cold spot 95%:#849eba", "cold spot 90%:#c0ccbe"}},
		{"lisa", []string{"high-high:#ff0000", "not significant:#eeeeee", "no population figure:#c6dbef", "no data:#d9d9d9",
			"low-low:#0000ff", "high-low:#f4ada8"}},
		{"change", []string{"≤ -50%:#2166ac", "-5 to 5%:#f7f7f7", "20 to 50%:#ef8a62", "no data:#d9d9d9", "20 to 50%:#ef8a62", "-5 to 5%:#f7f7f7"}},
		{"trend", []string{"falling, 99% (z ≤ -2.576):#2166ac", "no significant trend (z -1.645 to 1.645):#f7f7f7",
			"rising, 90% (z 1.645 to 1.96):#fddbc7", "rising, 95% (z 1.96 to 2.576):#ef8a62",
			"falling, 90% (z -1.96 to -1.645):#d1e5f0", "no significant trend (z -1.645 to 1.645):#f7f7f7"}},
		{"rate", []string{"", "", "no population figure:#c6dbef", "no data:#d9d9d9", "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.metric, func(t *testing.T) {
			mi := -1
			for i, m := range metrics {
				if m.name == tt.metric {
					mi = i
				}
			}
			legend, cls, err := classes(a, mi)
			if err != nil {
				t.Fatal(err)
			}
			for i, w := range tt.want {
				if w == "" {
					continue
				}
				if got := legend[cls[i]].Label + ":" + legend[cls[i]].Fill; got != w {
					t.Errorf("%s: %s, want %s", a.Districts[i].Code, got, w)
				}
			}
			n := 0
			for _, e := range legend {
				n += e.N
			}
			if n != len(a.Districts) {
				t.Errorf("the legend counts %d districts, want %d", n, len(a.Districts))
			}
		})
	}
	// Rates: quantile classes in YlOrRd, the highest darkest; 4 distinct
	// rates make 4 classes.
	rate := slices.IndexFunc(metrics, func(m struct {
		name, doc string
		value     func(d *analysis.District) float64
	}) bool {
		return m.name == "rate"
	})
	legend, cls, err := classes(a, rate)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range legend {
		got = append(got, fmt.Sprintf("%s:%s:%d", e.Label, e.Fill, e.N))
	}
	if got, want := strings.Join(got, " | "), "0.00:#ffffb2:1 | 0.01 – 100.00:#fecc5c:1 | 100.01 – 200.00:#fd8d3c:1 | 200.01 – 1000.00:#e31a1c:1 | "+
		"no data:#d9d9d9:1 | no population figure:#c6dbef:1"; got != want {
		t.Errorf("rate legend\n%s\nwant\n%s", got, want)
	}
	if got, want := legend[cls[0]].Fill, "#e31a1c"; got != want {
		t.Errorf("A (the highest rate) is filled %s, want %s", got, want)
	}
}

// TestServeCachedCells checks that the server's cells, read once and
// filtered in memory, are store.Cells's for every kind of filter.
func TestServeCachedCells(t *testing.T) {
	f := newPageFixture(t)
	ctx := context.Background()
	jan, mar := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	c := &cachedStore{st: f.st}
	for _, flt := range []store.CellFilter{{}, {Category: "cybercrime"}, {Province: "Punjab"}, {Province: "Sindh"},
		{From: mar}, {To: jan}, {Category: "drug_trafficking", From: jan, To: jan, Province: "Punjab"}, {Category: "human_trafficking"}} {
		want, err := f.st.Cells(ctx, flt)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Cells(ctx, flt)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%+v: cached cells\n%+v\nstore's\n%+v", flt, got, want)
		}
		if flt == (store.CellFilter{}) && len(want) != 9 {
			t.Errorf("the fixture has %d cells, want 9 (district, category, month with incidents)", len(want))
		}
	}
}
