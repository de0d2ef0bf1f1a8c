//go:build duckdb_arrow

package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ocmap/ocmap/internal/testdb"
)

// derivedTables are the tables a run derives from incidents, with the
// order that lists them row for row.
var derivedTables = map[string]string{
	"incident_groups":        `SELECT * FROM incident_groups ORDER BY ALL`,
	"district_month":         `SELECT * FROM district_month ORDER BY ALL`,
	"district_month_sources": `SELECT * FROM district_month_sources ORDER BY ALL`,
	"district_month_sums":    `SELECT * FROM district_month_sums ORDER BY ALL`,
	"sweep_moves":            `SELECT * FROM sweep_moves ORDER BY ALL`,
	"sweep_twins":            `SELECT * FROM sweep_twins ORDER BY ALL`,
}

// dumpDerived lists every row of every derived table as text.
func dumpDerived(t *testing.T, q querier) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for table, sel := range derivedTables {
		out[table] = testdb.Rows(t, q, sel)
	}
	return out
}

// rebuilt returns the derived tables that deriveAll makes of st's
// incidents, leaving st as it was.
func rebuilt(t *testing.T, st *Store) map[string][]string {
	t.Helper()
	ctx := context.Background()
	r, err := st.BeginRun(ctx, groupBoundaries)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Rollback()
	if err := r.deriveAll(ctx, nil); err != nil {
		t.Fatal(err)
	}
	return dumpDerived(t, r.conn)
}

// storeRun is one run of TestDeriveRunEqualsRebuild: its records, and the
// files of earlier runs whose content it gives again (FinishFile replaces
// their rows).
type storeRun struct {
	recs    []rec
	replace []string
}

// commitStoreRun writes one run: its records and a file record for each
// file, named by its content.
func commitStoreRun(t *testing.T, st *Store, run storeRun) {
	t.Helper()
	var files []string
	for _, x := range run.recs {
		files = append(files, x.file)
	}
	commitRun(t, st, len(run.recs), append(files, run.replace...), func(r *Run) { insertRecs(t, r, run.recs) })
}

// commitRun writes one run of n records, which insert writes, and a file
// record for each of files (repeats are one), named by its content.
func commitRun(t *testing.T, st *Store, n int, files []string, insert func(r *Run)) {
	t.Helper()
	ctx := context.Background()
	r, err := st.BeginRun(ctx, groupBoundaries)
	if err != nil {
		t.Fatal(err)
	}
	insert(r)
	done := map[string]bool{}
	for _, f := range files {
		if done[f] {
			continue
		}
		done[f] = true
		if _, err := r.FinishFile(ctx, FileStats{Path: f, SHA256: "sha-" + f}); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Commit(ctx, "[]", int64(n), int64(n), 0, "test"); err != nil {
		t.Fatal(err)
	}
}

// checkEqualsRebuild reports each derived table that differs from what a
// rebuild from incidents gives, after run.
func checkEqualsRebuild(t *testing.T, st *Store, run int) {
	t.Helper()
	got, want := dumpDerived(t, st.db), rebuilt(t, st)
	for table := range derivedTables {
		if !reflect.DeepEqual(got[table], want[table]) {
			t.Errorf("after run %d, %s differs from a rebuild:\n got %s\nwant %s", run, table,
				strings.Join(got[table], "\n     "), strings.Join(want[table], "\n     "))
		}
	}
}

// randomRecs makes n records of three sources in a small place and time,
// so that many link, with ids that one source repeats now and then.
func randomRecs(rnd *rand.Rand, file string, n int) []rec {
	return spreadRecs(rnd, file, n, 3)
}

// spreadRecs is randomRecs over the first 28 days of months months of
// 2023.
func spreadRecs(rnd *rand.Rand, file string, n, months int) []rec {
	sources := []string{"ANF", "police", "press"}
	var out []rec
	for i := range n {
		x := rec{
			file:   fmt.Sprintf("%s#%d", file, i),
			source: sources[rnd.IntN(3)],
			id:     fmt.Sprintf("%s-%d", file, i),
			code:   []string{"PK001", "PK002", "PK003"}[rnd.IntN(3)],
			date:   fmt.Sprintf("2023-%02d-%02d", 1+rnd.IntN(months), 1+rnd.IntN(28)),
			qty:    8 + 4*rnd.Float64(),
			amt:    -1,
		}
		if rnd.IntN(4) > 0 {
			x.lat, x.lon = 30.5+0.05*rnd.Float64(), 70.5+0.05*rnd.Float64()
		}
		if rnd.IntN(5) == 0 {
			x.category = "human_trafficking"
		}
		if rnd.IntN(8) == 0 { // an id the source gives again
			x.id = fmt.Sprintf("ID-%d", rnd.IntN(40))
		}
		if rnd.IntN(6) == 0 {
			x.qty = -1
		}
		out = append(out, x)
	}
	return out
}

// TestDeriveRunEqualsRebuild commits runs that each update the derived
// tables for their own rows (deriveRun), some replacing the rows of an
// earlier run's file, and checks after each that the tables are those a
// rebuild from incidents gives.
func TestDeriveRunEqualsRebuild(t *testing.T) {
	// The file of a record is its run's name and its index: a run of one
	// file gives its rows one file name each, as insertRecs sets line 2.
	file := func(recs []rec, name string) []rec {
		for i := range recs {
			recs[i].file = fmt.Sprintf("%s:%03d", name, i)
		}
		return recs
	}
	rnd := rand.New(rand.NewPCG(14, 1))
	first := file(randomRecs(rnd, "r1", 60), "r1")
	var firstFiles []string
	for _, x := range first[:20] {
		firstFiles = append(firstFiles, x.file)
	}
	// Two groups of two runs in PK004 that a record of a later run joins:
	// the second group takes the first one's id, in its row the bridge does
	// not link to too.
	pair := func(name, day1, day2 string) []rec {
		return []rec{
			{file: name + "-anf", source: "ANF", id: name + "1", code: "PK004", date: "2023-03-" + day1, lat: 30.5, lon: 70.5, qty: 10, amt: -1},
			{file: name + "-fir", source: "police", id: name + "2", code: "PK004", date: "2023-03-" + day2, lat: 30.5, lon: 70.5, qty: 10, amt: -1},
		}
	}
	bridge := rec{file: "bridge", source: "press", id: "b", code: "PK004", date: "2023-03-05", lat: 30.5, lon: 70.5, qty: 10, amt: -1}
	runs := []storeRun{
		{recs: first},
		{recs: append(file(randomRecs(rnd, "r2", 15), "r2"), pair("g", "02", "01")...)},
		{recs: append(file(randomRecs(rnd, "r3", 15), "r3"), pair("h", "08", "10")...)},
		// The first 20 rows of run 1 leave (their files give other rows
		// now), and groups lose members.
		{recs: file(randomRecs(rnd, "r4", 10), "r4"), replace: firstFiles},
		{recs: append(file(randomRecs(rnd, "r5", 1), "r5"), bridge)},
		{recs: nil},
		{recs: file(randomRecs(rnd, "r7", 20), "r7"), replace: []string{"r2:000", "r2:001", "r3:004"}},
	}
	st := openTestStore(t, "derive.duckdb", Options{Threads: 2})
	for i, run := range runs {
		commitStoreRun(t, st, run)
		checkEqualsRebuild(t, st, i+1)
	}
	// The runs link records and lose some: the test means something.
	var groups, rows, replaced int64
	if err := st.db.QueryRow(`SELECT count(DISTINCT group_id), count(*),
		(SELECT count(*) FROM ingest_files WHERE replaced_by IS NOT NULL) FROM incident_groups`).Scan(&groups, &rows, &replaced); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d groups of %d rows", groups, rows)
	if groups < 5 || rows < 20 || replaced != 23 {
		t.Errorf("%d groups of %d rows, %d files replaced; want at least 5 groups, 20 rows and 23 files", groups, rows, replaced)
	}
}

// TestSweepRunEqualsRebuild adds a few records at a time to a year of
// dense records, where a record changes the clusters after it until the
// sweep is back in step, and checks the tables against a rebuild after
// each run; the runs must take both ways out of sweepChanged (back in
// step, and the last record).
func TestSweepRunEqualsRebuild(t *testing.T) {
	rnd := rand.New(rand.NewPCG(14, 2))
	st := openTestStore(t, "sweep.duckdb", Options{Threads: 2})
	var stats sweepStats
	sweepHook = func(s sweepStats) { stats.spans += s.spans; stats.inStep += s.inStep; stats.rounds += s.rounds }
	defer func() { sweepHook = nil }()
	commitStoreRun(t, st, storeRun{recs: spreadRecs(rnd, "base", 600, 12)})
	gone := map[int]bool{}
	for i := range 12 {
		run := storeRun{recs: spreadRecs(rnd, fmt.Sprintf("r%d", i), 3+rnd.IntN(6), 12)}
		for range i % 2 * 4 { // every other run takes 4 rows out
			n := rnd.IntN(600)
			if !gone[n] {
				gone[n] = true
				run.replace = append(run.replace, fmt.Sprintf("base#%d", n))
			}
		}
		commitStoreRun(t, st, run)
		got, want := dumpDerived(t, st.db), rebuilt(t, st)
		for table := range derivedTables {
			if !reflect.DeepEqual(got[table], want[table]) {
				t.Fatalf("after run %d, %s differs from a rebuild:\n%s", i+1, table, testdb.FirstDiff(got[table], want[table]))
			}
		}
	}
	t.Logf("%+v", stats)
	if stats.inStep == 0 || stats.inStep == stats.spans {
		t.Errorf("%d of %d spans came back in step; want some, not all", stats.inStep, stats.spans)
	}
}

// TestSweepRunDenseHistoryBounded adds one record in the middle of a
// year of a district where three sources report every day, so densely
// that the sweep takes records out of their clusters every day, often for
// a record of a later day. The run's sweep starts from the clusters of
// the day before the record as they were then (sweep_moves), and reads
// only the days around it: two windows before, and on until it is back in
// step. Starting from the clusters the records end in instead made a run
// start ever earlier, back to the first record of the district (347,039
// records read for a run of 1,000 at 5M rows).
func TestSweepRunDenseHistoryBounded(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 9))
	st := openTestStore(t, "dense.duckdb", Options{Threads: 2})
	start := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	var recs []rec
	for d := range 365 {
		for i := range 8 {
			recs = append(recs, rec{
				file:   fmt.Sprintf("base#%d-%d", d, i),
				source: []string{"ANF", "police", "press"}[rnd.IntN(3)],
				id:     fmt.Sprintf("B%d-%d", d, i),
				code:   "PK001",
				date:   start.AddDate(0, 0, d).Format(time.DateOnly),
				lat:    30.5 + 0.03*rnd.Float64(), lon: 70.5 + 0.03*rnd.Float64(),
				qty: 8 + 4*rnd.Float64(), amt: -1,
			})
		}
	}
	commitStoreRun(t, st, storeRun{recs: recs})
	var crossDay int
	if err := st.db.QueryRow(`SELECT count(*) FROM sweep_moves WHERE moved_on > occurred_on`).Scan(&crossDay); err != nil {
		t.Fatal(err)
	}
	if crossDay < 200 {
		t.Fatalf("%d records moved on a later day, want a dense history of moves", crossDay)
	}
	var stats sweepStats
	sweepHook = func(s sweepStats) { stats = s }
	defer func() { sweepHook = nil }()
	commitStoreRun(t, st, storeRun{recs: []rec{{file: "new", source: "press", id: "N", code: "PK001", date: "2022-07-15",
		lat: 30.51, lon: 70.51, qty: 10, amt: -1}}})
	checkEqualsRebuild(t, st, 2)
	t.Logf("%d cross-day moves; the run's sweep: %+v", crossDay, stats)
	// Two windows before the record, the record's day, and the days until
	// back in step, eight records a day and the new one: a read of the
	// first extent, and at most one of the second.
	most := 8*(2*(2*linkWindowDays+1)+spanExts[0]+spanExts[1]) + 2
	if stats.spans != 1 || stats.inStep != 1 || stats.rounds > 2 || stats.recs > int(most) {
		t.Errorf("the run's sweep: %+v; want one span back in step in two rounds at most, of at most %d records", stats, most)
	}
}

// TestDeriveRunNeedsCurrentSummaries checks that a run updates the derived
// tables for its own rows only when district_month counts every row the
// database had before it (the rows it replaces too): a run with a file
// given again sweeps its own days; after district_month lost a cell
// (summaries behind incidents, as a bug or a hand edit would leave them)
// the next run recomputes every table, and they equal a rebuild.
func TestDeriveRunNeedsCurrentSummaries(t *testing.T) {
	rnd := rand.New(rand.NewPCG(14, 3))
	st := openTestStore(t, "stale.duckdb", Options{Threads: 2})
	var runs int
	sweepHook = func(sweepStats) { runs++ }
	defer func() { sweepHook = nil }()
	commitStoreRun(t, st, storeRun{recs: spreadRecs(rnd, "base", 200, 6)})
	commitStoreRun(t, st, storeRun{recs: spreadRecs(rnd, "r1", 5, 6), replace: []string{"base#1", "base#2", "base#3"}})
	if runs != 1 {
		t.Fatalf("a run replacing 3 rows swept %d times; want its own days once (deriveRun)", runs)
	}
	checkEqualsRebuild(t, st, 2)
	var lost int64
	if err := st.db.QueryRow(`SELECT records FROM district_month WHERE month = DATE '2023-06-01' ORDER BY ALL LIMIT 1`).Scan(&lost); err != nil {
		t.Fatal(err)
	}
	if _, err := st.db.Exec(`DELETE FROM district_month WHERE rowid = (SELECT min(rowid) FROM district_month WHERE month = DATE '2023-06-01' AND records = ?)`, lost); err != nil {
		t.Fatal(err)
	}
	commitStoreRun(t, st, storeRun{recs: []rec{{file: "r2", source: "ANF", id: "x", code: "PK001", date: "2023-01-10", qty: 1, amt: -1}}})
	if runs != 1 {
		t.Errorf("after district_month lost %d records, the run swept its own days: want every table recomputed", lost)
	}
	checkEqualsRebuild(t, st, 3)
	// Edits that keep district_month's records: its incidents, and the
	// records of one source.
	for i, edit := range []string{
		`UPDATE district_month SET incidents = incidents + 1 WHERE rowid = (SELECT min(rowid) FROM district_month)`,
		`UPDATE district_month_sources SET records = records + 1 WHERE rowid = (SELECT min(rowid) FROM district_month_sources)`,
	} {
		if _, err := st.db.Exec(edit); err != nil {
			t.Fatal(err)
		}
		commitStoreRun(t, st, storeRun{recs: []rec{{file: fmt.Sprintf("e%d", i), source: "ANF", id: "y", code: "PK002", date: "2023-02-10", qty: 1, amt: -1}}})
		if runs != 1 {
			t.Errorf("after %s, the run swept its own days: want every table recomputed", edit)
		}
		checkEqualsRebuild(t, st, 4+i)
	}
	commitStoreRun(t, st, storeRun{recs: []rec{{file: "r9", source: "ANF", id: "z", code: "PK003", date: "2023-03-10", qty: 1, amt: -1}}})
	if runs != 2 {
		t.Errorf("the run after the recomputes swept %d times in all; want its own days once more (deriveRun)", runs)
	}
}

// TestDeriveRunOneIDManyRows adds 300 rows of one id and month (a report
// of many transactions) to 300 such rows and 400 others: one incident of
// 600 records, equal to a rebuild. (The run links each row to the first
// two of its id, not to all of them: 90,000 pairs here, millions for a
// case of thousands of rows.)
func TestDeriveRunOneIDManyRows(t *testing.T) {
	st := openTestStore(t, "oneid.duckdb", Options{Threads: 2})
	rows := func(file string, n int, id func(i int) string) []rec {
		var out []rec
		for i := range n {
			out = append(out, rec{file: fmt.Sprintf("%s#%03d", file, i), source: "FMU", id: id(i), category: "terror_financing",
				date: fmt.Sprintf("2023-03-%02d", 1+i%28), qty: -1, amt: 1000})
		}
		return out
	}
	str := func(int) string { return "STR-1" }
	other := rows("other", 400, func(i int) string { return fmt.Sprint("STR-x", i) })
	commitStoreRun(t, st, storeRun{recs: append(other, rows("a", 300, str)...)})
	commitStoreRun(t, st, storeRun{recs: rows("b", 300, str)})
	checkEqualsRebuild(t, st, 2)
	var groups, members int
	if err := st.db.QueryRow(`SELECT count(DISTINCT group_id), count(*) FROM incident_groups`).Scan(&groups, &members); err != nil {
		t.Fatal(err)
	}
	if groups != 1 || members != 600 {
		t.Errorf("%d groups of %d records, want one of 600", groups, members)
	}
}

// TestDeriveRunSameIDMonths: a run finds the earlier rows of its ids in
// its own months only (runSameRows reads those months' dates first): its
// rows of December, January, April and no date link to the earlier ones of
// the same month, across a year's end and past a gap, and the earlier rows
// of November and February stay alone.
func TestDeriveRunSameIDMonths(t *testing.T) {
	st := openTestStore(t, "months.duckdb", Options{Threads: 2})
	row := func(file, date string, code string) rec {
		return rec{file: file, source: "FIA", id: "C-7", category: "cybercrime", code: code, date: date, qty: -1, amt: -1}
	}
	old := []rec{row("old#1", "2024-11-10", "PK001"), row("old#2", "2024-12-10", "PK002"), row("old#3", "2025-01-10", "PK001"),
		row("old#4", "2025-02-10", "PK002"), row("old#5", "2025-04-10", "PK001"), row("old#6", "", "PK002")}
	commitStoreRun(t, st, storeRun{recs: old})
	commitStoreRun(t, st, storeRun{recs: []rec{row("new#1", "2024-12-20", "PK001"), row("new#2", "2025-01-20", "PK002"),
		row("new#3", "2025-04-20", "PK002"), row("new#4", "", "PK001")}})
	checkEqualsRebuild(t, st, 2)
	got := testdb.Rows(t, st.db, `SELECT string_agg(coalesce(strftime(i.occurred_on, '%Y-%m-%d'), '-'), ' ' ORDER BY i.occurred_on NULLS LAST, i.source_file)
		FROM incidents i JOIN incident_groups g USING (run_id, source_file, source_line)
		GROUP BY g.group_id ORDER BY 1`)
	// Records alone are in no group.
	want := []string{"- -", "2024-12-10 2024-12-20", "2025-01-10 2025-01-20", "2025-04-10 2025-04-20"}
	if d := testdb.FirstDiff(got, want); d != "" {
		t.Errorf("groups by their dates: %s", d)
	}
}

func TestMonthsFilter(t *testing.T) {
	month := func(s string) sql.NullTime {
		if s == "" {
			return sql.NullTime{}
		}
		m, err := time.Parse("2006-01", s)
		if err != nil {
			t.Fatal(err)
		}
		return sql.NullTime{Time: m, Valid: true}
	}
	months := func(ss ...string) []sql.NullTime {
		var out []sql.NullTime
		for _, s := range ss {
			out = append(out, month(s))
		}
		return out
	}
	for _, c := range []struct {
		months []sql.NullTime
		want   string
	}{
		{months("2025-01"), `d >= DATE '2025-01-01' AND d < DATE '2025-02-01'`},
		{months("", "2024-12", "2025-01", "2025-04"),
			`d IS NULL OR d >= DATE '2024-12-01' AND d < DATE '2025-02-01' OR d >= DATE '2025-04-01' AND d < DATE '2025-05-01'`},
		{months(""), `d IS NULL`},
	} {
		if got := monthsFilter("d", c.months); got != c.want {
			t.Errorf("monthsFilter(%v) = %s, want %s", c.months, got, c.want)
		}
	}
	// Past maxMonthRanges runs of months, one range from the first to the
	// last.
	var every2 []string
	for i := range maxMonthRanges + 1 {
		every2 = append(every2, time.Date(2020, time.Month(1+2*i), 1, 0, 0, 0, 0, time.UTC).Format("2006-01"))
	}
	if got, want := monthsFilter("d", months(every2...)), `d >= DATE '2020-01-01' AND d < DATE '2025-06-01'`; got != want {
		t.Errorf("monthsFilter of %d months apart = %s, want %s", len(every2), got, want)
	}
}

// TestJoinFilterPushdownReset: the optimizer runSameRows disables is
// enabled again when the statement fails, which aborts the run's
// transaction. disabled_optimizers is a global option: left set, it would
// slow every later query of the database, of every connection.
func TestJoinFilterPushdownReset(t *testing.T) {
	st := openTestStore(t, "reset.duckdb", Options{})
	ctx := context.Background()
	r, err := st.BeginRun(ctx, groupBoundaries)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Rollback()
	err = r.withoutJoinFilterPushdown(ctx, func() error {
		_, err := r.conn.ExecContext(ctx, `SELECT CAST('x' AS INTEGER)`)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "Conversion Error") {
		t.Errorf("error %v, want the statement's", err)
	}
	var disabled string
	if err := st.db.QueryRowContext(ctx, `SELECT current_setting('disabled_optimizers')`).Scan(&disabled); err != nil {
		t.Fatal(err)
	}
	if disabled != "" {
		t.Errorf("disabled_optimizers = %q after the statement failed, want none", disabled)
	}
}
