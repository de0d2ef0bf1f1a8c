//go:build duckdb_arrow

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBrokenBoundaries: a broken boundary file is refused by every
// command that loads it and is not installed by 'boundaries fetch --from'.
func TestBrokenBoundaries(t *testing.T) {
	feature := func(code, name, ring string) string {
		return `{"type":"Feature","properties":{"ADM2_PCODE":"` + code + `","ADM2_EN":"` + name + `","ADM1_EN":"Punjab"},` +
			`"geometry":{"type":"Polygon","coordinates":[` + ring + `]}}`
	}
	fc := func(fs ...string) string {
		return `{"type":"FeatureCollection","features":[` + strings.Join(fs, ",") + "]}"
	}
	ok := "[[70,30],[71,30],[71,31],[70,31],[70,30]]"
	tests := []struct {
		name, file, want string
	}{
		{"projected", fc(feature("PK1", "Alpha", "[[500000,3300000],[501000,3300000],[501000,3301000],[500000,3300000]]")),
			"coordinates look projected (metres); ocmap needs longitude/latitude (EPSG:4326)"},
		{"bow tie", fc(feature("PK1", "Alpha", ok), feature("PK2", "Beta", "[[71,30],[72,31],[72,30],[71,31],[71,30]]")),
			`district "Beta" (PK2): invalid polygon ring: polygon 1, ring 1 crosses or touches itself`},
		{"overlap", fc(feature("PK1", "Alpha", ok), feature("PK2", "Beta", "[[70.5,30],[71.5,30],[71.5,31],[70.5,31],[70.5,30]]")),
			`districts overlap: "Alpha" (PK1) and "Beta" (PK2)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := isolate(t)
			path := filepath.Join(dir, "broken.geojson")
			if err := os.WriteFile(path, []byte(tt.file), 0o644); err != nil {
				t.Fatal(err)
			}
			code, _, stderr := ocmap("boundaries", "fetch", "--from", path)
			if got, want := code, exitFailure; got != want || !strings.Contains(stderr, tt.want) || !strings.Contains(stderr, "was not installed") {
				t.Errorf("boundaries fetch --from: exit %d, want %d with %q and 'was not installed':\n%s", got, want, tt.want, stderr)
			}
			if _, err := os.Stat(filepath.Join(dir, "cache", "boundaries", "broken.geojson")); !os.IsNotExist(err) {
				t.Errorf("the broken file was installed (%v)", err)
			}
			code, _, stderr = ocmap("boundaries", "show")
			if got, want := code, exitBoundaries; got != want {
				t.Errorf("boundaries show after the refusal: exit %d, want %d (no default)\n%s", got, want, stderr)
			}
			in := filepath.Join(dir, "in.csv")
			os.WriteFile(in, []byte("incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n1,cybercrime,x,2024-01-12,30.5,70.5,,S,,,\n"), 0o644)
			code, _, stderr = ocmap("ingest", "-q", "--db", filepath.Join(dir, "c.duckdb"), "--boundaries", path, in)
			if got, want := code, exitFailure; got != want || !strings.Contains(stderr, tt.want) {
				t.Errorf("ingest: exit %d, want %d with %q:\n%s", got, want, tt.want, stderr)
			}
		})
	}
}
