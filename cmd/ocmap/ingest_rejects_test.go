package main

import (
	"strings"
	"testing"
)

// TestIngestRejectsListedByFile checks the terminal's list of first
// rejected rows: a population file's rejects are not incident rows, so
// they are listed under a heading of their own, and a run that rejected
// no incident row prints no incident heading at all.
func TestIngestRejectsListedByFile(t *testing.T) {
	dir := isolate(t)
	mapPath := writeTestFile(t, dir, "grid.geojson", gridMap())
	in := writeTestFile(t, dir, "in.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		"D1,drug_trafficking,heroin,2024-01-10,32.5,70.5,,ANF,1,,\n"+
		"D2,drug_trafficking,heroin,2024-02-30,32.5,70.5,,ANF,1,,\n")
	pop := writeTestFile(t, dir, "pop.csv", "district,year,population\nGrid 1,2023,100000\nAtlantis,2023,5000\n")

	code, stdout, stderr := ocmap("ingest", "-q", "--db", dir+"/a.duckdb", "--boundaries", mapPath, "--population", pop, in)
	if code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	want := "first rejected incident rows (all 1 are in the rejects table, as are the population file's 1):\n" +
		"  " + in + ":3: occurred_on: no such date: \"2024-02-30\"\n" +
		"first rejected rows of the population file:\n" +
		"  " + pop + ":3: district: "
	if !strings.Contains(stdout, want) {
		t.Errorf("ingest output lacks\n%s\n---- got:\n%s", want, stdout)
	}

	// The population file alone: its rejects, and no incident heading.
	code, stdout, stderr = ocmap("ingest", "-q", "--db", dir+"/b.duckdb", "--boundaries", mapPath, "--population", pop)
	if code != exitOK {
		t.Fatalf("ingest --population: exit %d\n%s%s", code, stdout, stderr)
	}
	if strings.Contains(stdout, "incident rows (all") {
		t.Errorf("ingest of a population file alone lists incident rows:\n%s", stdout)
	}
	if want := "first rejected rows of the population file:\n  " + pop + ":3: district: "; !strings.Contains(stdout, want) {
		t.Errorf("ingest output lacks\n%s\n---- got:\n%s", want, stdout)
	}
}

// TestIngestWithdrawFlag checks --withdraw from the command line: a file
// in another folder than the one recorded is refused; a bare name, alone,
// removes the file's rows and says how many; a file the database never
// had is refused, by name.
func TestIngestWithdrawFlag(t *testing.T) {
	dir := isolate(t)
	mapPath := writeTestFile(t, dir, "grid.geojson", gridMap())
	const head = "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"
	jan := writeTestFile(t, dir, "jan.csv", head+"D1,drug_trafficking,heroin,2024-01-10,32.5,70.5,,ANF,1,,\n"+
		"D2,drug_trafficking,heroin,2024-01-20,32.5,70.5,,ANF,2,,\n")
	feb := writeTestFile(t, dir, "feb.csv", head+"D3,drug_trafficking,heroin,2024-02-10,32.5,70.5,,ANF,1,,\n")
	db := dir + "/w.duckdb"
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, jan, feb); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	code, _, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, "--withdraw", "elsewhere/jan.csv")
	if code == exitOK || !strings.Contains(stderr, "withdrawing elsewhere/jan.csv: the database holds no rows of that file") {
		t.Errorf("withdrawing another folder's jan.csv: exit %d\n%s", code, stderr)
	}
	code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, "--withdraw", "./jan.csv")
	if code != exitOK || !strings.Contains(stdout, "withdrew "+jan+" of run 1: its 2 rows were removed") {
		t.Fatalf("ingest --withdraw: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = ocmap("sql", "--db", db, "--format", "csv", "SELECT sum(records), sum(incidents) FROM district_month")
	if code != exitOK || !strings.Contains(stdout, "\n1,1\n") {
		t.Errorf("after withdrawing jan.csv, district_month holds:\n%s\nwant feb.csv's 1 record", stdout)
	}
	code, _, stderr = ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, "--withdraw", "mar.csv")
	if code == exitOK || !strings.Contains(stderr, "withdrawing mar.csv: the database holds no rows of that file") {
		t.Errorf("withdrawing a file never ingested: exit %d\n%s", code, stderr)
	}
}
