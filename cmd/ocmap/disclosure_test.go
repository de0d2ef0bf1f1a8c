//go:build duckdb_arrow

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ocmap/ocmap/pipeline/disclosure"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

// provinceGrid is an n x n grid of 1-degree districts G1..G(n*n), row by
// row from the north-west, each row of districts a province P1..Pn.
func provinceGrid(n int) string {
	var fs []string
	for i := 0; i < n*n; i++ {
		x, y := 70+i%n, 33-i/n
		fs = append(fs, fmt.Sprintf(`{"type":"Feature","properties":{"ADM2_PCODE":"G%d","ADM2_EN":"Grid %d","ADM1_EN":"P%d"},
 "geometry":{"type":"Polygon","coordinates":[[[%d,%d],[%d,%d],[%d,%d],[%d,%d],[%d,%d]]]}}`, i+1, i+1, i/n+1, x, y-1, x+1, y-1, x+1, y, x, y, x, y-1))
	}
	return `{"type":"FeatureCollection","features":[` + strings.Join(fs, ",\n") + "]}"
}

// sparseDB is a random sparse database on provinceGrid(n): per district and
// category the incidents cell draws, spread at random over the months
// 2024-01..2024-0nm. It returns the database, the map and the counts
// [district][category][month].
func sparseDB(t *testing.T, dir string, seed int64, n, nm int, cell func(rng *rand.Rand) int) (db, mapPath string, truth [][][]int64) {
	t.Helper()
	rng := rand.New(rand.NewSource(seed))
	truth = make([][][]int64, n*n)
	for g := range truth {
		truth[g] = make([][]int64, len(schemas.Categories()))
		for j := range truth[g] {
			truth[g][j] = make([]int64, nm)
			for range cell(rng) {
				truth[g][j][rng.Intn(nm)]++
			}
		}
	}
	db, mapPath = countsDB(t, dir, n, truth)
	return db, mapPath, truth
}

// countsDB ingests counts [district][category][month] on provinceGrid(n),
// months from 2024-01, an incident each on the 10th in the district's
// centre, with a census population, and returns the database and the map.
func countsDB(t *testing.T, dir string, n int, counts [][][]int64) (db, mapPath string) {
	t.Helper()
	mapPath = writeTestFile(t, dir, "grid.geojson", provinceGrid(n))
	var rows, pop []string
	id := 0
	for g, byCat := range counts {
		lon, lat := 70.5+float64(g%n), 32.5-float64(g/n)
		for j, months := range byCat {
			for m, c := range months {
				for range c {
					id++
					rows = append(rows, fmt.Sprintf("E%d,%s,x,2024-%02d-10,%.1f,%.1f,,SRC,1,,", id, schemas.Categories()[j], m+1, lat, lon))
				}
			}
		}
		pop = append(pop, fmt.Sprintf("G%d,2023,%d", g+1, 100000+37000*g))
	}
	in := writeTestFile(t, dir, "in.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		strings.Join(rows, "\n")+"\n")
	popPath := writeTestFile(t, dir, "pop.csv", "district,year,population\n"+strings.Join(pop, "\n")+"\n")
	db = filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, "--population", popPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	return db, mapPath
}

// published is what an export's files print of each district and category
// ("all" for the four together) and month: the count, or nil when
// withheld, with the other columns of districts.csv.
type published struct {
	cells  map[string]map[string]*int64            // district -> category -> count
	cols   map[string]map[string]map[string]string // district -> category -> column suffix -> text
	months map[string]map[string]map[string]*int64 // district -> category -> "2024-01" -> count
}

// readPublished reads districts.csv, districts.geojson, the report's top
// districts and district_month.parquet of the export in out, and checks
// that the files agree with each other.
func readPublished(t *testing.T, db, out string) published {
	t.Helper()
	p := published{cells: map[string]map[string]*int64{}, cols: map[string]map[string]map[string]string{},
		months: map[string]map[string]map[string]*int64{}}
	cats := append(schemas.Categories(), "all")
	// districts.csv
	recs, _ := readCSVFile(t, filepath.Join(out, "districts.csv"))
	for _, rec := range recs[1:] {
		code := rec[0]
		p.cells[code], p.cols[code] = map[string]*int64{}, map[string]map[string]string{}
		for k, h := range recs[0] {
			for _, c := range cats {
				suffix, ok := strings.CutPrefix(h, c+"_")
				if !ok {
					continue
				}
				if p.cols[code][c] == nil {
					p.cols[code][c] = map[string]string{}
				}
				p.cols[code][c][suffix] = rec[k]
				if suffix == "incidents" && rec[k] != "" {
					v, err := strconv.ParseInt(rec[k], 10, 64)
					if err != nil {
						t.Fatalf("districts.csv %s %s: %v", code, h, err)
					}
					p.cells[code][c] = &v
				}
			}
		}
	}
	// districts.geojson prints the same counts.
	b, err := os.ReadFile(filepath.Join(out, "districts.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	for _, ft := range fc.Features {
		var code string
		json.Unmarshal(ft.Properties["district_code"], &code)
		for _, c := range cats {
			var fig struct {
				Incidents *int64 `json:"incidents"`
			}
			if err := json.Unmarshal(ft.Properties[c], &fig); err != nil {
				t.Fatalf("districts.geojson %s %s: %v", code, c, err)
			}
			if got, want := fmt.Sprint(deref(fig.Incidents)), fmt.Sprint(deref(p.cells[code][c])); got != want {
				t.Errorf("districts.geojson %s %s = %s, districts.csv %s", code, c, got, want)
			}
		}
	}
	// The report's top districts print published counts only.
	html, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	byTitle := map[string]string{"Drug trafficking": "drug_trafficking", "Terror financing": "terror_financing",
		"Human trafficking and migrant smuggling": "human_trafficking", "Cybercrime": "cybercrime", "Organized crime, four categories": "all"}
	sec := regexp.MustCompile(`(?s)<section><h3>([^<]+)</h3><table>(.*?)</table>`)
	row := regexp.MustCompile(`<tr><td>Grid (\d+)</td><td class="l">[^<]*</td><td>(\d+)</td>`)
	for _, s := range sec.FindAllStringSubmatch(string(html), -1) {
		c, ok := byTitle[s[1]]
		if !ok {
			t.Fatalf("report: top districts of %q", s[1])
		}
		for _, r := range row.FindAllStringSubmatch(s[2], -1) {
			if got, want := r[2], fmt.Sprint(deref(p.cells["G"+r[1]][c])); got != want {
				t.Errorf("report: top G%s %s = %s, districts.csv %s", r[1], c, got, want)
			}
		}
	}
	// district_month.parquet
	st, err := store.OpenExport(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	q := fmt.Sprintf(`SELECT district_code, category, strftime(month, '%%Y-%%m'), incidents, suppressed FROM read_parquet('%s')`,
		filepath.Join(out, "district_month.parquet"))
	res, _, err := st.Query(context.Background(), q, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Rows {
		code, c, m := r[0].Text, r[1].Text, r[2].Text
		if p.months[code] == nil {
			p.months[code] = map[string]map[string]*int64{}
		}
		if p.months[code][c] == nil {
			p.months[code][c] = map[string]*int64{}
		}
		if got, want := r[3].Null, r[4].Text == "true"; got != want {
			t.Errorf("parquet %s %s %s: incidents null %v, suppressed %s", code, c, m, got, r[4].Text)
		}
		if r[3].Null {
			p.months[code][c][m] = nil
			continue
		}
		v, err := strconv.ParseInt(r[3].Text, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		p.months[code][c][m] = &v
	}
	return p
}

func deref(p *int64) any {
	if p == nil {
		return "withheld"
	}
	return *p
}

// attack builds the linear program of an attacker who reads the published
// files p: a figure per district and category, district total and month,
// withheld where the files leave it blank, with the sums the files imply
// (a district's categories sum to its total, a cell's months to the cell).
// Values are the true ones (truth), so that the audit can say how far each
// range reaches; published values are checked against them. Withheld
// figures are at least 1 where the files publish zeros: cells, totals, and
// the months of a published cell; the months of a withheld cell are all
// withheld, zeros too, so they are at least 0.
func attack(t *testing.T, p published, truth [][][]int64, minCell int64) *disclosure.Release {
	t.Helper()
	r := disclosure.NewRelease()
	cats := schemas.Categories()
	add := func(key string, v int64, pub *int64, floor int64) int {
		if pub != nil && *pub != v {
			t.Errorf("%s published %d, true value %d", key, *pub, v)
		}
		return r.Add(key, v, pub == nil, v > 0 && v < minCell, floor, true)
	}
	for g := range truth {
		code := fmt.Sprintf("G%d", g+1)
		var tot int64
		var parts []int
		for j, c := range cats {
			var v int64
			var months []int
			for m, x := range truth[g][j] {
				v += x
				mk := fmt.Sprintf("2024-%02d", m+1)
				pub, ok := p.months[code][c][mk]
				if !ok {
					t.Fatalf("parquet has no row %s %s %s", code, c, mk)
				}
				floor := int64(1)
				if p.cells[code][c] == nil {
					floor = 0
				}
				months = append(months, add("m:"+mk+":"+code+":"+c, x, pub, floor))
			}
			tot += v
			cell := add("c:"+code+":"+c, v, p.cells[code][c], 1)
			parts = append(parts, cell)
			r.Relate(code+":"+c+" by month", cell, months)
		}
		r.Relate(code, add("c:"+code+":all", tot, p.cells[code]["all"], 1), parts)
	}
	return r
}

// floors returns the least value of each figure of r that needs no linear
// program: its floor, or as a total the published parts plus the floors of
// the withheld ones.
func floors(r *disclosure.Release) map[int]int64 {
	// The least value of each withheld figure that needs no linear
	// program: its floor, or as a total the published parts plus the
	// floors of the withheld ones.
	figs := r.Figures()
	floor := map[int]int64{}
	for i, f := range figs {
		floor[i] = f.Floor
	}
	for _, rel := range r.Relations() {
		var s int64
		for _, q := range rel.Parts {
			if figs[q].Suppressed {
				s += figs[q].Floor
			} else {
				s += figs[q].Value
			}
		}
		floor[rel.Total] = max(floor[rel.Total], s)
	}
	return floor
}

// attackBulletin adds to r what bulletin.md prints (md): national counts by
// category of the month (2024-mm), the month before and the year before,
// and the "notable" province counts of the month and the month before, each
// the sum of its districts' months (keys of attack); provinces are the rows
// of provinceGrid(n).
func attackBulletin(t *testing.T, r *disclosure.Release, md string, truth [][][]int64, n, month int, minCell int64) {
	t.Helper()
	cats := schemas.Categories()
	byTitle := map[string]string{}
	for _, c := range cats {
		byTitle[strings.ToLower(bulletinTitle(c))] = c
	}
	// sum adds the figure "the districts' counts of category c in month m
	// (1 = 2024-01; 0 or less: 2023) sum to text" ("suppressed" withholds it).
	sum := func(key, c string, m int, districts []int, text string) {
		j := slices.Index(cats, c)
		var v int64
		var parts []int
		for _, g := range districts {
			if m >= 1 {
				v += truth[g][j][m-1]
				mk := fmt.Sprintf("m:2024-%02d:G%d:%s", m, g+1, c)
				parts = append(parts, r.Index(mk, truth[g][j][m-1]))
			}
		}
		if m < 1 {
			if text != "–" {
				t.Errorf("bulletin.md: %s = %s, want – (no data: before the data begin)", key, text)
			}
			return
		}
		withheld := text == "suppressed"
		if !withheld && text != fmt.Sprint(v) {
			t.Errorf("bulletin.md: %s = %s, true value %d", key, text, v)
		}
		f := r.Add(key, v, withheld, v > 0 && v < minCell, 1, true)
		r.Relate(key, f, parts)
	}
	all := make([]int, n*n)
	for g := range all {
		all[g] = g
	}
	national := regexp.MustCompile(`(?m)^\| ([^|]+) \| (\d+|suppressed) \| (\d+|suppressed) \| [^|]+ \| (\d+|suppressed|–) \| [^|]+ \|$`)
	rows := national.FindAllStringSubmatch(md, -1)
	if got, want := len(rows), len(cats); got != want {
		t.Fatalf("bulletin.md: %d national rows, want %d:\n%s", got, want, md)
	}
	for _, row := range rows {
		c, ok := byTitle[strings.ToLower(row[1])]
		if !ok {
			t.Fatalf("bulletin.md: category %q", row[1])
		}
		sum("nation now:"+c, c, month, all, row[2])
		sum("nation before:"+c, c, month-1, all, row[3])
		sum("nation year before:"+c, c, month-12, all, row[4])
	}
	notable := regexp.MustCompile(`(?m)^- P(\d+), ([^:]+): (\d+) against (\d+) the month before`)
	for _, row := range notable.FindAllStringSubmatch(md, -1) {
		c, ok := byTitle[row[2]]
		p, _ := strconv.Atoi(row[1])
		if !ok {
			t.Fatalf("bulletin.md: category %q", row[2])
		}
		var districts []int
		for g := (p - 1) * n; g < p*n; g++ {
			districts = append(districts, g)
		}
		sum("P"+row[1]+" now:"+c, c, month, districts, row[3])
		sum("P"+row[1]+" before:"+c, c, month-1, districts, row[4])
	}
}

// bulletinTitle is the bulletin's name of category c.
func bulletinTitle(c string) string {
	return map[string]string{"drug_trafficking": "Drug trafficking", "terror_financing": "Terror financing",
		"human_trafficking": "Human trafficking and migrant smuggling", "cybercrime": "Cybercrime"}[c]
}

// TestExportAuditRandom exports random sparse databases (seeded), and
// writes the bulletin of the last month, and audits what the files print,
// not the export's own tables: every withheld small count's range, as an
// attacker can prove it from districts.csv, districts.geojson, the report,
// district_month.parquet and bulletin.md by linear programming, reaches the
// protection level (min-cell) on both sides.
func TestExportAuditRandom(t *testing.T) {
	const minCell = 10
	for _, seed := range []int64{1, 2, 3} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			dir := isolate(t)
			// Per district and category: often nothing, often 1 to 9,
			// else 10 to 59, spread over the months at random.
			db, mapPath, truth := sparseDB(t, dir, seed, 4, 3, func(rng *rand.Rand) int {
				switch x := rng.Float64(); {
				case x < 0.3:
					return 0
				case x < 0.6:
					return 1 + rng.Intn(9)
				default:
					return 10 + rng.Intn(50)
				}
			})
			out := filepath.Join(dir, "out")
			if code, stdout, stderr := ocmap("export", "--db", db, "--out", out, "--boundaries", mapPath, "--width", "400"); code != exitOK {
				t.Fatalf("export: exit %d\n%s%s", code, stdout, stderr)
			}
			p := readPublished(t, db, out)
			r := attack(t, p, truth, minCell)
			// The bulletin of the last month, audited with the export.
			bul := filepath.Join(dir, "bulletin")
			if code, stdout, stderr := ocmap("bulletin", "--db", db, "--month", "2024-03", "--out", bul, "--boundaries", mapPath, "--width", "400"); code != exitOK {
				t.Fatalf("bulletin: exit %d\n%s%s", code, stdout, stderr)
			}
			md, err := os.ReadFile(filepath.Join(bul, "bulletin.md"))
			if err != nil {
				t.Fatal(err)
			}
			attackBulletin(t, r, string(md), truth, 4, 3, minCell)
			floor := floors(r)
			figs := r.Figures()
			primary := 0
			for _, f := range figs {
				if f.Primary {
					primary++
					if !f.Suppressed {
						t.Errorf("%s = %d is published", f.Key, f.Value)
					}
				}
			}
			if primary < 10 {
				t.Fatalf("only %d small counts: the test needs a sparser table", primary)
			}
			// A withheld count takes its rates, hot spot class and cluster
			// with it (rate x population is the count).
			for code, byCat := range p.cols {
				for c, col := range byCat {
					if p.cells[code][c] != nil {
						continue
					}
					for _, k := range []string{"rate_per_100k", "eb_rate_per_100k", "hot_spot", "cluster"} {
						if col[k] != "" {
							t.Errorf("districts.csv %s %s_%s = %q for a withheld count", code, c, k, col[k])
						}
					}
				}
			}
			for _, b := range r.Audit() {
				if b.Primary && !b.Protected(minCell, floor[b.Figure]) {
					t.Errorf("%v: narrower than %d on a side (the least it can be without an audit is %d)", b, minCell, floor[b.Figure])
				}
			}
		})
	}
}

// smallGrid is a 3 x 3 grid's counts: drug trafficking large in most
// districts, x in G2 (withheld: from 1 to 9), cybercrime 15 in G2 (which,
// with G2's total, would give x away unless withheld too) and elsewhere.
func smallGrid(x int64) [][][]int64 {
	cats := schemas.Categories()
	counts := make([][][]int64, 9)
	for g := range counts {
		counts[g] = make([][]int64, len(cats))
		for j := range counts[g] {
			counts[g][j] = make([]int64, 3)
		}
	}
	set := func(g int, cat string, months ...int64) { copy(counts[g-1][slices.Index(cats, cat)], months) }
	set(1, "drug_trafficking", 10, 12, 8)
	set(2, "drug_trafficking", x, 0, 0)
	set(3, "drug_trafficking", 9, 9, 7)
	set(4, "drug_trafficking", 14, 13, 13)
	set(5, "drug_trafficking", 4, 4, 4)
	set(7, "drug_trafficking", 6, 6, 6)
	set(8, "drug_trafficking", 7, 7, 8)
	set(9, "drug_trafficking", 11, 11, 11)
	set(1, "cybercrime", 7, 7, 6)
	set(2, "cybercrime", 5, 5, 5)
	set(5, "cybercrime", 4, 4, 3)
	set(6, "cybercrime", 9, 9, 9)
	return counts
}

// TestExportFindingEBRates reproduces finding 3 of issue 13 (published EB
// rates leak the prior mean, and with it the withheld counts) and shows it
// closed: two databases that differ only in a withheld count, 3 or 8,
// publish the same EB rates for every count both publish, and none for a
// withheld one.
func TestExportFindingEBRates(t *testing.T) {
	var pubs []published
	for _, x := range []int64{3, 8} {
		dir := isolate(t)
		db, mapPath := countsDB(t, dir, 3, smallGrid(x))
		out := filepath.Join(dir, "out")
		if code, stdout, stderr := ocmap("export", "--db", db, "--out", out, "--boundaries", mapPath, "--width", "400"); code != exitOK {
			t.Fatalf("export: exit %d\n%s%s", code, stdout, stderr)
		}
		pubs = append(pubs, readPublished(t, db, out))
	}
	if pubs[0].cells["G2"]["drug_trafficking"] != nil || pubs[1].cells["G2"]["drug_trafficking"] != nil {
		t.Fatal("G2's drug trafficking count is published")
	}
	compared := 0
	for code, byCat := range pubs[0].cols {
		for c, col := range byCat {
			a, b := pubs[0].cells[code][c], pubs[1].cells[code][c]
			if a == nil || b == nil || *a != *b {
				if a == nil && col["eb_rate_per_100k"] != "" {
					t.Errorf("%s %s: withheld, EB rate %s", code, c, col["eb_rate_per_100k"])
				}
				continue
			}
			compared++
			if got, want := pubs[1].cols[code][c]["eb_rate_per_100k"], col["eb_rate_per_100k"]; got != want {
				t.Errorf("%s %s = %d: EB rate %s with G2's drug count 8, %s with 3", code, c, *a, got, want)
			}
		}
	}
	if compared < 20 {
		t.Errorf("only %d counts published by both exports", compared)
	}
}

// TestExportFindingLegend reproduces finding 7 of issue 13 (the legend said
// "suppressed (fewer than 10)" of complementary counts such as 102) and
// shows it closed: when a count of 10 or more is withheld, the maps'
// legends, the report and the bulletin say "suppressed" and nothing of
// "fewer than".
func TestExportFindingLegend(t *testing.T) {
	dir := isolate(t)
	counts := smallGrid(3)
	db, mapPath := countsDB(t, dir, 3, counts)
	out := filepath.Join(dir, "out")
	if code, stdout, stderr := ocmap("export", "--db", db, "--out", out, "--boundaries", mapPath, "--width", "400"); code != exitOK {
		t.Fatalf("export: exit %d\n%s%s", code, stdout, stderr)
	}
	p := readPublished(t, db, out)
	var large []string
	for g, byCat := range counts {
		code := fmt.Sprintf("G%d", g+1)
		var tot int64
		for j, months := range byCat {
			var v int64
			for _, x := range months {
				v += x
			}
			tot += v
			if c := schemas.Categories()[j]; v >= 10 && p.cells[code][c] == nil {
				large = append(large, fmt.Sprintf("%s %s = %d", code, c, v))
			}
		}
		if tot >= 10 && p.cells[code]["all"] == nil {
			large = append(large, fmt.Sprintf("%s all = %d", code, tot))
		}
	}
	if len(large) == 0 {
		t.Fatal("no count of 10 or more is withheld: the test shows nothing")
	}
	bul := filepath.Join(dir, "bulletin")
	if code, stdout, stderr := ocmap("bulletin", "--db", db, "--month", "2024-03", "--out", bul, "--boundaries", mapPath, "--width", "400"); code != exitOK {
		t.Fatalf("bulletin: exit %d\n%s%s", code, stdout, stderr)
	}
	files := []string{filepath.Join(out, "report.html"), filepath.Join(bul, "bulletin.md"), filepath.Join(bul, "bulletin.html")}
	for _, c := range append(schemas.Categories(), "all") {
		files = append(files, filepath.Join(out, "map_"+c+".svg"))
	}
	legend := regexp.MustCompile(`>suppressed<`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := strings.ToLower(string(b))
		if strings.Contains(s, "fewer than") {
			t.Errorf("%s says \"fewer than\" (withheld: %s)", filepath.Base(f), strings.Join(large, ", "))
		}
		if !strings.Contains(s, "suppressed") {
			t.Errorf("%s does not say \"suppressed\"", filepath.Base(f))
		}
		// The entry is on the maps with a hatched district, and only there.
		hatched := regexp.MustCompile(`<path id="d-[^"]*" fill="url\(#hatch\)"`).Match(b)
		if strings.HasSuffix(f, ".svg") && legend.MatchString(string(b)) != hatched {
			t.Errorf("%s: legend entry \"suppressed\" %v, hatched districts %v", filepath.Base(f), legend.MatchString(string(b)), hatched)
		}
	}
}

// TestBulletinProvinceMonths shows that a bulletin registers the province
// tables of the previous month and the month a year before, and audits them
// with earlier releases: an export of January and February publishes G2's
// drug count (23) but withholds its months (20 and 3), and every other
// district's February; the March bulletin's national February count would
// then give G2's February away (60 − 12 − 20 − 25 = 3), so it is withheld.
func TestBulletinProvinceMonths(t *testing.T) {
	dir := isolate(t)
	cats := schemas.Categories()
	counts := make([][][]int64, 9)
	for g := range counts {
		counts[g] = make([][]int64, len(cats))
		for j := range counts[g] {
			counts[g][j] = make([]int64, 3)
		}
	}
	drug := slices.Index(cats, "drug_trafficking")
	counts[0][drug] = []int64{12, 12, 12} // G1, province P1
	counts[1][drug] = []int64{20, 3, 0}   // G2, P1
	counts[3][drug] = []int64{20, 20, 20} // G4, P2
	counts[6][drug] = []int64{25, 25, 25} // G7, P3
	db, mapPath := countsDB(t, dir, 3, counts)
	if code, stdout, stderr := ocmap("export", "--db", db, "--out", filepath.Join(dir, "out"), "--boundaries", mapPath, "--width", "400",
		"--to", "2024-02"); code != exitOK {
		t.Fatalf("export: exit %d\n%s%s", code, stdout, stderr)
	}
	bul := filepath.Join(dir, "bulletin")
	if code, stdout, stderr := ocmap("bulletin", "--db", db, "--month", "2024-03", "--out", bul, "--boundaries", mapPath, "--width", "400"); code != exitOK {
		t.Fatalf("bulletin: exit %d\n%s%s", code, stdout, stderr)
	}
	md, err := os.ReadFile(filepath.Join(bul, "bulletin.md"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "| Drug trafficking | 57 | suppressed | – | – | – |\n"; !strings.Contains(string(md), want) {
		t.Errorf("bulletin.md lacks %q:\n%s", want, md)
	}

	st, err := store.OpenExport(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	recs, err := st.ReleaseRecords(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(recs), 2; got != want {
		t.Fatalf("%d releases, want %d", got, want)
	}
	figs := map[string]string{}
	for _, f := range recs[1].Figures {
		figs[f.Key] = fmt.Sprintf("%d withheld=%v", f.Value, f.Withheld)
	}
	for _, tc := range []struct{ key, want string }{
		{"m:2024-03:nation:drug_trafficking", "57 withheld=false"},
		{"m:2024-02:nation:drug_trafficking", "60 withheld=true"},
		{"m:2024-03:prov=P2:drug_trafficking", "20 withheld=false"},
		{"m:2024-02:prov=P1:drug_trafficking", "15 withheld=true"},
		{"m:2024-02:G2:drug_trafficking", "3 withheld=true"},
		{"m:2023-03:nation:drug_trafficking", "0 withheld=false"},
		{"m:2023-03:prov=P3:cybercrime", "0 withheld=false"},
	} {
		if got := figs[tc.key]; got != tc.want {
			t.Errorf("bulletin registers %s = %q, want %q", tc.key, got, tc.want)
		}
	}
	// The relations: February's P1 is the sum of its districts.
	var rels []string
	for _, rel := range recs[1].Relations {
		if recs[1].Figures[rel.Total].Key != "m:2024-02:prov=P1:drug_trafficking" {
			continue
		}
		var parts []string
		for _, q := range rel.Parts {
			parts = append(parts, recs[1].Figures[q].Key)
		}
		slices.Sort(parts)
		rels = append(rels, strings.Join(parts, " + "))
	}
	if got, want := strings.Join(rels, "; "), "m:2024-02:G1:drug_trafficking + m:2024-02:G2:drug_trafficking + m:2024-02:G3:drug_trafficking"; got != want {
		t.Errorf("February P1 drug trafficking = %s, want %s", got, want)
	}
}
