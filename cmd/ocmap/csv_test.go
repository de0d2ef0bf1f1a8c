//go:build duckdb_arrow

package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ocmap/ocmap/internal/csvout"
)

const (
	hyperlink = `=HYPERLINK("x")`
	dde       = `-2+3+cmd|'/C calc'!A0`
)

// checkCSV parses out and fails when a cell would be a formula in a
// spreadsheet, or when a cell of want is missing.
func checkCSV(t *testing.T, name, out string, want ...string) [][]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
	var cells []string
	for _, r := range recs {
		for _, c := range r {
			if c != "" && len(c) > 1 && strings.ContainsRune("=+-@\t\r", rune(c[0])) && !csvout.IsNumber(c) {
				t.Errorf("%s: cell %q is a formula", name, c)
			}
			cells = append(cells, c)
		}
	}
	for _, w := range want {
		if !slices.Contains(cells, w) {
			t.Errorf("%s has no cell %q:\n%s", name, w, out)
		}
	}
	return recs
}

// TestCSVFormulas gives districts, a source and place names that a
// spreadsheet would run as formulas, and checks every CSV output escapes
// them while numbers, negative ones included, stay numbers.
func TestCSVFormulas(t *testing.T) {
	dir := isolate(t)
	write := func(name, text string) string { return writeTestFile(t, dir, name, text) }
	grid := strings.Replace(gridMap(), `"ADM2_EN":"Grid 1"`, `"ADM2_EN":"=HYPERLINK(\"x\")"`, 1)
	grid = strings.Replace(grid, `"ADM2_EN":"Grid 2"`, `"ADM2_EN":"-2+3+cmd|'/C calc'!A0"`, 1)
	mapPath := write("grid.geojson", grid)
	// G1: 24 in December 2023, 12 in January 2024, and one more whose
	// name says G2 although its point is in G1 (change 13/24 - 1); one row
	// whose name is unknown.
	var rows []string
	for k := range 36 {
		month := "2024-01"
		if k >= 12 {
			month = "2023-12"
		}
		rows = append(rows, fmt.Sprintf(`D%d,drug_trafficking,heroin,%s-%02d,32.5,70.5,,"=HYPERLINK(""x"")",1,,`, k, month, 1+k%28))
	}
	// P1's point is 1 km from G2, near enough to be believed over its name.
	rows = append(rows, `P1,drug_trafficking,heroin,2024-01-20,32.5,70.99,"-2+3+cmd|'/C calc'!A0",ANF,1,,`,
		`U1,drug_trafficking,heroin,2024-01-20,,,@SUM(1+1),ANF,1,,`)
	in := write("in.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		strings.Join(rows, "\n")+"\n")
	db := filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	run := func(args ...string) string {
		t.Helper()
		code, stdout, stderr := ocmap(args...)
		if code != exitOK {
			t.Fatalf("%s: exit %d\n%s", args[0], code, stderr)
		}
		return stdout
	}
	names := []string{"'" + hyperlink, "'" + dde}

	t.Run("export districts.csv", func(t *testing.T) {
		out := filepath.Join(dir, "export")
		run("export", "--db", db, "--out", out, "--boundaries", mapPath, "--width", "400", "--internal")
		b, err := os.ReadFile(filepath.Join(out, "districts.csv"))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(b), `G1,"'=HYPERLINK(""x"")",Punjab,true,0,`; !strings.Contains(got, want) {
			t.Errorf("districts.csv lacks %s:\n%s", want, got)
		}
		checkCSV(t, "districts.csv", string(b), names...)
	})
	t.Run("heatmap", func(t *testing.T) {
		out := run("heatmap", "--db", db, "--category", "drug_trafficking", "--from", "2024-01", "--to", "2024-01",
			"--metric", "change", "--format", "csv")
		recs := checkCSV(t, "heatmap csv", out, names...)
		if got, want := recs[1][:5], []string{"G1", "'" + hyperlink, "Punjab", "-45.833333", "13"}; !slices.Equal(got, want) {
			t.Errorf("heatmap csv first row %q, want %q", got, want)
		}
	})
	t.Run("review", func(t *testing.T) {
		out := run("review", "--db", db, "--format", "csv")
		// The district pair starts with words, so needs no escape.
		checkCSV(t, "review csv", out, "'@SUM(1+1)", "point in "+hyperlink+", name "+dde, "'"+hyperlink)
	})
	t.Run("sql", func(t *testing.T) {
		out := run("sql", "--db", db, "--format", "csv", `SELECT source, -2.5 AS x, -17 AS n, '`+strings.ReplaceAll(dde, "'", "''")+`' AS dde
			FROM incidents WHERE incident_id = 'D0'`)
		if got, want := out, "source,x,n,dde\n\"'=HYPERLINK(\"\"x\"\")\",-2.5,-17,\"'"+dde+"\"\n"; got != want {
			t.Errorf("sql csv:\n%s\nwant\n%s", got, want)
		}
		checkCSV(t, "sql csv", out)
	})
	t.Run("summary", func(t *testing.T) {
		checkCSV(t, "summary csv", run("summary", "--db", db, "--format", "csv"), "'"+hyperlink)
	})
	t.Run("hotspots", func(t *testing.T) {
		checkCSV(t, "hotspots csv", run("hotspots", "--db", db, "--format", "csv"), names...)
	})
	t.Run("trends", func(t *testing.T) {
		checkCSV(t, "trends csv", run("trends", "--db", db, "--format", "csv"), names...)
	})
}
