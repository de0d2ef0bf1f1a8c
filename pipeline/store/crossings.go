//go:build duckdb_arrow

package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
)

// crossingsDDL gives the districts their nearest official crossing (see
// geo.NearestCrossings): its name and the distance in km from the district
// polygon, 0 when the crossing lies inside the district. Databases made
// before issue 18 gain the columns when next opened for writing.
var crossingsDDL = []string{
	`ALTER TABLE districts ADD COLUMN IF NOT EXISTS crossing VARCHAR`,
	`ALTER TABLE districts ADD COLUMN IF NOT EXISTS crossing_km DOUBLE`,
}

// DistrictCrossing is one district's nearest crossing.
type DistrictCrossing struct {
	Code     string  // district code
	Crossing string  // the crossing's name
	Km       float64 // from the district polygon; 0 inside it
}

// SetCrossings replaces every district's crossing and crossing_km with cs
// (a district not in cs gets NULL) and records source, the crossings file
// they come from, in meta. boundariesSHA is the SHA-256 of the boundary
// file the distances were measured on: it must be the database's.
func (r *Run) SetCrossings(ctx context.Context, boundariesSHA, source string, cs []DistrictCrossing) error {
	var prev sql.NullString
	if err := r.conn.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'boundaries_sha256'`).Scan(&prev); err != nil && err != sql.ErrNoRows {
		return err
	}
	if !prev.Valid {
		return fmt.Errorf("store: %s has no districts yet; crossings are stored with the first ingest", r.s.Path)
	}
	if prev.String != boundariesSHA {
		return fmt.Errorf("%w: the distances to crossings were measured on boundaries with sha256 %.12s…, %s has %.12s…; "+
			"give the boundary file the database was built with", ErrBoundariesChanged, boundariesSHA, r.s.Path, prev.String)
	}
	codes, names, kms := make([]string, len(cs)), make([]string, len(cs)), make([]float64, len(cs))
	for i, c := range cs {
		if math.IsNaN(c.Km) || math.IsInf(c.Km, 0) || c.Km < 0 {
			return fmt.Errorf("store: district %s: distance to %s is %v km", c.Code, c.Crossing, c.Km)
		}
		codes[i], names[i], kms[i] = c.Code, c.Crossing, c.Km
	}
	if _, err := r.conn.ExecContext(ctx, `UPDATE districts SET crossing = NULL, crossing_km = NULL`); err != nil {
		return fmt.Errorf("store: districts: %w", err)
	}
	if len(cs) > 0 {
		if _, err := r.conn.ExecContext(ctx, `UPDATE districts SET crossing = c.crossing, crossing_km = c.km
			FROM (SELECT unnest(?::VARCHAR[]) AS code, unnest(?::VARCHAR[]) AS crossing, unnest(?::DOUBLE[]) AS km) c
			WHERE districts.district_code = c.code`, codes, names, kms); err != nil {
			return fmt.Errorf("store: districts: crossings: %w", err)
		}
	}
	_, err := r.conn.ExecContext(ctx, `INSERT OR REPLACE INTO meta VALUES ('crossings', ?)`, source)
	return err
}

// HasCrossings reports whether the districts table has distances to
// crossings: a database made before them, and not ingested into or
// rebuilt since, has not.
func (s *Store) HasCrossings(ctx context.Context) (bool, error) { return hasCrossings(ctx, s.db) }

func hasCrossings(ctx context.Context, q querier) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_columns() WHERE table_name = 'districts' AND column_name = 'crossing_km'`).Scan(&n)
	if err != nil || n == 0 {
		return false, err
	}
	err = q.QueryRowContext(ctx, `SELECT count(*) FROM districts WHERE crossing_km IS NOT NULL`).Scan(&n)
	return n > 0, err
}

// CrossingsSource is the crossings file the districts' distances come
// from, as recorded by SetCrossings, or "".
func (s *Store) CrossingsSource(ctx context.Context) (string, error) {
	var v sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'crossings'`).Scan(&v)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return v.String, err
}

// near is the condition that keeps the rows of districts within
// f.NearBorderKm of a crossing, col naming their district code; "" when
// f does not ask for it. The km is a float formatted by Go, not user text.
func (f CellFilter) near(col string) string {
	if f.NearBorderKm <= 0 {
		return ""
	}
	return ` AND ` + col + ` IN (SELECT district_code FROM districts WHERE crossing_km <= ` +
		strconv.FormatFloat(f.NearBorderKm, 'g', -1, 64) + `)`
}
