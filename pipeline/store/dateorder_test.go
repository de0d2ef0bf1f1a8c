//go:build duckdb_arrow

package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// orderSchema has a column of each type DateOrder copies; n numbers the
// rows as they were made.
var orderSchema = arrow.NewSchema([]arrow.Field{
	{Name: "n", Type: arrow.PrimitiveTypes.Int64},
	{Name: "occurred_on", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "k", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
	{Name: "f", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
}, nil)

// orderRow is a row of orderSchema; nil for null.
type orderRow struct {
	n    int64
	date *int32
	s    *string
	x    *float64
	k    *int8
	f    *float32
}

func (r orderRow) String() string {
	str := func(p any) string {
		v := reflect.ValueOf(p)
		if v.IsNil() {
			return "null"
		}
		return fmt.Sprint(v.Elem())
	}
	return fmt.Sprintf("{%d %s %s %s %s %s}", r.n, str(r.date), str(r.s), str(r.x), str(r.k), str(r.f))
}

// orderRows makes rows numbered from first, with days from lo to hi and a
// null in each nullable column now and then.
func orderRows(rng *rand.Rand, first, count int, lo, hi int32) []orderRow {
	out := make([]orderRow, count)
	for i := range out {
		r := orderRow{n: int64(first + i)}
		if rng.IntN(20) > 0 {
			d := lo + rng.Int32N(hi-lo+1)
			r.date = &d
		}
		if rng.IntN(5) > 0 {
			s := fmt.Sprintf("row %d %s", first+i, string(make([]byte, rng.IntN(9))))
			r.s = &s
		}
		if rng.IntN(4) > 0 {
			x := rng.Float64() * 100
			r.x = &x
		}
		if rng.IntN(3) > 0 {
			k := int8(rng.IntN(6))
			r.k = &k
		}
		if rng.IntN(2) > 0 {
			f := float32(i) / 3
			r.f = &f
		}
		out[i] = r
	}
	return out
}

func orderBatch(rows []orderRow) arrow.RecordBatch {
	b := array.NewRecordBuilder(memory.NewGoAllocator(), orderSchema)
	defer b.Release()
	for _, r := range rows {
		b.Field(0).(*array.Int64Builder).Append(r.n)
		if r.date != nil {
			b.Field(1).(*array.Date32Builder).Append(arrow.Date32(*r.date))
		} else {
			b.Field(1).AppendNull()
		}
		if r.s != nil {
			b.Field(2).(*array.StringBuilder).Append(*r.s)
		} else {
			b.Field(2).AppendNull()
		}
		if r.x != nil {
			b.Field(3).(*array.Float64Builder).Append(*r.x)
		} else {
			b.Field(3).AppendNull()
		}
		if r.k != nil {
			b.Field(4).(*array.Int8Builder).Append(*r.k)
		} else {
			b.Field(4).AppendNull()
		}
		if r.f != nil {
			b.Field(5).(*array.Float32Builder).Append(*r.f)
		} else {
			b.Field(5).AppendNull()
		}
	}
	return b.NewRecordBatch()
}

func orderBatchRows(rec arrow.RecordBatch) []orderRow {
	out := make([]orderRow, rec.NumRows())
	for i := range out {
		r := orderRow{n: rec.Column(0).(*array.Int64).Value(i)}
		if c := rec.Column(1).(*array.Date32); c.IsValid(i) {
			d := int32(c.Value(i))
			r.date = &d
		}
		if c := rec.Column(2).(*array.String); c.IsValid(i) {
			s := c.Value(i)
			r.s = &s
		}
		if c := rec.Column(3).(*array.Float64); c.IsValid(i) {
			x := c.Value(i)
			r.x = &x
		}
		if c := rec.Column(4).(*array.Int8); c.IsValid(i) {
			k := c.Value(i)
			r.k = &k
		}
		if c := rec.Column(5).(*array.Float32); c.IsValid(i) {
			f := c.Value(i)
			r.f = &f
		}
		out[i] = r
	}
	return out
}

// batchesOf cuts rows into batches of size rows.
func batchesOf(rows []orderRow, size int) []arrow.RecordBatch {
	var out []arrow.RecordBatch
	for from := 0; from < len(rows); from += size {
		out = append(out, orderBatch(rows[from:min(len(rows), from+size)]))
	}
	return out
}

// readAll reads every batch of rdr and releases it.
func readAll(t *testing.T, rdr array.RecordReader) (rows []orderRow, sizes []int) {
	t.Helper()
	defer rdr.Release()
	for rdr.Next() {
		rec := rdr.RecordBatch()
		sizes = append(sizes, int(rec.NumRows()))
		rows = append(rows, orderBatchRows(rec)...)
	}
	if err := rdr.Err(); err != nil {
		t.Fatal(err)
	}
	return rows, sizes
}

// sliceReader yields its batches, then err.
func sliceReader(recs []arrow.RecordBatch, err error) array.RecordReader {
	ch := make(chan arrow.RecordBatch, len(recs))
	for _, rec := range recs {
		ch <- rec
	}
	close(ch)
	return NewChanReader(orderSchema, ch, func() error { return err })
}

// checkOrdered checks that got holds the rows of want, each once and
// whole, with the rows without a date first, then by stretches of width
// days from the least date, and in want's order within a stretch.
func checkOrdered(t *testing.T, got, want []orderRow, width int32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	byN := map[int64]orderRow{}
	lo := int32(1 << 30)
	for _, r := range want {
		byN[r.n] = r
		if r.date != nil {
			lo = min(lo, *r.date)
		}
	}
	stretch := func(r orderRow) int64 {
		if r.date == nil {
			return -1
		}
		return int64((*r.date - lo) / width)
	}
	for i, r := range got {
		w, ok := byN[r.n]
		if !ok {
			t.Fatalf("row %d: %v twice or never made", i, r)
		}
		delete(byN, r.n)
		if r.String() != w.String() {
			t.Errorf("row %d is %v, want %v", i, r, w)
		}
		if i == 0 {
			continue
		}
		p := got[i-1]
		if sp, sr := stretch(p), stretch(r); sp > sr || sp == sr && p.n > r.n {
			t.Errorf("row %d %v (stretch %d) after %v (stretch %d)", i, r, sr, p, sp)
		}
	}
}

func TestOrderByDate(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	// Six years from 2019, and five centuries, whose stretches are wider
	// so that there are at most maxBins of them.
	for _, c := range []struct {
		name   string
		lo, hi int32
		width  int32
	}{
		{"six years", 17897, 17897 + 6*365, 32},
		{"five centuries", -100000, 82000, 64},
		{"one day", 20000, 20000, 32},
	} {
		t.Run(c.name, func(t *testing.T) {
			rows := orderRows(rng, 0, 700, c.lo, c.hi)
			recs := batchesOf(rows, 150)
			out, err := orderByDate(recs, 1, 64)
			if err != nil {
				t.Fatal(err)
			}
			var got []orderRow
			for i, rec := range out {
				if n := rec.NumRows(); n != 64 && !(i == len(out)-1 && n == 700%64) {
					t.Errorf("batch %d of %d has %d rows, want 64 (the last %d)", i, len(out), n, 700%64)
				}
				got = append(got, orderBatchRows(rec)...)
				rec.Release()
			}
			checkOrdered(t, got, rows, c.width)
			if c.lo == c.hi {
				// One stretch: the order of the rows with a date is theirs.
				for i := 1; i < len(got); i++ {
					if got[i-1].date != nil && got[i].date != nil && got[i-1].n > got[i].n {
						t.Fatalf("rows %d and %d swapped", got[i-1].n, got[i].n)
					}
				}
			}
		})
	}
}

func TestOrderByDateNoDates(t *testing.T) {
	rows := orderRows(rand.New(rand.NewPCG(3, 4)), 0, 50, 0, 0)
	for i := range rows {
		rows[i].date = nil
	}
	out, err := orderByDate(batchesOf(rows, 20), 1, 64)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 {
		t.Fatalf("%d batches, want 1", len(out))
	}
	got := orderBatchRows(out[0])
	out[0].Release()
	if fmt.Sprint(got) != fmt.Sprint(rows) {
		t.Errorf("rows without dates moved:\n got %v\nwant %v", got, rows)
	}
}

// A stream that ends within its first window keeps its batches and order;
// a longer one is ordered a window at a time.
func TestDateOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	rows := orderRows(rng, 0, 300, 18000, 20000)

	t.Run("short stream as it came", func(t *testing.T) {
		got, sizes := readAll(t, DateOrder(sliceReader(batchesOf(rows, 30), nil), 300, 64))
		if fmt.Sprint(got) != fmt.Sprint(rows) {
			t.Errorf("a stream of one window was reordered")
		}
		if want := "[30 30 30 30 30 30 30 30 30 30]"; fmt.Sprint(sizes) != want {
			t.Errorf("batches of %v rows, want %s", sizes, want)
		}
	})
	t.Run("windows", func(t *testing.T) {
		// Windows of at least 100 rows take four batches of 30.
		got, sizes := readAll(t, DateOrder(sliceReader(batchesOf(rows, 30), nil), 100, 50))
		if want := "[50 50 20 50 50 20 50 10]"; fmt.Sprint(sizes) != want {
			t.Errorf("batches of %v rows, want %s", sizes, want)
		}
		if len(got) != len(rows) {
			t.Fatalf("%d rows, want %d", len(got), len(rows))
		}
		for _, w := range [][2]int{{0, 120}, {120, 240}, {240, 300}} {
			checkOrdered(t, got[w[0]:w[1]], rows[w[0]:w[1]], 32)
		}
		if fmt.Sprint(got[:120]) == fmt.Sprint(rows[:120]) {
			t.Errorf("the first window was not reordered")
		}
	})
	t.Run("no date column", func(t *testing.T) {
		schema := arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64}}, nil)
		b := array.NewInt64Builder(memory.NewGoAllocator())
		b.AppendValues([]int64{3, 1, 2}, nil)
		col := b.NewArray()
		rec := array.NewRecordBatch(schema, []arrow.Array{col}, 3)
		col.Release()
		ch := make(chan arrow.RecordBatch, 1)
		ch <- rec
		close(ch)
		rdr := DateOrder(NewChanReader(schema, ch, func() error { return nil }), 1, 1)
		defer rdr.Release()
		if !rdr.Next() || rdr.RecordBatch() != rec || rdr.Next() {
			t.Errorf("a stream without occurred_on was not passed on")
		}
	})
}

func TestDateOrderSourceError(t *testing.T) {
	boom := errors.New("boom")
	rows := orderRows(rand.New(rand.NewPCG(7, 8)), 0, 100, 18000, 20000)
	for _, window := range []int{1000, 10} {
		rdr := DateOrder(sliceReader(batchesOf(rows, 25), boom), window, 64)
		n := 0
		for rdr.Next() {
			n += int(rdr.RecordBatch().NumRows())
		}
		if err := rdr.Err(); !errors.Is(err, boom) || n != 100 {
			t.Errorf("window %d: %d rows and error %v, want 100 and boom", window, n, err)
		}
		rdr.Release()
	}
}

// A reader released before the end stops reading its source and returns.
func TestDateOrderReleaseEarly(t *testing.T) {
	ch := make(chan arrow.RecordBatch)
	stopped := make(chan struct{})
	go func() {
		defer close(ch)
		rng := rand.New(rand.NewPCG(9, 10))
		for i := 0; ; i++ {
			select {
			case ch <- orderBatch(orderRows(rng, i*10, 10, 18000, 20000)):
			case <-stopped:
				return
			}
		}
	}()
	src := NewChanReader(orderSchema, ch, func() error { return nil })
	rdr := DateOrder(src, 25, 8)
	if !rdr.Next() {
		t.Fatal("no batch")
	}
	done := make(chan struct{})
	go func() {
		rdr.Release()
		close(stopped)
		src.Release()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Release did not return")
	}
}

// Batches that are slices of larger ones (a non-zero offset into their
// values, validity bitmaps and string offsets) are ordered as whole ones.
func TestOrderByDateSlicedBatches(t *testing.T) {
	rows := orderRows(rand.New(rand.NewPCG(11, 12)), 0, 400, -800, 20000)
	whole := orderBatch(rows)
	defer whole.Release()
	var recs []arrow.RecordBatch
	for _, cut := range [][2]int64{{3, 3}, {3, 130}, {130, 131}, {131, 397}, {397, 400}} {
		recs = append(recs, whole.NewSlice(cut[0], cut[1]))
	}
	defer func() {
		for _, rec := range recs {
			rec.Release()
		}
	}()
	out, err := orderByDate(recs, 1, 64)
	if err != nil {
		t.Fatal(err)
	}
	var got []orderRow
	for _, rec := range out {
		got = append(got, orderBatchRows(rec)...)
		rec.Release()
	}
	checkOrdered(t, got, rows[3:], 32)
}

// fakeLongStrings is a string column of one row per length over data,
// a buffer of their bytes that is never written (so it takes no memory).
func fakeLongStrings(data *memory.Buffer, lens ...int32) arrow.Array {
	offsets := make([]int32, len(lens)+1)
	for i, l := range lens {
		offsets[i+1] = offsets[i] + l
	}
	obuf := memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(offsets))
	d := array.NewData(arrow.BinaryTypes.String, len(lens), []*memory.Buffer{nil, obuf, data}, nil, 0, 0)
	defer d.Release()
	return array.MakeFromData(d)
}

// A window whose strings in a column add up to more than 32-bit offsets
// hold is an error, not a panic (which would end the process, from
// DateOrder's goroutine) or a column of wrapped offsets.
func TestOrderByDateStringsOverflow(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "occurred_on", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	data := memory.NewBufferBytes(make([]byte, 3<<29)) // 1.5 GiB, shared
	var recs []arrow.RecordBatch
	for range 2 {
		db := array.NewDate32Builder(memory.NewGoAllocator())
		db.AppendValues([]arrow.Date32{20000, 19000}, nil)
		dates := db.NewArray()
		db.Release()
		strs := fakeLongStrings(data, 1<<30, 1<<29)
		recs = append(recs, array.NewRecordBatch(schema, []arrow.Array{dates, strs}, 2))
		dates.Release()
		strs.Release()
	}
	defer func() {
		for _, rec := range recs {
			rec.Release()
		}
	}()
	var out []arrow.RecordBatch
	var err error
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("orderByDate panicked: %v", p)
			}
		}()
		out, err = orderByDate(recs, 0, 64)
	}()
	for _, rec := range out {
		rec.Release()
	}
	if !errors.Is(err, errWindowTooLong) {
		t.Fatalf("error %v, want errWindowTooLong", err)
	}
}

// A window too long to order (its strings overflow 32-bit offsets) is
// passed on as it came, and the stream goes on.
func TestDateOrderWindowTooLong(t *testing.T) {
	defer func(m int64) { maxWindowStringBytes = m }(maxWindowStringBytes)
	rows := orderRows(rand.New(rand.NewPCG(13, 14)), 0, 300, 18000, 20000)
	// The first window's strings are long; the second's and third's short.
	for i := range 100 {
		s := fmt.Sprintf("row %d %0100d", i, 0)
		rows[i].s = &s
	}
	maxWindowStringBytes = 100 * 50
	got, _ := readAll(t, DateOrder(sliceReader(batchesOf(rows, 25), nil), 100, 50))
	if len(got) != len(rows) {
		t.Fatalf("%d rows, want %d", len(got), len(rows))
	}
	if fmt.Sprint(got[:100]) != fmt.Sprint(rows[:100]) {
		t.Errorf("the window too long to order was not passed on as it came")
	}
	for _, w := range [][2]int{{100, 200}, {200, 300}} {
		checkOrdered(t, got[w[0]:w[1]], rows[w[0]:w[1]], 32)
	}
}

// A reader released while it fills a window stops reading its source at
// once: it does not read the rest of the window (up to 262,144 rows of a
// file, validated and located) to throw it away.
func TestDateOrderReleaseWhileFilling(t *testing.T) {
	ch := make(chan arrow.RecordBatch)
	stopped := make(chan struct{})
	var sent atomic.Int64
	go func() {
		defer close(ch)
		rng := rand.New(rand.NewPCG(15, 16))
		tick := time.NewTicker(time.Millisecond) // a file being read
		defer tick.Stop()
		for i := 0; ; i++ {
			<-tick.C
			rec := orderBatch(orderRows(rng, i*10, 10, 18000, 20000))
			select {
			case ch <- rec:
				sent.Add(1)
			case <-stopped:
				rec.Release()
				return
			}
		}
	}()
	src := NewChanReader(orderSchema, ch, func() error { return nil })
	// Windows of 100 batches: the first comes as the second begins.
	rdr := DateOrder(src, 1000, 1000)
	if !rdr.Next() {
		t.Fatal("no batch")
	}
	before := sent.Load()
	rdr.Release()
	after := sent.Load()
	close(stopped)
	src.Release()
	if after-before > 2 {
		t.Errorf("%d batches read from the source after Release began (at %d), want at most 2", after-before, before)
	}
}
