package read

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ocmap/ocmap/geo"
)

// TestPopulationTowns: a population table's rows are whole districts. A
// row naming a town of the alias table was summed into its district as if
// it were a part of it (a 2017 district now inside another), counting the
// town's people twice; now it is rejected, saying what the name is. A
// successor district still adds up into its reference district.
func TestPopulationTowns(t *testing.T) {
	b, err := geo.Read(strings.NewReader(`{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"ADM2_PCODE":"PK532","ADM2_EN":"Swat","ADM1_EN":"Khyber Pakhtunkhwa"},
 "geometry":{"type":"Polygon","coordinates":[[[72,35],[73,35],[73,36],[72,36],[72,35]]]}}]}`), "swat.geojson", geo.Properties{})
	if err != nil {
		t.Fatal(err)
	}
	aliases, err := geo.ReadAliases(strings.NewReader(`alias,district,province,kind,valid_from,valid_to,note
Mingora,Swat,Khyber Pakhtunkhwa,place,,,a town of Swat
Upper Swat,Swat,Khyber Pakhtunkhwa,successor,2020-01-01,,an invented district inside Swat
`))
	if err != nil {
		t.Fatal(err)
	}
	g, _, err := geo.NewGazetteer(b, aliases)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "population.csv")
	if err := os.WriteFile(path, []byte("district,province,year,population\nSwat,,2023,2000000\nMingora,,2023,330000\nUpper Swat,,2023,500000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rows, rejects, _, _, err := Population(path, g)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprintln(len(rows), rows[0].DistrictCode, rows[0].Population), "1 PK532 2500000\n"; got != want {
		t.Errorf("rows %s, want %s", got, want)
	}
	if len(rejects) != 1 || rejects[0].Line != 3 || rejects[0].Reason != `"Mingora" is a town or tehsil in Swat, not a district: a population table gives whole districts` {
		t.Errorf("rejects %+v", rejects)
	}
}
