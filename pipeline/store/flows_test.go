//go:build duckdb_arrow

package store

import (
	"context"
	"reflect"
	"testing"
)

// flowOrderStore commits one run of three files given in the order z.csv,
// b.csv, a.csv (against their names), each with a record of one seizure
// from another source: z.csv's is the primary and names no origin, b.csv
// and a.csv name one each.
func flowOrderStore(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	st := openTestStore(t, "flows.duckdb", Options{Threads: 2})
	r, err := st.BeginRun(ctx, groupBoundaries)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Rollback()
	for _, f := range []struct{ file, source, origin string }{
		{"z.csv", "ANF", ""}, {"b.csv", "police", "Iran"}, {"a.csv", "customs", "India"},
	} {
		insertRecs(t, r, []rec{{file: f.file, source: f.source, id: f.file, date: "2023-01-10", lat: 30.5, lon: 70.5, qty: 10, amt: -1}})
		if f.origin != "" {
			if _, err := r.conn.ExecContext(ctx, `INSERT INTO drug_trafficking (run_id, source_file, source_line, origin) VALUES (?, ?, 2, ?)`,
				r.ID, f.file, f.origin); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := r.FinishFile(ctx, FileStats{Path: f.file, SHA256: f.file, Read: 1, Accepted: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Commit(ctx, "[]", 3, 3, 0, "test"); err != nil {
		t.Fatal(err)
	}
	return st
}

// flowOrigins lists the origin of each record FlowRecords gives, in its
// order, and whether it is the primary.
func flowOrigins(t *testing.T, st *Store) []string {
	t.Helper()
	var got []string
	if err := st.FlowRecords(context.Background(), FlowQuery{Category: "drug_trafficking"}, func(r FlowRecord) error {
		s := r.Origin
		if r.Primary {
			s += "*"
		}
		got = append(got, s)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestFlowRecordsInGivenOrder checks that the records of an incident
// follow its primary in the order they were ingested (fileOrder), not in
// the order of their files' names: flows take the first origin a record
// gives after the primary's, which must not depend on whether the files
// came in one run or one a run.
func TestFlowRecordsInGivenOrder(t *testing.T) {
	st := flowOrderStore(t)
	if got, want := flowOrigins(t, st), []string{"*", "Iran", "India"}; !reflect.DeepEqual(got, want) {
		t.Errorf("flow records (origin, * primary) = %q, want %q", got, want)
	}
}

// TestFlowRecordsOlderDatabase reads the flows of a database an older
// ocmap made, whose ingest_files has no file_seq (ocmap flows and serve
// open it read-only, so it is not migrated): the records come in the
// order of their files' names, without an error.
func TestFlowRecordsOlderDatabase(t *testing.T) {
	st := flowOrderStore(t)
	if _, err := st.DB().Exec(`ALTER TABLE ingest_files DROP COLUMN file_seq`); err != nil {
		t.Fatal(err)
	}
	if got, want := flowOrigins(t, st), []string{"*", "India", "Iran"}; !reflect.DeepEqual(got, want) {
		t.Errorf("flow records (origin, * primary) = %q, want %q", got, want)
	}
}
