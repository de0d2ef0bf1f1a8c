//go:build duckdb_arrow

package store

import (
	"context"
	"reflect"
	"regexp"
	"testing"
)

// TestRejectsOfFolder: the rejects of a Parquet folder name the files in
// it (read.Origins), while ingest_files records the folder: the folder
// named as ingested, or by its base name, lists them (and not those of a
// file whose name only begins with the folder's).
func TestRejectsOfFolder(t *testing.T) {
	st := openTestStore(t, "rejects.duckdb", Options{})
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO ingest_files (run_id, source_file, rows_read, rows_accepted, rows_rejected) VALUES (1, '/data/lake', 6, 5, 1)`,
		`INSERT INTO rejects VALUES (1, '/data/lake/category=x/part-0.parquet', 2, 'occurred_on', 'no such date: "2024-13-40"', NULL)`,
		`INSERT INTO rejects VALUES (1, '/data/lakeside.csv', 3, 'occurred_on', 'no such date: "2024-02-30"', NULL)`,
	} {
		if _, err := st.db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"/data/lake", "/data/lake/", "lake"} {
		groups, err := st.RejectGroups(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if len(groups) != 1 || groups[0].File != "/data/lake/category=x/part-0.parquet" {
			t.Errorf("RejectGroups(%s) = %+v, want the folder's one reject", name, groups)
		}
		var files []string
		if err := st.EachReject(ctx, name, func(r Reject) error { files = append(files, r.File); return nil }); err != nil {
			t.Fatal(err)
		}
		if want := []string{"/data/lake/category=x/part-0.parquet"}; !reflect.DeepEqual(files, want) {
			t.Errorf("EachReject(%s) = %q, want %q", name, files, want)
		}
	}
}

// TestRejectGroupsQuotedQuotes: a value quoted in a reason (strconv.Quote)
// that holds a double quote is one value: the rows of one reason count
// together whatever their values, and the reason's own text is not taken
// for a value.
func TestRejectGroupsQuotedQuotes(t *testing.T) {
	st := openTestStore(t, "rejects.duckdb", Options{})
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO rejects VALUES (1, 'a.csv', 2, 'district_hint', 'unknown district name: "Lahore \"Cantt\""', NULL)`,
		`INSERT INTO rejects VALUES (1, 'a.csv', 3, 'district_hint', 'unknown district name: "Atlantis"', NULL)`,
		`INSERT INTO rejects VALUES (1, 'a.csv', 4, 'lat', 'latitude "9\"9" is outside -90..90 and "x"', NULL)`,
	} {
		if _, err := st.db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	groups, err := st.RejectGroups(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range groups {
		got = append(got, g.Field+": "+g.Reason)
	}
	want := []string{`district_hint: unknown district name: "…"`, `lat: latitude "…" is outside -90..90 and "…"`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("groups\n%q\nwant\n%q", got, want)
	}
	// The command shows the first row's values (ocmap rejects).
	if got, want := regexp.MustCompile(QuotedValue).FindAllString(groups[1].Example, -1), []string{`"9\"9"`, `"x"`}; !reflect.DeepEqual(got, want) {
		t.Errorf("values of %s: %q, want %q", groups[1].Example, got, want)
	}
}

// TestRejectsNullColumns: a reject without a file, line, field, reason or
// text (written by hand, or by an older ocmap) is listed, not an error.
func TestRejectsNullColumns(t *testing.T) {
	st := openTestStore(t, "rejects.duckdb", Options{})
	ctx := context.Background()
	if _, err := st.db.ExecContext(ctx, `INSERT INTO rejects VALUES (NULL, NULL, NULL, NULL, NULL, NULL)`); err != nil {
		t.Fatal(err)
	}
	groups, err := st.RejectGroups(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 || groups[0].Rows != 1 {
		t.Errorf("groups %+v, want one of one row", groups)
	}
	n := 0
	if err := st.EachReject(ctx, "", func(Reject) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d rejects, want 1", n)
	}
}

// TestFileInFolder: a file of a Parquet folder, as the rejects list names
// it (or by its base name), is one the database holds: 'rejects --file'
// with it lists its rejects rather than saying there is no such file.
func TestFileInFolder(t *testing.T) {
	st := openTestStore(t, "rejects.duckdb", Options{})
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO ingest_files (run_id, source_file, rows_read, rows_accepted, rows_rejected) VALUES (1, '/data/lake', 6, 5, 1)`,
		`INSERT INTO rejects VALUES (1, '/data/lake/category=x/part-0.parquet', 2, 'occurred_on', 'no such date: "2024-13-40"', NULL)`,
	} {
		if _, err := st.db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"/data/lake/category=x/part-0.parquet", "part-0.parquet"} {
		state, err := st.File(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if !state.Live {
			t.Errorf("File(%s) = %+v, want a live file (of the folder /data/lake)", name, state)
		}
	}
	if state, err := st.File(ctx, "part-1.parquet"); err != nil || state.Live {
		t.Errorf("File(part-1.parquet) = %+v, %v: want none", state, err)
	}
}

// TestFilePopulation: the population file, whose rejects 'rejects' lists
// beside the incident files' (its name is in meta, not ingest_files), is
// one the database holds: 'rejects --file' with it lists them.
func TestFilePopulation(t *testing.T) {
	st := openTestStore(t, "rejects.duckdb", Options{})
	ctx := context.Background()
	for _, q := range []string{
		`INSERT OR REPLACE INTO meta VALUES ('population_file', '/data/pop.csv')`,
		`INSERT INTO rejects VALUES (1, '/data/pop.csv', 4, 'population', 'not a number: "12 lakh"', NULL)`,
	} {
		if _, err := st.db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"/data/pop.csv", "pop.csv"} {
		state, err := st.File(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if !state.Live {
			t.Errorf("File(%s) = %+v, want the population file", name, state)
		}
		groups, err := st.RejectGroups(ctx, name)
		if err != nil || len(groups) != 1 {
			t.Errorf("RejectGroups(%s) = %+v, %v: want its one reject", name, groups, err)
		}
	}
}
