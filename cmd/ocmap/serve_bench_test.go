//go:build duckdb_arrow

package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// demoPage builds the demo database (ocmap demo: 200,000 synthetic
// incidents on the real districts, with the census population) and serves
// it as 'ocmap serve' does. It needs the real boundaries (OCMAP_BOUNDARIES,
// set by make).
func demoPage(b *testing.B) *pageFixture {
	b.Helper()
	boundaries := os.Getenv("OCMAP_BOUNDARIES")
	if boundaries == "" {
		b.Skip("OCMAP_BOUNDARIES is not set (make sets it): the demo database needs the real districts")
	}
	dir := b.TempDir()
	b.Setenv("OCMAP_CACHE", filepath.Join(dir, "cache"))
	if code, stdout, stderr := ocmap("demo", "--out", dir); code != exitOK {
		b.Fatalf("demo: exit %d\n%s%s", code, stdout, stderr)
	}
	return startPage(b, filepath.Join(dir, "demo.duckdb"), boundaries)
}

func fetch(b *testing.B, url string) int {
	resp, err := http.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	return int(n)
}

// BenchmarkServeViews measures, on the demo database: the server's warm-up
// as it starts (the base map, and every district-month cell read into
// memory); each view's data as the page asks for it (/api/view.json) the
// first time (the analysis computed), for each metric and for all
// categories; the same before the warm-up is done (cells read from
// DuckDB); a view seen before or a change of metric only (from the cache);
// a district's panel; and the first view: the page, its scripts and
// styles, the controls, the base map and the first view's data, over HTTP,
// and in headless Chromium until the map is drawn and the page answers
// (skipped without chromium). Targets: a view's data under 200 ms, the
// first view under 1 s.
func BenchmarkServeViews(b *testing.B) {
	f := demoPage(b)
	cold := func() { f.srv.cache, f.srv.data = memo[*analysed]{}, cachedStore{st: f.st} }
	warm := func() {
		cold()
		if err := f.srv.warm(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	ms := func(b *testing.B, unit string) {
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), unit)
	}
	b.Run("warm-up", func(b *testing.B) {
		for b.Loop() {
			warm()
		}
		ms(b, "ms/warm-up")
	})
	warm()
	for _, m := range metrics {
		q := "/api/view.json?category=drug_trafficking&metric=" + m.name
		b.Run("view/"+m.name, func(b *testing.B) {
			for b.Loop() {
				f.srv.cache = memo[*analysed]{}
				fetch(b, f.ts.URL+q)
			}
			ms(b, "ms/view")
		})
	}
	b.Run("view/all-categories-gi", func(b *testing.B) {
		for b.Loop() {
			f.srv.cache = memo[*analysed]{}
			fetch(b, f.ts.URL+"/api/view.json?metric=gi")
		}
		ms(b, "ms/view")
	})
	b.Run("view/province-period-lisa", func(b *testing.B) {
		for b.Loop() {
			f.srv.cache = memo[*analysed]{}
			fetch(b, f.ts.URL+"/api/view.json?category=cybercrime&metric=lisa&province=Punjab&from=2023-01&to=2023-12&precision=2")
		}
		ms(b, "ms/view")
	})
	b.Run("view/before-warm-up", func(b *testing.B) {
		for b.Loop() {
			cold()
			fetch(b, f.ts.URL+"/api/view.json?metric=gi")
		}
		ms(b, "ms/view")
	})
	warm()
	b.Run("view/cached", func(b *testing.B) {
		fetch(b, f.ts.URL+"/api/view.json?category=cybercrime&metric=count")
		for b.Loop() {
			fetch(b, f.ts.URL+"/api/view.json?category=cybercrime&metric=eb_rate")
		}
		ms(b, "ms/view")
	})
	b.Run("district", func(b *testing.B) {
		for b.Loop() {
			fetch(b, f.ts.URL+"/api/district.json?code=PK601&from=2023-01&to=2024-12")
		}
		ms(b, "ms/panel")
	})
	b.Run("first-view-http", func(b *testing.B) {
		var bytes int
		for b.Loop() {
			f.srv.cache = memo[*analysed]{}
			bytes = 0
			for _, p := range []string{"/", "/static/vendor/leaflet-1.9.4/leaflet.css", "/static/page.css",
				"/static/vendor/leaflet-1.9.4/leaflet.js", "/static/page.js", "/api/meta.json", "/api/districts.geojson",
				"/api/view.json?category=all&metric=count&precision=4"} {
				bytes += fetch(b, f.ts.URL+p)
			}
		}
		ms(b, "ms/first-view")
		b.ReportMetric(float64(bytes)/1e6, "MB/first-view")
	})
	b.Run("first-view-chromium", func(b *testing.B) {
		ctx, _ := newBrowser(b)
		if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
			b.Fatal(err)
		}
		var total time.Duration
		var browserMS float64
		for b.Loop() {
			f.srv.cache = memo[*analysed]{}
			start := time.Now()
			err := chromedp.Do(ctx, chromedp.Navigate(f.ts.URL+"/?category=drug_trafficking&metric=eb_rate"),
				chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
					_, err := chromedp.Poll[bool](`document.body.getAttribute('data-views') === '1'`,
						chromedp.WithPollingInterval(5*time.Millisecond))(ctx, t)
					return err
				}))
			if err != nil {
				b.Fatal(err)
			}
			total += time.Since(start)
			v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.getAttribute('data-first-view-ms')`))
			if err != nil {
				b.Fatal(err)
			}
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				b.Fatalf("data-first-view-ms %q: %v", v, err)
			}
			browserMS += n
		}
		// The browser's own measure, from the start of navigation to the
		// first view drawn with its controls live, and the wall time
		// around it (chromedp's navigation and polling too).
		b.ReportMetric(browserMS/float64(b.N), "ms/first-view-in-browser")
		b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/first-view")
	})
}
