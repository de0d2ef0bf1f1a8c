//go:build duckdb_arrow

package store

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// groupsDDL creates the incident groups and the per-source summary, and
// gives district_month its records column. It must run after ddl, which
// creates district_month; every statement is idempotent.
var groupsDDL = []string{
	// One row per incident in a group of two or more records; an incident
	// not listed is a group of its own.
	`CREATE TABLE IF NOT EXISTS incident_groups (
		run_id BIGINT, source_file VARCHAR, source_line BIGINT,
		group_id BIGINT, link VARCHAR, score DOUBLE, is_primary BOOLEAN)`,
	// The cross-source cluster of the row (sweep.go) and the row's best
	// score in it; null when the row is in no cluster of two or more.
	`ALTER TABLE incident_groups ADD COLUMN IF NOT EXISTS cluster BIGINT`,
	`ALTER TABLE incident_groups ADD COLUMN IF NOT EXISTS cluster_score DOUBLE`,
	`ALTER TABLE district_month ADD COLUMN IF NOT EXISTS records BIGINT`,
	// Rows placed in a province only have no district_code; province
	// says where they are, and by_near and by_province count precisions
	// 2 and 4 as by_point and by_name count 1 and 3.
	`ALTER TABLE district_month ADD COLUMN IF NOT EXISTS province VARCHAR`,
	`ALTER TABLE district_month ADD COLUMN IF NOT EXISTS by_near BIGINT`,
	`ALTER TABLE district_month ADD COLUMN IF NOT EXISTS by_province BIGINT`,
	// Rows placed at national level only (precision 6) have neither
	// district_code nor province.
	`ALTER TABLE district_month ADD COLUMN IF NOT EXISTS by_country BIGINT`,
	// Victims: the victims column, or for canonical human trafficking rows,
	// whose quantity counts victims, the quantity.
	`ALTER TABLE district_month ADD COLUMN IF NOT EXISTS victims BIGINT`,
	`CREATE TABLE IF NOT EXISTS district_month_sources (
		district_code VARCHAR, category VARCHAR, month DATE, source VARCHAR, records BIGINT)`,
	// Each time the sweep took a record out of a cluster for a record of
	// its source (sweep.go): the day (moved_on; step orders the moves of
	// one day) and the cluster it left. With each record's last cluster
	// they tell which records were together on any day, where a run's
	// sweep starts.
	`CREATE TABLE IF NOT EXISTS sweep_moves (
		run_id BIGINT, source_file VARCHAR, source_line BIGINT,
		category VARCHAR, district_code VARCHAR, occurred_on DATE,
		moved_on DATE, step SMALLINT, from_cluster BIGINT)`,
}

// Kinds of link in incident_groups.link.
const (
	LinkSameID      = "same_id"      // the same incident id twice in one source
	LinkCrossSource = "cross_source" // two sources describing one incident
)

// Limits of a cross-source link.
const (
	linkWindowDays = 3    // between the dates of the incidents
	linkMaxKm      = 10.0 // between two points
	linkNearKm     = 1.0  // points this close agree on the place
	linkMinRatio   = 0.8  // smaller over larger quantity, or amount
)

// sameIDQueries find the records whose (source key, category, incident id)
// occurs more than once (the source key is the source, else the layout).
// They group by a hash, since with unique ids a group by the strings builds
// a hash table of every row; Go compares the exact keys. The rows are read
// only when some hash occurs twice, as a join probing every row would cost
// as much again.
var sameIDQueries = [3]string{
	`CREATE OR REPLACE TEMP TABLE ocmap_dup_ids AS
		SELECT hash(coalesce(source, layout, ''), category, incident_id) AS h FROM incidents
		WHERE incident_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1`,
	`SELECT run_id, source_file, source_line, location_precision,
		coalesce(source, layout, '') || chr(0) || category || chr(0) || incident_id
	FROM incidents SEMI JOIN ocmap_dup_ids
		ON hash(coalesce(source, layout, ''), category, incident_id) = ocmap_dup_ids.h
	WHERE incident_id IS NOT NULL`,
	`DROP TABLE ocmap_dup_ids`,
}

// oneSourceQuery says whether incidents come from one source key at most,
// when no record can have a cross-source link.
const oneSourceQuery = `SELECT coalesce(min(coalesce(source, layout, '')) = max(coalesce(source, layout, '')), true) FROM incidents`

// rowKey is the unique key of an incidents row.
type rowKey struct {
	run  int64
	file string
	line int64
}

// groupNode is one record in the union-find forest of linkGroups and
// linkRun.
type groupNode struct {
	key    rowKey
	parent int
	link   string // kind of its best link
	score  float64
	// The row's cross-source cluster and its score in it (0: none).
	cluster      int64
	clusterScore float64
	// linkRun only: the group it was in before the run (0: none) and
	// whether it was that group's primary, and whether its precision and
	// cell were read (the cell is in linker.cells).
	oldGroup   int64
	oldPrimary bool
	known      bool
	prec       int16 // location_precision; a missing one sorts last, an unread one (linkRun) after that
	// (The small fields last: a node of millions in a rebuild is 96
	// bytes, not 120 with padding between them.)
}

// Precisions of groupNode.prec that no row has.
const (
	precMissing = 1 << 14 // location_precision is null
	precUnread  = 1<<15 - 1
)

// linker collects links between records and joins them into groups.
type linker struct {
	index map[rowKey]int
	nodes []groupNode
	// cells holds the district_month cell of each known node in a run
	// (deriveRun), and is nil in a rebuild, which needs none: a cell in
	// every node of millions cost a third of the nodes' memory.
	cells map[int]cell
}

// know sets node i's precision and, in a run, its cell (from c), unless
// they are known.
func (l *linker) know(i int, prec int16, c func() cell) {
	n := &l.nodes[i]
	if n.known {
		return
	}
	n.prec, n.known = prec, true
	if l.cells != nil {
		l.cells[i] = c()
	}
}

func (l *linker) node(k rowKey, prec sql.NullInt16) int {
	if i, ok := l.index[k]; ok {
		return i
	}
	i := len(l.nodes)
	l.index[k] = i
	l.nodes = append(l.nodes, groupNode{key: k, prec: precOf(prec), parent: i})
	return i
}

func precOf(prec sql.NullInt16) int16 {
	if prec.Valid {
		return prec.Int16
	}
	return precMissing
}

func (l *linker) root(i int) int {
	for l.nodes[i].parent != i {
		l.nodes[i].parent = l.nodes[l.nodes[i].parent].parent
		i = l.nodes[i].parent
	}
	return i
}

// link joins records i and j; each keeps the best score of its links, and
// a same-id link wins a tie, whatever order the links come in.
func (l *linker) link(i, j int, kind string, score float64) {
	for _, n := range []int{i, j} {
		l.nodes[n].best(kind, score)
	}
	l.union(i, j)
}

// superRun is the run of superNode's keys, which no row has.
const superRun = -1

// superNode returns the node that stands for the old group g in linkRun:
// the rows of g not read are one with it. It never sorts first.
func (l *linker) superNode(g int64) int {
	k := rowKey{run: superRun, line: g}
	if i, ok := l.index[k]; ok {
		return i
	}
	i := l.node(k, sql.NullInt16{})
	l.nodes[i].prec = precUnread
	return i
}

// union joins the groups of records i and j, their links unchanged.
func (l *linker) union(i, j int) {
	if ri, rj := l.root(i), l.root(j); ri != rj {
		l.nodes[max(ri, rj)].parent = min(ri, rj)
	}
}

// best keeps the link of kind and score when it beats the node's own.
func (n *groupNode) best(kind string, score float64) {
	if n.link == "" || score > n.score || score == n.score && kind == LinkSameID {
		n.link, n.score = kind, score
	}
}

// before orders the candidates for a group's primary record: the most
// precise location, then the earliest run, file and line.
func (l *linker) before(i, j int) int { return nodeBefore(&l.nodes[i], &l.nodes[j]) }

// nodeBefore is linker.before of two nodes.
func nodeBefore(a, b *groupNode) int {
	return cmp.Or(cmp.Compare(a.prec, b.prec), cmp.Compare(a.key.run, b.key.run),
		cmp.Compare(a.key.file, b.key.file), cmp.Compare(a.key.line, b.key.line))
}

// groups returns the members of each group, primary first, with the groups
// in the order of their primaries.
func (l *linker) groups() [][]int {
	byRoot := map[int][]int{}
	for i := range l.nodes {
		r := l.root(i)
		byRoot[r] = append(byRoot[r], i)
	}
	out := make([][]int, 0, len(byRoot))
	for _, g := range byRoot {
		slices.SortFunc(g, l.before)
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b []int) int { return l.before(a[0], b[0]) })
	return out
}

// linkGroups recomputes incident_groups from every incident, within the
// run's transaction.
//
// Records are linked when they are
//   - same_id: the same source key (the source, else the layout), category
//     and incident_id; score 1.
//   - cross_source: in one cluster of the sweep (sweep.go): the same
//     category and district, dates at most windowDays from the cluster's
//     first, one record per source key, and every two of them within 10 km
//     when both have a point and within a ratio of 0.8 of quantity (kg) and
//     of amount (PKR) when both have one. A member's score is its best
//     pairScore in the cluster.
//
// A group is a connected component of these links, so a source's
// duplicate of a record brings its own cluster along. Each member's score
// and link are those of its best link (same_id on a tie). The primary
// member has the lowest location_precision, then the earliest run_id,
// source_file, source_line. A group's id is a hash of its primary's
// run_id, source_file and source_line (groupID).
func (r *Run) linkGroups(ctx context.Context, windowDays int) error {
	if windowDays < 0 {
		return fmt.Errorf("negative link window %d", windowDays)
	}
	for _, t := range []string{"incident_groups", "sweep_moves"} {
		if _, err := r.conn.ExecContext(ctx, `DELETE FROM `+t); err != nil {
			return fmt.Errorf("incident groups: %w", err)
		}
	}
	l := &linker{index: map[rowKey]int{}}
	if err := r.linkSameID(ctx, l); err != nil {
		return fmt.Errorf("incident groups: same id: %w", err)
	}
	spill, err := newGroupSpill()
	if err != nil {
		return fmt.Errorf("incident groups: %w", err)
	}
	defer spill.close()
	if err := r.linkCrossSource(ctx, l, spill, int32(windowDays)); err != nil {
		return fmt.Errorf("incident groups: cross source: %w", err)
	}
	if err := spill.insert(ctx, r); err != nil {
		return fmt.Errorf("incident groups: %w", err)
	}
	if len(l.nodes) == 0 {
		return nil
	}
	if err := r.insertGroups(l, l.groups()); err != nil {
		return fmt.Errorf("incident groups: %w", err)
	}
	return nil
}

func (r *Run) linkSameID(ctx context.Context, l *linker) error {
	if _, err := r.conn.ExecContext(ctx, sameIDQueries[0]); err != nil {
		return err
	}
	defer r.conn.ExecContext(ctx, sameIDQueries[2])
	var found bool
	if err := r.conn.QueryRowContext(ctx, `SELECT count(*) > 0 FROM ocmap_dup_ids`).Scan(&found); err != nil || !found {
		return err
	}
	rows, err := r.conn.QueryContext(ctx, sameIDQueries[1])
	if err != nil {
		return err
	}
	defer rows.Close()
	type rec struct {
		key  rowKey
		prec sql.NullInt16
	}
	// A hash collision brings rows with different keys: only equal keys link.
	byID := map[string][]rec{}
	var ids []string
	for rows.Next() {
		var x rec
		var id string
		if err := rows.Scan(&x.key.run, &x.key.file, &x.key.line, &x.prec, &id); err != nil {
			return err
		}
		if _, ok := byID[id]; !ok {
			ids = append(ids, id)
		}
		byID[id] = append(byID[id], x)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		recs := byID[id]
		if len(recs) < 2 {
			continue
		}
		first := l.node(recs[0].key, recs[0].prec)
		for _, x := range recs[1:] {
			l.link(first, l.node(x.key, x.prec), LinkSameID, 1)
		}
	}
	return nil
}

// linkCrossSource sweeps every record: a cluster with a record that has a
// same-id link (a node of l) is linked in l, any other is a group, written
// to spill.
func (r *Run) linkCrossSource(ctx context.Context, l *linker, spill *groupSpill, windowDays int32) error {
	var one bool
	if err := r.conn.QueryRowContext(ctx, oneSourceQuery).Scan(&one); err != nil || one {
		return err
	}
	return r.sweepAll(ctx, l, spill, windowDays)
}

// groupID is the group_id of the group whose primary record is k: a 63-bit
// FNV-1a hash of its run_id, source_file and source_line. A group so keeps
// its id for as long as it keeps its primary, whatever later runs add, and
// a rebuild gives every group the id it had.
func groupID(k rowKey) int64 {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(k.run))
	h.Write(b[:])
	h.Write([]byte(k.file))
	binary.LittleEndian.PutUint64(b[:], uint64(k.line))
	h.Write(b[:])
	return int64(h.Sum64() >> 1)
}

// groupRow is n's row of incident_groups in group id.
func (n *groupNode) groupRow(id int64, primary bool) []driver.Value {
	var cluster, score driver.Value
	if n.cluster != 0 {
		cluster, score = n.cluster, n.clusterScore
	}
	return []driver.Value{n.key.run, n.key.file, n.key.line, id, n.link, n.score, primary, cluster, score}
}

// insertGroups appends groups (members, primary first) through DuckDB's
// appender, which writes within the connection's open transaction.
func (r *Run) insertGroups(l *linker, groups [][]int) error {
	return r.conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", "incident_groups")
		if err != nil {
			return err
		}
		for _, g := range groups {
			id := groupID(l.nodes[g[0]].key)
			for mi, i := range g {
				n := &l.nodes[i]
				if err := app.AppendRow(n.groupRow(id, mi == 0)...); err != nil {
					app.Close()
					return err
				}
			}
		}
		return app.Close()
	})
}

// summarize recomputes district_month and district_month_sources from
// incidents and incident_groups: every cell, or with only, the cells of
// ocmap_touched (district_code, category, month) whose months lie from lo
// to hi (hi included; zero times when some month is null). In
// district_month, incidents counts groups,
// each once in the cell of its primary member, with a record in no group
// counting one; quantity, amount_pkr, by_point and by_name add up the
// primaries alone, so a seizure two sources report is not counted twice;
// records counts every row. A cell can so have records but no incidents,
// when all its records belong to groups whose primary lies elsewhere.
// district_month_sources counts the rows of each source key.
func (r *Run) summarize(ctx context.Context, only bool, lo, hi time.Time) error {
	// Without groups every record is primary, and the join is skipped.
	var grouped bool
	if err := r.conn.QueryRowContext(ctx, `SELECT count(*) > 0 FROM incident_groups`).Scan(&grouped); err != nil {
		return fmt.Errorf("summaries: %w", err)
	}
	rows, primary := `incidents`, `true`
	clear := []string{`DELETE FROM district_month`, `DELETE FROM district_month_sources`}
	var args []any
	if only {
		// The same cells as whole: district_month's province is one of the
		// cell's rows', and district_month_sources has none.
		match := func(t string) string {
			return t + `.district_code IS NOT DISTINCT FROM t.district_code AND ` + t + `.category = t.category AND `
		}
		// The cells' rows go to a table of their own first: DuckDB then
		// knows how few they are and hashes them, not the non-primary rows
		// of incident_groups (a million at 5M rows: 0.44 s of a 1,000-row
		// run, against 0.04 s).
		q := `CREATE OR REPLACE TEMP TABLE ` + tmpSumRows + ` AS
			SELECT i.run_id, i.source_file, i.source_line, i.district_code, i.province, i.category, i.occurred_on,
				i.source, i.layout, i.quantity, i.amount_pkr, i.location_precision, i.victims
			FROM incidents i SEMI JOIN ocmap_touched t ON ` + match("i") +
			`CAST(date_trunc('month', i.occurred_on) AS DATE) IS NOT DISTINCT FROM t.month`
		if !lo.IsZero() {
			q += ` WHERE i.occurred_on BETWEEN $1 AND $2`
			args = []any{lo, hi}
		}
		if _, err := r.conn.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("summaries: %w", err)
		}
		rows, args = tmpSumRows, nil
		clear = []string{
			`DELETE FROM district_month d USING ocmap_touched t WHERE ` + match("d") + `d.month IS NOT DISTINCT FROM t.month`,
			`DELETE FROM district_month_sources d USING ocmap_touched t WHERE ` + match("d") + `d.month IS NOT DISTINCT FROM t.month`,
		}
	}
	from := rows + ` i`
	if grouped {
		// A row is primary unless incident_groups says it is not: joining
		// the rows that are not (fewer than half of the grouped rows)
		// costs less than joining every grouped row for its flag.
		from = rows + ` i LEFT JOIN (SELECT run_id, source_file, source_line FROM incident_groups WHERE NOT is_primary) g
			USING (run_id, source_file, source_line)`
		primary = `g.run_id IS NULL`
	}
	for _, q := range clear {
		if _, err := r.conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("summaries: %w", err)
		}
	}
	// No ORDER BY: rows in insertion order cost a sort, 30 ms a table on a
	// million incidents, and nothing reads them in that order.
	for i, q := range []string{
		// Grouped by source and layout as stored, and the victims split in
		// two sums: computing coalesce() over every row of a large table
		// cost more than the whole summary did before.
		`CREATE OR REPLACE TEMP TABLE ocmap_cells AS
			SELECT district_code, province, category, CAST(date_trunc('month', occurred_on) AS DATE) AS month, source, layout,
				count(*) AS records,
				count(*) FILTER (WHERE p) AS incidents,
				-- Exact sums: DOUBLE addition depends on the order DuckDB's
				-- threads meet the rows, and summaries must be identical from run
				-- to run. Quantities keep 6 decimals (mg of a kg), amounts 2 (paisa).
				sum(CAST(quantity AS DECIMAL(38, 6))) FILTER (WHERE p) AS quantity,
				sum(CAST(amount_pkr AS DECIMAL(38, 2))) FILTER (WHERE p) AS amount_pkr,
				count(*) FILTER (WHERE p AND location_precision = 1) AS by_point,
				count(*) FILTER (WHERE p AND location_precision = 3) AS by_name,
				count(*) FILTER (WHERE p AND location_precision = 2) AS by_near,
				count(*) FILTER (WHERE p AND location_precision = 4) AS by_province,
				count(*) FILTER (WHERE p AND location_precision = 6) AS by_country,
				sum(victims) FILTER (WHERE p) AS v_given,
				sum(CAST(round(quantity) AS BIGINT)) FILTER (WHERE p AND victims IS NULL) AS v_quantity
			FROM (
				SELECT i.district_code, i.province, i.category, i.occurred_on, i.source, i.layout,
					i.quantity, i.amount_pkr, i.location_precision, i.victims, ` + primary + ` AS p
				FROM ` + from + `)
			GROUP BY ALL`,
		`INSERT INTO district_month (district_code, province, category, month, incidents, quantity, amount_pkr,
				by_point, by_name, by_near, by_province, by_country, records, victims)
			SELECT district_code, province, category, month, sum(incidents), CAST(sum(quantity) AS DOUBLE),
				CAST(sum(amount_pkr) AS DOUBLE), sum(by_point), sum(by_name), sum(by_near), sum(by_province), sum(by_country), sum(records),
				-- The victims column, or for canonical trafficking rows the
				-- quantity, which counts victims there.
				CASE WHEN category = 'human_trafficking' AND (sum(v_given) IS NOT NULL OR sum(v_quantity) IS NOT NULL)
					THEN coalesce(sum(v_given), 0) + coalesce(sum(v_quantity), 0)
					ELSE sum(v_given) END
			FROM ocmap_cells GROUP BY district_code, province, category, month`,
		`INSERT INTO district_month_sources
			SELECT district_code, category, month, coalesce(source, layout, ''), sum(records) FROM ocmap_cells GROUP BY ALL`,
		`DROP TABLE ocmap_cells`,
		`DROP TABLE IF EXISTS ` + tmpSumRows,
	} {
		var a []any
		if i == 0 {
			a = args
		}
		if _, err := r.conn.ExecContext(ctx, q, a...); err != nil {
			return fmt.Errorf("summaries: %w", err)
		}
	}
	return nil
}
