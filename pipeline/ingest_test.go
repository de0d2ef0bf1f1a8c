//go:build duckdb_arrow

package pipeline_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/internal/testmaps"
	"github.com/ocmap/ocmap/pipeline"
	"github.com/ocmap/ocmap/pipeline/normalize"
	"github.com/ocmap/ocmap/pipeline/read"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/pipeline/synth"
	"github.com/ocmap/ocmap/schemas"
)

// twoSquares is the shared hand-made map (see package testmaps).
const twoSquares = testmaps.TwoSquares

const header = "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description"

// smallRows are the data rows of small.csv, from line 2. A rows are
// accepted, B rows rejected; A7's description spans lines 12 and 13.
var smallRows = []string{
	"A1,drug_trafficking,heroin,2023-01-15,30.5,70.5,,ANF,2.5,,seized",                            // 2: Alpha by point
	"A2,drug_trafficking,hashish,2023-01-20,30.25,71.75,,ANF,10,,seized",                          // 3: Beta by point
	"A3,terror_financing,hawala_hundi,2023-02-03,,,Beta,CTD,,500000,hawala",                       // 4: Beta by name
	"A4,cybercrime,hacking,2023-02-28,30.9,70.99,Beta,FIA,,1000,the point wins over the name",     // 5: Alpha by point, 1 km from Beta
	"A5,human_trafficking,migrant_smuggling,2023-03-01,,,pk001,FIA,3,,by code",                    // 6: Alpha by code
	"B1,narcotics,heroin,2023-01-15,30.5,70.5,,ANF,1,,bad category",                               // 7
	"B2,drug_trafficking,heroin,2023-02-30,30.5,70.5,,ANF,1,,bad date",                            // 8
	"B3,cybercrime,hacking,2023-03-03,10,10,,FIA,,,outside the map",                               // 9
	"B4,cybercrime,hacking,2023-03-03,,,Atlantis,FIA,,,unknown name",                              // 10
	"A6,drug_trafficking,opium,2023-01-31,30.5,70.5,,ANF,1.25,,seized",                            // 11: Alpha by point
	"A7,cybercrime,online_harassment,2023-03-15,,,  ALPHA ,FIA,,,\"two\nlines\"",                  // 12-13: Alpha by name
	"B5,cybercrime,hacking,2023-03-16,,,alpha,FIA,,",                                              // 14: 10 fields
	"A8,human_trafficking,trafficking_in_persons,2023-03-10,30.5,71,,FIA,2,,on the shared border", // 15: Beta (east owns the border)
}

func smallCSV() string { return header + "\n" + strings.Join(smallRows, "\n") + "\n" }

// fixture is a directory with the hand-made map and small.csv.
type fixture struct {
	dir, small, db string
	b              *geo.Boundaries
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	dir := t.TempDir()
	b := loadMap(t, dir, "two-squares.geojson", twoSquares)
	return &fixture{dir: dir, b: b, small: writeFile(t, dir, "small.csv", smallCSV()), db: filepath.Join(dir, "ocmap.duckdb")}
}

func loadMap(t testing.TB, dir, name, geojson string) *geo.Boundaries {
	t.Helper()
	b, err := geo.Load(writeFile(t, dir, name, geojson), geo.Properties{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeGzip writes content gzipped to dir/name and returns its path.
func writeGzip(t testing.TB, dir, name, content string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(content))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, dir, name, buf.String())
}

func (f *fixture) config(inputs ...string) pipeline.Config {
	return pipeline.Config{DB: f.db, Boundaries: f.b, Inputs: inputs, KeepRaw: true, Version: "test",
		Store: store.Options{MemoryLimit: "256MB", Threads: 2}}
}

func (f *fixture) ingest(t testing.TB, inputs ...string) *pipeline.Report {
	t.Helper()
	rep, err := pipeline.Ingest(context.Background(), f.config(inputs...))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// query opens the database read-only for fn and closes it again, so that the
// next ingest can open it for writing.
func query(t testing.TB, path string, fn func(db *sql.DB)) {
	t.Helper()
	st, err := store.OpenReadOnly(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fn(st.DB())
}

func scanInt(t testing.TB, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

var tables = []string{"meta", "districts", "incidents", "context_events", "rejects", "district_month", "district_month_sources",
	"incident_groups", "drug_trafficking", "human_trafficking", "terror_financing", "cybercrime", "ingest_runs", "ingest_files"}

// snapshot describes the whole content of the database: a count and a
// digest of every table, and the last run id.
func snapshot(t testing.TB, path string) map[string]string {
	t.Helper()
	out := map[string]string{}
	query(t, path, func(db *sql.DB) {
		for _, table := range tables {
			var n int64
			var sum string
			q := `SELECT count(*), md5(coalesce(string_agg(t::VARCHAR, '|' ORDER BY t::VARCHAR), '')) FROM ` + table + ` t`
			if err := db.QueryRow(q).Scan(&n, &sum); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			out[table] = fmt.Sprintf("%d rows, md5 %s", n, sum)
		}
		out["max(run_id)"] = fmt.Sprint(scanInt(t, db, `SELECT coalesce(max(run_id), 0) FROM ingest_runs`))
	})
	return out
}

func sha256File(t testing.TB, path string) (string, int64) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), int64(len(data))
}

type incidentRow struct {
	ID, Code, Name, Province, OccurredOn string
	Precision                            int8
	Line, RunID                          int64
}

func incidents(t testing.TB, db *sql.DB) []incidentRow {
	t.Helper()
	rows, err := db.Query(`SELECT incident_id, district_code, district_name, coalesce(province, 'NULL'),
		occurred_on::VARCHAR, location_precision, source_line, run_id FROM incidents ORDER BY source_file, source_line`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []incidentRow
	for rows.Next() {
		var r incidentRow
		if err := rows.Scan(&r.ID, &r.Code, &r.Name, &r.Province, &r.OccurredOn, &r.Precision, &r.Line, &r.RunID); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

type rejectRow struct {
	RunID              int64
	File               string
	Line               int64
	Field, Reason, Raw string
}

func rejects(t testing.TB, db *sql.DB) []rejectRow {
	t.Helper()
	rows, err := db.Query(`SELECT run_id, source_file, source_line, field, reason, coalesce(raw, 'NULL') FROM rejects ORDER BY source_file, source_line`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []rejectRow
	for rows.Next() {
		var r rejectRow
		if err := rows.Scan(&r.RunID, &r.File, &r.Line, &r.Field, &r.Reason, &r.Raw); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

type monthRow struct {
	Code, Category, Month string
	Incidents             int64
	Quantity, Amount      string // "NULL" when no row has one
	ByPoint, ByName       int64
}

func districtMonths(t testing.TB, db *sql.DB) []monthRow {
	t.Helper()
	rows, err := db.Query(`SELECT district_code, category, month::VARCHAR, incidents,
		coalesce(quantity::VARCHAR, 'NULL'), coalesce(amount_pkr::VARCHAR, 'NULL'), by_point, by_name
		FROM district_month ORDER BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []monthRow
	for rows.Next() {
		var r monthRow
		if err := rows.Scan(&r.Code, &r.Category, &r.Month, &r.Incidents, &r.Quantity, &r.Amount, &r.ByPoint, &r.ByName); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// The district_month of small.csv, whoever ingested it.
var smallMonths = []monthRow{
	{"PK001", "cybercrime", "2023-02-01", 1, "NULL", "1000.0", 1, 0},
	{"PK001", "cybercrime", "2023-03-01", 1, "NULL", "NULL", 0, 1},
	{"PK001", "drug_trafficking", "2023-01-01", 2, "3.75", "NULL", 2, 0},
	{"PK001", "human_trafficking", "2023-03-01", 1, "3.0", "NULL", 0, 1},
	{"PK002", "drug_trafficking", "2023-01-01", 1, "10.0", "NULL", 1, 0},
	{"PK002", "human_trafficking", "2023-03-01", 1, "2.0", "NULL", 1, 0},
	{"PK002", "terror_financing", "2023-02-01", 1, "NULL", "500000.0", 0, 1},
}

func smallIncidents(runID int64) []incidentRow {
	return []incidentRow{
		{"A1", "PK001", "Alpha", "North", "2023-01-15", 1, 2, runID},
		{"A2", "PK002", "Beta", "South", "2023-01-20", 1, 3, runID},
		{"A3", "PK002", "Beta", "South", "2023-02-03", 3, 4, runID},
		{"A4", "PK001", "Alpha", "North", "2023-02-28", 1, 5, runID},
		{"A5", "PK001", "Alpha", "North", "2023-03-01", 3, 6, runID},
		{"A6", "PK001", "Alpha", "North", "2023-01-31", 1, 11, runID},
		{"A7", "PK001", "Alpha", "North", "2023-03-15", 3, 12, runID},
		{"A8", "PK002", "Beta", "South", "2023-03-10", 1, 15, runID},
	}
}

func smallRejects(runID int64, file string) []rejectRow {
	return []rejectRow{
		{runID, file, 7, "category", `unknown category "narcotics"; expected one of terror_financing, drug_trafficking, human_trafficking, cybercrime`, smallRows[5]},
		{runID, file, 8, "occurred_on", `no such date: "2023-02-30"`, smallRows[6]},
		{runID, file, 9, "lat", "coordinates are outside every district and no district name is given", smallRows[7]},
		{runID, file, 10, "district_hint", `unknown district name: "Atlantis"`, smallRows[8]},
		{runID, file, 14, "(record)", "has 10 fields, the header has 11", smallRows[11]},
	}
}

// bandAreaKm2 is the area of a 1x1 degree cell whose south edge is at lat,
// on a sphere of the Earth's mean radius.
func bandAreaKm2(lat float64) float64 {
	const r = 6371.0088
	rad := math.Pi / 180
	return r * r * rad * (math.Sin((lat+1)*rad) - math.Sin(lat*rad))
}

func TestIngest(t *testing.T) {
	f := newFixture(t)
	rep := f.ingest(t, f.small)
	sha, size := sha256File(t, f.small)

	// The stage line's parts of the commit are measured, and lie within it.
	if tm := rep.Timings; tm.Links <= 0 || tm.Summaries <= 0 || tm.Links+tm.Summaries+tm.Measures > tm.Commit {
		t.Errorf("timings: links %v, summaries %v, measures %v, commit %v", tm.Links, tm.Summaries, tm.Measures, tm.Commit)
	}
	if got, want := [4]int64{rep.RunID, rep.Read, rep.Accepted, rep.Rejected}, [4]int64{1, 13, 8, 5}; got != want {
		t.Errorf("report run, read, accepted, rejected = %v, want %v", got, want)
	}
	wantFiles := []pipeline.FileReport{{Path: f.small, SHA256: sha, Bytes: size, Read: 13, Accepted: 8, Rejected: 5}}
	if got, want := rep.Files, wantFiles; !reflect.DeepEqual(got, want) {
		t.Errorf("report files\n got %+v\nwant %+v", got, want)
	}
	var wantFirst []schemas.RowError
	for _, r := range smallRejects(1, f.small) {
		wantFirst = append(wantFirst, schemas.RowError{File: r.File, Line: r.Line, Field: r.Field, Reason: r.Reason})
	}
	if got, want := rep.FirstRejects, wantFirst; !reflect.DeepEqual(got, want) {
		t.Errorf("first rejects\n got %+v\nwant %+v", got, want)
	}

	query(t, f.db, func(db *sql.DB) {
		if got, want := incidents(t, db), smallIncidents(1); !reflect.DeepEqual(got, want) {
			t.Errorf("incidents\n got %+v\nwant %+v", got, want)
		}
		if got, want := rejects(t, db), smallRejects(1, f.small); !reflect.DeepEqual(got, want) {
			t.Errorf("rejects\n got %+v\nwant %+v", got, want)
		}
		if got, want := districtMonths(t, db), smallMonths; !reflect.DeepEqual(got, want) {
			t.Errorf("district_month\n got %+v\nwant %+v", got, want)
		}

		// Values survive the trip: nulls stay nulls, text stays text.
		var lat, qty sql.NullFloat64
		var desc, hint string
		if err := db.QueryRow(`SELECT lat, quantity, description, district_hint FROM incidents WHERE incident_id = 'A7'`).Scan(&lat, &qty, &desc, &hint); err != nil {
			t.Fatal(err)
		}
		if got, want := [2]bool{lat.Valid, qty.Valid}, [2]bool{false, false}; got != want {
			t.Errorf("A7 lat, quantity valid = %v, want %v", got, want)
		}
		if got, want := [2]string{desc, hint}, [2]string{"two\nlines", "ALPHA"}; got != want {
			t.Errorf("A7 description, hint = %q, want %q", got, want)
		}
		if got, want := scanInt(t, db, `SELECT count(*) FROM incidents WHERE lat IS NULL AND lon IS NULL`), int64(3); got != want {
			t.Errorf("%d incidents without a point, want %d", got, want)
		}

		// The run record.
		var runID, read, accepted, rejected int64
		var files, bpath, bsha, version string
		var ordered bool
		if err := db.QueryRow(`SELECT run_id, rows_read, rows_accepted, rows_rejected, files, boundaries, boundaries_sha256,
				ocmap_version, started_at <= finished_at FROM ingest_runs`).
			Scan(&runID, &read, &accepted, &rejected, &files, &bpath, &bsha, &version, &ordered); err != nil {
			t.Fatal(err)
		}
		if got, want := [4]int64{runID, read, accepted, rejected}, [4]int64{1, 13, 8, 5}; got != want {
			t.Errorf("ingest_runs run, read, accepted, rejected = %v, want %v", got, want)
		}
		if got, want := [3]string{bpath, bsha, version}, [3]string{f.b.Path, f.b.SHA256, "test"}; got != want {
			t.Errorf("ingest_runs boundaries, sha256, version = %q, want %q", got, want)
		}
		if !ordered {
			t.Error("started_at is after finished_at")
		}
		var fr []pipeline.FileReport
		if err := json.Unmarshal([]byte(files), &fr); err != nil {
			t.Fatalf("files %s: %v", files, err)
		}
		if got, want := fr, wantFiles; !reflect.DeepEqual(got, want) {
			t.Errorf("ingest_runs.files\n got %+v\nwant %+v", got, want)
		}
		var ff struct {
			run                   int64
			path, sha, content    string
			bytes, read, acc, rej int64
			replacedBy            sql.NullInt64
			seq                   int64
		}
		if err := db.QueryRow(`SELECT * FROM ingest_files`).Scan(&ff.run, &ff.path, &ff.sha, &ff.bytes, &ff.read, &ff.acc, &ff.rej, &ff.replacedBy, &ff.content, &ff.seq); err != nil {
			t.Fatal(err)
		}
		// A plain file's text is its bytes: one digest for both.
		if got, want := fmt.Sprint(ff.run, ff.path, ff.sha, ff.bytes, ff.read, ff.acc, ff.rej, ff.replacedBy.Valid, ff.content, ff.seq),
			fmt.Sprint(1, f.small, sha, size, 13, 8, 5, false, sha, 1); got != want {
			t.Errorf("ingest_files\n got %s\nwant %s", got, want)
		}

		// The districts, with areas of a 1x1 degree cell at 30N.
		rows, err := db.Query(`SELECT district_code, district_name, province, area_km2 FROM districts ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var code, name, prov string
			var area float64
			if err := rows.Scan(&code, &name, &prov, &area); err != nil {
				t.Fatal(err)
			}
			got = append(got, code+" "+name+" "+prov)
			if want := bandAreaKm2(30); math.Abs(area-want) > 0.01*want {
				t.Errorf("%s: area %.1f km², want %.1f ± 1%%", code, area, want)
			}
		}
		if want := []string{"PK001 Alpha North", "PK002 Beta South"}; !reflect.DeepEqual(got, want) {
			t.Errorf("districts %q, want %q", got, want)
		}

		var meta []string
		// id_key is random: only its form is checked.
		mrows, err := db.Query(`SELECT key || '=' || CASE WHEN key = 'id_key' AND regexp_matches(value, '^[0-9a-f]{64}$') THEN '(64 hex)' ELSE value END
			FROM meta WHERE key <> 'ddl_sha256' ORDER BY key`)
		if err != nil {
			t.Fatal(err)
		}
		defer mrows.Close()
		for mrows.Next() {
			var kv string
			mrows.Scan(&kv)
			meta = append(meta, kv)
		}
		// The districts' nearest crossings come from ocmap's own list.
		if want := []string{"boundaries=" + f.b.Path, "boundaries_sha256=" + f.b.SHA256, "crossings=" + pipeline.ShippedCrossingsSource,
			"derived_rules=9", "id_form=canonical", "id_key=(64 hex)", "schema_version=1"}; !reflect.DeepEqual(meta, want) {
			t.Errorf("meta %q, want %q", meta, want)
		}
	})
}

func TestIngestNoRaw(t *testing.T) {
	f := newFixture(t)
	cfg := f.config(f.small)
	cfg.KeepRaw = false
	if _, err := pipeline.Ingest(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	query(t, f.db, func(db *sql.DB) {
		if got, want := scanInt(t, db, `SELECT count(*) FROM rejects WHERE raw IS NULL`), int64(5); got != want {
			t.Errorf("%d rejects without raw text, want %d", got, want)
		}
	})
}

// TestIngestAgain checks that content ingested again, under its own name or
// another, replaces its earlier rows instead of counting them twice.
func TestIngestAgain(t *testing.T) {
	f := newFixture(t)
	f.ingest(t, f.small)
	copied := writeFile(t, f.dir, "small copy.csv", smallCSV())
	gz := writeGzip(t, f.dir, "small.csv.gz", smallCSV())

	steps := []struct {
		name     string
		input    string
		replaced []store.Replaced
		rows     []incidentRow
		rejFile  string
	}{
		{"same file", f.small, []store.Replaced{{RunID: 1, Path: f.small, Rows: 8, Rejected: 5}}, smallIncidents(2), f.small},
		{"same content, other name", copied, []store.Replaced{{RunID: 2, Path: f.small, Rows: 8, Rejected: 5}}, smallIncidents(3), copied},
		{"same content, gzipped", gz, []store.Replaced{{RunID: 3, Path: copied, Rows: 8, Rejected: 5}}, smallIncidents(4), gz},
		{"plain again after the gzip", f.small, []store.Replaced{{RunID: 4, Path: gz, Rows: 8, Rejected: 5}}, smallIncidents(5), f.small},
	}
	for i, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			run := int64(i + 2)
			rep := f.ingest(t, s.input)
			if got, want := rep.RunID, run; got != want {
				t.Errorf("run %d, want %d", got, want)
			}
			if got, want := rep.Files[0].Replaced, s.replaced; !reflect.DeepEqual(got, want) {
				t.Errorf("replaced %+v, want %+v", got, want)
			}
			query(t, f.db, func(db *sql.DB) {
				if got, want := incidents(t, db), s.rows; !reflect.DeepEqual(got, want) {
					t.Errorf("incidents\n got %+v\nwant %+v", got, want)
				}
				if got, want := rejects(t, db), smallRejects(run, s.rejFile); !reflect.DeepEqual(got, want) {
					t.Errorf("rejects\n got %+v\nwant %+v", got, want)
				}
				if got, want := districtMonths(t, db), smallMonths; !reflect.DeepEqual(got, want) {
					t.Errorf("district_month\n got %+v\nwant %+v", got, want)
				}
				rows, err := db.Query(`SELECT run_id, coalesce(replaced_by, 0) FROM ingest_files ORDER BY run_id`)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				var got [][2]int64
				for rows.Next() {
					var r [2]int64
					rows.Scan(&r[0], &r[1])
					got = append(got, r)
				}
				// Each file row is replaced by the next run; the last stands.
				var want [][2]int64
				for r := int64(1); r <= run; r++ {
					next := r + 1
					if r == run {
						next = 0
					}
					want = append(want, [2]int64{r, next})
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("ingest_files run_id, replaced_by = %v, want %v", got, want)
				}
				if got, want := scanInt(t, db, `SELECT count(*) FROM ingest_runs`), run; got != want {
					t.Errorf("%d runs, want %d", got, want)
				}
			})
		})
	}
}

// TestIngestFailsAtomically checks that a run that fails leaves the database
// exactly as it was.
func TestIngestFailsAtomically(t *testing.T) {
	f := newFixture(t)
	f.ingest(t, f.small)
	other := writeFile(t, f.dir, "other.csv", header+"\nC1,cybercrime,hacking,2023-05-01,30.5,70.5,,FIA,,,new\n")
	badHeader := writeFile(t, f.dir, "bad header.csv", strings.Replace(smallCSV(), "amount_pkr", "amount", 1))
	empty := writeFile(t, f.dir, "empty.csv", "")
	copied := writeFile(t, f.dir, "copy of other.csv", header+"\nC1,cybercrime,hacking,2023-05-01,30.5,70.5,,FIA,,,new\n")
	moved := loadMap(t, f.dir, "two-squares-2024.geojson", strings.Replace(twoSquares, `"Beta"`, `"Beta New"`, 1))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(smallCSV() + strings.Repeat("D1,cybercrime,hacking,2023-05-01,30.5,70.5,,FIA,,,padding to make the file longer\n", 100)))
	zw.Close()
	truncated := writeFile(t, f.dir, "truncated.csv.gz", gz.String()[:gz.Len()/2])
	notGzip := writeFile(t, f.dir, "not gzip.csv.gz", "\x1f\x8bnot really gzip")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()

	tests := []struct {
		name   string
		ctx    context.Context
		b      *geo.Boundaries
		inputs []string
		want   error
		msg    string
	}{
		{"bad header in second file", context.Background(), f.b, []string{other, badHeader}, normalize.ErrHeader,
			badHeader + `:1: normalize: header does not match the canonical layout: missing amount_pkr; unknown "amount"`},
		{"empty file", context.Background(), f.b, []string{other, empty}, nil, empty + ": the file is empty (no header)"},
		{"other boundaries", context.Background(), moved, []string{other}, store.ErrBoundariesChanged, "store: the database was built with other boundaries"},
		{"same content twice", context.Background(), f.b, []string{other, copied}, store.ErrDuplicateFileInRun,
			"store: the same file content is given twice: " + other + " and " + copied},
		{"same file twice", context.Background(), f.b, []string{other, other}, store.ErrDuplicateFileInRun,
			"store: the same file content is given twice: " + other + " and " + other},
		{"earlier content twice", context.Background(), f.b, []string{f.small, other, f.small}, store.ErrDuplicateFileInRun, "store: the same file content is given twice"},
		{"truncated gzip", context.Background(), f.b, []string{other, truncated}, read.ErrDamaged, truncated + ": read: damaged file: the gzip file ends too early"},
		{"not gzip", context.Background(), f.b, []string{other, notGzip}, nil, notGzip + ": not a valid gzip file"},
		{"missing file", context.Background(), f.b, []string{other, filepath.Join(f.dir, "nosuch.csv")}, os.ErrNotExist, "input stat "},
		{"directory", context.Background(), f.b, []string{f.dir}, nil, "is a directory; name the files in it"},
		{"no inputs", context.Background(), f.b, nil, pipeline.ErrNoInput, "pipeline: no input files"},
		{"cancelled", cancelled, f.b, []string{other}, context.Canceled, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(t, f.db)
			cfg := f.config(tt.inputs...)
			cfg.Boundaries = tt.b
			rep, err := pipeline.Ingest(tt.ctx, cfg)
			if err == nil {
				t.Fatalf("no error; run %d", rep.RunID)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not say %q", err, tt.msg)
			}
			if got, want := snapshot(t, f.db), before; !reflect.DeepEqual(got, want) {
				t.Errorf("database changed\n got %v\nwant %v", got, want)
			}
		})
	}

	// The failures left nothing behind that blocks the next run, and the
	// snapshot does see a run that succeeds.
	before := snapshot(t, f.db)
	rep := f.ingest(t, other)
	if got, want := rep.RunID, int64(2); got != want {
		t.Errorf("next run %d, want %d", got, want)
	}
	after := snapshot(t, f.db)
	for _, table := range []string{"incidents", "district_month", "ingest_runs", "ingest_files"} {
		if after[table] == before[table] {
			t.Errorf("%s: snapshot %s unchanged by a successful run", table, after[table])
		}
	}
}

// TestIngestGzipAndSpaces ingests a gzip file whose name has spaces.
func TestIngestGzipAndSpaces(t *testing.T) {
	f := newFixture(t)
	gz := writeGzip(t, f.dir, "ANF seizures 2023 (final).csv.gz", smallCSV())
	rep := f.ingest(t, gz)
	sha, size := sha256File(t, gz)
	if got, want := [4]string{rep.Files[0].Path, rep.Files[0].SHA256, fmt.Sprint(rep.Files[0].Bytes), fmt.Sprint(rep.Read, rep.Accepted, rep.Rejected)},
		[4]string{gz, sha, fmt.Sprint(size), "13 8 5"}; got != want {
		t.Errorf("file report %q, want %q", got, want)
	}
	query(t, f.db, func(db *sql.DB) {
		if got, want := incidents(t, db), smallIncidents(1); !reflect.DeepEqual(got, want) {
			t.Errorf("incidents\n got %+v\nwant %+v", got, want)
		}
		if got, want := rejects(t, db), smallRejects(1, gz); !reflect.DeepEqual(got, want) {
			t.Errorf("rejects\n got %+v\nwant %+v", got, want)
		}
		if got, want := districtMonths(t, db), smallMonths; !reflect.DeepEqual(got, want) {
			t.Errorf("district_month\n got %+v\nwant %+v", got, want)
		}
		if got, want := scanInt(t, db, `SELECT count(*) FROM incidents WHERE source_file = ?`, gz), int64(8); got != want {
			t.Errorf("%d incidents from %q, want %d", got, gz, want)
		}
	})
}

// TestIngestTwoFiles checks that a run of two files keeps them apart and
// sums them in district_month.
func TestIngestTwoFiles(t *testing.T) {
	f := newFixture(t)
	other := writeFile(t, f.dir, "other.csv", header+"\n"+
		"C1,drug_trafficking,heroin,2023-01-05,30.5,71.5,,ANF,5,,more\n"+
		"C2,drug_trafficking,heroin,2023-01-06,,,,ANF,5,,nowhere\n")
	rep := f.ingest(t, f.small, other)
	if got, want := fmt.Sprint(rep.Read, rep.Accepted, rep.Rejected, len(rep.Files)), "15 9 6 2"; got != want {
		t.Errorf("read accepted rejected files = %s, want %s", got, want)
	}
	query(t, f.db, func(db *sql.DB) {
		want := make([]monthRow, len(smallMonths))
		copy(want, smallMonths)
		want[4] = monthRow{"PK002", "drug_trafficking", "2023-01-01", 2, "15.0", "NULL", 2, 0}
		if got := districtMonths(t, db); !reflect.DeepEqual(got, want) {
			t.Errorf("district_month\n got %+v\nwant %+v", got, want)
		}
		if got, want := scanInt(t, db, `SELECT count(*) FROM ingest_files WHERE run_id = 1`), int64(2); got != want {
			t.Errorf("%d files in run 1, want %d", got, want)
		}
		if got, want := scanInt(t, db, `SELECT source_line FROM rejects WHERE source_file = ?`, other), int64(3); got != want {
			t.Errorf("reject of other.csv at line %d, want %d", got, want)
		}
	})
}

// TestIngestNothingAccepted ingests files that give no incidents: a run
// still commits and records them.
func TestIngestNothingAccepted(t *testing.T) {
	tests := []struct {
		name    string
		content string
		counts  string // read accepted rejected
	}{
		{"header only", header + "\n", "0 0 0"},
		{"header and blank lines", header + "\r\n\r\n\n", "0 0 0"},
		{"every row rejected", header + "\n" + smallRows[5] + "\n" + smallRows[6] + "\n", "2 0 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			in := writeFile(t, f.dir, "in.csv", tt.content)
			rep := f.ingest(t, in)
			if got, want := fmt.Sprint(rep.Read, rep.Accepted, rep.Rejected), tt.counts; got != want {
				t.Errorf("read accepted rejected = %s, want %s", got, want)
			}
			query(t, f.db, func(db *sql.DB) {
				got := fmt.Sprint(scanInt(t, db, `SELECT count(*) FROM incidents`), scanInt(t, db, `SELECT count(*) FROM district_month`),
					scanInt(t, db, `SELECT count(*) FROM ingest_runs`), scanInt(t, db, `SELECT count(*) FROM ingest_files`))
				if want := "0 0 1 1"; got != want {
					t.Errorf("incidents, district_month, runs, files = %s, want %s", got, want)
				}
				if got, want := scanInt(t, db, `SELECT count(*) FROM rejects`), rep.Rejected; got != want {
					t.Errorf("%d rejects, want %d", got, want)
				}
			})
		})
	}
}

// TestIngestRealBoundaries reconciles an ingest of a synthetic file over the
// real districts with what the generator says it wrote, row for row.
func TestIngestRealBoundaries(t *testing.T) {
	path := os.Getenv("OCMAP_BOUNDARIES")
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI needs OCMAP_BOUNDARIES (the COD-AB ADM2 GeoJSON)")
		}
		t.Skip("OCMAP_BOUNDARIES is not set")
	}
	b, err := geo.Load(path, geo.Properties{})
	if err != nil {
		t.Fatal(err)
	}
	ix := geo.NewIndex(b.Polygons)
	dir := t.TempDir()
	in := filepath.Join(dir, "synthetic.csv")
	out, err := os.Create(in)
	if err != nil {
		t.Fatal(err)
	}
	st, err := synth.Generate(out, b, ix, synth.Options{Rows: 50000, Seed: 42})
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "real.duckdb")
	rep, err := pipeline.Ingest(context.Background(), pipeline.Config{DB: db, Boundaries: b, Inputs: []string{in}, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	accepted := int64(st.Rows - st.Bad)
	if got, want := fmt.Sprint(rep.Read, rep.Accepted, rep.Rejected), fmt.Sprint(st.Rows, accepted, st.Bad); got != want {
		t.Errorf("report read accepted rejected = %s, want %s", got, want)
	}
	query(t, db, func(db *sql.DB) {
		var read, acc, rej int64
		if err := db.QueryRow(`SELECT rows_read, rows_accepted, rows_rejected FROM ingest_runs`).Scan(&read, &acc, &rej); err != nil {
			t.Fatal(err)
		}
		if got, want := [3]int64{read, acc, rej}, [3]int64{int64(st.Rows), accepted, int64(st.Bad)}; got != want {
			t.Errorf("ingest_runs read, accepted, rejected = %v, want %v", got, want)
		}
		if got, want := scanInt(t, db, `SELECT count(*) FROM rejects`), int64(st.Bad); got != want {
			t.Errorf("%d rejects, want %d", got, want)
		}
		for c, name := range schemas.Categories() {
			if got, want := scanInt(t, db, `SELECT count(*) FROM incidents WHERE category = ?`, name), int64(st.PerCategory[c]); got != want {
				t.Errorf("%s: %d incidents, want %d", name, got, want)
			}
		}
		if got, want := scanInt(t, db, `SELECT count(*) FROM incidents WHERE location_precision = 3`), int64(st.NameOnly); got != want {
			t.Errorf("%d incidents placed by name, want %d", got, want)
		}
		if got, want := scanInt(t, db, `SELECT count(*) FROM incidents WHERE location_precision = 1`), accepted-int64(st.NameOnly); got != want {
			t.Errorf("%d incidents placed by point, want %d", got, want)
		}
		if got, want := scanInt(t, db, `SELECT sum(incidents) FROM district_month`), accepted; got != want {
			t.Errorf("district_month sums to %d incidents, want %d", got, want)
		}
		if got, want := scanInt(t, db, `SELECT sum(by_point) + sum(by_name) FROM district_month`), accepted; got != want {
			t.Errorf("district_month by_point + by_name = %d, want %d", got, want)
		}
		if got, want := scanInt(t, db, `SELECT count(*) FROM districts`), int64(len(b.Districts)); got != want {
			t.Errorf("%d districts, want %d", got, want)
		}

		// Every point lies in its district, and every name names it.
		code := map[string]int{}
		for i, d := range b.Districts {
			code[d.Code] = i
		}
		rows, err := db.Query(`SELECT incident_id, district_code, lon, lat, coalesce(district_hint, ''), location_precision FROM incidents`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var n, bad int
		for rows.Next() {
			var id, dc, hint string
			var lon, lat sql.NullFloat64
			var prec int8
			if err := rows.Scan(&id, &dc, &lon, &lat, &hint, &prec); err != nil {
				t.Fatal(err)
			}
			n++
			want, ok := code[dc]
			if !ok {
				t.Fatalf("%s: unknown district %q", id, dc)
			}
			var got int
			switch {
			case lat.Valid && prec == schemas.PrecisionPoint:
				got = ix.Locate(orb.Point{lon.Float64, lat.Float64})
			case !lat.Valid && prec == schemas.PrecisionDistrict:
				got = b.LookupName(hint)
			default:
				t.Fatalf("%s: point %v, precision %d", id, lat.Valid, prec)
			}
			if got != want && bad < 10 {
				bad++
				t.Errorf("%s: in district %d, stored as %s (%d)", id, got, dc, want)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if got, want := int64(n), accepted; got != want {
			t.Errorf("checked %d incidents, want %d", got, want)
		}
	})
}

// TestIngestCountsGroups checks that summaries count incidents, not
// records: a seizure that two sources report, and an id that one source
// repeats, each count once, while every record is kept.
func TestIngestCountsGroups(t *testing.T) {
	f := newFixture(t)
	in := writeFile(t, f.dir, "two-sources.csv", header+"\n"+
		"A-1,drug_trafficking,heroin,2024-03-01,30.5,70.5,,ANF,10,,\n"+
		"P-7,drug_trafficking,heroin,2024-03-02,30.51,70.5,,Punjab Police,9.5,,\n"+ // the same seizure
		"P-8,drug_trafficking,heroin,2024-03-02,30.5,70.5,,Punjab Police,2,,\n"+ // another one
		"P-8,drug_trafficking,heroin,2024-03-02,30.5,70.5,,Punjab Police,2,,\n"+ // repeated
		"C-1,cybercrime,hacking,2024-03-02,30.5,71.5,,FIA,,,\n")
	f.ingest(t, in)
	query(t, f.db, func(db *sql.DB) {
		got := fmt.Sprint(
			scanInt(t, db, `SELECT sum(incidents) FROM district_month`),
			scanInt(t, db, `SELECT sum(records) FROM district_month`),
			scanInt(t, db, `SELECT count(*) FROM incidents`),
			scanInt(t, db, `SELECT count(DISTINCT group_id) FROM incident_groups`),
			scanInt(t, db, `SELECT count(*) FROM incident_groups WHERE link = 'same_id'`),
			scanInt(t, db, `SELECT sum(records) FROM district_month_sources WHERE source = 'Punjab Police'`))
		if want := "3 5 5 2 2 3"; got != want {
			t.Errorf("incidents, records, rows, groups, same-id members, police records = %s, want %s", got, want)
		}
		var kg float64
		if err := db.QueryRow(`SELECT quantity FROM district_month WHERE category = 'drug_trafficking'`).Scan(&kg); err != nil {
			t.Fatal(err)
		}
		if kg != 12 { // 10 (ANF, the group's primary) + 2, not 10 + 9.5 + 2 + 2
			t.Errorf("drug kg = %v, want 12", kg)
		}
	})
}

// TestIngestPopulation reads a census table through the gazetteer, keeps
// its bad rows in rejects, and gives summaries their rates.
func TestIngestPopulation(t *testing.T) {
	f := newFixture(t)
	pop := writeFile(t, f.dir, "population.csv", "district,province,year,population\n"+
		"Alpha,North,2017,200000\n"+
		"alpha,,2023,250000\n"+
		"PK001,,2023,50000\n"+ // the same district and year: added
		"Beta,,2023,100000\n"+
		"Gamma,,2023,5\n"+ // no such district
		"Beta,,20x3,1\n"+ // no year
		"Beta,,2017,-4\n") // no population
	cfg := f.config(f.small)
	cfg.Population = pop
	rep, err := pipeline.Ingest(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := rep.Population
	if got, want := fmt.Sprint(p.Read, p.Accepted, p.Rejected, p.Districts, p.Years), "7 4 3 2 [2017 2023]"; got != want {
		t.Errorf("population read, accepted, rejected, districts, years = %s, want %s", got, want)
	}
	query(t, f.db, func(db *sql.DB) {
		got := fmt.Sprint(
			scanInt(t, db, `SELECT population FROM population WHERE district_code = 'PK001' AND year = 2023`),
			scanInt(t, db, `SELECT count(*) FROM rejects WHERE source_file = ?`, pop),
			scanInt(t, db, `SELECT count(*) FROM rejects WHERE source_file = ? AND field = 'district' AND reason LIKE '%"Gamma"%'`, pop))
		if want := "300000 3 1"; got != want {
			t.Errorf("Alpha 2023, population rejects, Gamma rejects = %s, want %s", got, want)
		}
		// Months of 2023 use the 2023 census.
		var rate float64
		var year int
		if err := db.QueryRow(`SELECT population_year, rate_per_100k FROM district_month_rates
			WHERE district_code = 'PK001' AND month = DATE '2023-01-01' AND category = 'drug_trafficking'`).Scan(&year, &rate); err != nil {
			t.Fatal(err)
		}
		n := scanInt(t, db, `SELECT incidents FROM district_month WHERE district_code = 'PK001' AND month = DATE '2023-01-01' AND category = 'drug_trafficking'`)
		if year != 2023 || rate != float64(n)*1e5/300000 {
			t.Errorf("rate: year %d, %v per 100k, want 2023, %v", year, rate, float64(n)*1e5/300000)
		}
	})
	// Given again, the table and its rejects are replaced, not added to.
	rep, err = pipeline.Ingest(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	query(t, f.db, func(db *sql.DB) {
		if got, want := fmt.Sprint(scanInt(t, db, `SELECT count(*) FROM population`),
			scanInt(t, db, `SELECT count(*) FROM rejects WHERE source_file = ?`, pop)), "3 3"; got != want {
			t.Errorf("after a second run: population rows, rejects = %s, want %s", got, want)
		}
	})
}

// TestIngestVictims sums victims per district and month: the victims
// column of layouts, or the quantity of canonical trafficking rows.
func TestIngestVictims(t *testing.T) {
	f := newFixture(t)
	in := writeFile(t, f.dir, "victims.csv", header+"\n"+
		"H-1,human_trafficking,trafficking,2024-03-01,30.5,70.5,,FIA,3,,\n"+
		"H-2,human_trafficking,smuggling,2024-03-09,30.5,70.6,,FIA,4,,\n"+
		"D-1,drug_trafficking,heroin,2024-03-02,30.5,70.5,,ANF,10,,\n")
	f.ingest(t, in)
	query(t, f.db, func(db *sql.DB) {
		got := fmt.Sprint(
			scanInt(t, db, `SELECT victims FROM district_month WHERE category = 'human_trafficking'`),
			scanInt(t, db, `SELECT count(*) FROM district_month WHERE category = 'drug_trafficking' AND victims IS NULL`))
		if want := "7 1"; got != want {
			t.Errorf("trafficking victims, drug rows without victims = %s, want %s", got, want)
		}
	})
}

// TestIngestMeasures checks that every ingest stores the map's neighbours
// and recomputes the measure tables from district_month.
func TestIngestMeasures(t *testing.T) {
	f := newFixture(t)
	f.ingest(t, f.small)
	query(t, f.db, func(db *sql.DB) {
		got := fmt.Sprint(
			scanInt(t, db, `SELECT count(*) FROM district_neighbors`),
			scanInt(t, db, `SELECT count(*) FILTER (WHERE border) FROM districts`),
			scanInt(t, db, `SELECT count(*) FROM district_measures`),
			scanInt(t, db, `SELECT count(*) FROM category_links`),
			scanInt(t, db, `SELECT count(*) FROM border_summary`))
		// Alpha and Beta neighbour each other and both touch the outline
		// inland; 5 categories (the four and all) x 2 districts; 6 pairs; 4 x 2 sides.
		if want := "2 2 10 6 8"; got != want {
			t.Errorf("neighbour links, border districts, measure rows, links, border rows = %s, want %s", got, want)
		}
		if got := scanInt(t, db, `SELECT count(*) FROM district_measures m JOIN (
				SELECT district_code, category, sum(incidents) AS n FROM district_month GROUP BY ALL
				UNION ALL SELECT district_code, 'all', sum(incidents) FROM district_month GROUP BY ALL) s
				USING (district_code, category) WHERE m.incidents <> s.n`); got != 0 {
			t.Errorf("%d measure rows disagree with district_month", got)
		}
		if got, want := scanInt(t, db, `SELECT count(DISTINCT basis) FROM district_measures WHERE basis = 'count'`), int64(1); got != want {
			t.Errorf("without population the basis should be count")
		}
	})
}

// TestIngestHostileLines: a line too long to be a row is one reject at its
// own line, the rows after it keep theirs, a NUL rejects its row, byte-order
// marks leave the ids, and rows of only commas are blank lines.
func TestIngestHostileLines(t *testing.T) {
	f := newFixture(t)
	in := writeFile(t, f.dir, "in.csv", header+"\n"+
		smallRows[0]+"\n"+ // 2
		strings.Repeat("\x00", 3<<20)+"\n"+ // 3
		",,,,,,,,,,\n"+ // 4: blank
		"\xEF\xBB\xBF"+smallRows[1]+"\n"+ // 5
		strings.Replace(smallRows[2], ",,,Beta,", ",,,Be\x00ta,", 1)+"\n"+ // 6
		" , ,,,,,,,,,\n"+ // 7: blank
		smallRows[3]+"\n") // 8
	rep := f.ingest(t, in)
	if got, want := fmt.Sprint(rep.Read, rep.Accepted, rep.Rejected, rep.Files[0].Blank), "5 3 2 2"; got != want {
		t.Errorf("read accepted rejected blank = %s, want %s", got, want)
	}
	query(t, f.db, func(db *sql.DB) {
		var got []string
		for _, r := range rejects(t, db) {
			got = append(got, fmt.Sprintf("%d %s: %s (%d bytes kept)", r.Line, r.Field, r.Reason, len(r.Raw)))
		}
		want := []string{
			"3 (record): line longer than 1048576 bytes (not a text file, or a record that never ends?); its text is cut to the first 1024 bytes (1024 bytes kept)",
			`6 (record): column "district_hint" holds the control character 0x00 (NUL), which is not text: the file may be damaged, or UTF-16 read as UTF-8 (` +
				fmt.Sprint(len(smallRows[2])+1) + " bytes kept)",
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("rejects\n got %q\nwant %q", got, want)
		}
		if got, want := scanInt(t, db, `SELECT count(*) FROM incidents WHERE incident_id = 'A2'`), int64(1); got != want {
			t.Errorf("%d incidents A2 (its line starts with a byte-order mark), want %d", got, want)
		}
	})
}

// TestIngestFirstRunStaged: a run that creates the database writes it as
// DB.partial and puts it in place only when it succeeds. A failed first
// run leaves neither file; a partial file left by a killed run does not
// stop the next; and the staged run (committed in two steps) gives the tables a run into an
// existing database gives.
func TestIngestFirstRunStaged(t *testing.T) {
	f := newFixture(t)
	partial := pipeline.StagingPath(f.db)
	badHeader := writeFile(t, f.dir, "bad header.csv", strings.Replace(smallCSV(), "amount_pkr", "amount", 1))
	if _, err := pipeline.Ingest(context.Background(), f.config(f.small, badHeader)); err == nil {
		t.Fatal("no error for a bad header")
	}
	for _, p := range []string{f.db, partial, partial + ".wal", f.db + ".wal"} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left by a failed first run (stat: %v)", filepath.Base(p), err)
		}
	}

	// What a killed first run leaves: a partial file, and its log.
	writeFile(t, f.dir, filepath.Base(partial), "half a database")
	writeFile(t, f.dir, filepath.Base(partial)+".wal", "half a log")
	writeFile(t, f.dir, filepath.Base(partial)+".lock", "")
	rep := f.ingest(t, f.small)
	if rep.DB != f.db || rep.RunID != 1 {
		t.Errorf("report names run %d into %s, want run 1 into %s", rep.RunID, rep.DB, f.db)
	}
	for _, p := range []string{partial, partial + ".wal", partial + ".lock"} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still there after a successful first run (stat: %v)", filepath.Base(p), err)
		}
	}
	query(t, f.db, func(db *sql.DB) {
		if got, want := incidents(t, db), smallIncidents(1); !reflect.DeepEqual(got, want) {
			t.Errorf("incidents of the staged run\n got %v\nwant %v", got, want)
		}
	})
	staged := snapshot(t, f.db)

	// The same file into an existing (empty) database: one transaction.
	g := newFixture(t)
	st, err := store.Open(context.Background(), g.db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	g.ingest(t, f.small)
	whole := snapshot(t, g.db)
	for _, table := range []string{"incidents", "district_month", "district_month_sources", "incident_groups"} {
		if staged[table] != whole[table] {
			t.Errorf("%s: staged first run %s, run in one transaction %s", table, staged[table], whole[table])
		}
	}
}

// TestIngestFirstRunThroughSymlink: a database path that is a symbolic
// link to a file not made yet (a database kept on another disk) gets the
// new database at the link's target, as DuckDB itself would make it.
func TestIngestFirstRunThroughSymlink(t *testing.T) {
	f := newFixture(t)
	target := filepath.Join(t.TempDir(), "elsewhere.duckdb")
	if err := os.Symlink(target, f.db); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	rep := f.ingest(t, f.small)
	if rep.DB != f.db || rep.RunID != 1 {
		t.Errorf("report names run %d into %s, want run 1 into %s", rep.RunID, rep.DB, f.db)
	}
	if fi, err := os.Lstat(f.db); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("%s is no longer the link (lstat: %v)", f.db, err)
	}
	query(t, target, func(db *sql.DB) {
		if got, want := incidents(t, db), smallIncidents(1); !reflect.DeepEqual(got, want) {
			t.Errorf("incidents at the link's target\n got %v\nwant %v", got, want)
		}
	})
	for _, dir := range []string{f.dir, filepath.Dir(target)} {
		if left, _ := filepath.Glob(filepath.Join(dir, "*.partial*")); len(left) > 0 {
			t.Errorf("left behind: %v", left)
		}
	}
}

// TestIngestRepeatsWithinRun: a run that adds to a database warns of a
// file that repeats a file given before it in the same run, as of one of
// an earlier run; the file given first is the one repeated, whatever the
// names.
func TestIngestRepeatsWithinRun(t *testing.T) {
	f := newFixture(t)
	rows := func(src string, n, kg int) string { // kg: the first row's quantity
		out := []string{header}
		for i := range n {
			out = append(out, fmt.Sprintf("M-%d,drug_trafficking,heroin,2024-03-%02d,%.4f,70.1,,%s,%d,,seizure",
				i+1, 1+i%28, 30.05+0.005*float64(i), src, max(1+i%7, kg*(1-min(i, 1)))))
		}
		return strings.Join(out, "\n") + "\n"
	}
	if base := f.ingest(t, writeFile(t, f.dir, "base.csv", rows("FIA", 100, 1))); base.Accepted != 100 { // more rows than the run: it adds to the database
		t.Fatalf("base: %d accepted, want 100", base.Accepted)
	}
	// The correction (a quantity fixed) is given after the file it
	// corrects, against their names' order.
	rep := f.ingest(t, writeFile(t, f.dir, "z-march.csv", rows("ANF", 30, 1)), writeFile(t, f.dir, "a-march-fixed.csv", rows("ANF", 30, 9)))
	var repeats []string
	for _, w := range rep.Warnings {
		if i := strings.Index(w, " repeats "); i >= 0 {
			repeats = append(repeats, filepath.Base(w[:i])+w[i:strings.Index(w, ": with")])
		}
	}
	if want := []string{"a-march-fixed.csv repeats 30 of its 30 records of " + filepath.Join(f.dir, "z-march.csv") + " (run 2)"}; !reflect.DeepEqual(repeats, want) {
		t.Errorf("repeats %q, want %q", repeats, want)
	}
}

// TestIngestIDsThatAreNoIDs ingests the ids agencies write when they have
// none: serial numbers that start again in each month's file, and
// placeholders (N/A, -, 0). A same-id link made row k of January and row
// k of February one incident (100 seizures counted as 50), and every
// placeholder row of a source one incident. Now an id links only records
// of one date, and a placeholder is refused like a missing id. A
// cumulative return (January and February again, under another name) adds
// records, not incidents.
func TestIngestIDsThatAreNoIDs(t *testing.T) {
	f := newFixture(t)
	month := func(m int) []string {
		var rows []string
		for i := range 50 {
			rows = append(rows, fmt.Sprintf("%d,drug_trafficking,heroin,2024-%02d-%02d,%.4f,%.4f,,Sindh Police,%d,,seizure",
				i+1, m, 1+i%28, 30.05+0.018*float64(i), 70.05+0.018*float64(i), 1+i%7))
		}
		return rows
	}
	jan, feb := month(1), month(2)
	placeholders := []string{"N/A", "-", "0", "Nil", "unknown"}
	var na []string
	for i, id := range placeholders {
		na = append(na, fmt.Sprintf("%s,drug_trafficking,heroin,2024-03-%02d,30.5,70.5,,Sindh Police,2,,seizure", id, 1+i))
	}
	csv := func(rows []string) string { return header + "\n" + strings.Join(rows, "\n") + "\n" }
	first := f.ingest(t, writeFile(t, f.dir, "jan.csv", csv(jan)), writeFile(t, f.dir, "feb.csv", csv(feb)))
	// The user is told the ids are row numbers.
	if got := len(first.Warnings); got != 2 || !strings.Contains(first.Warnings[0], "jan.csv: its incident ids are row numbers (up to 50): ") {
		t.Errorf("warnings %q, want one for each file's row numbers", first.Warnings)
	}
	rep := f.ingest(t, writeFile(t, f.dir, "mar.csv", csv(na)), writeFile(t, f.dir, "jan-feb.csv", csv(append(jan, feb...))))
	if rep.Rejected != int64(len(placeholders)) {
		t.Errorf("%d rejected, want the %d placeholder ids", rep.Rejected, len(placeholders))
	}
	// The cumulative return is said to repeat the months it repeats.
	var repeats []string
	for _, w := range rep.Warnings {
		if i := strings.Index(w, " repeats "); i >= 0 {
			repeats = append(repeats, filepath.Base(w[:i])+w[i:strings.Index(w, " (run")])
		}
	}
	if want := []string{"jan-feb.csv repeats 50 of its 100 records of " + filepath.Join(f.dir, "feb.csv"),
		"jan-feb.csv repeats 50 of its 100 records of " + filepath.Join(f.dir, "jan.csv")}; !reflect.DeepEqual(repeats, want) {
		t.Errorf("repeats %q, want %q", repeats, want)
	}
	query(t, f.db, func(db *sql.DB) {
		got := fmt.Sprint(scanInt(t, db, `SELECT sum(incidents) FROM district_month`),
			scanInt(t, db, `SELECT sum(records) FROM district_month`),
			scanInt(t, db, `SELECT count(*) FROM sweep_twins`),
			scanInt(t, db, `SELECT count(*) FROM rejects WHERE field = 'incident_id' AND reason LIKE 'incident id % says there is none;%'`))
		if want := "100 200 100 5"; got != want {
			t.Errorf("incidents, records, twins, placeholder rejects = %s, want %s", got, want)
		}
	})
}

// TestIngestOlderRulesSaysWhy: a database linked under older rules is
// recomputed whole by its next ingest, which takes seconds to minutes;
// the ingest says why and each step, so that the wait is explained.
func TestIngestOlderRulesSaysWhy(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.ingest(t, f.small)
	st, err := store.Open(ctx, f.db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().ExecContext(ctx, `UPDATE meta SET value = '5' WHERE key = 'derived_rules'`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	var progress bytes.Buffer
	cfg := f.config(writeFile(t, f.dir, "more.csv", header+"\nM1,drug_trafficking,heroin,2024-01-10,30.5,70.5,,ANF,1,,seized\n"))
	cfg.Progress = &progress
	if _, err := pipeline.Ingest(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"this database was linked by an older ocmap (rules 5, now 9): recomputing the incident groups and summaries of all its records, once",
		"  linking records of one incident (incident_groups)\n", "  summaries (district_month, district_month_sums, district_month_sources)\n"} {
		if !strings.Contains(progress.String(), want) {
			t.Errorf("progress lacks %q:\n%s", want, progress.String())
		}
	}
	// The next run is an ordinary one.
	progress.Reset()
	cfg.Inputs = []string{writeFile(t, f.dir, "again.csv", header+"\nM2,drug_trafficking,heroin,2024-01-11,30.5,70.5,,ANF,1,,seized\n")}
	if _, err := pipeline.Ingest(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(progress.String(), "older ocmap") {
		t.Errorf("a second run recomputed again:\n%s", progress.String())
	}
}
