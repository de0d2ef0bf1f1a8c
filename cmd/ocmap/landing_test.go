//go:build duckdb_arrow

package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// landingLayout reads a tracker's rows: a City naming the district, a
// Location inside it, a province, a point, and a narrative text.
const landingLayout = `name: test-landing
title: test tracker
kind: context
event_type: attack
match: [id, date, city, location, prov, lat, lon, text]
dates: {formats: [yyyy-mm-dd]}
fields:
  incident_id: {column: id}
  occurred_on: {column: date}
  district_hint: {column: city}
  place: {column: location}
  province_hint: {column: prov}
  lat: {column: lat}
  lon: {column: lon}
  narrative: {column: text}
`

// TestLayoutsCheckLanding: 'layouts check' says where the rows will land
// before the ingest, and 'review' lists the same after it.
func TestLayoutsCheckLanding(t *testing.T) {
	dir := isolate(t)
	mapPath := punjabSindh(t, dir)
	places := writeTestFile(t, dir, "PK.txt", testGeoNames)
	lay := writeTestFile(t, dir, "tracker.yaml", landingLayout)
	in := writeTestFile(t, dir, "tracker.csv", "id,date,city,location,prov,lat,lon,text\n"+strings.Join([]string{
		"V1,2023-01-01,Beta,Village One,,30.5123,70.5123,",                  // 2-4: Beta's villages at one point in Alpha
		"V2,2023-02-01,Beta,Village Two,,30.5123,70.5123,",                  //
		"V3,2023-03-01,Beta,Village Three,,30.5123,70.5123,",                //
		"K1,2023-01-01,Beta,Village K,,30.5,70.99,",                         // 5: 1 km inside Alpha: the point is kept
		"O1,2023-01-03,Beta,Village O,,30.7,70.7,",                          // 6: 33 km outside Beta: the name wins
		"P1,2023-01-05,Alpha,Village Q,Punjab,30.5,71.5,",                   // 7: a point in Sindh for a row in Punjab
		"W1,2023-01-06,Near Wana,,,,,",                                      // 8: near Wana (GeoNames)
		"F1,2023-01-07,Near Wana,,,30.5,71.5,",                              // 9: 96 km from Wana
		"T1,2023-01-08,,,,,,a bomb went off in the bazaar of Beta district", // 10: from the text
	}, "\n")+"\n")
	code, stdout, stderr := ocmap("layouts", "check", "--boundaries", mapPath, "--places", places, lay, in)
	if code != exitOK {
		t.Fatalf("layouts check: exit %d\n%s%s", code, stdout, stderr)
	}
	want := `where rows land:
  placeholder points (many places at one point): 1 points, 3 rows; e.g. tracker.csv:2, (30.5123, 70.5123): 3 rows naming 3 different places
    the ingest places the rows at a placeholder point by their names, else in the point's province
  point and name in different districts: 1 rows, the point kept; 1 rows, placed by the name
    point in  name says  point kept  by name  example
    Alpha     Beta       1           1        tracker.csv:5, (30.5000, 70.9900)
  point outside the province the row gives: 1 rows
    e.g. tracker.csv:7: the point (30.5000, 71.5000) is in Beta, Sindh, outside the province the row gives (Punjab); placed by its name "Alpha"
  place layer (PK.txt: GeoNames (geonames.org), CC BY 4.0): 1 rows placed near a named town or village, 1 rows whose point is more than 25 km from the town they name
    e.g. tracker.csv:8: near Wana, a GeoNames place at 70.5000 E 30.5000 N
    e.g. tracker.csv:9: the point is in Beta but the place Wana (GeoNames) is 96 km away in Alpha: the point is kept
  placed from narrative text: 1 rows
    e.g. tracker.csv:10: found in the text: "Beta district"
`
	if i := strings.Index(stdout, "where rows land:"); i < 0 || stdout[i:] != want {
		t.Errorf("layouts check says\n%s\nwant it to end with\n%s", stdout, want)
	}

	db := filepath.Join(dir, "t.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, "--places", places, "--layout", lay, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = ocmap("review", "--db", db)
	if code != exitOK {
		t.Fatalf("review: exit %d\n%s", code, stderr)
	}
	want = `kind                  name                          province  rows  placed in  score  example         note
point kept            point in Alpha, name Beta               1     Alpha             tracker.csv:5   the point is in Alpha but the name "Beta" is Beta: the point is kept
name over point       point in Alpha, name Beta               1     Beta              tracker.csv:6   the point is in Alpha, 33 km outside Beta that the name "Beta" gives: placed by its name, not its point
outside province      point in Beta, Sindh          Punjab    1     Alpha             tracker.csv:7   the point (30.5000, 71.5000) is in Beta, Sindh, outside the province the row gives (Punjab); placed by its name "Alpha"
place far from point  point in Beta, Wana in Alpha            1     Beta              tracker.csv:9   the point is in Beta but the place Wana (GeoNames) is 96 km away in Alpha: the point is kept
placeholder point     (30.5123, 70.5123)                      3     by name           tracker.csv:2   the point (30.5123, 70.5123) is given to 3 rows of this file naming 3 different places
near a place          Near Wana                               1     Alpha             tracker.csv:8   near Wana, a GeoNames place at 70.5000 E 30.5000 N
from text             (narrative text)                        1     Beta              tracker.csv:10  found in the text: "Beta district"
`
	if !strings.HasPrefix(stdout, want) {
		t.Errorf("review says\n%s\nwant it to start with\n%s", stdout, want)
	}
	code, stdout, _ = ocmap("review", "--db", db, "--format", "csv", "--top", "1")
	want = "kind,name,province,rows,placed_in,method,score,note,example\n" +
		`point kept,"point in Alpha, name Beta",,1,Alpha,point,1.0000,"the point is in Alpha but the name ""Beta"" is Beta: the point is kept",` + in + ":5\n"
	if code != exitOK || !strings.HasPrefix(stdout, want) {
		t.Errorf("review csv says\n%s\nwant it to start with\n%s", stdout, want)
	}
}
