//go:build duckdb_arrow

package store

import (
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// ChanReader is an array.RecordReader fed by a channel, so that
// Run.InsertStream pulls batches while the producer is still making them.
// The producer closes the channel at the end and sets err first if it
// failed.
type ChanReader struct {
	refs   atomic.Int64
	schema *arrow.Schema
	ch     <-chan arrow.RecordBatch
	cur    arrow.RecordBatch
	err    func() error
}

var _ array.RecordReader = (*ChanReader)(nil)

// NewChanReader reads the batches of schema that arrive on ch until it is
// closed; err gives the producer's error, final once ch is closed. Release
// drains ch, so that a producer blocked on a send can return.
func NewChanReader(schema *arrow.Schema, ch <-chan arrow.RecordBatch, err func() error) *ChanReader {
	r := &ChanReader{schema: schema, ch: ch, err: err}
	r.refs.Store(1)
	return r
}

func (r *ChanReader) Retain() { r.refs.Add(1) }

func (r *ChanReader) Release() {
	if r.refs.Add(-1) == 0 {
		r.drop()
		// Drain so that a producer blocked on send can finish.
		for rec := range r.ch {
			rec.Release()
		}
	}
}

func (r *ChanReader) drop() {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
}

func (r *ChanReader) Schema() *arrow.Schema { return r.schema }

func (r *ChanReader) Next() bool {
	r.drop()
	rec, ok := <-r.ch
	if !ok {
		return false
	}
	r.cur = rec
	return true
}

func (r *ChanReader) RecordBatch() arrow.RecordBatch { return r.cur }

// Record is the deprecated name of RecordBatch.
func (r *ChanReader) Record() arrow.RecordBatch { return r.cur }

func (r *ChanReader) Err() error { return r.err() }

// smallStream is the most rows of a stream that Run.InsertStream inserts
// in order, on one thread. DuckDB's parallel insert gives each thread a
// row group of its own in the transaction, and keeps a row group that is
// not full in memory, a block per column, until the commit: about 4.6 MB
// for every file of a run, however few its rows, so a run of 500 files of
// 20 rows ran out of its 256 MB. An insert in order appends to the row
// group the previous one left open. Streams above this size are inserted
// in parallel, as speed matters there and their row groups fill.
const smallStream = 1 << 14

// headReader yields the batches peekSmall read ahead, then the rest of src.
// It owns a reference to each batch it holds; src stays the caller's.
type headReader struct {
	refs atomic.Int64
	src  array.RecordReader
	head []arrow.RecordBatch
	cur  arrow.RecordBatch
	done bool // src has no more batches
}

var _ array.RecordReader = (*headReader)(nil)

// peekSmall reads src ahead until it has more than limit rows or ends, and
// returns a reader of all of src's batches and whether src ended within
// limit rows. The caller releases the reader (not src, which stays its own).
func peekSmall(src array.RecordReader, limit int64) (*headReader, bool) {
	h := &headReader{src: src}
	h.refs.Store(1)
	var rows int64
	for rows <= limit {
		if !src.Next() {
			h.done = true
			break
		}
		rec := src.RecordBatch()
		rec.Retain()
		h.head = append(h.head, rec)
		rows += rec.NumRows()
	}
	return h, h.done
}

func (h *headReader) Retain() { h.refs.Add(1) }

func (h *headReader) Release() {
	if h.refs.Add(-1) == 0 {
		h.drop()
		for _, rec := range h.head {
			rec.Release()
		}
		h.head = nil
	}
}

func (h *headReader) drop() {
	if h.cur != nil {
		h.cur.Release()
		h.cur = nil
	}
}

func (h *headReader) Schema() *arrow.Schema { return h.src.Schema() }

func (h *headReader) Next() bool {
	h.drop()
	if len(h.head) > 0 {
		h.cur, h.head = h.head[0], h.head[1:]
		return true
	}
	if h.done || !h.src.Next() {
		h.done = true
		return false
	}
	h.cur = h.src.RecordBatch()
	h.cur.Retain()
	return true
}

func (h *headReader) RecordBatch() arrow.RecordBatch { return h.cur }

// Record is the deprecated name of RecordBatch.
func (h *headReader) Record() arrow.RecordBatch { return h.cur }

func (h *headReader) Err() error { return h.src.Err() }
