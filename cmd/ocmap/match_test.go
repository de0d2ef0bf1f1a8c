//go:build duckdb_arrow

package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// realBoundaries returns $OCMAP_BOUNDARIES, skipping the test without it
// (failing under CI).
func realBoundaries(t *testing.T) string {
	t.Helper()
	p := os.Getenv("OCMAP_BOUNDARIES")
	if p == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI needs OCMAP_BOUNDARIES")
		}
		t.Skip("OCMAP_BOUNDARIES is not set")
	}
	return p
}

// TestMatchReal explains names against the COD-AB 2022 districts.
func TestMatchReal(t *testing.T) {
	bpath := realBoundaries(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"variant", []string{"D.I Khan"}, `"D.I Khan": D. I. Khan (PK509), Khyber Pakhtunkhwa; precision 3 (district), exact 1.00`},
		{"old name", []string{"Nawabshah"}, `"Nawabshah": Shaheed Benazir Abad (PK719), Sindh; precision 3 (district), alias 1.00`},
		// "Agency" is a word for the kind of unit, dropped from the key.
		{"agency", []string{"--on", "2016-01-01", "Khyber Agency"}, `"Khyber Agency": Khyber (PK513), Khyber Pakhtunkhwa; precision 3 (district), exact 1.00`},
		{"successor", []string{"--on", "2021-06-01", "Keamari"}, `"Keamari": West Karachi (PK729), Sindh; precision 3 (district), alias 1.00`},
		{"urdu", []string{"لاہور"}, `"لاہور": Lahore (PK617), Punjab; precision 3 (district), alias 1.00`},
		{"typo", []string{"Peshwar"}, `"Peshwar": Peshawar (PK528), Khyber Pakhtunkhwa; precision 3 (district), fuzzy 0.95; closest: Peshawar 0.95`},
		{"several districts", []string{"Karachi"}, `"Karachi": no district, Sindh; precision 4 (province), not one district; ` +
			`closest: Central Karachi 1.00, East Karachi 1.00, Korangi Karachi 1.00, Malir Karachi 1.00, South Karachi 1.00, West Karachi 1.00`},
		{"unknown", []string{"Atlantis"}, `"Atlantis": no district, province unknown; not located`},
		{"no place", []string{"N/A"}, `"N/A": no district, province unknown; not located, names no place: a row with it is placed by its point, else rejected`},
		{"hint ignored", []string{"--province", "Sindh", "Lahore"},
			`"Lahore": Lahore (PK617), Punjab; precision 3 (district), exact 1.00; the province hint was ignored: the name is only in Punjab`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := ocmap(append([]string{"match", "--boundaries", bpath}, tt.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			if got, want := stdout, tt.want+"\n"; got != want {
				t.Errorf("match %q says\n%s\nwant\n%s", tt.args, got, want)
			}
		})
	}
}

// TestMatchRealJSON decodes the JSON lines of several names.
func TestMatchRealJSON(t *testing.T) {
	bpath := realBoundaries(t)
	code, stdout, stderr := ocmap("match", "--boundaries", bpath, "--format", "json", "--province", "KPK", "Peshwar", "Atlantis", "Lahore")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var got []jsonMatch
	sc := bufio.NewScanner(strings.NewReader(stdout))
	for sc.Scan() {
		var m jsonMatch
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%v: %s", err, sc.Text())
		}
		got = append(got, m)
	}
	peshawar := []jsonCandidate{{Code: "PK528", Name: "Peshawar", Province: "Khyber Pakhtunkhwa", Score: 0.9464}}
	none := []jsonCandidate{}
	p3, p4 := int8(3), int8(4)
	want := []jsonMatch{
		{Input: "Peshwar", Code: "PK528", Name: "Peshawar", Province: "Khyber Pakhtunkhwa", Precision: &p3, Method: "fuzzy", Score: 0.9464, Candidates: &peshawar},
		{Input: "Atlantis", Province: "Khyber Pakhtunkhwa", Precision: &p4, Method: "province", Candidates: &none},
		{Input: "Lahore", Code: "PK617", Name: "Lahore", Province: "Punjab", Precision: &p3, Method: "exact", Score: 1, HintIgnored: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("match --format json says\n%s\nwant %+v", stdout, want)
	}
	// Keys: hint_ignored only when true, candidates when not matched or fuzzy.
	lines := strings.Split(stdout, "\n")
	// Scores have four decimals, always (not 0.9464285714285714, 1 and 0).
	for i, want := range [][]string{{`"score":0.9464,"candidates"`, `"score":0.9464}]`}, {`"score":0.0000`}, {`"score":1.0000`}} {
		for _, w := range want {
			if !strings.Contains(lines[i], w) {
				t.Errorf("line %d: %s\nwant it to contain %s", i+1, lines[i], w)
			}
		}
	}
	if !strings.Contains(lines[1], `"candidates":[]`) || strings.Contains(lines[1], "hint_ignored") ||
		strings.Contains(lines[2], "candidates") || !strings.Contains(lines[2], `"hint_ignored":true`) {
		t.Errorf("keys of the JSON lines:\n%s", stdout)
	}
}

// TestMatchTwoSquares needs no shared data: names from the arguments and
// from standard input, and the usage errors.
func TestMatchTwoSquares(t *testing.T) {
	dir := isolate(t)
	mapPath := writeMap(t, dir)

	code, stdout, stderr := ocmap("match", "--boundaries", mapPath, "Alpha", "pk002", "Betaa", "Alfa", "Atlantis")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	want := `"Alpha": Alpha (PK001), North; precision 3 (district), exact 1.00
"pk002": Beta (PK002), South; precision 3 (district), pcode 1.00
"Betaa": Beta (PK002), South; precision 3 (district), fuzzy 0.96; closest: Beta 0.96
"Alfa": no district, province unknown; not located; closest: Alpha 0.83
"Atlantis": no district, province unknown; not located
`
	if stdout != want {
		t.Errorf("match says\n%s\nwant\n%s", stdout, want)
	}

	// An alias names a province ocmap knows; the map's North is not one.
	code, _, stderr = ocmap("match", "--boundaries", mapPath, "--aliases", writeAliases(t, dir, "Alfa,Alpha,Punjab"), "Alfa")
	if want := `warning: --aliases: alias "Alfa": district "Alpha" (Punjab) is not in ` + mapPath + "; skipped\n"; code != exitOK || stderr != want {
		t.Errorf("match with an alias to a district not in the map: exit %d, stderr\n%s\nwant\n%s", code, stderr, want)
	}
	mapPath = punjabSindh(t, dir)
	aliases := writeAliases(t, dir, "Alfa,Alpha,Punjab")
	for _, args := range [][]string{{"-"}, nil} {
		old := stdin
		stdin = strings.NewReader("Alpha\n\n Beta \r\nAlfa\n")
		code, stdout, stderr = ocmap(append([]string{"match", "--boundaries", mapPath, "--aliases", aliases}, args...)...)
		stdin = old
		if code != exitOK {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		want := `"Alpha": Alpha (PK001), Punjab; precision 3 (district), exact 1.00
"Beta": Beta (PK002), Sindh; precision 3 (district), exact 1.00
"Alfa": Alpha (PK001), Punjab; precision 3 (district), alias 1.00
`
		if stdout != want {
			t.Errorf("match %q with names on stdin says\n%s\nwant\n%s", args, stdout, want)
		}
	}

	for _, tt := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"--on", "2021-13-01", "Alpha"}, exitUsage, `--on "2021-13-01": want a day as YYYY-MM-DD`},
		{[]string{"--on", "2021-06", "Alpha"}, exitUsage, `--on "2021-06": want a day as YYYY-MM-DD`},
		{[]string{"--format", "yaml", "Alpha"}, exitUsage, `unknown format "yaml" (text or json)`},
		{[]string{"--province", "Narnia", "Alpha"}, exitUsage, `--province "Narnia": unknown province`},
	} {
		code, _, stderr := ocmap(append([]string{"match", "--boundaries", mapPath}, tt.args...)...)
		if code != tt.code || !strings.Contains(stderr, tt.stderr) {
			t.Errorf("match %q: exit %d, want %d; stderr:\n%s\nwant it to contain %q", tt.args, code, tt.code, stderr, tt.stderr)
		}
	}
	// JSON scores: four decimals whatever the similarity, so that two runs
	// and two versions compare as text.
	code, stdout, stderr = ocmap("match", "--boundaries", mapPath, "--format", "json", "Betaa", "Alpha", "Atlantis")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	want = `{"input":"Betaa","district_code":"PK002","district":"Beta","province":"Sindh","precision":3,"method":"fuzzy","score":0.9600,"candidates":[{"district_code":"PK002","district":"Beta","province":"Sindh","score":0.9600}]}
{"input":"Alpha","district_code":"PK001","district":"Alpha","province":"Punjab","precision":3,"method":"exact","score":1.0000}
{"input":"Atlantis","district_code":"","district":"","province":"","precision":null,"method":"unmatched","score":0.0000,"candidates":[]}
`
	if stdout != want {
		t.Errorf("match --format json says\n%s\nwant\n%s", stdout, want)
	}
	code, _, stderr = ocmap("match", "Alpha")
	if code != exitBoundaries {
		t.Errorf("match without boundaries: exit %d, want %d\n%s", code, exitBoundaries, stderr)
	}
}

// TestReviewCommand ingests a canonical file on the hand-made map and lists
// what it did not match well.
func TestReviewCommand(t *testing.T) {
	dir := isolate(t)
	mapPath := punjabSindh(t, dir) // so that aliases may name its districts
	in := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(in, []byte("incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		"A1,drug_trafficking,heroin,2023-01-15,,,Alpha,ANF,2.5,,seized\n"+
		"A2,drug_trafficking,heroin,2023-01-16,,,Alfa,ANF,1,,seized\n"+
		"A3,drug_trafficking,heroin,2023-01-17,,,Atlantis,ANF,1,,seized\n"+
		"A4,drug_trafficking,heroin,2023-01-18,,,Betaa,ANF,1,,seized\n"+
		"A5,drug_trafficking,heroin,2023-01-19,,,Betaa,ANF,1,,seized\n"+
		"A6,drug_trafficking,heroin,2023-01-19,30.5,71.5,Alpha,ANF,1,,seized\n"+
		"A7,drug_trafficking,heroin,2023-01-19,,,Atlantis,ANF,1,,seized\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "r.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr := ocmap("review", "--db", db)
	if code != exitOK {
		t.Fatalf("review: exit %d\n%s", code, stderr)
	}
	want := `kind             name                       province  rows  placed in  score  example   note
unmatched        Atlantis                             2                       in.csv:4
unmatched        Alfa                                 1                       in.csv:3  closest: Alpha 0.83
fuzzy            Betaa                                2     Beta       0.96   in.csv:5
name over point  point in Beta, name Alpha            1     Alpha             in.csv:7  the point is in Beta, 56 km outside Alpha that the name "Alpha" gives: placed by its name, not its point

What to do: for each name that means a district, add a line to an alias file
(district and province as 'ocmap boundaries show' spells them; kind variant,
historical, successor, place or urdu), for example:
  alias,district,province,kind,valid_from,valid_to,note
  Atlantis,<district>,<province>,variant,,,
Check it with 'ocmap match --aliases FILE NAME', then ingest the same files
again with --aliases FILE: re-reading a file replaces its rows.
`
	if stdout != want {
		t.Errorf("review says\n%s\nwant\n%s", stdout, want)
	}

	// With no unmatched name, the example is a close spelling and the
	// district it went to.
	fuzzyOnly := filepath.Join(dir, "fuzzy.csv")
	if err := os.WriteFile(fuzzyOnly, []byte("incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		"B1,drug_trafficking,heroin,2023-01-15,,,Betaa,ANF,2.5,,seized\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fdb := filepath.Join(dir, "f.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", fdb, "--boundaries", mapPath, fuzzyOnly); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, _ := ocmap("review", "--db", fdb); code != exitOK || !strings.Contains(stdout, "\n  Betaa,Beta,<province>,variant,,,\n") {
		t.Errorf("review of close spellings only: exit %d, says\n%s\nwant the example Betaa,Beta,<province>,variant,,,", code, stdout)
	}

	// --top says what it leaves out, so that the counts add up.
	code, stdout, _ = ocmap("review", "--db", db, "--top", "1")
	if want := "(unmatched: the first 1 of 2 lines, 3 rows in all; --top 0 shows all)\n"; code != exitOK || !strings.Contains(stdout, want) {
		t.Errorf("review --top 1 says\n%s\nwant it to contain %q", stdout, want)
	}

	code, stdout, stderr = ocmap("review", "--db", db, "--top", "1", "--format", "csv")
	if code != exitOK {
		t.Fatalf("review --format csv: exit %d\n%s", code, stderr)
	}
	want = "kind,name,province,rows,placed_in,method,score,note,example\n" +
		"unmatched,Atlantis,,2,,,,," + in + ":4\n" +
		"fuzzy,Betaa,,2,Beta,fuzzy,0.9600,," + in + ":5\n" +
		`name over point,"point in Beta, name Alpha",,1,Alpha,exact,1.0000,"the point is in Beta, 56 km outside Alpha that the name ""Alpha"" gives: placed by its name, not its point",` + in + ":7\n"
	if stdout != want {
		t.Errorf("review --format csv says\n%s\nwant\n%s", stdout, want)
	}

	// Aliases for the names, and the same file again: nothing left to review
	// but the point.
	aliases := writeAliases(t, dir, "Alfa,Alpha,Punjab", "Atlantis,Beta,Sindh", "Betaa,Beta,Sindh")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, "--aliases", aliases, in); code != exitOK {
		t.Fatalf("ingest --aliases: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = ocmap("review", "--db", db, "--format", "csv")
	if want := "kind,name,province,rows,placed_in,method,score,note,example\n" +
		`name over point,"point in Beta, name Alpha",,1,Alpha,exact,1.0000,"the point is in Beta, 56 km outside Alpha that the name ""Alpha"" gives: placed by its name, not its point",` + in + ":7\n"; code != exitOK || stdout != want {
		t.Errorf("review after aliases: exit %d\n%s\nwant\n%s", code, stdout, want)
	}

	empty := filepath.Join(dir, "empty.duckdb")
	clean := filepath.Join(dir, "clean.csv")
	if err := os.WriteFile(clean, []byte("incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		"A1,drug_trafficking,heroin,2023-01-15,,,Alpha,ANF,2.5,,seized\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", empty, "--boundaries", mapPath, clean); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = ocmap("review", "--db", empty)
	if want := "nothing to review: every place name matched exactly or by alias\n"; code != exitOK || stdout != want {
		t.Errorf("review of a clean database: exit %d, says %q, want %q", code, stdout, want)
	}

	for _, tt := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"review"}, exitUsage, "--db is required"},
		{[]string{"review", "--db", db, "--top", "-1"}, exitUsage, "--top must be 0 or more"},
		{[]string{"review", "--db", db, "--format", "json"}, exitUsage, `unknown format "json" (text or csv)`},
		{[]string{"review", "--db", db, "extra"}, exitUsage, `unexpected argument "extra"`},
		{[]string{"review", "--db", filepath.Join(dir, "nosuch.duckdb")}, exitFailure, "no such database"},
	} {
		code, _, stderr := ocmap(tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.stderr) {
			t.Errorf("%q: exit %d, want %d; stderr:\n%s\nwant it to contain %q", tt.args, code, tt.code, stderr, tt.stderr)
		}
	}
}

// punjabSindh writes the hand-made map with Alpha in Punjab and Beta in
// Sindh, so that aliases may name them.
func punjabSindh(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "punjab sindh.geojson")
	m := strings.ReplaceAll(strings.ReplaceAll(twoSquares, `"North"`, `"Punjab"`), `"South"`, `"Sindh"`)
	if err := os.WriteFile(p, []byte(m), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeAliases writes an alias file of variants, each "alias,district,province".
func writeAliases(t *testing.T, dir string, rows ...string) string {
	t.Helper()
	p := filepath.Join(dir, "aliases.csv")
	text := "alias,district,province,kind,valid_from,valid_to,note\n"
	for _, r := range rows {
		text += r + ",variant,,,\n"
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestReviewWithheldName: a phone number typed in the district column is
// an unmatched name that review never shows: it says the name was
// withheld, and its alias example is a real name.
func TestReviewWithheldName(t *testing.T) {
	dir := isolate(t)
	mapPath := punjabSindh(t, dir)
	in := writeTestFile(t, dir, "in.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		"A1,drug_trafficking,heroin,2023-01-15,,,0300-1234567,ANF,1,,seized\n"+
		"A2,drug_trafficking,heroin,2023-01-16,,,0321 7654321,ANF,1,,seized\n"+
		"A3,drug_trafficking,heroin,2023-01-17,,,Atlantis,ANF,1,,seized\n")
	db := filepath.Join(dir, "r.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr := ocmap("review", "--db", db)
	if code != exitOK {
		t.Fatalf("review: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{
		"unmatched  (name withheld: looks like personal data)            2                       in.csv:2\n",
		"unmatched  Atlantis                                             1                       in.csv:4\n",
		"  Atlantis,<district>,<province>,variant,,,\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("review lacks %q:\n%s", want, stdout)
		}
	}
	for _, leak := range []string{"1234567", "7654321", "(no name)"} {
		if strings.Contains(stdout, leak) {
			t.Errorf("review shows %q:\n%s", leak, stdout)
		}
	}
}
