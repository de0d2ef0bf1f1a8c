package pipeline

import (
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// chanReader is an array.RecordReader fed by a channel, so the store can pull
// batches while the producer is still making them. The producer closes the
// channel at the end and sets err first if it failed.
type chanReader struct {
	refs   atomic.Int64
	schema *arrow.Schema
	ch     <-chan arrow.RecordBatch
	cur    arrow.RecordBatch
	err    func() error
}

var _ array.RecordReader = (*chanReader)(nil)

func newChanReader(schema *arrow.Schema, ch <-chan arrow.RecordBatch, err func() error) *chanReader {
	r := &chanReader{schema: schema, ch: ch, err: err}
	r.refs.Store(1)
	return r
}

func (r *chanReader) Retain() { r.refs.Add(1) }

func (r *chanReader) Release() {
	if r.refs.Add(-1) == 0 {
		r.drop()
		// Drain so that a producer blocked on send can finish.
		for rec := range r.ch {
			rec.Release()
		}
	}
}

func (r *chanReader) drop() {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
}

func (r *chanReader) Schema() *arrow.Schema { return r.schema }

func (r *chanReader) Next() bool {
	r.drop()
	rec, ok := <-r.ch
	if !ok {
		return false
	}
	r.cur = rec
	return true
}

func (r *chanReader) RecordBatch() arrow.RecordBatch { return r.cur }

// Record is the deprecated name of RecordBatch.
func (r *chanReader) Record() arrow.RecordBatch { return r.cur }

func (r *chanReader) Err() error { return r.err() }
