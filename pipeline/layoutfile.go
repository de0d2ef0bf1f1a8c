package pipeline

import (
	"bytes"
	"fmt"
	"io"
	"sort"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ocmap/ocmap/pipeline/layout"
	"github.com/ocmap/ocmap/pipeline/normalize"
	"github.com/ocmap/ocmap/pipeline/read"
)

// encodingSample is how much of a file CheckEncoding sees.
const encodingSample = 1 << 16

// openLayout opens path as a file of layout l: decoded from l's encoding,
// split, header read. warning is non-empty when the declared encoding
// contradicts the file's bytes. The caller closes the File.
func openLayout(path string, l *layout.Layout) (f *read.File, src read.Source, warning string, err error) {
	if l.Format != "csv" && l.Format != "tsv" {
		return nil, nil, "", fmt.Errorf("layout %s: %s files are not supported yet (csv and tsv are)", l.Name, l.Format)
	}
	if s, err := read.Open(path); err == nil {
		sample, _ := io.ReadAll(io.LimitReader(s, encodingSample))
		s.Close()
		if w := read.CheckEncoding(l.Encoding, sample); w != "" {
			warning = fmt.Sprintf("%s: layout %s: %s", path, l.Name, w)
		}
	}
	f, err = read.Open(path)
	if err != nil {
		return nil, nil, "", fmt.Errorf("input %w", err)
	}
	r, err := read.Decode(f, l.Encoding)
	if err != nil {
		f.Close()
		return nil, nil, "", fmt.Errorf("layout %s: %w", l.Name, err)
	}
	src, err = read.NewCSV(r, read.CSVOptions{Comma: l.Delimiter[0], HeaderRow: l.HeaderRow, FooterRows: l.FooterRows})
	if err != nil {
		f.Close()
		return nil, nil, "", err
	}
	return f, src, warning, nil
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
}

// Check runs layout l over the file at path without a database: it
// normalizes and places every row, keeps the first rows normalized and
// counts the rejects per field and reason, most frequent first.
func Check(path string, l *layout.Layout, placer normalize.Placer, first int) (*CheckReport, error) {
	if l.Kind != layout.KindContext {
		return nil, fmt.Errorf("layout %s: %s layouts are not supported yet (context layouts are)", l.Name, l.Kind)
	}
	f, src, warning, err := openLayout(path, l)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rep := &CheckReport{Layout: l.Name}
	if warning != "" {
		rep.Warnings = append(rep.Warnings, warning)
	}
	mem := memory.NewGoAllocator()
	nz, err := normalize.NewContext(mem, src, placer, l, normalize.Options{File: path})
	if err != nil {
		return nil, err
	}
	defer nz.Release()
	counts := map[[2]string]int64{}
	for nz.Next() {
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
		rec.Release()
		rej.Release()
	}
	if err := nz.Err(); err != nil {
		return nil, err
	}
	rep.Read, rep.Accepted, rep.Rejected = nz.Read, nz.Accepted, nz.Rejected
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

// Header returns the header names of the delimited file at path, guessing
// its encoding from its first bytes, so that a layout can be chosen for it.
func Header(path string) ([]string, error) {
	f, err := read.Open(path)
	if err != nil {
		return nil, fmt.Errorf("input %w", err)
	}
	defer f.Close()
	sample := make([]byte, encodingSample)
	n, _ := io.ReadFull(f, sample)
	enc, _ := read.Detect(sample[:n])
	r, err := read.Decode(io.MultiReader(bytes.NewReader(sample[:n]), f), enc)
	if err != nil {
		return nil, err
	}
	src, err := read.NewCSV(namedReader{r, path}, read.CSVOptions{})
	if err != nil {
		return nil, err
	}
	return src.Columns(), nil
}

type namedReader struct {
	io.Reader
	name string
}

func (n namedReader) Name() string { return n.name }
