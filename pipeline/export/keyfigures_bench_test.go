//go:build duckdb_arrow

package export

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/pipeline"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/pipeline/synth"
)

// BenchmarkAuditKeyFigures measures what the report's key figures (the
// previous period's national counts, audited with the release) add to the
// disclosure audit of an export of 2024 from the demo's database (200,000
// synthetic incidents on the real boundaries, with the census population
// when OCMAP_SHARED_DATA has it), without and with two earlier releases
// whose periods overlap it (2023, and July 2023 to June 2024). It times
// suppress, the audit, alone: loading and drawing are the same either way.
func BenchmarkAuditKeyFigures(b *testing.B) {
	path := os.Getenv("OCMAP_BOUNDARIES")
	if path == "" {
		b.Skip("OCMAP_BOUNDARIES is not set")
	}
	bd, err := geo.Load(path, geo.Properties{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	dir := b.TempDir()
	in := filepath.Join(dir, "incidents.csv")
	f, err := os.Create(in)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := synth.Generate(f, bd, geo.NewIndex(bd.Polygons), synth.Options{Rows: 200000, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	f.Close()
	pop := ""
	if s := os.Getenv("OCMAP_SHARED_DATA"); s != "" {
		if p := filepath.Join(s, "population", "pak_district_population.csv"); fileExists(p) {
			pop = p
		}
	}
	db := filepath.Join(dir, "demo.duckdb")
	if _, err := pipeline.Ingest(ctx, pipeline.Config{DB: db, Boundaries: bd, Inputs: []string{in}, Population: pop,
		Store: store.Options{MemoryLimit: "256MB"}}); err != nil {
		b.Fatal(err)
	}
	month := func(y, m int) time.Time { return time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC) }
	for i, p := range [][2]time.Time{{month(2023, 1), month(2023, 12)}, {month(2023, 7), month(2024, 6)}} {
		if _, err := Export(ctx, Options{DB: db, Out: filepath.Join(dir, "out", string(rune('a'+i))), Boundaries: bd, From: p[0], To: p[1]}); err != nil {
			b.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name         string
		earlier, key bool
	}{
		{"no earlier releases/without key figures", false, false},
		{"no earlier releases/with key figures", false, true},
		{"2 overlapping releases/without key figures", true, false},
		{"2 overlapping releases/with key figures", true, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			st, err := store.OpenExport(ctx, db)
			if err != nil {
				b.Fatal(err)
			}
			opt, err := Options{DB: db, Boundaries: bd, From: month(2024, 1), To: month(2024, 12), keyFigures: tc.key}.withDefaults()
			if err != nil {
				b.Fatal(err)
			}
			d, err := load(ctx, st, opt)
			st.Close()
			if err != nil {
				b.Fatal(err)
			}
			if !tc.earlier {
				d.earlier = nil
			}
			for b.Loop() {
				d.suppress()
			}
			b.ReportMetric(float64(len(d.release.Figures())), "figures")
			b.ReportMetric(float64(len(d.release.Relations())), "relations")
		})
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
