//go:build duckdb_arrow

package store

import (
	"errors"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ocmap/ocmap/schemas"
)

// DateWindow is how many rows DateOrder orders by date at a time.
//
// A run that adds a month to a large database reads the rows of the days
// around it (the sweep's spans, the same-id rows); DuckDB skips a row
// group whose dates all lie outside, and decompresses every column it
// reads of one that holds a single row of them. A file of several years
// in random order puts every month in every row group, so those reads
// cost as much as reading the whole table. With each window of rows
// ordered by date, a row group (DuckDB makes one of about each batch)
// holds a stretch of its window's dates, and a month's rows lie in a few
// row groups per window (a window of 262,144 rows read a month's rows of
// a 5M-row table in a third of the time, 524,288 in a quarter, at twice
// the memory). Sorting the table in DuckDB costs 2.5 s more per 1M rows;
// this costs a copy of each row in Go and two windows' memory (about 270
// bytes a row of a canonical file), three while a window is ordered (it
// and its copy, beside the last one's batches waiting for DuckDB).
const DateWindow = 1 << 18

// DateOrder returns a reader of src's rows with each window of at least
// window rows ordered by the occurred_on column, in stretches of 32 days
// (see orderByDate), rows without a date first; rows of one stretch keep
// their order. A stream that ends within its
// first window is passed on as it came: only long streams gain, and small
// files keep their order; so is a window whose strings in a column pass
// 32-bit offsets (maxWindowStringBytes). Ordered windows come out in
// batches of at most batchRows rows; those passed on, in src's batches.
// The reader owns what it holds; src stays the caller's.
func DateOrder(src array.RecordReader, window, batchRows int) array.RecordReader {
	m := &dateOrder{src: src, window: window, batchRows: batchRows, date: -1}
	m.refs.Store(1)
	if idx := src.Schema().FieldIndices(schemas.FieldOccurredOn); len(idx) == 1 &&
		src.Schema().Field(idx[0]).Type.ID() == arrow.DATE32 {
		m.date = idx[0]
	}
	return m
}

// dateOrder is DateOrder's reader. A goroutine reads and orders the next
// window while the consumer takes the batches of the last one: DuckDB
// waiting for a window to fill, and the producer for DuckDB, would add
// their times up.
type dateOrder struct {
	refs              atomic.Int64
	src               array.RecordReader
	window, batchRows int
	date              int // the occurred_on column; -1 passes src on

	started bool
	ch      chan arrow.RecordBatch // the goroutine's batches, closed at the end
	stop    chan struct{}          // closed by Release
	done    chan struct{}          // closed when the goroutine returns
	err     error                  // the goroutine's error, final once ch is closed
	cur     arrow.RecordBatch
}

func (m *dateOrder) Retain() { m.refs.Add(1) }

func (m *dateOrder) Release() {
	if m.refs.Add(-1) == 0 {
		m.drop()
		if m.started {
			close(m.stop)
			for rec := range m.ch {
				rec.Release()
			}
			<-m.done
		}
	}
}

func (m *dateOrder) drop() {
	if m.cur != nil {
		m.cur.Release()
		m.cur = nil
	}
}

func (m *dateOrder) Schema() *arrow.Schema { return m.src.Schema() }

func (m *dateOrder) RecordBatch() arrow.RecordBatch { return m.cur }

// Record is the deprecated name of RecordBatch.
func (m *dateOrder) Record() arrow.RecordBatch { return m.cur }

// Err is the source's error or the ordering's, once Next has returned
// false.
func (m *dateOrder) Err() error {
	if m.err != nil {
		return m.err
	}
	return m.src.Err()
}

func (m *dateOrder) Next() bool {
	m.drop()
	if m.date < 0 {
		if !m.src.Next() {
			return false
		}
		m.cur = m.src.RecordBatch()
		m.cur.Retain()
		return true
	}
	if !m.started {
		m.started = true
		// A window's batches wait in the channel while the next fills.
		m.ch = make(chan arrow.RecordBatch, m.window/max(m.batchRows, 1)+1)
		m.stop, m.done = make(chan struct{}), make(chan struct{})
		go m.run()
	}
	rec, ok := <-m.ch
	if !ok {
		return false
	}
	m.cur = rec
	return true
}

// run reads src a window at a time and sends the window's rows in order.
func (m *dateOrder) run() {
	defer close(m.done)
	defer close(m.ch)
	send := func(recs []arrow.RecordBatch) bool {
		for i, rec := range recs {
			select {
			case m.ch <- rec:
			case <-m.stop:
				for _, r := range recs[i:] {
					r.Release()
				}
				return false
			}
		}
		return true
	}
	stopped := false
	next := func() arrow.RecordBatch {
		// Released: the rest of the window would be read to be thrown
		// away (a file's rows validated and located).
		select {
		case <-m.stop:
			stopped = true
			return nil
		default:
		}
		if !m.src.Next() {
			return nil
		}
		rec := m.src.RecordBatch()
		rec.Retain()
		return rec
	}
	var carry arrow.RecordBatch // read to see whether the first window was the last
	defer func() {
		if carry != nil {
			carry.Release()
		}
	}()
	for first := true; ; first = false {
		var held []arrow.RecordBatch
		rows, end := 0, false
		for rows < m.window {
			rec := carry
			if rec == nil {
				rec = next()
			}
			carry = nil
			if rec == nil {
				end = true
				break
			}
			held = append(held, rec)
			rows += int(rec.NumRows())
		}
		if first && !end {
			carry = next()
			end = carry == nil
		}
		if stopped {
			for _, rec := range held {
				rec.Release()
			}
			return
		}
		if first && end {
			send(held)
			return
		}
		var out []arrow.RecordBatch
		if rows > 0 {
			out, m.err = orderByDate(held, m.date, m.batchRows)
		}
		if errors.Is(m.err, errWindowTooLong) {
			// Its order is only for speed: the window goes as it came.
			out, held, m.err = held, nil, nil
		}
		for _, rec := range held {
			rec.Release()
		}
		if m.err != nil || !send(out) || end {
			return
		}
	}
}

// errWindowTooLong is orderByDate's error for a window whose strings in a
// column are more bytes than maxWindowStringBytes.
var errWindowTooLong = errors.New("store: ordering by date: the window's strings overflow 32-bit offsets")

// maxWindowStringBytes is how many bytes a string column of an ordered
// window may hold: its offsets are 32-bit (a variable for tests).
var maxWindowStringBytes int64 = math.MaxInt32

// maxBins bounds the stretches of days orderByDate sorts rows into.
const maxBins = 4096

// orderByDate returns the rows of recs ordered by stretches of 32 days
// (longer when the dates span more than maxBins of them) of column date,
// rows without a date first, and in their order within a stretch, as
// batches of at most batchRows rows.
//
// It is a counting sort that reads the rows in order and writes each to
// its place: a gather in the sorted order read rows all over the window,
// and its cache misses cost 2 s per 1M rows (the strings' bytes most); a
// stretch is written in order, so the writes stay in cache.
func orderByDate(recs []arrow.RecordBatch, date, batchRows int) ([]arrow.RecordBatch, error) {
	schema := recs[0].Schema()
	dates := make([]*array.Date32, len(recs))
	n := 0
	lo, hi := int64(math.MaxInt32), int64(math.MinInt32)
	for b, rec := range recs {
		col, ok := rec.Column(date).(*array.Date32)
		if !ok {
			return nil, fmt.Errorf("store: ordering by date: column %d is %s, want date32", date, rec.Column(date).DataType())
		}
		dates[b] = col
		n += col.Len()
		for r, d := range col.Date32Values() {
			if col.IsValid(r) {
				lo, hi = min(lo, int64(d)), max(hi, int64(d))
			}
		}
	}
	shift := 5
	for hi >= lo && (hi-lo)>>shift >= maxBins {
		shift++
	}
	// Each row's bin: 0 without a date, then one a stretch.
	bin := func(col *array.Date32, r int) int {
		if !col.IsValid(r) {
			return 0
		}
		return int((int64(col.Value(r))-lo)>>shift) + 1
	}
	counts := make([]int, maxBins+1)
	for _, col := range dates {
		for r := range col.Len() {
			counts[bin(col, r)]++
		}
	}
	// Each row's place in the window.
	at := 0
	for i, c := range counts {
		counts[i] = at
		at += c
	}
	places := make([][]int32, len(recs))
	for b, col := range dates {
		places[b] = make([]int32, col.Len())
		for r := range places[b] {
			i := bin(col, r)
			places[b][r] = int32(counts[i])
			counts[i]++
		}
	}
	cols := make([]arrow.Array, schema.NumFields())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	parts := make([]arrow.Array, len(recs))
	for f := range cols {
		for b, rec := range recs {
			parts[b] = rec.Column(f)
		}
		var err error
		switch t := schema.Field(f).Type; t.ID() {
		case arrow.STRING:
			cols[f], err = scatterStrings(parts, places, n)
		case arrow.DATE32:
			cols[f], err = scatterFixed(parts, places, n, t, (*array.Date32).Date32Values)
		case arrow.FLOAT64:
			cols[f], err = scatterFixed(parts, places, n, t, (*array.Float64).Float64Values)
		case arrow.FLOAT32:
			cols[f], err = scatterFixed(parts, places, n, t, (*array.Float32).Float32Values)
		case arrow.INT64:
			cols[f], err = scatterFixed(parts, places, n, t, (*array.Int64).Int64Values)
		case arrow.INT8:
			cols[f], err = scatterFixed(parts, places, n, t, (*array.Int8).Int8Values)
		default:
			err = fmt.Errorf("store: ordering by date: column %s of type %s", schema.Field(f).Name, t)
		}
		if err != nil {
			return nil, err
		}
	}
	whole := array.NewRecordBatch(schema, cols, int64(n))
	defer whole.Release()
	var out []arrow.RecordBatch
	for from := 0; from < n; from += batchRows {
		out = append(out, whole.NewSlice(int64(from), int64(min(n, from+batchRows))))
	}
	return out, nil
}

// nullBits is a validity bitmap for n rows being written, made only once a
// null comes (all rows valid until then).
type nullBits struct {
	bits  []byte
	nulls int
}

func (v *nullBits) null(i, n int) {
	if v.bits == nil {
		v.bits = make([]byte, bitutil.BytesForBits(int64(n)))
		bitutil.SetBitsTo(v.bits, 0, int64(n), true)
	}
	bitutil.ClearBit(v.bits, i)
	v.nulls++
}

func (v *nullBits) buffer() *memory.Buffer {
	if v.nulls == 0 {
		return nil
	}
	return memory.NewBufferBytes(v.bits)
}

// scatterFixed writes the values of parts, whose arrays are of type A, to
// their places in a column of n rows.
func scatterFixed[A arrow.Array, T int8 | int64 | float32 | float64 | arrow.Date32](parts []arrow.Array, places [][]int32, n int,
	t arrow.DataType, values func(A) []T) (arrow.Array, error) {
	out := make([]T, n)
	var nulls nullBits
	for b, p := range parts {
		c, ok := p.(A)
		if !ok {
			return nil, fmt.Errorf("store: ordering by date: a %s column holds %s", t, p.DataType())
		}
		vals := values(c)
		if p.NullN() == 0 {
			for r, at := range places[b] {
				out[at] = vals[r]
			}
			continue
		}
		for r, at := range places[b] {
			if p.IsNull(r) {
				nulls.null(int(at), n)
				continue
			}
			out[at] = vals[r]
		}
	}
	d := array.NewData(t, n, []*memory.Buffer{nulls.buffer(), memory.NewBufferBytes(arrow.GetBytes(out))}, nil, nulls.nulls, 0)
	defer d.Release()
	return array.MakeFromData(d), nil
}

// scatterStrings writes the strings of parts to their places in a column
// of n rows: their lengths first, to place each row's bytes, then the
// bytes.
func scatterStrings(parts []arrow.Array, places [][]int32, n int) (arrow.Array, error) {
	strs := make([]*array.String, len(parts))
	offsets := make([]int32, n+1)
	for b, p := range parts {
		s, ok := p.(*array.String)
		if !ok {
			return nil, fmt.Errorf("store: ordering by date: a string column holds %s", p.DataType())
		}
		strs[b] = s
		for r, at := range places[b] {
			offsets[at+1] = int32(s.ValueLen(r))
		}
	}
	// The sum is taken in 64 bits: 32-bit offsets past 2 GiB would wrap,
	// to a negative length or to offsets that place rows over each other.
	total := int64(0)
	for i := 1; i <= n; i++ {
		total += int64(offsets[i])
		if total > maxWindowStringBytes {
			return nil, errWindowTooLong
		}
		offsets[i] = int32(total)
	}
	data := make([]byte, offsets[n])
	var nulls nullBits
	for b, s := range strs {
		if s.NullN() == 0 {
			for r, at := range places[b] {
				copy(data[offsets[at]:], s.Value(r))
			}
			continue
		}
		for r, at := range places[b] {
			if s.IsNull(r) {
				nulls.null(int(at), n)
				continue
			}
			copy(data[offsets[at]:], s.Value(r))
		}
	}
	d := array.NewData(arrow.BinaryTypes.String, n,
		[]*memory.Buffer{nulls.buffer(), memory.NewBufferBytes(arrow.GetBytes(offsets)), memory.NewBufferBytes(data)}, nil, nulls.nulls, 0)
	defer d.Release()
	return array.MakeFromData(d), nil
}
