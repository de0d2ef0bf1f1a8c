//go:build duckdb_arrow

package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/internal/testmaps"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/pipeline/synth"
	"github.com/ocmap/ocmap/schemas"
)

// twoSquares is the shared hand-made map (see package testmaps).
const twoSquares = testmaps.TwoSquares

// ocmap runs the command line in-process.
func ocmap(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// isolate keeps the user's cache and boundaries out of a test.
func isolate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("OCMAP_CACHE", filepath.Join(dir, "cache"))
	t.Setenv("OCMAP_BOUNDARIES", "")
	t.Setenv("OCMAP_PLACES", "")
	return dir
}

func writeMap(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "two squares.geojson")
	if err := os.WriteFile(p, []byte(twoSquares), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHelp(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		toStdout bool
	}{
		{"help", []string{"help"}, exitOK, true},
		{"--help", []string{"--help"}, exitOK, true},
		{"-h", []string{"-h"}, exitOK, true},
		{"no command", nil, exitUsage, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := ocmap(tt.args...)
			if got, want := code, tt.code; got != want {
				t.Errorf("exit %d, want %d", got, want)
			}
			text := stderr
			if tt.toStdout {
				text = stdout
			}
			if len(commands) < 7 {
				t.Fatalf("only %d commands registered", len(commands))
			}
			for _, c := range commands {
				if !strings.Contains(text, "\n  "+c.Name+" ") {
					t.Errorf("help does not list %s:\n%s", c.Name, text)
				}
			}
			if !strings.Contains(text, exitCodesHelp) {
				t.Errorf("help does not explain the exit codes:\n%s", text)
			}
		})
	}
}

func TestCommandHelp(t *testing.T) {
	for _, c := range commands {
		t.Run(c.Name, func(t *testing.T) {
			for _, args := range [][]string{{"help", c.Name}, {c.Name, "--help"}} {
				code, stdout, _ := ocmap(args...)
				if got, want := code, exitOK; got != want {
					t.Errorf("%q: exit %d, want %d", args, got, want)
				}
				if want := "Usage: ocmap " + c.Name + " "; !strings.HasPrefix(stdout, want) {
					t.Errorf("%q: help starts %.40q, want %q", args, stdout, want)
				}
				if !strings.Contains(stdout, exitCodesHelp) {
					t.Errorf("%q: help does not explain the exit codes", args)
				}
			}
		})
	}
}

func TestExitCodes(t *testing.T) {
	dir := isolate(t)
	mapPath := writeMap(t, dir)
	db := filepath.Join(dir, "x.duckdb")
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string // a part of the message
	}{
		{"unknown command", []string{"frobnicate"}, exitUsage, `ocmap: unknown command "frobnicate"`},
		{"help for unknown command", []string{"help", "frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{"unknown flag", []string{"ingest", "--frobnicate"}, exitUsage, "unknown flag: --frobnicate"},
		{"ingest without --db", []string{"ingest", "in.csv"}, exitUsage, "ocmap ingest: --db is required"},
		{"ingest without input", []string{"ingest", "--db", db}, exitUsage, "name at least one input file"},
		{"ingest unknown layout", []string{"ingest", "--db", db, "--layout", "fia", "in.csv"}, exitUsage, `unknown layout "fia"`},
		{"ingest without boundaries", []string{"ingest", "--db", db, "in.csv"}, exitBoundaries, "ocmap boundaries fetch"},
		{"ingest with missing boundaries", []string{"ingest", "--db", db, "--boundaries", filepath.Join(dir, "nosuch.geojson"), "in.csv"}, exitBoundaries, "nosuch.geojson does not exist"},
		{"ingest missing input", []string{"ingest", "--db", db, "--boundaries", mapPath, filepath.Join(dir, "nosuch.csv")}, exitFailure, "nosuch.csv: no such file or directory"},
		{"gen without --out", []string{"gen", "--rows", "10"}, exitUsage, "--out is required"},
		{"gen with 11 sources", []string{"gen", "--out", filepath.Join(dir, "g.csv"), "--sources", "11"}, exitUsage, "--sources must be 1 to 10"},
		{"gen duplicates of one source", []string{"gen", "--out", filepath.Join(dir, "g.csv"), "--sources", "1"}, exitUsage, "--dup-rate needs --sources 2 or more"},
		{"gen without boundaries", []string{"gen", "--out", filepath.Join(dir, "g.csv")}, exitBoundaries, "ocmap boundaries fetch"},
		{"gen months backwards", []string{"gen", "--out", filepath.Join(dir, "g.csv"), "--from", "2025-02", "--to", "2025-01"}, exitUsage, "--to 2025-01 is before --from 2025-02"},
		{"gen day instead of month", []string{"gen", "--out", filepath.Join(dir, "g.csv"), "--from", "2025-01-01"}, exitUsage, `--from "2025-01-01": want a month as YYYY-MM`},
		{"boundaries show without boundaries", []string{"boundaries", "show"}, exitBoundaries, "ocmap boundaries fetch"},
		{"boundaries without action", []string{"boundaries"}, exitUsage, "say fetch, list or show"},
		{"summary without --db", []string{"summary"}, exitUsage, "--db is required"},
		{"rebuild without --db", []string{"rebuild"}, exitUsage, "ocmap rebuild: --db is required"},
		{"rebuild missing database", []string{"rebuild", "--db", filepath.Join(dir, "nosuch.duckdb")}, exitFailure, "no such database"},
		{"summary bad month", []string{"summary", "--db", db, "--from", "2023-13"}, exitUsage, `--from "2023-13": want a month as YYYY-MM`},
		{"summary day instead of month", []string{"summary", "--db", db, "--to", "2023-01-31"}, exitUsage, `--to "2023-01-31": want a month as YYYY-MM`},
		{"summary to before from", []string{"summary", "--db", db, "--from", "2023-05", "--to", "2023-04"}, exitUsage, "--to 2023-04 is before --from 2023-05"},
		{"summary unknown category", []string{"summary", "--db", db, "--category", "narcotics"}, exitUsage, `unknown category "narcotics"`},
		{"summary negative top", []string{"summary", "--db", db, "--top", "-1"}, exitUsage, "--top must be 0 or more"},
		{"summary missing database", []string{"summary", "--db", db}, exitFailure, "store: no such database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := ocmap(tt.args...)
			if got, want := code, tt.code; got != want {
				t.Errorf("exit %d, want %d; stderr:\n%s", got, want, stderr)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr does not say %q:\n%s", tt.stderr, stderr)
			}
			if _, err := os.Stat(db); err == nil {
				t.Errorf("%s was created", db)
			}
		})
	}
}

type summaryJSONOut struct {
	Category  string `json:"category"`
	From      string `json:"from"`
	To        string `json:"to"`
	Incidents int64  `json:"incidents"`
	Districts int64  `json:"districts_with_incidents"`
	Rows      []struct {
		Rank       int              `json:"rank"`
		Code       string           `json:"district_code"`
		Name       string           `json:"district_name"`
		Province   string           `json:"province"`
		Incidents  int64            `json:"incidents"`
		ByCategory map[string]int64 `json:"by_category"`
		Quantity   float64          `json:"quantity"`
		AmountPKR  float64          `json:"amount_pkr"`
		ByPoint    int64            `json:"by_point"`
		ByName     int64            `json:"by_name"`
		Victims    int64            `json:"victims"`
	} `json:"districts"`
}

// districtTotals is what the incidents table says about one district.
type districtTotals struct {
	incidents, byPoint, byName int64
	byCategory                 [schemas.NumCategories]int64
	quantity, amount           float64
}

// fromIncidents adds up the incidents table directly, past district_month,
// to check the summary against.
func fromIncidents(t *testing.T, db string) map[string]districtTotals {
	t.Helper()
	st, err := store.OpenReadOnly(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.DB().Query(`SELECT district_code, category, count(*), coalesce(sum(quantity), 0), coalesce(sum(amount_pkr), 0),
		count(*) FILTER (WHERE location_precision = 1), count(*) FILTER (WHERE location_precision = 3)
		FROM incidents GROUP BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]districtTotals{}
	for rows.Next() {
		var code, cat string
		var n, bp, bn int64
		var q, a float64
		if err := rows.Scan(&code, &cat, &n, &q, &a, &bp, &bn); err != nil {
			t.Fatal(err)
		}
		c, ok := schemas.ParseCategory(cat)
		if !ok {
			t.Fatalf("category %q in incidents", cat)
		}
		d := out[code]
		d.incidents += n
		d.byCategory[c] += n
		if c == schemas.DrugTrafficking { // the kg of drugs; a trafficking case's quantity counts victims
			d.quantity += q
		}
		d.amount += a
		d.byPoint += bp
		d.byName += bn
		out[code] = d
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// closeTo compares sums that DuckDB and Go may add in different orders.
func closeTo(a, b float64) bool {
	d := a - b
	return d < 1e-6*max(1, a, -a) && -d < 1e-6*max(1, a, -a)
}

// TestFlow runs install, gen, ingest and summary as a user would, on the
// hand-made map, and checks every number against the generator's counts and
// the incidents table.
func TestFlow(t *testing.T) {
	dir := isolate(t)
	mapPath := writeMap(t, dir)

	// Install the map as the default, so no command needs --boundaries.
	code, stdout, stderr := ocmap("boundaries", "fetch", "--from", mapPath)
	if code != exitOK {
		t.Fatalf("boundaries fetch: exit %d\n%s%s", code, stdout, stderr)
	}
	installed := filepath.Join(dir, "cache", "boundaries", "two squares.geojson")
	if want := "installed " + installed + "; commands now use it by default\n"; !strings.HasSuffix(stdout, want) {
		t.Errorf("boundaries fetch says\n%s\nwant it to end %q", stdout, want)
	}
	code, stdout, _ = ocmap("boundaries", "show")
	if got, want := code, exitOK; got != want {
		t.Errorf("boundaries show: exit %d, want %d", got, want)
	}
	if want := installed + "\n  2 districts, code property ADM2_PCODE, name property ADM2_EN"; !strings.HasPrefix(stdout, want) {
		t.Errorf("boundaries show says\n%s\nwant it to start %q", stdout, want)
	}

	// gen writes what synth.Generate writes.
	const rows, seed = 3000, 7
	b, err := geo.Load(mapPath, geo.Properties{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := synth.Generate(io.Discard, b, geo.NewIndex(b.Polygons), synth.Options{Rows: rows, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	accepted := int64(st.Rows - st.Bad)
	in := filepath.Join(dir, "synthetic incidents.csv")
	// By default gen writes ten sources with duplicates; the counts below
	// need one source, where every accepted row is an incident.
	multi, err := synth.Generate(io.Discard, b, geo.NewIndex(b.Polygons), synth.Options{Rows: rows, Seed: seed, Sources: 10, DupRate: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = ocmap("gen", "--rows", fmt.Sprint(rows), "--seed", fmt.Sprint(seed), "--out", in)
	if code != exitOK {
		t.Fatalf("gen: exit %d\n%s", code, stderr)
	}
	if got, want := stdout, fmt.Sprintf("wrote %s: 3,000 rows from 10 sources (%s deliberately bad, %s by district name only, %s repeating another source's event)\n",
		in, commas(int64(multi.Bad)), commas(int64(multi.NameOnly)), commas(int64(multi.Dups))); got != want {
		t.Errorf("gen says\n%s\nwant\n%s", got, want)
	}
	// The canonical columns alone (--flows=false), which ingest reads
	// with its own reader; TestFlowsCommand and the demo read gen's flow
	// columns.
	code, stdout, stderr = ocmap("gen", "--rows", fmt.Sprint(rows), "--seed", fmt.Sprint(seed), "--sources", "1", "--dup-rate", "0", "--flows=false", "--out", in)
	if code != exitOK {
		t.Fatalf("gen: exit %d\n%s", code, stderr)
	}
	if got, want := stdout, fmt.Sprintf("wrote %s: 3,000 rows from 1 source (%s deliberately bad, %s by district name only, 0 repeating another source's event)\n",
		in, commas(int64(st.Bad)), commas(int64(st.NameOnly))); got != want {
		t.Errorf("gen says\n%s\nwant\n%s", got, want)
	}

	// A monthly file: its dates lie in its month, but for another source's
	// record of an event, up to 3 days later or earlier.
	monthly := filepath.Join(dir, "monthly.csv")
	if code, _, stderr := ocmap("gen", "--rows", "500", "--seed", "8", "--from", "2025-01", "--to", "2025-01", "--out", monthly); code != exitOK {
		t.Fatalf("gen --from --to: exit %d\n%s", code, stderr)
	}
	text, err := os.ReadFile(monthly)
	if err != nil {
		t.Fatal(err)
	}
	inMonth, outside := 0, []string{}
	for _, line := range strings.Split(strings.TrimSpace(string(text)), "\n")[1:] {
		f := strings.Split(line, ",")
		if len(f) < 4 {
			continue
		}
		day, err := time.Parse("2006-01-02", f[3])
		switch {
		case err != nil: // a deliberately bad row
		case day.Format("2006-01") == "2025-01":
			inMonth++
		case day.Before(time.Date(2024, 12, 29, 0, 0, 0, 0, time.UTC)) || day.After(time.Date(2025, 2, 3, 0, 0, 0, 0, time.UTC)):
			outside = append(outside, f[3])
		}
	}
	if inMonth < 480 || len(outside) > 0 {
		t.Errorf("gen --from 2025-01 --to 2025-01: %d rows in the month, dates %v more than 3 days outside it", inMonth, outside)
	}

	db := filepath.Join(dir, "flow.duckdb")
	code, stdout, stderr = ocmap("ingest", "--db", db, in)
	if code != exitOK {
		t.Fatalf("ingest: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{
		"run 1 into " + db + "\n",
		fmt.Sprintf("  %s: read 3,000, accepted %s, rejected %s (sha256 ", in, commas(accepted), commas(int64(st.Bad))),
		fmt.Sprintf("rows read 3,000 = accepted %s + rejected %s, in ", commas(accepted), commas(int64(st.Bad))),
		fmt.Sprintf("first rejected incident rows (all %s are in the rejects table):\n", commas(int64(st.Bad))),
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("ingest output lacks %q:\n%s", want, stdout)
		}
	}
	if want := "boundaries: " + installed + " (2 districts)\n"; !strings.HasPrefix(stderr, want) {
		t.Errorf("ingest stderr\n%s\nwant it to start %q", stderr, want)
	}
	truth := fromIncidents(t, db)

	// A rebuild says its steps and leaves the summaries checked below.
	code, _, stderr = ocmap("rebuild", "--db", db)
	if code != exitOK {
		t.Fatalf("rebuild: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"rebuilding the derived tables of " + db, "  measures (", "  done in "} {
		if !strings.Contains(stderr, want) {
			t.Errorf("rebuild stderr lacks %q:\n%s", want, stderr)
		}
	}

	// JSON: every number, against the generator and the incidents table.
	code, stdout, stderr = ocmap("summary", "--db", db, "--format", "json", "--top", "0")
	if code != exitOK {
		t.Fatalf("summary json: exit %d\n%s", code, stderr)
	}
	var js summaryJSONOut
	if err := json.Unmarshal([]byte(stdout), &js); err != nil {
		t.Fatalf("summary json: %v\n%s", err, stdout)
	}
	if got, want := [2]int64{js.Incidents, js.Districts}, [2]int64{accepted, 2}; got != want {
		t.Errorf("json incidents, districts = %v, want %v", got, want)
	}
	if got, want := len(js.Rows), 2; got != want {
		t.Fatalf("json has %d districts, want %d", got, want)
	}
	var perCat [schemas.NumCategories]int64
	var byName, sum int64
	for i, r := range js.Rows {
		if got, want := r.Rank, i+1; got != want {
			t.Errorf("%s: rank %d, want %d", r.Code, got, want)
		}
		if i > 0 && r.Incidents > js.Rows[i-1].Incidents {
			t.Errorf("%s ranked below %s with more incidents", r.Code, js.Rows[i-1].Code)
		}
		d := truth[r.Code]
		var cats [schemas.NumCategories]int64
		for c, name := range schemas.Categories() {
			cats[c] = r.ByCategory[name]
			perCat[c] += cats[c]
		}
		if got, want := fmt.Sprint(r.Incidents, cats, r.ByPoint, r.ByName), fmt.Sprint(d.incidents, d.byCategory, d.byPoint, d.byName); got != want {
			t.Errorf("%s: incidents, by category, by point, by name = %s, want %s", r.Code, got, want)
		}
		if !closeTo(r.Quantity, d.quantity) || !closeTo(r.AmountPKR, d.amount) {
			t.Errorf("%s: quantity %g, amount %g, want %g, %g", r.Code, r.Quantity, r.AmountPKR, d.quantity, d.amount)
		}
		byName += r.ByName
		sum += r.Incidents
	}
	wantCat := [schemas.NumCategories]int64{}
	for c, n := range st.PerCategory {
		wantCat[c] = int64(n)
	}
	if got, want := perCat, wantCat; got != want {
		t.Errorf("incidents per category %v, want %v", got, want)
	}
	if got, want := byName, int64(st.NameOnly); got != want {
		t.Errorf("%d by name, want %d", got, want)
	}
	if got, want := sum, accepted; got != want {
		t.Errorf("districts add up to %d, want %d", got, want)
	}
	names := map[string][2]string{"PK001": {"Alpha", "North"}, "PK002": {"Beta", "South"}}
	for _, r := range js.Rows {
		if got, want := [2]string{r.Name, r.Province}, names[r.Code]; got != want {
			t.Errorf("%s: name, province %q, want %q", r.Code, got, want)
		}
	}

	// CSV: the same rows.
	code, stdout, stderr = ocmap("summary", "--db", db, "--format", "csv", "--top", "0")
	if code != exitOK {
		t.Fatalf("summary csv: exit %d\n%s", code, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil {
		t.Fatalf("summary csv: %v\n%s", err, stdout)
	}
	wantCSV := [][]string{{"rank", "district_code", "district_name", "province", "incidents",
		"terror_financing", "drug_trafficking", "human_trafficking", "cybercrime", "quantity", "amount_pkr", "by_point", "by_name",
		"population", "population_year", "rate_per_100k", "victims"}}
	for _, r := range js.Rows {
		rec := []string{strconv.Itoa(r.Rank), r.Code, r.Name, r.Province, fmt.Sprint(r.Incidents)}
		for _, c := range schemas.Categories() {
			rec = append(rec, fmt.Sprint(r.ByCategory[c]))
		}
		rec = append(rec, strconv.FormatFloat(r.Quantity, 'f', -1, 64), strconv.FormatFloat(r.AmountPKR, 'f', -1, 64),
			fmt.Sprint(r.ByPoint), fmt.Sprint(r.ByName), "", "", "", fmt.Sprint(r.Victims)) // no population given
		wantCSV = append(wantCSV, rec)
	}
	if got, want := recs, wantCSV; !reflect.DeepEqual(got, want) {
		t.Errorf("summary csv\n got %q\nwant %q", got, want)
	}

	// Table: the heading line and one line per district.
	code, stdout, stderr = ocmap("summary", "--db", db)
	if code != exitOK {
		t.Fatalf("summary table: exit %d\n%s", code, stderr)
	}
	s, err := store.OpenReadOnly(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	_, tot, err := s.Summary(context.Background(), store.SummaryQuery{})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(stdout, "\n")
	if got, want := lines[0], fmt.Sprintf("%s incidents, all categories, %s to %s, in 2 districts",
		commas(accepted), tot.FirstMonth.Format("2006-01"), tot.LastMonth.Format("2006-01")); got != want {
		t.Errorf("table heading %q, want %q", got, want)
	}
	for i, r := range js.Rows {
		got := strings.Fields(lines[3+i])
		want := []string{strconv.Itoa(r.Rank), r.Code, r.Name, r.Province, commas(r.Incidents)}
		for _, c := range schemas.Categories() {
			want = append(want, commas(r.ByCategory[c]))
		}
		want = append(want, commasFloat(r.Quantity, 1), commas(int64(r.AmountPKR)), commas(r.Victims), commas(r.ByName))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("table line %d\n got %q\nwant %q", i+1, got, want)
		}
	}
	if want := fmt.Sprintf("Rejected incident rows in the database: %s.\n", commas(int64(st.Bad))); !strings.HasSuffix(stdout, want) {
		t.Errorf("table ends\n%s\nwant %q", stdout, want)
	}

	// One category: its count only.
	code, stdout, _ = ocmap("summary", "--db", db, "--format", "json", "--category", "cybercrime", "--top", "1")
	if code != exitOK {
		t.Fatalf("summary cybercrime: exit %d", code)
	}
	js = summaryJSONOut{}
	if err := json.Unmarshal([]byte(stdout), &js); err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(js.Category, js.Incidents, len(js.Rows)), fmt.Sprint("cybercrime", st.PerCategory[schemas.Cybercrime], 1); got != want {
		t.Errorf("cybercrime category, incidents, rows = %s, want %s", got, want)
	}

	// Bad summary flags on a real database.
	for _, tt := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"--from", "2023-13"}, `--from "2023-13": want a month as YYYY-MM`},
		{[]string{"--format", "xml"}, `unknown format "xml" (table, csv or json)`},
		{[]string{"extra"}, `unexpected argument "extra"`},
	} {
		code, _, stderr := ocmap(append([]string{"summary", "--db", db}, tt.args...)...)
		if got, want := code, exitUsage; got != want {
			t.Errorf("summary %q: exit %d, want %d", tt.args, got, want)
		}
		if !strings.Contains(stderr, tt.stderr) {
			t.Errorf("summary %q: stderr does not say %q:\n%s", tt.args, tt.stderr, stderr)
		}
	}

	// The same file again replaces its rows: the summary is unchanged.
	code, stdout, stderr = ocmap("ingest", "--db", db, "-q", in)
	if code != exitOK {
		t.Fatalf("second ingest: exit %d\n%s", code, stderr)
	}
	if want := fmt.Sprintf("    same content as %s of run 1: its %s rows were replaced, with its %s rejected rows\n", in, commas(accepted), commas(int64(st.Bad))); !strings.Contains(stdout, want) {
		t.Errorf("second ingest output lacks %q:\n%s", want, stdout)
	}
	if stderr != "" {
		t.Errorf("ingest -q wrote to stderr:\n%s", stderr)
	}
	code, stdout, _ = ocmap("summary", "--db", db, "--format", "json", "--top", "0")
	if code != exitOK {
		t.Fatalf("summary after second ingest: exit %d", code)
	}
	js = summaryJSONOut{}
	if err := json.Unmarshal([]byte(stdout), &js); err != nil {
		t.Fatal(err)
	}
	if got, want := js.Incidents, accepted; got != want {
		t.Errorf("after the second ingest: %d incidents, want %d", got, want)
	}
}

func TestCommas(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0"}, {999, "999"}, {1000, "1,000"}, {-1000, "-1,000"}, {1234567, "1,234,567"}, {-999, "-999"}, {100000, "100,000"},
	}
	for _, tt := range tests {
		if got, want := commas(tt.n), tt.want; got != want {
			t.Errorf("commas(%d) = %q, want %q", tt.n, got, want)
		}
	}
}
