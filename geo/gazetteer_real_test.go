package geo

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"golang.org/x/text/encoding/charmap"
)

// aliasTablePath is the table package data embeds; geo cannot import data.
const aliasTablePath = "../data/gazetteer/aliases.csv"

func readAliasTable(tb testing.TB) []Alias {
	tb.Helper()
	f, err := os.Open(aliasTablePath)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	aliases, err := ReadAliases(f)
	if err != nil {
		tb.Fatal(err)
	}
	return aliases
}

// sharedDataDir is OCMAP_SHARED_DATA; tests skip without it except in CI.
func sharedDataDir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("OCMAP_SHARED_DATA")
	if dir == "" {
		if os.Getenv("CI") != "" {
			tb.Fatal("OCMAP_SHARED_DATA is not set; integration tests must run in CI")
		}
		tb.Skip("OCMAP_SHARED_DATA is not set")
	}
	return dir
}

func realGazetteer(tb testing.TB) (*Gazetteer, []string) {
	tb.Helper()
	b, err := Load(boundariesPath(tb), Properties{})
	if err != nil {
		tb.Fatal(err)
	}
	g, warnings, err := NewGazetteer(b, readAliasTable(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return g, warnings
}

// TestAliasTableResolves checks that every alias of the shipped table
// points to a district of the COD-AB file, the table's reference.
func TestAliasTableResolves(t *testing.T) {
	g, warnings := realGazetteer(t)
	kinds := map[string]int{}
	for _, a := range readAliasTable(t) {
		kinds[a.Kind]++
	}
	t.Logf("aliases by kind: %v", kinds)
	for _, w := range warnings {
		if strings.Contains(w, "the district wins") {
			t.Logf("warning: %s", w) // a successor that the file already has (Chaman)
			continue
		}
		t.Errorf("warning: %s", w)
	}
	// Every district has an Urdu name.
	hasUrdu := make([]bool, len(g.b.Districts))
	for _, a := range readAliasTable(t) {
		if a.Kind != KindUrdu {
			continue
		}
		if m := g.Match(a.Alias, a.Province, time.Time{}); m.District >= 0 {
			hasUrdu[m.District] = true
		}
	}
	for i, ok := range hasUrdu {
		if !ok {
			t.Errorf("district %s (%s) has no Urdu alias", g.b.Districts[i].Name, g.b.Districts[i].Code)
		}
	}
}

// TestAliasTableGeoBoundaries builds the gazetteer over the geoBoundaries
// file, whose names differ from COD-AB's: the table must still serve.
func TestAliasTableGeoBoundaries(t *testing.T) {
	path := filepath.Join(sharedDataDir(t), "boundaries", "geoBoundaries-PAK-ADM2.geojson")
	b, err := Load(path, Properties{})
	if err != nil {
		t.Fatal(err)
	}
	aliases := readAliasTable(t)
	g, warnings, err := NewGazetteer(b, aliases)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("geoBoundaries: %d districts, %d of %d aliases skipped", len(b.Districts), len(warnings), len(aliases))
	for _, tc := range []struct{ name, province, want string }{
		{"D.I. Khan", "KPK", "Dera Ismail Khan"},
		{"Leiah", "Punjab", "Layyah"},
		{"Kambar Shahdad Kot", "Sindh", "Qambar Shahdadkot"},
		{"Shaheed Benazir Abad", "Sindh", "Nawabshah"},
		{"Mingora", "", "Swat"},
		{"Turbat", "", "Kech"},
	} {
		m := g.Match(tc.name, tc.province, time.Time{})
		got := ""
		if m.District >= 0 {
			got = b.Districts[m.District].Name
		}
		if got != tc.want {
			t.Errorf("Match(%q, %q) = %q (%+v), want %q", tc.name, tc.province, got, m, tc.want)
		}
	}
}

type attackRow struct {
	line                     int
	city, province, location string
	on                       time.Time
	p                        orb.Point
	hasPoint                 bool
}

func readAttacks(t *testing.T) []attackRow {
	t.Helper()
	path := filepath.Join(sharedDataDir(t), "incidents", "PakistanSuicideAttacks Ver 11 (30-November-2017).csv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr := csv.NewReader(charmap.Windows1252.NewDecoder().Reader(f))
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[strings.TrimSpace(h)] = i
	}
	for _, c := range []string{"City", "Province", "Latitude", "Longitude", "Date", "Location"} {
		if _, ok := col[c]; !ok {
			t.Fatalf("%s: no column %q", path, c)
		}
	}
	var rows []attackRow
	for i, r := range recs[1:] {
		row := attackRow{line: i + 2, city: r[col["City"]], province: r[col["Province"]], location: r[col["Location"]],
			on: attackDate(r[col["Date"]])}
		lat, err1 := strconv.ParseFloat(strings.TrimSpace(r[col["Latitude"]]), 64)
		lon, err2 := strconv.ParseFloat(strings.TrimSpace(r[col["Longitude"]]), 64)
		row.p = orb.Point{lon, lat}
		row.hasPoint = err1 == nil && err2 == nil && lat != 0 && lon != 0
		rows = append(rows, row)
	}
	return rows
}

// attackDate parses "Sunday-November 19-1995" and "Thursday-Oct-22-2015";
// zero when it cannot.
func attackDate(s string) time.Time {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == ' ' })
	if len(f) != 4 || len(f[1]) < 3 {
		return time.Time{}
	}
	day, err1 := strconv.Atoi(f[2])
	year, err2 := strconv.Atoi(f[3])
	if err1 != nil || err2 != nil {
		return time.Time{}
	}
	for m := time.January; m <= time.December; m++ {
		if strings.EqualFold(m.String()[:3], f[1][:3]) {
			return time.Date(year, m, day, 0, 0, 0, 0, time.UTC)
		}
	}
	return time.Time{}
}

// adjudicated settles each row whose City and point give different
// districts by the row's own Location text: the place it names (which must
// appear in it) and the district that place is in. Lines are records of the
// file, the header being line 1.
var adjudicated = map[int]struct{ place, district string }{
	34:  {"tank", "Tank"},
	55:  {"parachinar", "Kurram"},
	81:  {"noshera", "Nowshera"},
	88:  {"ghalanai", "Mohmand"},
	96:  {"parachinar", "Kurram"},
	98:  {"mingora", "Swat"},
	128: {"orakzai", "Orakzai"},
	130: {"mohmad agency", "Mohmand"},
	144: {"orakzai", "Orakzai"},
	149: {"mingora", "Swat"},
	151: {"mingora", "Swat"},
	180: {"nowshera", "Nowshera"},
	181: {"battagram", "Battagram"},
	267: {"mohmand", "Mohmand"},
	270: {"nowshera", "Nowshera"},
	286: {"mohmad agency", "Mohmand"},
	299: {"prang ghar", "Mohmand"},
	318: {"nowshehra", "Nowshera"},
	325: {"pandyali", "Mohmand"},
	333: {"nowshera", "Nowshera"},
	343: {"parachinar", "Kurram"},
	357: {"parachinar", "Kurram"},
	362: {"haleemzai", "Mohmand"},
	398: {"parachinar", "Kurram"},
	444: {"kurram", "Kurram"},
	485: {"mastung", "Mastung"},
	487: {"parachinar", "Kurram"},
	493: {"jhal magsi", "Jhal Magsi"},
}

// TestGazetteerAgreesWithPoints matches the City of every suicide attack
// and compares the district with the one its coordinates fall in. It
// reports three figures:
//
//   - agreement: the name's district is the point's, over every row that
//     has both;
//   - the same, leaving out rows at placeholder points, which the pipeline
//     places by name (one point given to rows whose names lie in two or
//     more districts, see placeholder.Replace);
//   - the name's district is right: it agrees with the point, or, where the
//     two differ, with the place the row's Location text names.
func TestGazetteerAgreesWithPoints(t *testing.T) {
	g, _ := realGazetteer(t)
	rows := readAttacks(t)
	ix := NewIndex(g.b.Polygons)
	var noPoint, undated, fuzzyWrong int
	methods := map[string]int{}
	unmatched := map[string]int{}
	type both struct {
		r        attackRow
		name, at int
		method   string
	}
	var rowsBoth []both
	named := map[orb.Point]map[int]bool{} // point: the districts its rows' names give
	for _, r := range rows {
		if r.on.IsZero() {
			undated++
		}
		m := g.Match(r.city, r.province, r.on)
		methods[m.Method]++
		if m.District < 0 {
			unmatched[fmt.Sprintf("%q/%s -> %s (%d candidates)", strings.TrimSpace(r.city), r.province, m.Province, len(m.Candidates))]++
			// Only a name that denotes several districts (Karachi) may
			// stay unmatched: every other spelling is in the table.
			if len(m.Candidates) < 2 || m.Candidates[1].Score != 1 {
				t.Errorf("line %d: %q (%s) is not matched: %+v", r.line, r.city, r.province, m)
			}
			continue
		}
		at := -1
		if r.hasPoint {
			at = ix.Locate(r.p)
		}
		if at < 0 {
			noPoint++
			continue
		}
		rowsBoth = append(rowsBoth, both{r: r, name: m.District, at: at, method: m.Method})
		if named[r.p] == nil {
			named[r.p] = map[int]bool{}
		}
		named[r.p][m.District] = true
	}
	var um []string
	for k, c := range unmatched {
		um = append(um, fmt.Sprintf("%s x%d", k, c))
	}
	sort.Strings(um)
	t.Logf("rows %d (undated %d); methods %v; no usable point %d", len(rows), undated, methods, noPoint)
	t.Logf("unmatched to a district: %s", strings.Join(um, "; "))

	var n, agree, nReal, agreeReal, nameRight int
	seen := map[int]bool{}
	for _, b := range rowsBoth {
		placeholder := len(named[b.r.p]) >= 2
		n++
		if !placeholder {
			nReal++
		}
		if b.name == b.at {
			agree++
			nameRight++
			if !placeholder {
				agreeReal++
			}
			continue
		}
		if b.method == MethodFuzzy {
			fuzzyWrong++
		}
		name, at := g.b.Districts[b.name].Name, g.b.Districts[b.at].Name
		km := planar.DistanceFrom(g.b.Polygons[b.name], b.r.p) * 111
		what := fmt.Sprintf("line %d: %q (%s) -> %s [%s], point (%.4f, %.4f) in %s, %.0f km away",
			b.r.line, strings.TrimSpace(b.r.city), b.r.province, name, b.method, b.r.p[0], b.r.p[1], at, km)
		if placeholder {
			what += "; a placeholder point"
		}
		adj, ok := adjudicated[b.r.line]
		if !ok {
			t.Errorf("disagree, not adjudicated: %s", what)
			continue
		}
		seen[b.r.line] = true
		loc := strings.ToLower(strings.Join(strings.Fields(b.r.location), " "))
		if !strings.Contains(loc, adj.place) {
			t.Errorf("line %d: the Location %q does not name %q", b.r.line, b.r.location, adj.place)
			continue
		}
		m := g.Match(adj.district, "", time.Time{})
		if m.District < 0 {
			t.Fatalf("adjudicated district %q is not a district", adj.district)
		}
		verdict := "neither is right"
		switch m.District {
		case b.name:
			verdict, nameRight = "the name is right", nameRight+1
		case b.at:
			verdict = "the point is right"
		}
		t.Logf("disagree: %s; Location names %q, in %s: %s", what, adj.place, adj.district, verdict)
	}
	for line := range adjudicated {
		if !seen[line] {
			t.Errorf("line %d is adjudicated but does not disagree", line)
		}
	}
	pct := func(a, n int) float64 { return 100 * float64(a) / math.Max(1, float64(n)) }
	t.Logf("name and point both give a district: N = %d; agree A = %d (%.2f%%); wrong fuzzy matches %d", n, agree, pct(agree, n), fuzzyWrong)
	t.Logf("without rows at placeholder points: N = %d; agree A = %d (%.2f%%)", nReal, agreeReal, pct(agreeReal, nReal))
	t.Logf("the name's district is right (agrees with the point, or with the Location where they differ): %d of %d (%.2f%%)",
		nameRight, n, pct(nameRight, n))
	// The goal was 98% agreement, but the file caps it: 19 rows carry a
	// point that no matching can agree with (14 tribal-agency rows at one
	// North Waziristan point, 5 "Nowshehra" rows at a point 94 km away in
	// Abbottabad), so a perfect matcher would stop at 444 of 463 (95.9%).
	// Where the name and the point differ, the Location text sides with
	// the name on 24 of 28 rows; the other 4 are City errors of the file.
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"rows with both", n, 463}, {"agree", agree, 435},
		{"rows with both, no placeholder", nReal, 374}, {"agree, no placeholder", agreeReal, 363},
		{"name right", nameRight, 459}, {"wrong fuzzy matches", fuzzyWrong, 0},
	} {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.what, c.got, c.want)
		}
	}
}

// TestFuzzyAblation matches the suicide-attack cities with the district
// names alone, no aliases, so that every spelling the table would catch
// goes to the fuzzy matcher: it shows what the threshold and margin accept.
func TestFuzzyAblation(t *testing.T) {
	b, err := Load(boundariesPath(t), Properties{})
	if err != nil {
		t.Fatal(err)
	}
	g, _, err := NewGazetteer(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	ix := NewIndex(b.Polygons)
	type seen struct{ city, province string }
	done := map[seen]bool{}
	var accepted, wrong int
	for _, r := range readAttacks(t) {
		s := seen{strings.ToLower(strings.TrimSpace(r.city)), r.province}
		m := g.Match(r.city, r.province, r.on)
		if m.Method != MethodFuzzy && m.Method != "" || done[s] {
			continue
		}
		done[s] = true
		at := -1
		if r.hasPoint {
			at = ix.Locate(r.p)
		}
		var cands []string
		for _, c := range m.Candidates {
			cands = append(cands, fmt.Sprintf("%s %.3f", c.Name, c.Score))
		}
		point := "-"
		if at >= 0 {
			point = b.Districts[at].Name
		}
		if m.Method == MethodFuzzy {
			accepted++
			if at >= 0 && at != m.District {
				wrong++
			}
		}
		t.Logf("%-28q %-12s -> %-7s %d point %s; %s", s.city, s.province, m.Method, m.District, point, strings.Join(cands, ", "))
	}
	t.Logf("fuzzy accepted %d distinct city spellings, %d disagree with their point", accepted, wrong)
}

// BenchmarkGazetteerReal matches over COD-AB and the shipped table; "fuzzy
// uncached" is the cost of a first sight of a misspelling.
func BenchmarkGazetteerReal(b *testing.B) {
	g, _ := realGazetteer(b)
	for _, bc := range []struct{ name, input, hint string }{
		{"pcode", "PK528", ""},
		{"exact", "Peshawar", "KPK"},
		{"alias", "D.I Khan", "KPK"},
		{"urdu", "ڈيره اسماعيل خان", ""},
		{"fuzzy cached", "Muzafargarhh", "Punjab"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				g.Match(bc.input, bc.hint, time.Time{})
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "names/s")
		})
	}
	for _, hint := range []string{"", Punjab} {
		b.Run("fuzzy uncached hint="+hint, func(b *testing.B) {
			for b.Loop() {
				g.score("muzafargarhh", hint, time.Time{})
			}
		})
	}
}

// TestGazetteerStrangerNames matches names a reviewer wrote without
// reading the alias table, on the COD-AB file and the shipped table, each
// with the district known independently (DOMAIN.md, the towns' GeoNames
// points put in districts by a separate point-in-polygon): spellings and
// abbreviations, old names, towns, a province written after the name,
// names of several districts (the province, never a guess), and towns of
// GeoNames that the table does not list, whose close spellings of other
// towns' or districts' names used to place them in the wrong district.
func TestGazetteerStrangerNames(t *testing.T) {
	g, _ := realGazetteer(t)
	on := time.Date(2023, 5, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, hint string
		want       string // district code; "P:<province>" kept in a province; "" no district and no province
	}{
		{"DIK", "", "PK509"}, {"D.I.K", "", "PK509"}, {"D I Khan", "", "PK509"}, {"DIKhan", "", "PK509"},
		{"Muzaffar Garh", "", "PK623"}, {"Muzzafargarh", "", "PK623"}, {"SBA", "", "PK719"}, {"Nawab Shah", "", "PK719"},
		{"Kech (Turbat)", "", "PK211"}, {"Fort Sandeman", "", "PK231"}, {"Jhang Maghiana", "", "PK612"},
		{"Jauharabad", "", "PK616"}, {"Tando Adam", "", "PK718"}, {"Moro", "", "PK717"}, {"Sost", "", "PK306"},
		{"Kingri", "Balochistan", "PK221"}, {"Kingri", "Sindh", "PK711"}, {"Kingri", "", ""},
		{"Multan Punjab", "", "PK622"}, {"Quetta Balochistan", "", "PK226"}, {"Peshawar KPK", "", "PK528"},
		{"PS Civil Lines Lahore", "", "PK617"}, {"Khyber Bazaar Peshawar", "", "PK528"}, {"Kohat Road Peshawar", "", "PK528"},
		{"Orangi Town Karachi", "", "PK729"}, {"Gulshan-e-Iqbal Karachi", "", "PK704"}, {"Clifton Karachi", "", "PK721"},
		{"F-6/3 Islamabad", "", "PK401"}, {"Tehsil Kharian District Gujrat", "", "PK610"}, {"Lahore لاہور", "", "PK617"},
		{"Nowshera Virkan", "", "PK609"}, {"Chenab Nagar", "", ""}, {"Lahore Multan", "", ""},
		{"Malakand Division", "", "P:Khyber Pakhtunkhwa"}, {"Dera Ghazi Khan Division", "", "P:Punjab"}, {"Mardan Division", "", "P:Khyber Pakhtunkhwa"},
		{"Dir", "", "P:Khyber Pakhtunkhwa"}, {"Chitral", "", "P:Khyber Pakhtunkhwa"}, {"Karachi", "", "P:Sindh"},
		// GeoNames towns the table does not list: no district rather than a wrong one.
		{"Dinga", "", ""}, {"Shahpur", "", ""}, {"Shahkot", "", ""}, {"Alipur", "", ""}, {"Amirabad", "", ""},
		{"Khadro", "", ""}, {"Thul", "", ""}, {"Thal", "", ""}, {"Digri", "", ""}, {"Bhopalwala", "", ""},
		{"Mananwala", "", ""}, {"Akora", "", ""}, {"Bhag", "", ""},
		// An izafat ("-e-") joins one name: Bagh-e-Jinnah is a park in
		// Lahore, not Bagh; Gulistan-e-Jauhar a quarter of Karachi, not
		// Gulistan of Killa Abdullah.
		{"Bagh-e-Jinnah Lahore", "Punjab", "PK617"}, {"Bagh-e-Jinnah", "", ""}, {"Gulistan-e-Jauhar", "Sindh", "P:Sindh"},
		{"Bab-ul-Islam", "Sindh", "P:Sindh"},
		// A close spelling is a slip within words, not another word:
		// Mirpur Sakro (Thatta) and Mirpur Bathoro (Sujawal) are not
		// Mirpur Khas.
		{"Mirpur Sakro", "Sindh", "P:Sindh"}, {"Mirpur Bathoro", "Sindh", "P:Sindh"}, {"Mirpur Sakro", "", ""},
		// A town the table knows in another province than the row states
		// is a town of the same name, not a wrong province column (as a
		// district's name may be: "D.G Khan" with KPK): Bara of Punjab is
		// not Bara of Khyber.
		{"Bara", "Punjab", "P:Punjab"}, {"Gulistan", "Sindh", "P:Sindh"}, {"Kotri", "Punjab", "P:Punjab"},
		{"Bara", "", "PK513"}, {"Bara", "KPK", "PK513"}, {"D.G Khan", "KPK", "PK607"},
	} {
		m := g.Match(tc.name, tc.hint, on)
		got := ""
		switch {
		case m.District >= 0:
			got = g.b.Districts[m.District].Code
		case m.Province != "":
			got = "P:" + m.Province
		}
		if got != tc.want {
			t.Errorf("Match(%q, %q) = %q by %s (%.3f), want %q", tc.name, tc.hint, got, m.Method, m.Score, tc.want)
		}
	}
}

// TestGazetteerSuffixes: a district name with a geographic word after it.
// The unit words (District, Agency, Tehsil, City, Cantt, Cantonment) were
// already folded; "Valley" is taken off only after names and aliases, so
// that a valley that is a district of its own (Jhelum Valley), an alias
// (Neelum Valley, Tirah Valley) or several districts (Peshawar Valley) keeps
// its meaning. The names in the second list must match as they did before.
func TestGazetteerSuffixes(t *testing.T) {
	g, _ := realGazetteer(t)
	on := time.Date(2023, 5, 1, 0, 0, 0, 0, time.UTC)
	const kp, gb = "P:Khyber Pakhtunkhwa", "P:Gilgit Baltistan"
	check := func(t *testing.T, name, want string) {
		t.Helper()
		m := g.Match(name, "", on)
		got := ""
		switch {
		case m.District >= 0:
			got = g.b.Districts[m.District].Code
		case m.Province != "":
			got = "P:" + m.Province
		}
		if got != want {
			t.Errorf("Match(%q) = %q by %s, want %q", name, got, m.Method, want)
		}
	}
	t.Run("valleys", func(t *testing.T) {
		for _, tc := range []struct{ name, want string }{
			{"Swat Valley", "PK532"}, {"swat valley", "PK532"}, {"SWAT VALLEY", "PK532"}, {"Swat valley, KPK", "PK532"},
			{"وادی سوات", "PK532"}, {"سوات ویلی", "PK532"}, {"Kalam Valley", "PK532"},
			{"Kurram Valley", "PK518"}, {"Quetta Valley", "PK226"}, {"Shigar Valley", "PK310"}, {"Gilgit Valley", "PK305"},
			{"Skardu Valley", "PK307"}, {"Pishin Valley", "PK225"}, {"Kech Valley", "PK211"}, {"Mastung Valley", "PK220"},
			{"Zhob Valley", "PK231"},
			// Valleys of several districts: their province, never one of them.
			{"Peshawar Valley", kp}, {"Vale of Peshawar", kp}, {"Hunza Valley", gb}, {"Chitral Valley", kp}, {"Dir Valley", kp},
		} {
			check(t, tc.name, tc.want)
		}
	})
	t.Run("sub-divisions", func(t *testing.T) {
		// A sub-division is a tehsil of its district, not a division: each
		// of these matched nothing, or a division, before.
		for _, tc := range []struct{ name, want string }{
			{"Gujrat Sub-Division", "PK610"}, {"Kharian Sub-Division", "PK610"}, {"Kharian Subdivision", "PK610"},
			{"Sub Division Kharian", "PK610"}, {"Kharian Sub Div", "PK610"}, {"Taxila Sub-Div", "PK630"},
			{"Swat Sub Division", "PK532"}, {"گجرات سب ڈویژن", "PK610"}, {"لاہور سب ڈویژن", "PK617"},
			{"Gujrat Division", "P:Punjab"}, {"ڈویژن لاہور", "P:Punjab"}, {"Subdivision", ""},
		} {
			check(t, tc.name, tc.want)
		}
	})
	t.Run("Urdu unit words", func(t *testing.T) {
		// Cantonment, city and town in Urdu, as in English: "لاہور کینٹ"
		// was not matched while "Lahore Cantt" was.
		for _, tc := range []struct{ name, want string }{
			{"لاہور کینٹ", "PK617"}, {"لاہور چھاؤنی", "PK617"}, {"راولپنڈی کینٹ", "PK630"}, {"حیدرآباد سٹی", "PK706"},
			{"کراچی سٹی", "P:Sindh"}, {"پشاور ٹاؤن", "PK528"},
		} {
			check(t, tc.name, tc.want)
		}
	})
	t.Run("unchanged", func(t *testing.T) {
		for _, tc := range []struct{ name, want string }{
			{"Hyderabad City", "PK706"}, {"Karachi City", "P:Sindh"}, {"Lahore Cantt", "PK617"}, {"Lahore Cantonment", "PK617"},
			{"Rawalpindi Cantt", "PK630"}, {"Wah Cantt", "PK630"}, {"Peshawar City", "PK528"}, {"Quetta City", "PK226"},
			{"Jhelum Valley", "PK103"}, {"Jhelum", "PK613"}, {"Neelum Valley", "PK108"}, {"Tirah Valley", "PK513"},
			{"Kurram Agency", "PK518"}, {"Malakand Agency", "PK521"}, {"Orakzai Agency", "PK527"}, {"Mardan Tehsil", "PK523"},
			{"Swat District", "PK532"}, {"Quetta Cantt", "PK226"}, {"Lahore Division", "P:Punjab"}, {"Malakand Division", kp},
			{"Mirpur Khas", "PK716"}, {"Nowshera Virkan", "PK609"}, {"Kohat Road Peshawar", "PK528"},
			{"جہلم ویلی", "PK103"}, {"حیدرآباد شہر", "PK706"}, {"کراچی", "P:Sindh"}, {"لاہور ڈویژن", "P:Punjab"},
			// Not districts: no district rather than a wrong one ("Kashmir"
			// is a province's name, not a district's; "Region" and "Area"
			// are not taken off).
			{"Kashmir Valley", ""}, {"Indus Valley", ""}, {"Kaghan Valley", ""}, {"Soan Valley", ""},
			{"Swat Region", ""}, {"Swat Area", ""}, {"Chenab Nagar", ""}, {"Valley", ""},
		} {
			check(t, tc.name, tc.want)
		}
	})
}

// TestUrduTownsPrecision: a town written in Urdu is the same town as in
// English, placed at the same precision (2, near it). The Urdu names of
// towns were of kind urdu, which gave the district's precision 3 while
// their English names gave 2.
func TestUrduTownsPrecision(t *testing.T) {
	g, _ := realGazetteer(t)
	on := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, pair := range [][2]string{
		{"Mingora", "مینگورہ"}, {"Parachinar", "پاراچنار"}, {"Turbat", "تربت"}, {"Wana", "وانا"}, {"Landi Kotal", "لنڈی کوتل"},
		{"Miranshah", "میران شاہ"}, {"Rawalakot", "راولاکوٹ"}, {"Dera Murad Jamali", "ڈیرہ مراد جمالی"}, {"Taftan", "تفتان"},
		{"Darra Adam Khel", "درہ آدم خیل"}, {"Wagah", "واہگہ"}, {"Fateh Jang", "فتح جنگ"}, {"Sehwan", "سیہون"},
		{"Taunsa", "تونسہ"}, {"Hub", "حب"},
		// Districts, old district names and successors: precision 3 in
		// both scripts.
		{"Swat", "سوات"}, {"Nawabshah", "نواب شاہ"}, {"D.I. Khan", "ڈی آئی خان"},
	} {
		en, ur := g.Match(pair[0], "", on), g.Match(pair[1], "", on)
		if en.District < 0 || ur.District != en.District || ur.Precision != en.Precision {
			t.Errorf("%s: district %d precision %d; %s: district %d precision %d; want the same", pair[0], en.District, en.Precision, pair[1], ur.District, ur.Precision)
		}
	}
	if m := g.Match("مینگورہ", "", on); m.Precision != PrecisionNear {
		t.Errorf("مینگورہ: precision %d, want %d", m.Precision, PrecisionNear)
	}
}

// TestCompoundCarvedOut: a compound name whose parts are a district and
// the district it was carved out of ("Chaman, Killa Abdullah", the new
// district with the one sources still write) is the carved-out district,
// as the locator reads a row with those two names (CarvedFrom), not a
// contradiction to keep in the province. Two districts neither carved out
// of the other ("Chaman, Quetta") stay a conflict.
func TestCompoundCarvedOut(t *testing.T) {
	g, _ := realGazetteer(t)
	for _, tt := range []struct {
		name, district string // "" for no district
	}{
		{"Chaman, Killa Abdullah", "Chaman"},
		{"Qila Abdullah - Chaman", "Chaman"},
		{"Duki, Loralai", "Duki"},
		{"Surab, Kalat", "Shaheed Sikandarabad"},
		{"چمن، قلعہ عبداللہ", "Chaman"},
		{"Chaman, Quetta", ""},
		{"Gulistan, Chaman", ""}, // a town of Killa Abdullah
		{"Duki, Killa Abdullah", ""},
		{"Chaman, Duki, Loralai", ""},
	} {
		m := g.Match(tt.name, "", time.Time{})
		got := ""
		if m.District >= 0 {
			got = g.b.Districts[m.District].Name
		}
		if got != tt.district || m.Conflict != (tt.district == "") || m.Province != "Balochistan" {
			t.Errorf("%q: got %q in %q (conflict %v), want %q", tt.name, got, m.Province, m.Conflict, tt.district)
		}
	}
}
