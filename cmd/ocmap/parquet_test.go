//go:build duckdb_arrow

package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/internal/testdb"
	"github.com/ocmap/ocmap/pipeline/export"
	"github.com/ocmap/ocmap/pipeline/store"
)

// parquetRows are incidents on the two squares: E1 twice from one source
// (one incident, two records), points in Alpha (lon < 71) and Beta, and
// rows placed by name. Descriptions hold a CNIC and a phone number.
const parquetRows = `incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description
E1,drug_trafficking,heroin,2024-01-05,30.5,70.5,,ANF,2.5,,"seized; informant CNIC 35202-1234567-1, phone 0300-7654321"
E1,drug_trafficking,heroin,2024-01-05,30.5,70.5,,ANF,2.5,,same report again
E2,drug_trafficking,hashish,2024-01-09,30.2,70.2,,ANF,10,,
E3,drug_trafficking,,2024-01-20,30.9,70.9,,ANF,,,
E4,drug_trafficking,,2024-01-11,30.5,71.5,,ANF,1,,
E5,drug_trafficking,,2024-01-30,,,Beta,ANF,,,
E6,drug_trafficking,,2024-02-01,30.1,71.9,,ANF,,,
E7,drug_trafficking,,2024-02-28,30.4,71.2,,ANF,,,
C1,cybercrime,fraud,2023-12-31,,,Alpha,FIA,,150000,
C2,cybercrime,,2023-12-01,30.6,71.6,,FIA,,,
H1,human_trafficking,,2024-01-15,30.3,70.3,,FIA,4,,
`

// parquetFixture ingests parquetRows on the two squares and exports the
// incidents; it returns the database, the map and the export folder.
func parquetFixture(t *testing.T, extra ...string) (db, mapPath, lake string) {
	t.Helper()
	dir := isolate(t)
	mapPath = writeMap(t, dir)
	in := writeTestFile(t, dir, "in.csv", parquetRows)
	db = filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	lake = filepath.Join(dir, "lake")
	args := append([]string{"export", "--db", db, "--boundaries", mapPath, "--incidents", lake, "--internal"}, extra...)
	code, stdout, stderr := ocmap(args...)
	if code != exitOK {
		t.Fatalf("export --incidents: exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "wrote 11 incidents in 4 files into "+filepath.Join(lake, "incidents")) || !strings.Contains(stdout, "INTERNAL") {
		t.Errorf("export says\n%s", stdout)
	}
	return db, mapPath, lake
}

// scratch opens an empty database to run DuckDB over the exported files.
func scratch(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "scratch.duckdb"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func sqlPath(p string) string { return strings.ReplaceAll(filepath.ToSlash(p), "'", "''") }

// TestExportIncidentsDuckDB reads the exported folder with DuckDB's own
// Parquet reader and Hive partitioning, and gets district_month's counts
// cell for cell.
func TestExportIncidentsDuckDB(t *testing.T) {
	db, mapPath, lake := parquetFixture(t)
	for _, part := range []string{
		"category=cybercrime/year=2023/month=12/part-0.parquet",
		"category=drug_trafficking/year=2024/month=1/part-0.parquet",
		"category=drug_trafficking/year=2024/month=2/part-0.parquet",
		"category=human_trafficking/year=2024/month=1/part-0.parquet",
	} {
		if _, err := os.Stat(filepath.Join(lake, "incidents", filepath.FromSlash(part))); err != nil {
			t.Error(err)
		}
	}
	st := scratch(t)
	glob := sqlPath(filepath.Join(lake, "incidents")) + "/**/*.parquet"
	got := testdb.Rows(t, st.DB(), `SELECT concat_ws(' ', district_code, category, year, month,
			count(*) FILTER (WHERE is_primary), count(*))
		FROM read_parquet('`+glob+`', hive_partitioning = true)
		GROUP BY district_code, category, year, month ORDER BY district_code, category, year, month`)
	want := []string{
		"PK001 cybercrime 2023 12 1 1",
		"PK001 drug_trafficking 2024 1 3 4",
		"PK001 human_trafficking 2024 1 1 1",
		"PK002 cybercrime 2023 12 1 1",
		"PK002 drug_trafficking 2024 1 2 2",
		"PK002 drug_trafficking 2024 2 2 2",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("from the Parquet folder:\n%q\nwant\n%q", got, want)
	}
	ro, err := store.OpenReadOnly(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	fromDB := testdb.Rows(t, ro.DB(), `SELECT concat_ws(' ', district_code, category, year(month), month(month), incidents, records)
		FROM district_month ORDER BY district_code, category, month`)
	ro.Close()
	if !reflect.DeepEqual(got, fromDB) {
		t.Errorf("from the Parquet folder:\n%q\ndistrict_month:\n%q", got, fromDB)
	}

	// Paged from DuckDB two rows at a time, two rows to a part: the same
	// rows, in more files (the drug rows of January 2024 are six).
	b, err := geo.Load(mapPath, geo.Properties{})
	if err != nil {
		t.Fatal(err)
	}
	paged := filepath.Join(t.TempDir(), "paged")
	rep, err := export.Incidents(context.Background(), export.IncidentsOptions{DB: db, Dir: paged, Boundaries: b, Internal: true,
		PageRows: 2, FileRows: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(rep.Files), 6; got != want || rep.Rows != 11 {
		t.Errorf("paged export: %d rows in %d files %v, want 11 in %d", rep.Rows, got, rep.Files, want)
	}
	pagedRows := testdb.Rows(t, st.DB(), `SELECT concat_ws(' ', district_code, category, year, month,
			count(*) FILTER (WHERE is_primary), count(*))
		FROM read_parquet('`+sqlPath(filepath.Join(paged, "incidents"))+`/**/*.parquet', hive_partitioning = true)
		GROUP BY district_code, category, year, month ORDER BY district_code, category, year, month`)
	if !reflect.DeepEqual(pagedRows, want) {
		t.Errorf("paged export:\n%q\nwant\n%q", pagedRows, want)
	}
	lines := testdb.Rows(t, st.DB(), `SELECT string_agg(source_line, ' ' ORDER BY filename, file_row_number)
		FROM read_parquet('`+sqlPath(filepath.Join(paged, "incidents"))+`/category=drug_trafficking/year=2024/month=1/*.parquet', filename = true, file_row_number = true)`)
	if got, want := lines, []string{"2 3 4 5 6 7"}; !reflect.DeepEqual(got, want) {
		t.Errorf("January's drug rows in lineage order: %q, want %q", got, want)
	}

	// The file says what it is: GeoParquet 1.1 points in OGC:CRS84 with a
	// bbox covering, and INTERNAL.
	one := sqlPath(filepath.Join(lake, "incidents", "category=drug_trafficking", "year=2024", "month=1", "part-0.parquet"))
	kv := map[string]string{}
	for _, row := range testdb.Rows(t, st.DB(), `SELECT decode(key) || chr(9) || decode(value) FROM parquet_kv_metadata('`+one+`')`) {
		k, v, _ := strings.Cut(row, "\t")
		kv[k] = v
	}
	if !strings.HasPrefix(kv["ocmap:use"], "INTERNAL") {
		t.Errorf("ocmap:use = %q", kv["ocmap:use"])
	}
	var geo struct {
		Version string `json:"version"`
		Primary string `json:"primary_column"`
		Columns map[string]struct {
			Encoding      string    `json:"encoding"`
			GeometryTypes []string  `json:"geometry_types"`
			BBox          []float64 `json:"bbox"`
			CRS           struct {
				ID struct{ Authority, Code string } `json:"id"`
			} `json:"crs"`
			Covering struct {
				BBox map[string][]string `json:"bbox"`
			} `json:"covering"`
		} `json:"columns"`
	}
	if err := json.Unmarshal([]byte(kv["geo"]), &geo); err != nil {
		t.Fatalf("geo metadata %q: %v", kv["geo"], err)
	}
	g := geo.Columns["geometry"]
	if geo.Version != "1.1.0" || geo.Primary != "geometry" || g.Encoding != "WKB" || !reflect.DeepEqual(g.GeometryTypes, []string{"Point"}) ||
		g.CRS.ID.Authority != "OGC" || g.CRS.ID.Code != "CRS84" || !reflect.DeepEqual(g.Covering.BBox["xmin"], []string{"bbox", "xmin"}) ||
		!reflect.DeepEqual(g.Covering.BBox["ymax"], []string{"bbox", "ymax"}) {
		t.Errorf("geo metadata: %s", kv["geo"])
	}
	// Alpha's E1, E1, E2, E3 and Beta's E4 (E5 has no point).
	if want := []float64{70.2, 30.2, 71.5, 30.9}; !reflect.DeepEqual(g.BBox, want) {
		t.Errorf("bbox %v, want %v", g.BBox, want)
	}
	// DuckDB turns GeoParquet columns into its GEOMETRY type; the bytes
	// as written are looked at here.
	if _, err := st.DB().Exec(`SET enable_geoparquet_conversion = false`); err != nil {
		t.Fatal(err)
	}
	// WKB points: 21 bytes, little-endian type 1; the bbox column holds
	// the point; rows without one have neither.
	pts := testdb.Rows(t, st.DB(), `SELECT concat_ws(' ', incident_id, octet_length(geometry), hex((geometry)[1:5]), bbox.xmin, bbox.ymin, bbox.xmax = bbox.xmin)
		FROM read_parquet('`+one+`') ORDER BY source_line`)
	wantPts := []string{
		"E1 21 0101000000 70.5 30.5 true", "E1 21 0101000000 70.5 30.5 true", "E2 21 0101000000 70.2 30.2 true",
		"E3 21 0101000000 70.9 30.9 true", "E4 21 0101000000 71.5 30.5 true", "E5",
	}
	if !reflect.DeepEqual(pts, wantPts) {
		t.Errorf("points:\n%q\nwant\n%q", pts, wantPts)
	}
	// Without --with-text, no free text and no personal column.
	cols := testdb.Rows(t, st.DB(), `SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet('`+one+`', hive_partitioning = false))`)
	for _, c := range cols {
		if c == "description" || c == "person_keys" || c == "category" || c == "lat" || c == "lon" {
			t.Errorf("column %s is in the export", c)
		}
	}
	for _, c := range []string{"district_code", "district_name", "province", "location_precision", "district_hint", "place",
		"source_file", "source_line", "run_id", "layout", "is_primary", "group_id", "point_used", "geometry", "bbox"} {
		if !strings.Contains(" "+strings.Join(cols, " ")+" ", " "+c+" ") {
			t.Errorf("column %s is missing from %q", c, cols)
		}
	}

	// districts.parquet: both squares as WKB polygons with P-codes and names.
	dpath := sqlPath(filepath.Join(lake, "districts.parquet"))
	ds := testdb.Rows(t, st.DB(), `SELECT concat_ws(' ', district_code, district_name, province, octet_length(geometry), hex((geometry)[1:5]), bbox.xmin, bbox.xmax)
		FROM read_parquet('`+dpath+`') ORDER BY district_code`)
	// A polygon of one ring of five points: 1+4+4+4+5*16 bytes.
	if want := []string{"PK001 Alpha North 93 0103000000 70.0 71.0", "PK002 Beta South 93 0103000000 71.0 72.0"}; !reflect.DeepEqual(ds, want) {
		t.Errorf("districts.parquet:\n%q\nwant\n%q", ds, want)
	}
	dgeo := testdb.Rows(t, st.DB(), `SELECT decode(value) FROM parquet_kv_metadata('`+dpath+`') WHERE decode(key) = 'geo'`)
	if len(dgeo) != 1 || !strings.Contains(dgeo[0], `"geometry_types":["Polygon"]`) || !strings.Contains(dgeo[0], `"code":"CRS84"`) {
		t.Errorf("districts.parquet geo metadata: %q", dgeo)
	}
}

// TestExportIncidentsRefusals: the incidents are internal only, and text
// comes only on request, scrubbed.
func TestExportIncidentsRefusals(t *testing.T) {
	dir := isolate(t)
	mapPath := writeMap(t, dir)
	in := writeTestFile(t, dir, "in.csv", parquetRows)
	db := filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	lake := filepath.Join(dir, "lake")
	code, _, stderr := ocmap("export", "--db", db, "--boundaries", mapPath, "--incidents", lake)
	if code != exitUsage || !strings.Contains(stderr, "add --internal") {
		t.Errorf("without --internal: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat(lake); err == nil {
		t.Errorf("%s was written without --internal", lake)
	}
	if code, _, stderr := ocmap("export", "--db", db, "--out", lake, "--with-text"); code != exitUsage || !strings.Contains(stderr, "--with-text goes with --incidents") {
		t.Errorf("--with-text alone: exit %d, %s", code, stderr)
	}
}

func TestExportIncidentsWithText(t *testing.T) {
	_, _, lake := parquetFixture(t, "--with-text")
	st := scratch(t)
	glob := sqlPath(filepath.Join(lake, "incidents")) + "/**/*.parquet"
	got := testdb.Rows(t, st.DB(), `SELECT description FROM read_parquet('`+glob+`') WHERE description IS NOT NULL ORDER BY 1`)
	for _, d := range got {
		if strings.Contains(d, "35202-1234567-1") || strings.Contains(d, "0300-7654321") {
			t.Errorf("description not scrubbed: %q", d)
		}
	}
	if len(got) != 2 || got[0] != "same report again" || !strings.HasPrefix(got[1], "seized; informant CNIC ") {
		t.Errorf("descriptions: %q", got)
	}
}

// TestParquetRoundTrip ingests the export back through the ocmap-incidents
// layout (chosen by --layout auto) into a new database: both hold the same
// district_month, row for row.
func TestParquetRoundTrip(t *testing.T) {
	db, mapPath, lake := parquetFixture(t)
	db2 := filepath.Join(t.TempDir(), "again.duckdb")
	code, stdout, stderr := ocmap("ingest", "--db", db2, "--boundaries", mapPath, filepath.Join(lake, "incidents"))
	if code != exitOK {
		t.Fatalf("ingest of the export: exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "layout: ocmap-incidents (chosen by header, --layout auto)") ||
		!strings.Contains(stdout, "read 11, accepted 11, rejected 0") {
		t.Errorf("ingest of the export says\n%s%s", stdout, stderr)
	}
	const q = `SELECT concat_ws('|', district_code, province, category, month, incidents, records, victims, quantity, amount_pkr,
		by_point, by_near, by_name, by_province, by_country) FROM district_month ORDER BY district_code, category, month, province`
	rows := func(path string) []string {
		st, err := store.OpenReadOnly(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		return testdb.Rows(t, st.DB(), q)
	}
	a, b := rows(db), rows(db2)
	if len(a) != 6 || !reflect.DeepEqual(a, b) {
		t.Errorf("district_month differs:\n%q\nafter the round trip:\n%q", a, b)
	}
}

// TestExportIncidentsSpatialJoin joins the exported points with
// districts.parquet in DuckDB's spatial extension, when it is installed
// (ocmap never downloads it): every point ocmap placed by its point lands
// in the district ocmap gave it.
func TestExportIncidentsSpatialJoin(t *testing.T) {
	_, _, lake := parquetFixture(t)
	st := scratch(t)
	if _, err := st.DB().Exec(`LOAD spatial`); err != nil {
		t.Skipf("DuckDB's spatial extension is not installed here (ocmap does not download it; install it with INSTALL spatial to run this test): %v", err)
	}
	glob := sqlPath(filepath.Join(lake, "incidents")) + "/**/*.parquet"
	dpath := sqlPath(filepath.Join(lake, "districts.parquet"))
	got := testdb.Rows(t, st.DB(), `SELECT concat_ws(' ', count(*), count(*) FILTER (WHERE d.district_code = i.district_code))
		FROM read_parquet('`+glob+`', hive_partitioning = true) i
		JOIN read_parquet('`+dpath+`') d ON ST_Within(ST_GeomFromWKB(i.geometry), ST_GeomFromWKB(d.geometry))
		WHERE i.point_used = 'exact'`)
	if want := []string{"10 10"}; !reflect.DeepEqual(got, want) {
		t.Errorf("points in districts, and in ocmap's district: %q, want %q", got, want)
	}
}

// TestExportIncidentsScore: a fuzzy match's score in the export has four
// decimals, as match --format json and review --format csv give it, not
// the FLOAT column widened (0.9599999785423279).
func TestExportIncidentsScore(t *testing.T) {
	dir := isolate(t)
	mapPath := writeMap(t, dir)
	in := writeTestFile(t, dir, "in.csv", `incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description
F1,drug_trafficking,heroin,2024-01-05,,,Betaa,ANF,1,,
F2,drug_trafficking,heroin,2024-01-06,,,Beta,ANF,1,,
`)
	db := filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	lake := filepath.Join(dir, "lake")
	if code, stdout, stderr := ocmap("export", "--db", db, "--boundaries", mapPath, "--incidents", lake, "--internal"); code != exitOK {
		t.Fatalf("export --incidents: exit %d\n%s%s", code, stdout, stderr)
	}
	st := scratch(t)
	glob := sqlPath(filepath.Join(lake, "incidents")) + "/**/*.parquet"
	got := testdb.Rows(t, st.DB(), `SELECT concat_ws(' ', incident_id, match_method, CAST(match_score AS VARCHAR)) FROM read_parquet('`+glob+`') ORDER BY 1`)
	if want := []string{"F1 fuzzy 0.96", "F2 exact 1.0"}; !reflect.DeepEqual(got, want) {
		t.Errorf("scores %q, want %q", got, want)
	}
}
