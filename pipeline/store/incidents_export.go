//go:build duckdb_arrow

package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"
)

// ExportColumns are the incident columns ScanIncidents gives, after the
// partition keys category, year and month (text: "2024", "1" to "12", which
// engines read back as integers):
// identity and dates, the point (lon, lat), where ocmap placed the row and
// how, the location columns as the source gave them, the measures, whether
// the row counts in district_month.incidents (is_primary) and its incident
// group, and the lineage. description and person_keys are added when text
// is asked for.
var ExportColumns = []string{
	"incident_id", "subcategory", "occurred_on", "occurred_end", "reported_on", "date_precision",
	"lon", "lat",
	"district_code", "district_name", "province", "location_precision", "match_method", "match_score", "location_note",
	"point_used", "district_hint", "province_hint", "place",
	"source", "source_ref", "statute", "section", "iccs_code",
	"quantity", "amount_pkr", "victims",
	"is_primary", "group_id",
	"layout", "source_file", "source_line", "run_id",
}

// TextColumns are the free-text and personal columns, exported only on
// request.
var TextColumns = []string{"description", "person_keys"}

// DefaultPageRows is how many rows ScanIncidents asks DuckDB for at a
// time: DuckDB's Go driver materializes a query's whole result before the
// first batch, so the table is read in pages of about this many rows.
const DefaultPageRows = 1 << 17

// ScanOptions tune ScanIncidents.
type ScanOptions struct {
	WithText    bool   // add TextColumns
	MemoryLimit string // DuckDB's buffer pool, e.g. "512MB"; "" keeps the database's
	PageRows    int64  // rows of a page at most (but see ScanIncidents); 0: DefaultPageRows
}

// ScanIncidents streams every accepted incident, ordered by category, year
// and month of occurred_on and then by lineage (run, file, line), as Arrow
// record batches through DuckDB's Arrow interface, calling fn with each;
// fn must not keep a batch past its return. The rows come in pages of at
// most opt.PageRows: consecutive months of one category together, or one
// month's rows page by page in lineage order; so what DuckDB holds for the
// answer stays bounded whatever the table's size.
func (s *Store) ScanIncidents(ctx context.Context, opt ScanOptions, fn func(arrow.RecordBatch) error) error {
	if opt.PageRows <= 0 {
		opt.PageRows = DefaultPageRows
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: %s: %w", s.Path, err)
	}
	defer conn.Close()
	tmp, err := os.MkdirTemp("", "ocmap-export-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	set := []string{fmt.Sprintf(`SET temp_directory = '%s'`, strings.ReplaceAll(tmp, "'", "''"))}
	if opt.MemoryLimit != "" {
		set = append(set, fmt.Sprintf(`SET memory_limit = '%s'`, strings.ReplaceAll(opt.MemoryLimit, "'", "")))
	}
	for _, q := range set {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("store: %s: %w", s.Path, err)
		}
	}
	var ar *duckdb.Arrow
	if err := conn.Raw(func(dc any) error {
		a, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		ar = a
		return err
	}); err != nil {
		return fmt.Errorf("store: %s: %w", s.Path, err)
	}
	parts, err := monthParts(ctx, conn)
	if err != nil {
		return fmt.Errorf("store: %s: incidents: %w", s.Path, err)
	}
	cols := make([]string, 0, len(ExportColumns)+len(TextColumns))
	for _, c := range ExportColumns {
		switch c {
		case "is_primary":
			cols = append(cols, "coalesce(g.is_primary, true) AS is_primary")
		case "group_id":
			cols = append(cols, "g.group_id")
		case "point_used":
			// Whether ocmap placed the row by its point: a reader that
			// places rows again uses the points ocmap used, and the names
			// of the others.
			cols = append(cols, `CASE WHEN i.lat IS NOT NULL AND i.lon IS NOT NULL AND i.match_method = 'point' THEN 'exact' ELSE 'ignore' END AS point_used`)
		case "match_score":
			// Stored as FLOAT: widened as is, 0.96 would read
			// 0.9599999785423279. Four decimals, as 'match --format json'
			// and 'review --format csv' write scores.
			cols = append(cols, "round(CAST(i.match_score AS DOUBLE), 4) AS match_score")
		default:
			cols = append(cols, "i."+c)
		}
	}
	if opt.WithText {
		for _, c := range TextColumns {
			cols = append(cols, "i."+c)
		}
	}
	sel := `SELECT i.category, CAST(year(i.occurred_on) AS VARCHAR) AS year, CAST(month(i.occurred_on) AS VARCHAR) AS month, ` +
		strings.Join(cols, ", ") + `
		FROM incidents i LEFT JOIN incident_groups g USING (run_id, source_file, source_line)
		WHERE i.category = $1 AND i.occurred_on >= CAST($2 AS DATE) AND i.occurred_on < CAST($3 AS DATE)`
	window := sel + ` ORDER BY year(i.occurred_on), month(i.occurred_on), i.run_id, i.source_file, i.source_line`
	page := sel + ` AND (i.run_id > $4 OR i.run_id = $4 AND (i.source_file > $5 OR i.source_file = $5 AND i.source_line > $6))
		ORDER BY i.run_id, i.source_file, i.source_line LIMIT ` + fmt.Sprint(opt.PageRows)
	run := func(q string, args ...any) (n int64, last lineage, err error) {
		rdr, err := ar.QueryContext(ctx, q, args...)
		if err != nil {
			return 0, last, err
		}
		defer rdr.Release()
		for rdr.Next() {
			rec := rdr.RecordBatch()
			if k := int(rec.NumRows()); k > 0 {
				n += int64(k)
				last = lastLineage(rec)
			}
			if err := fn(rec); err != nil {
				return n, last, err
			}
		}
		return n, last, rdr.Err()
	}
	for i := 0; i < len(parts); {
		p := parts[i]
		if p.rows > opt.PageRows {
			// One month larger than a page: page through it in lineage
			// order.
			last := lineage{run: -1, line: -1}
			for {
				n, l, err := run(page, p.category, p.from, p.to, last.run, last.file, last.line)
				if err != nil {
					return fmt.Errorf("store: %s: incidents: %w", s.Path, err)
				}
				if n < opt.PageRows {
					break
				}
				last = l
			}
			i++
			continue
		}
		// Consecutive months of one category, up to a page.
		j, sum := i, int64(0)
		for j < len(parts) && parts[j].category == p.category && sum+parts[j].rows <= opt.PageRows {
			sum += parts[j].rows
			j++
		}
		if _, _, err := run(window, p.category, p.from, parts[j-1].to); err != nil {
			return fmt.Errorf("store: %s: incidents: %w", s.Path, err)
		}
		i = j
	}
	return ctx.Err()
}

// monthPart is one category and month of incidents.
type monthPart struct {
	category string
	from, to string // the month's first day and the next month's, YYYY-MM-DD
	rows     int64
}

// monthParts counts the incidents of each category and month, in order.
func monthParts(ctx context.Context, conn *sql.Conn) ([]monthPart, error) {
	rows, err := conn.QueryContext(ctx, `SELECT category, strftime(m, '%Y-%m-%d'), strftime(m + INTERVAL 1 MONTH, '%Y-%m-%d'), n
		FROM (SELECT category, date_trunc('month', occurred_on) AS m, count(*) AS n FROM incidents GROUP BY ALL)
		ORDER BY category, m`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []monthPart
	for rows.Next() {
		var p monthPart
		if err := rows.Scan(&p.category, &p.from, &p.to, &p.rows); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// lineage is a row's key: run, file, line.
type lineage struct {
	run  int64
	file string
	line int64
}

// lastLineage returns the key of rec's last row.
func lastLineage(rec arrow.RecordBatch) lineage {
	k := int(rec.NumRows()) - 1
	col := func(name string) arrow.Array { return rec.Column(rec.Schema().FieldIndices(name)[0]) }
	var l lineage
	if c, ok := col("run_id").(*array.Int64); ok {
		l.run = c.Value(k)
	}
	if c, ok := col("source_file").(*array.String); ok {
		l.file = strings.Clone(c.Value(k))
	}
	if c, ok := col("source_line").(*array.Int64); ok {
		l.line = c.Value(k)
	}
	return l
}
