//go:build duckdb_arrow

package pipeline_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/ocmap/ocmap/pipeline"
)

// TestPlaceholderPoints: one point given for rows whose names lie in Alpha
// and Beta is a placeholder, and its rows are placed by their names; a
// point that only Beta's names contradict keeps winning; another file's
// rows at the same point are not touched.
func TestPlaceholderPoints(t *testing.T) {
	f := newFixture(t)
	rows := []string{
		"P1,cybercrime,hacking,2023-01-05,30.2,70.2,Alpha,FIA,,,",    // 2: agrees with the point, which is a placeholder
		"P2,cybercrime,hacking,2023-01-06,30.2,70.2,Beta,FIA,,,",     // 3: Beta by name
		"P3,cybercrime,hacking,2023-01-07,30.2,70.2,,FIA,,,",         // 4: no name: the point's province
		"P4,cybercrime,hacking,2023-01-08,30.2,70.2,Atlantis,FIA,,,", // 5: unknown name: the point's province
		"Q1,cybercrime,hacking,2023-01-09,30.7,70.7,Beta,FIA,,,",     // 6: only Beta contradicts: the point wins
		"Q2,cybercrime,hacking,2023-01-10,30.7,70.7,beta,FIA,,,",     // 7: the same
		"R1,cybercrime,hacking,2023-01-11,30.5,71.5,Beta,FIA,,,",     // 8: agrees, alone at its point
	}
	in := writeFile(t, f.dir, "points.csv", header+"\n"+strings.Join(rows, "\n")+"\n")
	other := writeFile(t, f.dir, "other.csv", header+"\nO1,cybercrime,hacking,2023-01-12,30.2,70.2,Alpha,FIA,,,\n")
	rep := f.ingest(t, in, other)
	if rep.Placeholders != 4 {
		t.Errorf("%d rows placed anew, want 4 (P1-P4)", rep.Placeholders)
	}
	query(t, f.db, func(db *sql.DB) {
		got := map[string]string{}
		r, err := db.Query(`SELECT incident_id, coalesce(district_name, '-'), province, location_precision, match_method, coalesce(location_note, '')
			FROM incidents ORDER BY incident_id`)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		for r.Next() {
			var id, name, prov, method, note string
			var prec int
			if err := r.Scan(&id, &name, &prov, &prec, &method, &note); err != nil {
				t.Fatal(err)
			}
			got[id] = fmt.Sprintf("%s %s %d %s", name, prov, prec, method)
			if strings.HasPrefix(id, "P") && !strings.Contains(note, "the point (30.2000, 70.2000) is given to 4 rows of this file whose names lie in 2 districts (Alpha, Beta)") {
				t.Errorf("%s: note %q", id, note)
			}
		}
		for id, want := range map[string]string{
			"P1": "Alpha North 3 exact",
			"P2": "Beta South 3 exact",
			"P3": "- North 4 province",
			"P4": "- North 4 province",
			"Q1": "Alpha North 1 point",
			"Q2": "Alpha North 1 point",
			"R1": "Beta South 1 point",
			"O1": "Alpha North 1 point",
		} {
			if got[id] != want {
				t.Errorf("%s: %q, want %q", id, got[id], want)
			}
		}
		// The summaries count the rows where they now are.
		if got, want := scanInt(t, db, `SELECT sum(incidents) FROM district_month WHERE district_code = 'PK002'`), int64(2); got != want {
			t.Errorf("Beta: %d incidents, want %d (P2, R1)", got, want)
		}
		if got, want := scanInt(t, db, `SELECT sum(by_province) FROM district_month WHERE district_code IS NULL AND province = 'North'`), int64(2); got != want {
			t.Errorf("North, no district: %d incidents, want %d (P3, P4)", got, want)
		}
	})
}

// BenchmarkPlaceholderPoints ingests 100,000 rows at 1,000 points whose
// names alternate between Alpha and Beta, the worst case: every row is at
// a placeholder point and placed anew. placeholder-ms is that pass alone.
func BenchmarkPlaceholderPoints(b *testing.B) {
	f := newFixture(b)
	var sb strings.Builder
	sb.WriteString(header + "\n")
	const rows, points = 100000, 1000
	for i := range rows {
		p := i % points
		name := [2]string{"Alpha", "Beta"}[i/points%2]
		fmt.Fprintf(&sb, "X%d,cybercrime,hacking,2023-01-05,%.4f,%.4f,%s,FIA,,,\n", i, 30.1+float64(p/40)*0.03, 70.1+float64(p%40)*0.02, name)
	}
	in := writeFile(b, f.dir, "points.csv", sb.String())
	var spent int64
	i := 0
	for b.Loop() {
		cfg := f.config(in)
		cfg.DB = fmt.Sprintf("%s/bench-%d.duckdb", f.dir, i)
		i++
		rep, err := pipeline.Ingest(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Placeholders != rows {
			b.Fatalf("%d rows placed anew, want %d", rep.Placeholders, rows)
		}
		spent += rep.Timings.Placeholders.Milliseconds()
	}
	b.ReportMetric(float64(spent)/float64(b.N), "placeholder-ms")
}
