package schemas

import (
	"fmt"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// RecordField is the field name of a reject that concerns the whole record
// (wrong field count, malformed quoting, bad encoding).
const RecordField = "(record)"

// RowError says why one input row cannot be used. It is a value that ends up
// in the rejects table, not a log line.
type RowError struct {
	File   string
	Line   int64
	Field  string
	Reason string
}

func (e *RowError) Error() string {
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Reason)
}

// RejectBuilder accumulates rejected rows into batches shaped by [Rejects].
type RejectBuilder struct {
	b       *array.RecordBuilder
	runID   int64
	keepRaw bool
}

// NewRejectBuilder returns a builder for run runID. With keepRaw false the
// raw text of rejected rows is not kept (it may hold personal data).
func NewRejectBuilder(mem memory.Allocator, runID int64, keepRaw bool) *RejectBuilder {
	return &RejectBuilder{b: array.NewRecordBuilder(mem, Rejects), runID: runID, keepRaw: keepRaw}
}

// Add records one rejected row. The reason and raw text go through [Scrub],
// as every free-text column does, so no CNIC, phone number or e-mail
// address reaches the rejects table whatever the layout. Raw text that is
// not valid UTF-8 is stored with the bad bytes replaced, so the database
// never holds invalid text.
func (r *RejectBuilder) Add(e RowError, raw []byte) {
	r.b.Field(0).(*array.Int64Builder).Append(r.runID)
	r.b.Field(1).(*array.StringBuilder).Append(e.File)
	r.b.Field(2).(*array.Int64Builder).Append(e.Line)
	r.b.Field(3).(*array.StringBuilder).Append(e.Field)
	r.b.Field(4).(*array.StringBuilder).Append(Scrub(e.Reason))
	rb := r.b.Field(5).(*array.StringBuilder)
	switch {
	case !r.keepRaw:
		rb.AppendNull()
	case utf8.Valid(raw):
		rb.Append(Scrub(string(raw)))
	default:
		rb.Append(Scrub(toValidUTF8(raw)))
	}
}

// Len returns the number of rows added since the last batch.
func (r *RejectBuilder) Len() int { return r.b.Field(0).Len() }

// NewBatch returns the rows added so far as a batch the caller must release,
// and resets the builder.
func (r *RejectBuilder) NewBatch() arrow.RecordBatch { return r.b.NewRecordBatch() }

// Release releases the builder's memory.
func (r *RejectBuilder) Release() { r.b.Release() }

func toValidUTF8(b []byte) string {
	out := make([]rune, 0, len(b))
	for len(b) > 0 {
		c, n := utf8.DecodeRune(b)
		out = append(out, c) // RuneError for a bad byte
		b = b[n:]
	}
	return string(out)
}
