//go:build duckdb_arrow

package store

import (
	"context"
	"fmt"
)

// EventTypes lists the event types of context_events, sorted.
func (s *Store) EventTypes(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT event_type FROM context_events WHERE event_type IS NOT NULL ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("store: context_events: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// EventCells reads context_events as cells of district_month: per
// district, province, event type (in Category) and month of occurred_on,
// Incidents and Records are the events, Killed and Injured their sums, and
// ByPrecision the events by location precision. f.Category is the event
// type ("" every type). Only events located at precision 1 to maxPrecision
// count (0, or 4 and more: every event, those placed in Pakistan only too),
// so that killed and injured follow the same filter as the events; cells
// are ordered as Cells orders them. Context events are not linked into
// incident groups: each row is one event.
func (s *Store) EventCells(ctx context.Context, f CellFilter, maxPrecision int) ([]Cell, error) {
	if maxPrecision <= 0 || maxPrecision >= 4 {
		maxPrecision = 6
	}
	rows, err := s.db.QueryContext(ctx, `SELECT coalesce(district_code, ''), coalesce(province, ''), event_type,
			CAST(date_trunc('month', occurred_on) AS DATE) AS month, count(*), count(*),
			CAST(coalesce(sum(killed), 0) AS BIGINT), CAST(coalesce(sum(injured), 0) AS BIGINT),
			count(*) FILTER (location_precision = 1), count(*) FILTER (location_precision = 2),
			count(*) FILTER (location_precision = 3), count(*) FILTER (location_precision = 4),
			count(*) FILTER (location_precision = 6)
		FROM context_events
		WHERE occurred_on IS NOT NULL AND event_type IS NOT NULL AND coalesce(location_precision, 6) <= $5
			AND ($1 = '' OR event_type = $1) AND ($2::DATE IS NULL OR occurred_on >= $2)
			AND ($3::DATE IS NULL OR occurred_on < $3::DATE + INTERVAL 1 MONTH) AND ($4 = '' OR province = $4)`+f.near("district_code")+`
		GROUP BY ALL ORDER BY 1, 3, 4, 2`, f.Category, nullDate(f.From), nullDate(f.To), f.Province, maxPrecision)
	if err != nil {
		return nil, fmt.Errorf("store: context_events: %w", err)
	}
	defer rows.Close()
	var out []Cell
	for rows.Next() {
		var c Cell
		if err := rows.Scan(&c.District, &c.Province, &c.Category, &c.Month, &c.Incidents, &c.Records, &c.Killed, &c.Injured,
			&c.ByPrecision[0], &c.ByPrecision[1], &c.ByPrecision[2], &c.ByPrecision[3], &c.ByPrecision[4]); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// EventSources counts the events of each source (the source column, else
// the layout name) within f, f.Category being the event type, most first.
func (s *Store) EventSources(ctx context.Context, f CellFilter) ([]SourceShare, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT coalesce(nullif(source, ''), layout, ''), count(*) FROM context_events
		WHERE occurred_on IS NOT NULL AND ($1 = '' OR event_type = $1) AND ($2::DATE IS NULL OR occurred_on >= $2)
			AND ($3::DATE IS NULL OR occurred_on < $3::DATE + INTERVAL 1 MONTH) AND ($4 = '' OR province = $4)`+f.near("district_code")+`
		GROUP BY 1 ORDER BY 2 DESC, 1`, f.Category, nullDate(f.From), nullDate(f.To), f.Province)
	if err != nil {
		return nil, fmt.Errorf("store: context_events: %w", err)
	}
	return scanShares(rows)
}
