//go:build duckdb_arrow

package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"os"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
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

// ScanIncidents streams every accepted incident, ordered by category, year
// and month of occurred_on and then by lineage, as Arrow record batches
// through DuckDB's Arrow interface, calling fn with each; fn must not keep
// a batch past its return (ScanIncidents releases it). memoryLimit caps
// DuckDB's buffer pool (e.g. "512MB"): the sort spills to a temporary
// directory beyond it, so memory stays bounded whatever the table's size.
func (s *Store) ScanIncidents(ctx context.Context, withText bool, memoryLimit string, fn func(arrow.RecordBatch) error) error {
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
	for _, q := range []string{
		fmt.Sprintf(`SET memory_limit = '%s'`, strings.ReplaceAll(memoryLimit, "'", "")),
		fmt.Sprintf(`SET temp_directory = '%s'`, strings.ReplaceAll(tmp, "'", "''")),
	} {
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
			cols = append(cols, "CAST(i.match_score AS DOUBLE) AS match_score")
		default:
			cols = append(cols, "i."+c)
		}
	}
	if withText {
		for _, c := range TextColumns {
			cols = append(cols, "i."+c)
		}
	}
	q := `SELECT i.category, CAST(year(i.occurred_on) AS VARCHAR) AS year, CAST(month(i.occurred_on) AS VARCHAR) AS month, ` +
		strings.Join(cols, ", ") + `
		FROM incidents i LEFT JOIN incident_groups g USING (run_id, source_file, source_line)
		ORDER BY 1, 2, 3, i.run_id, i.source_file, i.source_line`
	rdr, err := ar.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("store: %s: incidents: %w", s.Path, err)
	}
	defer rdr.Release()
	for rdr.Next() {
		if err := fn(rdr.RecordBatch()); err != nil {
			return err
		}
	}
	if err := rdr.Err(); err != nil {
		return fmt.Errorf("store: %s: incidents: %w", s.Path, err)
	}
	return ctx.Err()
}
