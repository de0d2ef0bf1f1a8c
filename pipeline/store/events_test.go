//go:build duckdb_arrow

package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestEventCells: context events become cells per district, province,
// type and month, with killed and injured summed over the events the
// precision filter keeps, and the period's last month counted whole.
func TestEventCells(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t, "events.duckdb", Options{Threads: 2})
	r, err := st.BeginRun(ctx, groupBoundaries)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range []struct {
		typ, day, code, province, source string
		prec                             int
		killed, injured                  any
	}{
		{"suicide_attack", "2024-01-05", "PK001", "North", "PBC", 1, 5, 10},
		{"suicide_attack", "2024-01-31", "PK001", "North", "PBC", 3, 2, nil}, // injured unknown: 0 in the sums
		{"suicide_attack", "2024-02-29", "PK002", "South", "", 1, 1, 1},      // the last day of the period
		{"suicide_attack", "2024-03-01", "PK002", "South", "PBC", 1, 7, 7},   // after it
		{"suicide_attack", "2024-01-09", "", "South", "PBC", 4, 3, 0},        // in the province only
		{"attack_on_politician", "2024-01-10", "PK001", "North", "PBC", 1, 1, 0},
	} {
		var code any
		if x.code != "" {
			code = x.code
		}
		if _, err := r.conn.ExecContext(ctx, `INSERT INTO context_events (incident_id, event_type, occurred_on, district_code, province,
			location_precision, killed, injured, source, layout, source_file, source_line, run_id)
			VALUES (?, ?, CAST(? AS DATE), ?, ?, ?, ?, ?, ?, 'test-layout', 'ev.csv', ?, ?)`,
			fmt.Sprint("E", i), x.typ, x.day, code, x.province, x.prec, x.killed, x.injured, x.source, i+2, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Commit(ctx, "[]", 6, 6, 0, "test"); err != nil {
		t.Fatal(err)
	}
	types, err := st.EventTypes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(types), "[attack_on_politician suicide_attack]"; got != want {
		t.Errorf("EventTypes = %s, want %s", got, want)
	}
	feb := time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	jan := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	show := func(cells []Cell) string {
		var out string
		for _, c := range cells {
			out += fmt.Sprintf("%s/%s %s %s: %d events, %d killed, %d injured, by precision %v\n", c.District, c.Province, c.Category,
				c.Month.Format("2006-01"), c.Incidents, c.Killed, c.Injured, c.ByPrecision)
		}
		return out
	}
	cells, err := st.EventCells(ctx, CellFilter{Category: "suicide_attack", From: jan, To: feb}, 4)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := show(cells), "/South suicide_attack 2024-01: 1 events, 3 killed, 0 injured, by precision [0 0 0 1 0]\n"+
		"PK001/North suicide_attack 2024-01: 2 events, 7 killed, 10 injured, by precision [1 0 1 0 0]\n"+
		"PK002/South suicide_attack 2024-02: 1 events, 1 killed, 1 injured, by precision [1 0 0 0 0]\n"; got != want {
		t.Errorf("EventCells:\n%s\nwant\n%s", got, want)
	}
	// Exact points only: the district-named event and its killed go.
	cells, err = st.EventCells(ctx, CellFilter{Category: "suicide_attack", From: jan, To: feb, Province: "North"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := show(cells), "PK001/North suicide_attack 2024-01: 1 events, 5 killed, 10 injured, by precision [1 0 0 0 0]\n"; got != want {
		t.Errorf("EventCells, North, precision 1:\n%s\nwant\n%s", got, want)
	}
	src, err := st.EventSources(ctx, CellFilter{Category: "suicide_attack", From: jan, To: feb})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(src), "[{PBC 3} {test-layout 1}]"; got != want {
		t.Errorf("EventSources = %s, want %s", got, want)
	}
}
