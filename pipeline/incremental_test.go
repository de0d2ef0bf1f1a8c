//go:build duckdb_arrow

package pipeline_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ocmap/ocmap/internal/testdb"
	"github.com/ocmap/ocmap/pipeline"
	"github.com/ocmap/ocmap/pipeline/store"
)

// multiSourceRows makes the data rows of a file of four sources on the two
// squares: events that one source reports, a fifth of them again by
// another source (one or two days later, about 300 m away, 5% less) some
// hundred lines on, and now and then one source's record again under its
// own id further on. Every row has its own point (no placeholder points)
// and its own description, which names the row across databases. A point is in
// the district its row names.
func multiSourceRows(events int) []string {
	rnd := rand.New(rand.NewPCG(14, 10))
	sources := []string{"ANF", "Punjab Police", "FIA", "Dawn"}
	cats := []struct{ name, sub string }{
		{"drug_trafficking", "heroin"}, {"human_trafficking", "migrant_smuggling"},
		{"terror_financing", "hawala_hundi"}, {"cybercrime", "hacking"},
	}
	lines := make([]string, 0, 2*events)
	later := map[int][]string{} // rows to put at a later position
	n := 0
	row := func(id, cat, sub string, day int, lat, lon float64, hint, src string, qty, amt float64) string {
		n++
		q, a, la, lo := "", "", fmt.Sprintf("%.5f", lat), fmt.Sprintf("%.5f", lon)
		switch {
		case qty > 0 && cat == "human_trafficking": // victims: whole people
			q = fmt.Sprintf("%.0f", math.Ceil(qty))
		case qty > 0:
			q = fmt.Sprintf("%.3f", qty)
		}
		if amt > 0 {
			a = fmt.Sprintf("%.0f", amt)
		}
		if hint != "" {
			la, lo = "", ""
		}
		date := fmt.Sprintf("2023-%02d-%02d", 1+day/28, 1+day%28)
		return fmt.Sprintf("%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,row %d", id, cat, sub, date, la, lo, hint, src, q, a, n)
	}
	for e := range events {
		c := cats[rnd.IntN(len(cats))]
		src := rnd.IntN(len(sources))
		day := rnd.IntN(4 * 28)
		// A unique point for every row: the event index sets the last digits.
		lat := 30.05 + 0.9*rnd.Float64() + float64(e)*1e-5
		lon := 70.05 + 1.9*rnd.Float64() + float64(e)*1e-5
		hint := ""
		if rnd.IntN(10) == 0 {
			hint = []string{"Alpha", "Beta"}[int(lon-70)]
		}
		var qty, amt float64
		switch c.name {
		case "drug_trafficking":
			qty = 1 + 20*rnd.Float64()
		case "human_trafficking":
			qty = float64(1 + rnd.IntN(9))
		case "terror_financing":
			amt = float64(100000 * (1 + rnd.IntN(50)))
		}
		id := fmt.Sprintf("%s-%d", strings.ToUpper(sources[src][:3]), e)
		lines = append(lines, row(id, c.name, c.sub, day, lat, lon, hint, sources[src], qty, amt))
		at := e + 20 + rnd.IntN(60) // some chunks on
		switch rnd.IntN(10) {
		case 0, 1: // another source, some lines on
			// It gives the point of an event the first gave by name only
			// half the time: then it is the group's primary.
			other := (src + 1 + rnd.IntN(len(sources)-1)) % len(sources)
			h := hint
			if rnd.IntN(2) == 0 {
				h = ""
			}
			later[at] = append(later[at], row(fmt.Sprintf("%s-%d-b", strings.ToUpper(sources[other][:3]), e), c.name, c.sub,
				day+1+rnd.IntN(2), lat+0.002, lon+0.002, h, sources[other], qty*0.95, amt*0.95))
		case 2: // the same source and id again
			later[at] = append(later[at], row(id, c.name, c.sub, day, lat+0.001, lon, hint, sources[src], qty, amt))
		}
		lines = append(lines, later[e]...)
	}
	for at := events; at < events+80; at++ {
		lines = append(lines, later[at]...)
	}
	return lines
}

// derivedDump lists the derived tables of a database row for row. The
// rows of incident_groups are named by their description, and each group
// by its primary's, since run, file and line differ between databases of
// the same rows.
func derivedDump(t *testing.T, path string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	query(t, path, func(db *sql.DB) {
		for name, q := range map[string]string{
			"incident_groups": `SELECT i.description, p.description, g.link, g.score, g.is_primary
				FROM incident_groups g JOIN incidents i USING (run_id, source_file, source_line)
				JOIN (SELECT group_id, description FROM incident_groups JOIN incidents USING (run_id, source_file, source_line)
					WHERE is_primary) p USING (group_id)
				ORDER BY ALL`,
			"incident_groups rows":   `SELECT count(*), count(DISTINCT group_id) FROM incident_groups`,
			"district_month":         `SELECT * FROM district_month ORDER BY ALL`,
			"district_month_sources": `SELECT * FROM district_month_sources ORDER BY ALL`,
			"district_month_sums":    `SELECT * FROM district_month_sums ORDER BY ALL`,
			"sweep_twins": `SELECT i.description, t.skey, t.category, t.incident_id, t.district_code, t.occurred_on
				FROM sweep_twins t JOIN incidents i USING (run_id, source_file, source_line) ORDER BY ALL`,
			"district_measures": `SELECT * FROM district_measures ORDER BY ALL`,
			"category_links":    `SELECT * FROM category_links ORDER BY ALL`,
			"border_summary":    `SELECT * FROM border_summary ORDER BY ALL`,
		} {
			out[name] = testdb.Rows(t, db, q)
		}
	})
	return out
}

func compareDumps(t *testing.T, what string, got, want map[string][]string) {
	t.Helper()
	for table, w := range want {
		if g := got[table]; !reflect.DeepEqual(g, w) {
			t.Errorf("%s: %s has %d rows, want %d; first difference:\n%s", what, table, len(g), len(w), testdb.FirstDiff(g, w))
		}
	}
}

// TestIngestDateOrderSameTables ingests one multi-source file with its
// rows stored as they come and ordered by date in windows of 50 rows
// (store.DateOrder): the stored rows and every derived table are the same;
// only the order of the rows in incidents differs.
func TestIngestDateOrderSameTables(t *testing.T) {
	f := newFixture(t)
	file := writeFile(t, f.dir, "whole.csv", header+"\n"+strings.Join(multiSourceRows(400), "\n")+"\n")
	ingest := func(name string, window int) string {
		cfg := f.config(file)
		cfg.DB, cfg.DateWindow, cfg.BatchRows = filepath.Join(f.dir, name), window, 20
		if _, err := pipeline.Ingest(context.Background(), cfg); err != nil {
			t.Fatal(err)
		}
		return cfg.DB
	}
	asRead, ordered := ingest("as-read.duckdb", -1), ingest("ordered.duckdb", 50)
	compareDumps(t, "ordered by date", derivedDump(t, ordered), derivedDump(t, asRead))
	rows := func(db string) (all []string, back, backMonths int64) {
		query(t, db, func(db *sql.DB) {
			all = testdb.Rows(t, db, `SELECT * FROM incidents ORDER BY ALL`)
			// Rows stored after a row of a later line, and after a row
			// of 32 days later or more (a small file is stored in order).
			back = scanInt(t, db, `SELECT count(*) FROM (SELECT source_line < lag(source_line) OVER (ORDER BY rowid) AS b FROM incidents) WHERE b`)
			backMonths = scanInt(t, db, `SELECT count(*) FROM (SELECT occurred_on <= lag(occurred_on) OVER (ORDER BY rowid) - 32 AS b FROM incidents) WHERE b`)
		})
		return
	}
	want, back, backMonths := rows(asRead)
	got, oBack, oBackMonths := rows(ordered)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("incidents differ; first difference:\n%s", testdb.FirstDiff(got, want))
	}
	if len(want) != 528 {
		t.Errorf("%d incidents, want 528", len(want))
	}
	// As read: in line order, dates all over. Ordered: in stretches of 32
	// days within a window, so a step back of 32 days or more comes only
	// between windows (528 rows in 9 windows of 60).
	if back != 0 || backMonths < 100 || oBack == 0 || oBackMonths > 8 {
		t.Errorf("steps back in line, of 32 days: as read %d, %d (want 0, over 100); ordered %d, %d (want some, at most 8)",
			back, backMonths, oBack, oBackMonths)
	}
}

// TestIngestChunksEqualsWhole ingests one multi-source file in ten chunks,
// one run each, the last one twice (its rows replaced), and the same rows
// at once into another database: every derived table is the same, row for
// row, and stays so after `ocmap rebuild`. Then a chunk from the middle is
// ingested again, and the tables are those a rebuild gives.
func TestIngestChunksEqualsWhole(t *testing.T) {
	f := newFixture(t)
	rows := multiSourceRows(400)
	whole := writeFile(t, f.dir, "whole.csv", header+"\n"+strings.Join(rows, "\n")+"\n")
	var chunks []string
	for i := range 10 {
		part := rows[i*len(rows)/10 : (i+1)*len(rows)/10]
		chunks = append(chunks, writeFile(t, f.dir, fmt.Sprintf("chunk%02d.csv", i+1), header+"\n"+strings.Join(part, "\n")+"\n"))
	}
	again := func(i int, name string) string {
		return writeFile(t, f.dir, name, header+"\n"+strings.Join(rows[i*len(rows)/10:(i+1)*len(rows)/10], "\n")+"\n")
	}

	chunked := filepath.Join(f.dir, "chunked.duckdb")
	for _, c := range chunks {
		f.db = chunked
		f.ingest(t, c)
	}
	f.db = chunked
	if rep := f.ingest(t, again(9, "chunk10-again.csv")); len(rep.Files[0].Replaced) != 1 {
		t.Fatalf("chunk 10 again replaced %v, want the first chunk 10", rep.Files[0].Replaced)
	}
	all := filepath.Join(f.dir, "whole.duckdb")
	f.db = all
	f.ingest(t, whole)

	want := derivedDump(t, all)
	compareDumps(t, "chunked", derivedDump(t, chunked), want)
	// The file links records across chunks, of several sources and of one.
	query(t, chunked, func(db *sql.DB) {
		got := fmt.Sprint(
			scanInt(t, db, `SELECT count(*) FROM incidents`),
			scanInt(t, db, `SELECT count(DISTINCT group_id) FROM incident_groups`),
			scanInt(t, db, `SELECT count(*) FROM incident_groups WHERE link = 'same_id'`),
			scanInt(t, db, `SELECT count(*) FROM (SELECT group_id FROM incident_groups GROUP BY 1 HAVING count(DISTINCT source_file) > 1)`),
			scanInt(t, db, `SELECT count(DISTINCT source) FROM incidents`),
			scanInt(t, db, `SELECT count(*) FROM sweep_twins`))
		if want := "528 134 96 113 4 48"; got != want {
			t.Errorf("rows, groups, same-id rows, groups across chunks, sources, twins = %s, want %s", got, want)
		}
	})

	for _, db := range []string{chunked, all} {
		if err := pipeline.Rebuild(context.Background(), db, store.Options{MemoryLimit: "256MB", Threads: 2}, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	compareDumps(t, "whole, rebuilt", derivedDump(t, all), want)
	compareDumps(t, "chunked, rebuilt", derivedDump(t, chunked), want)

	f.db = chunked
	before := snapshot(t, chunked)
	if rep := f.ingest(t, again(3, "chunk04-again.csv")); len(rep.Files[0].Replaced) != 1 {
		t.Fatalf("chunk 4 again replaced %v, want the first chunk 4", rep.Files[0].Replaced)
	}
	after := derivedDump(t, chunked)
	if reflect.DeepEqual(snapshot(t, chunked)["incident_groups"], before["incident_groups"]) {
		t.Errorf("chunk 4 again changed no row of incident_groups")
	}
	if err := pipeline.Rebuild(context.Background(), chunked, store.Options{MemoryLimit: "256MB", Threads: 2}, nil, nil); err != nil {
		t.Fatal(err)
	}
	compareDumps(t, "chunk 4 again, rebuilt", derivedDump(t, chunked), after)
}

// TestRebuildInterrupted stops a rebuild after it recomputed the groups and
// summaries, before its commit: the database keeps its previous tables.
func TestRebuildInterrupted(t *testing.T) {
	f := newFixture(t)
	f.ingest(t, writeFile(t, f.dir, "two-sources.csv", header+"\n"+
		"A-1,drug_trafficking,heroin,2024-03-01,30.5,70.5,,ANF,10,,\n"+
		"P-7,drug_trafficking,heroin,2024-03-02,30.51,70.5,,Punjab Police,9.5,,\n"))
	// Tables a rebuild would change: no groups, no summaries.
	st, err := store.Open(context.Background(), f.db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DELETE FROM incident_groups`, `DELETE FROM district_month`} {
		if _, err := st.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	before := snapshot(t, f.db)

	ctx, cancel := context.WithCancel(context.Background())
	var steps []string
	progress := writerFunc(func(p []byte) (int, error) {
		steps = append(steps, string(p))
		if strings.Contains(string(p), "measures") {
			cancel()
		}
		return len(p), nil
	})
	if err := pipeline.Rebuild(ctx, f.db, store.Options{}, progress, nil); err == nil {
		t.Fatalf("rebuild stopped at %q returned no error", steps)
	}
	if got, want := len(steps), 3; got != want { // groups, summaries, measures
		t.Errorf("rebuild stopped after %d steps %q, want %d", got, steps, want)
	}
	if got := snapshot(t, f.db); !reflect.DeepEqual(got, before) {
		t.Errorf("a stopped rebuild changed the database:\n got %v\nwant %v", got, before)
	}
	if err := pipeline.Rebuild(context.Background(), f.db, store.Options{}, nil, nil); err != nil {
		t.Fatal(err)
	}
	query(t, f.db, func(db *sql.DB) {
		got := fmt.Sprint(scanInt(t, db, `SELECT count(*) FROM incident_groups`), scanInt(t, db, `SELECT sum(incidents) FROM district_month`))
		if want := "2 1"; got != want {
			t.Errorf("after a rebuild: group rows, incidents = %s, want %s", got, want)
		}
	})
}

type writerFunc func([]byte) (int, error)

func (w writerFunc) Write(p []byte) (int, error) { return w(p) }

// crowdedRows makes the data rows of a file where several sources report
// the same few places and days (clusters with more candidates than
// places, so records make way for others of their source), with the
// window's edge days, month ends, rows placed by name only, rows without a
// quantity, ids one source gives twice and ids another source or category
// gives again, and a copy of some rows (a new description, the same
// fields). The rows come in no order of date: a later chunk brings earlier
// days.
func crowdedRows(rnd *rand.Rand, n int) []string {
	type spot struct {
		cat, sub string
		day      int // days after 2023-01-01
		lat, lon float64
	}
	cats := []struct{ name, sub string }{{"drug_trafficking", "heroin"}, {"human_trafficking", "migrant_smuggling"}, {"terror_financing", "hawala_hundi"}}
	var spots []spot
	for range 6 {
		c := cats[rnd.IntN(len(cats))]
		// Month ends (January 31st is day 30, February 28th day 58), or any day.
		day := []int{29, 30, 57, 58, 89, rnd.IntN(90)}[rnd.IntN(6)]
		spots = append(spots, spot{c.name, c.sub, day, 30.1 + 0.8*rnd.Float64(), 70.1 + 1.8*rnd.Float64()})
	}
	sources := []string{"ANF", "Punjab Police", "FIA", "Dawn"}
	rows := make([]string, 0, n)
	for i := range n {
		s := spots[rnd.IntN(len(spots))]
		day := s.day + []int{0, 0, 1, -1, 3, -3, 2}[rnd.IntN(7)] // 3: the window's edge
		lat := s.lat + []float64{0, 0, 0.004, 0.05, 0.0895}[rnd.IntN(5)]
		la, lo, hint := fmt.Sprintf("%.5f", lat), fmt.Sprintf("%.5f", s.lon), ""
		if rnd.IntN(8) == 0 {
			la, lo, hint = "", "", []string{"Alpha", "Beta"}[int(s.lon-70)]
		}
		src := sources[rnd.IntN(len(sources))]
		q, a := "", ""
		switch s.cat {
		case "terror_financing":
			a = []string{"100000", "90000", "75000", ""}[rnd.IntN(4)]
		case "human_trafficking": // victims: whole people
			q = []string{"10", "9", "8", "7", ""}[rnd.IntN(5)]
		default:
			q = []string{"10", "9.5", "8", "7.5", ""}[rnd.IntN(5)]
		}
		// Ids from a small pool, which sources and categories share.
		id := fmt.Sprintf("ID-%d", rnd.IntN(n/4))
		date := time.Date(2023, 1, 1+day, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
		row := fmt.Sprintf("%s,%s,%s,%s,%s,%s,%s,%s,%s,%s", id, s.cat, s.sub, date, la, lo, hint, src, q, a)
		rows = append(rows, fmt.Sprintf("%s,row %d", row, i))
		if rnd.IntN(10) == 0 {
			rows = append(rows, fmt.Sprintf("%s,copy of row %d", row, i))
		}
	}
	rnd.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	return rows
}

// rebuiltDump copies the database at path and returns the derived tables
// `ocmap rebuild` gives the copy.
func rebuiltDump(t *testing.T, path string) map[string][]string {
	t.Helper()
	cp := filepath.Join(t.TempDir(), "copy.duckdb")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cp, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := pipeline.Rebuild(context.Background(), cp, store.Options{MemoryLimit: "256MB", Threads: 2}, nil, nil); err != nil {
		t.Fatal(err)
	}
	return derivedDump(t, cp)
}

// TestIngestCrowdedChunksEqualsRebuild ingests a crowded multi-source
// file (crowdedRows) in five chunks, one run each, checking after every run
// that the derived tables (groups, summaries, measures, category links,
// border summary) are those `ocmap rebuild` gives; then a chunk again
// unchanged, which replaces its rows and keeps every source's counts (its
// rows now have a later run, which may change primaries and the sweep
// order, so only the rebuild says what the groups must be); then the same
// rows at once into another database, which gives the chunked database's
// tables.
func TestIngestCrowdedChunksEqualsRebuild(t *testing.T) {
	f := newFixture(t)
	rows := crowdedRows(rand.New(rand.NewPCG(15, 1)), 120)
	const n = 5
	var chunks []string
	for i := range n {
		part := rows[i*len(rows)/n : (i+1)*len(rows)/n]
		chunks = append(chunks, writeFile(t, f.dir, fmt.Sprintf("chunk%02d.csv", i+1), header+"\n"+strings.Join(part, "\n")+"\n"))
	}
	chunked := filepath.Join(f.dir, "chunked.duckdb")
	f.db = chunked
	for i, c := range chunks {
		f.ingest(t, c)
		compareDumps(t, fmt.Sprintf("after chunk %d, against a rebuild", i+1), derivedDump(t, chunked), rebuiltDump(t, chunked))
	}
	whole := derivedDump(t, chunked)
	f.db = filepath.Join(f.dir, "whole.duckdb")
	f.ingest(t, writeFile(t, f.dir, "whole.csv", header+"\n"+strings.Join(rows, "\n")+"\n"))
	compareDumps(t, "chunked against whole", whole, derivedDump(t, f.db))
	// The rows crowd: same-id links, cross-source links, groups across
	// chunks, copies. (Before twins stayed out of the sweep, copies
	// merged neighbouring incidents: 11 groups, one of 67 rows, 10 across
	// chunks. An id links records of one month only: the small pool of
	// ids is shared by records of three months, 41 same-id rows, 58 when
	// an id linked any dates.)
	query(t, chunked, func(db *sql.DB) {
		got := fmt.Sprint(
			scanInt(t, db, `SELECT count(*) FROM incidents`),
			scanInt(t, db, `SELECT count(*) FROM incident_groups WHERE link = 'same_id'`),
			scanInt(t, db, `SELECT count(*) FROM incident_groups WHERE link = 'cross_source'`),
			scanInt(t, db, `SELECT count(*) FROM (SELECT group_id FROM incident_groups GROUP BY 1 HAVING count(DISTINCT source_file) > 1)`),
			scanInt(t, db, `SELECT count(*) FROM incidents WHERE description LIKE 'copy%'`))
		if want := "132 41 84 34 12"; got != want {
			t.Errorf("rows, same-id rows, cross-source rows, groups across chunks, copies = %s, want %s", got, want)
		}
	})

	f.db = chunked
	if rep := f.ingest(t, chunks[1]); len(rep.Files[0].Replaced) != 1 {
		t.Fatalf("chunk 2 again replaced %v, want the first chunk 2", rep.Files[0].Replaced)
	}
	again := derivedDump(t, chunked)
	compareDumps(t, "chunk 2 again, against a rebuild", again, rebuiltDump(t, chunked))
	if got, want := again["district_month_sources"], whole["district_month_sources"]; !reflect.DeepEqual(got, want) {
		t.Errorf("chunk 2 again changed the counts of sources:\n%s", testdb.FirstDiff(got, want))
	}
}

// TestIngestWithdraw sends a corrected file for one of two: the run that
// withdraws the first and ingests the correction leaves the derived tables
// a database of the other file and the correction has, row for row, and
// the withdrawn file's rows, rejects and records are gone. A file that
// was never ingested, or a base name of two files, is refused and the
// database is left as it was.
func TestIngestWithdraw(t *testing.T) {
	f := newFixture(t)
	rows := multiSourceRows(200)
	half := len(rows) / 2
	first := writeFile(t, f.dir, "first.csv", header+"\n"+strings.Join(rows[:half], "\n")+"\n")
	second := writeFile(t, f.dir, "second.csv", header+"\n"+strings.Join(rows[half:], "\n")+"\n")
	// The correction drops every fifth row of the second file and sends
	// the rest again, their ids and all: as an agency resends a month.
	var fixed []string
	for i, r := range rows[half:] {
		if i%5 != 0 {
			fixed = append(fixed, r)
		}
	}
	correction := writeFile(t, f.dir, "second-corrected.csv", header+"\n"+strings.Join(fixed, "\n")+"\n")

	f.db = filepath.Join(f.dir, "withdrawn.duckdb")
	f.ingest(t, first, second)
	cfg := f.config(correction)
	cfg.Withdraw = []string{"second.csv"} // its base name
	rep, err := pipeline.Ingest(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Withdrawn) != 1 || rep.Withdrawn[0].Path != second || rep.Withdrawn[0].Rows == 0 {
		t.Fatalf("withdrawn %+v, want %s with its rows", rep.Withdrawn, second)
	}
	if len(rep.Warnings) != 0 {
		t.Errorf("warnings %q, want none: the file it repeats is withdrawn", rep.Warnings)
	}
	// Without --withdraw, the run says what the correction repeats.
	withdrawnDB := f.db
	f.db = filepath.Join(f.dir, "not-withdrawn.duckdb")
	f.ingest(t, first, second)
	if rep := f.ingest(t, correction); len(rep.Warnings) != 1 ||
		!strings.HasPrefix(rep.Warnings[0], fmt.Sprintf("%s repeats %d of its %d records of %s (run 1)", correction, len(fixed), len(fixed), second)) ||
		!strings.HasSuffix(rep.Warnings[0], "If it corrects that file, ingest it again with --withdraw "+second) {
		t.Errorf("warnings %q, want one naming %s", rep.Warnings, second)
	}
	f.db = withdrawnDB
	withdrawn := f.db
	f.db = filepath.Join(f.dir, "fresh.duckdb")
	f.ingest(t, first, correction)
	compareDumps(t, "withdrawn and corrected", derivedDump(t, withdrawn), derivedDump(t, f.db))
	query(t, withdrawn, func(db *sql.DB) {
		got := fmt.Sprint(scanInt(t, db, `SELECT count(*) FROM incidents WHERE source_file = ?`, second),
			scanInt(t, db, `SELECT count(*) FROM rejects WHERE source_file = ?`, second),
			scanInt(t, db, `SELECT replaced_by FROM ingest_files WHERE source_file = ?`, second))
		if got != "0 0 2" {
			t.Errorf("the withdrawn file's rows, rejects and replaced_by = %s, want 0 0 2", got)
		}
	})

	f.db = withdrawn
	if err := os.Mkdir(filepath.Join(f.dir, "other"), 0o755); err != nil {
		t.Fatal(err)
	}
	f.ingest(t, writeFile(t, filepath.Join(f.dir, "other"), "first.csv", header+"\n"+strings.Join(rows[:10], "\n")+"\n"))
	before := snapshot(t, withdrawn)
	for _, w := range []struct{ name, want string }{
		{"never.csv", "the database holds no rows of that file"},
		{"first.csv", "it names 2 files"},
		{"second.csv", "withdrawing second.csv: the database holds no rows of that file: run 2 withdrew " + second + " already"},
	} {
		cfg := f.config()
		cfg.Withdraw = []string{w.name}
		if _, err := pipeline.Ingest(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), w.want) {
			t.Errorf("withdrawing %s: %v, want an error saying %q", w.name, err, w.want)
		}
	}
	if after := snapshot(t, withdrawn); !reflect.DeepEqual(after, before) {
		t.Errorf("a refused withdrawal changed the database:\n%v\nwant\n%v", after, before)
	}
}

// TestIngestWithdrawExplains: a withdrawal that finds no file to take out
// says why, so that the user knows what to name instead: the database does
// not exist (and the refusal creates none), the file is named twice, its
// rows were already replaced by a file of the same content (which is the
// one to withdraw), or it is recorded under another path.
func TestIngestWithdrawExplains(t *testing.T) {
	f := newFixture(t)
	cfg := f.config()
	cfg.Withdraw = []string{"small.csv"}
	if _, err := pipeline.Ingest(context.Background(), cfg); err == nil ||
		!strings.Contains(err.Error(), "withdrawing small.csv: "+f.db+" does not exist yet") {
		t.Errorf("withdrawing from a database not made yet: %v", err)
	}
	for _, p := range []string{f.db, pipeline.StagingPath(f.db), pipeline.StagingPath(f.db) + ".lock"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("the refused withdrawal left %s", p)
		}
	}

	f.ingest(t, f.small)
	gz := writeGzip(t, f.dir, "small.csv.gz", smallCSV())
	f.ingest(t, gz)
	before := snapshot(t, f.db)
	for _, w := range []struct {
		name     string
		withdraw []string
		want     string
	}{
		{"replaced by the same content", []string{"small.csv"},
			"withdrawing small.csv: the database holds no rows of that file: the rows of " + f.small + " were replaced by " + gz + " of run 2, which has the same content; withdraw that file"},
		{"named twice", []string{"small.csv.gz", "./small.csv.gz"},
			"withdrawing ./small.csv.gz: this run withdraws " + gz + " already (--withdraw names it twice)"},
		{"recorded under another path", []string{"elsewhere/small.csv.gz"},
			"withdrawing elsewhere/small.csv.gz: the database holds no rows of that file; " + gz + " has that name (give it as recorded)"},
	} {
		t.Run(w.name, func(t *testing.T) {
			cfg := f.config()
			cfg.Withdraw = w.withdraw
			if _, err := pipeline.Ingest(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), w.want) {
				t.Errorf("withdrawing %v: %v, want an error saying %q", w.withdraw, err, w.want)
			}
		})
	}
	if after := snapshot(t, f.db); !reflect.DeepEqual(after, before) {
		t.Errorf("a refused withdrawal changed the database:\n%v\nwant\n%v", after, before)
	}

	// A correction in another folder replaced the original (withdrawn in
	// the same run); the original's bare name now names the correction
	// alone, but the user may mean the original: refused until the path
	// is given.
	v1 := writeFile(t, mkdir(t, f.dir, "v1"), "fia.csv", header+"\nF1,cybercrime,hacking,2024-01-10,30.5,70.5,,FIA,,,a\n")
	v2 := writeFile(t, mkdir(t, f.dir, "v2"), "fia.csv", header+"\nF1,cybercrime,hacking,2024-01-11,30.5,70.5,,FIA,,,a\n")
	f.ingest(t, v1)
	cfg = f.config(v2)
	cfg.Withdraw = []string{v1}
	if _, err := pipeline.Ingest(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	before = snapshot(t, f.db)
	cfg = f.config()
	cfg.Withdraw = []string{"fia.csv"}
	want := "withdrawing fia.csv: it names " + v2 + ", but " + v1 + ", taken out by run 4, has that name too; give the one you mean as recorded (" + v2 + ")"
	if _, err := pipeline.Ingest(context.Background(), cfg); err == nil || err.Error() != want {
		t.Errorf("withdrawing the original's bare name after its correction: %v, want %q", err, want)
	}
	if after := snapshot(t, f.db); !reflect.DeepEqual(after, before) {
		t.Errorf("the refused withdrawal changed the database")
	}
	cfg.Withdraw = []string{v2}
	if _, err := pipeline.Ingest(context.Background(), cfg); err != nil {
		t.Errorf("withdrawing the correction by its path: %v", err)
	}
}

func mkdir(t *testing.T, dir, name string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}
