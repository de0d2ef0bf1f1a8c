//go:build duckdb_arrow

package store_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

var districts = []geo.District{
	{Code: "PK001", Name: "Alpha", Province: "North", AreaKm2: 100},
	{Code: "PK002", Name: "Beta", Province: "South", AreaKm2: 200},
	{Code: "PK003", Name: "Gamma", Province: "North", AreaKm2: 300},
	{Code: "PK004", Name: "Delta", AreaKm2: 400}, // no incidents, no province
}

var boundaries = store.BoundaryInfo{Path: "test.geojson", SHA256: "0123456789abcdef", Districts: districts}

// incident is one row of an incidents batch; a negative quantity or amount
// stands for null.
type incident struct {
	code     string
	category schemas.Category
	date     string
	qty, amt float64
	prec     int8
}

const none = -1

// runs are the incidents of two runs.
var runs = [][]incident{
	{
		{"PK001", schemas.DrugTrafficking, "2023-01-05", 1, none, 1},
		{"PK001", schemas.DrugTrafficking, "2023-01-06", 2, none, 1},
		{"PK001", schemas.DrugTrafficking, "2023-01-20", 3, none, 3},
		{"PK001", schemas.Cybercrime, "2023-02-10", none, 1000, 1},
		{"PK002", schemas.TerrorFinancing, "2023-01-03", none, 100, 1},
		{"PK002", schemas.TerrorFinancing, "2023-01-04", none, 200, 3},
		{"PK002", schemas.DrugTrafficking, "2023-03-01", 5, none, 1},
		{"PK002", schemas.DrugTrafficking, "2023-03-31", none, none, 1},
		{"PK002", schemas.HumanTrafficking, "2023-03-15", 4, none, 3},
		{"PK003", schemas.DrugTrafficking, "2023-02-28", 10, none, 1},
	},
	{
		{"PK003", schemas.Cybercrime, "2023-04-01", none, none, 3},
		{"PK003", schemas.Cybercrime, "2023-04-30", none, 500, 1},
	},
}

var rejectsPerRun = []int{2, 1}

func incidentsBatch(t *testing.T, mem memory.Allocator, runID int64, file string, rows []incident) arrow.RecordBatch {
	t.Helper()
	b := array.NewRecordBuilder(mem, schemas.Incidents)
	defer b.Release()
	name := map[string]geo.District{}
	for _, d := range districts {
		name[d.Code] = d
	}
	opt := func(i int, v float64) {
		if v < 0 {
			b.Field(i).AppendNull()
		} else {
			b.Field(i).(*array.Float64Builder).Append(v)
		}
	}
	for i, r := range rows {
		day, err := time.Parse("2006-01-02", r.date)
		if err != nil {
			t.Fatal(err)
		}
		d := name[r.code]
		b.Field(schemas.NIncidentID).(*array.StringBuilder).Append(file + "-" + string(rune('a'+i)))
		b.Field(schemas.NCategory).(*array.StringBuilder).Append(r.category.String())
		b.Field(schemas.NSubcategory).AppendNull()
		b.Field(schemas.NOccurredOn).(*array.Date32Builder).Append(arrow.Date32FromTime(day))
		if r.prec == schemas.PrecisionPoint {
			b.Field(schemas.NLat).(*array.Float64Builder).Append(30.5)
			b.Field(schemas.NLon).(*array.Float64Builder).Append(70.5)
			b.Field(schemas.NDistrictHint).AppendNull()
		} else {
			b.Field(schemas.NLat).AppendNull()
			b.Field(schemas.NLon).AppendNull()
			b.Field(schemas.NDistrictHint).(*array.StringBuilder).Append(d.Name)
		}
		b.Field(schemas.NSource).(*array.StringBuilder).Append("test")
		opt(schemas.NQuantity, r.qty)
		opt(schemas.NAmountPKR, r.amt)
		b.Field(schemas.NDescription).AppendNull()
		b.Field(schemas.NSourceFile).(*array.StringBuilder).Append(file)
		b.Field(schemas.NSourceLine).(*array.Int64Builder).Append(int64(i + 2))
		b.Field(schemas.NRunID).(*array.Int64Builder).Append(runID)
		b.Field(schemas.IDistrictCode).(*array.StringBuilder).Append(d.Code)
		b.Field(schemas.IDistrictName).(*array.StringBuilder).Append(d.Name)
		if d.Province == "" {
			b.Field(schemas.IProvince).AppendNull()
		} else {
			b.Field(schemas.IProvince).(*array.StringBuilder).Append(d.Province)
		}
		b.Field(schemas.ILocationPrecision).(*array.Int8Builder).Append(r.prec)
		b.Field(schemas.IMatchMethod).(*array.StringBuilder).Append(schemas.MethodPoint)
		b.Field(schemas.IMatchScore).(*array.Float32Builder).Append(1)
		b.Field(schemas.ILocationNote).AppendNull()
		for c := schemas.IPlace; c <= schemas.IPersonKeys; c++ {
			b.Field(c).AppendNull()
		}
	}
	return b.NewRecordBatch()
}

// insert streams one batch into table and releases it.
func insert(t *testing.T, run *store.Run, table string, rec arrow.RecordBatch) {
	t.Helper()
	defer rec.Release()
	rdr, err := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Release()
	if err := run.InsertStream(context.Background(), table, rdr); err != nil {
		t.Fatal(err)
	}
}

// newDB writes the two runs into a new database and returns its path.
func newDB(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	path := filepath.Join(t.TempDir(), "store.duckdb")
	st, err := store.Open(ctx, path, store.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i, rows := range runs {
		run, err := st.BeginRun(ctx, boundaries)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := run.ID, int64(i+1); got != want {
			t.Fatalf("run id %d, want %d", got, want)
		}
		file := string(rune('a'+i)) + ".csv"
		insert(t, run, store.TableIncidents, incidentsBatch(t, mem, run.ID, file, rows))
		rb := schemas.NewRejectBuilder(mem, run.ID, false)
		for j := 0; j < rejectsPerRun[i]; j++ {
			rb.Add(schemas.RowError{File: file, Line: int64(100 + j), Field: "category", Reason: "unknown category"}, nil)
		}
		insert(t, run, store.TableRejects, rb.NewBatch())
		rb.Release()
		n := int64(len(rows))
		if _, err := run.FinishFile(ctx, store.FileStats{Path: file, SHA256: file, Read: n + int64(rejectsPerRun[i]), Accepted: n, Rejected: int64(rejectsPerRun[i])}); err != nil {
			t.Fatal(err)
		}
		if err := run.Commit(ctx, "[]", n+int64(rejectsPerRun[i]), n, int64(rejectsPerRun[i]), "test"); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func month(s string) time.Time {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		panic(err)
	}
	return t
}

// The three districts with incidents, over everything. Quantity is the
// kg of drugs: Beta's trafficking case of 4 victims (its quantity) is in
// Victims only.
var (
	alpha = store.SummaryRow{Code: "PK001", Name: "Alpha", Province: "North", Incidents: 4, ByCategory: [4]int64{0, 3, 0, 1}, Quantity: 6, AmountPKR: 1000, ByPoint: 3, ByName: 1}
	beta  = store.SummaryRow{Code: "PK002", Name: "Beta", Province: "South", Incidents: 5, ByCategory: [4]int64{2, 2, 1, 0}, Quantity: 5, AmountPKR: 300, Victims: 4, ByPoint: 3, ByName: 2}
	gamma = store.SummaryRow{Code: "PK003", Name: "Gamma", Province: "North", Incidents: 3, ByCategory: [4]int64{0, 1, 0, 2}, Quantity: 10, AmountPKR: 500, ByPoint: 2, ByName: 1}
)

func ranked(rows ...store.SummaryRow) []store.SummaryRow {
	for i := range rows {
		rows[i].Rank = i + 1
	}
	return rows
}

func TestSummary(t *testing.T) {
	path := newDB(t)
	st, err := store.OpenReadOnly(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	totals := func(incidents, districts int64, first, last string) store.Totals {
		tot := store.Totals{Incidents: incidents, Records: incidents, Districts: districts, Rejected: 3, Runs: 2}
		if first != "" {
			tot.FirstMonth, tot.LastMonth = month(first), month(last)
		}
		return tot
	}
	tests := []struct {
		name   string
		q      store.SummaryQuery
		want   []store.SummaryRow
		totals store.Totals
	}{
		{"all", store.SummaryQuery{}, ranked(beta, alpha, gamma), totals(12, 3, "2023-01", "2023-04")},
		{"top 1", store.SummaryQuery{Top: 1}, ranked(beta), totals(12, 3, "2023-01", "2023-04")},
		{"top beyond the districts", store.SummaryQuery{Top: 10}, ranked(beta, alpha, gamma), totals(12, 3, "2023-01", "2023-04")},
		{
			"drug trafficking", store.SummaryQuery{Category: "drug_trafficking"},
			ranked(
				store.SummaryRow{Code: "PK001", Name: "Alpha", Province: "North", Incidents: 3, ByCategory: [4]int64{0, 3, 0, 0}, Quantity: 6, ByPoint: 2, ByName: 1},
				store.SummaryRow{Code: "PK002", Name: "Beta", Province: "South", Incidents: 2, ByCategory: [4]int64{0, 2, 0, 0}, Quantity: 5, ByPoint: 2},
				store.SummaryRow{Code: "PK003", Name: "Gamma", Province: "North", Incidents: 1, ByCategory: [4]int64{0, 1, 0, 0}, Quantity: 10, ByPoint: 1},
			),
			totals(6, 3, "2023-01", "2023-03"),
		},
		{
			"drug trafficking, top 2", store.SummaryQuery{Category: "drug_trafficking", Top: 2},
			ranked(
				store.SummaryRow{Code: "PK001", Name: "Alpha", Province: "North", Incidents: 3, ByCategory: [4]int64{0, 3, 0, 0}, Quantity: 6, ByPoint: 2, ByName: 1},
				store.SummaryRow{Code: "PK002", Name: "Beta", Province: "South", Incidents: 2, ByCategory: [4]int64{0, 2, 0, 0}, Quantity: 5, ByPoint: 2},
			),
			totals(6, 3, "2023-01", "2023-03"),
		},
		{
			"cybercrime", store.SummaryQuery{Category: "cybercrime"},
			ranked(
				store.SummaryRow{Code: "PK003", Name: "Gamma", Province: "North", Incidents: 2, ByCategory: [4]int64{0, 0, 0, 2}, AmountPKR: 500, ByPoint: 1, ByName: 1},
				store.SummaryRow{Code: "PK001", Name: "Alpha", Province: "North", Incidents: 1, ByCategory: [4]int64{0, 0, 0, 1}, AmountPKR: 1000, ByPoint: 1},
			),
			totals(3, 2, "2023-02", "2023-04"),
		},
		{
			"from february: a tie goes to the lower code", store.SummaryQuery{From: month("2023-02")},
			ranked(
				store.SummaryRow{Code: "PK002", Name: "Beta", Province: "South", Incidents: 3, ByCategory: [4]int64{0, 2, 1, 0}, Quantity: 5, Victims: 4, ByPoint: 2, ByName: 1},
				gamma,
				store.SummaryRow{Code: "PK001", Name: "Alpha", Province: "North", Incidents: 1, ByCategory: [4]int64{0, 0, 0, 1}, AmountPKR: 1000, ByPoint: 1},
			),
			totals(7, 3, "2023-02", "2023-04"),
		},
		{
			"to january", store.SummaryQuery{To: month("2023-01")},
			ranked(
				store.SummaryRow{Code: "PK001", Name: "Alpha", Province: "North", Incidents: 3, ByCategory: [4]int64{0, 3, 0, 0}, Quantity: 6, ByPoint: 2, ByName: 1},
				store.SummaryRow{Code: "PK002", Name: "Beta", Province: "South", Incidents: 2, ByCategory: [4]int64{2, 0, 0, 0}, AmountPKR: 300, ByPoint: 1, ByName: 1},
			),
			totals(5, 2, "2023-01", "2023-01"),
		},
		{
			"february only", store.SummaryQuery{From: month("2023-02"), To: month("2023-02")},
			ranked(
				store.SummaryRow{Code: "PK001", Name: "Alpha", Province: "North", Incidents: 1, ByCategory: [4]int64{0, 0, 0, 1}, AmountPKR: 1000, ByPoint: 1},
				store.SummaryRow{Code: "PK003", Name: "Gamma", Province: "North", Incidents: 1, ByCategory: [4]int64{0, 1, 0, 0}, Quantity: 10, ByPoint: 1},
			),
			totals(2, 2, "2023-02", "2023-02"),
		},
		{
			"category and period", store.SummaryQuery{Category: "drug_trafficking", From: month("2023-02"), To: month("2023-03"), Top: 1},
			ranked(store.SummaryRow{Code: "PK002", Name: "Beta", Province: "South", Incidents: 2, ByCategory: [4]int64{0, 2, 0, 0}, Quantity: 5, ByPoint: 2}),
			totals(3, 2, "2023-02", "2023-03"),
		},
		{"empty scope", store.SummaryQuery{Category: "human_trafficking", From: month("2023-04")}, nil, totals(0, 0, "", "")},
		{"before everything", store.SummaryQuery{To: month("2022-12")}, nil, totals(0, 0, "", "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, tot, err := st.Summary(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := rows, tt.want; !reflect.DeepEqual(got, want) {
				t.Errorf("rows\n got %+v\nwant %+v", got, want)
			}
			if got, want := tot, tt.totals; !reflect.DeepEqual(got, want) {
				t.Errorf("totals\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestSummaryEmpty(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "empty.duckdb")
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = store.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, tot, err := st.Summary(ctx, store.SummaryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(rows), 0; got != want {
		t.Errorf("%d rows, want %d", got, want)
	}
	if got, want := tot, (store.Totals{}); !reflect.DeepEqual(got, want) {
		t.Errorf("totals %+v, want %+v", got, want)
	}
}

func TestOpenReadOnlyErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	other := filepath.Join(dir, "other.duckdb")
	db, err := sql.Open("duckdb", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE things (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	tests := []struct {
		name string
		path string
		want error
	}{
		{"missing", filepath.Join(dir, "nosuch.duckdb"), store.ErrNoDatabase},
		{"not ocmap", other, store.ErrNotOcmapDatabase},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := store.OpenReadOnly(ctx, tt.path)
			if err == nil {
				st.Close()
			}
			if got, want := err, tt.want; !errors.Is(got, want) {
				t.Errorf("error %v, want %v", got, want)
			}
		})
	}
}

// TestOpenOldDatabase opens a database made before incidents had the
// source-layout columns: Open adds them, and the old rows read as null.
func TestOpenOldDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.duckdb")
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE incidents (
		incident_id VARCHAR, category VARCHAR, subcategory VARCHAR, occurred_on DATE,
		lat DOUBLE, lon DOUBLE, district_hint VARCHAR, source VARCHAR,
		quantity DOUBLE, amount_pkr DOUBLE, description VARCHAR,
		source_file VARCHAR, source_line BIGINT, run_id BIGINT,
		district_code VARCHAR, district_name VARCHAR, province VARCHAR, location_precision TINYINT)`,
		`INSERT INTO incidents (incident_id, category, occurred_on) VALUES ('old-1', 'cybercrime', DATE '2020-01-01')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	st, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = store.OpenReadOnly(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var n int
	// Old rows were all canonical: the defaults say so; the rest is null.
	if err := st.DB().QueryRow(`SELECT count(*) FROM incidents WHERE layout = 'canonical' AND date_precision = 1
		AND iccs_code IS NULL AND victims IS NULL`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if got, want := n, 1; got != want {
		t.Errorf("%d old rows with canonical defaults and null layout columns, want %d", got, want)
	}
}
