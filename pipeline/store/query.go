//go:build duckdb_arrow

package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/ocmap/ocmap/schemas"
)

// SummaryQuery selects districts ranked by incidents.
type SummaryQuery struct {
	Category string    // empty for all four
	From, To time.Time // first days of months, inclusive; zero for open
	Top      int       // 0 for all districts
}

// SummaryRow is one district's totals in the query's scope.
type SummaryRow struct {
	Rank                 int
	Code, Name, Province string
	Incidents            int64
	ByCategory           [schemas.NumCategories]int64
	Quantity, AmountPKR  float64
	ByPoint, ByName      int64
}

// Totals describe the whole scope of a summary, not only the top rows.
type Totals struct {
	Incidents      int64 // incident groups: records of one incident count once
	Records        int64 // source records, duplicates included
	Districts      int64 // districts with at least one incident
	FirstMonth     time.Time
	LastMonth      time.Time
	Rejected, Runs int64
}

// Summary ranks districts by incidents within the query's scope.
func (s *Store) Summary(ctx context.Context, q SummaryQuery) ([]SummaryRow, Totals, error) {
	where := ` WHERE ($1 = '' OR m.category = $1) AND ($2::DATE IS NULL OR m.month >= $2) AND ($3::DATE IS NULL OR m.month <= $3)`
	args := []any{q.Category, nullDate(q.From), nullDate(q.To)}
	limit := ""
	if q.Top > 0 {
		limit = fmt.Sprintf(" LIMIT %d", q.Top)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT d.district_code, d.district_name, coalesce(d.province, ''),
			sum(m.incidents),
			coalesce(sum(m.incidents) FILTER (WHERE m.category = 'terror_financing'), 0),
			coalesce(sum(m.incidents) FILTER (WHERE m.category = 'drug_trafficking'), 0),
			coalesce(sum(m.incidents) FILTER (WHERE m.category = 'human_trafficking'), 0),
			coalesce(sum(m.incidents) FILTER (WHERE m.category = 'cybercrime'), 0),
			coalesce(sum(m.quantity), 0), coalesce(sum(m.amount_pkr), 0),
			sum(m.by_point), sum(m.by_name)
		FROM district_month m JOIN districts d USING (district_code)`+where+`
		GROUP BY ALL ORDER BY 4 DESC, 1`+limit, args...)
	if err != nil {
		return nil, Totals{}, fmt.Errorf("store: %s: summary: %w", s.Path, err)
	}
	defer rows.Close()
	var out []SummaryRow
	for rows.Next() {
		var r SummaryRow
		if err := rows.Scan(&r.Code, &r.Name, &r.Province, &r.Incidents,
			&r.ByCategory[0], &r.ByCategory[1], &r.ByCategory[2], &r.ByCategory[3],
			&r.Quantity, &r.AmountPKR, &r.ByPoint, &r.ByName); err != nil {
			return nil, Totals{}, err
		}
		r.Rank = len(out) + 1
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, Totals{}, err
	}
	var t Totals
	var first, last sql.NullTime
	err = s.db.QueryRowContext(ctx, `SELECT coalesce(sum(m.incidents), 0), coalesce(sum(m.records), 0),
			count(DISTINCT m.district_code) FILTER (WHERE m.incidents > 0),
			min(m.month), max(m.month) FROM district_month m`+where, args...).Scan(&t.Incidents, &t.Records, &t.Districts, &first, &last)
	if err != nil {
		return nil, Totals{}, err
	}
	t.FirstMonth, t.LastMonth = first.Time, last.Time
	if err := s.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM rejects), (SELECT count(*) FROM ingest_runs)`).Scan(&t.Rejected, &t.Runs); err != nil {
		return nil, Totals{}, err
	}
	return out, t, nil
}

func nullDate(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format("2006-01-02")
}
