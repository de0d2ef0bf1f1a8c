//go:build duckdb_arrow

package synth_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/internal/testdb"
	"github.com/ocmap/ocmap/pipeline"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/pipeline/synth"
	"github.com/ocmap/ocmap/schemas"
)

// TestLinkerFindsDuplicates ingests a file with duplicates and checks that
// the linker puts nearly every duplicate in the group of the row it
// repeats, and no group holds more records than there are sources. The
// few it misses are a date window away from another report of the
// cluster the original joined, or lose their place to a chance neighbour
// of their source that fits better: more often since gen writes
// realistic mixes (half the drug seizures are hashish of about 2 kg, and
// cyber offences other than fraud carry no amount to tell them apart), 32
// of 1,974 with seed 21.
func TestLinkerFindsDuplicates(t *testing.T) {
	b := grid(t, 4)
	for _, tc := range []struct {
		name   string
		opt    synth.Options
		missed int // duplicates at most not linked
	}{
		{"points", synth.Options{Rows: 20000, Seed: 21, Sources: 10, DupRate: 0.1}, 40},
		{"names", synth.Options{Rows: 4000, Seed: 22, Sources: 3, DupRate: 0.2, NameOnly: 0.5}, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs, st := generate(t, b, tc.opt)
			dir := t.TempDir()
			in := filepath.Join(dir, "multi.csv")
			f, err := os.Create(in)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := synth.Generate(f, b, geo.NewIndex(b.Polygons), tc.opt); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			db := filepath.Join(dir, "multi.duckdb")
			rep, err := pipeline.Ingest(context.Background(), pipeline.Config{DB: db, Boundaries: b, Inputs: []string{in}, Version: "test"})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := rep.Rejected, int64(st.Bad); got != want {
				t.Errorf("%d rejected, want %d", got, want)
			}
			s, err := store.OpenReadOnly(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			rows, err := s.DB().Query(`SELECT source, incident_id, group_id FROM incidents
				JOIN incident_groups USING (run_id, source_file, source_line)`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			type key struct{ source, id string }
			group := map[key]int64{}
			for rows.Next() {
				var k key
				var g int64
				if err := rows.Scan(&k.source, &k.id, &g); err != nil {
					t.Fatal(err)
				}
				group[k] = g
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			var linked int
			for _, p := range st.Pairs {
				a, d := recs[p.Orig-1], recs[p.Dup-1]
				ga, oka := group[key{a[schemas.ColSource], a[schemas.ColIncidentID]}]
				gd, okd := group[key{d[schemas.ColSource], d[schemas.ColIncidentID]}]
				if oka && okd && ga == gd {
					linked++
				} else if linked < 5 {
					t.Logf("pair %v not linked:\n%q\n%q", p, a, d)
				}
			}
			if got, want := linked, st.Dups-tc.missed; got < want {
				t.Errorf("%d of %d duplicates linked to the row they repeat, want %d at least", got, st.Dups, want)
			}
			var biggest int
			if err := s.DB().QueryRow(`SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM incident_groups GROUP BY group_id)`).
				Scan(&biggest); err != nil {
				t.Fatal(err)
			}
			if biggest > tc.opt.Sources {
				t.Errorf("a group of %d records from %d sources", biggest, tc.opt.Sources)
			}
			t.Logf("%d duplicates, %d rows in groups", st.Dups, len(group))
			// Rows grouped beyond the pairs are chance neighbours of other
			// sources; they stay a minority.
			if got, most := len(group), 3*st.Dups; got > most {
				t.Errorf("%d rows in groups, want at most %d for %d duplicates", got, most, st.Dups)
			}
		})
	}
}

// TestCumulativeReturnKeepsIncidents ingests a multi-source file in parts
// that overlap, as agencies send cumulative returns (January, then
// January to June) or repeat last month's rows: a record of the overlap
// comes twice, and the second copy is the same incident as the first (same
// source and id). The incidents must be those of the file ingested once. A
// copy that joined the sweep started a cluster beside its first (one
// record per source), gathered a neighbouring incident's records, and the
// same-id link merged the two (78 of 775 cells wrong). The first case
// recomputes everything on its second run; the second updates for the
// run's rows (its runs are small against the database).
func TestCumulativeReturnKeepsIncidents(t *testing.T) {
	b := grid(t, 4)
	opt := synth.Options{Rows: 20000, Seed: 23, Sources: 10, DupRate: 0.1, Months: 12}
	var buf bytes.Buffer
	if _, err := synth.Generate(&buf, b, geo.NewIndex(b.Polygons), opt); err != nil {
		t.Fatal(err)
	}
	// gen writes some bad rows on purpose (too few fields, say): they are
	// rejected in every database.
	cr := csv.NewReader(&buf)
	cr.FieldsPerRecord, cr.LazyQuotes = -1, true
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header, rows := recs[0], recs[1:]
	dir := t.TempDir()
	write := func(name string, lo, hi float64) string {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		w := csv.NewWriter(f)
		w.WriteAll(append([][]string{header}, rows[int(lo*float64(len(rows))):int(hi*float64(len(rows)))]...))
		if err := errors.Join(w.Error(), f.Close()); err != nil {
			t.Fatal(err)
		}
		return path
	}
	ingest := func(db string, inputs ...string) {
		for _, in := range inputs {
			if _, err := pipeline.Ingest(context.Background(), pipeline.Config{DB: db, Boundaries: b, Inputs: []string{in}, Version: "test"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	const cells = `SELECT district_code, category, month, incidents, quantity, amount_pkr FROM district_month ORDER BY ALL`
	dump := func(db string, fn func(db *sql.DB)) {
		s, err := store.OpenReadOnly(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		fn(s.DB())
	}
	once := filepath.Join(dir, "once.duckdb")
	ingest(once, write("all.csv", 0, 1))
	var want []string
	dump(once, func(db *sql.DB) { want = testdb.Rows(t, db, cells) })
	for _, tc := range []struct {
		name     string
		parts    [][2]float64
		minTwins int64
	}{
		{"half then the whole", [][2]float64{{0, 0.5}, {0, 1}}, 9000},
		{"overlapping months", [][2]float64{{0, 0.8}, {0.7, 0.9}, {0.85, 1}}, 2500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := filepath.Join(dir, tc.name+".duckdb")
			for i, p := range tc.parts {
				ingest(db, write(fmt.Sprintf("%s-%d.csv", tc.name, i), p[0], p[1]))
			}
			var got []string
			var twins int64
			dump(db, func(db *sql.DB) {
				got = testdb.Rows(t, db, cells)
				if err := db.QueryRow(`SELECT count(*) FROM sweep_twins`).Scan(&twins); err != nil {
					t.Fatal(err)
				}
			})
			if twins < tc.minTwins {
				t.Errorf("%d twins, want at least %d", twins, tc.minTwins)
			}
			if len(got) != len(want) {
				t.Fatalf("%d cells, want %d", len(got), len(want))
			}
			differ := 0
			for i := range got {
				if got[i] != want[i] {
					if differ < 5 {
						t.Errorf("cell\n got %s\nwant %s", got[i], want[i])
					}
					differ++
				}
			}
			if differ > 0 {
				t.Errorf("%d of %d cells differ from the file ingested once", differ, len(got))
			}
		})
	}
}
