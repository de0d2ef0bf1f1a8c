//go:build duckdb_arrow

package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/ocmap/ocmap/schemas"
)

// PointRow is a row a run placed by its exact point.
type PointRow struct {
	Table, File        string
	Line               int64
	Lon, Lat           float64
	District           string // the district the point is in
	Hint, ProvinceHint string // the place and province names as written
	On                 time.Time
}

// chunkRows is about how many rows DisputedPoints hands over at a time
// (a variable for tests).
var chunkRows = 50000

// DisputedPoints calls fn with the rows of this run, in incidents and
// context_events, that were placed by an exact point shared with a row of
// the same file whose name is in another district: every row at such a
// point, the agreeing ones too, grouped by table, file and point. Each call
// holds whole points and about chunkRows rows (more only when one point
// has more), so memory stays bounded however many rows are disputed; fn may
// use the run (Replace) between calls.
func (r *Run) DisputedPoints(ctx context.Context, fn func([]PointRow) error) error {
	const points = "ocmap_disputed_points"
	for _, table := range []string{TableIncidents, TableContext} {
		// The disputed points, numbered in chunks of whole points.
		if _, err := r.conn.ExecContext(ctx, fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE %[2]s AS
			WITH disputed AS (
				SELECT DISTINCT source_file, lat, lon FROM %[1]s
				WHERE run_id = $1 AND location_precision = 1 AND ends_with(location_note, $2)),
			counted AS (
				SELECT t.source_file, t.lat, t.lon, count(*) AS n
				FROM %[1]s t JOIN disputed d ON t.source_file = d.source_file AND t.lat = d.lat AND t.lon = d.lon
				WHERE t.run_id = $1 AND t.location_precision = 1 GROUP BY ALL)
			SELECT source_file, lat, lon,
				(sum(n) OVER (ORDER BY source_file, lat, lon) - n) // %[3]d AS chunk
			FROM counted`, table, points, chunkRows), r.ID, schemas.NotePointKept); err != nil {
			return fmt.Errorf("store: points of %s: %w", table, err)
		}
		var chunks []int64
		rows, err := r.conn.QueryContext(ctx, `SELECT DISTINCT chunk FROM `+points+` ORDER BY 1`)
		if err != nil {
			return fmt.Errorf("store: points of %s: %w", table, err)
		}
		for rows.Next() {
			var c int64
			if err := rows.Scan(&c); err != nil {
				rows.Close()
				return err
			}
			chunks = append(chunks, c)
		}
		rows.Close()
		for _, c := range chunks {
			got, err := r.pointRows(ctx, table, points, c)
			if err != nil {
				return err
			}
			if err := fn(got); err != nil {
				return err
			}
		}
	}
	_, err := r.conn.ExecContext(ctx, `DROP TABLE IF EXISTS `+points)
	return err
}

// pointRows reads the rows at one chunk of disputed points.
func (r *Run) pointRows(ctx context.Context, table, points string, chunk int64) ([]PointRow, error) {
	rows, err := r.conn.QueryContext(ctx, fmt.Sprintf(`
		SELECT t.source_file, t.source_line, t.lon, t.lat, t.district_code, t.district_hint, t.province_hint,
			t.occurred_on
		FROM %s t JOIN %s d ON t.source_file = d.source_file AND t.lat = d.lat AND t.lon = d.lon
		WHERE t.run_id = $1 AND t.location_precision = 1 AND d.chunk = $2
		ORDER BY t.source_file, t.lat, t.lon, t.source_line`, table, points), r.ID, chunk)
	if err != nil {
		return nil, fmt.Errorf("store: points of %s: %w", table, err)
	}
	defer rows.Close()
	var out []PointRow
	for rows.Next() {
		p := PointRow{Table: table}
		var hint, prov sql.NullString
		var on sql.NullTime
		if err := rows.Scan(&p.File, &p.Line, &p.Lon, &p.Lat, &p.District, &hint, &prov, &on); err != nil {
			return nil, err
		}
		p.Hint, p.ProvinceHint, p.On = hint.String, prov.String, on.Time
		out = append(out, p)
	}
	return out, rows.Err()
}

// Replacement places one row of this run anew.
type Replacement struct {
	Table, File                      string
	Line                             int64
	District, DistrictName, Province string // District "" for a province only
	Precision                        int8
	Method                           string
	Score                            float32
	Note                             string
}

// Replace updates the location of rows of this run, in one statement per
// table.
func (r *Run) Replace(ctx context.Context, reps []Replacement) error {
	byTable := map[string][][]driver.Value{}
	for _, x := range reps {
		if x.Table != TableIncidents && x.Table != TableContext {
			return fmt.Errorf("store: cannot replace locations in %q", x.Table)
		}
		byTable[x.Table] = append(byTable[x.Table], []driver.Value{x.File, x.Line, nullString(x.District),
			nullString(x.DistrictName), nullString(x.Province), x.Precision, x.Method, x.Score, nullString(x.Note)})
	}
	for _, table := range []string{TableIncidents, TableContext} {
		rows := byTable[table]
		if len(rows) == 0 {
			continue
		}
		const stage = "ocmap_replacements"
		if _, err := r.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE `+stage+` (
			source_file VARCHAR, source_line BIGINT, district_code VARCHAR, district_name VARCHAR, province VARCHAR,
			location_precision TINYINT, match_method VARCHAR, match_score FLOAT, location_note VARCHAR)`); err != nil {
			return fmt.Errorf("store: replacing locations: %w", err)
		}
		if err := r.appendRows(stage, rows); err != nil {
			return fmt.Errorf("store: replacing locations: %w", err)
		}
		if _, err := r.conn.ExecContext(ctx, fmt.Sprintf(`UPDATE %s t SET district_code = x.district_code,
				district_name = x.district_name, province = x.province, location_precision = x.location_precision,
				match_method = x.match_method, match_score = x.match_score, location_note = x.location_note
			FROM %s x WHERE t.run_id = $1 AND t.source_file = x.source_file AND t.source_line = x.source_line`, table, stage),
			r.ID); err != nil {
			return fmt.Errorf("store: replacing locations in %s: %w", table, err)
		}
		if _, err := r.conn.ExecContext(ctx, `DROP TABLE `+stage); err != nil {
			return err
		}
	}
	return nil
}
