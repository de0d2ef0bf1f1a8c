//go:build duckdb_arrow

package store

import (
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ocmap/ocmap/internal/testdb"
)

// sumsFiller is a file of n rows far from the cells the summary tests
// look at (PK009, 2022, one source a day), so that the later runs, each
// smaller than the database, take deriveRun.
func sumsFiller(n int) propFile {
	f := propFile{name: "filler.csv"}
	for i := range n {
		f.rows = append(f.rows, propRow{source: "ANF", category: "cybercrime", code: "PK009", province: "East",
			date: fmt.Sprintf("2022-%02d-%02d", 1+i/28, 1+i%28), prec: 3})
	}
	return f
}

// commitSumsRuns commits runs into st, checks after each that the derived
// tables equal a rebuild's, and calls after, when not nil, with the run's
// index. It returns how many of the runs deriveRun made (its sweep runs
// once a run).
func commitSumsRuns(t *testing.T, st *Store, runs []propRun, after func(i int)) int {
	t.Helper()
	sweeps := 0
	sweepHook = func(sweepStats) { sweeps++ }
	defer func() { sweepHook = nil }()
	for i, run := range runs {
		commitPropRun(t, st, run)
		checkEqualsRebuild(t, st, i+1)
		if after != nil {
			after(i)
		}
	}
	return sweeps
}

// cellRows lists, as text with | between the columns and - for null, the
// rows of district_month of category (but the filler's), and those of
// district_month_sums and district_month_sources in the same cells.
func cellRows(t *testing.T, st *Store, category string) (month, sums, sources []string) {
	t.Helper()
	list := func(cols, table string) []string {
		var text []string
		for _, c := range strings.Split(cols, ",") {
			text = append(text, "coalesce(CAST("+strings.TrimSpace(c)+" AS VARCHAR), '-')")
		}
		return testdb.Rows(t, st.db, fmt.Sprintf(`SELECT concat_ws('|', %s) AS x FROM %s
			WHERE category = '%s' AND district_code IS DISTINCT FROM 'PK009' ORDER BY x`,
			strings.Join(text, ", "), table, category))
	}
	month = list(`district_code, province, month, incidents, quantity, amount_pkr, by_point, by_name,
		by_province, by_country, records, victims`, "district_month")
	sums = list(`district_code, province, month, records, incidents, quantity, quantity_n, amount_pkr, amount_n,
		v_given, v_given_n, v_quantity, v_quantity_n`, "district_month_sums")
	sources = list(`district_code, month, source, records`, "district_month_sources")
	return month, sums, sources
}

// checkRows reports what differs when got is not want.
func checkRows(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

// TestDeriveRunSumsEdges runs files whose rows lack a district, a
// province, a date, a source (a layout's rows: the layout is the source
// key), or a quantity; quantities with six decimals beside 10^15 (the
// largest a row may give), quantities that add up to zero (the ingest
// refuses a negative one, the store takes it), and a district in two
// provinces. Later runs give files
// again, changed or emptied, two in one run and with nothing new, and a
// file given again a second time; one takes away the primary of a group
// whose other member lies in another cell. After each run the derived
// tables equal a rebuild's, each run but the first was deriveRun's, and
// the cells hold the sums the rows left in them give.
func TestDeriveRunSumsEdges(t *testing.T) {
	drug := func(src, id, code, prov any, date any, prec int, qty any) propRow {
		x := propRow{source: src, id: id, category: "drug_trafficking", code: code, province: prov, date: date, prec: prec, qty: qty}
		if prec == 1 {
			x.lat, x.lon = 30.5, 70.5
		}
		return x
	}
	// The rows of PK001 lie days apart and give different sources, so
	// none links but by id: X links a (PK001, January, by its point) and
	// b0 (PK002, February, by name), a the primary.
	a := propFile{name: "a.csv", rows: []propRow{
		drug("ANF", "X", "PK001", "North", "2023-01-10", 1, 0.123457),
		drug("FIA", nil, "PK001", "North", "2023-01-20", 3, nil),
	}}
	big := propFile{name: "big.csv", rows: []propRow{drug("CTD", nil, "PK001", "North", "2023-01-30", 3, 1e15)}}
	b := propFile{name: "b.csv", rows: []propRow{
		drug("ANF", "X", "PK002", "South", "2023-02-02", 3, 7.25),
		// PK002 named with another province: a cell of its own.
		drug("police", nil, "PK002", "North", "2023-02-20", 3, 2.5),
		// A layout's row without a source, placed to its province, undated.
		{layout: "pbc", category: "drug_trafficking", province: "North", prec: 4, qty: 3.000001},
		// The country only, without a quantity.
		drug(nil, nil, nil, nil, "2023-02-10", 6, nil),
	}}
	neg := propFile{name: "neg.csv", rows: []propRow{
		drug("ANF", nil, "PK003", "West", "2023-03-01", 3, 5.5),
		drug("ANF", nil, "PK003", "West", "2023-03-20", 3, -5.5),
		drug("ANF", nil, "PK003", "West", "2023-03-25", 3, nil),
	}}
	runs := []propRun{
		{sumsFiller(40), a, big, b, neg},
		// big leaves: the sum of PK001 is a's six decimals again, exactly.
		{{name: "new1.csv", rows: []propRow{drug("press", nil, "PK004", "West", "2023-04-01", 3, 1.0)}}, {name: big.name}},
		// Nothing new; a is emptied (its cell leaves every table, and b0
		// becomes X's primary: February of PK002 counts it now), and neg
		// loses the row of 5.5.
		{{name: a.name}, {name: neg.name, rows: neg.rows[1:]}},
		// neg again, whole: its quantities add up to zero.
		{neg},
	}
	st := openTestStore(t, "sums.duckdb", Options{Threads: 2})
	after := func(i int) {
		month, _, _ := cellRows(t, st, "drug_trafficking")
		of := func(code string) []string {
			return slices.DeleteFunc(slices.Clone(month), func(x string) bool { return !strings.HasPrefix(x, code+"|") })
		}
		switch i {
		case 1:
			checkRows(t, "PK001 after run 2", of("PK001"), []string{"PK001|North|2023-01-01|2|0.123457|-|1|1|0|0|2|-"})
		case 2:
			checkRows(t, "PK003 after run 3", of("PK003"), []string{"PK003|West|2023-03-01|2|-5.5|-|0|2|0|0|2|-"})
		}
	}
	if n := commitSumsRuns(t, st, runs, after); n != len(runs)-1 {
		t.Errorf("deriveRun made %d of the %d runs after the first", n, len(runs)-1)
	}
	month, sums, sources := cellRows(t, st, "drug_trafficking")
	// district, province, month, incidents, quantity, amount, by point,
	// by name, by province, by country, records, victims
	checkRows(t, "district_month", month, []string{
		"-|-|2023-02-01|1|-|-|0|0|0|1|1|-",
		"-|North|-|1|3.000001|-|0|0|1|0|1|-",
		"PK002|North|2023-02-01|1|2.5|-|0|1|0|0|1|-",
		"PK002|South|2023-02-01|1|7.25|-|0|1|0|0|1|-",
		"PK003|West|2023-03-01|3|0.0|-|0|3|0|0|3|-",
		"PK004|West|2023-04-01|1|1.0|-|0|1|0|0|1|-",
	})
	// district, province, month, records, incidents, quantity and how
	// many gave it, amount and how many, victims given and how many,
	// victims from quantities (of canonical rows only: the pbc row gives none) and how many.
	checkRows(t, "district_month_sums", sums, []string{
		"-|-|2023-02-01|1|1|0.000000|0|0.00|0|0|0|0|0",
		"-|North|-|1|1|3.000001|1|0.00|0|0|0|0|0",
		"PK002|North|2023-02-01|1|1|2.500000|1|0.00|0|0|0|3|1",
		"PK002|South|2023-02-01|1|1|7.250000|1|0.00|0|0|0|7|1",
		"PK003|West|2023-03-01|3|3|0.000000|2|0.00|0|0|0|0|2",
		"PK004|West|2023-04-01|1|1|1.000000|1|0.00|0|0|0|1|1",
	})
	checkRows(t, "district_month_sources", sources, []string{
		"-|-|pbc|1", "-|2023-02-01|canonical|1",
		"PK002|2023-02-01|ANF|1", "PK002|2023-02-01|police|1",
		"PK003|2023-03-01|ANF|3", "PK004|2023-04-01|press|1",
	})
}

// TestDeriveRunSumsVictims follows the victims of a cell of trafficking
// (the victims given, else the quantity rounded) and of drugs (the victims
// given only) as runs take away the rows that gave them: a victims count,
// a quantity, a layout's row without a source, until none gives either
// (null), and a row that gives 0 victims beside a quantity.
func TestDeriveRunSumsVictims(t *testing.T) {
	// Seven days apart, none links to another.
	ht := func(src, layout any, day string, victims, qty any) propRow {
		return propRow{source: src, layout: layout, category: "human_trafficking", code: "PK001", province: "North",
			date: "2023-01-" + day, prec: 3, victims: victims, qty: qty}
	}
	given := propFile{name: "given.csv", rows: []propRow{ht("ANF", nil, "05", 4, 9.0)}}
	byQty := propFile{name: "qty.csv", rows: []propRow{ht("police", nil, "12", nil, 3.5)}}
	none := propFile{name: "none.csv", rows: []propRow{ht("press", nil, "19", nil, nil)}}
	layout := propFile{name: "layout.csv", rows: []propRow{ht(nil, "pbc", "26", 2, nil)}}
	drugs := propFile{name: "drugs.csv", rows: []propRow{{source: "ANF", category: "drug_trafficking", code: "PK001",
		province: "North", date: "2023-01-05", prec: 3, victims: 3, qty: 2.5}}}
	runs := []propRun{
		{sumsFiller(30), given, byQty, none, layout, drugs},
		{{name: given.name}, {name: "other.csv", rows: []propRow{ht("FIA", nil, "30", nil, 1.0)}}},
		{{name: layout.name}, {name: byQty.name}},
		{{name: none.name, rows: []propRow{ht("press", nil, "19", 0, 7.0)}}, {name: drugs.name,
			rows: []propRow{{source: "ANF", category: "drug_trafficking", code: "PK001", province: "North", date: "2023-01-05", prec: 3, qty: 2.5}}}},
	}
	// The cell's records and victims after each run, the trafficking cell's
	// sums of victims (given, how many, from quantities, how many), and
	// the drugs cell's records and victims.
	want := []string{
		"4|10|6|2|4|1|1|3",
		"4|7|2|1|5|2|1|3",
		"2|1|0|0|1|1|1|3",
		"2|1|0|1|1|1|1|-",
	}
	st := openTestStore(t, "victims.duckdb", Options{Threads: 2})
	after := func(i int) {
		got := testdb.Rows(t, st.db, `SELECT concat_ws('|', m.records, coalesce(CAST(m.victims AS VARCHAR), '-'),
				s.v_given, s.v_given_n, s.v_quantity, s.v_quantity_n,
				(SELECT concat_ws('|', records, coalesce(CAST(victims AS VARCHAR), '-')) FROM district_month
					WHERE category = 'drug_trafficking' AND district_code = 'PK001'))
			FROM district_month m JOIN district_month_sums s USING (district_code, province, category, month)
			WHERE m.category = 'human_trafficking' AND m.district_code = 'PK001'`)
		checkRows(t, fmt.Sprintf("victims after run %d", i+1), got, want[i:i+1])
	}
	if n := commitSumsRuns(t, st, runs, after); n != len(runs)-1 {
		t.Errorf("deriveRun made %d of the %d runs after the first", n, len(runs)-1)
	}
}

// TestDeriveRunSumsPrimaryMoves takes away, run by run, the primary of a
// group of one source's id and month whose members lie in three cells (a
// district by its point, another by name, and the country): each time
// another member becomes the primary, and its cell
// counts the incident, its quantity and its amount; the cell of the row
// taken away leaves every table. A run brings a better primary back, and
// the last takes away a member that is not the primary, from a cell that
// keeps a row.
func TestDeriveRunSumsPrimaryMoves(t *testing.T) {
	y := func(code, prov, date any, prec int, qty, amt any) propRow {
		x := propRow{source: "ANF", id: "Y", category: "drug_trafficking", code: code, province: prov, date: date, prec: prec, qty: qty, amt: amt}
		if prec == 1 {
			x.lat, x.lon = 30.5, 70.5
		}
		return x
	}
	p := propFile{name: "p.csv", rows: []propRow{y("PK001", "North", "2023-01-10", 1, 10.0, 1000.5)}}
	q := propFile{name: "q.csv", rows: []propRow{y("PK002", "South", "2023-01-10", 3, 12.0, nil)}}
	r := propFile{name: "r.csv", rows: []propRow{y(nil, nil, "2023-01-10", 6, 14.0, 0.01)}}
	// Another row of the country in January, in no group.
	o := propFile{name: "o.csv", rows: []propRow{{source: "FIA", category: "drug_trafficking", date: "2023-01-15", prec: 6, qty: 0.5}}}
	runs := []propRun{
		{sumsFiller(30), p, q, r, o},
		{{name: p.name}},
		// q again, changed: its row is in PK003 now.
		{{name: q.name, rows: []propRow{y("PK003", "West", "2023-01-10", 3, 12.5, nil)}}},
		{{name: q.name}},
		{{name: "s.csv", rows: []propRow{y("PK001", "North", "2023-01-10", 1, 11.0, nil)}}},
		// r leaves, not a primary: the country's cell keeps o's sums.
		{{name: r.name}},
	}
	// district, month, incidents, quantity, amount, by point, by name,
	// by country, records
	want := [][]string{
		{"-|2023-01-01|1|0.5|-|0|0|1|2", "PK001|2023-01-01|1|10.0|1000.5|1|0|0|1", "PK002|2023-01-01|0|-|-|0|0|0|1"},
		{"-|2023-01-01|1|0.5|-|0|0|1|2", "PK002|2023-01-01|1|12.0|-|0|1|0|1"},
		{"-|2023-01-01|1|0.5|-|0|0|1|2", "PK003|2023-01-01|1|12.5|-|0|1|0|1"},
		{"-|2023-01-01|2|14.5|0.01|0|0|2|2"},
		{"-|2023-01-01|1|0.5|-|0|0|1|2", "PK001|2023-01-01|1|11.0|-|1|0|0|1"},
		{"-|2023-01-01|1|0.5|-|0|0|1|1", "PK001|2023-01-01|1|11.0|-|1|0|0|1"},
	}
	st := openTestStore(t, "primary.duckdb", Options{Threads: 2})
	after := func(i int) {
		got := testdb.Rows(t, st.db, `SELECT concat_ws('|', coalesce(district_code, '-'), coalesce(CAST(month AS VARCHAR), '-'),
				incidents, coalesce(CAST(quantity AS VARCHAR), '-'), coalesce(CAST(amount_pkr AS VARCHAR), '-'),
				by_point, by_name, by_country, records) AS x
			FROM district_month WHERE category = 'drug_trafficking' ORDER BY x`)
		checkRows(t, fmt.Sprintf("district_month after run %d", i+1), got, want[i])
	}
	if n := commitSumsRuns(t, st, runs, after); n != len(runs)-1 {
		t.Errorf("deriveRun made %d of the %d runs after the first", n, len(runs)-1)
	}
}

// TestDeriveRunsEqualRebuildSumsProperty is the property test on rows
// whose parts of the summaries vary more: trafficking rows with and
// without victims, layout rows without a source, quantities with six
// decimals beside 10^15, amounts of a paisa and half of one.
func TestDeriveRunsEqualRebuildSumsProperty(t *testing.T) {
	qtys := []any{0.000001, 123456.789012, 1e15, 999999999999999.9, 0.1, 0.2, 2.5, 3.5, nil}
	amts := []any{0.01, 0.005, 999999999999.99, 1e15, nil}
	seeds := uint64(4)
	if n, err := strconv.ParseUint(os.Getenv("OCMAP_PROP_SEEDS"), 10, 64); err == nil {
		seeds = n
	}
	for seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			g := &propGen{rnd: rand.New(rand.NewPCG(8, seed)), files: map[string][]propRow{}, made: map[string]int{}}
			seq := g.runs(10)
			rnd := rand.New(rand.NewPCG(9, seed))
			// The runs share the rows of a file given again unchanged:
			// each slice of rows is changed once.
			done := map[*propRow]bool{}
			for _, run := range seq {
				for _, f := range run {
					for i := range f.rows {
						x := &f.rows[i]
						if done[x] {
							continue
						}
						done[x] = true
						if rnd.IntN(3) == 0 {
							x.category = "human_trafficking"
						}
						if rnd.IntN(2) == 0 {
							x.victims = rnd.IntN(6)
						}
						if x.source == nil && rnd.IntN(2) == 0 {
							x.layout = "pbc"
						}
						if rnd.IntN(3) == 0 {
							x.qty = qtys[rnd.IntN(len(qtys))]
						}
						if rnd.IntN(3) == 0 {
							x.amt = amts[rnd.IntN(len(amts))]
						}
					}
				}
			}
			if n, diff := propDiff(t, seq, nil); n > 0 {
				t.Errorf("after run %d of %d: %s\n%s", n, len(seq), diff, formatProp(seq[:n]))
			}
		})
	}
}

// TestDeriveRunSumsBehindFallback checks that a run recomputes every table
// when district_month_sums no longer counts every row (a cell lost, as a
// hand edit would leave it), though district_month does: the run's sums
// would start from the lost cell's.
func TestDeriveRunSumsBehindFallback(t *testing.T) {
	row := func(src, date string, qty float64) propRow {
		return propRow{source: src, category: "drug_trafficking", code: "PK001", province: "North", date: date, prec: 3, qty: qty}
	}
	st := openTestStore(t, "sumsbehind.duckdb", Options{Threads: 2})
	runs := []propRun{
		{sumsFiller(30), {name: "a.csv", rows: []propRow{row("ANF", "2023-01-05", 2), row("ANF", "2023-01-25", 3)}}},
		{{name: "b.csv", rows: []propRow{row("ANF", "2023-01-15", 4)}}},
	}
	if n := commitSumsRuns(t, st, runs[:1], nil); n != 0 {
		t.Fatalf("the first run swept %d times in deriveRun", n)
	}
	if _, err := st.db.Exec(`DELETE FROM district_month_sums WHERE category = 'drug_trafficking'`); err != nil {
		t.Fatal(err)
	}
	if n := commitSumsRuns(t, st, runs[1:], nil); n != 0 {
		t.Errorf("after district_month_sums lost a cell, a run took deriveRun (%d sweeps): want every table recomputed", n)
	}
	month, sums, _ := cellRows(t, st, "drug_trafficking")
	checkRows(t, "district_month", month, []string{"PK001|North|2023-01-01|3|9.0|-|0|3|0|0|3|-"})
	checkRows(t, "district_month_sums", sums, []string{"PK001|North|2023-01-01|3|3|9.000000|3|0.00|0|0|0|9|3"})
}

// TestDeriveRunSumsRelocated places rows of a run anew before it commits,
// as placeholder.Replace does (another district by name, a province only):
// the summaries count them where they are placed, and a later run that
// gives their file again takes them away from there.
func TestDeriveRunSumsRelocated(t *testing.T) {
	ctx := t.Context()
	st := openTestStore(t, "relocated.duckdb", Options{Threads: 2})
	commitSumsRuns(t, st, []propRun{{sumsFiller(30)}}, nil)
	sweeps := 0
	sweepHook = func(sweepStats) { sweeps++ }
	defer func() { sweepHook = nil }()
	at := func(src, date string, qty float64) propRow {
		return propRow{source: src, category: "drug_trafficking", code: "PK001", province: "North", date: date,
			lat: 30.5, lon: 70.5, prec: 1, qty: qty}
	}
	f := propFile{name: "points.csv", rows: []propRow{at("ANF", "2023-01-05", 1), at("ANF", "2023-01-15", 2), at("ANF", "2023-01-25", 4)}}
	commitRun(t, st, 3, []string{f.name}, func(r *Run) {
		for i, x := range f.rows {
			if _, err := r.conn.ExecContext(ctx, `INSERT INTO incidents (category, occurred_on, lat, lon, source, quantity,
				source_file, source_line, run_id, district_code, province, location_precision)
				VALUES (?, CAST(? AS DATE), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				x.category, x.date, x.lat, x.lon, x.source, x.qty, f.name, i+2, r.ID, x.code, x.province, x.prec); err != nil {
				t.Fatal(err)
			}
		}
		if err := r.Replace(ctx, []Replacement{
			{Table: TableIncidents, File: f.name, Line: 3, District: "PK002", DistrictName: "Beta", Province: "South", Precision: 3},
			{Table: TableIncidents, File: f.name, Line: 4, Province: "North", Precision: 4},
		}); err != nil {
			t.Fatal(err)
		}
	})
	checkEqualsRebuild(t, st, 2)
	month, _, sources := cellRows(t, st, "drug_trafficking")
	checkRows(t, "district_month", month, []string{
		"-|North|2023-01-01|1|4.0|-|0|0|1|0|1|-",
		"PK001|North|2023-01-01|1|1.0|-|1|0|0|0|1|-",
		"PK002|South|2023-01-01|1|2.0|-|0|1|0|0|1|-",
	})
	checkRows(t, "district_month_sources", sources, []string{
		"-|2023-01-01|ANF|1", "PK001|2023-01-01|ANF|1", "PK002|2023-01-01|ANF|1",
	})
	// The file again, emptied: every cell it made leaves.
	commitRun(t, st, 0, []string{f.name}, func(*Run) {})
	checkEqualsRebuild(t, st, 3)
	month, sums, sources := cellRows(t, st, "drug_trafficking")
	if len(month)+len(sums)+len(sources) != 0 {
		t.Errorf("after the file left, its cells remain:\n%q\n%q\n%q", month, sums, sources)
	}
	if sweeps != 2 {
		t.Errorf("deriveRun made %d of the 2 runs after the first", sweeps)
	}
}

// TestDeriveRunSumsAllGone gives every file again, emptied, in a run that
// brings nothing: the run is deriveRun's (it brings no more rows than the
// database had), and leaves every derived table empty.
func TestDeriveRunSumsAllGone(t *testing.T) {
	a := propFile{name: "a.csv", rows: []propRow{
		{source: "ANF", id: "Z", category: "drug_trafficking", code: "PK001", province: "North", date: "2023-01-05", prec: 3, qty: 1.5},
		{source: "ANF", id: "Z", category: "drug_trafficking", province: "North", prec: 4, qty: 2.5, victims: 1},
		{layout: "pbc", category: "human_trafficking", prec: 6, qty: 3.0},
	}}
	st := openTestStore(t, "allgone.duckdb", Options{Threads: 2})
	runs := []propRun{{sumsFiller(5), a}, {{name: "filler.csv"}, {name: a.name}}}
	if n := commitSumsRuns(t, st, runs, nil); n != 1 {
		t.Errorf("deriveRun made %d of the 1 run after the first", n)
	}
	for table := range derivedTables {
		if got := testdb.Rows(t, st.db, `SELECT count(*) FROM `+table); got[0] != "0" {
			t.Errorf("%s holds %s rows after every file left", table, got[0])
		}
	}
}
