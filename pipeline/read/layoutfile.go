package read

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ocmap/ocmap/pipeline/layout"
)

// encodingSample is how much of a file CheckEncoding and Header see.
const encodingSample = 1 << 16

// layoutInput is an opened file of a layout: the file on disk, for its
// digest and interruption, and the records read from it.
type LayoutInput struct {
	File   Input
	Source Source
	close  func() error // closes what Source holds beyond File, e.g. a workbook
}

// Input is the file (or folder) on disk behind a source: a *File, or a
// folder's digest.
type Input interface {
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
func (in *LayoutInput) Close() error {
	var err error
	if in.close != nil {
		err = in.close()
	}
	if cerr := in.File.Close(); err == nil {
		err = cerr
	}
	return err
}

// OpenLayout opens path as a file of layout l: decoded from l's encoding,
// split, header read, within lim. warning is non-empty when the declared
// encoding contradicts the file's bytes. A workbook stops when ctx is
// cancelled; for the other formats the caller interrupts in.File. The caller
// closes the input.
func OpenLayout(ctx context.Context, path string, l *layout.Layout, lim Limits) (in *LayoutInput, warning string, err error) {
	switch l.Format {
	case "xlsx":
		return openXLSX(ctx, path, l, lim)
	case "parquet":
		return openParquet(ctx, path, l, lim)
	}
	if s, err := OpenLimited(path, lim); err == nil {
		sample, _ := io.ReadAll(io.LimitReader(s, encodingSample))
		s.Close()
		if w := CheckEncoding(l.Encoding, sample); w != "" {
			warning = fmt.Sprintf("%s: layout %s: %s", path, l.Name, w)
		}
	}
	f, err := OpenLimited(path, lim)
	if err != nil {
		return nil, "", fmt.Errorf("input %w", err)
	}
	r, err := Decode(f, l.Encoding)
	if err != nil {
		f.Close()
		return nil, "", fmt.Errorf("layout %s: %w", l.Name, err)
	}
	var src Source
	switch l.Format {
	case "jsonl":
		src = NewJSONLines(namedReader{r, path}, l.Columns())
	case "json":
		src = NewJSONArray(namedReader{r, path}, l.Columns())
	default:
		src, err = NewCSV(r, CSVOptions{Comma: l.Delimiter[0], HeaderRow: l.HeaderRow, FooterRows: l.FooterRows})
		if err != nil {
			f.Close()
			return nil, "", err
		}
	}
	return &LayoutInput{File: f, Source: src}, warning, nil
}

// readThrough opens path and reads it to its end, for its digest (a
// reader that opens the file by path reads it again); ctx stops it.
func readThrough(ctx context.Context, path string) (*File, error) {
	f, err := Open(path)
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
func openXLSX(ctx context.Context, path string, l *layout.Layout, lim Limits) (*LayoutInput, string, error) {
	// The zip directory first: a bomb is refused before its bytes are
	if err := CheckWorkbook(path, lim); err != nil {
		return nil, "", err
	}
	f, err := readThrough(ctx, path)
	if err != nil {
		return nil, "", err
	}
	src, err := NewXLSX(ctx, path, l.Sheet, XLSXOptions{HeaderRow: l.HeaderRow, FooterRows: l.FooterRows, RawNumbers: true, Limits: lim})
	if err != nil {
		f.Close()
		return nil, "", fmt.Errorf("layout %s: %w", l.Name, err)
	}
	x := src.(*XLSX)
	warning := ""
	if x.Date1904() {
		warning = fmt.Sprintf("%s: layout %s: the workbook counts dates from 1904; excel dates are read from 1900 and will be 1462 days early", path, l.Name)
	}
	return &LayoutInput{File: f, Source: src, close: x.Close}, warning, nil
}

// openParquet opens a Parquet file, reading only the layout's columns in
// record batches. The file is read through once first for its digest; ctx
// stops the reading.
func openParquet(ctx context.Context, path string, l *layout.Layout, lim Limits) (*LayoutInput, string, error) {
	cols := l.Columns()
	for _, p := range l.Personal {
		cols = append(cols, p.Column)
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		// A folder (a partitioned dataset) is one input: one stream into
		// the database, rows numbered across its files in name order
		// (ParquetSet.Origin names a row's own file, for its reject).
		files, err := ParquetFiles(path)
		if err != nil {
			return nil, "", fmt.Errorf("input %w", err)
		}
		d, err := digestFolder(ctx, path, files)
		if err != nil {
			return nil, "", err
		}
		set, err := OpenParquetSet(ctx, path, cols, lim)
		if err != nil {
			return nil, "", fmt.Errorf("layout %s: %w", l.Name, err)
		}
		stop := context.AfterFunc(ctx, set.Interrupt)
		return &LayoutInput{File: d, Source: set, close: func() error {
			stop()
			return set.Close()
		}}, "", nil
	}
	f, err := readThrough(ctx, path)
	if err != nil {
		return nil, "", err
	}
	p, err := OpenParquet(ctx, path, cols, lim)
	if err != nil {
		f.Close()
		return nil, "", fmt.Errorf("layout %s: %w", l.Name, err)
	}
	stopP := context.AfterFunc(ctx, p.Interrupt)
	return &LayoutInput{File: f, Source: p, close: func() error {
		stopP()
		return p.Close()
	}}, "", nil
}

// Header returns the header names of the file at path, so that a layout can
// be chosen for it. A delimited file's encoding is guessed from its first
// bytes, and the names are the fields of its first records split on commas,
// tabs and semicolons, since title lines may sit above the header. For a workbook (told by its zip signature) the names are the
// non-empty cells of the first rows of each sheet, since the header row
// depends on the layout; for JSON Lines or a JSON array they are the first
// object's keys, nested ones as dotted paths. A workbook over lim is
// refused before it is unzipped. A text or workbook whose first rows all
// hold data is ErrNoHeader, not an empty file. text is whether the file is
// delimited text (plain or gzipped), the only form the canonical reader
// reads.
func Header(path string, lim Limits) (names []string, text bool, err error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		files, err := ParquetFiles(path)
		if err != nil {
			return nil, false, fmt.Errorf("input %w", err)
		}
		names, err := ParquetColumns(files[0], lim)
		return names, false, err
	}
	f, err := OpenLimited(path, lim)
	if err != nil {
		return nil, false, fmt.Errorf("input %w", err)
	}
	defer f.Close()
	sample := make([]byte, encodingSample)
	n, err := io.ReadFull(f, sample)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, false, fmt.Errorf("input %s: %w", path, err)
	}
	if bytes.HasPrefix(sample[:n], []byte("PAR1")) {
		names, err := ParquetColumns(path, lim)
		return names, false, err
	}
	if bytes.HasPrefix(sample[:n], []byte("PK\x03\x04")) {
		if err := CheckWorkbook(path, lim); err != nil {
			return nil, false, err
		}
		names, err := XLSXHeaderCells(path)
		return names, false, err
	}
	if first := bytes.TrimLeft(bytes.TrimPrefix(sample[:n], []byte("\xef\xbb\xbf")), " \t\r\n"); len(first) > 0 && (first[0] == '{' || first[0] == '[') {
		names, err := JSONKeys(namedReader{io.MultiReader(bytes.NewReader(sample[:n]), f), path})
		return names, false, err
	}
	enc, _ := Detect(sample[:n])
	r, err := Decode(bytes.NewReader(sample[:n]), enc)
	if err != nil {
		return nil, true, err
	}
	decoded, err := io.ReadAll(r)
	if err != nil {
		return nil, true, fmt.Errorf("%s: %w", path, err)
	}
	cells := DelimitedHeaderCells(decoded)
	if len(cells) == 0 && bytes.ContainsFunc(decoded, notBlank) {
		return nil, true, fmt.Errorf("%s: %w: its first lines (up to %d) name no columns: they hold data (numbers, dates, codes)", path, ErrNoHeader, headerScanRows)
	}
	return cells, true, nil
}

// notBlank reports whether r is more than what a blank line or a row of
// only separators holds.
func notBlank(r rune) bool {
	return !strings.ContainsRune(" \t\r\n,;\ufeff", r)
}
