//go:build duckdb_arrow

package store

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/ocmap/ocmap/schemas"
)

// TestDisputedPoints: rows of this run at points where some row's name
// disagrees come in chunks of whole points, agreeing rows included; other
// points, other files' rows at the same point and earlier runs are left
// out; Replace moves the rows it is given.
func TestDisputedPoints(t *testing.T) {
	defer func(n int) { chunkRows = n }(chunkRows)
	chunkRows = 3
	ctx := context.Background()
	st := openTestStore(t, "points.duckdb", Options{Threads: 2})
	r, err := st.BeginRun(ctx, groupBoundaries)
	if err != nil {
		t.Fatal(err)
	}
	const kept = "the point is in Alpha but the name \"Beta\" is Beta" + schemas.NotePointKept
	for _, x := range []struct {
		file     string
		line     int
		lon, lat float64
		hint     string
		note     string
		run      int64
	}{
		{"a.csv", 2, 70.2, 30.2, "Alpha", "", r.ID},
		{"a.csv", 3, 70.2, 30.2, "Beta", kept, r.ID},
		{"a.csv", 4, 70.2, 30.2, "", "", r.ID},
		{"a.csv", 5, 70.4, 30.4, "Beta", kept, r.ID},
		{"a.csv", 6, 70.4, 30.4, "Alpha", "", r.ID},
		{"a.csv", 7, 70.6, 30.6, "Alpha", "", r.ID},      // no dispute at this point
		{"b.csv", 2, 70.2, 30.2, "Alpha", "", r.ID},      // another file
		{"a.csv", 9, 70.2, 30.2, "Beta", kept, r.ID - 1}, // an earlier run
	} {
		if _, err := r.conn.ExecContext(ctx, `INSERT INTO incidents (incident_id, category, occurred_on, lat, lon, district_hint,
			district_code, district_name, province, location_precision, match_method, match_score, location_note, source_file, source_line, run_id)
			VALUES ('I', 'cybercrime', DATE '2023-01-01', ?, ?, ?, 'PK001', 'Alpha', 'North', 1, 'point', 1, ?, ?, ?, ?)`,
			x.lat, x.lon, nullString(x.hint), nullString(x.note), x.file, x.line, x.run); err != nil {
			t.Fatal(err)
		}
	}
	var calls []string
	err = r.DisputedPoints(ctx, func(rows []PointRow) error {
		s := ""
		for _, p := range rows {
			s += fmt.Sprintf("%s:%d %.1f %q; ", p.File, p.Line, p.Lon, p.Hint)
		}
		calls = append(calls, s)
		// Move every row handed over to Beta, by name.
		var reps []Replacement
		for _, p := range rows {
			reps = append(reps, Replacement{Table: p.Table, File: p.File, Line: p.Line, District: "PK002", DistrictName: "Beta",
				Province: "South", Precision: schemas.PrecisionDistrict, Method: schemas.MethodExact, Score: 1, Note: "moved"})
		}
		return r.Replace(ctx, reps)
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`a.csv:2 70.2 "Alpha"; a.csv:3 70.2 "Beta"; a.csv:4 70.2 ""; `,
		`a.csv:5 70.4 "Beta"; a.csv:6 70.4 "Alpha"; `,
	}
	if !reflect.DeepEqual(calls, want) {
		t.Errorf("chunks:\n%q\nwant\n%q", calls, want)
	}
	rows, err := r.conn.QueryContext(ctx, `SELECT source_file || ':' || source_line || ' ' || district_code || ' ' || location_precision
		FROM incidents ORDER BY source_file, run_id, source_line`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		got = append(got, s)
	}
	rows.Close()
	wantRows := []string{"a.csv:9 PK001 1", "a.csv:2 PK002 3", "a.csv:3 PK002 3", "a.csv:4 PK002 3", "a.csv:5 PK002 3",
		"a.csv:6 PK002 3", "a.csv:7 PK001 1", "b.csv:2 PK001 1"}
	if !reflect.DeepEqual(got, wantRows) {
		t.Errorf("after Replace:\n%q\nwant\n%q", got, wantRows)
	}
	r.Rollback()
}
