//go:build duckdb_arrow

package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ocmap/ocmap/geo"
)

// testGeoNames is a GeoNames dump of two towns of the two-squares map:
// Wana in Alpha (70.5 E) and Mir Ali in Beta (71.5 E), and a hill.
var testGeoNames = strings.Join([]string{
	"1\tWana\tWana\tWano\t30.5\t70.5\tP\tPPL\tPK\t\t03\t\t\t\t20000\t\t500\tAsia/Karachi\t2020-01-01",
	"2\tMir Ali\tMir Ali\tMirali\t30.5\t71.5\tP\tPPL\tPK\t\t03\t\t\t\t5000\t\t500\tAsia/Karachi\t2020-01-01",
	"3\tWana Sar\tWana Sar\t\t30.4\t70.4\tT\tHLL\tPK\t\t03\t\t\t\t0\t\t900\tAsia/Karachi\t2020-01-01",
}, "\n") + "\n"

func TestPlacesCommand(t *testing.T) {
	dir := isolate(t)
	mapPath := punjabSindh(t, dir)
	src := writeTestFile(t, dir, "PK.txt", testGeoNames)

	code, stdout, _ := ocmap("places")
	if want := "no place layer"; code != exitOK || !strings.HasPrefix(stdout, want) {
		t.Errorf("places before fetch: exit %d\n%s\nwant %q", code, stdout, want)
	}
	code, _, stderr := ocmap("places", "fetch")
	if want := "install it with:\n  ocmap places fetch --from PK.zip"; code == exitOK || !strings.Contains(stderr, want) {
		t.Errorf("places fetch without a pinned download: exit %d\n%s\nwant %q", code, stderr, want)
	}

	bad := writeTestFile(t, dir, "bad.txt", "1\tWana\n")
	code, _, stderr = ocmap("places", "fetch", "--from", bad)
	if want := "bad.txt:1: 2 tab-separated columns, want the 19 of a GeoNames dump"; code == exitOK || !strings.Contains(stderr, want) {
		t.Errorf("places fetch --from a bad file: exit %d\n%s\nwant %q", code, stderr, want)
	}

	code, stdout, stderr = ocmap("places", "fetch", "--from", src)
	sum := sha256.Sum256([]byte(testGeoNames))
	sha := hex.EncodeToString(sum[:])
	installed := filepath.Join(dir, "cache", "places", "PK.txt")
	if want := fmt.Sprintf("installed unverified: %s is not one of the pinned files (sha256 %s)\ninstalled %s; ingest, match and layouts check now use it by default\n", src, sha, installed); code != exitOK || stdout != want {
		t.Errorf("places fetch --from: exit %d\n%s%s\nwant\n%s", code, stdout, stderr, want)
	}
	// A pinned hash makes the same file verified.
	defer func(saved []geo.RemoteFile) { geo.PlaceFiles = saved }(geo.PlaceFiles)
	geo.PlaceFiles = append(geo.PlaceFiles, geo.RemoteFile{Name: "PK.txt", SHA256: sha})
	code, stdout, _ = ocmap("places", "fetch", "--from", src)
	if want := "verified: " + src + " is a pinned GeoNames file"; code != exitOK || !strings.HasPrefix(stdout, want) {
		t.Errorf("places fetch --from a pinned file: exit %d\n%s\nwant %q", code, stdout, want)
	}

	code, stdout, stderr = ocmap("places", "--boundaries", mapPath)
	want := installed + "\n  3 lines, 2 populated places and tehsils; sha256 " + sha + " (pinned PK.txt)\n" +
		"  licence: GeoNames (geonames.org), CC BY 4.0\n" +
		"  with " + mapPath + ": 2 places in a district, 0 outside every district, 0 names left to the gazetteer (district names and aliases)\n"
	if code != exitOK || stdout != want {
		t.Errorf("places: exit %d\n%s%s\nwant\n%s", code, stdout, stderr, want)
	}

	// A download verified against the pinned hash.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(testGeoNames)) }))
	defer srv.Close()
	defer func(saved geo.RemoteFile) { geo.PlaceDownload = saved }(geo.PlaceDownload)
	dest := filepath.Join(dir, "dl")
	for _, tt := range []struct {
		name, sha string
		code      int
		out       string
	}{
		{"pinned", sha, exitOK, "installed " + filepath.Join(dest, "PK.txt") + "; use it with --places"},
		{"tampered", strings.Repeat("0", 64), exitFailure, "checksum mismatch"},
	} {
		geo.PlaceDownload = geo.RemoteFile{Name: "PK.txt", URL: srv.URL + "/PK.txt", SHA256: tt.sha, Size: int64(len(testGeoNames))}
		os.RemoveAll(dest)
		code, stdout, stderr := ocmap("places", "fetch", "--dest", dest)
		if code != tt.code || !strings.Contains(stdout+stderr, tt.out) {
			t.Errorf("%s: places fetch: exit %d\n%s%s\nwant exit %d and %q", tt.name, code, stdout, stderr, tt.code, tt.out)
		}
	}
}

// TestIngestPlaces places rows by the towns they name, notes a point far
// from its town so that review lists it, records the places file in meta
// and credits GeoNames in the export.
func TestIngestPlaces(t *testing.T) {
	dir := isolate(t)
	mapPath := punjabSindh(t, dir)
	places := writeTestFile(t, dir, "PK.txt", testGeoNames)
	in := writeTestFile(t, dir, "in.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		"P1,drug_trafficking,heroin,2023-01-15,,,Near Wana,ANF,1,,seized\n"+
		"P2,drug_trafficking,heroin,2023-01-16,,,Mir Ali (Near Afghan Border),ANF,1,,seized\n"+
		"P3,drug_trafficking,heroin,2023-01-17,30.5,71.5,Near Wana,ANF,1,,seized\n"+
		"P4,drug_trafficking,heroin,2023-01-18,30.5,70.6,Wana,ANF,1,,seized\n")
	db := filepath.Join(dir, "p.duckdb")
	code, stdout, stderr := ocmap("ingest", "--db", db, "--boundaries", mapPath, "--places", places, in)
	if code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	if want := "places: " + places + " (2 places; GeoNames (geonames.org), CC BY 4.0)\n"; !strings.Contains(stderr, want) {
		t.Errorf("ingest progress\n%s\nwant %q", stderr, want)
	}
	if want := "  place layer: 2 GeoNames places in a district (CC BY 4.0); rows placed near one have match_method place\n"; !strings.Contains(stdout, want) {
		t.Errorf("ingest report\n%s\nwant %q", stdout, want)
	}
	code, stdout, stderr = ocmap("sql", "--db", db, "--format", "csv",
		"SELECT incident_id, district_code, location_precision, match_method, coalesce(location_note, '') FROM incidents ORDER BY 1")
	want := "incident_id,district_code,location_precision,match_method,\"COALESCE(location_note, '')\"\n" +
		"P1,PK001,2,place,\"near Wana, a GeoNames place at 70.5000 E 30.5000 N\"\n" +
		"P2,PK002,2,place,\"near Mir Ali, a GeoNames place at 71.5000 E 30.5000 N\"\n" +
		"P3,PK002,1,point,the point is in Beta but the place Wana (GeoNames) is 96 km away in Alpha: the point is kept\n" +
		"P4,PK001,1,point,\n"
	if code != exitOK || stdout != want {
		t.Errorf("incidents: exit %d\n%s%s\nwant\n%s", code, stdout, stderr, want)
	}
	code, stdout, _ = ocmap("sql", "--db", db, "--format", "csv", "SELECT key, value FROM meta WHERE key LIKE 'places%' ORDER BY 1")
	sum := sha256.Sum256([]byte(testGeoNames))
	if want := "key,value\nplaces," + places + "\nplaces_licence,\"GeoNames (geonames.org), CC BY 4.0\"\nplaces_sha256," + hex.EncodeToString(sum[:]) + "\n"; code != exitOK || stdout != want {
		t.Errorf("meta: exit %d\n%s\nwant\n%s", code, stdout, want)
	}
	code, stdout, _ = ocmap("review", "--db", db, "--format", "csv")
	if want := "kind,name,province,rows,placed_in,method,score,note,example\n" +
		`place far from point,"point in Beta, Wana in Alpha",,1,Beta,point,1.0000,the point is in Beta but the place Wana (GeoNames) is 96 km away in Alpha: the point is kept,` + in + ":4\n" +
		`near a place,Mir Ali (Near Afghan Border),,1,Beta,place,1.0000,"near Mir Ali, a GeoNames place at 71.5000 E 30.5000 N",` + in + ":3\n" +
		`near a place,Near Wana,,1,Alpha,place,1.0000,"near Wana, a GeoNames place at 70.5000 E 30.5000 N",` + in + ":2\n"; code != exitOK || stdout != want {
		t.Errorf("review: exit %d\n%s\nwant %q", code, stdout, want)
	}

	out := filepath.Join(dir, "export")
	if code, stdout, stderr := ocmap("export", "--db", db, "--out", out, "--boundaries", mapPath, "--width", "400", "--internal"); code != exitOK {
		t.Fatalf("export: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, f := range []struct{ name, want string }{
		{"report.html", "<li>Place names: GeoNames (geonames.org), CC BY 4.0"},
		{"manifest.json", `"licence": "GeoNames (geonames.org), CC BY 4.0"`},
		{"map_drug_trafficking.svg", "place names: GeoNames (geonames.org), CC BY 4.0"},
	} {
		b, err := os.ReadFile(filepath.Join(out, f.name))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), f.want) {
			t.Errorf("%s does not say %q", f.name, f.want)
		}
	}

	// --places none turns the layer off: the names are unknown again.
	t.Setenv("OCMAP_PLACES", places)
	code, stdout, _ = ocmap("match", "--boundaries", mapPath, "Near Wana")
	if want := "  place layer: Alpha (PK001), Punjab; precision 2 (near a named place); near Wana, a GeoNames place at 70.5000 E 30.5000 N\n"; code != exitOK || !strings.HasSuffix(stdout, want) {
		t.Errorf("match with OCMAP_PLACES: exit %d\n%s\nwant %q", code, stdout, want)
	}
	code, stdout, _ = ocmap("match", "--boundaries", mapPath, "--places", "none", "Near Wana")
	if code != exitOK || strings.Contains(stdout, "place layer") {
		t.Errorf("match --places none: exit %d\n%s", code, stdout)
	}
}

// TestMatchPlaceConflict: 'ocmap match' says why the place layer takes no
// town for a name whose parts lie in two districts ("Wana, Beta", Wana a
// town of Alpha), rather than that no town of that name is in one
// district: Wana is.
func TestMatchPlaceConflict(t *testing.T) {
	dir := isolate(t)
	mapPath := punjabSindh(t, dir)
	places := writeTestFile(t, dir, "PK.txt", testGeoNames)
	aliases := writeTestFile(t, dir, "aliases.csv", "alias,district,province,kind,valid_from,valid_to,note\nWana,Alpha,Punjab,place,,,\n")
	code, stdout, stderr := ocmap("match", "--boundaries", mapPath, "--places", places, "--aliases", aliases, "Wana, Beta")
	if want := "  place layer: not used: the parts of the name lie in different districts\n"; code != exitOK || !strings.HasSuffix(stdout, want) {
		t.Errorf("match: exit %d\n%s%s\nwant %q", code, stdout, stderr, want)
	}
}
