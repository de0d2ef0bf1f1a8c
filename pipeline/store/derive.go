//go:build duckdb_arrow

package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ocmap/ocmap/internal/steptrace"
)

// derivedRules names the rules by which incident_groups, district_month,
// district_month_sums, district_month_sources, sweep_moves and sweep_twins
// follow from incidents (6: twins stay out of the sweep; 7: a same-id link
// and a twin need the same month; 8: a source layout's quantity no longer
// counts a trafficking row's victims; 9: a run's files are ingested
// earlier in the order given, not of their names). A database whose meta
// 'derived_rules' differs, made by an older ocmap, has them rebuilt whole
// by its next run.
const derivedRules = "9"

// derive brings the derived tables up to date with incidents, within the
// run's transaction. A run costs its own rows (deriveRun), unless it brings
// more rows than the database had, or the database was made under other
// rules: then every derived table is recomputed (deriveAll), which is
// cheaper for a large share and gives the same tables.
func (r *Run) derive(ctx context.Context) error {
	var rules sql.NullString
	if err := r.conn.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'derived_rules'`).Scan(&rules); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if rules.String == derivedRules {
		var mine, all, summarized, summed, sourced int64
		var sameIncidents bool
		if err := r.conn.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE run_id = $1), count(*),
				(SELECT coalesce(sum(records), 0) FROM district_month),
				(SELECT coalesce(sum(records), 0) FROM district_month_sums),
				(SELECT coalesce(sum(records), 0) FROM district_month_sources),
				(SELECT coalesce(sum(incidents), 0) FROM district_month) = (SELECT coalesce(sum(incidents), 0) FROM district_month_sums)
			FROM incidents`, r.ID).
			Scan(&mine, &all, &summarized, &summed, &sourced, &sameIncidents); err != nil {
			return err
		}
		steptrace.Mark("derive: count run rows")
		// deriveRun starts from the derived tables as they were before the
		// run (and takes the last day of a district's records from
		// district_month): they must have counted every row there was,
		// the rows the run removed too, and district_month the incidents
		// its sums hold. Tables that do not (after a hand edit, say) are
		// recomputed. (Other edits, such as a quantity changed, are not
		// seen: comparing DOUBLE sums could differ by rounding alone.)
		before := all - mine + r.goneRows
		if 2*mine <= all && summarized == before && summed == before && sourced == before && sameIncidents {
			return r.deriveRun(ctx)
		}
	} else if rules.Valid && r.Step != nil {
		r.Step(fmt.Sprintf("this database was linked by an older ocmap (rules %s, now %s): recomputing the incident groups and summaries of all its records, once (about 20 s for 5 million)",
			rules.String, derivedRules))
		return r.deriveAll(ctx, r.Step)
	}
	return r.deriveAll(ctx, nil)
}

// deriveAll recomputes incident_groups, district_month, district_month_sums
// and district_month_sources from every incident, saying each step to step
// when it is not nil.
func (r *Run) deriveAll(ctx context.Context, step func(string)) error {
	if step == nil {
		step = func(string) {}
	}
	if r.contrib { // what replaced files brought, for deriveRun
		if _, err := r.conn.ExecContext(ctx, `DROP TABLE `+tmpContrib); err != nil {
			return err
		}
		r.contrib = false
	}
	step("linking records of one incident (incident_groups)")
	t := time.Now()
	if err := r.loadFileOrder(ctx); err != nil {
		return err
	}
	if err := r.linkGroups(ctx, linkWindowDays); err != nil {
		return err
	}
	step("summaries (district_month, district_month_sums, district_month_sources)")
	r.Links, t = time.Since(t), time.Now()
	if err := r.summarizeAll(ctx); err != nil {
		return err
	}
	r.Summaries = time.Since(t)
	_, err := r.conn.ExecContext(ctx, `INSERT OR REPLACE INTO meta VALUES ('derived_rules', ?)`, derivedRules)
	return err
}

// Temporary tables of deriveRun.
const (
	tmpQ        = "ocmap_q"          // the rows to link: the run's, and those of groups that lost a row
	tmpKeys     = "ocmap_keys"       // row keys to look up
	tmpOld      = "ocmap_old_groups" // the groups a run replaces
	tmpRegroup  = "ocmap_regroup"    // old group ids and new
	tmpRanges   = "ocmap_ranges"     // the days sweepChanged reads
	tmpSpanRows = "ocmap_span_rows"  // the rows of those days
	tmpRunSame  = "ocmap_run_same"   // the rows with the incident ids of the run's rows
	tmpRunRows  = "ocmap_run_rows"   // the row ids of those of other runs
	tmpSame     = "ocmap_same"       // the rows with the incident ids of ocmap_q
	tmpReached  = "ocmap_reached"    // the groups of swept rows the links reach
)

// qColumns are what ocmap_q keeps of a row: its key, its end (endQ) and
// what same-id linking compares.
const qColumns = `run_id, source_file, source_line, location_precision, category,
	coalesce(source, layout, '') AS skey, incident_id, occurred_on`

// end is a row of a link, as the link queries of deriveRun give it: key
// and precision (4 columns).
const endQ = `%[1]s.run_id, %[1]s.source_file, %[1]s.source_line, %[1]s.location_precision`

// runSameRows puts in ocmap_run_same the rows with an incident id of the
// run's rows ($1), each with the position of its file (file_seq): the
// run's rows, then the other runs' rows of their months (the same-id key
// holds the month) whose id is one of theirs, found by a scan of the
// dates and the id column alone, then fetched by row id. Joining incidents whole decompressed its ten columns of ends for
// every row (0.23 s at 5M rows); a row id filter that takes in the run's
// own rows, which lie apart from the rest, spans the table.
func (r *Run) runSameRows(ctx context.Context) error {
	if _, err := r.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE `+tmpRunSame+` AS
		SELECT `+qColumns+`, district_code, `+fileSeqOf("incidents")+` AS file_seq
		FROM incidents WHERE run_id = $1 AND incident_id IS NOT NULL`, r.ID); err != nil {
		return err
	}
	var months []sql.NullTime
	rows, err := r.conn.QueryContext(ctx, `SELECT DISTINCT CAST(date_trunc('month', occurred_on) AS DATE) AS m
		FROM `+tmpRunSame+` ORDER BY m NULLS FIRST`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var m sql.NullTime
		if err := rows.Scan(&m); err != nil {
			rows.Close()
			return err
		}
		months = append(months, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if _, err := r.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE `+tmpRunRows+` (r BIGINT)`); err != nil {
		return err
	}
	if len(months) == 0 {
		return nil
	}
	// DuckDB filters the join's probe by the least and greatest id of the
	// run: a test of every row's id, which cost more than the join itself
	// once the dates leave a month's rows (0.10 s at 5M rows, 0.01 s
	// without it).
	err = r.withoutJoinFilterPushdown(ctx, func() error {
		_, err := r.conn.ExecContext(ctx, `INSERT INTO `+tmpRunRows+`
			SELECT rowid FROM incidents
			WHERE run_id <> $1 AND (`+monthsFilter("occurred_on", months)+`)
				AND incident_id IN (SELECT incident_id FROM `+tmpRunSame+`)`, r.ID)
		return err
	})
	if err != nil {
		return err
	}
	_, err = r.conn.ExecContext(ctx, `INSERT INTO `+tmpRunSame+`
		SELECT `+qColumns+`, district_code, `+fileSeqOf("incidents")+`
		FROM incidents WHERE rowid IN (SELECT r FROM `+tmpRunRows+`)`)
	return err
}

// nearHook, when not nil, is told how many of the rows a run looked up by
// key lay outside the months near its own (insertNear; tests).
var nearHook func(what string, outside int)

// insertNear runs insert, an INSERT ... SELECT over incidents whose WHERE
// clause ends in AND, completed with a condition on col (an incidents
// date): first that col lies in a month of the run's rows or in the month
// before or after one (or is null, when the run has undated rows), where
// the earlier rows a run looks up by key, the other rows of the groups it
// changes, nearly always lie; then, if it inserted fewer than want rows,
// that col lies elsewhere. A lookup by key reads every row group of
// incidents, as keys lie all over it; the months let DuckDB skip the row
// groups of other months, as ingest stores each window of a file's rows
// in date order (DateOrder). what names the lookup for nearHook.
func (r *Run) insertNear(ctx context.Context, what, insert, col string, want int) error {
	months, err := r.nearMonths(ctx)
	if err != nil {
		return err
	}
	near := "false"
	if len(months) > 0 {
		near = monthsFilter(col, months)
	}
	res, err := r.conn.ExecContext(ctx, insert+` (`+near+`)`)
	if err != nil {
		return err
	}
	found, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if nearHook != nil {
		nearHook(what, want-int(found))
	}
	if int(found) < want {
		_, err = r.conn.ExecContext(ctx, insert+` NOT coalesce((`+near+`), false)`)
	}
	return err
}

// nearMonths returns the months of the run's rows and the months before
// and after them, in order, a null first when the run has undated rows
// (monthsFilter), read once a run: the run's rows do not change while it
// derives.
func (r *Run) nearMonths(ctx context.Context) ([]sql.NullTime, error) {
	if r.nearRead {
		return r.near, nil
	}
	rows, err := r.conn.QueryContext(ctx, `SELECT DISTINCT CAST(date_trunc('month', occurred_on) AS DATE)
		FROM incidents WHERE run_id = $1`, r.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	near := map[time.Time]bool{}
	undated := false
	for rows.Next() {
		var m sql.NullTime
		if err := rows.Scan(&m); err != nil {
			return nil, err
		}
		if !m.Valid {
			undated = true
			continue
		}
		for d := -1; d <= 1; d++ {
			near[m.Time.AddDate(0, d, 0)] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var months []sql.NullTime
	if undated {
		months = append(months, sql.NullTime{})
	}
	for _, m := range slices.SortedFunc(maps.Keys(near), time.Time.Compare) {
		months = append(months, sql.NullTime{Time: m, Valid: true})
	}
	r.near, r.nearRead = months, true
	return months, nil
}

// withoutJoinFilterPushdown runs fn with DuckDB's join filter pushdown
// disabled. disabled_optimizers is a global option (DuckDB refuses it for
// a session alone): it is reset through another connection, as an error
// of fn aborts the run's transaction, which then refuses every statement.
func (r *Run) withoutJoinFilterPushdown(ctx context.Context, fn func() error) error {
	if _, err := r.conn.ExecContext(ctx, `SET disabled_optimizers = 'join_filter_pushdown'`); err != nil {
		return err
	}
	err := fn()
	if _, rerr := r.s.db.ExecContext(context.WithoutCancel(ctx), `RESET disabled_optimizers`); err == nil {
		err = rerr
	}
	return err
}

// maxMonthRanges is how many ranges of months monthsFilter writes; past
// it, one range from the first month to the last.
const maxMonthRanges = 32

// monthsFilter is an SQL condition that col, a DATE column, lies in one of
// months (first days of months, in order, a null first for no date): the
// runs of consecutive months as ranges of constants, which DuckDB checks
// against each row group's zone map and before reading any other column.
func monthsFilter(col string, months []sql.NullTime) string {
	var conds []string
	if len(months) > 0 && !months[0].Valid {
		conds = append(conds, col+` IS NULL`)
		months = months[1:]
	}
	type span struct{ from, to time.Time } // [from, to)
	var spans []span
	for _, m := range months {
		next := m.Time.AddDate(0, 1, 0)
		if n := len(spans); n > 0 && spans[n-1].to.Equal(m.Time) {
			spans[n-1].to = next
			continue
		}
		spans = append(spans, span{m.Time, next})
	}
	if len(spans) > maxMonthRanges {
		spans = []span{{spans[0].from, spans[len(spans)-1].to}}
	}
	for _, s := range spans {
		conds = append(conds, fmt.Sprintf(`%s >= DATE '%s' AND %s < DATE '%s'`,
			col, s.from.Format(time.DateOnly), col, s.to.Format(time.DateOnly)))
	}
	return strings.Join(conds, ` OR `)
}

// runTwinsQuery puts in sweep_twins the run's rows ($1) that are twins
// (linkGroups): with a district and a date, and an earlier such row of
// their source key, category, incident id and month (earlier ingested:
// fileOrder). Every row of an earlier run is earlier.
var runTwinsQuery = `INSERT INTO sweep_twins
	SELECT x.run_id, x.source_file, x.source_line, x.skey, x.category, x.incident_id, x.district_code, x.occurred_on
	FROM ` + tmpRunSame + ` x
	WHERE x.run_id = $1 AND x.district_code IS NOT NULL AND x.occurred_on IS NOT NULL AND EXISTS (
		SELECT 1 FROM ` + tmpRunSame + ` y
		WHERE ` + sameID("x", "y") + ` AND y.district_code IS NOT NULL
			AND (y.run_id < x.run_id OR y.run_id = x.run_id AND (y.file_seq < x.file_seq
				OR y.file_seq = x.file_seq AND (y.source_file < x.source_file
					OR y.source_file = x.source_file AND y.source_line < x.source_line))))`

// sameID is the condition that rows a and b (aliases of tables with
// qColumns) have one source key, category, incident id and month: the key
// of a same-id link (linkGroups); rows without a date share a month.
func sameID(a, b string) string {
	return fmt.Sprintf(`%[2]s.incident_id = %[1]s.incident_id AND %[2]s.skey = %[1]s.skey AND %[2]s.category = %[1]s.category
		AND date_trunc('month', %[2]s.occurred_on) IS NOT DISTINCT FROM date_trunc('month', %[1]s.occurred_on)`, a, b)
}

// findRepeats sets r.Repeats from ocmap_run_same: for each of the run's
// files, the earlier files (of earlier runs, or given before it in this
// one) at least ten of whose rows and half of its own it repeats.
func (r *Run) findRepeats(ctx context.Context) error {
	rows, err := r.conn.QueryContext(ctx, `WITH pairs AS (
			SELECT x.source_file AS file, y.run_id AS of_run, y.source_file AS of, count(DISTINCT x.source_line) AS n
			FROM `+tmpRunSame+` x JOIN `+tmpRunSame+` y ON `+sameID("x", "y")+`
			WHERE x.run_id = $1 AND (y.run_id <> $1 OR y.file_seq < x.file_seq) GROUP BY ALL),
		sizes AS (SELECT source_file AS file, count(*) AS rows FROM incidents WHERE run_id = $1 GROUP BY ALL)
		SELECT p.file, p.of, p.of_run, p.n, s.rows FROM pairs p JOIN sizes s USING (file)
		WHERE p.n >= 10 AND 2 * p.n >= s.rows ORDER BY p.file, p.n DESC, p.of`, r.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var p Repeat
		if err := rows.Scan(&p.File, &p.Of, &p.OfRun, &p.Rows, &p.FileRows); err != nil {
			return err
		}
		r.Repeats = append(r.Repeats, p)
	}
	return rows.Err()
}

// sameIDRows puts in ocmap_same the rows that may have an incident id of
// a row of ocmap_q: those of ocmap_run_same, and ocmap_q's own. A row of
// ocmap_q not the run's is in a group that changed, whose every other row
// is in ocmap_q too, and so is every other row of its id (their same-id
// link put them in one group), but for the run's.
var sameIDRows = []string{
	`CREATE OR REPLACE TEMP TABLE ` + tmpSame + ` AS
		SELECT run_id, source_file, source_line, location_precision, category, skey, incident_id, occurred_on FROM ` + tmpRunSame + `
		UNION SELECT * FROM ` + tmpQ + ` WHERE incident_id IS NOT NULL`,
}

// sameIDRunQuery pairs each row of ocmap_q with the first two other rows
// (earliest ingested: fileOrder; any two would link the same rows) of its
// source key, category, incident id and month
// (ocmap_same holds them): the links join the same rows as pairing every
// two of them, each row gets a same-id link, and a case of thousands of
// rows (a report of many transactions) costs thousands of pairs, not
// millions. The rows past the second are in one old group with the first
// two (their same-id links), which the links reach.
var sameIDRunQuery = `WITH s AS (
		SELECT *, row_number() OVER (PARTITION BY incident_id, category, skey, date_trunc('month', occurred_on)
			ORDER BY run_id, ` + fileSeqOf(tmpSame) + `, source_file, source_line) AS n
		FROM ` + tmpSame + `)
	SELECT ` + fmt.Sprintf(endQ, "q") + `, ` + fmt.Sprintf(endQ, "i") + `
	FROM ocmap_q q JOIN s i ON ` + sameID("q", "i") + `
	WHERE i.n <= 2 AND q.incident_id IS NOT NULL
		AND (i.run_id <> q.run_id OR i.source_file <> q.source_file OR i.source_line <> q.source_line)`

// deriveRun updates the derived tables for the rows the run added and the
// rows it removed (replaced files), and no others:
//
//   - clusters: the sweep runs again from the first day each run changed in
//     a category and district, until it is back in step with the old one
//     (sweepChanged); the rows whose cluster or score changed have moved.
//   - groups: the rows to link again are the run's and the rest of each
//     group that lost a row or held a row that moved; their links are their
//     same-id rows and their clusters. The groups these rows were in, or now
//     reach, are replaced by the connected components they form: an
//     untouched group reached is joined whole, its members keeping their
//     best links, as no link between two of its rows changed.
//   - summaries: the run's rows are added to the exact sums of their
//     cells, the removed rows taken away, and each row that became or
//     stopped being a group's primary counts as such now (summarizeRun).
//
// The result is the tables linkGroups and summarizeAll would give.
func (r *Run) deriveRun(ctx context.Context) error {
	defer func() {
		for _, t := range []string{tmpQ, tmpKeys, tmpOld, tmpRegroup, tmpRanges, tmpSpanRows, tmpRunSame, tmpRunRows, tmpSame, tmpReached} {
			r.conn.ExecContext(context.Background(), `DROP TABLE IF EXISTS `+t)
		}
	}()
	t := time.Now()
	if err := r.loadFileOrder(ctx); err != nil {
		return err
	}
	// The run's twins stay out of the sweep.
	if err := r.runSameRows(ctx); err != nil {
		return fmt.Errorf("incident groups: same id: %w", err)
	}
	if _, err := r.conn.ExecContext(ctx, runTwinsQuery, r.ID); err != nil {
		return fmt.Errorf("incident groups: same id: %w", err)
	}
	if err := r.findRepeats(ctx); err != nil {
		return fmt.Errorf("incident groups: same id: %w", err)
	}
	steptrace.Mark("derive: same id rows")
	decided, spans, err := r.sweepChanged(ctx, linkWindowDays)
	if err != nil {
		return fmt.Errorf("incident groups: clusters: %w", err)
	}
	if err := r.writeMoves(ctx, spans); err != nil {
		return fmt.Errorf("incident groups: sweep_moves: %w", err)
	}
	steptrace.Mark("derive: sweep changed")
	var moved []rowKey
	for k, x := range decided {
		if !x.isNew && x.moved() {
			moved = append(moved, k)
		}
	}

	l := &linker{index: map[rowKey]int{}, order: r.order}
	replaced := map[rowKey]bool{} // run and file only
	for _, k := range r.replaced {
		replaced[k] = true
	}
	gone := func(k rowKey) bool { return replaced[rowKey{run: k.run, file: k.file}] }

	// The groups that lost a row or hold a row that moved, and their other
	// rows.
	if _, err := r.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE `+tmpOld+` (group_id BIGINT)`); err != nil {
		return fmt.Errorf("incident groups: %w", err)
	}
	for _, k := range r.replaced {
		if _, err := r.conn.ExecContext(ctx, `INSERT INTO `+tmpOld+` SELECT DISTINCT group_id FROM incident_groups
			WHERE run_id = ? AND source_file = ?`, k.run, k.file); err != nil {
			return fmt.Errorf("incident groups: %w", err)
		}
	}
	// The sweep read the groups of the rows that moved with them: looking
	// them up again joined every row of incident_groups on its key.
	var movedGroups [][]driver.Value
	for _, k := range moved {
		if g := decided[k].oldGroup; g != 0 {
			movedGroups = append(movedGroups, []driver.Value{g})
		}
	}
	if err := r.appendRows(tmpOld, movedGroups); err != nil {
		return fmt.Errorf("incident groups: %w", err)
	}
	var survivors []rowKey
	damaged := map[int64]bool{}
	err = r.groupRows(ctx, `SELECT `+groupColumns+` FROM incident_groups WHERE group_id IN (SELECT group_id FROM `+tmpOld+`)`,
		func(g groupRow) {
			damaged[g.group] = true
			if gone(g.key) {
				return
			}
			survivors = append(survivors, g.key)
			i := l.node(g.key, sql.NullInt16{})
			n := &l.nodes[i]
			n.prec = precUnread
			n.oldGroup, n.oldPrimary = g.group, g.primary
			n.cluster, n.clusterScore = g.cluster, g.clusterScore
		})
	if err != nil {
		return fmt.Errorf("incident groups: %w", err)
	}
	for _, k := range moved {
		l.node(k, decided[k].prec)
	}

	steptrace.Mark("derive: old groups")
	// The rows to link, and their same-id links.
	if _, err := r.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE `+tmpQ+` AS SELECT `+qColumns+` FROM incidents WHERE run_id = $1`, r.ID); err != nil {
		return fmt.Errorf("incident groups: %w", err)
	}
	if len(survivors) > 0 {
		runs, err := r.stageKeys(ctx, survivors)
		if err == nil {
			err = r.insertNear(ctx, "rows to link", `INSERT INTO `+tmpQ+` SELECT `+qColumns+` FROM incidents SEMI JOIN `+tmpKeys+
				` USING (run_id, source_file, source_line) WHERE run_id IN (`+runs+`) AND`, "occurred_on", len(survivors))
		}
		if err != nil {
			return fmt.Errorf("incident groups: %w", err)
		}
		if err := r.readEnds(ctx, l, `SELECT `+fmt.Sprintf(endQ, "q")+` FROM `+tmpQ+` q WHERE run_id <> $1`, r.ID); err != nil {
			return fmt.Errorf("incident groups: %w", err)
		}
	}
	steptrace.Mark("derive: rows to link")
	for _, q := range sameIDRows {
		if _, err := r.conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("incident groups: same id: %w", err)
		}
	}
	rows, err := r.conn.QueryContext(ctx, sameIDRunQuery)
	if err != nil {
		return fmt.Errorf("incident groups: same id: %w", err)
	}
	if err := scanLinks(rows, l, func(a, b int) { l.link(a, b, LinkSameID, 1) }); err != nil {
		return fmt.Errorf("incident groups: same id: %w", err)
	}

	// Their cross-source links: the clusters the sweep made again, and the
	// old clusters of the rest.
	steptrace.Mark("derive: same id")
	linkClusters(l, decided)

	// The groups the links reach. Each joins the new groups whole, as one
	// node (superNode) with its primary and the rows the run links to: its
	// other rows keep their rows of incident_groups, but for the group id.
	// The rows the sweep read come with their groups (oldGroup): those
	// groups are read by id, and only the other rows by key, which joins
	// every row of incident_groups.
	var reached []rowKey
	reachedIDs := map[int64]bool{}
	wanted := map[rowKey]bool{}
	for _, n := range l.nodes {
		if n.key.run == r.ID || n.oldGroup != 0 {
			continue
		}
		if x, ok := decided[n.key]; ok {
			if x.oldGroup != 0 {
				reachedIDs[x.oldGroup] = true
				wanted[n.key] = true
			}
			continue
		}
		reached = append(reached, n.key)
	}
	old := func(g groupRow) {
		i, ok := l.index[g.key]
		if !ok {
			i = l.node(g.key, sql.NullInt16{})
			l.nodes[i].prec = precUnread
		}
		n := &l.nodes[i]
		n.oldGroup, n.oldPrimary = g.group, g.primary
		n.best(g.link, g.score)
		// A row the sweep made again has its new cluster: linkClusters
		// gave it to the nodes there were then, and a row first read
		// here (the primary of a group reached) takes it now.
		if x, ok := decided[g.key]; ok {
			n.cluster, n.clusterScore = x.cluster()
		} else {
			n.cluster, n.clusterScore = g.cluster, g.clusterScore
		}
		l.union(i, l.superNode(g.group))
	}
	if len(reachedIDs) > 0 {
		ids := make([][]driver.Value, 0, len(reachedIDs))
		for id := range reachedIDs {
			ids = append(ids, []driver.Value{id})
		}
		if _, err := r.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE `+tmpReached+` (group_id BIGINT)`); err != nil {
			return fmt.Errorf("incident groups: %w", err)
		}
		if err := r.appendRows(tmpReached, ids); err != nil {
			return fmt.Errorf("incident groups: %w", err)
		}
		err := r.groupRows(ctx, `SELECT `+groupColumns+` FROM incident_groups WHERE group_id IN (SELECT group_id FROM `+tmpReached+`)`,
			func(g groupRow) {
				if g.primary || wanted[g.key] {
					old(g)
				}
			})
		if err != nil {
			return fmt.Errorf("incident groups: %w", err)
		}
	}
	if len(reached) > 0 {
		if _, err := r.stageKeys(ctx, reached); err != nil {
			return fmt.Errorf("incident groups: %w", err)
		}
		const reachedGroups = `SELECT group_id FROM incident_groups SEMI JOIN ` + tmpKeys + ` USING (run_id, source_file, source_line)`
		err := r.groupRows(ctx, `SELECT `+groupColumns+` FROM incident_groups SEMI JOIN `+tmpKeys+` USING (run_id, source_file, source_line)`, old)
		if err == nil {
			err = r.groupRows(ctx, `SELECT `+groupColumns+` FROM incident_groups WHERE is_primary AND group_id IN (`+reachedGroups+`)`, old)
		}
		if err != nil {
			return fmt.Errorf("incident groups: %w", err)
		}
	}
	steptrace.Mark("derive: reached groups")
	// A group's primary is one of the rows read, or an old primary: read
	// those not read yet.
	var unread []rowKey
	for _, n := range l.nodes {
		if !n.known && n.oldPrimary {
			unread = append(unread, n.key)
		}
	}
	if len(unread) > 0 {
		runs, err := r.stageKeys(ctx, unread)
		if err != nil {
			return fmt.Errorf("incident groups: %w", err)
		}
		if err := r.readEnds(ctx, l, `SELECT `+fmt.Sprintf(endQ, "i")+`
			FROM incidents i SEMI JOIN `+tmpKeys+` USING (run_id, source_file, source_line) WHERE run_id IN (`+runs+`)`); err != nil {
			return fmt.Errorf("incident groups: %w", err)
		}
	}

	steptrace.Mark("derive: unread primaries")
	// The new groups, and the earlier rows that became a group's primary
	// or stopped being one.
	var (
		write   [][]driver.Value // rows of incident_groups to write
		stale   []rowKey         // rows of untouched groups written again
		regroup [][]driver.Value // old group id, new
		flipped [][]driver.Value // key, and 1 if it became primary, else -1
	)
	for _, g := range l.groups() {
		p := &l.nodes[g[0]]
		if !p.known {
			return fmt.Errorf("incident groups: the primary of a group is unknown")
		}
		grouped := len(g) > 1
		id := groupID(p.key)
		for mi, i := range g {
			n := &l.nodes[i]
			if n.key.run == superRun {
				if n.key.line != id {
					regroup = append(regroup, []driver.Value{n.key.line, id})
				}
				continue
			}
			now := mi == 0 // a row alone is its own primary
			was := n.oldGroup == 0 || n.oldPrimary
			if n.key.run != r.ID && now != was {
				if !n.known {
					return fmt.Errorf("incident groups: a row whose primary status changed is unknown")
				}
				sign := int32(-1)
				if now {
					sign = 1
				}
				flipped = append(flipped, []driver.Value{n.key.run, n.key.file, n.key.line, sign})
			}
			if n.oldGroup != 0 && !damaged[n.oldGroup] {
				stale = append(stale, n.key)
			}
			if grouped {
				write = append(write, n.groupRow(id, mi == 0))
			}
		}
	}
	if _, err := r.conn.ExecContext(ctx, `DELETE FROM incident_groups WHERE group_id IN (SELECT group_id FROM `+tmpOld+`)`); err != nil {
		return fmt.Errorf("incident groups: %w", err)
	}
	if len(stale) > 0 {
		if _, err := r.stageKeys(ctx, stale); err != nil {
			return fmt.Errorf("incident groups: %w", err)
		}
		if _, err := r.conn.ExecContext(ctx, `DELETE FROM incident_groups g USING `+tmpKeys+` k
			WHERE g.run_id = k.run_id AND g.source_file = k.source_file AND g.source_line = k.source_line`); err != nil {
			return fmt.Errorf("incident groups: %w", err)
		}
	}
	if len(regroup) > 0 {
		if _, err := r.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE `+tmpRegroup+` (old BIGINT, new BIGINT)`); err != nil {
			return fmt.Errorf("incident groups: %w", err)
		}
		if err := r.appendRows(tmpRegroup, regroup); err != nil {
			return fmt.Errorf("incident groups: %w", err)
		}
		if _, err := r.conn.ExecContext(ctx, `UPDATE incident_groups SET group_id = m.new FROM `+tmpRegroup+` m
			WHERE incident_groups.group_id = m.old`); err != nil {
			return fmt.Errorf("incident groups: %w", err)
		}
	}
	if err := r.appendRows("incident_groups", write); err != nil {
		return fmt.Errorf("incident groups: %w", err)
	}
	steptrace.Mark("derive: write groups")
	r.Links, t = time.Since(t), time.Now()
	err = r.summarizeRun(ctx, flipped)
	r.Summaries = time.Since(t)
	return err
}

// linkClusters links, in l, the clusters the sweep made again that hold a
// row of l or a new row, each whole, and the rows of l that the sweep did
// not reach with the other rows of their old cluster. A row the sweep
// reached takes its new cluster.
func linkClusters(l *linker, decided map[rowKey]*sweepRec) {
	seen := map[*sweepCluster]bool{}
	for _, x := range decided {
		c := x.c
		if seen[c] {
			continue
		}
		seen[c] = true
		for _, m := range c.members {
			if _, ok := l.index[m.key]; ok || m.isNew {
				linkCluster(l, c)
				break
			}
		}
	}
	byOld := map[int64][]int{}
	for i := range l.nodes {
		n := &l.nodes[i]
		if x, ok := decided[n.key]; ok {
			n.cluster, n.clusterScore = x.cluster()
			l.know(i, precOf(x.prec))
			continue
		}
		if n.cluster != 0 {
			byOld[n.cluster] = append(byOld[n.cluster], i)
		}
	}
	for _, members := range byOld {
		for _, i := range members {
			l.nodes[i].best(LinkCrossSource, l.nodes[i].clusterScore)
			l.union(members[0], i)
		}
	}
}

// scanLinks reads rows of two ends (endQ) and calls link with their
// nodes.
func scanLinks(rows *sql.Rows, l *linker, link func(a, b int)) error {
	defer rows.Close()
	var e [2]end
	dest := append(e[0].dest(), e[1].dest()...)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		link(e[0].node(l), e[1].node(l))
	}
	return rows.Err()
}

// end is one row of a link as the queries give it.
type end struct {
	key  rowKey
	prec sql.NullInt16
}

func (e *end) dest() []any {
	return []any{&e.key.run, &e.key.file, &e.key.line, &e.prec}
}

// node returns e's node, with its precision.
func (e *end) node(l *linker) int {
	i := l.node(e.key, e.prec)
	l.know(i, precOf(e.prec))
	return i
}

// readEnds gives the nodes of the rows q returns (endQ) their precision.
func (r *Run) readEnds(ctx context.Context, l *linker, q string, args ...any) error {
	rows, err := r.conn.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var e end
	for rows.Next() {
		if err := rows.Scan(e.dest()...); err != nil {
			return err
		}
		e.node(l)
	}
	return rows.Err()
}

// groupRow is a row of incident_groups.
type groupRow struct {
	group        int64
	key          rowKey
	link         string
	score        float64
	primary      bool
	cluster      int64 // 0: none
	clusterScore float64
}

// groupColumns are the columns of a groupRow, in the order groupRows
// reads them.
const groupColumns = `group_id, run_id, source_file, source_line, link, score, is_primary, coalesce(cluster, 0), coalesce(cluster_score, 0)`

// groupRows calls fn with every row of incident_groups that q selects
// (groupColumns).
func (r *Run) groupRows(ctx context.Context, q string, fn func(groupRow)) error {
	rows, err := r.conn.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var g groupRow
		if err := rows.Scan(&g.group, &g.key.run, &g.key.file, &g.key.line, &g.link, &g.score, &g.primary,
			&g.cluster, &g.clusterScore); err != nil {
			return err
		}
		fn(g)
	}
	return rows.Err()
}

// stageKeys fills ocmap_keys with keys, and returns their run ids as a SQL
// list: a filter on run_id lets DuckDB skip the row groups of other runs.
func (r *Run) stageKeys(ctx context.Context, keys []rowKey) (string, error) {
	if _, err := r.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE `+tmpKeys+` (run_id BIGINT, source_file VARCHAR, source_line BIGINT)`); err != nil {
		return "", err
	}
	rows := make([][]driver.Value, len(keys))
	seen := map[int64]bool{}
	var runs []string
	for i, k := range keys {
		rows[i] = []driver.Value{k.run, k.file, k.line}
		if !seen[k.run] {
			seen[k.run] = true
			runs = append(runs, strconv.FormatInt(k.run, 10))
		}
	}
	return strings.Join(runs, ", "), r.appendRows(tmpKeys, rows)
}

// Rebuild recomputes every derived table from incidents in one
// transaction: incident_groups, district_month, district_month_sums and
// district_month_sources,
// then whatever after derives from them (the measures). step, when not
// nil, is told each step as it begins. A rebuild stopped half-way, or
// failing, leaves the database as it was.
func (s *Store) Rebuild(ctx context.Context, step func(string), after func(ctx context.Context, r *Run) error) error {
	r, err := s.beginTx(ctx)
	if err != nil {
		return err
	}
	// A database made before ids were hashed gets its key here, and its
	// ids that hold personal data are hashed (IDs), as its next ingest
	// would do.
	if _, err = r.IDs(ctx); err == nil {
		err = r.deriveAll(ctx, step)
	}
	if err == nil && after != nil {
		err = after(ctx, r)
	}
	if err == nil {
		if step != nil {
			step("commit")
		}
		_, err = r.conn.ExecContext(ctx, "COMMIT")
	}
	if err != nil {
		r.Rollback()
		return fmt.Errorf("store: %s: rebuild: %w", s.Path, err)
	}
	r.done = true
	return r.conn.Close()
}
