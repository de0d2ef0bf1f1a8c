//go:build duckdb_arrow

package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/ocmap/ocmap/schemas"
)

// SummaryQuery selects districts ranked by incidents.
type SummaryQuery struct {
	Category string    // empty for all four
	From, To time.Time // first days of months, inclusive; zero for open
	Top      int       // 0 for all districts
	// MaxPrecision counts only incidents located at precision 1 to
	// MaxPrecision (see KeepPrecision); 0 or 4 counts all. Records,
	// quantities and amounts are of every incident.
	MaxPrecision int
	// Sub keeps some subcategories only (see SubFilter).
	Sub SubFilter
	// Order ranks the districts by incidents (""), or by the sum of
	// quantity (kg of drugs with Category drug_trafficking), amount_pkr
	// or victims.
	Order string
	// NearBorderKm, when above 0, keeps the districts within it of a
	// border crossing (see CellFilter).
	NearBorderKm float64
}

// summaryOrder is the column each SummaryQuery.Order ranks by.
var summaryOrder = map[string]string{"": "4", "quantity": "9", "amount_pkr": "10", "victims": "15"}

// SummaryRow is one district's totals in the query's scope.
type SummaryRow struct {
	Rank                 int
	Code, Name, Province string
	Incidents            int64
	ByCategory           [schemas.NumCategories]int64
	// Quantity is the kg of drugs seized: a human trafficking row's
	// quantity counts victims, which are in Victims.
	Quantity, AmountPKR float64
	Victims             int64
	ByPoint, ByName     int64
	// Population is the district's in the census year nearest the end of
	// the period (0 when the database has none), and Rate the incidents
	// in the period per 100,000 people (0 without a population).
	Population     int64
	PopulationYear int
	Rate           float64
}

// Totals describe the whole scope of a summary, not only the top rows.
type Totals struct {
	Incidents  int64 // incident groups: records of one incident count once
	Records    int64 // source records, duplicates included
	Districts  int64 // districts with at least one incident
	FirstMonth time.Time
	LastMonth  time.Time
	// Rejected counts the rejected rows of the incident files;
	// PopulationRejected those of the population file, which are not
	// incidents.
	Rejected, PopulationRejected, Runs int64
	// Unallocated counts, per province, the incidents placed in a province
	// only: they are in Incidents but in no district's row. Province "" is
	// the incidents placed at national level only.
	Unallocated []ProvinceCount
}

// ProvinceCount is a number of incidents in one province.
type ProvinceCount struct {
	Province  string
	Incidents int64
}

// Summary ranks districts by incidents within the query's scope.
// RefYear is the year a summary takes population figures nearest to: the
// year of to, the period's last month, else of the database's last month,
// else this year.
func (s *Store) RefYear(ctx context.Context, to time.Time) int {
	if !to.IsZero() {
		return to.Year()
	}
	var last sql.NullTime
	if err := s.db.QueryRowContext(ctx, `SELECT max(month) FROM district_month`).Scan(&last); err == nil && last.Valid {
		return last.Time.Year()
	}
	return time.Now().Year()
}

// MonthSpan returns the first and last months of the database's dated
// incidents (district_month); zero times when it has none.
func (s *Store) MonthSpan(ctx context.Context) (first, last time.Time, err error) {
	var f, l sql.NullTime
	if err := s.db.QueryRowContext(ctx, `SELECT min(month), max(month) FROM district_month WHERE month IS NOT NULL`).Scan(&f, &l); err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("store: %s: months: %w", s.Path, err)
	}
	return f.Time, l.Time, nil
}

func (s *Store) Summary(ctx context.Context, q SummaryQuery) ([]SummaryRow, Totals, error) {
	where := ` WHERE ($1 = '' OR m.category = $1) AND ($2::DATE IS NULL OR m.month >= $2) AND ($3::DATE IS NULL OR m.month <= $3)`
	where += CellFilter{NearBorderKm: q.NearBorderKm}.near("m.district_code")
	args := []any{q.Category, nullDate(q.From), nullDate(q.To)}
	order, ok := summaryOrder[q.Order]
	if !ok {
		return nil, Totals{}, fmt.Errorf("store: summary: unknown order %q", q.Order)
	}
	limit := ""
	if q.Top > 0 {
		limit = fmt.Sprintf(" LIMIT %d", q.Top)
	}
	args = append(args, s.RefYear(ctx, q.To))
	// district_month, with incidents counting the kept precisions only.
	months := "district_month"
	if !q.Sub.IsZero() {
		months = incidentCells(q.Sub)
	}
	if q.MaxPrecision >= 1 && q.MaxPrecision <= 3 {
		kept := []string{"coalesce(by_point, 0)", "coalesce(by_near, 0)", "coalesce(by_name, 0)"}[:q.MaxPrecision]
		months = `(SELECT * REPLACE (` + strings.Join(kept, " + ") + ` AS incidents) FROM ` + months + `)`
	}
	rows, err := s.db.QueryContext(ctx, `WITH pop AS (
			SELECT district_code, year, population FROM population
			QUALIFY row_number() OVER (PARTITION BY district_code ORDER BY abs(year - $4), year) = 1)
		SELECT d.district_code, d.district_name, coalesce(d.province, ''),
			sum(m.incidents),
			coalesce(sum(m.incidents) FILTER (WHERE m.category = 'terror_financing'), 0),
			coalesce(sum(m.incidents) FILTER (WHERE m.category = 'drug_trafficking'), 0),
			coalesce(sum(m.incidents) FILTER (WHERE m.category = 'human_trafficking'), 0),
			coalesce(sum(m.incidents) FILTER (WHERE m.category = 'cybercrime'), 0),
			coalesce(sum(m.quantity) FILTER (WHERE m.category = 'drug_trafficking'), 0), coalesce(sum(m.amount_pkr), 0),
			sum(m.by_point), sum(m.by_name),
			coalesce(any_value(p.population), 0), coalesce(any_value(p.year), 0),
			coalesce(sum(m.victims), 0)
		FROM `+months+` m JOIN districts d USING (district_code) LEFT JOIN pop p USING (district_code)`+where+`
		GROUP BY d.district_code, d.district_name, d.province ORDER BY `+order+` DESC, 4 DESC, 1`+limit, args...)
	if err != nil {
		return nil, Totals{}, fmt.Errorf("store: %s: summary: %w", s.Path, err)
	}
	defer rows.Close()
	var out []SummaryRow
	for rows.Next() {
		var r SummaryRow
		if err := rows.Scan(&r.Code, &r.Name, &r.Province, &r.Incidents,
			&r.ByCategory[0], &r.ByCategory[1], &r.ByCategory[2], &r.ByCategory[3],
			&r.Quantity, &r.AmountPKR, &r.ByPoint, &r.ByName, &r.Population, &r.PopulationYear, &r.Victims); err != nil {
			return nil, Totals{}, err
		}
		if r.Population > 0 {
			r.Rate = float64(r.Incidents) * 1e5 / float64(r.Population)
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
			min(m.month), max(m.month) FROM `+months+` m`+where, args[:3]...).Scan(&t.Incidents, &t.Records, &t.Districts, &first, &last)
	if err != nil {
		return nil, Totals{}, err
	}
	t.FirstMonth, t.LastMonth = first.Time, last.Time
	urows, err := s.db.QueryContext(ctx, `SELECT coalesce(m.province, ''), sum(m.incidents) FROM `+months+` m`+where+`
		AND m.district_code IS NULL GROUP BY 1 HAVING sum(m.incidents) > 0 ORDER BY 2 DESC, 1`, args[:3]...)
	if err != nil {
		return nil, Totals{}, err
	}
	defer urows.Close()
	for urows.Next() {
		var pc ProvinceCount
		if err := urows.Scan(&pc.Province, &pc.Incidents); err != nil {
			return nil, Totals{}, err
		}
		t.Unallocated = append(t.Unallocated, pc)
	}
	if err := urows.Err(); err != nil {
		return nil, Totals{}, err
	}
	if err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM rejects WHERE source_file NOT IN (SELECT value FROM meta WHERE key = 'population_file')),
		(SELECT count(*) FROM rejects WHERE source_file IN (SELECT value FROM meta WHERE key = 'population_file')),
		(SELECT count(*) FROM ingest_runs)`).Scan(&t.Rejected, &t.PopulationRejected, &t.Runs); err != nil {
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
