//go:build duckdb_arrow

package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// querier is what a Store's database and a Run's connection share.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// CellFilter narrows district_month: a category ("" for all), months from
// From to To inclusive (zero for open), and a province ("" for all).
type CellFilter struct {
	Category string
	From, To time.Time
	Province string
	// Sub keeps some subcategories only: the cells are then computed from
	// incidents, by district_month's rules.
	Sub SubFilter
	// NearBorderKm, when above 0, keeps the districts whose nearest
	// crossing (districts.crossing_km) is at most this many km away;
	// incidents without a district are then left out.
	NearBorderKm float64
}

// Cell is one district, category and month of district_month. District is
// "" for incidents placed in a province only, and Province "" too for those
// placed at national level only.
type Cell struct {
	District, Province, Category string
	Month                        time.Time
	Incidents, Records, Victims  int64
	Quantity, AmountPKR          float64
	// ByPrecision counts the incidents by location precision 1, 2, 3, 4
	// and, last, 6 (country only).
	ByPrecision [5]int64
	// Killed and Injured are the sums of context events' columns
	// (EventCells); 0 in district_month's cells.
	Killed, Injured int64
}

// KeepPrecision returns cells whose incidents count only those located at
// precision 1 to max: Incidents becomes the sum of ByPrecision[:max] and the
// higher precisions are zeroed. Cells left with no incidents are kept, as
// district_month already holds such cells, so that the period of the data
// does not change with the filter. Records, Victims, Quantity and
// AmountPKR are not split by precision in district_month and stay those of
// all the cell's incidents. A max of 0, or 4 or more, keeps every incident,
// those placed at national level only (precision 6) too, and returns cells
// itself; otherwise cells is left untouched.
func KeepPrecision(cells []Cell, max int) []Cell {
	if max <= 0 || max >= 4 {
		return cells
	}
	out := make([]Cell, len(cells))
	for i, c := range cells {
		c.Incidents = 0
		for k := range c.ByPrecision {
			if k < max {
				c.Incidents += c.ByPrecision[k]
			} else {
				c.ByPrecision[k] = 0
			}
		}
		out[i] = c
	}
	return out
}

// PrecisionScope says in words which incidents KeepPrecision(cells, max)
// counts, for notes on maps and headers; "" when it keeps every incident.
func PrecisionScope(max int) string {
	switch max {
	case 1:
		return "incidents located at precision 1 only (exact point)"
	case 2:
		return "incidents located at precision 1-2 only (point near a named place or better)"
	case 3:
		return "incidents located at precision 1-3 only (district named or better)"
	}
	return ""
}

// District is one row of the districts table.
type District struct {
	Code, Name, Province string
	Border               bool // touches the national border on land
	// Crossing is the nearest official crossing, and CrossingKm its
	// distance from the district polygon (0 inside it); "" and NaN when
	// the database has no distances (see HasCrossings).
	Crossing   string
	CrossingKm float64
}

// PopulationYear is a district's population in one census year.
type PopulationYear struct {
	Year       int
	Population int64
}

// Cells reads district_month within f, ordered by district, category and
// month.
func (s *Store) Cells(ctx context.Context, f CellFilter) ([]Cell, error) { return cells(ctx, s.db, f) }

// Cells reads all of district_month inside the run's transaction, after
// its summaries were recomputed, through DuckDB's Arrow interface: the
// measures read every cell after every ingest, and row-by-row scanning
// cost as much as computing them. Go sorts them: DuckDB hands over a
// sorted result through Arrow five times slower than an unsorted one
// (0.2 s for the 45,000 cells of 1M incidents).
//
// The slice is made once at its final length: growing it batch by batch
// copied the 45,000 cells of 1M incidents (200 bytes each) a dozen times
// and cost more than the query.
func (r *Run) Cells(ctx context.Context) ([]Cell, error) {
	var n int
	if err := r.conn.QueryRowContext(ctx, `SELECT count(*) FROM district_month`).Scan(&n); err != nil {
		return nil, fmt.Errorf("store: district_month: %w", err)
	}
	rdr, err := r.ar.QueryContext(ctx, `SELECT `+cellColumns+` FROM district_month`)
	if err != nil {
		return nil, fmt.Errorf("store: district_month: %w", err)
	}
	defer rdr.Release()
	out := make([]Cell, 0, n)
	days := make([]int32, 0, n)
	// Arrow strings point into the batch's buffers: each distinct one is
	// copied once (a few hundred, against three a cell).
	interned := map[string]string{}
	intern := func(s string) string {
		if v, ok := interned[s]; ok {
			return v
		}
		v := strings.Clone(s)
		interned[v] = v
		return v
	}
	for rdr.Next() {
		rec := rdr.RecordBatch()
		str := func(i int) *array.String { return rec.Column(i).(*array.String) }
		i64 := func(i int) *array.Int64 { return rec.Column(i).(*array.Int64) }
		f64 := func(i int) *array.Float64 { return rec.Column(i).(*array.Float64) }
		month := rec.Column(3).(*array.Date32)
		for k := 0; k < int(rec.NumRows()); k++ {
			out = append(out, Cell{District: intern(str(0).Value(k)), Province: intern(str(1).Value(k)),
				Category: intern(str(2).Value(k)),
				Month:    month.Value(k).ToTime(), Incidents: i64(4).Value(k), Records: i64(5).Value(k), Victims: i64(6).Value(k),
				Quantity: f64(7).Value(k), AmountPKR: f64(8).Value(k),
				ByPrecision: [5]int64{i64(9).Value(k), i64(10).Value(k), i64(11).Value(k), i64(12).Value(k), i64(13).Value(k)}})
			days = append(days, int32(month.Value(k)))
		}
	}
	return sortCells(out, days), rdr.Err()
}

// sortCells returns cells (whose months are days, in days since 1970) in
// the order of district, category, month and province, as DuckDB's binary
// collation orders text (the four are a cell's key). It sorts one integer
// a cell, made of the ranks of its strings and its day: comparing the
// strings cost as much as reading the cells (0.03 s for 46,000).
func sortCells(cells []Cell, days []int32) []Cell {
	ranks := func(field func(c *Cell) string, limit int) map[string]uint64 {
		seen := map[string]bool{}
		var all []string
		for i := range cells {
			if s := field(&cells[i]); !seen[s] {
				seen[s] = true
				all = append(all, s)
			}
		}
		if len(all) > limit {
			return nil
		}
		slices.Sort(all)
		out := make(map[string]uint64, len(all))
		for i, s := range all {
			out[s] = uint64(i)
		}
		return out
	}
	district := ranks(func(c *Cell) string { return c.District }, 1<<16)
	category := ranks(func(c *Cell) string { return c.Category }, 1<<8)
	province := ranks(func(c *Cell) string { return c.Province }, 1<<8)
	if district == nil || category == nil || province == nil {
		slices.SortFunc(cells, func(a, b Cell) int {
			return cmp.Or(strings.Compare(a.District, b.District), strings.Compare(a.Category, b.Category),
				a.Month.Compare(b.Month), strings.Compare(a.Province, b.Province))
		})
		return cells
	}
	type keyed struct {
		key uint64
		i   int
	}
	keys := make([]keyed, len(cells))
	for i := range cells {
		c := &cells[i]
		day := uint64(uint32(days[i]) ^ 1<<31) // in order as unsigned
		keys[i] = keyed{district[c.District]<<48 | category[c.Category]<<40 | day<<8 | province[c.Province], i}
	}
	slices.SortFunc(keys, func(a, b keyed) int { return cmp.Compare(a.key, b.key) })
	// The cells move in place, along the cycles of the order: a sorted
	// copy allocated 8 MB at 46,000 cells, which cost a garbage
	// collection of the locator's index.
	for start := range keys {
		if keys[start].i < 0 {
			continue
		}
		held := cells[start]
		j := start
		for {
			from := keys[j].i
			keys[j].i = -1
			if from == start {
				cells[j] = held
				break
			}
			cells[j] = cells[from]
			j = from
		}
	}
	return cells
}

// cellColumns are the columns of a Cell, typed so that Arrow gives strings,
// dates, BIGINT and DOUBLE.
const cellColumns = `coalesce(district_code, ''), coalesce(province, ''), category, month,
	CAST(incidents AS BIGINT), CAST(coalesce(records, incidents) AS BIGINT), CAST(coalesce(victims, 0) AS BIGINT),
	CAST(coalesce(quantity, 0) AS DOUBLE), CAST(coalesce(amount_pkr, 0) AS DOUBLE),
	CAST(coalesce(by_point, 0) AS BIGINT), CAST(coalesce(by_near, 0) AS BIGINT), CAST(coalesce(by_name, 0) AS BIGINT),
	CAST(coalesce(by_province, 0) AS BIGINT), CAST(coalesce(by_country, 0) AS BIGINT)`

func cells(ctx context.Context, q querier, f CellFilter) ([]Cell, error) {
	from := "district_month"
	if !f.Sub.IsZero() {
		from = incidentCells(f.Sub)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+cellColumns+`
		FROM `+from+`
		WHERE ($1 = '' OR category = $1) AND ($2::DATE IS NULL OR month >= $2) AND ($3::DATE IS NULL OR month <= $3)
			AND ($4 = '' OR province = $4)`+f.near("district_code")+`
		ORDER BY 1, 3, 4, 2`, f.Category, nullDate(f.From), nullDate(f.To), f.Province)
	if err != nil {
		return nil, fmt.Errorf("store: district_month: %w", err)
	}
	defer rows.Close()
	var out []Cell
	for rows.Next() {
		var c Cell
		if err := rows.Scan(&c.District, &c.Province, &c.Category, &c.Month, &c.Incidents, &c.Records, &c.Victims,
			&c.Quantity, &c.AmountPKR, &c.ByPrecision[0], &c.ByPrecision[1], &c.ByPrecision[2], &c.ByPrecision[3],
			&c.ByPrecision[4]); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Districts reads the districts table in code order.
func (s *Store) Districts(ctx context.Context) ([]District, error) { return districts(ctx, s.db) }

// Districts reads the districts table inside the run's transaction.
func (r *Run) Districts(ctx context.Context) ([]District, error) { return districts(ctx, r.conn) }

func districts(ctx context.Context, q querier) ([]District, error) {
	// A database made before the crossings has not their columns, and one
	// opened read-only cannot gain them.
	crossing := `'', CAST(NULL AS DOUBLE)`
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_columns() WHERE table_name = 'districts' AND column_name = 'crossing_km'`).Scan(&n); err != nil {
		return nil, fmt.Errorf("store: districts: %w", err)
	}
	if n > 0 {
		crossing = `coalesce(crossing, ''), crossing_km`
	}
	rows, err := q.QueryContext(ctx, `SELECT district_code, district_name, coalesce(province, ''), coalesce(border, false), `+crossing+` FROM districts ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("store: districts: %w", err)
	}
	defer rows.Close()
	var out []District
	for rows.Next() {
		var d District
		var km sql.NullFloat64
		if err := rows.Scan(&d.Code, &d.Name, &d.Province, &d.Border, &d.Crossing, &km); err != nil {
			return nil, err
		}
		d.CrossingKm = math.NaN()
		if km.Valid {
			d.CrossingKm = km.Float64
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// PopulationByDistrict reads the population table: each district's census
// years, earliest first.
func (s *Store) PopulationByDistrict(ctx context.Context) (map[string][]PopulationYear, error) {
	return population(ctx, s.db)
}

// PopulationByDistrict reads the population table inside the run's
// transaction.
func (r *Run) PopulationByDistrict(ctx context.Context) (map[string][]PopulationYear, error) {
	return population(ctx, r.conn)
}

func population(ctx context.Context, q querier) (map[string][]PopulationYear, error) {
	rows, err := q.QueryContext(ctx, `SELECT district_code, year, population FROM population ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("store: population: %w", err)
	}
	defer rows.Close()
	out := map[string][]PopulationYear{}
	for rows.Next() {
		var code string
		var p PopulationYear
		if err := rows.Scan(&code, &p.Year, &p.Population); err != nil {
			return nil, err
		}
		out[code] = append(out[code], p)
	}
	return out, rows.Err()
}

// SourceShare is how many records one source gave in a scope.
type SourceShare struct {
	Source  string `json:"source"`
	Records int64  `json:"records"`
}

// Sources counts the records of each source in district_month_sources
// within f (the province filter applies through the district), most first.
func (s *Store) Sources(ctx context.Context, f CellFilter) ([]SourceShare, error) {
	if !f.Sub.IsZero() {
		rows, err := s.db.QueryContext(ctx, `SELECT coalesce(i.source, i.layout, ''), count(*) FROM incidents i
			WHERE `+f.Sub.predicate("i")+` AND ($1 = '' OR i.category = $1) AND ($2::DATE IS NULL OR i.occurred_on >= $2)
				AND ($3::DATE IS NULL OR i.occurred_on < $3::DATE + INTERVAL 1 MONTH) AND ($4 = '' OR i.province = $4)`+f.near("i.district_code")+`
			GROUP BY 1 ORDER BY 2 DESC, 1`, f.Category, nullDate(f.From), nullDate(f.To), f.Province)
		if err != nil {
			return nil, fmt.Errorf("store: sources: %w", err)
		}
		return scanShares(rows)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT s.source, sum(s.records) FROM district_month_sources s
		LEFT JOIN districts d USING (district_code)
		WHERE ($1 = '' OR s.category = $1) AND ($2::DATE IS NULL OR s.month >= $2) AND ($3::DATE IS NULL OR s.month <= $3)
			AND ($4 = '' OR d.province = $4)`+f.near("s.district_code")+`
		GROUP BY 1 ORDER BY 2 DESC, 1`, f.Category, nullDate(f.From), nullDate(f.To), f.Province)
	if err != nil {
		return nil, fmt.Errorf("store: district_month_sources: %w", err)
	}
	return scanShares(rows)
}

// scanShares reads rows of a source and its count.
func scanShares(rows *sql.Rows) ([]SourceShare, error) {
	defer rows.Close()
	var out []SourceShare
	for rows.Next() {
		var x SourceShare
		if err := rows.Scan(&x.Source, &x.Records); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
