//go:build duckdb_arrow

package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ocmap/ocmap/internal/scratch"
)

// A rebuild writes most groups as the sweep closes them.
//
// A record is in one cluster at most, so a cluster whose records have no
// same-id link is a group by itself: its rows of incident_groups are known
// when it closes, and need no node in the linker. Only the clusters that
// hold a record with a same-id link go to the linker, whose connected
// components join them. Holding every grouped record's node until the end
// made a rebuild's memory grow with the grouped records (half of them at
// 10M rows, 3.3 GB peak RSS).
//
// The sweep reads the incidents through a query that holds the run's
// connection, so the rows wait in a temporary Arrow IPC file, and DuckDB
// reads that file in one INSERT after the sweep, as it does the rejects.

// groupsSchema is the shape of incident_groups.
var groupsSchema = arrow.NewSchema([]arrow.Field{
	{Name: "run_id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "source_file", Type: arrow.BinaryTypes.String},
	{Name: "source_line", Type: arrow.PrimitiveTypes.Int64},
	{Name: "group_id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "link", Type: arrow.BinaryTypes.String},
	{Name: "score", Type: arrow.PrimitiveTypes.Float64},
	{Name: "is_primary", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "cluster", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "cluster_score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
}, nil)

// groupSpillBatch is the rows of one batch of the spill file.
const groupSpillBatch = 1 << 16

// groupSpill collects rows of incident_groups in a temporary file.
type groupSpill struct {
	f     *os.File
	w     *ipc.Writer
	b     *array.RecordBuilder
	rows  int64 // rows written, the batch being built included
	nodes []groupNode
}

func newGroupSpill() (*groupSpill, error) {
	f, err := scratch.File("ocmap-groups-*.arrows")
	if err != nil {
		return nil, fmt.Errorf("temporary file for incident groups: %w", err)
	}
	mem := memory.NewGoAllocator()
	return &groupSpill{
		f: f,
		w: ipc.NewWriter(f, ipc.WithSchema(groupsSchema), ipc.WithAllocator(mem)),
		b: array.NewRecordBuilder(mem, groupsSchema),
	}, nil
}

// cluster writes the group of c, a cluster of two or more records none of
// which has a same-id link: every member's link is its cluster, its
// primary the first by linker order (nodeBefore), as the linker would
// make it.
func (g *groupSpill) cluster(c *sweepCluster) error {
	g.nodes = g.nodes[:0]
	p := 0
	for _, m := range c.members {
		n := groupNode{key: m.key, seq: m.seq, prec: precOf(m.prec), cluster: c.id, clusterScore: m.score}
		n.best(LinkCrossSource, m.score)
		g.nodes = append(g.nodes, n)
		if nodeBefore(&n, &g.nodes[p]) < 0 {
			p = len(g.nodes) - 1
		}
	}
	id := groupID(g.nodes[p].key)
	for i := range g.nodes {
		g.append(g.nodes[i].groupRow(id, i == p))
	}
	if g.b.Field(0).Len() >= groupSpillBatch {
		return g.flush()
	}
	return nil
}

// append adds a row in groupRow's order of columns.
func (g *groupSpill) append(row []driver.Value) {
	g.b.Field(0).(*array.Int64Builder).Append(row[0].(int64))
	g.b.Field(1).(*array.StringBuilder).Append(row[1].(string))
	g.b.Field(2).(*array.Int64Builder).Append(row[2].(int64))
	g.b.Field(3).(*array.Int64Builder).Append(row[3].(int64))
	g.b.Field(4).(*array.StringBuilder).Append(row[4].(string))
	g.b.Field(5).(*array.Float64Builder).Append(row[5].(float64))
	g.b.Field(6).(*array.BooleanBuilder).Append(row[6].(bool))
	if row[7] == nil {
		g.b.Field(7).AppendNull()
		g.b.Field(8).AppendNull()
	} else {
		g.b.Field(7).(*array.Int64Builder).Append(row[7].(int64))
		g.b.Field(8).(*array.Float64Builder).Append(row[8].(float64))
	}
	g.rows++
}

func (g *groupSpill) flush() error {
	if g.b.Field(0).Len() == 0 {
		return nil
	}
	rec := g.b.NewRecordBatch()
	defer rec.Release()
	if err := g.w.Write(rec); err != nil {
		return fmt.Errorf("temporary file for incident groups: %w", err)
	}
	return nil
}

// insert appends the rows written to incident_groups.
func (g *groupSpill) insert(ctx context.Context, r *Run) error {
	if err := g.flush(); err != nil {
		return err
	}
	if err := g.w.Close(); err != nil {
		return fmt.Errorf("temporary file for incident groups: %w", err)
	}
	if g.rows == 0 {
		return nil
	}
	if _, err := g.f.Seek(0, 0); err != nil {
		return fmt.Errorf("temporary file for incident groups: %w", err)
	}
	rdr, err := ipc.NewReader(g.f, ipc.WithSchema(groupsSchema))
	if err != nil {
		return fmt.Errorf("temporary file for incident groups: %w", err)
	}
	defer rdr.Release()
	return r.insertView(ctx, rdr, func(view string) string {
		return `INSERT INTO incident_groups BY NAME SELECT * FROM ` + view
	})
}

// close removes the file; it may be called again.
func (g *groupSpill) close() {
	if g.b == nil {
		return
	}
	g.b.Release()
	g.b = nil
	g.f.Close()
	os.Remove(g.f.Name())
}
