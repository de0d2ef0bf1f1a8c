//go:build duckdb_arrow

package store_test

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/ocmap/ocmap/pipeline/store"
)

// setCrossings stores cs as the districts' nearest crossings of the
// database at path, through a rebuild.
func setCrossings(t *testing.T, path, sha string, cs []store.DistrictCrossing) error {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, path, store.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	return st.Rebuild(ctx, nil, func(ctx context.Context, r *store.Run) error {
		return r.SetCrossings(ctx, sha, "test crossings", cs)
	})
}

func TestCrossings(t *testing.T) {
	ctx := context.Background()
	path := newDB(t)
	st, err := store.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if has, err := st.HasCrossings(ctx); err != nil || has {
		t.Errorf("HasCrossings before any = %v, %v; want false", has, err)
	}
	st.Close()

	// Delta (PK004) has no crossing: it stays null.
	cs := []store.DistrictCrossing{{"PK001", "Torkham", 0}, {"PK002", "Chaman", 30}, {"PK003", "Wagah", 80.5}}
	if err := setCrossings(t, path, "fedcba9876543210", cs); !errors.Is(err, store.ErrBoundariesChanged) {
		t.Errorf("crossings measured on other boundaries: error %v, want ErrBoundariesChanged", err)
	}
	if err := setCrossings(t, path, boundaries.SHA256, cs); err != nil {
		t.Fatal(err)
	}

	st, err = store.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if has, err := st.HasCrossings(ctx); err != nil || !has {
		t.Errorf("HasCrossings = %v, %v; want true", has, err)
	}
	if src, err := st.CrossingsSource(ctx); err != nil || src != "test crossings" {
		t.Errorf("CrossingsSource = %q, %v; want test crossings", src, err)
	}
	ds, err := st.Districts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []struct {
		crossing string
		km       float64
	}{{"Torkham", 0}, {"Chaman", 30}, {"Wagah", 80.5}, {"", math.NaN()}} {
		got := ds[i]
		if got.Crossing != want.crossing || !(got.CrossingKm == want.km || math.IsNaN(got.CrossingKm) && math.IsNaN(want.km)) {
			t.Errorf("%s: crossing %q at %v km, want %q at %v", got.Code, got.Crossing, got.CrossingKm, want.crossing, want.km)
		}
	}
	// The column answers "is it near the border?" in SQL.
	var names []string
	rows, err := st.DB().Query(`SELECT district_name FROM districts WHERE crossing_km < 25 ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	if want := []string{"Alpha"}; !slices.Equal(names, want) {
		t.Errorf("districts within 25 km: %v, want %v", names, want)
	}

	// The filter keeps the cells, sources and quantities of the districts
	// within the distance; incidents without a district are left out.
	for _, tt := range []struct {
		km        float64
		districts []string
		incidents int64
	}{
		{0, []string{"PK001", "PK002", "PK003"}, 12}, // no filter
		{25, []string{"PK001"}, 4},
		{30, []string{"PK001", "PK002"}, 9}, // the limit is inclusive
		{1000, []string{"PK001", "PK002", "PK003"}, 12},
	} {
		cells, err := st.Cells(ctx, store.CellFilter{NearBorderKm: tt.km})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		var n int64
		for _, c := range cells {
			if !slices.Contains(got, c.District) {
				got = append(got, c.District)
			}
			n += c.Incidents
		}
		if !slices.Equal(got, tt.districts) || n != tt.incidents {
			t.Errorf("near %g km: districts %v with %d incidents, want %v with %d", tt.km, got, n, tt.districts, tt.incidents)
		}
		src, err := st.Sources(ctx, store.CellFilter{NearBorderKm: tt.km})
		if err != nil {
			t.Fatal(err)
		}
		var recs int64
		for _, s := range src {
			recs += s.Records
		}
		if recs != tt.incidents {
			t.Errorf("near %g km: sources count %d records, want %d", tt.km, recs, tt.incidents)
		}
	}
}

// TestCrossingsOldDatabase reads a database made before the crossings:
// read-only, its districts have none; opened for writing, it gains the
// columns.
func TestCrossingsOldDatabase(t *testing.T) {
	ctx := context.Background()
	// A database of today without the two columns, and without the key of
	// the table statements that made it (see Open), is one of before.
	path := newDB(t)
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`ALTER TABLE districts DROP COLUMN crossing`, `ALTER TABLE districts DROP COLUMN crossing_km`,
		`DELETE FROM meta WHERE key = 'ddl_sha256'`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	st, err := store.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := st.Districts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 4 || ds[0].Name != "Alpha" || ds[0].Crossing != "" || !math.IsNaN(ds[0].CrossingKm) {
		t.Errorf("old districts: %+v, want Alpha first, without a crossing", ds)
	}
	if has, err := st.HasCrossings(ctx); err != nil || has {
		t.Errorf("HasCrossings = %v, %v; want false", has, err)
	}
	st.Close()
	if err := setCrossings(t, path, boundaries.SHA256, []store.DistrictCrossing{{"PK001", "Torkham", 12.5}}); err != nil {
		t.Fatal(err)
	}
	st, err = store.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if ds, err = st.Districts(ctx); err != nil || ds[0].Crossing != "Torkham" || ds[0].CrossingKm != 12.5 {
		t.Errorf("after the rebuild: %+v, %v; want Torkham at 12.5 km", ds, err)
	}
}
