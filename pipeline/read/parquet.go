package read

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// ParquetBatchRows is how many rows a Parquet source decodes at a time.
const ParquetBatchRows = 8192

// hiveNull is the folder name Hive and Spark give a null partition value.
const hiveNull = "__HIVE_DEFAULT_PARTITION__"

// Parquet reads a Parquet file as records of text fields, one per row, in
// record batches of ParquetBatchRows rows, so that a file of any size is
// read in bounded memory. Its columns are the file's top-level columns, a
// struct's fields as "parent.child" (as JSON paths are named), a GeoParquet
// point column's coordinates as "geometry.lon" and "geometry.lat" (WGS 84
// degrees, decoded from WKB), and last the Hive partition keys of the
// path (category=drug_trafficking/year=2024/...), unless the file has a
// column of that name. Numbers are written out in full (no exponent), dates
// as YYYY-MM-DD, timestamps by their date (UTC). Line is the row's number
// in the file, from 1.
type Parquet struct {
	name    string
	f       *os.File
	pf      *file.Reader
	rr      pqarrow.RecordReader
	cols    []string
	getters []getter // by column; nil for a column not read
	parts   []string // partition values, after the file's columns
	nFile   int      // columns from the file
	rec     arrow.RecordBatch
	row     int
	line    int64
	buf     []byte
	ends    []int
	fields  [][]byte
	raw     []byte
	bad     string
}

var _ Source = (*Parquet)(nil)

// getter appends the text of row i of its column of rec to dst; ok is false
// with a reason when the value is not text (control characters, invalid
// UTF-8).
type getter struct {
	field int // top-level field of the batch
	get   func(dst []byte, a arrow.Array, i int) []byte
}

// OpenParquet opens the Parquet file at path, reading only the columns
// named in want (all when want is nil; unknown names are left to the
// caller), within lim: a file whose row groups declare more than
// lim.MaxBytes (or DefaultGzipBytes) of uncompressed data is refused
// before any is read. ctx stops a read in progress. The caller closes it.
func OpenParquet(ctx context.Context, path string, want []string, lim Limits) (*Parquet, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	p := &Parquet{name: path, f: f}
	if err := p.open(ctx, want, lim); err != nil {
		f.Close()
		return nil, err
	}
	return p, nil
}

func (p *Parquet) open(ctx context.Context, want []string, lim Limits) error {
	pf, err := file.NewParquetReader(p.f)
	if err != nil {
		return fmt.Errorf("%s: not a readable Parquet file: %w", p.name, err)
	}
	p.pf = pf
	max, _ := lim.gzipBytes()
	var total int64
	md := pf.MetaData()
	for i := 0; i < pf.NumRowGroups(); i++ {
		total += md.RowGroup(i).TotalByteSize()
	}
	if total > max {
		return fmt.Errorf("%s: %w: its row groups hold %s of data, over the limit of %s (--max-bytes)", p.name, ErrTooLarge, Size(total), Size(max))
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: ParquetBatchRows}, memory.NewGoAllocator())
	if err != nil {
		return fmt.Errorf("%s: %w", p.name, err)
	}
	schema, err := fr.Schema()
	if err != nil {
		return fmt.Errorf("%s: %w", p.name, err)
	}
	geoms := geometryColumns(md.KeyValueMetadata().FindValue("geo"))
	type column struct {
		name  string
		field int
		get   func(dst []byte, a arrow.Array, i int) []byte
	}
	var all []column
	for fi, fl := range schema.Fields() {
		if geoms[fl.Name] && (fl.Type.ID() == arrow.BINARY || fl.Type.ID() == arrow.LARGE_BINARY) {
			all = append(all, column{fl.Name + ".lon", fi, wkbCoord(0)}, column{fl.Name + ".lat", fi, wkbCoord(1)})
			continue
		}
		for _, c := range flatten(fl.Name, fl.Type, func(a arrow.Array, _ int) arrow.Array { return a }) {
			all = append(all, column{c.name, fi, c.get})
		}
	}
	wanted := map[string]bool{}
	for _, w := range want {
		wanted[strings.ToLower(strings.TrimSpace(w))] = true
	}
	readField := map[int]bool{}
	for _, c := range all {
		p.cols = append(p.cols, c.name)
		if want == nil || wanted[strings.ToLower(c.name)] {
			readField[c.field] = true
		}
	}
	// The batch has the fields read, in file order: renumber them.
	var fields []int
	for fi := range schema.Fields() {
		if readField[fi] {
			fields = append(fields, fi)
		}
	}
	for _, c := range all {
		if want == nil || wanted[strings.ToLower(c.name)] {
			at := slices.Index(fields, c.field)
			get := c.get
			p.getters = append(p.getters, getter{field: at, get: get})
		} else {
			p.getters = append(p.getters, getter{field: -1})
		}
	}
	p.nFile = len(p.cols)
	for _, kv := range partitions(p.name) {
		if slices.ContainsFunc(p.cols, func(c string) bool { return strings.EqualFold(c, kv[0]) }) {
			continue
		}
		p.cols = append(p.cols, kv[0])
		p.parts = append(p.parts, kv[1])
	}
	var leaves []int
	for _, fi := range fields {
		leaves = append(leaves, leafColumns(fr.Manifest.Fields[fi])...)
	}
	if len(leaves) == 0 {
		// Nothing of the file is read (only partition columns): still
		// count its rows, through its first leaf.
		if pf.MetaData().Schema.NumColumns() == 0 {
			return fmt.Errorf("%s: the Parquet file has no columns", p.name)
		}
		leaves = []int{0}
	}
	rr, err := fr.GetRecordReader(ctx, leaves, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", p.name, err)
	}
	p.rr = rr
	return nil
}

// leafColumns lists the Parquet leaf columns under a field.
func leafColumns(sf pqarrow.SchemaField) []int {
	if len(sf.Children) == 0 {
		return []int{sf.ColIndex}
	}
	var out []int
	for _, c := range sf.Children {
		out = append(out, leafColumns(c)...)
	}
	return out
}

// geometryColumns returns the columns a GeoParquet "geo" value declares.
func geometryColumns(geo *string) map[string]bool {
	out := map[string]bool{}
	if geo == nil {
		return out
	}
	var m struct {
		Columns map[string]json.RawMessage `json:"columns"`
	}
	if json.Unmarshal([]byte(*geo), &m) == nil {
		for c := range m.Columns {
			out[c] = true
		}
	}
	return out
}

// partitions returns the key=value folders of path, outermost first, with
// Hive's escapes (%2F) undone and its null folder as "".
func partitions(path string) [][2]string {
	var out [][2]string
	for _, seg := range strings.Split(filepath.ToSlash(filepath.Dir(path)), "/") {
		k, v, ok := strings.Cut(seg, "=")
		if !ok || k == "" {
			continue
		}
		if u, err := url.PathUnescape(v); err == nil {
			v = u
		}
		if v == hiveNull {
			v = ""
		}
		// A key given twice (a=1/a=2) is the innermost folder's.
		if i := slices.IndexFunc(out, func(kv [2]string) bool { return kv[0] == k }); i >= 0 {
			out[i][1] = v
			continue
		}
		out = append(out, [2]string{k, v})
	}
	return out
}

type flatColumn struct {
	name string
	get  func(dst []byte, a arrow.Array, i int) []byte
}

// flatten returns the text columns of a field of type t named name, where
// pick finds the field's array within the top-level one, or nil when row i
// of an enclosing struct is null: a struct's fields become name.child.
func flatten(name string, t arrow.DataType, pick func(a arrow.Array, i int) arrow.Array) []flatColumn {
	if st, ok := t.(*arrow.StructType); ok {
		var out []flatColumn
		for k, child := range st.Fields() {
			out = append(out, flatten(name+"."+child.Name, child.Type, func(a arrow.Array, i int) arrow.Array {
				s, _ := pick(a, i).(*array.Struct)
				if s == nil || s.IsNull(i) {
					return nil
				}
				return s.Field(k)
			})...)
		}
		return out
	}
	conv := textOf(t)
	return []flatColumn{{name, func(dst []byte, a arrow.Array, i int) []byte {
		v := pick(a, i)
		if v == nil || v.IsNull(i) {
			return dst
		}
		return conv(dst, v, i)
	}}}
}

// textOf returns how a value of type t is written as text.
func textOf(t arrow.DataType) func(dst []byte, a arrow.Array, i int) []byte {
	switch t.ID() {
	case arrow.STRING:
		return func(dst []byte, a arrow.Array, i int) []byte { return append(dst, a.(*array.String).Value(i)...) }
	case arrow.LARGE_STRING:
		return func(dst []byte, a arrow.Array, i int) []byte { return append(dst, a.(*array.LargeString).Value(i)...) }
	case arrow.INT8:
		return func(dst []byte, a arrow.Array, i int) []byte {
			return strconv.AppendInt(dst, int64(a.(*array.Int8).Value(i)), 10)
		}
	case arrow.INT16:
		return func(dst []byte, a arrow.Array, i int) []byte {
			return strconv.AppendInt(dst, int64(a.(*array.Int16).Value(i)), 10)
		}
	case arrow.INT32:
		return func(dst []byte, a arrow.Array, i int) []byte {
			return strconv.AppendInt(dst, int64(a.(*array.Int32).Value(i)), 10)
		}
	case arrow.INT64:
		return func(dst []byte, a arrow.Array, i int) []byte {
			return strconv.AppendInt(dst, a.(*array.Int64).Value(i), 10)
		}
	case arrow.UINT8:
		return func(dst []byte, a arrow.Array, i int) []byte {
			return strconv.AppendUint(dst, uint64(a.(*array.Uint8).Value(i)), 10)
		}
	case arrow.UINT16:
		return func(dst []byte, a arrow.Array, i int) []byte {
			return strconv.AppendUint(dst, uint64(a.(*array.Uint16).Value(i)), 10)
		}
	case arrow.UINT32:
		return func(dst []byte, a arrow.Array, i int) []byte {
			return strconv.AppendUint(dst, uint64(a.(*array.Uint32).Value(i)), 10)
		}
	case arrow.UINT64:
		return func(dst []byte, a arrow.Array, i int) []byte {
			return strconv.AppendUint(dst, a.(*array.Uint64).Value(i), 10)
		}
	case arrow.FLOAT32:
		return func(dst []byte, a arrow.Array, i int) []byte {
			return strconv.AppendFloat(dst, float64(a.(*array.Float32).Value(i)), 'f', -1, 32)
		}
	case arrow.FLOAT64:
		return func(dst []byte, a arrow.Array, i int) []byte {
			return strconv.AppendFloat(dst, a.(*array.Float64).Value(i), 'f', -1, 64)
		}
	case arrow.BOOL:
		return func(dst []byte, a arrow.Array, i int) []byte {
			return strconv.AppendBool(dst, a.(*array.Boolean).Value(i))
		}
	case arrow.DATE32:
		return func(dst []byte, a arrow.Array, i int) []byte {
			return a.(*array.Date32).Value(i).ToTime().AppendFormat(dst, time.DateOnly)
		}
	case arrow.DATE64:
		return func(dst []byte, a arrow.Array, i int) []byte {
			return a.(*array.Date64).Value(i).ToTime().UTC().AppendFormat(dst, time.DateOnly)
		}
	case arrow.TIMESTAMP:
		unit := t.(*arrow.TimestampType).Unit
		return func(dst []byte, a arrow.Array, i int) []byte {
			return a.(*array.Timestamp).Value(i).ToTime(unit).UTC().AppendFormat(dst, time.DateOnly)
		}
	case arrow.BINARY, arrow.LARGE_BINARY, arrow.FIXED_SIZE_BINARY:
		// Bytes are not text; a layout that reads such a column gets
		// nothing rather than noise.
		return func(dst []byte, a arrow.Array, i int) []byte { return dst }
	}
	return func(dst []byte, a arrow.Array, i int) []byte { return append(dst, a.ValueStr(i)...) }
}

// wkbCoord returns the longitude (k 0) or latitude (k 1) of a WKB point;
// other geometries give nothing.
func wkbCoord(k int) func(dst []byte, a arrow.Array, i int) []byte {
	return func(dst []byte, a arrow.Array, i int) []byte {
		if a.IsNull(i) {
			return dst
		}
		var b []byte
		switch x := a.(type) {
		case *array.Binary:
			b = x.Value(i)
		case *array.LargeBinary:
			b = x.Value(i)
		}
		g, err := wkb.Unmarshal(b)
		if err != nil {
			return dst
		}
		pt, ok := g.(orb.Point)
		if !ok {
			return dst
		}
		return strconv.AppendFloat(dst, pt[k], 'f', -1, 64)
	}
}

// Columns implements Source.
func (p *Parquet) Columns() []string { return p.cols }

// Next implements Source.
func (p *Parquet) Next() bool {
	for p.rec == nil || p.row >= int(p.rec.NumRows()) {
		if !p.rr.Next() {
			p.rec = nil
			return false
		}
		p.rec = p.rr.RecordBatch()
		p.row = 0
	}
	p.line++
	i := p.row
	p.row++
	p.bad = ""
	p.buf = p.buf[:0]
	p.ends = p.ends[:0]
	for c, g := range p.getters {
		if g.field >= 0 {
			start := len(p.buf)
			p.buf = g.get(p.buf, p.rec.Column(g.field), i)
			if p.bad == "" {
				p.bad = checkField(p.cols[c], p.buf[start:])
			}
		}
		p.ends = append(p.ends, len(p.buf))
	}
	for _, v := range p.parts {
		p.buf = append(p.buf, v...)
		p.ends = append(p.ends, len(p.buf))
	}
	p.fields = p.fields[:0]
	p.raw = p.raw[:0]
	start := 0
	for c, end := range p.ends {
		f := p.buf[start:end:end]
		start = end
		p.fields = append(p.fields, f)
		if c > 0 {
			p.raw = append(p.raw, '\t')
		}
		p.raw = append(p.raw, f...)
	}
	if len(p.raw) > DefaultMaxRecord {
		p.raw = cutNumber(p.raw[:keptOfLong])
		if p.bad == "" {
			p.bad = fmt.Sprintf("the row holds more than %s of text, the limit of a record", Size(DefaultMaxRecord))
		}
	}
	if p.bad != "" {
		p.fields = p.fields[:0]
	}
	return true
}

// checkField says why a value is not text, or "".
func checkField(col string, b []byte) string {
	if ctl, _ := scanText(b); ctl >= 0 {
		return controlReason(fmt.Sprintf("column %q", col), b[ctl])
	}
	if r := invalidUTF8(b); r != "" {
		return fmt.Sprintf("column %q: %s", col, r)
	}
	return ""
}

// Fields implements Source.
func (p *Parquet) Fields() [][]byte { return p.fields }

// Line implements Source: the row's number in the file, from 1.
func (p *Parquet) Line() int64 { return p.line }

// Raw implements Source: the row's fields joined by tabs.
func (p *Parquet) Raw() []byte { return p.raw }

// Malformed implements Source.
func (p *Parquet) Malformed() string { return p.bad }

// Err implements Source.
func (p *Parquet) Err() error {
	if err := p.rr.Err(); err != nil {
		return fmt.Errorf("%s: row %d: %w", p.name, p.line+1, err)
	}
	return nil
}

// Close releases the reader and closes the file.
func (p *Parquet) Close() error {
	p.rr.Release()
	if err := p.f.Close(); !errors.Is(err, os.ErrClosed) {
		return err
	}
	return nil
}

// Interrupt closes the file so that a read in progress fails; safe to call
// from another goroutine.
func (p *Parquet) Interrupt() { p.f.Close() }

// ParquetColumns returns the columns a Parquet source of the file at path
// has (see Parquet), for choosing a layout; nothing but the footer is read.
func ParquetColumns(path string, lim Limits) ([]string, error) {
	p, err := OpenParquet(context.Background(), path, []string{}, lim)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	return p.Columns(), nil
}

// IsParquet reports whether the file at path starts as Parquet files do.
func IsParquet(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var b [4]byte
	n, _ := f.Read(b[:])
	return n == 4 && string(b[:]) == "PAR1"
}

// ParquetFiles lists the Parquet files under the folder dir, in name
// order, leaving out names that start with . or _ (Spark's _SUCCESS, a
// writer's temporary files).
func ParquetFiles(dir string) ([]string, error) {
	var found []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if path != dir && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && strings.EqualFold(filepath.Ext(name), ".parquet") {
			found = append(found, path)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("%s: a folder with no .parquet file under it", dir)
	}
	return found, nil
}

// ParquetSet reads the Parquet files of a folder (a partitioned dataset)
// one after the other as one source: the columns are the first file's,
// and every file must have the same; Line counts rows across the files in
// name order, from 1, and Origin gives the file and its row there. One
// file is open at a time.
type ParquetSet struct {
	ctx   context.Context
	dir   string
	files []string
	want  []string
	lim   Limits
	next  int
	line  int64
	err   error

	mu      sync.Mutex
	cur     *Parquet
	stopped bool
}

var (
	_ Source  = (*ParquetSet)(nil)
	_ Origins = (*ParquetSet)(nil)
)

// OpenParquetSet opens the Parquet files under dir (see ParquetFiles) as
// one source, reading the columns named in want (all when nil).
func OpenParquetSet(ctx context.Context, dir string, want []string, lim Limits) (*ParquetSet, error) {
	files, err := ParquetFiles(dir)
	if err != nil {
		return nil, err
	}
	s := &ParquetSet{ctx: ctx, dir: dir, files: files, want: want, lim: lim}
	if !s.open() {
		return nil, s.err
	}
	return s, nil
}

// Files returns the files read, in order.
func (s *ParquetSet) Files() []string { return s.files }

// open opens the next file and checks its columns against the first's.
func (s *ParquetSet) open() bool {
	path := s.files[s.next]
	p, err := OpenParquet(s.ctx, path, s.want, s.lim)
	if err != nil {
		s.err = err
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		p.Close()
		s.err = context.Canceled
		return false
	}
	if s.cur != nil {
		if !slices.Equal(p.Columns(), s.cur.Columns()) {
			p.Close()
			s.err = fmt.Errorf("%s: its columns [%s] are not those of %s [%s]: a folder is read as one dataset", path,
				strings.Join(p.Columns(), ", "), s.files[0], strings.Join(s.cur.Columns(), ", "))
			return false
		}
		s.cur.Close()
	}
	s.cur = p
	s.next++
	return true
}

// Columns implements Source.
func (s *ParquetSet) Columns() []string { return s.cur.Columns() }

// Next implements Source.
func (s *ParquetSet) Next() bool {
	for s.err == nil {
		if s.cur.Next() {
			s.line++
			return true
		}
		if err := s.cur.Err(); err != nil {
			s.err = err
			return false
		}
		if s.next == len(s.files) || !s.open() {
			return false
		}
	}
	return false
}

// Fields implements Source.
func (s *ParquetSet) Fields() [][]byte { return s.cur.Fields() }

// Line implements Source: the row's number in the folder, from 1.
func (s *ParquetSet) Line() int64 { return s.line }

// Raw implements Source.
func (s *ParquetSet) Raw() []byte { return s.cur.Raw() }

// Malformed implements Source.
func (s *ParquetSet) Malformed() string { return s.cur.Malformed() }

// Origin implements Origins: the current row's file (its path, the folder
// joined with the file's place under it) and its row in that file, from 1.
func (s *ParquetSet) Origin() (file string, line int64) { return s.cur.name, s.cur.Line() }

// Err implements Source.
func (s *ParquetSet) Err() error { return s.err }

// Interrupt stops the reading from another goroutine.
func (s *ParquetSet) Interrupt() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	s.cur.Interrupt()
}

// Close closes the open file.
func (s *ParquetSet) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur.Close()
}
