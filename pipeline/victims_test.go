//go:build duckdb_arrow

package pipeline_test

import (
	"context"
	"database/sql"
	"reflect"
	"testing"

	"github.com/ocmap/ocmap/internal/testdb"
	"github.com/ocmap/ocmap/pipeline"
	"github.com/ocmap/ocmap/pipeline/layout"
)

// TestVictimsFromQuantityCanonicalOnly: a canonical trafficking row's
// quantity counts its victims; a source layout's quantity is what its
// column holds (a police FIR's recovery in grams, 2,500 g here), so a
// trafficking row of that layout without a victims field has no victims,
// not 3.
func TestVictimsFromQuantityCanonicalOnly(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.ingest(t, writeFile(t, f.dir, "canonical.csv", header+"\nH1,human_trafficking,trafficking,2024-01-10,30.5,70.5,,FIA,3,,three victims\n"))
	lay, err := layout.Parse("fir.yaml", []byte(`name: test-fir
title: test fir
category: human_trafficking
match: [FIR, Date, Recovery]
dates: {formats: [yyyy-mm-dd]}
fields:
  incident_id: {column: FIR}
  occurred_on: {column: Date}
  lat: {column: Lat}
  lon: {column: Lon}
  quantity: {column: Recovery, unit: g}
`))
	if err != nil {
		t.Fatal(err)
	}
	cfg := f.config(writeFile(t, f.dir, "fir.csv", "FIR,Date,Lat,Lon,Recovery\n12/2024,2024-02-10,30.5,70.5,2500\n"))
	cfg.Layout = lay
	if _, err := pipeline.Ingest(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	query(t, f.db, func(db *sql.DB) {
		got := testdb.Rows(t, db, `SELECT strftime(month, '%Y-%m') || ' ' || incidents || ' ' || coalesce(victims, -1) FROM district_month
			WHERE category = 'human_trafficking' ORDER BY month`)
		if want := []string{"2024-01 1 3", "2024-02 1 -1"}; !reflect.DeepEqual(got, want) {
			t.Errorf("trafficking months (month, incidents, victims or -1): %q, want %q", got, want)
		}
	})
}
