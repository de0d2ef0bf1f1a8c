//go:build duckdb_arrow

package main

import (
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// grid5Map is 25 one-degree squares, G1 to G25 row by row from the
// north-west corner ("Grid N"), in one province.
func grid5Map() string {
	var fs []string
	for i := range 25 {
		x, y := 68+i%5, 33-i/5
		fs = append(fs, fmt.Sprintf(`{"type":"Feature","properties":{"ADM2_PCODE":"G%d","ADM2_EN":"Grid %d","ADM1_EN":"Punjab"},
 "geometry":{"type":"Polygon","coordinates":[[[%d,%d],[%d,%d],[%d,%d],[%d,%d],[%d,%d]]]}}`, i+1, i+1, x, y-1, x+1, y-1, x+1, y, x, y, x, y-1))
	}
	return `{"type":"FeatureCollection","features":[` + strings.Join(fs, ",\n") + "]}"
}

// classesCounts are drug incidents by district (G1 to G25) and month of
// 2023: 10 to 19 a month (random, seeded), so that every month is
// published, with 5 more each month in the eight neighbours of G7, which
// makes G7 a hot spot of its neighbours; G7's months are g7 (a small
// count, withheld with its months), and G25 has 12 incidents in January
// only (the smallest count, withheld with G7 so that G7's cannot be worked
// out from the province's).
func classesCounts(g7 []int) [][]int {
	rng := rand.New(rand.NewPCG(1, 1))
	out := make([][]int, 25)
	for i := range 25 {
		out[i] = make([]int, 12)
		for m := range 12 {
			n := 10 + rng.IntN(10)
			switch i {
			case 0, 1, 2, 5, 7, 10, 11, 12:
				n += 5 * m
			case 6:
				n = g7[m]
			case 24:
				n = 0
				if m == 0 {
					n = 12
				}
			}
			out[i][m] = n
		}
	}
	return out
}

// classesDB ingests counts (classesCounts) over grid5Map into dir/name.
func classesDB(t *testing.T, dir, name string, counts [][]int) (db, mapPath string) {
	t.Helper()
	mapPath = filepath.Join(dir, "grid5.geojson")
	if _, err := os.Stat(mapPath); err != nil {
		writeTestFile(t, dir, "grid5.geojson", grid5Map())
	}
	var rows []string
	id := 0
	for i, months := range counts {
		lon, lat := 68.5+float64(i%5), 32.5-float64(i/5)
		for m, n := range months {
			for range n {
				id++
				rows = append(rows, fmt.Sprintf("R%d,drug_trafficking,x,2023-%02d-10,%.1f,%.1f,,SRC,1,,", id, m+1, lat, lon))
			}
		}
	}
	in := writeTestFile(t, dir, name+".csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		strings.Join(rows, "\n")+"\n")
	db = filepath.Join(dir, name+".duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	return db, mapPath
}

// readCSVFile reads the CSV file at path, and the column of each name in
// its header.
func readCSVFile(t *testing.T, path string) (recs [][]string, col map[string]int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err = csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 {
		t.Fatalf("%s: no header", path)
	}
	col = map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	return recs, col
}

// districtClasses reads districts.csv of an export in dir: per district
// and category (drug_trafficking and all), "hot spot|cluster|status".
func districtClasses(t *testing.T, dir string) map[string]string {
	t.Helper()
	recs, col := readCSVFile(t, filepath.Join(dir, "districts.csv"))
	out := map[string]string{}
	for _, r := range recs[1:] {
		for _, cat := range []string{"drug_trafficking", "all"} {
			out[r[0]+" "+cat] = r[col[cat+"_hot_spot"]] + "|" + r[col[cat+"_cluster"]] + "|" + r[col[cat+"_status"]]
		}
	}
	return out
}

// bulletinHotSpots returns the bulletin's sentence on new and
// intensifying hot spots.
func bulletinHotSpots(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "bulletin.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`## New and intensifying hot spots\n\n([^\n]*)\n`).FindStringSubmatch(string(b))
	if m == nil {
		t.Fatalf("bulletin.md has no hot spots section:\n%s", b)
	}
	return m[1]
}

// TestExportClassesPublished is issue 13's attacker reading the classes
// of a published export: two databases differ only in G7's drug count (2
// or 8 incidents, withheld), which the classes of its neighbours depend on
// when every count is analysed (the internal exports differ). The
// published exports must give every other district the same hot spot and
// cluster classes in districts.csv and the same trends in the report, G7
// none.
func TestExportClassesPublished(t *testing.T) {
	dir := isolate(t)
	small := classesCounts([]int{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1})
	large := classesCounts([]int{0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1})
	export := func(db, mapPath, name string, extra ...string) (map[string]string, string) {
		out := filepath.Join(dir, name)
		args := append([]string{"export", "--db", db, "--out", out, "--boundaries", mapPath, "--width", "400"}, extra...)
		if code, stdout, stderr := ocmap(args...); code != exitOK {
			t.Fatalf("export %s: exit %d\n%s%s", name, code, stdout, stderr)
		}
		report, err := os.ReadFile(filepath.Join(out, "report.html"))
		if err != nil {
			t.Fatal(err)
		}
		var trends []string
		for _, title := range []string{"Drug trafficking", "Organized crime, four categories"} {
			up, down, emerging := trendRow(t, string(report), title)
			trends = append(trends, title+": "+up+" up, "+down+" down, "+emerging)
		}
		return districtClasses(t, out), strings.Join(trends, "; ")
	}
	dbS, mapPath := classesDB(t, dir, "small", small)
	dbL, _ := classesDB(t, dir, "large", large)
	pubS, trendS := export(dbS, mapPath, "small-published")
	pubL, trendL := export(dbL, mapPath, "large-published")
	intS, _ := export(dbS, mapPath, "small-internal", "--internal")
	intL, _ := export(dbL, mapPath, "large-internal", "--internal")

	for _, cat := range []string{"drug_trafficking", "all"} {
		if got, want := pubS["G7 "+cat], "||suppressed"; got != want || pubL["G7 "+cat] != want {
			t.Errorf("G7 %s: %q and %q, want %q (withheld, no class)", cat, got, pubL["G7 "+cat], want)
		}
	}
	classes, changed := 0, 0
	for k, s := range pubS {
		if strings.HasPrefix(k, "G7 ") {
			continue
		}
		if s != pubL[k] {
			t.Errorf("%s: %q with G7 at 2, %q with G7 at 8: a class tells G7's withheld count", k, s, pubL[k])
		}
		if !strings.HasPrefix(s, "||") {
			classes++
		}
		if intS[k] != intL[k] {
			changed++
		}
	}
	if classes == 0 || changed == 0 {
		t.Errorf("%d published classes, %d internal ones changed by G7's count: the test shows nothing", classes, changed)
	}
	if trendS != trendL {
		t.Errorf("report trends: %q with G7 at 2, %q with G7 at 8", trendS, trendL)
	}
	if want := "Drug trafficking: 9 up, 0 down, ; Organized crime, four categories: 9 up, 0 down, "; trendS != want {
		t.Errorf("report trends: %q, want %q", trendS, want)
	}
}

// TestBulletinHotSpotsPublished: G7 (2 incidents in the year, withheld
// with its months) is a consecutive hot spot of its neighbours, which the
// internal bulletin of December 2023 names. The published bulletin, made
// after an export of the year, names the hot spots the export's reader
// can work out from its published months, and not G7; with G7 at 8
// incidents it names the same.
func TestBulletinHotSpotsPublished(t *testing.T) {
	dir := isolate(t)
	bulletin := func(db, mapPath, name string, extra ...string) string {
		out := filepath.Join(dir, name)
		args := append([]string{"bulletin", "--db", db, "--month", "2023-12", "--out", out, "--boundaries", mapPath, "--width", "400"}, extra...)
		if code, stdout, stderr := ocmap(args...); code != exitOK {
			t.Fatalf("bulletin %s: exit %d\n%s%s", name, code, stdout, stderr)
		}
		return bulletinHotSpots(t, out)
	}
	var published []string
	for _, g7 := range [][]int{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1}, {0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1}} {
		name := fmt.Sprint("g7-", g7[4])
		db, mapPath := classesDB(t, dir, name, classesCounts(g7))
		internal := bulletin(db, mapPath, name+"-internal", "--internal")
		if !strings.Contains(internal, "Grid 7 (consecutive)") {
			t.Errorf("internal bulletin: %q, want Grid 7 named (the test needs it a hot spot)", internal)
		}
		out := filepath.Join(dir, name+"-export")
		if code, stdout, stderr := ocmap("export", "--db", db, "--out", out, "--boundaries", mapPath, "--width", "400"); code != exitOK {
			t.Fatalf("export: exit %d\n%s%s", code, stdout, stderr)
		}
		published = append(published, bulletin(db, mapPath, name+"-published"))
	}
	if got, want := published[0], "Over the 12 months to December 2023 (Gi* each month, all four categories): Grid 2 (consecutive), Grid 6 (consecutive)."; got != want {
		t.Errorf("published bulletin: %q, want %q", got, want)
	}
	if published[1] != published[0] {
		t.Errorf("published bulletins: %q with G7 at 2, %q with G7 at 8", published[0], published[1])
	}
	md, err := os.ReadFile(filepath.Join(dir, "g7-1-published", "bulletin.md"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "\nHot spots are worked out from published monthly counts only: among the districts whose counts of each of the 12 months this bulletin or an earlier release of the same data published, the others left out.\n"; !strings.Contains(string(md), want) {
		t.Errorf("published bulletin.md lacks %q", want)
	}
}
