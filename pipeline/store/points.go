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
	Disputed           bool // the row's name is in another district
}

// DisputedPoints returns the rows of this run, in incidents and
// context_events, that were placed by an exact point shared with a row of
// the same file whose name is in another district: every row at such a
// point, the agreeing ones too. They come grouped by table, file and point.
func (r *Run) DisputedPoints(ctx context.Context) ([]PointRow, error) {
	var out []PointRow
	for _, table := range []string{TableIncidents, TableContext} {
		rows, err := r.conn.QueryContext(ctx, fmt.Sprintf(`
			WITH disputed AS (
				SELECT DISTINCT source_file, lat, lon FROM %[1]s
				WHERE run_id = $1 AND location_precision = 1 AND ends_with(location_note, $2))
			SELECT t.source_file, t.source_line, t.lon, t.lat, t.district_code, t.district_hint, t.province_hint,
				t.occurred_on, coalesce(ends_with(t.location_note, $2), false)
			FROM %[1]s t JOIN disputed d ON t.source_file = d.source_file AND t.lat = d.lat AND t.lon = d.lon
			WHERE t.run_id = $1 AND t.location_precision = 1
			ORDER BY t.source_file, t.lat, t.lon, t.source_line`, table), r.ID, schemas.NotePointKept)
		if err != nil {
			return nil, fmt.Errorf("store: points of %s: %w", table, err)
		}
		for rows.Next() {
			p := PointRow{Table: table}
			var hint, prov sql.NullString
			var on sql.NullTime
			if err := rows.Scan(&p.File, &p.Line, &p.Lon, &p.Lat, &p.District, &hint, &prov, &on, &p.Disputed); err != nil {
				rows.Close()
				return nil, err
			}
			p.Hint, p.ProvinceHint, p.On = hint.String, prov.String, on.Time
			out = append(out, p)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
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
