package pipeline

import (
	"github.com/ocmap/ocmap/pipeline/normalize"
)

// chunkRows is how many records the reader hands a worker at a time: large
// enough that the channel is no cost, small enough to share work evenly.
const chunkRows = 8192

// chunkBytes ends a chunk early when its records hold this much text, so
// that a file of long records (up to read.DefaultMaxRecord each) does not
// pile gigabytes into one chunk.
const chunkBytes = 16 << 20

// chunk is a run of records copied out of the scanner's buffer, so that a
// worker can validate them while the scanner reads on.
type chunk struct {
	data []byte // raw text and fields of every record, back to back
	recs []chunkRec
	ends []int // field ends in data; fields of rec i are ends[rec.f0:rec.f1]
}

// chunkRec offsets are ints: a chunk may pass 2 GiB, which int32 would wrap.
type chunkRec struct {
	line            int64
	rawStart, start int // raw is data[rawStart:start]; first field starts at start
	f0, f1          int
	malformed       string
}

// add copies the scanner's current record.
func (c *chunk) add(rows normalize.Rows) {
	r := chunkRec{line: rows.Line(), rawStart: len(c.data), malformed: rows.Malformed()}
	c.data = append(c.data, rows.Raw()...)
	r.start = len(c.data)
	r.f0 = len(c.ends)
	for _, f := range rows.Fields() {
		c.data = append(c.data, f...)
		c.ends = append(c.ends, len(c.data))
	}
	r.f1 = len(c.ends)
	c.recs = append(c.recs, r)
}

// full reports whether the chunk should go to a worker.
func (c *chunk) full() bool { return len(c.recs) >= chunkRows || len(c.data) >= chunkBytes }

func (c *chunk) reset() {
	c.data, c.recs, c.ends = c.data[:0], c.recs[:0], c.ends[:0]
}

// chunkReader presents the chunks a worker receives as one stream of rows.
type chunkReader struct {
	in     <-chan *chunk
	free   chan<- *chunk // chunks go back for reuse
	cur    *chunk
	i      int
	fields [][]byte
}

var _ normalize.Rows = (*chunkReader)(nil)

func (r *chunkReader) Next() bool {
	r.i++
	for r.cur == nil || r.i >= len(r.cur.recs) {
		if r.cur != nil {
			select {
			case r.free <- r.cur:
			default:
			}
		}
		c, ok := <-r.in
		if !ok {
			r.cur = nil
			return false
		}
		r.cur, r.i = c, 0
	}
	rec := &r.cur.recs[r.i]
	r.fields = r.fields[:0]
	start := rec.start
	for _, end := range r.cur.ends[rec.f0:rec.f1] {
		r.fields = append(r.fields, r.cur.data[start:end:end])
		start = end
	}
	return true
}

func (r *chunkReader) Fields() [][]byte { return r.fields }
func (r *chunkReader) Raw() []byte {
	rec := &r.cur.recs[r.i]
	return r.cur.data[rec.rawStart:rec.start]
}
func (r *chunkReader) Line() int64       { return r.cur.recs[r.i].line }
func (r *chunkReader) Malformed() string { return r.cur.recs[r.i].malformed }
func (r *chunkReader) Err() error        { return nil }
