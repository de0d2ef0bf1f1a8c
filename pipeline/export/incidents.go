//go:build duckdb_arrow

package export

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/pipeline/geoparquet"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

// ErrNotInternal is returned by Incidents without Internal: incident
// points are never for publication.
var ErrNotInternal = errors.New("export: incident points are for internal use only (--internal)")

// Names inside an incidents export's folder.
const (
	IncidentsDir  = "incidents"         // the Hive-partitioned points
	DistrictsFile = "districts.parquet" // the district polygons
)

// Key-value metadata of every file of an incidents export.
const (
	MetaUse     = "ocmap:use"
	MetaText    = "ocmap:text"
	MetaVersion = "ocmap:version"
	MetaBounds  = "ocmap:boundaries"
	MetaBoundsH = "ocmap:boundaries_sha256"
	// UseInternal is MetaUse's value: the files are not disclosure-controlled.
	UseInternal = "INTERNAL: accepted incidents without disclosure control; do not publish"
)

// IncidentsOptions describe an incidents export.
type IncidentsOptions struct {
	DB         string
	Dir        string // gets incidents/ and districts.parquet
	Boundaries *geo.Boundaries
	Internal   bool // required
	// WithText adds the description (through schemas.Scrub, as every
	// free text ocmap writes) and the person_keys hashes.
	WithText    bool
	MemoryLimit string // DuckDB's buffer pool during the export; "" is 256MB
	FileRows    int64  // rows of a part file at most; 0: geoparquet.DefaultFileRows
	PageRows    int64  // rows asked of DuckDB at a time; 0: store.DefaultPageRows
	Version     string
	Mem         memory.Allocator
}

// IncidentsReport says what Incidents wrote.
type IncidentsReport struct {
	Rows      int64
	Files     []geoparquet.File // relative to Dir/incidents
	Districts int
}

// Incidents writes every accepted incident of the database into
// opt.Dir/incidents as Hive-partitioned GeoParquet
// (category=.../year=.../month=.../part-N.parquet: WKB points, a bbox
// covering column, where ocmap placed each row, lineage and precision; no
// personal columns or free text unless WithText), and the boundary file's
// districts into opt.Dir/districts.parquet, so that another engine can join
// and count as ocmap does. Rows stream from DuckDB through Arrow batches
// into one open file at a time, so memory stays bounded. A previous
// incidents folder is replaced only once the new one is complete.
func Incidents(ctx context.Context, opt IncidentsOptions) (*IncidentsReport, error) {
	if !opt.Internal {
		return nil, ErrNotInternal
	}
	if opt.MemoryLimit == "" {
		opt.MemoryLimit = "256MB"
	}
	if opt.Mem == nil {
		opt.Mem = memory.NewGoAllocator()
	}
	st, err := store.OpenExport(ctx, opt.DB)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	res, _, err := st.Query(ctx, `SELECT key, value FROM meta ORDER BY key`, 0)
	if err != nil {
		return nil, err
	}
	meta := map[string]string{}
	for _, row := range res.Rows {
		meta[row[0].Text] = row[1].Text
	}
	if opt.Boundaries == nil || meta["boundaries_sha256"] != opt.Boundaries.SHA256 {
		got := ""
		if opt.Boundaries != nil {
			got = opt.Boundaries.Path
		}
		return nil, fmt.Errorf("%w: %s was built with %s (sha256 %.12s…), not %s", ErrBoundaries, opt.DB,
			meta["boundaries"], meta["boundaries_sha256"], got)
	}
	text := "description and person_keys left out"
	if opt.WithText {
		text = "description (phone, CNIC and e-mail scrubbed) and person_keys (keyed hashes) included"
	}
	fileMeta := map[string]string{
		MetaUse: UseInternal, MetaText: text, MetaVersion: opt.Version,
		MetaBounds: filepath.Base(meta["boundaries"]), MetaBoundsH: meta["boundaries_sha256"],
	}
	if err := os.MkdirAll(opt.Dir, 0o755); err != nil {
		return nil, err
	}
	final := filepath.Join(opt.Dir, IncidentsDir)
	tmp, err := os.MkdirTemp(opt.Dir, ".incidents-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	rep := &IncidentsReport{}
	var w *geoparquet.Points
	err = st.ScanIncidents(ctx, store.ScanOptions{WithText: opt.WithText, MemoryLimit: opt.MemoryLimit, PageRows: opt.PageRows}, func(rec arrow.RecordBatch) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if w == nil {
			var err error
			w, err = geoparquet.NewPoints(rec.Schema(), geoparquet.PointsOptions{Dir: tmp,
				Keys: []string{"category", "year", "month"}, Lon: schemas.FieldLon, Lat: schemas.FieldLat,
				Metadata: fileMeta, FileRows: opt.FileRows, Mem: opt.Mem})
			if err != nil {
				return err
			}
		}
		if opt.WithText {
			scrubbed, err := scrubText(rec, opt.Mem)
			if err != nil {
				return err
			}
			defer scrubbed.Release()
			rec = scrubbed
		}
		rep.Rows += rec.NumRows()
		return w.Write(rec)
	})
	if w != nil {
		files, cerr := w.Close()
		rep.Files = files
		if err == nil {
			err = cerr
		}
	}
	if err != nil {
		return nil, fmt.Errorf("export: incidents: %w", err)
	}
	if err := os.RemoveAll(final); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, final); err != nil {
		return nil, err
	}
	if err := writeDistricts(filepath.Join(opt.Dir, DistrictsFile), opt.Boundaries, fileMeta, opt.Mem); err != nil {
		return nil, err
	}
	rep.Districts = len(opt.Boundaries.Districts)
	return rep, nil
}

// scrubText returns rec with its description through schemas.Scrub; the
// caller releases it.
func scrubText(rec arrow.RecordBatch, mem memory.Allocator) (arrow.RecordBatch, error) {
	idx := rec.Schema().FieldIndices(schemas.FieldDescription)
	if len(idx) != 1 {
		return nil, fmt.Errorf("no %s column", schemas.FieldDescription)
	}
	col, ok := rec.Column(idx[0]).(*array.String)
	if !ok {
		return nil, fmt.Errorf("%s is %s, not text", schemas.FieldDescription, rec.Column(idx[0]).DataType())
	}
	b := array.NewStringBuilder(mem)
	defer b.Release()
	b.Reserve(col.Len())
	for i := 0; i < col.Len(); i++ {
		if col.IsNull(i) {
			b.AppendNull()
			continue
		}
		b.Append(schemas.Scrub(col.Value(i)))
	}
	s := b.NewArray()
	defer s.Release()
	cols := slices.Clone(rec.Columns())
	cols[idx[0]] = s
	return array.NewRecordBatch(rec.Schema(), cols, rec.NumRows()), nil
}

// writeDistricts writes the boundary file's districts as GeoParquet.
func writeDistricts(path string, b *geo.Boundaries, meta map[string]string, mem memory.Allocator) error {
	areas := make([]geoparquet.Area, len(b.Districts))
	for i, d := range b.Districts {
		areas[i] = geoparquet.Area{Code: d.Code, Name: d.Name, Province: d.Province, Shape: b.Polygons[i]}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = geoparquet.WriteAreas(f, areas, meta, mem)
	if cerr := f.Close(); err == nil && !errors.Is(cerr, os.ErrClosed) {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("export: %s: %w", path, err)
	}
	return nil
}
