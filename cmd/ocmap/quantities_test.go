//go:build duckdb_arrow

package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ocmap/ocmap/pipeline/store"
)

const canonicalHeader = "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"

// gridPoint is the centre of grid district n (1 to 9) as "lat,lon".
func gridPoint(n int) string {
	return fmt.Sprintf("%.1f,%.1f", 32.5-float64((n-1)/3), 70.5+float64((n-1)%3))
}

// quantityDB ingests hand-made seizures into the grid: heroin 1, 2 and 3
// kg in G1; one large seizure of 500 kg and 1 kg in G2; 4 kg of charas
// (hashish) in G3; heroin 1, 1 and 2 kg and 0.5 kg of ice
// (methamphetamine) in G5. Terror financing: hawala_hundi twice and hundi
// once in G1, cash_courier twice in G2, npo (charity) once in G3; and two
// hacking complaints in G4. Customs reports the 500 kg seizure again.
func quantityDB(t *testing.T) (dir, db, mapPath string) {
	t.Helper()
	dir = isolate(t)
	mapPath = writeTestFile(t, dir, "grid.geojson", gridMap())
	var rows []string
	id := 0
	add := func(cat, sub string, district int, qty, amount string) {
		id++
		rows = append(rows, fmt.Sprintf("R%d,%s,%s,2024-01-%02d,%s,,ANF,%s,%s,", id, cat, sub, 1+id%28, gridPoint(district), qty, amount))
	}
	for _, s := range []struct {
		sub      string
		district int
		kg       string
	}{{"heroin", 1, "1"}, {"heroin", 1, "2"}, {"heroin", 1, "3"}, {"heroin", 2, "500"}, {"heroin", 2, "1"},
		{"charas", 3, "4"}, {"heroin", 5, "1"}, {"heroin", 5, "1"}, {"heroin", 5, "2"}, {"ice", 5, "0.5"}} {
		add("drug_trafficking", s.sub, s.district, s.kg, "")
	}
	for _, s := range []struct {
		sub      string
		district int
		pkr      string
	}{{"hawala_hundi", 1, "100000"}, {"hawala_hundi", 1, "300000"}, {"hundi", 1, "200000"},
		{"cash_courier", 2, "5000000"}, {"cash_courier", 2, "1000000"}, {"npo", 3, "50000"}} {
		add("terror_financing", s.sub, s.district, "", s.pkr)
	}
	add("cybercrime", "hacking", 4, "", "")
	add("cybercrime", "hacking", 4, "", "")
	// Customs reports the 500 kg seizure (R4, 5 January) too: one
	// incident, two records.
	rows = append(rows, "X1,drug_trafficking,heroin,2024-01-05,"+gridPoint(2)+",,Customs,500,,")
	in := writeTestFile(t, dir, "in.csv", canonicalHeader+strings.Join(rows, "\n")+"\n")
	db = filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	return dir, db, mapPath
}

// csvRows reads CSV output into maps by header, keyed by the first column.
func csvRows(t *testing.T, text string) map[string]map[string]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("csv: %v\n%s", err, text)
	}
	out := map[string]map[string]string{}
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out[r[0]] = m
	}
	return out
}

// TestQuantityOneLargeSeizure checks issue 18's item 2 on the seizures of
// quantityDB: sums, medians, the log and rank views, and that a 500 kg
// seizure is said to dominate the sum.
func TestQuantityOneLargeSeizure(t *testing.T) {
	_, db, _ := quantityDB(t)

	code, stdout, stderr := ocmap("heatmap", "--db", db, "--subcategory", "heroin", "--metric", "kg", "--format", "csv")
	if code != exitOK {
		t.Fatalf("heatmap --metric kg: exit %d\n%s", code, stderr)
	}
	rows := csvRows(t, stdout)
	for _, tc := range []struct {
		district, sum, median, max, log, rank, n string
	}{
		{"G2", "501", "250.5", "500", "2.700704", "1", "2"},
		{"G1", "6", "2", "3", "0.845098", "2", "3"},
		{"G5", "4", "1", "2", "0.69897", "3", "3"},
		{"G3", "0", "", "", "0", "4", "0"}, // the charas is hashish, not heroin
	} {
		r := rows[tc.district]
		got := []string{r["kg_sum"], r["kg_median"], r["kg_max"], r["kg_log10"], r["kg_rank"], r["kg_incidents"]}
		want := []string{tc.sum, tc.median, tc.max, tc.log, tc.rank, tc.n}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: sum|median|max|log|rank|n = %v, want %v", tc.district, got, want)
		}
	}
	if got, want := rows["G2"]["basis"], "log"; got != want {
		t.Errorf("basis %q, want %q", got, want)
	}

	// The table says the large seizure dominates: 500 of 511 kg.
	code, stdout, _ = ocmap("heatmap", "--db", db, "--subcategory", "heroin", "--metric", "kg")
	for _, want := range []string{
		"drug_trafficking (heroin)",
		"measure: kg of drugs seized, 511.00 kg in 8 incidents with one",
		"the largest single incident is 500.00 kg, 97.8% of the sum",
	} {
		if code != exitOK || !strings.Contains(stdout, want) {
			t.Errorf("heatmap table lacks %q:\n%s", want, stdout)
		}
	}
	var first []string
	for _, l := range strings.Split(stdout, "\n") {
		if f := strings.Fields(l); len(f) > 0 && f[0] == "1" {
			first = f
			break
		}
	}
	if len(first) < 7 || first[1] != "G2" || first[5] != "501.00" || first[6] != "2" {
		t.Errorf("heatmap table: first row %v, want G2 with 501.00 kg in 2 incidents", first)
	}

	// The median view puts G2 first on 250.5, and the rank view orders by
	// place.
	code, stdout, _ = ocmap("heatmap", "--db", db, "--category", "drug_trafficking", "--measure", "kg", "--metric", "median", "--format", "json")
	var hj struct {
		Measure   string `json:"measure"`
		Districts []struct {
			Code  string  `json:"district_code"`
			Value float64 `json:"value"`
		} `json:"districts"`
	}
	if code != exitOK || json.Unmarshal([]byte(stdout), &hj) != nil {
		t.Fatalf("heatmap --metric median: exit %d\n%s", code, stdout)
	}
	if got := fmt.Sprintf("%s %s=%g %s=%g %s=%g", hj.Measure, hj.Districts[0].Code, hj.Districts[0].Value, hj.Districts[1].Code,
		hj.Districts[1].Value, hj.Districts[2].Code, hj.Districts[2].Value); got != "kg G2=250.5 G3=4 G1=2" {
		t.Errorf("medians: %s", got)
	}
	code, stdout, _ = ocmap("heatmap", "--db", db, "--category", "drug_trafficking", "--metric", "rank", "--measure", "kg", "--top", "3", "--format", "csv")
	if rr := csvRows(t, stdout); code != exitOK || len(rr) != 3 || rr["G2"]["kg_rank"] != "1" || rr["G1"]["kg_rank"] != "2" || rr["G5"]["kg_rank"] != "3" {
		t.Errorf("rank view: exit %d\n%s", code, stdout)
	}

	// Hot spots on ranks; EB rates of a quantity are refused, as is a
	// median of counts.
	code, stdout, stderr = ocmap("hotspots", "--db", db, "--category", "drug_trafficking", "--measure", "kg", "--scale", "rank", "--min-incidents", "0", "--format", "json")
	var hs map[string]any
	if code != exitOK || json.Unmarshal([]byte(stdout), &hs) != nil || hs["basis"] != "rank" {
		t.Errorf("hotspots --scale rank: exit %d basis %v\n%s", code, hs["basis"], stderr)
	}
	for _, args := range [][]string{
		{"heatmap", "--db", db, "--measure", "kg", "--metric", "eb_rate"},
		{"heatmap", "--db", db, "--metric", "median"},
		{"heatmap", "--db", db, "--scale", "log"},
		{"heatmap", "--db", db, "--measure", "kg", "--scale", "sqrt"},
		{"heatmap", "--db", db, "--category", "cybercrime", "--measure", "kg"},
		{"hotspots", "--db", db, "--measure", "tonnes"},
	} {
		if code, _, stderr := ocmap(args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d\n%s", args, code, exitUsage, stderr)
		}
	}

	// amount_pkr: 9.5 lakh of hawala/hundi in G1 (100,000 + 300,000 +
	// 200,000 = 600,000), 6,000,000 of cash couriers in G2.
	code, stdout, _ = ocmap("heatmap", "--db", db, "--category", "terror_financing", "--metric", "amount_pkr", "--format", "csv")
	if rr := csvRows(t, stdout); code != exitOK || rr["G2"]["amount_pkr_sum"] != "6000000" || rr["G1"]["amount_pkr_sum"] != "600000" ||
		rr["G1"]["amount_pkr_median"] != "200000" {
		t.Errorf("amount_pkr: exit %d\n%s", code, stdout)
	}
}

// TestSubcategoryFilterAndBreakdown checks issue 18's item 1: the
// breakdown of a category by subcategory with folded spellings, the filter
// in summary, heatmap and links, and the codes listing.
func TestSubcategoryFilterAndBreakdown(t *testing.T) {
	_, db, _ := quantityDB(t)

	code, stdout, stderr := ocmap("summary", "--db", db, "--category", "terror_financing", "--format", "json")
	var sj struct {
		Incidents int64 `json:"incidents"`
		Breakdown []struct {
			Code      string   `json:"subcategory"`
			Spellings []string `json:"spellings"`
			Incidents int64    `json:"incidents"`
			Districts int64    `json:"districts"`
			PKR       *struct {
				Sum, Median, Max float64
			} `json:"amount_pkr"`
		} `json:"by_subcategory"`
	}
	if code != exitOK || json.Unmarshal([]byte(stdout), &sj) != nil {
		t.Fatalf("summary json: exit %d\n%s%s", code, stdout, stderr)
	}
	var got []string
	for _, b := range sj.Breakdown {
		got = append(got, fmt.Sprintf("%s[%s] %d in %d, PKR %g median %g", b.Code, strings.Join(b.Spellings, ","), b.Incidents, b.Districts, b.PKR.Sum, b.PKR.Median))
	}
	want := []string{
		"hawala_hundi[hawala_hundi,hundi] 3 in 1, PKR 600000 median 200000",
		"cash_courier[cash_courier] 2 in 1, PKR 6e+06 median 3e+06",
		"charity[npo] 1 in 1, PKR 50000 median 50000",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("breakdown:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// The filter: a spelling finds its code's every spelling, and implies
	// the category.
	code, stdout, _ = ocmap("summary", "--db", db, "--subcategory", "hundi", "--format", "csv")
	if rr := csvRows(t, stdout); code != exitOK || len(rr) != 1 || rr["1"]["district_code"] != "G1" || rr["1"]["incidents"] != "3" {
		t.Errorf("summary --subcategory hundi: exit %d\n%s", code, stdout)
	}
	// The district table rounds kg to the nearest: G5's 4.5 kg show as 5,
	// not 4 (they were cut).
	code, stdout, _ = ocmap("summary", "--db", db, "--category", "drug_trafficking")
	kg := ""
	for _, line := range strings.Split(stdout, "\n") {
		if f := strings.Fields(line); len(f) > 9 && f[1] == "G5" {
			kg = f[len(f)-3] // before amount PKR and by name
		}
	}
	if code != exitOK || kg != "4.5" {
		t.Errorf("summary table: G5's kg %q, want 4.5:\n%s", kg, stdout)
	}
	if want := "(11 source records: 1 is a duplicate or another source's record of the same incident, counted once)\n"; !strings.Contains(stdout, want) {
		t.Errorf("summary lacks %q:\n%s", want, stdout)
	}
	code, stdout, _ = ocmap("summary", "--db", db, "--subcategory", "hundi")
	if code != exitOK || !strings.Contains(stdout, "3 incidents, terror_financing (hawala_hundi), 2024-01 to 2024-01, in 1 district") {
		t.Errorf("summary --subcategory hundi table:\n%s", stdout)
	}
	code, stdout, _ = ocmap("heatmap", "--db", db, "--subcategory", "npo", "--subcategory", "cash_courier", "--format", "json")
	var hj struct {
		Category      string   `json:"category"`
		Subcategories []string `json:"subcategories"`
		Incidents     int64    `json:"incidents"`
	}
	if code != exitOK || json.Unmarshal([]byte(stdout), &hj) != nil ||
		fmt.Sprintf("%s %v %d", hj.Category, hj.Subcategories, hj.Incidents) != "terror_financing [charity cash_courier] 3" {
		t.Errorf("heatmap --subcategory npo,cash_courier: exit %d %+v\n%s", code, hj, stdout)
	}
	// trends and hotspots take it the same way.
	for _, cmd := range []string{"trends", "hotspots"} {
		code, stdout, stderr := ocmap(cmd, "--db", db, "--subcategory", "ice", "--format", "json")
		if code != exitOK || !strings.Contains(stdout, `"incidents": 1,`) {
			t.Errorf("%s --subcategory ice: exit %d\n%s%s", cmd, code, stdout, stderr)
		}
	}
	// links keeps the other categories whole: heroin's 8 incidents, the
	// 6 terror financing and 2 cybercrime ones.
	code, stdout, stderr = ocmap("links", "--db", db, "--subcategory", "heroin", "--format", "json")
	if code != exitOK || !strings.Contains(stdout, `"incidents": 16,`) {
		t.Errorf("links --subcategory heroin: exit %d\n%s%s", code, stdout, stderr)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"summary", "--db", db, "--subcategory", "bhang"}, `unknown subcategory "bhang"`},
		{[]string{"heatmap", "--db", db, "--subcategory", "other"}, `is a code of terror_financing and drug_trafficking and human_trafficking and cybercrime: give --category`},
		{[]string{"heatmap", "--db", db, "--category", "cybercrime", "--subcategory", "heroin"}, `unknown subcategory "heroin" of cybercrime`},
		{[]string{"heatmap", "--db", db, "--subcategory", "heroin", "--subcategory", "hundi"}, "give codes of one category"},
		{[]string{"export", "--db", db, "--out", filepath.Join(t.TempDir(), "x"), "--subcategory", "heroin"}, "add --internal"},
	} {
		if code, _, stderr := ocmap(tc.args...); code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s", tc.args, code, exitUsage, tc.want, stderr)
		}
	}

	// Cells computed from incidents with every stored subcategory kept
	// are district_month's, cell for cell.
	st, err := store.OpenReadOnly(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := st.StoredSubcategories(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	all, err1 := st.Cells(context.Background(), store.CellFilter{})
	sub, err2 := st.Cells(context.Background(), store.CellFilter{Sub: store.NewSubFilter(keys)})
	st.Close()
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if len(all) == 0 || !reflect.DeepEqual(all, sub) {
		t.Errorf("cells from incidents differ from district_month's:\n%v\n%v", sub, all)
	}

	// Every analyst command and export take the one --subcategory flag.
	for _, cmd := range []string{"summary", "heatmap", "hotspots", "trends", "links", "serve", "export"} {
		if code, stdout, _ := ocmap("help", cmd); code != exitOK || !strings.Contains(stdout, "--subcategory strings") {
			t.Errorf("%s has no --subcategory:\n%s", cmd, stdout)
		}
	}

	// codes: each code with its count and spellings.
	code, stdout, _ = ocmap("codes", "--db", db, "--format", "csv")
	cr, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if code != exitOK || err != nil {
		t.Fatalf("codes: exit %d %v\n%s", code, err, stdout)
	}
	counts := map[string]string{}
	for _, r := range cr[1:] { // category, code, field, listed, variants, stored, incidents, records
		counts[r[0]+"/"+r[1]] = r[6] + " " + r[5]
		if r[1] == "heroin" && r[7] != "9" {
			t.Errorf("heroin: %s records, want 9 (Customs' report of the 500 kg seizure is the same incident)", r[7])
		}
	}
	for k, want := range map[string]string{
		"drug_trafficking/heroin":          "8 heroin",
		"drug_trafficking/hashish":         "1 charas",
		"drug_trafficking/methamphetamine": "1 ice",
		"drug_trafficking/cocaine":         "0 ",
		"terror_financing/hawala_hundi":    "3 hawala_hundi;hundi",
		"terror_financing/charity":         "1 npo",
		"cybercrime/hacking":               "2 hacking",
	} {
		if got := counts[k]; got != want {
			t.Errorf("codes %s: %q, want %q", k, got, want)
		}
	}
}

// TestDenominator checks issue 18's item 5: rates per 100,000 of a file's
// measure, a district the file lacks has no rate (not 0, not dropped),
// province figures spread only when asked, and bad rows name file, line and
// field.
func TestDenominator(t *testing.T) {
	dir, db, mapPath := quantityDB(t)
	// Cybercrime: 2 hacking complaints in G4. Add 4 in G1 and 1 in G3.
	in := writeTestFile(t, dir, "cyber.csv", canonicalHeader+
		strings.Join([]string{
			"C1,cybercrime,financial_fraud,2024-01-03," + gridPoint(1) + ",,FIA,,,",
			"C2,cybercrime,financial_fraud,2024-01-04," + gridPoint(1) + ",,FIA,,,",
			"C3,cybercrime,financial_fraud,2024-01-05," + gridPoint(1) + ",,FIA,,,",
			"C4,cybercrime,financial_fraud,2024-01-06," + gridPoint(1) + ",,FIA,,,",
			"C5,cybercrime,financial_fraud,2024-01-07," + gridPoint(3) + ",,FIA,,,",
		}, "\n")+"\n")
	var pop []string
	for i := 1; i <= 9; i++ {
		pop = append(pop, fmt.Sprintf("Grid %d,2023,%d", i, 100000*i))
	}
	popFile := writeTestFile(t, dir, "pop.csv", "district,year,population\n"+strings.Join(pop, "\n")+"\n")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, "--population", popFile, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	// Mobile subscriptions: G1 by name, G4 by code; G3 and the rest not
	// in the file.
	den := writeTestFile(t, dir, "mobile.csv", "district,year,value,measure\nGrid 1,2023,200000,mobile_subscriptions\n"+
		"g4,2023,\"400,000\",mobile_subscriptions\n")
	code, stdout, stderr := ocmap("heatmap", "--db", db, "--category", "cybercrime", "--metric", "rate", "--denominator", den, "--format", "csv")
	if code != exitOK {
		t.Fatalf("heatmap --denominator: exit %d\n%s", code, stderr)
	}
	rows := csvRows(t, stdout)
	for d, want := range map[string]string{"G1": "4 2.000000 200000", "G4": "2 0.500000 400000", "G3": "1  ", "G2": "0  "} {
		r := rows[d]
		if got := r["incidents"] + " " + r["rate_per_100k"] + " " + r["denominator"]; got != want {
			t.Errorf("%s: incidents, rate, denominator %q, want %q", d, got, want)
		}
	}
	if len(rows) != 9 {
		t.Errorf("%d districts, want all 9 (those without a figure too)", len(rows))
	}
	code, stdout, _ = ocmap("heatmap", "--db", db, "--category", "cybercrime", "--metric", "rate", "--denominator", den)
	for _, want := range []string{
		"denominator: mobile_subscriptions from " + den + ", years [2023]",
		"rates per 100,000 mobile_subscriptions; 7 districts have no denominator figure (no rate, not 0): Grid 2, Grid 3, Grid 5",
	} {
		if code != exitOK || !strings.Contains(stdout, want) {
			t.Errorf("heatmap table lacks %q:\n%s", want, stdout)
		}
	}

	// A province figure: refused without --spread, spread by population
	// share with it (Punjab's 4,500,000 over 4,500,000 people: G1 has
	// 100,000 of them, so 100,000 subscriptions and 4 complaints give 4).
	prov := writeTestFile(t, dir, "prov.csv", "province,district,year,value,measure\nPunjab,,2023,4500000,mobile_subscriptions\n")
	code, _, stderr = ocmap("heatmap", "--db", db, "--category", "cybercrime", "--metric", "rate", "--denominator", prov)
	if code != exitFailure || !strings.Contains(stderr, prov+":2: province: a figure for all of Punjab: give --spread population") {
		t.Errorf("province figure without --spread: exit %d\n%s", code, stderr)
	}
	code, stdout, stderr = ocmap("heatmap", "--db", db, "--category", "cybercrime", "--metric", "rate", "--denominator", prov, "--spread", "population", "--format", "csv")
	if rr := csvRows(t, stdout); code != exitOK || rr["G1"]["rate_per_100k"] != "4.000000" || rr["G3"]["rate_per_100k"] != "0.333333" {
		t.Errorf("--spread population: exit %d G1 %q G3 %q\n%s", code, rr["G1"]["rate_per_100k"], rr["G3"]["rate_per_100k"], stderr)
	}

	bad := writeTestFile(t, dir, "bad.csv", "district,year,value,measure\nGrid 1,2023,200000,mobile_subscriptions\n"+
		"Grid 2,2023,many,mobile_subscriptions\nAtlantis,2023,5,mobile_subscriptions\nGrid 4,20x3,5,mobile_subscriptions\n"+
		"Grid 5,2023,5,internet_subscriptions\nGrid 1,2023,7,mobile_subscriptions\n")
	code, _, stderr = ocmap("heatmap", "--db", db, "--denominator", bad)
	for _, want := range []string{
		bad + `:3: value: not a whole number above 0: "many"`,
		bad + `:4: district: "Atlantis" is not a district of the database`,
		bad + `:5: year: not a year: "20x3"`,
		bad + `:6: measure: "internet_subscriptions", but the file's first row is "mobile_subscriptions"`,
		bad + `:7: district: Grid 1 2023 is given twice (first on line 2)`,
	} {
		if code != exitFailure || !strings.Contains(stderr, want) {
			t.Errorf("bad denominator file: exit %d, lacks %q:\n%s", code, want, stderr)
		}
	}
	if code, _, stderr := ocmap("heatmap", "--db", db, "--spread", "population"); code != exitUsage {
		t.Errorf("--spread without --denominator: exit %d\n%s", code, stderr)
	}

	// summary takes the same file: G1's 4 complaints per 200,000
	// subscriptions, G4's 2 per 400,000, none for G3; the rates per
	// 100,000 people stay beside them.
	code, stdout, stderr = ocmap("summary", "--db", db, "--category", "cybercrime", "--denominator", den, "--format", "csv")
	if code != exitOK {
		t.Fatalf("summary --denominator: exit %d\n%s", code, stderr)
	}
	rows = csvRows(t, stdout)
	var got []string
	for _, rank := range []string{"1", "2", "3"} {
		r := rows[rank]
		got = append(got, strings.Join([]string{r["district_code"], r["incidents"], r["rate_per_100k"], r["denominator_measure"],
			r["denominator"], r["denominator_year"], r["rate_per_100k_denominator"]}, " "))
	}
	want := []string{"G1 4 4.0000 mobile_subscriptions 200000 2023 2.0000", "G4 2 0.5000 mobile_subscriptions 400000 2023 0.5000",
		"G3 1 0.3333 mobile_subscriptions   "}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || len(rows) != 3 {
		t.Errorf("summary --denominator:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	code, stdout, _ = ocmap("summary", "--db", db, "--category", "cybercrime", "--denominator", den)
	for _, want := range []string{"per 100k mobile_subscriptions", "2.00", "0.50",
		"'per 100k mobile_subscriptions': incidents in the period; denominator: mobile_subscriptions from " + den +
			", years [2023] (the year nearest the period's end, the earlier of two as near); rates per 100,000 mobile_subscriptions; 1 districts have no denominator figure (no rate, not 0): Grid 3"} {
		if code != exitOK || !strings.Contains(stdout, want) {
			t.Errorf("summary --denominator table lacks %q:\n%s", want, stdout)
		}
	}
	if code, _, stderr := ocmap("summary", "--db", db, "--events", "suicide_attack", "--denominator", den); code != exitUsage ||
		!strings.Contains(stderr, "not of --events") {
		t.Errorf("summary --events --denominator: exit %d\n%s", code, stderr)
	}
}

// TestSummaryMeasure checks summary --measure on quantityDB's seizures:
// ranked by kg, G2's one large seizure (500 kg, reported twice, counted
// once, and 1 kg) comes first though G5 has the most seizures; rates are
// of the kg; victims are not drugs'.
func TestSummaryMeasure(t *testing.T) {
	dir, db, mapPath := quantityDB(t)
	var pop []string
	for i := 1; i <= 9; i++ {
		pop = append(pop, fmt.Sprintf("Grid %d,2023,%d", i, 100000*i))
	}
	popFile := writeTestFile(t, dir, "pop.csv", "district,year,population\n"+strings.Join(pop, "\n")+"\n")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, "--population", popFile); code != exitOK {
		t.Fatalf("ingest --population: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr := ocmap("summary", "--db", db, "--measure", "kg", "--format", "csv")
	if code != exitOK {
		t.Fatalf("summary --measure kg: exit %d\n%s", code, stderr)
	}
	rows := csvRows(t, stdout)
	var got []string
	for _, rank := range []string{"1", "2", "3", "4"} {
		r := rows[rank]
		got = append(got, r["district_code"]+" "+r["incidents"]+" "+r["quantity"]+" "+r["rate_per_100k"]+" "+r["terror_financing"])
	}
	want := "G2 2 501 250.5000 0|G1 3 6 6.0000 0|G5 4 4.5 0.9000 0|G3 1 4 1.3333 0"
	if strings.Join(got, "|") != want || len(rows) != 4 {
		t.Errorf("summary --measure kg: %s, want %s\n%s", strings.Join(got, "|"), want, stdout)
	}
	code, stdout, _ = ocmap("summary", "--db", db, "--measure", "kg")
	if code != exitOK || !strings.Contains(stdout, "ranked by kg of drugs seized") || !strings.Contains(stdout, "'kg per 100k': kg of drugs seized in the period per 100,000 people") {
		t.Errorf("summary --measure kg table:\n%s", stdout)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--category", "drug_trafficking", "--measure", "victims"}, "--measure victims: drug_trafficking has no victims"},
		{[]string{"--measure", "weight"}, `--measure "weight": want count, kg, amount_pkr or victims`},
	} {
		if code, _, stderr := ocmap(append([]string{"summary", "--db", db}, tc.args...)...); code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("summary %v: exit %d, want %q:\n%s", tc.args, code, tc.want, stderr)
		}
	}
}

// TestExploitationSubcategory checks that --subcategory takes a
// trafficking record's exploitation type, read from its own table: alone,
// with trafficking or smuggling (both must hold), in the summary's
// breakdown and in 'ocmap codes'. Six hand-made FIA records in the grid:
// trafficking for sexual exploitation twice in G1 and once in G2,
// trafficking for forced labour (written "bonded labour") in G2,
// smuggling for sexual exploitation in G3 and smuggling without an
// exploitation type in G3.
func TestExploitationSubcategory(t *testing.T) {
	dir := isolate(t)
	mapPath := writeTestFile(t, dir, "grid.geojson", gridMap())
	lay := writeTestFile(t, dir, "fia-tip.yaml", `name: fia-tip
title: FIA trafficking cases (test)
category: human_trafficking
match: [case, date, lat, lon, offence, purpose, victims]
dates: {formats: [yyyy-mm-dd]}
fields:
  incident_id: {column: case}
  occurred_on: {column: date}
  lat: {column: lat}
  lon: {column: lon}
  offence_type: {column: offence}
  exploitation: {column: purpose, map: {bonded labour: forced_labour}}
  victims: {column: victims}
  source: {value: FIA}
`)
	var rows []string
	for i, r := range []struct {
		district         int
		offence, purpose string
		victims          int
	}{{1, "trafficking", "sexual", 2}, {1, "trafficking", "sexual", 1}, {2, "trafficking", "sexual", 3},
		{2, "trafficking", "bonded labour", 5}, {3, "smuggling", "sexual", 1}, {3, "smuggling", "", 4}} {
		rows = append(rows, fmt.Sprintf("T%d,2024-02-%02d,%s,%s,%s,%d", i+1, 1+5*i, gridPoint(r.district), r.offence, r.purpose, r.victims))
	}
	in := writeTestFile(t, dir, "tip.csv", "case,date,lat,lon,offence,purpose,victims\n"+strings.Join(rows, "\n")+"\n")
	db := filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, "--layout", lay, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}

	for _, tc := range []struct {
		subs []string
		want string // district: incidents, by summary --format csv
	}{
		{[]string{"sexual"}, "G1:2 G2:1 G3:1"},
		{[]string{"sexual", "trafficking"}, "G1:2 G2:1"},
		{[]string{"forced_labor"}, "G2:1"}, // a spelling of forced_labour
		{[]string{"sexual", "forced_labour"}, "G1:2 G2:2 G3:1"},
		{[]string{"smuggling"}, "G3:2"},
	} {
		args := []string{"summary", "--db", db, "--format", "csv"}
		for _, s := range tc.subs {
			args = append(args, "--subcategory", s)
		}
		code, stdout, stderr := ocmap(args...)
		if code != exitOK {
			t.Fatalf("%v: exit %d\n%s", tc.subs, code, stderr)
		}
		var got []string
		for _, r := range csvRows(t, stdout) {
			got = append(got, r["district_code"]+":"+r["incidents"])
		}
		slices.Sort(got)
		if strings.Join(got, " ") != tc.want {
			t.Errorf("--subcategory %v: %v, want %s", tc.subs, got, tc.want)
		}
	}
	// The heatmap takes it the same way: victims of sexual exploitation.
	code, stdout, stderr := ocmap("heatmap", "--db", db, "--subcategory", "sexual", "--measure", "victims", "--format", "json")
	if code != exitOK || !strings.Contains(stdout, `"subcategories": [`) || !strings.Contains(stdout, `"sexual"`) {
		t.Errorf("heatmap --subcategory sexual: exit %d\n%s%s", code, stdout, stderr)
	}

	code, stdout, stderr = ocmap("summary", "--db", db, "--format", "csv", "--by", "subcategory")
	if code != exitOK {
		t.Fatalf("summary --by subcategory: exit %d\n%s", code, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs[1:] { // category, subcategory, field, spellings, incidents, records, districts, ..., victims_sum
		got = append(got, fmt.Sprintf("%s/%s: %s in %s, victims %s", r[2], r[1], r[4], r[6], r[16]))
	}
	want := []string{
		"/trafficking: 4 in 2, victims 11",
		"/smuggling: 2 in 1, victims 5",
		"exploitation/sexual: 4 in 3, victims 7",
		"exploitation/: 1 in 1, victims 4",
		"exploitation/forced_labour: 1 in 1, victims 5",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("breakdown:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	code, stdout, _ = ocmap("codes", "--db", db, "--category", "human_trafficking", "--format", "csv")
	cr := map[string]string{}
	recs, err = csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs[1:] { // category, code, field, listed, variants, stored, incidents, records
		cr[r[1]] = r[2] + " " + r[6] + " " + r[4]
	}
	if code != exitOK || cr["sexual"] != "exploitation 4 commercial_sexual_exploitation;forced_prostitution" ||
		cr["forced_labour"] != "exploitation 1 bonded_labor;bonded_labour;forced_labor;labour_exploitation" || cr["trafficking"][:3] != " 4 " {
		t.Errorf("codes: exit %d %v\n%s", code, cr, stdout)
	}
}
