//go:build duckdb_arrow

package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCountryLevel: rows that name only the country are kept at national
// level (precision 6), counted apart from provinces and districts, and
// summary, heatmap and match say so.
func TestCountryLevel(t *testing.T) {
	dir := isolate(t)
	mapPath := writeTestFile(t, dir, "grid.geojson", gridMap())
	in := writeTestFile(t, dir, "in.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		"A1,cybercrime,hacking,2024-01-10,,,Grid 1,FIA,,,\n"+
		"A2,cybercrime,hacking,2024-01-11,,,Pakistan,FIA,,,\n"+
		"A3,cybercrime,hacking,2024-01-12,,,nationwide,FIA,,,\n"+
		"A4,cybercrime,hacking,2024-01-13,,,Punjab,FIA,,,\n")
	db := filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr := ocmap("sql", "--db", db, "--format", "csv",
		"SELECT incident_id, coalesce(district_code, '-'), coalesce(province, '-'), location_precision, match_method FROM incidents ORDER BY 1")
	if want := "incident_id,\"COALESCE(district_code, '-')\",\"COALESCE(province, '-')\",location_precision,match_method\n" +
		"A1,G1,Punjab,3,exact\nA2,-,-,6,country\nA3,-,-,6,country\nA4,-,Punjab,4,province\n"; code != exitOK || stdout != want {
		t.Errorf("incidents: exit %d\n%s%s\nwant\n%s", code, stdout, stderr, want)
	}
	code, stdout, stderr = ocmap("sql", "--db", db, "--format", "csv",
		"SELECT coalesce(district_code, '-') d, coalesce(province, '-') p, incidents, by_name, by_province, by_country FROM district_month ORDER BY 1, 2")
	if want := "d,p,incidents,by_name,by_province,by_country\n-,-,2,0,0,2\n-,Punjab,1,0,1,0\nG1,Punjab,1,1,0,0\n"; code != exitOK || stdout != want {
		t.Errorf("district_month: exit %d\n%s%s\nwant\n%s", code, stdout, stderr, want)
	}
	code, stdout, stderr = ocmap("summary", "--db", db)
	for _, want := range []string{
		"2 incidents are placed in Pakistan only (national level, unallocated to a province)\n",
		"1 incidents in Punjab are placed in the province only (unallocated to a district)\n",
	} {
		if code != exitOK || !strings.Contains(stdout, want) {
			t.Errorf("summary: exit %d, no %q in\n%s%s", code, want, stdout, stderr)
		}
	}
	code, stdout, stderr = ocmap("summary", "--db", db, "--format", "json")
	for _, want := range []string{`"unallocated": [
    {
      "province": "Punjab",
      "incidents": 1
    }
  ],
  "country_only": 2,`} {
		if code != exitOK || !strings.Contains(stdout, want) {
			t.Errorf("summary json: exit %d, no %q in\n%s%s", code, want, stdout, stderr)
		}
	}
	code, stdout, stderr = ocmap("heatmap", "--db", db, "--boundaries", mapPath, "--format", "json")
	if want := `"country_only":2`; code != exitOK || !strings.Contains(strings.ReplaceAll(stdout, " ", ""), want) {
		t.Errorf("heatmap json: exit %d, no %q in\n%.600s%s", code, want, stdout, stderr)
	}
	code, stdout, stderr = ocmap("heatmap", "--db", db, "--boundaries", mapPath)
	if want := "2 incidents are placed in Pakistan only (national level) and are in no province's or district's figures\n"; code != exitOK || !strings.Contains(stdout, want) {
		t.Errorf("heatmap: exit %d, no %q in\n%s%s", code, want, stdout, stderr)
	}
	code, stdout, stderr = ocmap("match", "--boundaries", mapPath, "Pakistan")
	if want := "\"Pakistan\": no district, Pakistan; precision 6 (country), the country: kept at national level\n"; code != exitOK || stdout != want {
		t.Errorf("match: exit %d\n%s%s\nwant %q", code, stdout, stderr, want)
	}
}
