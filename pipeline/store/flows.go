//go:build duckdb_arrow

package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/ocmap/ocmap/schemas"
)

// FlowQuery selects the incidents whose origins and destinations a flow
// analysis reads: one category that has them (drug or human trafficking),
// the incidents whose group's primary record falls in the months From to
// To (zero: unbounded), passes Sub and is placed in Province ("": any).
type FlowQuery struct {
	Category string
	From, To time.Time
	Sub      SubFilter
	Province string
}

// FlowRecord is one record of an incident in a FlowQuery, with the fields
// that say where it came from and went. The records of one incident come
// together, its primary first.
type FlowRecord struct {
	Group   string // the same for every record of one incident
	Primary bool
	On      time.Time
	// District is the district_code where the record is placed, or "".
	District                                string
	Origin, Destination, Route, Nationality string  // "" when absent or not a field of the category
	Kg, Victims                             float64 // of the primary: kg seized (drugs), victims (trafficking); 0 when none
}

// flowFields are the detail fields a flow reads, in FlowRecord order.
var flowFields = []string{"origin", "destination", "route", "nationality"}

// FlowRecords calls fn for each record of the incidents q selects, the
// records of one incident together and its primary first. It reads the
// category's own table beside incidents; fields the category does not have
// come back empty.
func (s *Store) FlowRecords(ctx context.Context, q FlowQuery, fn func(FlowRecord) error) error {
	c, ok := schemas.ParseCategory(q.Category)
	if !ok {
		return fmt.Errorf("store: flows: unknown category %q", q.Category)
	}
	cols := ""
	for _, f := range flowFields {
		if _, has := schemas.DetailOf(c, f); has {
			cols += ", d." + f
		} else {
			cols += ", NULL"
		}
	}
	// The records of an incident follow its primary as ingested
	// (fileOrder): flows take the first origin and destination a record
	// gives after the primary's.
	order, err := s.ingestedOrder(ctx, "r")
	if err != nil {
		return fmt.Errorf("store: %s: flows: %w", s.Path, err)
	}
	rows, err := s.db.QueryContext(ctx, `WITH r AS (
			SELECT CASE WHEN g.group_id IS NULL THEN 'r' || i.run_id || ':' || i.source_line || ':' || i.source_file
					ELSE 'g' || g.group_id END AS gk,
				coalesce(g.is_primary, true) AS p, i.run_id, i.source_file, i.source_line, i.category, i.subcategory, i.province,
				i.occurred_on, i.district_code,
				CAST(`+quantityExpr["kg"]+` AS DOUBLE) AS kg, CAST(`+victimsExpr+` AS DOUBLE) AS vic
			FROM incidents i LEFT JOIN incident_groups g USING (run_id, source_file, source_line)
			WHERE i.category = $1),
		keep AS (SELECT gk FROM r WHERE p AND `+q.Sub.predicate("r")+`
			AND ($2::DATE IS NULL OR occurred_on >= $2) AND ($3::DATE IS NULL OR occurred_on < $3::DATE + INTERVAL 1 MONTH)
			AND ($4 = '' OR province = $4))
		SELECT r.gk, r.p, r.occurred_on, coalesce(r.district_code, ''), coalesce(r.kg, 0), coalesce(r.vic, 0)`+cols+`
		FROM r LEFT JOIN `+schemas.Details[c].Table+` d USING (run_id, source_file, source_line)
		WHERE r.gk IN (SELECT gk FROM keep)
		ORDER BY r.gk, r.p DESC, `+order, q.Category, nullDate(q.From), nullDate(q.To), q.Province)
	if err != nil {
		return fmt.Errorf("store: %s: flows: %w", s.Path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r FlowRecord
		var f [4]sql.NullString
		if err := rows.Scan(&r.Group, &r.Primary, &r.On, &r.District, &r.Kg, &r.Victims, &f[0], &f[1], &f[2], &f[3]); err != nil {
			return fmt.Errorf("store: %s: flows: %w", s.Path, err)
		}
		r.Origin, r.Destination, r.Route, r.Nationality = f[0].String, f[1].String, f[2].String, f[3].String
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}
