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
