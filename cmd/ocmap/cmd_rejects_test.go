//go:build duckdb_arrow

package main

import (
	"strings"
	"testing"
)

// TestRejectsCommand ingests two files with rejected rows of four kinds
// and lists them: by file and reason, most rows first, the dates as
// written counted as one reason; --top and --file (a base name) narrow
// the list; --format csv gives every row with its text, the phone number in
// it replaced; a file the database never read is refused by name; a
// replaced file's rejects are gone.
func TestRejectsCommand(t *testing.T) {
	dir := isolate(t)
	mapPath := writeTestFile(t, dir, "grid.geojson", gridMap())
	const head = "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"
	jan := writeTestFile(t, dir, "jan.csv", head+
		"D1,drug_trafficking,heroin,2024-01-10,32.5,70.5,,ANF,1,,\n"+
		"D2,drug_trafficking,heroin,31/01/2024,32.5,70.5,,ANF,1,,\n"+
		"D3,drug_trafficking,heroin,2024-02-30,32.5,70.5,,ANF,1,,\n"+
		"D4,drug_trafficking,heroin,15/01/2024,32.5,70.5,,ANF,1,,call 0300-1234567\n"+
		"D5,drug_trafficking,heroin,2024-01-12,,,Atlantis,ANF,1,,\n"+
		"D6,drug_trafficking,heroin,2024-01-13,32.5,70.5,,ANF\n"+
		"D7,drug_trafficking,heroin,0300-1234567,32.5,70.5,,ANF,1,,\n")
	feb := writeTestFile(t, dir, "feb.csv", head+
		"E1,narcotics,heroin,2024-02-10,32.5,70.5,,ANF,1,,\n")
	db := dir + "/r.duckdb"
	code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, jan, feb)
	if code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	if want := "all of them, by file and reason: ocmap rejects --db " + shellArg(db) + "\n"; !strings.Contains(stdout, want) {
		t.Errorf("ingest output lacks %q:\n%s", want, stdout)
	}
	code, stdout, stderr = ocmap("rejects", "--db", db)
	if code != exitOK {
		t.Fatalf("rejects: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{
		"7 rejected rows in 2 files\n",
		"\n" + feb + ": 1 rejected row\n",
		"\n" + jan + ": 6 rejected rows\n  rows  field          first   value                 reason\n" +
			"  3     occurred_on    line 3  \"31/01/2024\" +2 more  not a date in YYYY-MM-DD form: \"…\"\n" +
			"  1     (record)       line 7                        has 8 fields, the header has 11\n" +
			"  1     occurred_on    line 4  \"2024-02-30\"          no such date: \"…\"\n" +
			"  1     district_hint  line 6  \"Atlantis\"            unknown district name: \"…\"\n",
		"--format csv lists them",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("rejects output lacks\n%s\n---- got:\n%s", want, stdout)
		}
	}
	if strings.Index(stdout, feb) > strings.Index(stdout, jan) {
		t.Errorf("files out of order:\n%s", stdout)
	}

	code, stdout, _ = ocmap("rejects", "--db", db, "--file", "jan.csv", "--top", "1")
	if code != exitOK || strings.Contains(stdout, feb) || !strings.Contains(stdout, "6 rejected rows in 1 file\n") ||
		!strings.Contains(stdout, "  (3 more reasons, 3 rows; --top 0 shows all)\n") {
		t.Errorf("rejects --file jan.csv --top 1: exit %d\n%s", code, stdout)
	}

	code, stdout, _ = ocmap("rejects", "--db", db, "--file", "./jan.csv", "--format", "csv")
	want := "run,file,line,field,reason,raw\n" +
		"1," + jan + ",3,occurred_on,\"not a date in YYYY-MM-DD form: \"\"31/01/2024\"\"\",\"D2,drug_trafficking,heroin,31/01/2024,32.5,70.5,,ANF,1,,\"\n" +
		"1," + jan + ",4,occurred_on,\"no such date: \"\"2024-02-30\"\"\",\"D3,drug_trafficking,heroin,2024-02-30,32.5,70.5,,ANF,1,,\"\n" +
		"1," + jan + ",5,occurred_on,\"not a date in YYYY-MM-DD form: \"\"15/01/2024\"\"\",\"D4,drug_trafficking,heroin,15/01/2024,32.5,70.5,,ANF,1,,call [PHONE]\"\n" +
		"1," + jan + ",6,district_hint,\"unknown district name: \"\"Atlantis\"\"\",\"D5,drug_trafficking,heroin,2024-01-12,,,Atlantis,ANF,1,,\"\n" +
		"1," + jan + ",7,(record),\"has 8 fields, the header has 11\",\"D6,drug_trafficking,heroin,2024-01-13,32.5,70.5,,ANF\"\n" +
		"1," + jan + ",8,occurred_on,not a date in YYYY-MM-DD form: (value withheld: looks like personal data),\"D7,drug_trafficking,heroin,[PHONE],32.5,70.5,,ANF,1,,\"\n"
	if code != exitOK || stdout != want {
		t.Errorf("rejects --format csv: exit %d\n%s\nwant\n%s", code, stdout, want)
	}

	code, _, stderr = ocmap("rejects", "--db", db, "--file", "mar.csv")
	if code == exitOK || !strings.Contains(stderr, "holds no file mar.csv; its files: "+feb+", "+jan+"\n") {
		t.Errorf("rejects of a file never read: exit %d\n%s", code, stderr)
	}

	// feb.csv corrected: its rejects go with its rows.
	fixed := writeTestFile(t, dir, "feb2.csv", head+"E1,drug_trafficking,heroin,2024-02-10,32.5,70.5,,ANF,1,,\n")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, "--withdraw", "feb.csv", fixed); code != exitOK {
		t.Fatalf("ingest of the correction: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = ocmap("rejects", "--db", db, "--file", "feb.csv")
	if code == exitOK || !strings.Contains(stderr, "feb.csv: run 2 withdrew or replaced it: its rows and its rejects were removed") {
		t.Errorf("rejects of a withdrawn file: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = ocmap("rejects", "--db", db, "--file", "feb2.csv")
	if code != exitOK || stdout != "no rejected rows: every row read was used\n" {
		t.Errorf("rejects of a clean file: exit %d\n%s", code, stdout)
	}
}

func TestShellArg(t *testing.T) {
	for in, want := range map[string]string{
		"crime.duckdb":           "crime.duckdb",
		"/data/ocmap/c-1.duckdb": "/data/ocmap/c-1.duckdb",
		"my data/crime.duckdb":   "'my data/crime.duckdb'",
		"Ali's.duckdb":           `'Ali'\''s.duckdb'`,
		"":                       "''",
	} {
		if got := shellArg(in); got != want {
			t.Errorf("shellArg(%q) = %s, want %s", in, got, want)
		}
	}
}
