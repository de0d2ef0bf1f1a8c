//go:build duckdb_arrow

package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"math"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// measuresDDL holds the map's neighbours and the measures recomputed after
// every ingest (see package analysis for what each column means).
var measuresDDL = []string{
	`ALTER TABLE districts ADD COLUMN IF NOT EXISTS border BOOLEAN`,
	`CREATE TABLE IF NOT EXISTS district_neighbors (district_code VARCHAR, neighbor_code VARCHAR, kind VARCHAR)`,
	`CREATE TABLE IF NOT EXISTS district_measures (
		category VARCHAR, district_code VARCHAR, period_from DATE, period_to DATE,
		incidents BIGINT, records BIGINT, victims BIGINT, quantity DOUBLE, amount_pkr DOUBLE,
		population BIGINT, population_year INTEGER, rate_per_100k DOUBLE, eb_rate_per_100k DOUBLE,
		incidents_12m BIGINT, incidents_prev_12m BIGINT, change_12m_pct DOUBLE,
		trend_s DOUBLE, trend_z DOUBLE, trend_p DOUBLE, trend_tau DOUBLE, trend VARCHAR, emerging VARCHAR,
		basis VARCHAR, gi_z DOUBLE, gi_p DOUBLE, gi_bin INTEGER, lisa_i DOUBLE, lisa_p DOUBLE, lisa VARCHAR,
		share_point DOUBLE, share_near DOUBLE, share_name DOUBLE, border BOOLEAN, guard VARCHAR)`,
	// Why no class is given (too few incidents), added by issue 15.
	`ALTER TABLE district_measures ADD COLUMN IF NOT EXISTS guard VARCHAR`,
	`CREATE TABLE IF NOT EXISTS category_links (
		category_a VARCHAR, category_b VARCHAR, period_from DATE, period_to DATE,
		spearman DOUBLE, clq_ab DOUBLE, clq_ba DOUBLE)`,
	`CREATE TABLE IF NOT EXISTS border_summary (
		category VARCHAR, border BOOLEAN, districts INTEGER, incidents BIGINT, population BIGINT, rate_per_100k DOUBLE)`,
}

// MeasureRow is one district's row of district_measures.
type MeasureRow struct {
	Category, District               string
	From, To                         time.Time
	Incidents, Records, Victims      int64
	Quantity, AmountPKR              float64
	Population                       int64
	PopulationYear                   int
	Rate, EBRate                     float64
	Incidents12m, Prev12m            int64
	Change12m                        float64
	TrendS, TrendZ, TrendP, TrendTau float64
	Trend, Emerging, Basis           string
	GiZ, GiP                         float64
	GiBin                            int
	LisaI, LisaP                     float64
	Lisa                             string
	SharePoint, ShareNear, ShareName float64
	Border                           bool
	Guard                            string // why gi_bin, lisa and emerging are empty, or ""
}

// LinkRow is one row of category_links.
type LinkRow struct {
	A, B                 string
	From, To             time.Time
	Spearman, CLQ, CLQBA float64
}

// BorderRow is one row of border_summary.
type BorderRow struct {
	Category              string
	Border                bool
	Districts             int
	Incidents, Population int64
	Rate                  float64
}

// Measures is everything the measure tables hold.
type Measures struct {
	Districts []MeasureRow
	Links     []LinkRow
	Border    []BorderRow
}

// appendRows appends rows to table through DuckDB's appender, within the
// run's transaction: row-by-row INSERTs make DuckDB keep a block per
// statement until the commit.
func (r *Run) appendRows(table string, rows [][]driver.Value) error {
	return r.conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", table)
		if err != nil {
			return err
		}
		for _, row := range rows {
			if err := app.AppendRow(row...); err != nil {
				app.Close()
				return err
			}
		}
		return app.Close()
	})
}

// nullable turns NaN into SQL NULL.
func nullable(f float64) driver.Value {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return f
}

func nullString(s string) driver.Value {
	if s == "" {
		return nil
	}
	return s
}

// ReplaceMeasures replaces the measure tables, in the run's transaction.
func (r *Run) ReplaceMeasures(ctx context.Context, m *Measures) error {
	for _, q := range []string{`DELETE FROM district_measures`, `DELETE FROM category_links`, `DELETE FROM border_summary`} {
		if _, err := r.conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("store: measures: %w", err)
		}
	}
	rows := make([][]driver.Value, 0, len(m.Districts))
	for _, d := range m.Districts {
		var pop, year driver.Value
		if d.Population > 0 {
			pop, year = d.Population, int32(d.PopulationYear)
		}
		rows = append(rows, []driver.Value{d.Category, d.District, d.From, d.To,
			d.Incidents, d.Records, d.Victims, d.Quantity, d.AmountPKR,
			pop, year, nullable(d.Rate), nullable(d.EBRate),
			d.Incidents12m, d.Prev12m, nullable(d.Change12m),
			nullable(d.TrendS), nullable(d.TrendZ), nullable(d.TrendP), nullable(d.TrendTau), nullString(d.Trend), nullString(d.Emerging),
			d.Basis, nullable(d.GiZ), nullable(d.GiP), int32(d.GiBin), nullable(d.LisaI), nullable(d.LisaP), nullString(d.Lisa),
			nullable(d.SharePoint), nullable(d.ShareNear), nullable(d.ShareName), d.Border, nullString(d.Guard)})
	}
	if err := r.appendRows("district_measures", rows); err != nil {
		return fmt.Errorf("store: measures: %w", err)
	}
	for _, l := range m.Links {
		if _, err := r.conn.ExecContext(ctx, `INSERT INTO category_links VALUES (?, ?, ?, ?, ?, ?, ?)`,
			l.A, l.B, l.From, l.To, nullable(l.Spearman), nullable(l.CLQ), nullable(l.CLQBA)); err != nil {
			return fmt.Errorf("store: category links: %w", err)
		}
	}
	for _, b := range m.Border {
		var pop any
		if b.Population > 0 {
			pop = b.Population
		}
		if _, err := r.conn.ExecContext(ctx, `INSERT INTO border_summary VALUES (?, ?, ?, ?, ?, ?)`,
			b.Category, b.Border, b.Districts, b.Incidents, pop, nullable(b.Rate)); err != nil {
			return fmt.Errorf("store: border summary: %w", err)
		}
	}
	return nil
}

// Neighbors reads district_neighbors: each district's neighbour codes.
func (s *Store) Neighbors(ctx context.Context) (map[string][]string, error) {
	return neighbors(ctx, s.db)
}

// Neighbors reads district_neighbors inside the run's transaction.
func (r *Run) Neighbors(ctx context.Context) (map[string][]string, error) {
	return neighbors(ctx, r.conn)
}

func neighbors(ctx context.Context, q querier) (map[string][]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT district_code, neighbor_code FROM district_neighbors ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("store: district_neighbors: %w", err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			return nil, err
		}
		out[a] = append(out[a], b)
	}
	return out, rows.Err()
}

// insertNeighbors fills district_neighbors and districts.border from the
// boundaries' weights, once per database.
func (r *Run) insertNeighbors(ctx context.Context, b BoundaryInfo) error {
	var n int
	if err := r.conn.QueryRowContext(ctx, `SELECT count(*) FROM district_neighbors`).Scan(&n); err != nil || n > 0 || b.Weights == nil {
		return err
	}
	nbrs, kind, border := b.Weights()
	var rows [][]driver.Value
	for i, nb := range nbrs {
		for _, j := range nb {
			rows = append(rows, []driver.Value{b.Districts[i].Code, b.Districts[j].Code, kind})
		}
	}
	if err := r.appendRows("district_neighbors", rows); err != nil {
		return fmt.Errorf("store: district_neighbors: %w", err)
	}
	var codes []string
	for i, on := range border {
		if on {
			codes = append(codes, b.Districts[i].Code)
		}
	}
	_, err := r.conn.ExecContext(ctx, `UPDATE districts SET border = list_contains(?::VARCHAR[], district_code)`, codes)
	return err
}
