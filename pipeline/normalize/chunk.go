package normalize

// chunkRows is how many records a reader hands a worker at a time: large
// enough that the channel is no cost, small enough to share work evenly.
const chunkRows = 8192

// chunkBytes ends a chunk early when its records hold this much text, so
// that a file of long records (up to read.DefaultMaxRecord each) does not
// pile gigabytes into one chunk.
const chunkBytes = 16 << 20

// Chunk is a run of records copied out of a scanner's buffer, so that a
// worker can validate them while the scanner reads on. One goroutine fills
// chunks with Add until Full; workers read them through a ChunkReader.
type Chunk struct {
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

// Add copies the current record of rows.
func (c *Chunk) Add(rows Rows) {
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

// Full reports whether the chunk should go to a worker.
func (c *Chunk) Full() bool { return len(c.recs) >= chunkRows || len(c.data) >= chunkBytes }

// Len is the number of records in the chunk.
func (c *Chunk) Len() int { return len(c.recs) }

// Reset empties the chunk, keeping its memory.
func (c *Chunk) Reset() {
	c.data, c.recs, c.ends = c.data[:0], c.recs[:0], c.ends[:0]
}

// ChunkReader presents the chunks a worker receives as one stream of rows.
type ChunkReader struct {
	in     <-chan *Chunk
	free   chan<- *Chunk // chunks go back for reuse
	cur    *Chunk
	i      int
	fields [][]byte
}

var _ Rows = (*ChunkReader)(nil)

// NewChunkReader reads the chunks that arrive on in until it is closed,
// handing each read chunk back on free for reuse when free has room.
func NewChunkReader(in <-chan *Chunk, free chan<- *Chunk) *ChunkReader {
	return &ChunkReader{in: in, free: free}
}

func (r *ChunkReader) Next() bool {
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

func (r *ChunkReader) Fields() [][]byte { return r.fields }
func (r *ChunkReader) Raw() []byte {
	rec := &r.cur.recs[r.i]
	return r.cur.data[rec.rawStart:rec.start]
}
func (r *ChunkReader) Line() int64       { return r.cur.recs[r.i].line }
func (r *ChunkReader) Malformed() string { return r.cur.recs[r.i].malformed }
func (r *ChunkReader) Err() error        { return nil }
