//go:build duckdb_arrow

package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"
)

// populationDDL holds census population by district and year, and the view
// that puts each district_month row beside the population of the census
// year nearest its month (the earlier one on a tie), with the rate per
// 100,000 people.
var populationDDL = []string{
	`CREATE TABLE IF NOT EXISTS population (
		district_code VARCHAR, year INTEGER, population BIGINT, source_file VARCHAR)`,
	`CREATE OR REPLACE VIEW district_month_rates AS
		SELECT m.*, p.year AS population_year, p.population,
			m.incidents * 100000.0 / p.population AS rate_per_100k
		FROM district_month m LEFT JOIN population p USING (district_code)
		QUALIFY row_number() OVER (PARTITION BY m.district_code, m.province, m.category, m.month
			ORDER BY abs(p.year - year(m.month)), p.year) = 1`,
}

// Population is one district's population in one census year.
type Population struct {
	DistrictCode string
	Year         int
	Population   int64
}

// ReplacePopulation replaces the population table with rows from file, in
// the run's transaction.
func (r *Run) ReplacePopulation(ctx context.Context, file, sha256 string, rows []Population) error {
	for _, q := range []string{
		// The rejected rows of the file it replaces go too.
		`DELETE FROM rejects WHERE source_file IN (SELECT value FROM meta WHERE key = 'population_file')`,
		`DELETE FROM population`,
		`INSERT OR REPLACE INTO meta VALUES ('population_file', ?)`,
		`INSERT OR REPLACE INTO meta VALUES ('population_sha256', ?)`,
	} {
		var args []any
		switch {
		case strings.Contains(q, "population_sha256"):
			args = []any{sha256}
		case strings.Contains(q, "?"):
			args = []any{file}
		}
		if _, err := r.conn.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("store: population: %w", err)
		}
	}
	vals := make([][]driver.Value, len(rows))
	for i, p := range rows {
		vals[i] = []driver.Value{p.DistrictCode, int32(p.Year), p.Population, file}
	}
	if err := r.appendRows("population", vals); err != nil {
		return fmt.Errorf("store: population: %w", err)
	}
	return nil
}

// Reject records one unusable row of a file that is not streamed, such as a
// population table.
func (r *Run) Reject(ctx context.Context, file string, line int64, field, reason string, raw *string) error {
	_, err := r.conn.ExecContext(ctx, `INSERT INTO rejects VALUES (?, ?, ?, ?, ?, ?)`, r.ID, file, line, field, reason, raw)
	return err
}
