package geoparquet

import (
	"fmt"
	"io"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// Area is one polygon feature: a district with its code and names.
type Area struct {
	Code, Name, Province string
	Shape                orb.MultiPolygon // lon, lat; a one-part shape is written as a Polygon
}

// AreasSchema is the shape of WriteAreas' file.
var AreasSchema = arrow.NewSchema([]arrow.Field{
	{Name: "district_code", Type: arrow.BinaryTypes.String},
	{Name: "district_name", Type: arrow.BinaryTypes.String},
	{Name: "province", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: GeometryColumn, Type: arrow.BinaryTypes.Binary},
	{Name: BBoxColumn, Type: BBoxType},
}, nil)

// WriteAreas writes areas as one GeoParquet file to w, with their polygons
// as WKB (Polygon, or MultiPolygon for a district of several parts), the
// bbox covering column, and meta as further key-value metadata.
func WriteAreas(w io.Writer, areas []Area, meta map[string]string, mem memory.Allocator) error {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	b := array.NewRecordBuilder(mem, AreasSchema)
	defer b.Release()
	code := b.Field(0).(*array.StringBuilder)
	name := b.Field(1).(*array.StringBuilder)
	prov := b.Field(2).(*array.StringBuilder)
	geom := b.Field(3).(*array.BinaryBuilder)
	bbox := b.Field(4).(*array.StructBuilder)
	ext := newExtent()
	types := map[string]bool{}
	for _, a := range areas {
		var g orb.Geometry = a.Shape
		if len(a.Shape) == 1 {
			g = a.Shape[0]
		}
		if len(a.Shape) == 0 {
			return fmt.Errorf("geoparquet: district %s has no polygon", a.Code)
		}
		types[g.GeoJSONType()] = true
		raw, err := wkb.Marshal(g)
		if err != nil {
			return fmt.Errorf("geoparquet: district %s: %w", a.Code, err)
		}
		code.Append(a.Code)
		name.Append(a.Name)
		if a.Province == "" {
			prov.AppendNull()
		} else {
			prov.Append(a.Province)
		}
		geom.Append(raw)
		bd := g.Bound()
		bbox.Append(true)
		for k, v := range [4]float64{bd.Min[0], bd.Min[1], bd.Max[0], bd.Max[1]} {
			bbox.FieldBuilder(k).(*array.Float64Builder).Append(v)
		}
		ext.add(bd.Min[0], bd.Min[1], bd.Max[0], bd.Max[1])
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	var gt []string
	for t := range types {
		gt = append(gt, t)
	}
	sort.Strings(gt)
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd), parquet.WithAllocator(mem),
		parquet.WithCreatedBy("ocmap"))
	fw, err := pqarrow.NewFileWriter(AreasSchema, w, props, pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(mem), pqarrow.WithStoreSchema()))
	if err != nil {
		return fmt.Errorf("geoparquet: %w", err)
	}
	if err := fw.Write(rec); err != nil {
		fw.Close()
		return fmt.Errorf("geoparquet: %w", err)
	}
	m, err := metadata(gt, ext, true)
	if err != nil {
		return err
	}
	if err := fw.AppendKeyValueMetadata(MetadataKey, m); err != nil {
		return err
	}
	for _, k := range sortedKeys(meta) {
		if err := fw.AppendKeyValueMetadata(k, meta[k]); err != nil {
			return err
		}
	}
	return fw.Close()
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
