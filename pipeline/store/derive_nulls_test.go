//go:build duckdb_arrow

package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
)

// nullRec is a row that may lack what rec always has: an incident id, a
// district (placed to its province or the country only), a date, a source.
type nullRec struct {
	file             string
	id, code, source any // nil: NULL
	date             any
	prec             int
	lat, lon         any
}

// TestDeriveRunEqualsRebuildNulls is TestDeriveRunEqualsRebuild on rows
// with NULL incident ids, district codes, dates and sources (the source
// key is then the layout), incident ids repeated within a run and across
// runs, survivors of groups from several older runs, and runs that replace
// files: after each run the derived tables equal a rebuild's.
func TestDeriveRunEqualsRebuildNulls(t *testing.T) {
	rnd := rand.New(rand.NewPCG(14, 2))
	gen := func(run string, n int) []nullRec {
		var out []nullRec
		for i := range n {
			x := nullRec{file: fmt.Sprintf("%s:%03d", run, i), prec: 3,
				id: fmt.Sprintf("ID-%d", rnd.IntN(12)), code: []string{"PK001", "PK002"}[rnd.IntN(2)],
				source: []string{"ANF", "police", "press"}[rnd.IntN(3)],
				date:   fmt.Sprintf("2023-%02d-%02d", 1+rnd.IntN(2), 1+rnd.IntN(28))}
			if rnd.IntN(4) == 0 {
				x.id = nil
			}
			if rnd.IntN(5) == 0 {
				x.code, x.prec = nil, []int{4, 6}[rnd.IntN(2)]
			}
			if rnd.IntN(8) == 0 {
				x.date = nil
			}
			if rnd.IntN(4) == 0 {
				x.source = nil
			}
			if x.code != nil && rnd.IntN(3) > 0 {
				x.lat, x.lon, x.prec = 30.5+0.02*rnd.Float64(), 70.5+0.02*rnd.Float64(), 1
			}
			out = append(out, x)
		}
		return out
	}
	files := func(recs []nullRec, idx ...int) []string {
		var out []string
		for _, i := range idx {
			out = append(out, recs[i].file)
		}
		return out
	}
	r1, r2, r3 := gen("r1", 40), gen("r2", 30), gen("r3", 30)
	runs := []struct {
		recs    []nullRec
		replace []string
	}{
		{recs: r1},
		{recs: r2},
		{recs: r3, replace: files(r1, 0, 1, 2, 3, 4, 5, 6, 7)},
		{recs: gen("r4", 25), replace: append(files(r2, 0, 1, 2, 3, 4, 5), files(r1, 10, 11, 12)...)},
		{recs: gen("r5", 10)},
		{recs: nil, replace: files(r3, 0, 1, 2, 3)},
	}
	ctx := context.Background()
	st := openTestStore(t, "nulls.duckdb", Options{Threads: 2})
	for i, run := range runs {
		var files []string
		for _, x := range run.recs {
			files = append(files, x.file)
		}
		commitRun(t, st, len(run.recs), append(files, run.replace...), func(r *Run) {
			for _, x := range run.recs {
				if _, err := r.conn.ExecContext(ctx, `INSERT INTO incidents
					(incident_id, category, occurred_on, lat, lon, source, quantity, source_file, source_line, run_id, district_code, location_precision)
					VALUES (?, 'drug_trafficking', CAST(? AS DATE), ?, ?, ?, 10, ?, 2, ?, ?, ?)`,
					x.id, x.date, x.lat, x.lon, x.source, x.file, r.ID, x.code, x.prec); err != nil {
					t.Fatal(err)
				}
			}
		})
		checkEqualsRebuild(t, st, i+1)
	}
	// The data mean something: groups of several runs, cells without a
	// district or a month, and rows without an id or a source in groups.
	var multiRun, nullCells, nullIDs, nullSources int64
	if err := st.db.QueryRow(`SELECT
		(SELECT count(*) FROM (SELECT group_id FROM incident_groups GROUP BY group_id HAVING count(DISTINCT run_id) > 1)),
		(SELECT count(*) FROM district_month WHERE district_code IS NULL OR month IS NULL),
		(SELECT count(*) FROM incidents i JOIN incident_groups g USING (run_id, source_file, source_line) WHERE i.incident_id IS NULL),
		(SELECT count(*) FROM incidents i JOIN incident_groups g USING (run_id, source_file, source_line) WHERE i.source IS NULL)`).
		Scan(&multiRun, &nullCells, &nullIDs, &nullSources); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d groups across runs, %d cells without district or month, %d grouped rows without id, %d without source", multiRun, nullCells, nullIDs, nullSources)
	if multiRun < 3 || nullCells < 2 || nullIDs < 3 || nullSources < 3 {
		t.Errorf("the data do not exercise the NULL cases: %d, %d, %d, %d", multiRun, nullCells, nullIDs, nullSources)
	}
}
