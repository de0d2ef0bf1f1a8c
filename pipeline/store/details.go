//go:build duckdb_arrow

package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ocmap/ocmap/schemas"
)

// detailsDDL creates each category's own table, keyed to incidents by
// (run_id, source_file, source_line), and its view: every incident of the
// category with its own fields, null where the source gave none (the
// canonical layout has none).
func detailsDDL() []string {
	var out []string
	for _, cd := range schemas.Details {
		cols := []string{"run_id BIGINT", "source_file VARCHAR", "source_line BIGINT"}
		for _, d := range cd.Fields {
			cols = append(cols, d.Name+" "+duckType(d.Type()))
		}
		out = append(out, fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (%s)`, cd.Table, strings.Join(cols, ", ")))
		var sel []string
		for _, d := range cd.Fields {
			sel = append(sel, "d."+d.Name)
		}
		out = append(out, fmt.Sprintf(`CREATE OR REPLACE VIEW %s_incidents AS
			SELECT i.*, %s FROM incidents i
			LEFT JOIN %s d USING (run_id, source_file, source_line)
			WHERE i.category = '%s'`, cd.Table, strings.Join(sel, ", "), cd.Table, cd.Category))
	}
	return out
}

func duckType(t arrow.DataType) string {
	switch t.ID() {
	case arrow.INT32:
		return "INTEGER"
	case arrow.STRING:
		return "VARCHAR"
	}
	panic("store: no DuckDB type for " + t.String())
}

// DetailTables are the four categories' own tables.
func DetailTables() []string {
	out := make([]string, 0, len(schemas.Details))
	for _, cd := range schemas.Details {
		out = append(out, cd.Table)
	}
	return out
}

// insertLayoutIncidents inserts a stream shaped by schemas.LayoutIncidents:
// the core into incidents, each category's fields into its own table. The
// stream can be read only once, so it goes through a temporary table; layout
// files are agency extracts, far smaller than the canonical bulk path.
//
// The run keeps one temporary table and empties it after each file: a
// table created and dropped per file keeps its blocks until the run
// commits (a block per column, about 1.6 MB a file), so a run of 500 small
// files ran out of memory.
func (r *Run) insertLayoutIncidents(ctx context.Context, view string) error {
	const stage = "ocmap_layout_stage"
	core := make([]string, 0, schemas.Incidents.NumFields())
	for _, f := range schemas.Incidents.Fields() {
		core = append(core, f.Name)
	}
	fill := fmt.Sprintf(`INSERT INTO %s BY NAME SELECT * FROM %s`, stage, view)
	if !r.layoutStage {
		fill = fmt.Sprintf(`CREATE TEMP TABLE %s AS SELECT * FROM %s`, stage, view)
	}
	stmts := []string{
		fill,
		fmt.Sprintf(`INSERT INTO incidents BY NAME SELECT %s FROM %s`, strings.Join(core, ", "), stage),
	}
	for _, cd := range schemas.Details {
		cols := []string{"run_id", "source_file", "source_line"}
		for _, d := range cd.Fields {
			cols = append(cols, d.Name)
		}
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO %s BY NAME SELECT %s FROM %s WHERE category = '%s'`,
			cd.Table, strings.Join(cols, ", "), stage, cd.Category))
	}
	stmts = append(stmts, `DELETE FROM `+stage)
	for i, q := range stmts {
		if _, err := r.conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("store: inserting incidents: %w", err)
		}
		if i == 0 {
			r.layoutStage = true
		}
	}
	return nil
}
