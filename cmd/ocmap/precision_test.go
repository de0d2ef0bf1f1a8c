//go:build duckdb_arrow

package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ocmap/ocmap/pipeline/store"
)

// precisionDB ingests drug incidents on the test grid, some by point and
// some by district name only (precision 3): G1 20 by point; G4 15 by
// point and 6 by name; G5 4 by name. It returns the database and the map.
func precisionDB(t *testing.T) (db, mapPath string) {
	t.Helper()
	db, mapPath = locatedDB(t, map[int]int{1: 20, 4: 15}, map[int]int{4: 6, 5: 4})
	code, stdout, stderr := ocmap("sql", "--db", db, "--format", "csv",
		"SELECT location_precision, count(*) FROM incidents GROUP BY 1 ORDER BY 1")
	if code != exitOK || stdout != "location_precision,count_star()\n1,35\n3,10\n" {
		t.Fatalf("the test data is not located as planned: exit %d\n%s%s", code, stdout, stderr)
	}
	return db, mapPath
}

// locatedDB ingests drug incidents on the test grid, points[g] of them in
// Grid g by point (precision 1) and named[g] by district name only
// (precision 3), alternately in January and February 2024.
func locatedDB(t *testing.T, points, named map[int]int) (db, mapPath string) {
	t.Helper()
	dir := isolate(t)
	mapPath = writeTestFile(t, dir, "grid.geojson", gridMap())
	var rows []string
	id := 0
	point := func(g, n int) {
		lon, lat := 70.5+float64((g-1)%3), 32.5-float64((g-1)/3)
		for range n {
			id++
			rows = append(rows, fmt.Sprintf("P%d,drug_trafficking,x,2024-0%d-10,%.1f,%.1f,,SRC,1,,", id, 1+id%2, lat, lon))
		}
	}
	byName := func(g, n int) {
		for range n {
			id++
			rows = append(rows, fmt.Sprintf("N%d,drug_trafficking,x,2024-0%d-10,,,Grid %d,SRC,1,,", id, 1+id%2, g))
		}
	}
	for g := 1; g <= 9; g++ {
		point(g, points[g])
		byName(g, named[g])
	}
	in := writeTestFile(t, dir, "in.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		strings.Join(rows, "\n")+"\n")
	db = filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	return db, mapPath
}

// districtCounts reads one category's incidents and status per district
// from an export's districts.csv, as "count/status".
func districtCounts(t *testing.T, dir, cat string) map[string]string {
	t.Helper()
	recs, col := readCSVFile(t, filepath.Join(dir, "districts.csv"))
	out := map[string]string{}
	for _, r := range recs[1:] {
		out[r[0]] = r[col[cat+"_incidents"]] + "/" + r[col[cat+"_status"]]
	}
	return out
}

// TestExportMaxPrecision exports the same database with every incident and
// with --max-precision 1 and checks that the counts differ by exactly the
// district-named incidents, in the tables, the Parquet file and
// disclosure control, and that the files say which incidents they count.
func TestExportMaxPrecision(t *testing.T) {
	db, mapPath := precisionDB(t)
	dir := filepath.Dir(db)
	export := func(name string, extra ...string) string {
		out := filepath.Join(dir, name)
		args := append([]string{"export", "--db", db, "--out", out, "--boundaries", mapPath, "--width", "600"}, extra...)
		if code, stdout, stderr := ocmap(args...); code != exitOK {
			t.Fatalf("%v: exit %d\n%s%s", extra, code, stdout, stderr)
		}
		return out
	}
	all := export("all", "--internal")
	exact := export("exact", "--internal", "--max-precision", "1")
	tests := []struct {
		name, code, all, exact string
	}{
		{"points only", "G1", "20/published", "20/published"},
		{"points and names", "G4", "21/published", "15/published"},
		{"names only", "G5", "4/published", "0/published"},
		{"nothing", "G3", "0/published", "0/published"},
	}
	gotAll, gotExact := districtCounts(t, all, "drug_trafficking"), districtCounts(t, exact, "drug_trafficking")
	gotAllSum, gotExactSum := districtCounts(t, all, "all"), districtCounts(t, exact, "all")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, want := gotAll[tc.code], tc.all; got != want {
				t.Errorf("default export: %s drugs = %s, want %s", tc.code, got, want)
			}
			if got, want := gotExact[tc.code], tc.exact; got != want {
				t.Errorf("--max-precision 1: %s drugs = %s, want %s", tc.code, got, want)
			}
			if got, want := gotExactSum[tc.code], tc.exact; got != want {
				t.Errorf("--max-precision 1: %s all four = %s, want %s", tc.code, got, want)
			}
			if got, want := gotAllSum[tc.code], tc.all; got != want {
				t.Errorf("default export: %s all four = %s, want %s", tc.code, got, want)
			}
		})
	}

	// The Parquet file sums to 45 incidents by default and 35 by point.
	for _, c := range []struct {
		dir  string
		want string
	}{{all, "45"}, {exact, "35"}} {
		// ocmap sql reads no file but the database: read it unsealed.
		q := fmt.Sprintf("SELECT sum(incidents) AS n FROM read_parquet('%s')", filepath.Join(c.dir, "district_month.parquet"))
		st, err := store.OpenExport(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		res, _, err := st.Query(context.Background(), q, 0)
		st.Close()
		if err != nil || len(res.Rows) != 1 || res.Rows[0][0].Text != c.want {
			t.Errorf("%s parquet: %v %v, want %s", filepath.Base(c.dir), res, err, c.want)
		}
	}

	// Disclosure control works on the filtered counts: G5's 4 named
	// incidents are suppressed by default, and by point G5 has none to hide.
	// Each is the first published release of its database (one after the
	// other would be audited together, TestExportMaxPrecisionDifferencing).
	b, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	pub := export("published")
	if err := os.WriteFile(db, b, 0o644); err != nil {
		t.Fatal(err)
	}
	pubExact := export("published-exact", "--max-precision", "1")
	if got, want := districtCounts(t, pub, "drug_trafficking")["G5"], "/suppressed"; got != want {
		t.Errorf("default export: G5 drugs = %s, want %s", got, want)
	}
	if got, want := districtCounts(t, pubExact, "drug_trafficking")["G5"], "0/published"; got != want {
		t.Errorf("--max-precision 1: G5 drugs = %s, want %s", got, want)
	}

	// The manifest records the filter only when there is one, and the
	// maps and the report say which incidents are counted.
	const note = "Counted: incidents located at precision 1 only (exact point)."
	for _, c := range []struct {
		dir  string
		want int // max_precision in the manifest; 0 absent
		note bool
	}{{all, 0, false}, {exact, 1, true}} {
		var man struct {
			Parameters map[string]any `json:"parameters"`
		}
		b, _ := os.ReadFile(filepath.Join(c.dir, "manifest.json"))
		if err := json.Unmarshal(b, &man); err != nil {
			t.Fatal(err)
		}
		got, _ := man.Parameters["max_precision"].(float64)
		if int(got) != c.want {
			t.Errorf("%s manifest: max_precision %v, want %d", filepath.Base(c.dir), man.Parameters["max_precision"], c.want)
		}
		for _, name := range []string{"map_all.svg", "map_drug_trafficking.svg", "report.html"} {
			b, _ := os.ReadFile(filepath.Join(c.dir, name))
			// Maps wrap their note over several text elements.
			words := strings.Join(strings.Fields(tags.ReplaceAllString(string(b), " ")), " ")
			if got := strings.Contains(words, note); got != c.note {
				t.Errorf("%s/%s has the precision note: %v, want %v", filepath.Base(c.dir), name, got, c.note)
			}
		}
	}
	report, _ := os.ReadFile(filepath.Join(exact, "report.html"))
	if want := "These shares are of all incidents; the figures count only those located at precision 1."; !bytes.Contains(report, []byte(want)) {
		t.Errorf("report.html lacks %q", want)
	}
}

var tags = regexp.MustCompile(`<[^>]*>`)

// TestBulletinMaxPrecision checks that the bulletin counts by the filter:
// February 2024 has 10 drug incidents by point and 5 by name.
func TestBulletinMaxPrecision(t *testing.T) {
	db, mapPath := precisionDB(t)
	dir := filepath.Dir(db)
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"all", nil, "| Drug trafficking | 23 | 22 | +5% | – | – |\n"},
		{"exact", []string{"--max-precision", "1"}, "| Drug trafficking | 18 | 17 | +6% | – | – |\n"},
	} {
		out := filepath.Join(dir, "bulletin-"+c.name)
		args := append([]string{"bulletin", "--db", db, "--month", "2024-02", "--out", out, "--boundaries", mapPath,
			"--width", "600", "--internal"}, c.args...)
		if code, stdout, stderr := ocmap(args...); code != exitOK {
			t.Fatalf("%s: exit %d\n%s%s", c.name, code, stdout, stderr)
		}
		md, _ := os.ReadFile(filepath.Join(out, "bulletin.md"))
		if !bytes.Contains(md, []byte(c.want)) {
			t.Errorf("%s bulletin.md lacks %q:\n%s", c.name, c.want, md)
		}
		note := bytes.Contains(md, []byte("Counted: incidents located at precision 1 only (exact point)."))
		if got, want := note, c.args != nil; got != want {
			t.Errorf("%s bulletin.md has the precision note: %v, want %v", c.name, got, want)
		}
	}
}

// TestAnalystMaxPrecision checks the counts of heatmap and summary under
// the filter, and that their tables say so.
func TestAnalystMaxPrecision(t *testing.T) {
	db, _ := precisionDB(t)
	for _, cmd := range []struct {
		name    string
		csv     []string // arguments for CSV
		codeCol int      // the CSV column of the district code; incidents are column 4
		says    string   // what the table says when the filter is on
		json    bool     // the JSON has max_precision only when it filters
	}{
		{"heatmap", []string{"--metric", "count", "--format", "csv"}, 0, "counting incidents located at precision", false},
		{"summary", []string{"--format", "csv", "--top", "0"}, 1, "(counting incidents located at precision", true},
	} {
		for _, c := range []struct {
			name   string
			args   []string
			g4, g5 string
			filter bool
		}{
			{"all", nil, "21", "4", false},
			{"names and better", []string{"--max-precision", "3"}, "21", "4", true},
			{"exact", []string{"--max-precision", "1"}, "15", "0", true},
		} {
			t.Run(cmd.name+" "+c.name, func(t *testing.T) {
				args := append([]string{cmd.name, "--db", db}, c.args...)
				code, stdout, stderr := ocmap(append(args, cmd.csv...)...)
				if code != exitOK {
					t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
				}
				recs, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]string{}
				for _, r := range recs[1:] {
					got[r[cmd.codeCol]] = r[4] // incidents
				}
				if got["G4"] != c.g4 || got["G5"] != c.g5 {
					t.Errorf("G4 %s, G5 %s; want %s, %s\n%s", got["G4"], got["G5"], c.g4, c.g5, stdout)
				}
				_, table, _ := ocmap(args...)
				if got, want := strings.Contains(table, cmd.says), c.filter; got != want {
					t.Errorf("the table says the filter: %v, want %v\n%s", got, want, table)
				}
				if cmd.json {
					_, js, _ := ocmap(append(args, "--format", "json")...)
					if got, want := strings.Contains(js, `"max_precision"`), c.filter; got != want {
						t.Errorf("json has max_precision: %v, want %v\n%s", got, want, js)
					}
				}
			})
		}
	}
}

// TestMaxPrecisionUsage checks that every command refuses a precision
// outside 1 to 4 as a usage error naming the flag.
func TestMaxPrecisionUsage(t *testing.T) {
	dir := isolate(t)
	db := filepath.Join(dir, "none.duckdb")
	for _, cmd := range [][]string{
		{"export", "--db", db, "--out", filepath.Join(dir, "out")},
		{"bulletin", "--db", db, "--month", "2024-01", "--out", filepath.Join(dir, "out")},
		{"heatmap", "--db", db},
		{"summary", "--db", db},
	} {
		for _, p := range []string{"0", "5"} {
			code, _, stderr := ocmap(append(cmd, "--max-precision", p)...)
			if code != exitUsage || !strings.Contains(stderr, "--max-precision") {
				t.Errorf("%s --max-precision %s: exit %d, want %d, stderr %q", cmd[0], p, code, exitUsage, stderr)
			}
		}
	}
}

// TestExportMaxPrecisionDifferencing is the attacker who holds a published
// export of every incident and a published --max-precision 1 export of the
// same period: G4 has 21 drug incidents, 15 of them by point, so both
// tables printing G4 would tell that G4 has 6 incidents located by
// district name only, a count under --min-cell. The second export must
// withhold enough that no such difference is printed, in either order.
func TestExportMaxPrecisionDifferencing(t *testing.T) {
	for _, order := range [][2]string{{"4", "1"}, {"1", "4"}} {
		t.Run("precision "+order[0]+" then "+order[1], func(t *testing.T) {
			db, mapPath := locatedDB(t, map[int]int{1: 40, 2: 50, 3: 60, 4: 30, 6: 44, 7: 56, 8: 48, 9: 52}, map[int]int{4: 6})
			dir := filepath.Dir(db)
			got := map[string]map[string]string{}
			for _, p := range order {
				out := filepath.Join(dir, "p"+p)
				code, stdout, stderr := ocmap("export", "--db", db, "--out", out, "--boundaries", mapPath, "--width", "600", "--max-precision", p)
				if code != exitOK {
					t.Fatalf("--max-precision %s: exit %d\n%s%s", p, code, stdout, stderr)
				}
				got[p] = districtCounts(t, out, "drug_trafficking")
				for k, v := range districtCounts(t, out, "all") {
					got[p]["all:"+k] = v
				}
			}
			// The first release is audited alone. Every incident: it
			// publishes G4. By point only: the report's records (386, one
			// record an incident) less its national total by point (380)
			// would tell the 6 located by name, so it withholds that total
			// and, so that the districts do not give it, G4.
			if want := map[string]string{"4": "36/published", "1": "/suppressed"}[order[0]]; got[order[0]]["G4"] != want {
				t.Errorf("first export (--max-precision %s): G4 %s, want %s", order[0], got[order[0]]["G4"], want)
			}
			for key, all := range got["4"] {
				exact := got["1"][key]
				var a, e int
				_, errA := fmt.Sscanf(all, "%d/published", &a)
				_, errE := fmt.Sscanf(exact, "%d/published", &e)
				if errA == nil && errE == nil && a-e > 0 && a-e < 10 {
					t.Errorf("%s: every incident %s, by point %s: %d incidents by name only can be worked out", key, all, exact, a-e)
				}
			}
		})
	}
}

// TestBulletinMaxPrecisionDifferencing is the attacker with a published
// export of January 2024 (every incident) and a published bulletin of
// February with --max-precision 1, which prints January's national counts
// by point as its "previous month": January's 3 drug incidents located by
// district name only must not follow by subtraction.
func TestBulletinMaxPrecisionDifferencing(t *testing.T) {
	db, mapPath := locatedDB(t, map[int]int{1: 40, 2: 50, 3: 60, 4: 30, 6: 44, 7: 56, 8: 48, 9: 52}, map[int]int{4: 6})
	dir := filepath.Dir(db)
	jan := filepath.Join(dir, "jan")
	if code, stdout, stderr := ocmap("export", "--db", db, "--out", jan, "--boundaries", mapPath, "--width", "600",
		"--from", "2024-01", "--to", "2024-01"); code != exitOK {
		t.Fatalf("export: exit %d\n%s%s", code, stdout, stderr)
	}
	var all int
	for code, v := range districtCounts(t, jan, "drug_trafficking") {
		var n int
		if _, err := fmt.Sscanf(v, "%d/published", &n); err != nil {
			t.Fatalf("January export: %s drugs %s: the attack needs every district published", code, v)
		}
		all += n
	}
	if all != 193 {
		t.Fatalf("January export: %d drug incidents, want 193", all)
	}
	out := filepath.Join(dir, "feb")
	if code, stdout, stderr := ocmap("bulletin", "--db", db, "--month", "2024-02", "--out", out, "--boundaries", mapPath,
		"--width", "600", "--max-precision", "1"); code != exitOK {
		t.Fatalf("bulletin: exit %d\n%s%s", code, stdout, stderr)
	}
	md, err := os.ReadFile(filepath.Join(out, "bulletin.md"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`\| Drug trafficking \| ([^|]+) \| ([^|]+) \|`).FindSubmatch(md)
	if row == nil {
		t.Fatalf("bulletin.md has no national drug row:\n%s", md)
	}
	var before int
	if _, err := fmt.Sscanf(string(bytes.TrimSpace(row[2])), "%d", &before); err == nil && all-before > 0 && all-before < 10 {
		t.Errorf("bulletin prints January's %d by point, the export %d in all: %d located by name only can be worked out", before, all, all-before)
	}
	// February itself is the bulletin's own table, audited alone: printed.
	if got, want := string(bytes.TrimSpace(row[1])), "190"; got != want {
		t.Errorf("bulletin: February's drug incidents by point %q, want %q", got, want)
	}
}

// TestExportLateFileDifferencing is the attacker with two published
// exports of the same period, before and after a late file added 3 drug
// incidents in G4: the tables print G4's 36 and 39, telling that 3
// incidents there were reported late. The second export must withhold
// enough that no change under --min-cell can be worked out.
func TestExportLateFileDifferencing(t *testing.T) {
	db, mapPath := locatedDB(t, map[int]int{1: 40, 2: 50, 3: 60, 4: 30, 6: 44, 7: 56, 8: 48, 9: 52}, map[int]int{4: 6})
	dir := filepath.Dir(db)
	export := func(name string) map[string]string {
		out := filepath.Join(dir, name)
		if code, stdout, stderr := ocmap("export", "--db", db, "--out", out, "--boundaries", mapPath, "--width", "600"); code != exitOK {
			t.Fatalf("export %s: exit %d\n%s%s", name, code, stdout, stderr)
		}
		got := districtCounts(t, out, "drug_trafficking")
		for k, v := range districtCounts(t, out, "all") {
			got["all:"+k] = v
		}
		return got
	}
	before := export("before")
	if before["G4"] != "36/published" {
		t.Fatalf("first export: G4 %s, want 36/published", before["G4"])
	}
	late := writeTestFile(t, dir, "late.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		"L1,drug_trafficking,x,2024-01-12,31.5,70.5,,SRC,1,,\nL2,drug_trafficking,x,2024-02-12,31.5,70.5,,SRC,1,,\nL3,drug_trafficking,x,2024-02-13,31.5,70.5,,SRC,1,,\n")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, late); code != exitOK {
		t.Fatalf("ingest late file: exit %d\n%s%s", code, stdout, stderr)
	}
	after := export("after")
	if after["G4"] == "36/published" {
		t.Fatalf("the late file did not reach G4: %v", after)
	}
	for key, b := range before {
		var x, y int
		_, errB := fmt.Sscanf(b, "%d/published", &x)
		_, errA := fmt.Sscanf(after[key], "%d/published", &y)
		if errA == nil && errB == nil && y != x && y-x > -10 && y-x < 10 {
			t.Errorf("%s: %s before the late file, %s after: %d incidents reported late can be worked out", key, b, after[key], y-x)
		}
	}
}

// TestExportSourceRecords is the attacker reading the report's records
// per source. ANF sent 3 records and SRC 386: an export with
// --publish-sources ANF must not print ANF's 3, nor the other 386, since
// the records are at least the 389 incidents that the report's
// data-quality shares give (ANF's would be at least 3); and after an
// export that printed "2 sources" with 389 records, one with
// --publish-sources ANF must not print "1 other source" with 386.
func TestExportSourceRecords(t *testing.T) {
	db, mapPath := locatedDB(t, map[int]int{1: 40, 2: 50, 3: 60, 4: 30, 6: 44, 7: 56, 8: 48, 9: 52}, map[int]int{4: 6})
	dir := filepath.Dir(db)
	anf := writeTestFile(t, dir, "anf.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		"A1,drug_trafficking,x,2024-01-12,32.5,70.5,,ANF,1,,\nA2,drug_trafficking,x,2024-02-12,32.5,70.5,,ANF,1,,\nA3,drug_trafficking,x,2024-02-13,32.5,70.5,,ANF,1,,\n")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, anf); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	fresh, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	sources := func(name string, extra ...string) map[string]string {
		out := filepath.Join(dir, name)
		args := append([]string{"export", "--db", db, "--out", out, "--boundaries", mapPath, "--width", "600"}, extra...)
		if code, stdout, stderr := ocmap(args...); code != exitOK {
			t.Fatalf("export %v: exit %d\n%s%s", extra, code, stdout, stderr)
		}
		b, err := os.ReadFile(filepath.Join(out, "report.html"))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, m := range regexp.MustCompile(`<tr><td>([^<]*)</td><td>([^<]*)</td></tr>`).FindAllStringSubmatch(string(b), -1) {
			got[m[1]] = m[2]
		}
		return got
	}
	// ANF's 3 records are withheld; the other source's may be printed only
	// if nothing gives the records' total: manifest.json withholds the
	// ANF file's 3 rows (before, it printed them, and with them ANF's 3).
	if got := sources("anf", "--publish-sources", "ANF"); got["ANF"] != "suppressed" {
		t.Errorf("--publish-sources ANF: ANF %q, want suppressed", got["ANF"])
	} else if got["1 other source"] != "suppressed" {
		mf, err := os.ReadFile(filepath.Join(dir, "anf", "manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(mf), `"rows_accepted": "suppressed"`) || strings.Contains(string(mf), `"rows_accepted": 3,`) {
			t.Errorf("--publish-sources ANF prints the other source's %s records, and manifest.json the files' rows:\n%s", got["1 other source"], mf)
		}
	}

	if err := os.WriteFile(db, fresh, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := sources("all"); got["2 sources"] != "389" {
		t.Fatalf("no list: 2 sources %q, want 389", got["2 sources"])
	}
	if got := sources("anf-after", "--publish-sources", "ANF"); got["ANF"] != "suppressed" || got["1 other source"] != "suppressed" {
		t.Errorf("--publish-sources ANF after '2 sources 389': ANF %q, 1 other source %q; want both suppressed", got["ANF"], got["1 other source"])
	}
}
