package read

import (
	"archive/zip"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"
)

// XLSXOptions configure NewXLSX.
type XLSXOptions struct {
	HeaderRow  int // 1-based row of the header; 0 means 1. Rows before it are skipped.
	FooterRows int // drop the last N rows with data (totals, notes); only N are held in memory

	// RawNumbers yields every cell's stored value instead of its displayed
	// text: numbers in full ("1234.5", not "1,234.50"), dates as Excel
	// serial day numbers ("45123", "45123.5" for noon; see Date1904), and
	// booleans as "1"/"0". It is one rule for the whole sheet, because a
	// cell's display format says little about what it holds. Layouts should
	// set it: displayed dates depend on the format ("07-15-23") and are
	// ambiguous, serials are not. Text cells are the same either way.
	RawNumbers bool

	// Limits bound the workbook's unzipped size, checked from its zip
	// directory before anything is unzipped, and the sheet's cells.
	Limits Limits
}

// XLSX reads one sheet of an Excel workbook as a Source. Cells come from
// excelize's streaming row reader, so rows are never all in memory. Memory
// is still not flat: excelize holds the workbook's unzipped parts, except
// that a worksheet or shared-string table over 16 MiB of XML goes to a
// temporary file and is streamed from there. Line is the spreadsheet row
// number. Rows whose cells
// are all empty are skipped; rows shorter than the header are padded with
// empty fields; a row with more non-empty cells than the header is
// Malformed. Raw is the row's cells joined by tabs. Formula cells yield the
// value Excel last saved with them.
//
// The workbook closes itself when Next returns false; Close closes it early.
// Next stops with the context's error once it is cancelled.
type XLSX struct {
	records
	ctx         context.Context
	path, sheet string
	f           *excelize.File
	rows        *excelize.Rows
	opts        excelize.Options
	cols        []string
	row         int64
	cells       int64 // read so far, padding included
	maxCells    int64
	raw         []byte
	fields      [][]byte
	date1904    bool
	err         error
}

var _ Source = (*XLSX)(nil)

// NewXLSX opens the workbook at path and reads sheet ("" for the first
// sheet) up to its header row. A workbook over opt.Limits fails with
// ErrTooLarge before it is unzipped; once ctx is cancelled, NewXLSX and Next
// return its error within a row.
func NewXLSX(ctx context.Context, path, sheet string, opt XLSXOptions) (Source, error) {
	if opt.HeaderRow < 0 || opt.FooterRows < 0 {
		return nil, fmt.Errorf("%s: %w: header row %d, footer rows %d", path, ErrOptions, opt.HeaderRow, opt.FooterRows)
	}
	header := int64(opt.HeaderRow)
	if header == 0 {
		header = 1
	}
	if err := CheckWorkbook(path, opt.Limits); err != nil {
		return nil, err
	}
	limit, _ := opt.Limits.xlsxBytes()
	x := &XLSX{ctx: ctx, path: path, maxCells: opt.Limits.cells(), opts: excelize.Options{
		RawCellValue: opt.RawNumbers,
		// Checked by CheckWorkbook already; archive/zip holds each part
		// to its declared size.
		UnzipSizeLimit:    limit,
		UnzipXMLSizeLimit: min(limit, excelize.StreamChunkSize),
	}}
	f, err := openWorkbook(ctx, path, x.opts)
	if err != nil {
		return nil, err
	}
	x.f = f
	sheets := f.GetSheetList()
	switch {
	case sheet == "" && len(sheets) == 0:
		f.Close()
		return nil, fmt.Errorf("%s: %w: the workbook has no sheets", path, ErrUnknownSheet)
	case sheet == "":
		sheet = sheets[0]
	default:
		found := false
		for _, s := range sheets {
			found = found || s == sheet
		}
		if !found {
			f.Close()
			return nil, fmt.Errorf("%s: %w %q; the workbook has %s", path, ErrUnknownSheet, sheet, quoteList(sheets))
		}
	}
	x.sheet = sheet
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		x.date1904 = *props.Date1904
	}
	if x.rows, err = f.Rows(sheet); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: sheet %q: %w", path, sheet, err)
	}
	x.pull = x.next
	x.keep = opt.FooterRows

	var cells []string
	for x.row < header {
		if err := ctx.Err(); err != nil {
			x.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if !x.rows.Next() {
			err := x.rows.Error()
			x.Close()
			if err != nil {
				return nil, fmt.Errorf("%s: sheet %q row %d: %w", path, sheet, x.row+1, err)
			}
			return nil, fmt.Errorf("%s: sheet %q: %w: the sheet ends at row %d, before the header row %d", path, sheet, ErrNoHeader, x.row, header)
		}
		x.row++
		if x.row == header {
			if cells, err = x.rows.Columns(x.opts); err != nil {
				x.Close()
				return nil, fmt.Errorf("%s: sheet %q row %d: %w", path, sheet, x.row, err)
			}
			if err := x.count(len(cells)); err != nil {
				x.Close()
				return nil, err
			}
		}
	}
	for len(cells) > 0 && strings.TrimSpace(cells[len(cells)-1]) == "" {
		cells = cells[:len(cells)-1]
	}
	if len(cells) == 0 {
		x.Close()
		return nil, fmt.Errorf("%s: sheet %q row %d: %w: the header row is empty", path, sheet, header, ErrNoHeader)
	}
	x.cols = make([]string, len(cells))
	for i, c := range cells {
		x.cols[i] = strings.TrimSpace(c)
	}
	return x, nil
}

// openWorkbook opens the workbook at path, returning ctx's error as soon as
// ctx is cancelled: excelize unzips every part on opening and cannot be
// stopped, so it finishes in the background and its workbook is closed.
func openWorkbook(ctx context.Context, path string, opts excelize.Options) (*excelize.File, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	type opened struct {
		f   *excelize.File
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		f, err := excelize.OpenFile(path, opts)
		ch <- opened{f, err}
	}()
	select {
	case o := <-ch:
		if o.err != nil {
			if o.f != nil {
				o.f.Close()
			}
			return nil, fmt.Errorf("%s: not a readable XLSX workbook: %w", path, o.err)
		}
		return o.f, nil
	case <-ctx.Done():
		go func() {
			if o := <-ch; o.f != nil {
				o.f.Close()
			}
		}()
		return nil, fmt.Errorf("%s: %w", path, ctx.Err())
	}
}

// CheckWorkbook reads the zip directory of the workbook at path and returns
// an error wrapping ErrTooLarge when its parts would unzip past lim: in all,
// or (with the default limits) one part or the whole file expanding more
// than xlsxRatio times. It unzips nothing, so it takes milliseconds.
func CheckWorkbook(path string, lim Limits) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return fmt.Errorf("%s: not a readable XLSX workbook: %w", path, err)
	}
	defer zr.Close()
	var size int64
	if fi, err := os.Stat(path); err == nil {
		size = fi.Size()
	}
	limit, ratio := lim.xlsxBytes()
	var total uint64
	for _, f := range zr.File {
		u := f.UncompressedSize64
		if total += u; total > uint64(limit) || u > uint64(limit) {
			return fmt.Errorf("%s: %w: the workbook unzips to more than %s", path, ErrTooLarge, Size(limit))
		}
		if ratio > 0 && u > uint64(xlsxRatioFloor) && u/max(f.CompressedSize64, 1) > uint64(ratio) {
			return fmt.Errorf("%s: %w: part %s unzips to %s from %s, more than %d times, as a zip bomb does",
				path, ErrTooLarge, f.Name, Size(int64(u)), Size(int64(f.CompressedSize64)), ratio)
		}
	}
	// Parts may share their compressed bytes, each with a plausible ratio.
	if ratio > 0 && total > uint64(xlsxRatioFloor) && total/uint64(max(size, 1)) > uint64(ratio) {
		return fmt.Errorf("%s: %w: the workbook unzips to %s from %s, more than %d times, as a zip bomb does",
			path, ErrTooLarge, Size(int64(total)), Size(size), ratio)
	}
	return nil
}

// count adds n cells to the sheet's count and fails past maxCells.
func (x *XLSX) count(n int) error {
	if x.cells += int64(n); x.cells > x.maxCells {
		return fmt.Errorf("%s: sheet %q row %d: %w: the sheet has more than %d cells (counting the empty cells before the last of each row); save it as CSV, or split it",
			x.path, x.sheet, x.row, ErrTooManyCells, x.maxCells)
	}
	return nil
}

func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	if len(q) == 1 {
		return "one sheet, " + q[0]
	}
	return "sheets " + strings.Join(q, ", ")
}

func (x *XLSX) next(rec *record) bool {
	if x.rows == nil {
		return false
	}
	for x.rows.Next() {
		x.row++
		if err := x.ctx.Err(); err != nil {
			x.err = fmt.Errorf("%s: %w", x.path, err)
			x.Close()
			return false
		}
		cells, err := x.rows.Columns(x.opts)
		if err != nil {
			x.err = fmt.Errorf("%s: sheet %q row %d: %w", x.path, x.sheet, x.row, err)
			x.Close()
			return false
		}
		if err := x.count(len(cells)); err != nil {
			x.err = err
			x.Close()
			return false
		}
		n := len(cells)
		for n > 0 && strings.TrimSpace(cells[n-1]) == "" {
			n--
		}
		if n == 0 {
			continue
		}
		x.raw = x.raw[:0]
		x.fields = x.fields[:0]
		for i, c := range cells[:n] {
			if i > 0 {
				x.raw = append(x.raw, '\t')
			}
			start := len(x.raw)
			x.raw = append(x.raw, c...)
			x.fields = append(x.fields, x.raw[start:len(x.raw):len(x.raw)])
		}
		*rec = record{line: x.row, raw: x.raw}
		if n > len(x.cols) {
			rec.malformed = fmt.Sprintf("row has %d cells, header has %d", n, len(x.cols))
			return true
		}
		if m := invalidUTF8(x.raw); m != "" {
			rec.malformed = m
			return true
		}
		for len(x.fields) < len(x.cols) {
			x.fields = append(x.fields, nil)
		}
		rec.fields = x.fields
		return true
	}
	if err := x.rows.Error(); err != nil {
		x.err = fmt.Errorf("%s: sheet %q after row %d: %w", x.path, x.sheet, x.row, err)
	}
	x.Close()
	return false
}

// Columns returns the header cells, trimmed, without trailing empty ones.
func (x *XLSX) Columns() []string { return x.cols }

// Err returns the first error reading the sheet.
func (x *XLSX) Err() error { return x.err }

// Sheet returns the name of the sheet being read.
func (x *XLSX) Sheet() string { return x.sheet }

// Date1904 reports whether the workbook counts dates from 1904-01-01 (old
// Mac Excel) rather than from 1900: with RawNumbers, a date's serial must be
// read with the workbook's epoch.
func (x *XLSX) Date1904() bool { return x.date1904 }

// Close closes the workbook and removes excelize's temporary files. It is
// safe to call more than once.
func (x *XLSX) Close() error {
	if x.f == nil {
		return nil
	}
	var err error
	if x.rows != nil {
		err = x.rows.Close()
		x.rows = nil
	}
	if cerr := x.f.Close(); err == nil {
		err = cerr
	}
	x.f = nil
	return err
}
