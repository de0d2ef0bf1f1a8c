package geoparquet

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// ErrInput is wrapped by errors about the batches given to Points.
var ErrInput = errors.New("geoparquet: bad input")

// Defaults of PointsOptions.
const (
	DefaultRowGroupRows = 64 << 10
	DefaultFileRows     = 1 << 20
)

// BBoxType is the covering column's type: one point's or polygon's bounds.
var BBoxType = arrow.StructOf(
	arrow.Field{Name: "xmin", Type: arrow.PrimitiveTypes.Float64},
	arrow.Field{Name: "ymin", Type: arrow.PrimitiveTypes.Float64},
	arrow.Field{Name: "xmax", Type: arrow.PrimitiveTypes.Float64},
	arrow.Field{Name: "ymax", Type: arrow.PrimitiveTypes.Float64},
)

// PointsOptions configure a partitioned point writer.
type PointsOptions struct {
	Dir      string   // the dataset's folder, created if needed
	Keys     []string // partition columns (text), outermost first; they name folders, not columns
	Lon, Lat string   // float64 columns (WGS 84 degrees) that become geometry and bbox; null: no geometry
	// Metadata is further key-value metadata of every file.
	Metadata     map[string]string
	RowGroupRows int64 // rows of a row group; 0: DefaultRowGroupRows
	FileRows     int64 // rows of a part file at most; 0: DefaultFileRows
	Mem          memory.Allocator
}

// File is one part written.
type File struct {
	Path string // relative to Dir, with slashes
	Rows int64
}

// Points writes point rows into Hive-partitioned GeoParquet files,
// Keys[0]=v/Keys[1]=w/.../part-N.parquet. It holds one file open at a
// time: give it rows grouped by partition.
type Points struct {
	opt    PointsOptions
	in     *arrow.Schema
	out    *arrow.Schema
	keys   []int // of in
	lon    int
	lat    int
	keep   []int // columns of in written as they are
	parts  map[string]int
	files  []File
	cur    string // partition of the open file
	f      *os.File
	fw     *pqarrow.FileWriter
	rows   int64
	ext    extent
	wkbBuf bytes.Buffer
	enc    *wkb.Encoder
	props  *parquet.WriterProperties
}

// NewPoints returns a writer of batches shaped by in.
func NewPoints(in *arrow.Schema, opt PointsOptions) (*Points, error) {
	if opt.RowGroupRows <= 0 {
		opt.RowGroupRows = DefaultRowGroupRows
	}
	if opt.FileRows <= 0 {
		opt.FileRows = DefaultFileRows
	}
	if opt.Mem == nil {
		opt.Mem = memory.DefaultAllocator
	}
	p := &Points{opt: opt, in: in, lon: -1, lat: -1, parts: map[string]int{}}
	p.enc = wkb.NewEncoder(&p.wkbBuf)
	isKey := map[int]bool{}
	for _, k := range opt.Keys {
		i := in.FieldIndices(k)
		if len(i) != 1 || in.Field(i[0]).Type.ID() != arrow.STRING {
			return nil, fmt.Errorf("%w: partition column %q: want one text column", ErrInput, k)
		}
		p.keys = append(p.keys, i[0])
		isKey[i[0]] = true
	}
	for _, c := range []struct {
		name string
		to   *int
	}{{opt.Lon, &p.lon}, {opt.Lat, &p.lat}} {
		i := in.FieldIndices(c.name)
		if len(i) != 1 || in.Field(i[0]).Type.ID() != arrow.FLOAT64 {
			return nil, fmt.Errorf("%w: coordinate column %q: want one float64 column", ErrInput, c.name)
		}
		*c.to = i[0]
	}
	var fields []arrow.Field
	for i, f := range in.Fields() {
		if isKey[i] || i == p.lon || i == p.lat {
			continue
		}
		if f.Name == GeometryColumn || f.Name == BBoxColumn {
			return nil, fmt.Errorf("%w: column %q is the writer's own", ErrInput, f.Name)
		}
		p.keep = append(p.keep, i)
		f.Nullable = true
		fields = append(fields, f)
	}
	fields = append(fields,
		arrow.Field{Name: GeometryColumn, Type: arrow.BinaryTypes.Binary, Nullable: true},
		arrow.Field{Name: BBoxColumn, Type: BBoxType, Nullable: true})
	p.out = arrow.NewSchema(fields, nil)
	p.props = parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithMaxRowGroupLength(opt.RowGroupRows), parquet.WithAllocator(opt.Mem),
		parquet.WithCreatedBy("ocmap"))
	return p, nil
}

// Write writes the rows of rec, which Write does not keep.
func (p *Points) Write(rec arrow.RecordBatch) error {
	if !rec.Schema().Equal(p.in) {
		return fmt.Errorf("%w: batch schema %s, want %s", ErrInput, rec.Schema(), p.in)
	}
	n := int(rec.NumRows())
	for start := 0; start < n; {
		key, err := p.partition(rec, start)
		if err != nil {
			return err
		}
		end := start + 1
		for end < n {
			k, err := p.partition(rec, end)
			if err != nil {
				return err
			}
			if k != key {
				break
			}
			end++
		}
		for start < end {
			if key != p.cur || p.rows >= p.opt.FileRows || p.fw == nil {
				if err := p.open(key); err != nil {
					return err
				}
			}
			m := min(int64(end-start), p.opt.FileRows-p.rows)
			if err := p.write(rec, int64(start), int64(start)+m); err != nil {
				return err
			}
			start += int(m)
		}
	}
	return nil
}

// partition returns the folder path of row i: key=value/...
func (p *Points) partition(rec arrow.RecordBatch, i int) (string, error) {
	var b strings.Builder
	for j, k := range p.keys {
		col := rec.Column(k).(*array.String)
		v := "__HIVE_DEFAULT_PARTITION__" // Hive's name for null
		if col.IsValid(i) {
			v = col.Value(i)
		}
		if v == "" || v == "." || v == ".." || strings.ContainsAny(v, "/\\=\x00") {
			return "", fmt.Errorf("%w: partition column %q: value %q cannot name a folder", ErrInput, p.opt.Keys[j], v)
		}
		if j > 0 {
			b.WriteByte('/')
		}
		b.WriteString(p.opt.Keys[j])
		b.WriteByte('=')
		b.WriteString(v)
	}
	return b.String(), nil
}

// open closes the current file and starts the next part of partition key.
func (p *Points) open(key string) error {
	if err := p.closeFile(); err != nil {
		return err
	}
	n := p.parts[key]
	p.parts[key] = n + 1
	rel := fmt.Sprintf("%s/part-%d.parquet", key, n)
	path := filepath.Join(p.opt.Dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	fw, err := pqarrow.NewFileWriter(p.out, f, p.props, pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(p.opt.Mem), pqarrow.WithStoreSchema()))
	if err != nil {
		f.Close()
		return fmt.Errorf("geoparquet: %s: %w", rel, err)
	}
	p.f, p.fw, p.cur, p.rows, p.ext = f, fw, key, 0, newExtent()
	p.files = append(p.files, File{Path: rel})
	return nil
}

// write writes rows [i, j) of rec into the open file.
func (p *Points) write(rec arrow.RecordBatch, i, j int64) error {
	lon := rec.Column(p.lon).(*array.Float64)
	lat := rec.Column(p.lat).(*array.Float64)
	gb := array.NewBinaryBuilder(p.opt.Mem, arrow.BinaryTypes.Binary)
	defer gb.Release()
	bb := array.NewStructBuilder(p.opt.Mem, BBoxType)
	defer bb.Release()
	xs := [4]*array.Float64Builder{}
	for k := range xs {
		xs[k] = bb.FieldBuilder(k).(*array.Float64Builder)
	}
	gb.Reserve(int(j - i))
	bb.Reserve(int(j - i))
	for r := int(i); r < int(j); r++ {
		if !lon.IsValid(r) || !lat.IsValid(r) {
			gb.AppendNull()
			bb.AppendNull()
			continue
		}
		x, y := lon.Value(r), lat.Value(r)
		p.wkbBuf.Reset()
		if err := p.enc.Encode(orb.Point{x, y}); err != nil {
			return fmt.Errorf("geoparquet: point %d: %w", r, err)
		}
		gb.Append(p.wkbBuf.Bytes())
		bb.Append(true)
		for k, v := range [4]float64{x, y, x, y} {
			xs[k].Append(v)
		}
		p.ext.add(x, y, x, y)
	}
	cols := make([]arrow.Array, 0, len(p.keep)+2)
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for _, k := range p.keep {
		cols = append(cols, array.NewSlice(rec.Column(k), i, j))
	}
	cols = append(cols, gb.NewArray(), bb.NewArray())
	out := array.NewRecordBatch(p.out, cols, j-i)
	defer out.Release()
	if err := p.fw.WriteBuffered(out); err != nil {
		return fmt.Errorf("geoparquet: %s: %w", p.files[len(p.files)-1].Path, err)
	}
	p.rows += j - i
	p.files[len(p.files)-1].Rows = p.rows
	return nil
}

// closeFile finishes the open file: its metadata, then the footer.
func (p *Points) closeFile() error {
	if p.fw == nil {
		return nil
	}
	fw, f := p.fw, p.f
	p.fw, p.f = nil, nil
	meta, err := metadata([]string{"Point"}, p.ext, true)
	if err == nil {
		err = fw.AppendKeyValueMetadata(MetadataKey, meta)
	}
	for _, k := range sortedKeys(p.opt.Metadata) {
		if err == nil {
			err = fw.AppendKeyValueMetadata(k, p.opt.Metadata[k])
		}
	}
	if cerr := fw.Close(); err == nil {
		err = cerr
	}
	if cerr := f.Close(); err == nil && !errors.Is(cerr, os.ErrClosed) {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("geoparquet: %s: %w", p.files[len(p.files)-1].Path, err)
	}
	return nil
}

// Close finishes the last file and returns every part written, in order.
func (p *Points) Close() ([]File, error) {
	err := p.closeFile()
	return p.files, err
}
