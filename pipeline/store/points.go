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

// PointRow is a row a run placed by its exact point, or by its name over
// its point.
type PointRow struct {
	Table, File        string
	Line               int64
	Lon, Lat           float64
	District           string // the district the row is in: its point's, or its name's over the point
	Hint, ProvinceHint string // the place and province names as written
	Place              string // the place text
	On                 time.Time
	Point              PointStats // of the row's point, the same for every row there
}

// PointStats describes one point of one file: how many rows give it, how
// many different places they name, over how many days, and which rule
// makes it suspect.
type PointStats struct {
	Rows, Places, SpanDays int64
	Coarse                 bool   // both coordinates have two decimals or fewer
	Rule                   string // Rule*
}

// Why a point is suspect (PointStats.Rule).
const (
	// RuleNames: a row's name is in another district than the point.
	RuleNames = "names"
	// RulePlaces: many rows name different places at the one point.
	RulePlaces = "places"
	// RuleCoarse: a point of two decimals or fewer given to rows that name
	// different places.
	RuleCoarse = "coarse"
	// RuleDates: rows at the one point span more than a year.
	RuleDates = "dates"
)

// Thresholds of the placeholder rules, chosen on the two real PBC files
// (README, "How ocmap decides where an event was"): there every point that
// three or more rows share is a city's point given to events all over the
// city (Peshawar's to 71 rows naming 71 places), while no real site of
// those files is given to three rows.
const (
	PlaceholderMinRows   = 3   // RulePlaces and RuleDates need this many rows at the point
	PlaceholderMinPlaces = 3   // RulePlaces: this many different place texts
	PlaceholderSpanDays  = 366 // RuleDates: rows spread over more than a year
)

// chunkRows is about how many rows DisputedPoints hands over at a time
// (a variable for tests).
var chunkRows = 50000

// DisputedPoints calls fn with the rows of this run, in incidents and
// context_events, that were placed by an exact point that a rule makes
// suspect (PointStats.Rule): shared with a row of the same file whose name
// is in another district, or given to many rows naming different places,
// or coarse and given to rows naming different places, or given to rows
// over more than a year. Every row at such a point comes, grouped by
// table, file and point. Each call
// holds whole points and about chunkRows rows (more only when one point
// has more), so memory stays bounded however many rows are disputed; fn may
// use the run (Replace) between calls.
func (r *Run) DisputedPoints(ctx context.Context, fn func([]PointRow) error) error {
	const points = "ocmap_disputed_points"
	for _, table := range []string{TableIncidents, TableContext} {
		// The disputed points, numbered in chunks of whole points.
		// One pass over the run's rows placed by a point: each point of
		// each file with its statistics, kept when a rule makes it suspect.
		if _, err := r.conn.ExecContext(ctx, fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE %[2]s AS
			WITH shared AS (
				-- Most points of most files are their row's own: the costly
				-- statistics below are for the shared ones only, found by a
				-- hash of file and point (a hash shared by chance brings
				-- points of one row each, which stats leaves out). Both
				-- read the table: a CTE of the run's rows that both read
				-- was stored whole, its text columns too (0.6 s at 5M
				-- rows), and a group of files' names and points took
				-- 0.35 s more than one of hashes.
				SELECT hash(source_file, lat, lon) AS h FROM %[1]s WHERE %[8]s GROUP BY ALL HAVING count(*) > 1),
			stats AS (
				SELECT source_file, lat, lon, count(*) AS n,
					count(DISTINCT lower(trim(coalesce(nullif(trim(place), ''), district_hint)))) AS places,
					coalesce(datediff('day', min(occurred_on), max(occurred_on)), 0) AS span,
					bool_or(coalesce(ends_with(location_note, $2) OR ends_with(location_note, $6), false)) AS disputed,
					round(lat, 2) = lat AND round(lon, 2) = lon AS coarse
				FROM %[1]s
				WHERE %[8]s AND hash(source_file, lat, lon) IN (SELECT h FROM shared)
				GROUP BY source_file, lat, lon HAVING count(*) > 1),
			ruled AS (
				SELECT *, CASE
					WHEN n >= $3 AND places >= $4 THEN '%[4]s'
					WHEN coarse AND places >= 2 THEN '%[5]s'
					WHEN n >= $3 AND span >= $5 THEN '%[6]s'
					WHEN disputed THEN '%[7]s' END AS rule
				FROM stats)
			SELECT source_file, lat, lon, n, places, span, coarse, rule,
				(sum(n) OVER (ORDER BY source_file, lat, lon) - n) // %[3]d AS chunk
			FROM ruled WHERE rule IS NOT NULL`, table, points, chunkRows, RulePlaces, RuleCoarse, RuleDates, RuleNames,
			`run_id = $1 AND lat IS NOT NULL AND (location_precision = 1 OR ends_with(location_note, $6))`),
			r.ID, schemas.NotePointKept, PlaceholderMinRows, PlaceholderMinPlaces, PlaceholderSpanDays, schemas.NoteNameOverPoint); err != nil {
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
			t.occurred_on, coalesce(t.place, ''), d.n, d.places, d.span, d.coarse, d.rule
		FROM %s t JOIN %s d ON t.source_file = d.source_file AND t.lat = d.lat AND t.lon = d.lon
		WHERE t.run_id = $1 AND (t.location_precision = 1 OR ends_with(t.location_note, $3)) AND d.chunk = $2
		ORDER BY t.source_file, t.lat, t.lon, t.source_line`, table, points), r.ID, chunk, schemas.NoteNameOverPoint)
	if err != nil {
		return nil, fmt.Errorf("store: points of %s: %w", table, err)
	}
	defer rows.Close()
	var out []PointRow
	for rows.Next() {
		p := PointRow{Table: table}
		var hint, prov sql.NullString
		var on sql.NullTime
		if err := rows.Scan(&p.File, &p.Line, &p.Lon, &p.Lat, &p.District, &hint, &prov, &on, &p.Place,
			&p.Point.Rows, &p.Point.Places, &p.Point.SpanDays, &p.Point.Coarse, &p.Point.Rule); err != nil {
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
