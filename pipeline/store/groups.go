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
	"strings"

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
	sumsDDL,
	// Each time the sweep took a record out of a cluster for a record of
	// its source (sweep.go): the day (moved_on; step orders the moves of
	// one day) and the cluster it left. With each record's last cluster
	// they tell which records were together on any day, where a run's
	// sweep starts.
	`CREATE TABLE IF NOT EXISTS sweep_moves (
		run_id BIGINT, source_file VARCHAR, source_line BIGINT,
		category VARCHAR, district_code VARCHAR, occurred_on DATE,
		moved_on DATE, step SMALLINT, from_cluster BIGINT)`,
	// The records the sweep leaves out (linkGroups): each is a later copy
	// of an earlier record of its source, category, incident id and month
	// that the sweep clusters, and joins its group by their same-id link.
	// The key of the id and the day let a run find who stands for the id
	// when the earlier record goes (promote).
	`CREATE TABLE IF NOT EXISTS sweep_twins (
		run_id BIGINT, source_file VARCHAR, source_line BIGINT,
		skey VARCHAR, category VARCHAR, incident_id VARCHAR,
		district_code VARCHAR, occurred_on DATE)`,
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

// sameIDQueries find the records whose (source key, category, incident id,
// month of the date) occurs more than once (the source key is the source,
// else the layout; records without a date have the same month).
// They group by a hash, since with unique ids a group by the strings builds
// a hash table of every row; Go compares the exact keys. The rows are read
// only when some hash occurs twice, as a join probing every row would cost
// as much again.
var sameIDQueries = [3]string{
	`CREATE OR REPLACE TEMP TABLE ocmap_dup_ids AS
		SELECT hash(coalesce(source, layout, ''), category, incident_id, date_trunc('month', occurred_on)) AS h FROM incidents
		WHERE incident_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1`,
	`SELECT run_id, source_file, source_line, location_precision,
		coalesce(source, layout, ''), category, incident_id, district_code, occurred_on
	FROM incidents SEMI JOIN ocmap_dup_ids
		ON hash(coalesce(source, layout, ''), category, incident_id, date_trunc('month', occurred_on)) = ocmap_dup_ids.h
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

// fileOrder gives the position of a file in its run
// (ingest_files.file_seq), by the run and file of a rowKey whose line is
// 0; a file ingest_files does not record (rows a test wrote) has 0.
//
// Records are ingested earlier in the order of their run, the position of
// their file in the run, the file (byte-wise, for files of one position)
// and line: a group's primary (after precision), the twin that stands for
// an incident id and the sweep's order follow it. SQL orders by the same
// columns, with fileSeqOf for the position.
type fileOrder map[rowKey]int32

// seq is the position of file in run.
func (o fileOrder) seq(run int64, file string) int32 { return o[rowKey{run: run, file: file}] }

// compareKeys orders row keys as ingested: by run, position of the file,
// file (byte-wise, as DuckDB orders VARCHARs) and line.
func (o fileOrder) compareKeys(a, b rowKey) int {
	return cmp.Or(cmp.Compare(a.run, b.run), cmp.Compare(o.seq(a.run, a.file), o.seq(b.run, b.file)),
		strings.Compare(a.file, b.file), cmp.Compare(a.line, b.line))
}

// fileSeqOf is the SQL of fileOrder.seq for the row of t, a table or
// alias with run_id and source_file.
func fileSeqOf(t string) string {
	return `coalesce((SELECT max(f.file_seq) FROM ingest_files f WHERE f.run_id = ` + t + `.run_id AND f.source_file = ` + t + `.source_file), 0)`
}

// ingestedOrder is the SQL ORDER BY terms of fileOrder.compareKeys for
// the row of t (run, position of the file, file, line) in a query of s.
// A database an older ocmap made, opened read-only (ocmap flows, serve),
// is not migrated: its ingest_files has no file_seq, and its files of a
// run are in the order of their names, as that ocmap had them.
func (s *Store) ingestedOrder(ctx context.Context, t string) (string, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_columns()
		WHERE database_name = current_database() AND table_name = 'ingest_files' AND column_name = 'file_seq'`).Scan(&n); err != nil {
		return "", err
	}
	seq := ""
	if n > 0 {
		seq = fileSeqOf(t) + ", "
	}
	return t + ".run_id, " + seq + t + ".source_file, " + t + ".source_line", nil
}

// loadFileOrder reads the positions of the files of every run, once the
// run recorded its own (FinishFile): derive orders records by them.
func (r *Run) loadFileOrder(ctx context.Context) error {
	rows, err := r.conn.QueryContext(ctx, `SELECT run_id, source_file, max(file_seq) FROM ingest_files
		WHERE file_seq IS NOT NULL GROUP BY ALL`)
	if err != nil {
		return fmt.Errorf("file order: %w", err)
	}
	defer rows.Close()
	o := fileOrder{}
	for rows.Next() {
		var k rowKey
		var seq int32
		if err := rows.Scan(&k.run, &k.file, &seq); err != nil {
			return fmt.Errorf("file order: %w", err)
		}
		o[k] = seq
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("file order: %w", err)
	}
	r.order = o
	return nil
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
	// whether it was that group's primary, and whether its precision was
	// read.
	oldGroup   int64
	oldPrimary bool
	known      bool
	prec       int16 // location_precision; a missing one sorts last, an unread one (linkRun) after that
	seq        int32 // the position of its file in its run (fileOrder)
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
	order fileOrder // gives each node its seq
}

// know sets node i's precision, unless it is known.
func (l *linker) know(i int, prec int16) {
	n := &l.nodes[i]
	if !n.known {
		n.prec, n.known = prec, true
	}
}

func (l *linker) node(k rowKey, prec sql.NullInt16) int {
	if i, ok := l.index[k]; ok {
		return i
	}
	i := len(l.nodes)
	l.index[k] = i
	l.nodes = append(l.nodes, groupNode{key: k, prec: precOf(prec), parent: i, seq: l.order.seq(k.run, k.file)})
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
// precise location, then the earliest ingested (fileOrder): run, position
// of the file in the run, file and line.
func (l *linker) before(i, j int) int { return nodeBefore(&l.nodes[i], &l.nodes[j]) }

// nodeBefore is linker.before of two nodes.
func nodeBefore(a, b *groupNode) int {
	return cmp.Or(cmp.Compare(a.prec, b.prec), cmp.Compare(a.key.run, b.key.run), cmp.Compare(a.seq, b.seq),
		strings.Compare(a.key.file, b.key.file), cmp.Compare(a.key.line, b.key.line))
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
//   - same_id: the same source key (the source, else the layout), category,
//     incident_id and month of occurred_on (both undated counts as the
//     same); score 1. The month keeps apart what only shares an id: serial
//     numbers that start again in each month's file, or a placeholder the
//     readers do not know; a record sent again, or with its day corrected,
//     is in its month.
//   - cross_source: in one cluster of the sweep (sweep.go): the same
//     category and district, dates at most windowDays from the cluster's
//     first, one record per source key, and every two of them within 10 km
//     when both have a point and within a ratio of 0.8 of quantity (kg) and
//     of amount (PKR) when both have one. A member's score is its best
//     pairScore in the cluster.
//
// The sweep leaves out twins: a record of a source key, category,
// incident id and month that an earlier record with a district and a date
// has (earlier ingested: fileOrder; sweep_twins lists them). A
// copy the source sent again is the incident its first record is: on its
// own it could only start a cluster beside the first's (one record per
// source) and gather a neighbouring incident's records, which its same-id
// link would merge with the first's.
//
// A group is a connected component of these links, so a source's
// duplicate of a record brings its own cluster along. Each member's score
// and link are those of its best link (same_id on a tie). The primary
// member has the lowest location_precision, then is the earliest
// ingested (fileOrder). A group's id is a hash of its primary's
// run_id, source_file and source_line (groupID).
func (r *Run) linkGroups(ctx context.Context, windowDays int) error {
	if windowDays < 0 {
		return fmt.Errorf("negative link window %d", windowDays)
	}
	for _, t := range []string{"incident_groups", "sweep_moves", "sweep_twins"} {
		if _, err := r.conn.ExecContext(ctx, `DELETE FROM `+t); err != nil {
			return fmt.Errorf("incident groups: %w", err)
		}
	}
	l := &linker{index: map[rowKey]int{}, order: r.order}
	twins, err := r.linkSameID(ctx, l)
	if err != nil {
		return fmt.Errorf("incident groups: same id: %w", err)
	}
	spill, err := newGroupSpill()
	if err != nil {
		return fmt.Errorf("incident groups: %w", err)
	}
	defer spill.close()
	if err := r.linkCrossSource(ctx, l, spill, twins, int32(windowDays)); err != nil {
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

// linkSameID links, in l, the records of one source key, category,
// incident id and month, writes their twins to sweep_twins and returns
// them.
func (r *Run) linkSameID(ctx context.Context, l *linker) (map[rowKey]bool, error) {
	if _, err := r.conn.ExecContext(ctx, sameIDQueries[0]); err != nil {
		return nil, err
	}
	defer r.conn.ExecContext(ctx, sameIDQueries[2])
	var found bool
	if err := r.conn.QueryRowContext(ctx, `SELECT count(*) > 0 FROM ocmap_dup_ids`).Scan(&found); err != nil || !found {
		return nil, err
	}
	rows, err := r.conn.QueryContext(ctx, sameIDQueries[1])
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type rec struct {
		key      rowKey
		prec     sql.NullInt16
		district sql.NullString
		day      sql.NullTime
	}
	type idKey struct {
		skey, category, id string
		month              int // year*12 + month of the date, -1 without one
	}
	// A hash collision brings rows with different keys: only equal keys link.
	byID := map[idKey][]rec{}
	var ids []idKey
	for rows.Next() {
		var x rec
		var id idKey
		if err := rows.Scan(&x.key.run, &x.key.file, &x.key.line, &x.prec, &id.skey, &id.category, &id.id, &x.district, &x.day); err != nil {
			return nil, err
		}
		id.month = -1
		if x.day.Valid {
			id.month = x.day.Time.Year()*12 + int(x.day.Time.Month())
		}
		if _, ok := byID[id]; !ok {
			ids = append(ids, id)
		}
		byID[id] = append(byID[id], x)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	twins := map[rowKey]bool{}
	var twinRows [][]driver.Value
	for _, id := range ids {
		recs := byID[id]
		if len(recs) < 2 {
			continue
		}
		first := l.node(recs[0].key, recs[0].prec)
		for _, x := range recs[1:] {
			l.link(first, l.node(x.key, x.prec), LinkSameID, 1)
		}
		// The records the sweep may cluster, earliest first: the first
		// stands for the id, the others are its twins.
		swept := slices.DeleteFunc(slices.Clone(recs), func(x rec) bool { return !x.district.Valid || !x.day.Valid })
		slices.SortFunc(swept, func(a, b rec) int { return l.order.compareKeys(a.key, b.key) })
		for _, x := range swept[min(1, len(swept)):] {
			twins[x.key] = true
			twinRows = append(twinRows, []driver.Value{x.key.run, x.key.file, x.key.line,
				id.skey, id.category, id.id, x.district.String, x.day.Time})
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	return twins, r.appendRows("sweep_twins", twinRows)
}

// linkCrossSource sweeps every record but twins: a cluster with a record
// that has a same-id link (a node of l) is linked in l, any other is a
// group, written to spill.
func (r *Run) linkCrossSource(ctx context.Context, l *linker, spill *groupSpill, twins map[rowKey]bool, windowDays int32) error {
	var one bool
	if err := r.conn.QueryRowContext(ctx, oneSourceQuery).Scan(&one); err != nil || one {
		return err
	}
	return r.sweepAll(ctx, l, spill, twins, windowDays)
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
