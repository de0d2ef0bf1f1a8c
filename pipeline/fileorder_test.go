//go:build duckdb_arrow

package pipeline_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ocmap/ocmap/internal/testdb"
	"github.com/ocmap/ocmap/pipeline"
	"github.com/ocmap/ocmap/pipeline/store"
)

// givenOrderFiles writes three files of 2024 records whose names sort
// against the order they are returned in (feb_police.csv <
// hand/customs_2025-03.csv < hist.csv): the events each file shares with
// another, every record placed by its point (one precision), so that the
// earliest ingested decides each group's primary, which a file given
// earlier must give.
func givenOrderFiles(t *testing.T, dir string) []string {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "hand"), 0o755); err != nil {
		t.Fatal(err)
	}
	hist := writeFile(t, dir, "hist.csv", header+"\n"+
		// One event of three sources, January 31st to February 2nd.
		"H-1,drug_trafficking,heroin,2024-01-31,30.5,70.5,,ANF,10,,hist 1\n"+
		// Its id again in feb_police.csv: that copy is the twin.
		"H-2,drug_trafficking,heroin,2024-05-10,30.3,70.3,,ANF,3,,hist 2\n"+
		// A copy of a record of early.csv, as is one in feb_police.csv:
		// when early.csv goes, this one stands for the id.
		"E-1,drug_trafficking,heroin,2024-06-11,30.3,70.8,,ANF,2,,early 1 in hist\n"+
		// A police record of the day and point of one in feb_police.csv:
		// the sweep reads the customs record that fits both as well
		// (its source sorts first), then this one, which joins it, then
		// the other, which cannot take its place.
		"S-1,drug_trafficking,heroin,2024-07-10,30.8,70.2,,Punjab Police,10,,same day in hist\n")
	customs := writeFile(t, dir, "hand/customs_2025-03.csv", header+"\n"+
		"C-1,drug_trafficking,heroin,2024-02-01,30.501,70.5,,Customs,9,,customs 1\n"+
		// One event with the police, March 31st and April 1st.
		"C-2,drug_trafficking,heroin,2024-03-31,30.7,70.6,,Customs,5,,customs 2\n"+
		"C-3,drug_trafficking,heroin,2024-07-10,30.8,70.201,,Customs,10,,same day in customs\n")
	police := writeFile(t, dir, "feb_police.csv", header+"\n"+
		"P-1,drug_trafficking,heroin,2024-02-02,30.5005,70.5,,Punjab Police,9.5,,police 1\n"+
		"P-2,drug_trafficking,heroin,2024-04-01,30.7005,70.6,,Punjab Police,4.8,,police 2\n"+
		"H-2,drug_trafficking,heroin,2024-05-12,30.6,70.4,,ANF,3,,hist 2 again\n"+
		"E-1,drug_trafficking,heroin,2024-06-12,30.4,70.8,,ANF,2,,early 1 in police\n"+
		"S-2,drug_trafficking,heroin,2024-07-10,30.8,70.2,,Punjab Police,10,,same day in police\n")
	return []string{hist, customs, police}
}

// TestIngestFilesInGivenOrder ingests three files whose names sort
// against the order they are given (givenOrderFiles), after a database of
// other records: in one run, and one file a run (as month by month), and
// all at once into a new database. Each group's primary is the record of
// the file given first, so the months and quantities counted are its,
// and the three databases have the same derived tables, which a rebuild
// gives again. A database made before ingest_files kept the files'
// positions (its column dropped, its rules older) gets them back in the
// order the files were recorded, and the same tables. When the file of a
// record that two files of one run copy is withdrawn, the copy of the
// file given first stands for the id, as in the database of a file a run.
func TestIngestFilesInGivenOrder(t *testing.T) {
	f := newFixture(t)
	base := writeFile(t, f.dir, "base.csv", header+"\n"+strings.Join(multiSourceRows(150), "\n")+"\n")
	early := writeFile(t, f.dir, "early.csv", header+"\n"+
		"E-1,drug_trafficking,heroin,2024-06-10,30.2,70.8,,ANF,2,,early 1\n")
	files := givenOrderFiles(t, f.dir)

	oneRun := filepath.Join(f.dir, "one-run.duckdb")
	f.db = oneRun
	f.ingest(t, base, early)
	f.ingest(t, files...) // derived for the run's rows alone (deriveRun)

	monthly := filepath.Join(f.dir, "monthly.duckdb")
	f.db = monthly
	for _, in := range append([]string{base, early}, files...) {
		f.ingest(t, in)
	}

	atOnce := filepath.Join(f.dir, "at-once.duckdb")
	f.db = atOnce
	f.ingest(t, append([]string{base, early}, files...)...) // every table derived (deriveAll)

	// The primaries and what they count.
	query(t, oneRun, func(db *sql.DB) {
		got := testdb.Rows(t, db, `SELECT p.description || '|' || string_agg(i.description, '+' ORDER BY i.description)
			FROM incident_groups g JOIN incidents i USING (run_id, source_file, source_line)
			JOIN (SELECT group_id, description FROM incident_groups JOIN incidents USING (run_id, source_file, source_line)
				WHERE is_primary) p USING (group_id)
			WHERE i.occurred_on >= DATE '2024-01-01' GROUP BY p.description ORDER BY ALL`)
		want := []string{"customs 2|customs 2+police 2", "early 1|early 1+early 1 in hist+early 1 in police",
			"hist 1|customs 1+hist 1+police 1", "hist 2|hist 2+hist 2 again", "same day in hist|same day in customs+same day in hist"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("groups (primary|members) = %q, want %q", got, want)
		}
		got = testdb.Rows(t, db, `SELECT strftime(month, '%Y-%m') || '|' || incidents || '|' || coalesce(CAST(quantity AS VARCHAR), '-') FROM district_month
			WHERE month >= DATE '2024-01-01' ORDER BY ALL`)
		// The months of the other records count them as records, not as
		// incidents.
		want = []string{"2024-01|1|10.0", "2024-02|0|-", "2024-03|1|5.0", "2024-04|0|-", "2024-05|1|3.0", "2024-06|1|2.0", "2024-07|2|20.0"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("district_month (month|incidents|kg) = %q, want %q", got, want)
		}
		got = testdb.Rows(t, db, `SELECT i.description FROM sweep_twins JOIN incidents i USING (run_id, source_file, source_line)
			WHERE i.occurred_on >= DATE '2024-01-01' ORDER BY 1`)
		if want := []string{"early 1 in hist", "early 1 in police", "hist 2 again"}; !reflect.DeepEqual(got, want) {
			t.Errorf("twins %q, want %q", got, want)
		}
	})

	want := derivedDump(t, monthly)
	compareDumps(t, "one run against one file a run", derivedDump(t, oneRun), want)
	compareDumps(t, "at once against one file a run", derivedDump(t, atOnce), want)
	compareDumps(t, "one run, rebuilt", rebuiltDump(t, oneRun), want)
	compareDumps(t, "at once, rebuilt", rebuiltDump(t, atOnce), want)

	// A database of an older ocmap: no positions, older rules.
	st, err := store.Open(context.Background(), atOnce, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`ALTER TABLE ingest_files DROP COLUMN file_seq`, `UPDATE meta SET value = '8' WHERE key = 'derived_rules'`,
		`DELETE FROM incident_groups`, `DELETE FROM district_month`} {
		if _, err := st.DB().Exec(q); err != nil {
			st.Close()
			t.Fatalf("%s: %v", q, err)
		}
	}
	st.Close()
	later := writeFile(t, f.dir, "later.csv", header+"\n"+"L-1,cybercrime,hacking,2024-09-01,30.2,70.2,,FIA,,,later\n")
	f.db = atOnce
	f.ingest(t, later) // rebuilds every table
	query(t, atOnce, func(db *sql.DB) {
		got := testdb.Rows(t, db, `SELECT regexp_extract(source_file, '[^/]*$') || '|' || file_seq FROM ingest_files ORDER BY run_id, file_seq`)
		want := []string{"base.csv|1", "early.csv|2", "hist.csv|3", "customs_2025-03.csv|4", "feb_police.csv|5", "later.csv|1"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("files and positions %q, want %q", got, want)
		}
	})
	migrated := derivedDump(t, atOnce)
	f.db = monthly
	f.ingest(t, later)
	compareDumps(t, "an older database, migrated", migrated, derivedDump(t, monthly))

	// early.csv withdrawn: the copy of the file given first stands for
	// its id (promote).
	f.db = oneRun
	f.ingest(t, later)
	for _, db := range []string{oneRun, monthly} {
		cfg := f.config()
		cfg.DB, cfg.Withdraw = db, []string{early}
		if _, err := pipeline.Ingest(context.Background(), cfg); err != nil {
			t.Fatal(err)
		}
	}
	query(t, oneRun, func(db *sql.DB) {
		got := testdb.Rows(t, db, `SELECT i.description FROM sweep_twins JOIN incidents i USING (run_id, source_file, source_line)
			WHERE i.incident_id = 'E-1'`)
		if want := []string{"early 1 in police"}; !reflect.DeepEqual(got, want) {
			t.Errorf("twins of E-1 after early.csv went: %q, want %q", got, want)
		}
	})
	want = derivedDump(t, monthly)
	compareDumps(t, "early.csv withdrawn, one run against one file a run", derivedDump(t, oneRun), want)
	compareDumps(t, "early.csv withdrawn, one run, rebuilt", rebuiltDump(t, oneRun), want)
}
