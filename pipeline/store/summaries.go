//go:build duckdb_arrow

package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"

	"github.com/ocmap/ocmap/internal/steptrace"
)

// The summaries. In district_month, incidents counts groups, each once in
// the cell of its primary member, with a record in no group counting one;
// quantity, amount_pkr, the by_ counts and victims add up the primaries
// alone, so a seizure two sources report is not counted twice; records
// counts every row. A cell can so have records but no incidents, when all
// its records belong to groups whose primary lies elsewhere.
// district_month_sources counts the rows of each source key.
//
// district_month_sums holds each cell of district_month as exact sums:
// the quantities and amounts as DECIMAL, and how many rows gave each sum,
// which says whether district_month shows it or null. A run adds to it
// what its rows bring and takes away what the rows it removed brought,
// and what the earlier rows that became or stopped being a group's
// primary bring now (summarizeRun): a run costs its own rows, where
// recomputing a cell whole read every row of it (the 1,000 rows of a file
// spread over six years touch 14% of 5M rows). The sums being exact, the
// result is a rebuild's (summarizeAll).

// sumsDDL creates district_month_sums.
const sumsDDL = `CREATE TABLE IF NOT EXISTS district_month_sums (
	district_code VARCHAR, province VARCHAR, category VARCHAR, month DATE,
	records BIGINT, incidents BIGINT,
	quantity DECIMAL(38, 6), quantity_n BIGINT, amount_pkr DECIMAL(38, 2), amount_n BIGINT,
	by_point BIGINT, by_name BIGINT, by_near BIGINT, by_province BIGINT, by_country BIGINT,
	v_given BIGINT, v_given_n BIGINT, v_quantity BIGINT, v_quantity_n BIGINT)`

// sumColumns are district_month_sums' columns after the cell.
var sumColumns = []string{"records", "incidents", "quantity", "quantity_n", "amount_pkr", "amount_n",
	"by_point", "by_name", "by_near", "by_province", "by_country", "v_given", "v_given_n", "v_quantity", "v_quantity_n"}

// contribColumns are the columns of incidents a row's part of the
// summaries is made of.
const contribColumns = `district_code, province, category, occurred_on, source, layout, quantity, amount_pkr, location_precision, victims`

// tmpContrib holds, in a run, the rows whose parts of the summaries change
// (contribColumns): p says whether the row counts as a primary, s is 1 to
// add its part and -1 to take it away, r is 1 when its record counts too
// (added and removed rows) and 0 when only its primary status changed.
const tmpContrib = "ocmap_contrib"

// cellsQuery makes ocmap_cells, the parts of the rows of from (contribColumns
// and p, s and r) added up by cell and source key. Without signs (a
// rebuild) every row is added with its record.
func cellsQuery(from string, signed bool) string {
	n := func(cond string) string { return `count(*) FILTER (WHERE ` + cond + `)` }
	val := func(x string) string { return x }
	records := `count(*)`
	if signed {
		n = func(cond string) string { return `coalesce(sum(s) FILTER (WHERE ` + cond + `), 0)` }
		val = func(x string) string { return `CASE WHEN s < 0 THEN -` + x + ` ELSE ` + x + ` END` }
		records = `coalesce(sum(r * s), 0)`
	}
	// Exact sums: DOUBLE addition depends on the order DuckDB's threads
	// meet the rows, and summaries must be identical from run to run, and
	// to a rebuild. Quantities keep 6 decimals (mg of a kg), amounts 2
	// (paisa).
	return `CREATE OR REPLACE TEMP TABLE ocmap_cells AS
		SELECT district_code, province, category, CAST(date_trunc('month', occurred_on) AS DATE) AS month,
			coalesce(source, layout, '') AS skey,
			` + records + ` AS records,
			` + n(`p`) + ` AS incidents,
			coalesce(sum(` + val(`CAST(quantity AS DECIMAL(38, 6))`) + `) FILTER (WHERE p), 0) AS quantity,
			` + n(`p AND quantity IS NOT NULL`) + ` AS quantity_n,
			coalesce(sum(` + val(`CAST(amount_pkr AS DECIMAL(38, 2))`) + `) FILTER (WHERE p), 0) AS amount_pkr,
			` + n(`p AND amount_pkr IS NOT NULL`) + ` AS amount_n,
			` + n(`p AND location_precision = 1`) + ` AS by_point,
			` + n(`p AND location_precision = 3`) + ` AS by_name,
			` + n(`p AND location_precision = 2`) + ` AS by_near,
			` + n(`p AND location_precision = 4`) + ` AS by_province,
			` + n(`p AND location_precision = 6`) + ` AS by_country,
			coalesce(sum(` + val(`victims`) + `) FILTER (WHERE p), 0) AS v_given,
			` + n(`p AND victims IS NOT NULL`) + ` AS v_given_n,
			coalesce(sum(` + val(`CAST(round(quantity) AS BIGINT)`) + `) FILTER (WHERE p AND victims IS NULL AND ` + quantityCountsVictims + `), 0) AS v_quantity,
			` + n(`p AND victims IS NULL AND quantity IS NOT NULL AND `+quantityCountsVictims) + ` AS v_quantity_n
		FROM ` + from + `
		GROUP BY ALL`
}

// monthFromSums is the select of district_month's rows from the rows of
// district_month_sums in from: a sum no row gave is null, and victims are
// the victims column, or for canonical trafficking rows the quantity,
// which counts victims there.
func monthFromSums(from string) string {
	return `INSERT INTO district_month (district_code, province, category, month, incidents, quantity, amount_pkr,
			by_point, by_name, by_near, by_province, by_country, records, victims)
		SELECT district_code, province, category, month, incidents,
			CASE WHEN quantity_n > 0 THEN CAST(quantity AS DOUBLE) END,
			CASE WHEN amount_n > 0 THEN CAST(amount_pkr AS DOUBLE) END,
			by_point, by_name, by_near, by_province, by_country, records,
			CASE WHEN category = 'human_trafficking' AND (v_given_n > 0 OR v_quantity_n > 0) THEN v_given + v_quantity
				WHEN v_given_n > 0 THEN v_given END
		FROM ` + from + ` WHERE records <> 0`
}

// sumsOfCells adds up the columns of ocmap_cells by cell.
func sumsOfCells() string {
	return `SELECT district_code, province, category, month, ` + sumsOf(sumColumns) + `
		FROM ocmap_cells GROUP BY district_code, province, category, month`
}

// summarizeAll recomputes district_month, district_month_sums and
// district_month_sources from every row of incidents.
func (r *Run) summarizeAll(ctx context.Context) error {
	// Without groups every record is primary, and the join is skipped.
	var grouped bool
	if err := r.conn.QueryRowContext(ctx, `SELECT count(*) > 0 FROM incident_groups`).Scan(&grouped); err != nil {
		return fmt.Errorf("summaries: %w", err)
	}
	from := `(SELECT ` + contribColumns + `, true AS p FROM incidents)`
	if grouped {
		// A row is primary unless incident_groups says it is not: joining
		// the rows that are not (fewer than half of the grouped rows)
		// costs less than joining every grouped row for its flag.
		from = `(SELECT ` + prefixed("i", contribColumns) + `, g.run_id IS NULL AS p
			FROM incidents i LEFT JOIN (SELECT run_id, source_file, source_line FROM incident_groups WHERE NOT is_primary) g
			USING (run_id, source_file, source_line))`
	}
	// No ORDER BY: rows in insertion order cost a sort, 30 ms a table on a
	// million incidents, and nothing reads them in that order.
	return r.execAll(ctx, "summaries", []string{
		`DELETE FROM district_month`,
		`DELETE FROM district_month_sums`,
		`DELETE FROM district_month_sources`,
		cellsQuery(from, false),
		`INSERT INTO district_month_sums ` + sumsOfCells(),
		monthFromSums(`district_month_sums`),
		`INSERT INTO district_month_sources
			SELECT district_code, category, month, skey, sum(records) FROM ocmap_cells GROUP BY ALL`,
		`DROP TABLE ocmap_cells`,
	})
}

// sameCell matches the cells of district_month_sums in a and b.
func sameCell(a, b string) string {
	return a + `.district_code IS NOT DISTINCT FROM ` + b + `.district_code AND ` + a + `.province IS NOT DISTINCT FROM ` + b + `.province
		AND ` + a + `.category = ` + b + `.category AND ` + a + `.month IS NOT DISTINCT FROM ` + b + `.month`
}

// sameSourceCell matches the rows of district_month_sources in a with
// those of b, whose source key is in column source.
func sameSourceCell(a, b, source string) string {
	return a + `.district_code IS NOT DISTINCT FROM ` + b + `.district_code AND ` + a + `.category = ` + b + `.category
		AND ` + a + `.month IS NOT DISTINCT FROM ` + b + `.month AND ` + a + `.source = ` + b + `.` + source
}

// startContrib makes tmpContrib for the run, once.
func (r *Run) startContrib(ctx context.Context) error {
	if r.contrib {
		return nil
	}
	_, err := r.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE `+tmpContrib+` AS
		SELECT `+contribColumns+`, true AS p, CAST(1 AS INTEGER) AS s, CAST(1 AS INTEGER) AS r FROM incidents LIMIT 0`)
	r.contrib = err == nil
	return err
}

// takeAway puts in tmpContrib the rows of one file of an earlier run,
// which the run is about to delete, with the primary status they have
// before it.
func (r *Run) takeAway(ctx context.Context, run int64, file string) error {
	return r.contribute(ctx, -1, `%[1]srun_id = $1 AND %[1]ssource_file = $2`, run, file)
}

// contribute puts in tmpContrib, with sign, the rows of incidents that
// cond selects (a condition on incidents' columns, each after %[1]s, which
// also selects their rows of incident_groups) with their primary status
// as incident_groups has it now.
func (r *Run) contribute(ctx context.Context, sign int, cond string, args ...any) error {
	if err := r.startContrib(ctx); err != nil {
		return err
	}
	_, err := r.conn.ExecContext(ctx, `INSERT INTO `+tmpContrib+`
		SELECT `+prefixed("i", contribColumns)+`, g.run_id IS NULL, `+strconv.Itoa(sign)+`, 1
		FROM incidents i LEFT JOIN (SELECT run_id, source_file, source_line FROM incident_groups
			WHERE NOT is_primary AND `+fmt.Sprintf(cond, "")+`) g USING (run_id, source_file, source_line)
		WHERE `+fmt.Sprintf(cond, "i."), args...)
	return err
}

// summarizeRun brings district_month, district_month_sums and
// district_month_sources up to date with the run: it adds the parts of
// the run's rows, takes away those of the rows it removed (takeAway), and
// adds or takes away the primary's part of each earlier row in flipped
// (key, and 1 if it became a group's primary, -1 if it stopped being one).
func (r *Run) summarizeRun(ctx context.Context, flipped [][]driver.Value) error {
	runs := map[int64]bool{}
	var runList []string
	for _, f := range flipped {
		if run := f[0].(int64); !runs[run] {
			runs[run] = true
			runList = append(runList, strconv.FormatInt(run, 10))
		}
	}
	// The run's rows and its groups lie in the last row groups of
	// incidents and incident_groups, which DuckDB finds by run_id alone.
	if err := r.contribute(ctx, 1, `%[1]srun_id = $1`, r.ID); err != nil {
		return fmt.Errorf("summaries: %w", err)
	}
	var stmts []string
	if len(flipped) > 0 {
		if err := r.contributeFlipped(ctx, flipped, runList); err != nil {
			return fmt.Errorf("summaries: %w", err)
		}
	}
	stmts = append(stmts,
		cellsQuery(tmpContrib, true),
		`CREATE OR REPLACE TEMP TABLE ocmap_new_sums AS
			SELECT district_code, province, category, month, `+sumsOf(sumColumns)+` FROM (
				SELECT d.* FROM district_month_sums d SEMI JOIN ocmap_cells t ON `+sameCell("d", "t")+`
				UNION ALL BY NAME `+sumsOfCells()+`)
			GROUP BY district_code, province, category, month`,
		`DELETE FROM district_month_sums d USING ocmap_new_sums t WHERE `+sameCell("d", "t"),
		`INSERT INTO district_month_sums SELECT * FROM ocmap_new_sums WHERE records <> 0`,
		`DELETE FROM district_month d USING ocmap_new_sums t WHERE `+sameCell("d", "t"),
		monthFromSums(`ocmap_new_sums`),
		`CREATE OR REPLACE TEMP TABLE ocmap_new_sources AS
			SELECT district_code, category, month, source, sum(records) AS records FROM (
				SELECT d.* FROM district_month_sources d SEMI JOIN ocmap_cells t ON `+sameSourceCell("d", "t", "skey")+`
				UNION ALL SELECT district_code, category, month, skey, records FROM ocmap_cells WHERE records <> 0)
			GROUP BY ALL`,
		`DELETE FROM district_month_sources d USING ocmap_new_sources t WHERE `+sameSourceCell("d", "t", "source"),
		`INSERT INTO district_month_sources SELECT * FROM ocmap_new_sources WHERE records <> 0`,
		`DROP TABLE ocmap_cells`, `DROP TABLE ocmap_new_sums`, `DROP TABLE ocmap_new_sources`, `DROP TABLE `+tmpContrib,
	)
	if err := r.execAll(ctx, "summaries", stmts); err != nil {
		return err
	}
	r.contrib = false
	steptrace.Mark("summaries: run")
	return nil
}

// contributeFlipped puts in tmpContrib the primary's part of each earlier
// row in flipped (see summarizeRun), whose runs are runList, looked up in
// the months near the run's first (insertNear).
func (r *Run) contributeFlipped(ctx context.Context, flipped [][]driver.Value, runList []string) error {
	if _, err := r.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE ocmap_flipped
		(run_id BIGINT, source_file VARCHAR, source_line BIGINT, s INTEGER)`); err != nil {
		return err
	}
	if err := r.appendRows("ocmap_flipped", flipped); err != nil {
		return err
	}
	err := r.insertNear(ctx, "flipped", `INSERT INTO `+tmpContrib+`
		SELECT `+prefixed("i", contribColumns)+`, true, f.s, 0
		FROM incidents i JOIN ocmap_flipped f USING (run_id, source_file, source_line)
		WHERE i.run_id IN (`+strings.Join(runList, ", ")+`) AND`, "i.occurred_on", len(flipped))
	if err != nil {
		return err
	}
	_, err = r.conn.ExecContext(ctx, `DROP TABLE ocmap_flipped`)
	return err
}

// sumsOf is sum(c) AS c for each of cols.
func sumsOf(cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = `sum(` + c + `) AS ` + c
	}
	return strings.Join(out, ", ")
}

// prefixed qualifies each of the comma-separated columns cols with t.
func prefixed(t, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = t + "." + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// execAll runs stmts in order; an error names what.
func (r *Run) execAll(ctx context.Context, what string, stmts []string) error {
	for _, q := range stmts {
		if _, err := r.conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return nil
}
