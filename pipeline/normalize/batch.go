package normalize

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ocmap/ocmap/schemas"
)

// coreBatch builds a batch of [schemas.IncidentsCore] in plain Go slices
// rather than arrow's builders. A batch is built once and handed to the
// store, so the builders' costs bought nothing here: an interface call and
// a type assertion per value, buffers zeroed twice (by Go, then by arrow)
// and grown by copying. The slices become the batch's buffers as they are;
// each batch gets new ones, sized from the last, as the store may still
// hold the last batch.
type coreBatch struct {
	rows int

	incidentID, category, subcategory, districtHint, source, description, sourceFile strCol
	districtCode, districtName, province, matchMethod, locationNote                  strCol

	occurredOn         fixedCol[int32]
	lat, lon, qty, amt fixedCol[float64]
	sourceLine, runID  fixedCol[int64]
	precision          fixedCol[int8]
	matchScore         fixedCol[float32]
}

// strings lists the string columns, for sizing.
func (b *coreBatch) strings() []*strCol {
	return []*strCol{&b.incidentID, &b.category, &b.subcategory, &b.districtHint, &b.source, &b.description,
		&b.sourceFile, &b.districtCode, &b.districtName, &b.province, &b.matchMethod, &b.locationNote}
}

// reset starts a batch of up to rows rows, with the string data sized from
// the batch before.
func (b *coreBatch) reset(rows int) {
	last := b.rows
	for _, c := range b.strings() {
		data := 16 * rows
		if last > 0 {
			data = int(int64(len(c.data))*int64(rows)/int64(last)) + len(c.data)/8 + 64
		}
		c.reset(rows, data)
	}
	b.rows = 0
	b.occurredOn.reset(rows)
	for _, c := range []*fixedCol[float64]{&b.lat, &b.lon, &b.qty, &b.amt} {
		c.reset(rows)
	}
	b.sourceLine.reset(rows)
	b.runID.reset(rows)
	b.precision.reset(rows)
	b.matchScore.reset(rows)
}

// record returns the batch as a record; the caller releases it.
func (b *coreBatch) record() arrow.RecordBatch {
	str := func(c *strCol) arrow.Array { return c.array(b.rows) }
	cols := []arrow.Array{
		schemas.NIncidentID:        str(&b.incidentID),
		schemas.NCategory:          str(&b.category),
		schemas.NSubcategory:       str(&b.subcategory),
		schemas.NOccurredOn:        b.occurredOn.array(arrow.FixedWidthTypes.Date32, b.rows),
		schemas.NLat:               b.lat.array(arrow.PrimitiveTypes.Float64, b.rows),
		schemas.NLon:               b.lon.array(arrow.PrimitiveTypes.Float64, b.rows),
		schemas.NDistrictHint:      str(&b.districtHint),
		schemas.NSource:            str(&b.source),
		schemas.NQuantity:          b.qty.array(arrow.PrimitiveTypes.Float64, b.rows),
		schemas.NAmountPKR:         b.amt.array(arrow.PrimitiveTypes.Float64, b.rows),
		schemas.NDescription:       str(&b.description),
		schemas.NSourceFile:        str(&b.sourceFile),
		schemas.NSourceLine:        b.sourceLine.array(arrow.PrimitiveTypes.Int64, b.rows),
		schemas.NRunID:             b.runID.array(arrow.PrimitiveTypes.Int64, b.rows),
		schemas.IDistrictCode:      str(&b.districtCode),
		schemas.IDistrictName:      str(&b.districtName),
		schemas.IProvince:          str(&b.province),
		schemas.ILocationPrecision: b.precision.array(arrow.PrimitiveTypes.Int8, b.rows),
		schemas.IMatchMethod:       str(&b.matchMethod),
		schemas.IMatchScore:        b.matchScore.array(arrow.PrimitiveTypes.Float32, b.rows),
		schemas.ILocationNote:      str(&b.locationNote),
	}
	rec := array.NewRecordBatch(schemas.IncidentsCore, cols, int64(b.rows))
	for _, c := range cols {
		c.Release()
	}
	return rec
}

// validity is a column's null bitmap, made only once a null comes.
type validity struct {
	bits  []byte
	nulls int
}

func (v *validity) reset() { v.bits, v.nulls = nil, 0 }

// null marks row i, the next row, null.
func (v *validity) null(i int) {
	if v.bits == nil {
		// Rows before i were all valid.
		v.bits = make([]byte, (i+8)/8, max((i+8)/8, 1024))
		for j := range i / 8 {
			v.bits[j] = 0xff
		}
		v.bits[i/8] = 1<<(i&7) - 1
	}
	v.grow(i)
	v.nulls++
}

// valid marks row i, the next row, valid.
func (v *validity) valid(i int) {
	if v.bits != nil {
		v.grow(i)
		v.bits[i>>3] |= 1 << (i & 7)
	}
}

func (v *validity) grow(i int) {
	for len(v.bits) <= i>>3 {
		v.bits = append(v.bits, 0)
	}
}

func (v *validity) buffer() *memory.Buffer {
	if v.nulls == 0 {
		return nil
	}
	return memory.NewBufferBytes(v.bits)
}

// strCol is a string column: offsets into data, and validity.
type strCol struct {
	offsets []int32
	data    []byte
	valid   validity
}

func (c *strCol) reset(rows, data int) {
	c.offsets = make([]int32, 1, rows+1)
	c.data = make([]byte, 0, data)
	c.valid.reset()
}

// add appends v as row i.
func (c *strCol) add(i int, v []byte) {
	c.data = append(c.data, v...)
	c.offsets = append(c.offsets, int32(len(c.data)))
	c.valid.valid(i)
}

func (c *strCol) addString(i int, s string) {
	c.data = append(c.data, s...)
	c.offsets = append(c.offsets, int32(len(c.data)))
	c.valid.valid(i)
}

// addOpt appends s as row i, or null when it is empty.
func (c *strCol) addOpt(i int, s string) {
	if s == "" {
		c.offsets = append(c.offsets, int32(len(c.data)))
		c.valid.null(i)
		return
	}
	c.addString(i, s)
}

func (c *strCol) array(rows int) arrow.Array {
	d := array.NewData(arrow.BinaryTypes.String, rows,
		[]*memory.Buffer{c.valid.buffer(), memory.NewBufferBytes(bytesOf(c.offsets)), memory.NewBufferBytes(c.data)},
		nil, c.valid.nulls, 0)
	defer d.Release()
	return array.MakeFromData(d)
}

// fixedCol is a column of fixed-width values.
type fixedCol[T int8 | int32 | int64 | float32 | float64] struct {
	v     []T
	valid validity
}

func (c *fixedCol[T]) reset(rows int) {
	c.v = make([]T, 0, rows)
	c.valid.reset()
}

func (c *fixedCol[T]) add(i int, v T) {
	c.v = append(c.v, v)
	c.valid.valid(i)
}

// addOpt appends v as row i, or null when !ok.
func (c *fixedCol[T]) addOpt(i int, v T, ok bool) {
	if !ok {
		var zero T
		c.v = append(c.v, zero)
		c.valid.null(i)
		return
	}
	c.add(i, v)
}

func (c *fixedCol[T]) array(t arrow.DataType, rows int) arrow.Array {
	d := array.NewData(t, rows, []*memory.Buffer{c.valid.buffer(), memory.NewBufferBytes(bytesOf(c.v))}, nil, c.valid.nulls, 0)
	defer d.Release()
	return array.MakeFromData(d)
}

// bytesOf views a slice of fixed-width values as its bytes.
func bytesOf[T int8 | int32 | int64 | float32 | float64](v []T) []byte {
	if len(v) == 0 {
		return []byte{}
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(v)*int(unsafe.Sizeof(v[0])))
}
