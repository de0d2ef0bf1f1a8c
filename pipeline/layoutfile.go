package pipeline

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ocmap/ocmap/data"
	"github.com/ocmap/ocmap/pipeline/layout"
	"github.com/ocmap/ocmap/pipeline/normalize"
	"github.com/ocmap/ocmap/pipeline/read"
	"github.com/ocmap/ocmap/schemas"
)

// encodingSample is how much of a file CheckEncoding sees.
const encodingSample = 1 << 16

// layoutInput is an opened file of a layout: the file on disk, for its
// digest and interruption, and the records read from it.
type layoutInput struct {
	f     inputFile
	src   read.Source
	close func() error // closes what src holds beyond f, e.g. a workbook
}

// inputFile is the file (or folder) on disk behind a source: a *read.File,
// or a folder's digest.
type inputFile interface {
	Interrupt()
	Digest() (string, int64, error)
	ContentDigest() string
	Close() error
}

// folderDigest is a folder of Parquet files read as one input: the
// SHA-256 of its files' paths (relative, as partition values are in them)
// and bytes, in name order.
type folderDigest struct {
	sha string
	n   int64
}

func (d *folderDigest) Interrupt()                     {}
func (d *folderDigest) Digest() (string, int64, error) { return d.sha, d.n, nil }
func (d *folderDigest) ContentDigest() string          { return d.sha }
func (d *folderDigest) Close() error                   { return nil }

// digestFolder hashes the files under dir, stopping when ctx is cancelled.
func digestFolder(ctx context.Context, dir string, files []string) (*folderDigest, error) {
	h := sha256.New()
	var n int64
	for _, path := range files {
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(h, "%s\x00", filepath.ToSlash(rel))
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("input %w", err)
		}
		stop := context.AfterFunc(ctx, func() { f.Close() })
		m, err := io.Copy(h, f)
		stop()
		f.Close()
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", path, err)
		}
		n += m
	}
	return &folderDigest{sha: hex.EncodeToString(h.Sum(nil)), n: n}, nil
}

// Close closes the source and the file.
func (in *layoutInput) Close() error {
	var err error
	if in.close != nil {
		err = in.close()
	}
	if cerr := in.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// openLayout opens path as a file of layout l: decoded from l's encoding,
// split, header read, within lim. warning is non-empty when the declared
// encoding contradicts the file's bytes. A workbook stops when ctx is
// cancelled; for the other formats the caller interrupts in.f. The caller
// closes the input.
func openLayout(ctx context.Context, path string, l *layout.Layout, lim read.Limits) (in *layoutInput, warning string, err error) {
	switch l.Format {
	case "xlsx":
		return openXLSX(ctx, path, l, lim)
	case "parquet":
		return openParquet(ctx, path, l, lim)
	}
	if s, err := read.OpenLimited(path, lim); err == nil {
		sample, _ := io.ReadAll(io.LimitReader(s, encodingSample))
		s.Close()
		if w := read.CheckEncoding(l.Encoding, sample); w != "" {
			warning = fmt.Sprintf("%s: layout %s: %s", path, l.Name, w)
		}
	}
	f, err := read.OpenLimited(path, lim)
	if err != nil {
		return nil, "", fmt.Errorf("input %w", err)
	}
	r, err := read.Decode(f, l.Encoding)
	if err != nil {
		f.Close()
		return nil, "", fmt.Errorf("layout %s: %w", l.Name, err)
	}
	var src read.Source
	switch l.Format {
	case "jsonl":
		src = read.NewJSONLines(namedReader{r, path}, l.Columns())
	case "json":
		src = read.NewJSONArray(namedReader{r, path}, l.Columns())
	default:
		src, err = read.NewCSV(r, read.CSVOptions{Comma: l.Delimiter[0], HeaderRow: l.HeaderRow, FooterRows: l.FooterRows})
		if err != nil {
			f.Close()
			return nil, "", err
		}
	}
	return &layoutInput{f: f, src: src}, warning, nil
}

// readThrough opens path and reads it to its end, for its digest (a
// reader that opens the file by path reads it again); ctx stops it.
func readThrough(ctx context.Context, path string) (*read.File, error) {
	f, err := read.Open(path)
	if err != nil {
		return nil, fmt.Errorf("input %w", err)
	}
	stop := context.AfterFunc(ctx, f.Interrupt)
	_, err = io.Copy(io.Discard, f)
	stop()
	if cerr := ctx.Err(); cerr != nil {
		err = cerr
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("input %s: %w", path, err)
	}
	return f, nil
}

// openXLSX opens a workbook. excelize reads it by path, so the file is read
// through once first for its digest.
func openXLSX(ctx context.Context, path string, l *layout.Layout, lim read.Limits) (*layoutInput, string, error) {
	// The zip directory first: a bomb is refused before its bytes are read.
	if err := read.CheckWorkbook(path, lim); err != nil {
		return nil, "", err
	}
	f, err := readThrough(ctx, path)
	if err != nil {
		return nil, "", err
	}
	src, err := read.NewXLSX(ctx, path, l.Sheet, read.XLSXOptions{HeaderRow: l.HeaderRow, FooterRows: l.FooterRows, RawNumbers: true, Limits: lim})
	if err != nil {
		f.Close()
		return nil, "", fmt.Errorf("layout %s: %w", l.Name, err)
	}
	x := src.(*read.XLSX)
	warning := ""
	if x.Date1904() {
		warning = fmt.Sprintf("%s: layout %s: the workbook counts dates from 1904; excel dates are read from 1900 and will be 1462 days early", path, l.Name)
	}
	return &layoutInput{f: f, src: src, close: x.Close}, warning, nil
}

// openParquet opens a Parquet file, reading only the layout's columns in
// record batches. The file is read through once first for its digest; ctx
// stops the reading.
func openParquet(ctx context.Context, path string, l *layout.Layout, lim read.Limits) (*layoutInput, string, error) {
	cols := l.Columns()
	for _, p := range l.Personal {
		cols = append(cols, p.Column)
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		// A folder (a partitioned dataset) is one input: one stream into
		// the database, rows numbered across its files in name order.
		files, err := read.ParquetFiles(path)
		if err != nil {
			return nil, "", fmt.Errorf("input %w", err)
		}
		d, err := digestFolder(ctx, path, files)
		if err != nil {
			return nil, "", err
		}
		set, err := read.OpenParquetSet(ctx, path, cols, lim)
		if err != nil {
			return nil, "", fmt.Errorf("layout %s: %w", l.Name, err)
		}
		stop := context.AfterFunc(ctx, set.Interrupt)
		return &layoutInput{f: d, src: set, close: func() error {
			stop()
			return set.Close()
		}}, "", nil
	}
	f, err := readThrough(ctx, path)
	if err != nil {
		return nil, "", err
	}
	p, err := read.OpenParquet(ctx, path, cols, lim)
	if err != nil {
		f.Close()
		return nil, "", fmt.Errorf("layout %s: %w", l.Name, err)
	}
	stopP := context.AfterFunc(ctx, p.Interrupt)
	return &layoutInput{f: f, src: p, close: func() error {
		stopP()
		return p.Close()
	}}, "", nil
}

// layoutNormalizer is the normalizer of a layout's kind.
type layoutNormalizer interface {
	Next() bool
	Record() arrow.RecordBatch
	Rejects() arrow.RecordBatch
	Err() error
	Release()
	Counts() (read, accepted, rejected int64)
}

var (
	_ layoutNormalizer = (*normalize.ContextNormalizer)(nil)
	_ layoutNormalizer = (*normalize.IncidentNormalizer)(nil)
)

// crosswalk is the embedded legal crosswalk, parsed on first use.
var crosswalk = sync.OnceValues(func() (*schemas.Crosswalk, error) {
	cw, err := schemas.LoadCrosswalk(bytes.NewReader(data.LegalCrosswalk))
	if err != nil {
		return nil, fmt.Errorf("embedded legal crosswalk: %w", err)
	}
	return cw, nil
})

// newLayoutNormalizer returns the normalizer for src in layout l and the
// schema of its batches.
func newLayoutNormalizer(mem memory.Allocator, src read.Source, placer normalize.Placer, l *layout.Layout, opt normalize.Options) (layoutNormalizer, *arrow.Schema, error) {
	if l.Kind == layout.KindContext {
		nz, err := normalize.NewContext(mem, src, placer, l, opt)
		return nz, schemas.Context, err
	}
	cw, err := crosswalk()
	if err != nil {
		return nil, nil, err
	}
	nz, err := normalize.NewIncidents(mem, src, placer, l, cw, opt)
	return nz, schemas.LayoutIncidents, err
}

// RejectCount is how many rows were rejected for one field and reason.
type RejectCount struct {
	Field, Reason string
	Count         int64
}

// CheckReport is what a dry run of a layout over one file found.
type CheckReport struct {
	Layout                   string
	Read, Accepted, Rejected int64
	Columns                  []string   // of the rows below
	Rows                     [][]string // the first normalized rows, as text ("" for null)
	Rejects                  []RejectCount
	Warnings                 []string
	Landing                  *Landing // where the rows land: placeholder points, disagreements
}

// Check runs layout l over the file at path without a database: it
// normalizes and places every row, keeps the first rows normalized and
// counts the rejects per field and reason, most frequent first. It finds
// where the rows land (Landing) as the ingest and 'ocmap review' would:
// placeholder points by the ingest's rules, points and names that disagree,
// points outside the stated province, the place layer and narrative text;
// in memory bounded by CheckPoints. It reads
// within lim, and returns ctx's error soon after ctx is cancelled.
func Check(ctx context.Context, path string, l *layout.Layout, placer normalize.Placer, first int, lim read.Limits) (*CheckReport, error) {
	in, warning, err := openLayout(ctx, path, l, lim)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	// A read blocked or long in a file returns once the file is closed.
	defer context.AfterFunc(ctx, in.f.Interrupt)()
	rep := &CheckReport{Layout: l.Name}
	if warning != "" {
		rep.Warnings = append(rep.Warnings, warning)
	}
	// A dry run shows person_keys under a throwaway key: it writes nothing
	// that would need to link later.
	var key [32]byte
	rand.Read(key[:])
	hasher, _ := schemas.NewHasher(key[:])
	for _, p := range l.Personal {
		if p.Action == "hash" {
			rep.Warnings = append(rep.Warnings, "person_keys below use a throwaway key; an ingest uses --hash-key-file or $OCMAP_HASH_KEY")
			break
		}
	}
	mem := memory.NewGoAllocator()
	nz, _, err := newLayoutNormalizer(mem, in.src, placer, l, normalize.Options{File: path, Hasher: hasher})
	if err != nil {
		return nil, err
	}
	defer nz.Release()
	counts := map[[2]string]int64{}
	lg := newLanding()
	for ctx.Err() == nil && nz.Next() {
		rec, rej := nz.Record(), nz.Rejects()
		if rep.Columns == nil {
			for _, fl := range rec.Schema().Fields() {
				rep.Columns = append(rep.Columns, fl.Name)
			}
		}
		for i := 0; i < int(rec.NumRows()) && len(rep.Rows) < first; i++ {
			row := make([]string, rec.NumCols())
			for c, col := range rec.Columns() {
				if col.IsValid(i) {
					row[c] = col.ValueStr(i)
				}
			}
			rep.Rows = append(rep.Rows, row)
		}
		fields, reasons := rej.Column(3).(*array.String), rej.Column(4).(*array.String)
		for i := 0; i < int(rej.NumRows()); i++ {
			counts[[2]string{fields.Value(i), reasons.Value(i)}]++
		}
		lg.add(rec)
		rec.Release()
		rej.Release()
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := nz.Err(); err != nil {
		return nil, err
	}
	rep.Read, rep.Accepted, rep.Rejected = nz.Counts()
	rep.Landing = lg.done()
	for k, n := range counts {
		rep.Rejects = append(rep.Rejects, RejectCount{Field: k[0], Reason: k[1], Count: n})
	}
	sort.Slice(rep.Rejects, func(i, j int) bool {
		a, b := rep.Rejects[i], rep.Rejects[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.Field != b.Field {
			return a.Field < b.Field
		}
		return a.Reason < b.Reason
	})
	return rep, nil
}

// Header returns the header names of the file at path, so that a layout can
// be chosen for it. A delimited file's encoding is guessed from its first
// bytes, and the names are the fields of its first records split on commas,
// tabs and semicolons, since title lines may sit above the header. For a workbook (told by its zip signature) the names are the
// non-empty cells of the first rows of each sheet, since the header row
// depends on the layout; for JSON Lines or a JSON array they are the first
// object's keys, nested ones as dotted paths. A workbook over lim is
// refused before it is unzipped.
func Header(path string, lim read.Limits) ([]string, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		files, err := read.ParquetFiles(path)
		if err != nil {
			return nil, fmt.Errorf("input %w", err)
		}
		return read.ParquetColumns(files[0], lim)
	}
	f, err := read.OpenLimited(path, lim)
	if err != nil {
		return nil, fmt.Errorf("input %w", err)
	}
	defer f.Close()
	sample := make([]byte, encodingSample)
	n, err := io.ReadFull(f, sample)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, fmt.Errorf("input %s: %w", path, err)
	}
	if bytes.HasPrefix(sample[:n], []byte("PAR1")) {
		return read.ParquetColumns(path, lim)
	}
	if bytes.HasPrefix(sample[:n], []byte("PK\x03\x04")) {
		if err := read.CheckWorkbook(path, lim); err != nil {
			return nil, err
		}
		return read.XLSXHeaderCells(path)
	}
	if first := bytes.TrimLeft(bytes.TrimPrefix(sample[:n], []byte("\xef\xbb\xbf")), " \t\r\n"); len(first) > 0 && (first[0] == '{' || first[0] == '[') {
		return read.JSONKeys(namedReader{io.MultiReader(bytes.NewReader(sample[:n]), f), path})
	}
	enc, _ := read.Detect(sample[:n])
	r, err := read.Decode(bytes.NewReader(sample[:n]), enc)
	if err != nil {
		return nil, err
	}
	text, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return read.DelimitedHeaderCells(text), nil
}

type namedReader struct {
	io.Reader
	name string
}

func (n namedReader) Name() string { return n.name }
