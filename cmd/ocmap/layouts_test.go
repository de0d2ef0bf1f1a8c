//go:build duckdb_arrow

package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLayoutsList(t *testing.T) {
	code, stdout, stderr := ocmap("layouts")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"canonical", "pbc-suicide-attacks    context", "pbc-political-attacks  context"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("layouts says\n%s\nwant it to contain %q", stdout, want)
		}
	}
	code, _, stderr = ocmap("layouts", "check", "pbc-suicide-attacks")
	if got, want := code, exitUsage; got != want || !strings.Contains(stderr, "needs a layout and one input file") {
		t.Errorf("layouts check without input: exit %d, want %d\n%s", got, want, stderr)
	}
}

// TestLayoutsFieldsShow checks the two commands a researcher writing a
// layout starts from.
func TestLayoutsFieldsShow(t *testing.T) {
	code, stdout, stderr := ocmap("layouts", "fields")
	if code != exitOK {
		t.Fatalf("layouts fields: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"incidents layouts:", "context layouts:", "drug_trafficking\n",
		"  substance       drug seized; one of: heroin, opium, hashish, methamphetamine, cocaine, precursors, other\n",
		"  victims_minor   victims under 18; a whole number\n"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("layouts fields says\n%s\nwant it to contain %q", stdout, want)
		}
	}
	code, stdout, stderr = ocmap("layouts", "show", "anf-seizures")
	if code != exitOK || !strings.HasPrefix(stdout, "# An invented Anti-Narcotics Force") || !strings.Contains(stdout, "\nname: anf-seizures\n") {
		t.Errorf("layouts show anf-seizures: exit %d\n%s%s", code, stdout, stderr)
	}
	code, _, stderr = ocmap("layouts", "show", "nope")
	if code != exitUsage || !strings.Contains(stderr, `unknown layout "nope"`) {
		t.Errorf("layouts show nope: exit %d, want %d\n%s", code, exitUsage, stderr)
	}
}

// TestLayoutAuto checks that --layout auto picks a builtin layout by header
// and says so, and still takes canonical files (silently, as they always
// were); without --layout, auto is what ingest does.
func TestLayoutAuto(t *testing.T) {
	dir := isolate(t)
	mapPath := writeMap(t, dir)
	canonical := filepath.Join(dir, "canonical.csv")
	if err := os.WriteFile(canonical, []byte("incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		"A1,drug_trafficking,heroin,2023-01-15,30.5,70.5,,ANF,2.5,,seized\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	attacks := filepath.Join(dir, "attacks.csv")
	if err := os.WriteFile(attacks, []byte("S#,Politician,Day,Date,City,Location,Location Category,Province,Latitude,Longititude,"+
		"Target Category,Party,Target Status,Killed,Injured\r\n"+
		"1,X Y,Tuesday,16-Oct-51,Alpha,Company Bagh,Park,Punjab,30.5,70.5,Target,P,Killed,1,1\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "auto.duckdb")
	code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, "--layout", "auto", canonical)
	if code != exitOK || strings.Contains(stderr, "layout:") || !strings.Contains(stdout, "accepted 1,") {
		t.Errorf("auto on a canonical file: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, "--layout", "auto", attacks)
	if code != exitOK || !strings.Contains(stderr, "layout: pbc-political-attacks") || !strings.Contains(stdout, "accepted 1,") {
		t.Errorf("auto on an attacks file: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, attacks)
	if code != exitOK || !strings.Contains(stderr, "layout: pbc-political-attacks") || !strings.Contains(stdout, "accepted 1,") {
		t.Errorf("no --layout on an attacks file: exit %d\n%s%s", code, stdout, stderr)
	}
	code, _, stderr = ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, "--layout", "auto", canonical, attacks)
	if code != exitFailure || !strings.Contains(stderr, "separate runs") {
		t.Errorf("auto on mixed files: exit %d\n%s", code, stderr)
	}
}

// TestLayoutAutoEmpty: an empty file, plain or gzipped, is called empty by
// --layout auto, not sent to write a layout for it.
func TestLayoutAutoEmpty(t *testing.T) {
	dir := isolate(t)
	mapPath := writeMap(t, dir)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Close()
	for name, content := range map[string][]byte{"empty.csv": nil, "blank.csv": []byte("\r\n\r\n"), "empty.csv.gz": gz.Bytes()} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := ocmap("ingest", "-q", "--db", filepath.Join(dir, "e.duckdb"), "--boundaries", mapPath, path)
		if code != exitFailure || !strings.Contains(stderr, name+": the file is empty") || strings.Contains(stderr, "layouts show") {
			t.Errorf("%s: exit %d\n%s", name, code, stderr)
		}
	}
}

// TestLayoutAutoNoHeaderRow: a file of data rows with no header row is not
// called empty by --layout auto: the message says that its lines hold data,
// shows the header to add, withholds the data and leaves no database.
func TestLayoutAutoNoHeaderRow(t *testing.T) {
	dir := isolate(t)
	mapPath := writeMap(t, dir)
	path := filepath.Join(dir, "rows.csv")
	rows := "A1,drug_trafficking,heroin,2024-01-01,31.5,74.3,Lahore,informant 0321-7654321,1,,35202-1234567-1\n" +
		"A2,drug_trafficking,heroin,2024-01-02,31.5,74.3,Lahore,ANF,1,,x\n"
	if err := os.WriteFile(path, []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "n.duckdb")
	code, _, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, path)
	if code != exitFailure {
		t.Errorf("exit %d, want %d\n%s", code, exitFailure, stderr)
	}
	for _, want := range []string{path + ": read: no header: its first lines (up to 10) name no columns: they hold data",
		"give the file a header row naming its columns, the canonical ones (incident_id,category,subcategory,occurred_on,"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	for _, bad := range []string{"empty", "0321", "35202", "Lahore"} {
		if strings.Contains(stderr, bad) {
			t.Errorf("stderr says %q:\n%s", bad, stderr)
		}
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("the database was left behind: %v", err)
	}
}

// TestLayoutAutoJSONCanonicalNames: a JSON array or JSON Lines file whose
// keys are the canonical columns is not handed to the canonical reader, which
// reads CSV and said "the line has none of the canonical columns" (or "line
// longer than 1048576 bytes"): auto names the closest layout and how to
// write one.
func TestLayoutAutoJSONCanonicalNames(t *testing.T) {
	dir := isolate(t)
	mapPath := writeMap(t, dir)
	rec := `{"incident_id":"J1","category":"drug_trafficking","subcategory":"heroin","occurred_on":"2024-01-01","lat":31.55,"lon":74.34,"district_hint":"Lahore","source":"ANF","quantity":1,"amount_pkr":null,"description":"x"}`
	for name, content := range map[string]string{"a.json": "[" + rec + "," + rec + "]", "a.jsonl": rec + "\n" + rec + "\n"} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := ocmap("ingest", "-q", "--db", filepath.Join(dir, "j.duckdb"), "--boundaries", mapPath, path)
		if code != exitFailure || !strings.Contains(stderr, "--layout auto: "+path+": layout: no layout matches the header") ||
			!strings.Contains(stderr, "ocmap layouts show ") || strings.Contains(stderr, "canonical columns") {
			t.Errorf("%s: exit %d\n%s", name, code, stderr)
		}
	}
}

// TestLayoutsCheckReal dry-runs the builtin layouts on the real files.
func TestLayoutsCheckReal(t *testing.T) {
	shared, bpath := os.Getenv("OCMAP_SHARED_DATA"), os.Getenv("OCMAP_BOUNDARIES")
	if shared == "" || bpath == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI needs OCMAP_SHARED_DATA and OCMAP_BOUNDARIES")
		}
		t.Skip("OCMAP_SHARED_DATA or OCMAP_BOUNDARIES is not set")
	}
	tests := []struct {
		layout, file, counts string
	}{
		{"pbc-suicide-attacks", "PakistanSuicideAttacks Ver 11 (30-November-2017).csv", "rows read 496 = accepted "},
		{"pbc-political-attacks", "Attacks_on_Political_Leaders_in_Pakistan.csv", "rows read 51 = accepted "},
	}
	for _, tt := range tests {
		t.Run(tt.layout, func(t *testing.T) {
			code, stdout, stderr := ocmap("layouts", "check", "--boundaries", bpath, tt.layout, filepath.Join(shared, "incidents", tt.file))
			if code != exitOK {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			for _, want := range []string{"first 5 normalized rows:", "  row 5\n", "district_code", tt.counts} {
				if !strings.Contains(stdout, want) {
					t.Errorf("layouts check says\n%s\nwant it to contain %q", stdout, want)
				}
			}
			if strings.Contains(stdout, "warning") {
				t.Errorf("unexpected warning:\n%s", stdout)
			}
		})
	}
}

// TestLayoutColumnDidYouMean checks issue 16's item 9: a layout, builtin or
// a user's file, that reads a column the header lacks fails in ingest and
// in 'layouts check' with the file, the layout, the column and the closest
// header names, and never a cell of the data rows.
func TestLayoutColumnDidYouMean(t *testing.T) {
	dir := isolate(t)
	mapPath := writeMap(t, dir)
	// The political attacks file with the longitude column spelt right: the
	// builtin layout reads "Longititude".
	attacks := filepath.Join(dir, "attacks.csv")
	if err := os.WriteFile(attacks, []byte("S#,Politician,Day,Date,City,Location,Location Category,Province,Latitude,Longitude,"+
		"Target Category,Party,Target Status,Killed,Injured\r\n"+
		"1,Zafar Iqbal,Tuesday,16-Oct-51,Alpha,Company Bagh,Park,Punjab,30.5,70.5,Target,P,Killed,1,1\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(dir, "mine.yaml")
	if err := os.WriteFile(mine, []byte(`name: mine
kind: incidents
match: [incident_id, category]
dates: {formats: [yyyy-mm-dd]}
fields:
  incident_id: {column: incident_id}
  category: {column: category}
  occurred_on: {column: event_date}
  lat: {column: lat}
  lon: {column: lon}
  source: {value: test}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	mineCSV := filepath.Join(dir, "mine.csv")
	if err := os.WriteFile(mineCSV, []byte("incident_id,category,Event Date,lat,lon\nA1,drug_trafficking,2023-01-15,30.5,70.5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"ingest, builtin", []string{"ingest", "-q", "--db", filepath.Join(dir, "a.duckdb"), "--boundaries", mapPath, "--layout", "pbc-political-attacks", attacks},
			attacks + `: normalize: a column of the layout is not in the header: layout pbc-political-attacks reads column "Longititude" (did you mean "Longitude"?); the header is [`},
		{"check, builtin", []string{"layouts", "check", "--boundaries", mapPath, "pbc-political-attacks", attacks},
			`layout pbc-political-attacks reads column "Longititude" (did you mean "Longitude"?)`},
		{"ingest, a user's layout", []string{"ingest", "-q", "--db", filepath.Join(dir, "b.duckdb"), "--boundaries", mapPath, "--layout", mine, mineCSV},
			mineCSV + `: normalize: a column of the layout is not in the header: layout mine reads column "event_date" (did you mean "Event Date"?)`},
		{"check, a user's layout", []string{"layouts", "check", "--boundaries", mapPath, mine, mineCSV},
			mineCSV + `: normalize: a column of the layout is not in the header: layout mine reads column "event_date" (did you mean "Event Date"?)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := ocmap(tt.args...)
			if code == exitOK || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr\n%s\nwant it to contain\n%s", code, stderr, tt.want)
			}
			if strings.Contains(stdout+stderr, "Zafar") || strings.Contains(stdout+stderr, "Company Bagh") {
				t.Errorf("a data cell is printed:\n%s%s", stdout, stderr)
			}
		})
	}
}

// TestHelpLayouts checks issue 16's item 9: 'help layouts' documents the
// date-format tokens, the coord: values, the agency: key and that
// footer_rows works for CSV.
func TestHelpLayouts(t *testing.T) {
	isolate(t)
	code, stdout, stderr := ocmap("help", "layouts")
	if code != exitOK {
		t.Fatalf("help layouts: exit %d\n%s", code, stderr)
	}
	help := strings.Join(strings.Fields(stdout+stderr), " ")
	for _, want := range []string{
		"agency: names the agency that keeps the files",
		"footer_rows: N drops the last N rows (totals, notes), in CSV as in XLSX",
		"Tokens (any case): d and m take 1 or 2 digits, dd and mm exactly 2, yy 2 digits (years below pivot are 20yy, the others 19yy) and yyyy 4",
		"mmm and mmmm an English month name",
		"excel an Excel serial day number",
		"coord: decimal (degrees), dms",
		"or auto (the default: either)",
	} {
		if !strings.Contains(help, want) {
			t.Errorf("help layouts lacks %q", want)
		}
	}
}

// TestLayoutFileMistake checks what a researcher editing a layout file
// sees on a mistake in it (README, "Bring your own data", step 4): the
// file, line, field and what is wanted, as a failed command (exit 1), not
// buried under the command's usage text as a wrong call would be.
func TestLayoutFileMistake(t *testing.T) {
	dir := isolate(t)
	mapPath := writeMap(t, dir)
	text, err := os.ReadFile(filepath.Join("..", "..", "data", "layouts", "anf-seizures.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(text), "unit: g") {
		t.Fatal("anf-seizures.yaml no longer has unit: g; choose another mistake")
	}
	bad := writeTestFile(t, dir, "my-layout.yaml", strings.Replace(string(text), "unit: g", "unit: grams", 1))
	in := writeTestFile(t, dir, "in.csv", "a,b\n1,2\n")
	for _, args := range [][]string{
		{"layouts", "check", "--boundaries", mapPath, bad, in},
		{"ingest", "--db", filepath.Join(dir, "x.duckdb"), "--boundaries", mapPath, "--layout", bad, in},
	} {
		code, _, stderr := ocmap(args...)
		if code != exitFailure || !strings.Contains(stderr, `my-layout.yaml:`) || !strings.Contains(stderr, `fields.quantity.unit: "grams": want one of mg, g, kg, ton`) ||
			strings.Contains(stderr, "Usage:") {
			t.Errorf("%s with a wrong unit: exit %d, want %d, the line and no usage text\n%s", args[0], code, exitFailure, stderr)
		}
	}
}

// TestFooterShown: a file read through a layout with footer_rows but
// exported without its totals row loses its last row to the footer; ingest
// and 'layouts check' name that line.
func TestFooterShown(t *testing.T) {
	dir := isolate(t)
	mapPath := writeMap(t, dir)
	t.Setenv("OCMAP_HASH_KEY", "sixteen bytes or more of key")
	in := writeTestFile(t, dir, "fmu.csv", "FMU extract (invented)\r\n"+
		"STR Ref,Report Date,Transaction Date,Reporting Entity,Branch,District,Account Holder,Account Holder CNIC,Account Holder Phone,Channel,Proscribed Organisation,Amount (PKR m),Narrative\r\n"+
		"STR-1,14-Mar-2023,02/03/2023,Bank,Branch,Alpha,,,,Hundi,,1.5,x\r\n"+
		"STR-2,15-Mar-2023,03/03/2023,Bank,Branch,Alpha,,,,Hundi,,2.5,y\r\n")
	want := "left out as the layout's footer (footer_rows: 1, a totals or notes row): line 4;"
	code, stdout, stderr := ocmap("ingest", "-q", "--db", filepath.Join(dir, "f.duckdb"), "--boundaries", mapPath, in)
	if code != exitOK || !strings.Contains(stdout, "read 1, accepted 1, rejected 0") || !strings.Contains(stdout, want) {
		t.Errorf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = ocmap("layouts", "check", "--boundaries", mapPath, "fmu-extract", in)
	if code != exitOK || !strings.Contains(stdout, want) {
		t.Errorf("layouts check: exit %d\n%s%s", code, stdout, stderr)
	}
}
