//go:build duckdb_arrow

package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ocmap/ocmap/pipeline/measures"
)

// gridDB ingests incidents on the test grid, all by point:
// counts[category][g] are the incidents of the category in Grid g, month
// by month from January 2023.
func gridDB(t *testing.T, counts map[string]map[int][]int) (db, mapPath string) {
	t.Helper()
	dir := isolate(t)
	mapPath = writeTestFile(t, dir, "grid.geojson", gridMap())
	var rows []string
	id := 0
	for _, cat := range []string{"terror_financing", "drug_trafficking", "human_trafficking", "cybercrime"} {
		for g := 1; g <= 9; g++ {
			lon, lat := 70.5+float64((g-1)%3), 32.5-float64((g-1)/3)
			for m, n := range counts[cat][g] {
				for range n {
					id++
					rows = append(rows, fmt.Sprintf("R%d,%s,x,2023-%02d-10,%.1f,%.1f,,SRC,1,,", id, cat, m+1, lat, lon))
				}
			}
		}
	}
	in := writeTestFile(t, dir, "in.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		strings.Join(rows, "\n")+"\n")
	db = filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr := ocmap("sql", "--db", db, "--format", "csv", "SELECT count(*) FROM incidents")
	if code != exitOK || stdout != fmt.Sprintf("count_star()\n%d\n", id) {
		t.Fatalf("the test data is not ingested as planned (%d incidents): exit %d\n%s%s", id, code, stdout, stderr)
	}
	return db, mapPath
}

// exportReport exports db into dir/name and returns its report.html.
func exportReport(t *testing.T, db, mapPath, name string, extra ...string) string {
	t.Helper()
	out := filepath.Join(filepath.Dir(db), name)
	args := append([]string{"export", "--db", db, "--out", out, "--boundaries", mapPath, "--width", "600"}, extra...)
	if code, stdout, stderr := ocmap(args...); code != exitOK {
		t.Fatalf("export %v: exit %d\n%s%s", extra, code, stdout, stderr)
	}
	b, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// qualitySentence returns the report's sentence on location precision.
func qualitySentence(t *testing.T, report string) string {
	t.Helper()
	m := regexp.MustCompile(`<p>(Incidents located by point [^<]*)</p>`).FindStringSubmatch(report)
	if m == nil {
		t.Fatalf("no data-quality sentence in the report")
	}
	return m[1]
}

// TestExportQualityShares is the attacker reading the report's data
// quality: 386 incidents, 6 of them located by district name, print "by
// district name 1.6%", which gives the 6 to anyone who knows the total (the
// national total of the tables). The count is withheld, and so is the
// share by point (98.4%, whose rest is the 6), in words; the internal
// export prints both; 12 of 392 by name are printed.
func TestExportQualityShares(t *testing.T) {
	points := map[int]int{1: 40, 2: 50, 3: 60, 4: 30, 6: 44, 7: 56, 8: 48, 9: 52}
	db, mapPath := locatedDB(t, points, map[int]int{4: 6})
	got := qualitySentence(t, exportReport(t, db, mapPath, "published"))
	for _, leak := range []string{"1.6%", "98.4%"} {
		if strings.Contains(got, leak) {
			t.Errorf("published report prints %s, which gives the 6 incidents located by name: %q", leak, got)
		}
	}
	for _, want := range []string{"by point suppressed", "by district name suppressed", `A share shown as "suppressed" is withheld: its count is from 1 to 9`} {
		if !strings.Contains(got, want) {
			t.Errorf("published report: want %q in %q", want, got)
		}
	}
	if got := qualitySentence(t, exportReport(t, db, mapPath, "internal", "--internal")); !strings.Contains(got, "by point 98.4%") || !strings.Contains(got, "by district name 1.6%") {
		t.Errorf("internal report: want every share, got %q", got)
	}

	db, mapPath = locatedDB(t, points, map[int]int{4: 12})
	got = qualitySentence(t, exportReport(t, db, mapPath, "published"))
	if !strings.Contains(got, "by point 96.9%") || !strings.Contains(got, "by district name 3.1%") || strings.Contains(got, "suppressed") {
		t.Errorf("12 of 392 by name: want both shares printed, got %q", got)
	}
}

// TestExportQualityProvinceOnly: 392 incidents in districts (12 by name)
// and 3 placed in Punjab only. Their share, 0.8%, gives the 3; so does the
// total of the shares (the point share with its count) or of the records
// per source (395, each incident one record) less the tables' national
// total of 392, which the key figures print. The published report must
// leave an attacker at least 13 (3 + the protection level 10) as the
// greatest value of the 3.
func TestExportQualityProvinceOnly(t *testing.T) {
	db, mapPath := locatedDB(t, map[int]int{1: 40, 2: 50, 3: 60, 4: 30, 6: 44, 7: 56, 8: 48, 9: 52}, map[int]int{4: 12})
	dir := filepath.Dir(db)
	prov := writeTestFile(t, dir, "punjab.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		"V1,drug_trafficking,x,2024-01-12,,,Punjab,SRC,1,,\nV2,drug_trafficking,x,2024-02-12,,,Punjab,SRC,1,,\nV3,drug_trafficking,x,2024-02-13,,,Punjab,SRC,1,,\n")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, prov); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	report := exportReport(t, db, mapPath, "published")
	got := qualitySentence(t, report)
	if !strings.Contains(got, "in a province only suppressed") || strings.Contains(got, "96.2%") {
		t.Errorf("want the share in a province only suppressed, and the share by point (380 of 395) not printed: %q", got)
	}
	cells := map[string]string{}
	for _, m := range regexp.MustCompile(`<tr><td>([^<]*)</td><td>([^<]*)</td>`).FindAllStringSubmatch(report, -1) {
		if _, ok := cells[m[1]]; !ok {
			cells[m[1]] = m[2]
		}
	}
	records, errR := strconv.Atoi(cells["1 source"])
	nation, errN := strconv.Atoi(cells["Organized crime, four categories"])
	if errR == nil && errN == nil && records-nation < 3+10 {
		t.Errorf("the report prints %d records and %d incidents in districts: at most %d incidents in no district, want at least 13", records, nation, records-nation)
	}
	// manifest.json's rows accepted per file are at least the records.
	b, err := os.ReadFile(filepath.Join(dir, "published", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Runs []struct {
			Files []struct {
				Rows any `json:"rows_accepted"`
			} `json:"files"`
		} `json:"ingest_runs"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	rows, all := 0, true
	// punjab.csv's 3 rows are a small count: withheld (a file named after
	// an agency would tell its small number of cases).
	if n := len(m.Runs); n == 0 || len(m.Runs[n-1].Files) != 1 || m.Runs[n-1].Files[0].Rows != "suppressed" {
		t.Errorf("manifest.json: the 3-row file's rows_accepted is not suppressed: %+v", m.Runs)
	}
	for _, r := range m.Runs {
		for _, f := range r.Files {
			n, ok := f.Rows.(float64)
			all = all && ok
			rows += int(n)
			if !ok && f.Rows != "suppressed" {
				t.Errorf("manifest.json: rows_accepted %v, want a number or \"suppressed\"", f.Rows)
			}
		}
	}
	if all && errN == nil && rows-nation < 3+10 {
		t.Errorf("manifest.json prints %d rows accepted and the report %d incidents in districts: at most %d incidents in no district, want at least 13", rows, nation, rows-nation)
	}
	if got := qualitySentence(t, exportReport(t, db, mapPath, "internal", "--internal")); !strings.Contains(got, "in a province only 0.8%") {
		t.Errorf("internal report: want every share, got %q", got)
	}
}

// TestExportQualitySharesAcrossScopes: an export with --max-precision 1
// prints the national total of the incidents located by point (380), and
// an export of every incident then may not print shares that give the
// total of 386 and so the 6 located by name; the share by name stays
// withheld whichever comes first.
func TestExportQualitySharesAcrossScopes(t *testing.T) {
	db, mapPath := locatedDB(t, map[int]int{1: 40, 2: 50, 3: 60, 4: 30, 6: 44, 7: 56, 8: 48, 9: 52}, map[int]int{4: 6})
	exportReport(t, db, mapPath, "points", "--max-precision", "1")
	got := qualitySentence(t, exportReport(t, db, mapPath, "all"))
	if strings.Contains(got, "1.6%") || !strings.Contains(got, "by district name suppressed") {
		t.Errorf("after a --max-precision 1 export: want the share by name suppressed, got %q", got)
	}
}

// trendRow reads the report's trends row of a category: districts rising,
// falling, and the new or intensifying hot spots.
func trendRow(t *testing.T, report, title string) (up, down, emerging string) {
	t.Helper()
	m := regexp.MustCompile(`<tr><td>` + regexp.QuoteMeta(title) + `</td><td>([^<]*)</td><td>([^<]*)</td><td class="l">([^<]*)</td></tr>`).FindStringSubmatch(report)
	if m == nil {
		t.Fatalf("no trends row for %s", title)
	}
	return m[1], m[2], m[3]
}

// TestExportTrendCounts is the attacker reading the report's trends: Grid
// 1 rises by 10 a month (every month published), Grid 5 from nothing to 4
// a month (16 in the year, its months from 1 to 4 withheld), the others
// are flat. Counting Grid 5 among the rising districts would tell that
// its withheld months rise: the published report counts only the
// districts whose months are all published, the internal one both.
func TestExportTrendCounts(t *testing.T) {
	flat := []int{15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15}
	drugs := map[int][]int{1: {10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120}, 5: {0, 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4}}
	for _, g := range []int{2, 3, 4, 6, 7, 8, 9} {
		drugs[g] = flat
	}
	db, mapPath := gridDB(t, map[string]map[int][]int{"drug_trafficking": drugs})
	for _, tt := range []struct {
		name, flag, up string
	}{
		{"published", "", "1"},
		{"internal", "--internal", "2"},
	} {
		var extra []string
		if tt.flag != "" {
			extra = append(extra, tt.flag)
		}
		report := exportReport(t, db, mapPath, tt.name, extra...)
		for _, title := range []string{"Drug trafficking", "Organized crime, four categories"} {
			if up, down, _ := trendRow(t, report, title); up != tt.up || down != "0" {
				t.Errorf("%s, %s: %s rising and %s falling, want %s and 0", tt.name, title, up, down, tt.up)
			}
		}
		if tt.flag == "" && !strings.Contains(report, "among the districts whose monthly counts of the category are all published") {
			t.Errorf("published report does not say which districts the trends count")
		}
	}
	published := districtCounts(t, filepath.Join(filepath.Dir(db), "published"), "drug_trafficking")
	if published["G1"] != "780/published" {
		t.Errorf("Grid 1: %s, want 780/published (the rising district the trends count)", published["G1"])
	}
}

// TestExportColocation is the attacker reading the report's overlaps:
// cybercrime in Grid 5 is 3 incidents, withheld with what would give it
// away. The rank correlation and co-location quotients of drug
// trafficking and cybercrime must be what anyone can work out from
// districts.csv (withheld counts left out), not what every count gives,
// which the internal export prints.
func TestExportColocation(t *testing.T) {
	one := func(n int) []int { return []int{n} }
	drugs, cyber := map[int][]int{}, map[int][]int{}
	for g, n := range []int{40, 25, 60, 35, 30, 45, 20, 55, 50} {
		drugs[g+1] = one(n)
	}
	for g, n := range map[int]int{1: 20, 3: 12, 5: 3, 7: 30, 9: 25} {
		cyber[g] = one(n)
	}
	db, mapPath := gridDB(t, map[string]map[int][]int{"drug_trafficking": drugs, "cybercrime": cyber})
	row := func(report string) string {
		m := regexp.MustCompile(`<tr><td>Drug trafficking</td><td class="l">Cybercrime</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>`).FindStringSubmatch(report)
		if m == nil {
			t.Fatalf("no overlap row for drug trafficking and cybercrime")
		}
		return strings.Join(m[1:], " ")
	}
	published := row(exportReport(t, db, mapPath, "published"))
	internal := row(exportReport(t, db, mapPath, "internal", "--internal"))

	// The attacker's figures: districts.csv, withheld counts left out.
	var nbrs [][]int
	for i := range 9 {
		var n []int
		for j := range 9 {
			if j != i && abs(i%3-j%3) <= 1 && abs(i/3-j/3) <= 1 {
				n = append(n, j)
			}
		}
		nbrs = append(nbrs, n)
	}
	read := func(cat string) (fig, count []float64) {
		got := districtCounts(t, filepath.Join(filepath.Dir(db), "published"), cat)
		for g := 1; g <= 9; g++ {
			v, err := strconv.ParseFloat(strings.TrimSuffix(got[fmt.Sprintf("G%d", g)], "/published"), 64)
			if err != nil {
				v = math.NaN()
			}
			fig = append(fig, v)
			if math.IsNaN(v) {
				v = 0
			}
			count = append(count, v)
		}
		return fig, count
	}
	fd, cd := read("drug_trafficking")
	fc, cc := read("cybercrime")
	if !math.IsNaN(fc[4]) {
		t.Fatalf("the test expects Grid 5's cybercrime withheld: %v", fc)
	}
	want := fmt.Sprintf("%.2f %.2f %.2f", measures.Spearman(fd, fc), measures.ColocationQuotient(cd, cc, nbrs), measures.ColocationQuotient(cc, cd, nbrs))
	if published != want {
		t.Errorf("published: rank correlation and co-location %s, want %s (from districts.csv)", published, want)
	}
	if published == internal {
		t.Errorf("published and internal print the same %s: the test does not tell them apart", published)
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
