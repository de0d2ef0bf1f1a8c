//go:build duckdb_arrow

package store

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/internal/testdb"
)

var groupBoundaries = BoundaryInfo{Path: "test.geojson", SHA256: "0123456789abcdef", Districts: []geo.District{
	{Code: "PK001", Name: "Alpha", Province: "North", AreaKm2: 100},
	{Code: "PK002", Name: "Beta", Province: "South", AreaKm2: 200},
}}

// rec is one incident of a grouping test; its source_file names it.
type rec struct {
	file, source, id string  // an empty source is null
	category, code   string  // empty: drug_trafficking, PK001
	date             string  // empty: undated
	lat, lon         float64 // 0, 0: placed by district name
	qty, amt         float64 // negative: null
}

// insertRecs writes recs into incidents within run r.
func insertRecs(t *testing.T, r *Run, recs []rec) {
	t.Helper()
	for _, x := range recs {
		var src, lat, lon, qty, amt any
		prec := 3
		if x.source != "" {
			src = x.source
		}
		if x.lat != 0 {
			lat, lon, prec = x.lat, x.lon, 1
		}
		if x.qty >= 0 {
			qty = x.qty
		}
		if x.amt >= 0 {
			amt = x.amt
		}
		cat, code := x.category, x.code
		if cat == "" {
			cat = "drug_trafficking"
		}
		if code == "" {
			code = "PK001"
		}
		if _, err := r.conn.ExecContext(context.Background(), `INSERT INTO incidents
			(incident_id, category, occurred_on, lat, lon, source, quantity, amount_pkr,
			source_file, source_line, run_id, district_code, location_precision)
			VALUES (?, ?, CAST(NULLIF(?, '') AS DATE), ?, ?, ?, ?, ?, ?, 2, ?, ?, ?)`,
			x.id, cat, x.date, lat, lon, src, qty, amt, x.file, r.ID, code, prec); err != nil {
			t.Fatal(err)
		}
	}
}

// commitRuns writes each element of runs as one committed run into a new
// store, and returns the store.
func commitRuns(t *testing.T, runs ...[]rec) *Store {
	t.Helper()
	ctx := context.Background()
	st := openTestStore(t, "groups.duckdb", Options{Threads: 2})
	for _, recs := range runs {
		r, err := st.BeginRun(ctx, groupBoundaries)
		if err != nil {
			t.Fatal(err)
		}
		insertRecs(t, r, recs)
		n := int64(len(recs))
		if err := r.Commit(ctx, "[]", n, n, 0, "test"); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// groupRows lists incident_groups as "group file[*] link score", primary
// first in each group, * marking it; groups are numbered 1, 2, ... in the
// order of their primaries (precision, run, file, line). It fails the test
// when a group's id is not groupID of its primary.
func groupRows(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`WITH p AS (
			SELECT group_id, g.run_id, g.source_file, g.source_line, dense_rank() OVER (
				ORDER BY i.location_precision NULLS LAST, g.run_id, g.source_file, g.source_line) AS n
			FROM incident_groups g JOIN incidents i USING (run_id, source_file, source_line) WHERE is_primary)
		SELECT p.n, p.group_id, p.run_id, p.source_file, p.source_line, g.source_file, g.is_primary, g.link, g.score
		FROM incident_groups g JOIN p USING (group_id)
		ORDER BY p.n, g.is_primary DESC, g.source_file`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n, g int64
		var pk rowKey
		var file, link string
		var primary bool
		var score float64
		if err := rows.Scan(&n, &g, &pk.run, &pk.file, &pk.line, &file, &primary, &link, &score); err != nil {
			t.Fatal(err)
		}
		if got, want := g, groupID(pk); got != want {
			t.Errorf("group %d of primary %v has id %d, want %d", n, pk, got, want)
		}
		star := ""
		if primary {
			star = "*"
		}
		out = append(out, fmt.Sprintf("%d %s%s %s %.4f", n, file, star, link, score))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// summaryTotals adds up the summaries: district_month's incidents, records,
// by_point, by_name and quantity (kg), and the rows of
// district_month_sources.
type summaryTotals struct {
	Incidents, Records, ByPoint, ByName int64
	Quantity                            float64
	SourceRows                          int64
}

func totalsOf(t *testing.T, db *sql.DB) summaryTotals {
	t.Helper()
	var s summaryTotals
	if err := db.QueryRow(`SELECT coalesce(sum(incidents), 0), coalesce(sum(records), 0),
		coalesce(sum(by_point), 0), coalesce(sum(by_name), 0), coalesce(sum(quantity), 0),
		(SELECT count(*) FROM district_month_sources) FROM district_month`).
		Scan(&s.Incidents, &s.Records, &s.ByPoint, &s.ByName, &s.Quantity, &s.SourceRows); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLinkGroups(t *testing.T) {
	const (
		lat, lon = 30.5, 70.5
		none     = -1
	)
	// a and b of a seizure that ANF and the police report one day apart,
	// about 0.2 km apart, 10 and 9.5 kg: date 0.75, place 1, amount 0.95.
	anf := rec{file: "a", source: "ANF", id: "ANF-1", date: "2023-01-10", lat: lat, lon: lon, qty: 10, amt: none}
	fir := rec{file: "b", source: "police", id: "FIR-7", date: "2023-01-11", lat: lat + 0.001, lon: lon + 0.002, qty: 9.5, amt: none}
	with := func(r rec, f func(*rec)) rec { f(&r); return r }

	tests := []struct {
		name   string
		recs   []rec
		groups []string
		totals summaryTotals
	}{
		{
			"two sources, one day apart", []rec{anf, fir},
			[]string{"1 a* cross_source 0.9000", "1 b cross_source 0.9000"},
			summaryTotals{Incidents: 1, Records: 2, ByPoint: 1, Quantity: 10, SourceRows: 2},
		},
		{
			"nine days apart", []rec{anf, with(fir, func(r *rec) { r.date = "2023-01-19" })},
			nil, summaryTotals{Incidents: 2, Records: 2, ByPoint: 2, Quantity: 19.5, SourceRows: 2},
		},
		{
			"10 kg and 5 kg", []rec{anf, with(fir, func(r *rec) { r.qty = 5 })},
			nil, summaryTotals{Incidents: 2, Records: 2, ByPoint: 2, Quantity: 15, SourceRows: 2},
		},
		{
			"another district", []rec{anf, with(fir, func(r *rec) { r.code = "PK002" })},
			nil, summaryTotals{Incidents: 2, Records: 2, ByPoint: 2, Quantity: 19.5, SourceRows: 2},
		},
		{
			"another category", []rec{anf, with(fir, func(r *rec) { r.category = "human_trafficking" })},
			nil, summaryTotals{Incidents: 2, Records: 2, ByPoint: 2, Quantity: 19.5, SourceRows: 2},
		},
		{
			"points 20 km apart", []rec{anf, with(fir, func(r *rec) { r.lat = lat + 0.18 })},
			nil, summaryTotals{Incidents: 2, Records: 2, ByPoint: 2, Quantity: 19.5, SourceRows: 2},
		},
		{
			// 2023-01-04 and 2023-01-06 lie in adjacent week buckets:
			// date 1-2/4, same point 1, same quantity 1.
			"across a bucket boundary",
			[]rec{with(anf, func(r *rec) { r.date = "2023-01-04" }), with(fir, func(r *rec) { r.date, r.lat, r.lon, r.qty = "2023-01-06", lat, lon, 10 })},
			[]string{"1 a* cross_source 0.8333", "1 b cross_source 0.8333"},
			summaryTotals{Incidents: 1, Records: 2, ByPoint: 1, Quantity: 10, SourceRows: 2},
		},
		{
			// Another day of the month: a correction of the date.
			"same source, same id, another day",
			[]rec{anf, with(anf, func(r *rec) { r.file, r.date = "b", "2023-01-31" })},
			[]string{"1 a* same_id 1.0000", "1 b same_id 1.0000"},
			summaryTotals{Incidents: 1, Records: 2, ByPoint: 1, Quantity: 10, SourceRows: 1},
		},
		{
			// Another district: a correction of the place.
			"same source, same id twice",
			[]rec{anf, with(anf, func(r *rec) { r.file, r.code = "b", "PK002" })},
			[]string{"1 a* same_id 1.0000", "1 b same_id 1.0000"},
			summaryTotals{Incidents: 1, Records: 2, ByPoint: 1, Quantity: 10, SourceRows: 2},
		},
		{
			// Serial numbers that start again in each month's file: an id
			// in another month is another incident.
			"same source, same id, another month",
			[]rec{anf, with(anf, func(r *rec) { r.file, r.date = "b", "2023-02-10" })},
			nil, summaryTotals{Incidents: 2, Records: 2, ByPoint: 2, Quantity: 20, SourceRows: 2},
		},
		{
			// Without a source, the layout ('canonical') is the source.
			"no source, same id twice",
			[]rec{with(anf, func(r *rec) { r.source = "" }), with(anf, func(r *rec) { r.file, r.source = "b", "" })},
			[]string{"1 a* same_id 1.0000", "1 b same_id 1.0000"},
			summaryTotals{Incidents: 1, Records: 2, ByPoint: 1, Quantity: 10, SourceRows: 1},
		},
		{
			"same id in two sources is no duplicate",
			[]rec{anf, with(anf, func(r *rec) { r.file, r.source, r.date = "b", "police", "2023-03-10" })},
			nil, summaryTotals{Incidents: 2, Records: 2, ByPoint: 2, Quantity: 20, SourceRows: 2},
		},
		{
			// a-b and b-c are 3 days apart, a-c 6: date 0.25, same point 1,
			// no quantities 0.5. c is past the window of a's cluster, so the
			// chain stops there.
			"a chain of three",
			[]rec{
				{file: "a", source: "ANF", id: "1", date: "2023-01-01", lat: lat, lon: lon, qty: none, amt: none},
				{file: "b", source: "police", id: "2", date: "2023-01-04", lat: lat, lon: lon, qty: none, amt: none},
				{file: "c", source: "press", id: "3", date: "2023-01-07", lat: lat, lon: lon, qty: none, amt: none},
			},
			[]string{"1 a* cross_source 0.5833", "1 b cross_source 0.5833"},
			summaryTotals{Incidents: 2, Records: 3, ByPoint: 2, SourceRows: 3},
		},
		{
			// Six seizures on one day at one place, three from each of two
			// sources: one record per source in a group, so three groups of
			// two, not one of six.
			"a busy day",
			[]rec{
				{file: "a", source: "ANF", id: "1", date: "2023-01-01", lat: lat, lon: lon, qty: 10, amt: none},
				{file: "b", source: "ANF", id: "2", date: "2023-01-01", lat: lat, lon: lon, qty: 10, amt: none},
				{file: "c", source: "ANF", id: "3", date: "2023-01-01", lat: lat, lon: lon, qty: 10, amt: none},
				{file: "d", source: "police", id: "4", date: "2023-01-01", lat: lat, lon: lon, qty: 10, amt: none},
				{file: "e", source: "police", id: "5", date: "2023-01-01", lat: lat, lon: lon, qty: 10, amt: none},
				{file: "f", source: "police", id: "6", date: "2023-01-01", lat: lat, lon: lon, qty: 10, amt: none},
			},
			[]string{"1 a* cross_source 1.0000", "1 d cross_source 1.0000", "2 b* cross_source 1.0000", "2 e cross_source 1.0000",
				"3 c* cross_source 1.0000", "3 f cross_source 1.0000"},
			summaryTotals{Incidents: 3, Records: 6, ByPoint: 3, Quantity: 30, SourceRows: 2},
		},
		{
			// c is within 0.8 of b (7/8.5) but not of a (7/10): every two
			// records of a group must link.
			"every two members link",
			[]rec{
				{file: "a", source: "ANF", id: "1", date: "2023-01-01", lat: lat, lon: lon, qty: 10, amt: none},
				{file: "b", source: "police", id: "2", date: "2023-01-01", lat: lat, lon: lon, qty: 8.5, amt: none},
				{file: "c", source: "press", id: "3", date: "2023-01-01", lat: lat, lon: lon, qty: 7, amt: none},
			},
			[]string{"1 a* cross_source 0.9500", "1 b cross_source 0.9500"},
			summaryTotals{Incidents: 2, Records: 3, ByPoint: 2, Quantity: 17, SourceRows: 3},
		},
		{
			// a and b are 10.6 km apart; c (police) is 9.8 km from a and
			// 0.8 km from b: it fits the cluster of a at 0.8333 and that of
			// b at 1, and takes the better.
			"the best fit",
			[]rec{
				{file: "a", source: "ANF", id: "1", date: "2023-01-01", lat: lat, lon: lon, qty: 10, amt: none},
				{file: "b", source: "FC", id: "2", date: "2023-01-01", lat: lat + 0.0954, lon: lon, qty: 10, amt: none},
				{file: "c", source: "police", id: "3", date: "2023-01-01", lat: lat + 0.0882, lon: lon, qty: 10, amt: none},
			},
			[]string{"1 b* cross_source 1.0000", "1 c cross_source 1.0000"},
			summaryTotals{Incidents: 2, Records: 3, ByPoint: 2, Quantity: 20, SourceRows: 3},
		},
		{
			// a has no point: date 1, place 0.5, amount 1.
			"the primary is the point record",
			[]rec{
				{file: "a", source: "police", id: "1", date: "2023-01-10", qty: 10, amt: none},
				{file: "b", source: "ANF", id: "2", date: "2023-01-10", lat: lat, lon: lon, qty: 10, amt: none},
			},
			[]string{"1 b* cross_source 0.8333", "1 a cross_source 0.8333"},
			summaryTotals{Incidents: 1, Records: 2, ByPoint: 1, Quantity: 10, SourceRows: 2},
		},
		{
			// a and b are one source's duplicate; c links to both.
			"a duplicate and another source",
			[]rec{anf, with(anf, func(r *rec) { r.file = "b" }), with(fir, func(r *rec) { r.file = "c" })},
			[]string{"1 a* same_id 1.0000", "1 b same_id 1.0000", "1 c cross_source 0.9000"},
			summaryTotals{Incidents: 1, Records: 3, ByPoint: 1, Quantity: 10, SourceRows: 2},
		},
		{
			// The group of a, b and c comes from the linker (a has a same-id
			// link), that of d and e from the sweep's spill file.
			"a duplicate's group beside a cluster",
			[]rec{
				anf, with(anf, func(r *rec) { r.file = "b" }), with(fir, func(r *rec) { r.file = "c" }),
				with(anf, func(r *rec) { r.file, r.id, r.code = "d", "ANF-2", "PK002" }),
				with(fir, func(r *rec) { r.file, r.id, r.code = "e", "FIR-8", "PK002" }),
			},
			[]string{"1 a* same_id 1.0000", "1 b same_id 1.0000", "1 c cross_source 0.9000",
				"2 d* cross_source 0.9000", "2 e cross_source 0.9000"},
			summaryTotals{Incidents: 2, Records: 5, ByPoint: 2, Quantity: 20, SourceRows: 4},
		},
		{
			// By district name, PKR 1,000,000 and 900,000: date 1, place 0.5, amount 0.9.
			"amounts",
			[]rec{
				{file: "a", source: "CTD", id: "1", category: "terror_financing", date: "2023-01-10", qty: none, amt: 1e6},
				{file: "b", source: "FIA", id: "2", category: "terror_financing", date: "2023-01-10", qty: none, amt: 9e5},
			},
			[]string{"1 a* cross_source 0.8000", "1 b cross_source 0.8000"},
			summaryTotals{Incidents: 1, Records: 2, ByName: 1, SourceRows: 2},
		},
		{
			"amounts too far apart",
			[]rec{
				{file: "a", source: "CTD", id: "1", category: "terror_financing", date: "2023-01-10", qty: none, amt: 1e6},
				{file: "b", source: "FIA", id: "2", category: "terror_financing", date: "2023-01-10", qty: none, amt: 5e5},
			},
			nil, summaryTotals{Incidents: 2, Records: 2, ByName: 2, SourceRows: 2},
		},
		{
			"two groups",
			[]rec{
				anf, fir,
				with(anf, func(r *rec) { r.file, r.id, r.code = "c", "ANF-2", "PK002" }),
				with(fir, func(r *rec) { r.file, r.id, r.code = "d", "FIR-8", "PK002" }),
			},
			[]string{"1 a* cross_source 0.9000", "1 b cross_source 0.9000", "2 c* cross_source 0.9000", "2 d cross_source 0.9000"},
			summaryTotals{Incidents: 2, Records: 4, ByPoint: 2, Quantity: 20, SourceRows: 4},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := commitRuns(t, tt.recs)
			if got, want := groupRows(t, st.DB()), tt.groups; !reflect.DeepEqual(got, want) {
				t.Errorf("groups\n got %q\nwant %q", got, want)
			}
			if got, want := totalsOf(t, st.DB()), tt.totals; got != want {
				t.Errorf("summaries\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestLinkGroupsAcrossRuns links a record to one of an earlier run, and
// finds the group once however many runs recompute it.
func TestLinkGroupsAcrossRuns(t *testing.T) {
	a := rec{file: "a", source: "ANF", id: "1", date: "2023-01-10", lat: 30.5, lon: 70.5, qty: 10, amt: -1}
	b := rec{file: "b", source: "police", id: "2", date: "2023-01-10", lat: 30.5, lon: 70.5, qty: 10, amt: -1}
	c := rec{file: "c", source: "press", id: "3", date: "2023-05-01", qty: -1, amt: -1}
	st := commitRuns(t, []rec{b}, []rec{a}, []rec{c})
	// b is primary: it came in the earlier run.
	if got, want := groupRows(t, st.DB()), []string{"1 b* cross_source 1.0000", "1 a cross_source 1.0000"}; !reflect.DeepEqual(got, want) {
		t.Errorf("groups\n got %q\nwant %q", got, want)
	}
	want := summaryTotals{Incidents: 2, Records: 3, ByPoint: 1, ByName: 1, Quantity: 10, SourceRows: 3}
	if got := totalsOf(t, st.DB()); got != want {
		t.Errorf("summaries\n got %+v\nwant %+v", got, want)
	}
}

// TestLinkGroupsOneSource checks that unique ids of one source, however
// close, make no group.
func TestLinkGroupsOneSource(t *testing.T) {
	var recs []rec
	for i := range 1000 {
		recs = append(recs, rec{file: "synthetic.csv", source: "synthetic", id: fmt.Sprintf("SYN-%04d", i),
			date: fmt.Sprintf("2023-01-%02d", 1+i%28), lat: 30.5, lon: 70.5, qty: 10, amt: -1})
	}
	st := commitRuns(t, recs)
	if got, want := groupRows(t, st.DB()), []string(nil); !reflect.DeepEqual(got, want) {
		t.Errorf("groups %q, want none", got)
	}
	want := summaryTotals{Incidents: 1000, Records: 1000, ByPoint: 1000, Quantity: 10000, SourceRows: 1}
	if got := totalsOf(t, st.DB()); got != want {
		t.Errorf("summaries\n got %+v\nwant %+v", got, want)
	}
}

var groupsDB = flag.String("groupsdb", "", "ingested database for BenchmarkLinkGroups (copied, not changed)")

// BenchmarkLinkGroups times linkGroups and summarizeAll on a copy of an
// ingested database: go test -tags duckdb_arrow -run '^$' -bench LinkGroups
// ./pipeline/store/ -args -groupsdb FILE.
func BenchmarkLinkGroups(b *testing.B) {
	if *groupsDB == "" {
		b.Skip("pass -args -groupsdb FILE")
	}
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "copy.duckdb")
	if err := copyFile(*groupsDB, path); err != nil {
		b.Fatal(err)
	}
	st, err := Open(ctx, path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var info BoundaryInfo
	var rows int64
	if err := st.db.QueryRow(`SELECT value, (SELECT count(*) FROM incidents) FROM meta WHERE key = 'boundaries_sha256'`).
		Scan(&info.SHA256, &rows); err != nil {
		b.Fatal(err)
	}
	// The summary that Commit computed before groups, for comparison.
	const before = `CREATE OR REPLACE TEMP TABLE ocmap_before AS
		SELECT district_code, category, CAST(date_trunc('month', occurred_on) AS DATE) AS month,
			count(*), CAST(sum(CAST(quantity AS DECIMAL(38, 6))) AS DOUBLE),
			CAST(sum(CAST(amount_pkr AS DECIMAL(38, 2))) AS DOUBLE),
			count(*) FILTER (WHERE location_precision = 1),
			count(*) FILTER (WHERE location_precision = 3)
		FROM incidents GROUP BY ALL ORDER BY ALL`
	var link, sum, old time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := st.BeginRun(ctx, info)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := r.linkGroups(ctx, linkWindowDays); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		if err := r.summarizeAll(ctx); err != nil {
			b.Fatal(err)
		}
		link += mid.Sub(start)
		sum += time.Since(mid)
		start = time.Now()
		if _, err := r.conn.ExecContext(ctx, before); err != nil {
			b.Fatal(err)
		}
		old += time.Since(start)
		r.Rollback()
	}
	b.ReportMetric(float64(old.Milliseconds())/float64(b.N), "before-ms")
	b.ReportMetric(float64(link.Milliseconds())/float64(b.N), "link-ms")
	b.ReportMetric(float64(sum.Milliseconds())/float64(b.N), "summarize-ms")
	b.ReportMetric(float64(rows)*float64(b.N)/(link+sum).Seconds(), "rows/s")
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// TestSweepAllCancelled stops a sweep of many partitions once its
// sweepers took three: it returns the context's error, with its
// goroutines gone, having swept fewer records than it was given.
func TestSweepAllCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := commitRuns(t)
	r, err := st.BeginRun(ctx, groupBoundaries)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Rollback()
	var recs []rec
	cats := []string{"drug_trafficking", "human_trafficking", "cybercrime", "terror_financing"}
	for i := range 400 { // 40 partitions: four categories in ten districts
		recs = append(recs, rec{file: fmt.Sprint(i), source: []string{"ANF", "police"}[i/40%2], id: fmt.Sprint(i),
			category: cats[i%4], code: fmt.Sprintf("PK%03d", i%40/4+1), date: "2023-01-10", qty: 10, amt: -1})
	}
	insertRecs(t, r, recs)
	taken := watchSweepParts(t, func(n int32) {
		if n == 3 {
			cancel()
		}
	})
	goroutines := runtime.NumGoroutine()
	spill, err := newGroupSpill()
	if err != nil {
		t.Fatal(err)
	}
	defer spill.close()
	err = r.sweepAll(ctx, &linker{index: map[rowKey]int{}}, spill, nil, linkWindowDays)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled sweep returned %v, want %v", err, context.Canceled)
	}
	if got := taken.Load(); got >= 40 {
		t.Errorf("the sweepers took %d partitions of 40 after the cancel at the third", got)
	}
	checkGoroutinesGone(t, goroutines)
}

// watchSweepParts has sweepAll run a query a partition and calls onTake
// (if not nil) with the count of partitions its sweepers took, each time
// one takes one, until the test ends; it returns the count.
func watchSweepParts(t *testing.T, onTake func(n int32)) *atomic.Int32 {
	t.Helper()
	rows := sweepChunkRows
	t.Cleanup(func() { sweepChunkRows, sweepPartHook = rows, nil })
	sweepChunkRows = 1
	var taken atomic.Int32
	sweepPartHook = func() {
		if n := taken.Add(1); onTake != nil {
			onTake(n)
		}
	}
	return &taken
}

// checkGoroutinesGone waits up to a second for the goroutines to be no
// more than before.
func checkGoroutinesGone(t *testing.T, before int) {
	t.Helper()
	for i := 0; runtime.NumGoroutine() > before && i < 100; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if got := runtime.NumGoroutine(); got > before {
		t.Errorf("%d goroutines after the sweep, %d before", got, before)
	}
}

// TestSweepAllSpillsClusters checks that a rebuild's linker holds only the
// records of same-id links and of their clusters: every other cluster goes
// to the spill file as it closes, so linking memory does not grow with the
// grouped records.
func TestSweepAllSpillsClusters(t *testing.T) {
	const lat, lon = 30.5, 70.5
	ctx := context.Background()
	st := commitRuns(t)
	r, err := st.BeginRun(ctx, groupBoundaries)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Rollback()
	pair := func(file1, file2, day string, lat float64) []rec {
		return []rec{
			{file: file1, source: "ANF", id: file1, date: day, lat: lat, lon: lon, qty: 10, amt: -1},
			{file: file2, source: "police", id: file2, date: day, lat: lat, lon: lon, qty: 10, amt: -1},
		}
	}
	var recs []rec
	// a and b: one ANF incident twice; c: the police's report of it.
	recs = append(recs,
		rec{file: "a", source: "ANF", id: "dup", date: "2023-01-10", lat: lat, lon: lon, qty: 10, amt: -1},
		rec{file: "b", source: "ANF", id: "dup", date: "2023-01-10", lat: lat, lon: lon, qty: 10, amt: -1},
		rec{file: "c", source: "police", id: "c", date: "2023-01-10", lat: lat, lon: lon, qty: 10, amt: -1})
	// Three more incidents that two sources report, none with a same-id link.
	recs = append(recs, pair("d", "e", "2023-02-01", lat)...)
	recs = append(recs, pair("f", "g", "2023-03-01", lat)...)
	recs = append(recs, pair("h", "i", "2023-03-01", lat+1)...)
	insertRecs(t, r, recs)

	l := &linker{index: map[rowKey]int{}}
	twins, err := r.linkSameID(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(l.nodes), 2; got != want {
		t.Fatalf("same-id nodes: got %d, want %d", got, want)
	}
	if got, want := len(twins), 1; got != want {
		t.Fatalf("twins: got %d, want %d (b)", got, want)
	}
	spill, err := newGroupSpill()
	if err != nil {
		t.Fatal(err)
	}
	defer spill.close()
	if err := r.sweepAll(ctx, l, spill, twins, linkWindowDays); err != nil {
		t.Fatal(err)
	}
	if got, want := len(l.nodes), 3; got != want {
		t.Errorf("linker nodes: got %d, want %d (a, b, c)", got, want)
	}
	if got, want := spill.rows, int64(6); got != want {
		t.Errorf("spilled rows: got %d, want %d (d-e, f-g, h-i)", got, want)
	}
	if err := spill.insert(ctx, r); err != nil {
		t.Fatal(err)
	}
	var rows, groups, primaries int64
	if err := r.conn.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT group_id), count(*) FILTER (WHERE is_primary)
		FROM incident_groups WHERE link = 'cross_source' AND cluster IS NOT NULL AND cluster_score = 1`).
		Scan(&rows, &groups, &primaries); err != nil {
		t.Fatal(err)
	}
	if rows != 6 || groups != 3 || primaries != 3 {
		t.Errorf("incident_groups from the spill: %d rows, %d groups, %d primaries; want 6, 3, 3", rows, groups, primaries)
	}
	// The spill lost its name when made (scratch.File): a killed rebuild
	// leaves no file behind.
	if _, err := os.Stat(spill.f.Name()); runtime.GOOS != "windows" && !os.IsNotExist(err) {
		t.Errorf("spill file %s has a name while open: %v", spill.f.Name(), err)
	}
	spill.close()
	if _, err := os.Stat(spill.f.Name()); !os.IsNotExist(err) {
		t.Errorf("spill file %s left after close: %v", spill.f.Name(), err)
	}
}

// TestSweepChunks splits the sweep's records into queries of whole
// partitions, and a sweep in chunks of one partition finds the groups of
// one query.
func TestSweepChunks(t *testing.T) {
	const lat, lon = 30.5, 70.5
	ctx := context.Background()
	var recs []rec
	for i, p := range []struct{ category, code string }{
		{"drug_trafficking", "PK001"}, {"drug_trafficking", "PK002"}, {"drug_trafficking", "PK003"},
		{"human_trafficking", "PK001"}, {"human_trafficking", "PK002"},
	} {
		for j, src := range []string{"ANF", "police", "FC"}[:2+i%2] {
			recs = append(recs, rec{file: fmt.Sprintf("%s-%s-%d", p.category, p.code, j), source: src, id: fmt.Sprint(i, j),
				category: p.category, code: p.code, date: "2023-01-10", lat: lat, lon: lon, qty: 10, amt: -1})
		}
	}
	// Two or three records a partition: 2, 3, 2, 3, 2.
	whole := commitRuns(t, recs)

	st := commitRuns(t)
	r, err := st.BeginRun(ctx, groupBoundaries)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Rollback()
	insertRecs(t, r, recs)
	for _, tt := range []struct {
		limit int64
		want  []sweepChunk
	}{
		{1, []sweepChunk{{"drug_trafficking", "PK001", "PK001"}, {"drug_trafficking", "PK002", "PK002"},
			{"drug_trafficking", "PK003", "PK003"}, {"human_trafficking", "PK001", "PK001"}, {"human_trafficking", "PK002", "PK002"}}},
		{5, []sweepChunk{{"drug_trafficking", "PK001", "PK002"}, {"drug_trafficking", "PK003", "PK003"},
			{"human_trafficking", "PK001", "PK002"}}},
		{100, []sweepChunk{{"drug_trafficking", "PK001", "PK003"}, {"human_trafficking", "PK001", "PK002"}}},
	} {
		got, err := r.sweepChunks(ctx, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("chunks of %d rows:\n got %v\nwant %v", tt.limit, got, tt.want)
		}
	}
	if err := r.Rollback(); err != nil {
		t.Fatal(err)
	}

	defer func(n int64) { sweepChunkRows = n }(sweepChunkRows)
	sweepChunkRows = 1
	chunked := commitRuns(t, recs)
	got, want := groupRows(t, chunked.DB()), groupRows(t, whole.DB())
	if len(want) != 12 {
		t.Fatalf("one query: %d grouped records, want 12: %q", len(want), want)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("groups in chunks of one partition\n got %q\nwant %q", got, want)
	}
}

// twoSeizures are the records of the resent-record tests: x (ANF) and y
// (police) of one seizure on the 10th, z (police) and w (press) of
// another on the 11th, all at one point.
func twoSeizures() (x, y, z, w rec) {
	const lat, lon = 30.5, 70.5
	x = rec{file: "anf-jan", source: "ANF", id: "A1", date: "2023-01-10", lat: lat, lon: lon, qty: 10, amt: -1}
	y = rec{file: "fir-y", source: "police", id: "P1", date: "2023-01-10", lat: lat, lon: lon, qty: 10, amt: -1}
	z = rec{file: "fir-z", source: "police", id: "P2", date: "2023-01-11", lat: lat, lon: lon, qty: 10, amt: -1}
	w = rec{file: "press-w", source: "press", id: "N1", date: "2023-01-11", lat: lat, lon: lon, qty: 10, amt: -1}
	return x, y, z, w
}

// TestLinkGroupsResentRecordKeepsIncidents sends a record again under its
// id (a cumulative return, say): the copy is the same incident as the
// first, so it must not start a cluster of its own and gather another
// incident's records, which its same-id link would then merge with the
// first's.
func TestLinkGroupsResentRecordKeepsIncidents(t *testing.T) {
	x, y, z, w := twoSeizures()
	again := x
	again.file = "anf-jan-feb"
	want := []string{
		"1 anf-jan* same_id 1.0000", "1 anf-jan-feb same_id 1.0000", "1 fir-y cross_source 1.0000",
		"2 fir-z* cross_source 1.0000", "2 press-w cross_source 1.0000",
	}
	for _, tc := range []struct {
		name string
		runs [][]rec
	}{
		{"later run", [][]rec{{x, y, z, w}, {again}}},
		{"one run", [][]rec{{x, y, z, w, again}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := commitRuns(t, tc.runs...)
			if got := groupRows(t, st.DB()); !reflect.DeepEqual(got, want) {
				t.Errorf("groups\n got %q\nwant %q", got, want)
			}
			if got := totalsOf(t, st.DB()); got.Incidents != 2 || got.Records != 5 {
				t.Errorf("%d incidents of %d records, want 2 of 5", got.Incidents, got.Records)
			}
			checkEqualsRebuild(t, st, len(tc.runs))
		})
	}
}

// TestLinkGroupsResentRecordFirstGoes takes out the first record of an id
// that a source sent three times: the second stands for the id in the
// sweep from then on, and the third stays its twin.
func TestLinkGroupsResentRecordFirstGoes(t *testing.T) {
	x, y, z, w := twoSeizures()
	feb, mar := x, x
	feb.file, mar.file = "anf-feb", "anf-mar"
	st := openTestStore(t, "resent.duckdb", Options{Threads: 2})
	runs := []storeRun{{recs: []rec{x, y, z, w}}, {recs: []rec{feb}}, {recs: []rec{mar}}, {replace: []string{"anf-jan"}}}
	for i, run := range runs {
		commitStoreRun(t, st, run)
		checkEqualsRebuild(t, st, i+1)
	}
	want := []string{
		"1 fir-y* cross_source 1.0000", "1 anf-feb same_id 1.0000", "1 anf-mar same_id 1.0000",
		"2 fir-z* cross_source 1.0000", "2 press-w cross_source 1.0000",
	}
	if got := groupRows(t, st.DB()); !reflect.DeepEqual(got, want) {
		t.Errorf("groups\n got %q\nwant %q", got, want)
	}
	var twins string
	if err := st.DB().QueryRow(`SELECT string_agg(source_file, ',') FROM sweep_twins`).Scan(&twins); err != nil || twins != "anf-mar" {
		t.Errorf("sweep_twins %q (%v), want anf-mar", twins, err)
	}
}

// TestLinkGroupsRulesBeforeSameDate opens a database whose
// derived tables were made under rules 6, when a same-id link took no
// account of the date: row 5 of February was then a twin of row 5 of
// January (sweep_twins) and the two were one incident. A later run must
// not keep that: the rules changed, so the next run rebuilds the derived
// tables (derivedRules), and they equal a rebuild's.
func TestLinkGroupsRulesBeforeSameDate(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t, "oldrules.duckdb", Options{Threads: 2})
	jan := rec{file: "jan", source: "police", id: "5", date: "2023-01-05", lat: 30.5, lon: 70.5, qty: 10, amt: -1}
	feb := rec{file: "feb", source: "police", id: "5", date: "2023-02-05", lat: 30.5, lon: 70.5, qty: 10, amt: -1}
	first := []rec{jan, feb}
	for i := range 10 { // so that the next run is small enough for deriveRun
		first = append(first, rec{file: fmt.Sprint("f", i), source: "press", id: fmt.Sprint("F", i), code: "PK002",
			date: fmt.Sprintf("2021-%02d-01", 1+i), qty: 10, amt: -1})
	}
	commitStoreRun(t, st, storeRun{recs: first})
	// What rules 6 made of it: feb a twin of jan, and one group.
	for _, q := range []string{
		`INSERT INTO sweep_twins SELECT run_id, source_file, source_line, source, category, incident_id, district_code, occurred_on
			FROM incidents WHERE source_file = 'feb'`,
		`INSERT INTO incident_groups (run_id, source_file, source_line, group_id, link, score, is_primary)
			SELECT run_id, source_file, source_line, 1, 'same_id', 1, source_file = 'jan' FROM incidents WHERE source_file IN ('jan', 'feb')`,
		`UPDATE meta SET value = '6' WHERE key = 'derived_rules'`,
	} {
		if _, err := st.DB().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	commitStoreRun(t, st, storeRun{recs: []rec{{file: "later", source: "ANF", id: "A1", code: "PK003", date: "2022-06-01", qty: 10, amt: -1}}})
	checkEqualsRebuild(t, st, 2)
	if got := testdb.Rows(t, st.DB(), `SELECT count(*) FROM sweep_twins`); !reflect.DeepEqual(got, []string{"0"}) {
		t.Errorf("sweep_twins has %s rows, want 0: January's and February's row 5 are two incidents", got)
	}
}

// TestSweepAllSpillFails makes the spill fail once its first batch of
// rows is written, amid a sweep of 40 partitions: sweepAll returns the
// spill's error, having handed out fewer partitions than it was
// given, with its goroutines gone.
func TestSweepAllSpillFails(t *testing.T) {
	ctx := context.Background()
	st := commitRuns(t)
	r, err := st.BeginRun(ctx, groupBoundaries)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Rollback()
	// 40 partitions (four categories in ten districts) of 4,000 records:
	// two sources' records of one incident a day, 4,000 spilled rows a
	// partition, so the spill writes its first batch (groupSpillBatch)
	// about halfway.
	if _, err := r.conn.ExecContext(ctx, `INSERT INTO incidents (incident_id, category, occurred_on, lat, lon, source, quantity,
			source_file, source_line, run_id, district_code, location_precision)
		SELECT 'x' || i, ['drug_trafficking', 'human_trafficking', 'cybercrime', 'terror_financing'][i // 4000 % 4 + 1],
			DATE '2020-01-01' + CAST(i // 2 % 2000 AS INTEGER), 30.5, 70.5, CASE WHEN i % 2 = 0 THEN 'ANF' ELSE 'police' END, 10,
			'f' || (i % 2), i, $1, 'PK' || lpad(CAST(i // 16000 % 10 + 1 AS VARCHAR), 3, '0'), 1
		FROM range(160000) t(i)`, r.ID); err != nil {
		t.Fatal(err)
	}
	if got, want := groupSpillBatch, 65536; got != want {
		t.Fatalf("groupSpillBatch %d: the records are laid out for %d", got, want)
	}
	taken := watchSweepParts(t, nil)
	goroutines := runtime.NumGoroutine()
	spill, err := newGroupSpill()
	if err != nil {
		t.Fatal(err)
	}
	defer spill.close()
	gone, err := os.Create(filepath.Join(t.TempDir(), "gone.arrows"))
	if err != nil {
		t.Fatal(err)
	}
	gone.Close()
	spill.w = ipc.NewWriter(gone, ipc.WithSchema(groupsSchema))
	err = r.sweepAll(ctx, &linker{index: map[rowKey]int{}}, spill, nil, linkWindowDays)
	if err == nil || !errors.Is(err, os.ErrClosed) {
		t.Fatalf("a sweep whose spill fails returned %v, want the spill's error (%v)", err, os.ErrClosed)
	}
	if got := taken.Load(); got >= 40 {
		t.Errorf("the sweepers took %d partitions of 40 after the spill failed", got)
	}
	checkGoroutinesGone(t, goroutines)
}
