package read

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// writeGzip writes text, gzipped at the best compression, to a file.
func writeGzip(t *testing.T, name string, text []byte) string {
	t.Helper()
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write(text)
	zw.Close()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// csvText returns about n bytes of incident-like CSV, which compresses as
// real files do (under 20 times).
func csvText(n int) []byte {
	var b bytes.Buffer
	b.WriteString("incident_id,category,occurred_on,lat,lon\n")
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "FIR-%d,drug_trafficking,2023-%02d-%02d,%d.%04d,%d.%04d\n", i*7919%100003, i%12+1, i%28+1, 24+i%13, i*31%10000, 61+i%16, i*17%10000)
	}
	return b.Bytes()
}

func TestSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{1500, "1500B"},
		{64 << 10, "64KiB"},
		{10_000_000, "10MB"},
		{DefaultGzipBytes, "64GiB"},
		{64<<20 + 100<<10, "64.1MiB"},
		{3<<40 + 1, "3.0TiB"},
		{1500 << 10, "1500KiB"},
		{1_500_000_000, "1500MB"},
	}
	for _, tt := range tests {
		if got, want := Size(tt.n), tt.want; got != want {
			t.Errorf("Size(%d) = %q, want %q", tt.n, got, want)
		}
	}
}

func TestGzipLimits(t *testing.T) {
	defer func(n int64) { gzipRatioFloor = n }(gzipRatioFloor)
	gzipRatioFloor = 1 << 20
	zeros := make([]byte, 2<<20)
	text := csvText(2 << 20)
	tests := []struct {
		name  string
		text  []byte
		lim   Limits
		want  string // error; "" for none
		bytes int    // read before the error, or in all; -1 for the floor or gzipRatio times the file
	}{
		{"zeros past --max-bytes", zeros, Limits{MaxBytes: 64 << 10}, "read: input expands past a limit: it decompresses to more than 64KiB", 64 << 10},
		// Past the floor and 200 times the file (read at once): bytes -1.
		{"zeros past the ratio", zeros, Limits{}, "read: input expands past a limit: it decompresses to more than 200 times its compressed size, as a gzip bomb does (", -1},
		{"zeros within a raised --max-bytes", zeros, Limits{MaxBytes: 2 << 20}, "", 2 << 20},
		{"text past the floor", text, Limits{}, "", len(text)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := "text.gz"
			if tt.text[0] == 0 {
				name = "zeros.gz"
			}
			path := writeGzip(t, name, tt.text)
			f, err := OpenLimited(path, tt.lim)
			if err != nil {
				t.Fatal(err)
			}
			if tt.bytes < 0 {
				fi, _ := os.Stat(path)
				tt.bytes = int(max(gzipRatioFloor, gzipRatio*fi.Size()))
			}
			defer f.Close()
			n, err := io.Copy(io.Discard, f)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("error %v, want none", err)
				}
				if got, want := n, int64(tt.bytes); got != want {
					t.Errorf("read %d bytes, want %d", got, want)
				}
				return
			}
			if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want ErrTooLarge containing %q", err, tt.want)
			}
			// Reads stop within a buffer of the limit.
			if got, want := n, int64(tt.bytes); got > want || got < want-64<<10 {
				t.Errorf("read %d bytes before the error, want %d or up to 64 KiB less", got, want)
			}
		})
	}
}

// rezip copies the workbook at path to a new file, replacing or adding the
// parts in parts (name -> content), deflated.
func rezip(t *testing.T, path string, parts map[string][]byte) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := filepath.Join(t.TempDir(), "bomb.xlsx")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	write := func(name string, b []byte) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	for _, zf := range zr.File {
		if _, ok := parts[zf.Name]; ok {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		write(zf.Name, b)
	}
	for name, b := range parts {
		write(name, b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

// repeatedSheet returns a worksheet of a header row and rows identical but
// for nothing, n bytes or more: it deflates over 500 times.
func repeatedSheet(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		`<row><c t="inlineStr"><is><t>id</t></is></c></row>`)
	row := `<row><c t="inlineStr"><is><t>x</t></is></c></row>`
	b.WriteString(strings.Repeat(row, n/len(row)+1))
	b.WriteString(`</sheetData></worksheet>`)
	return b.Bytes()
}

func TestXLSXBombs(t *testing.T) {
	small := writeWorkbook(t)
	zeros := map[string][]byte{}
	for i := 0; i < 20; i++ {
		zeros[fmt.Sprintf("xl/media/zeros%d.bin", i)] = make([]byte, 1<<20)
	}
	ratioBomb := rezip(t, small, map[string][]byte{"xl/worksheets/sheet2.xml": repeatedSheet(2 << 20)})
	tests := []struct {
		name, path string
		lim        Limits
		want       string // error; "" for none
	}{
		{"a part's ratio", ratioBomb, Limits{}, "bomb.xlsx: read: input expands past a limit: part xl/worksheets/sheet2.xml unzips to 2.0MiB from "},
		{"the sum past --max-bytes", ratioBomb, Limits{MaxBytes: 1 << 20}, "bomb.xlsx: read: input expands past a limit: the workbook unzips to more than 1MiB"},
		{"within a raised --max-bytes", ratioBomb, Limits{MaxBytes: 4 << 20}, ""},
		// Each part is under the ratio's floor; together they are 20 MiB
		// from a few KiB.
		{"small parts together", rezip(t, small, zeros), Limits{}, "bomb.xlsx: read: input expands past a limit: the workbook unzips to 20.0MiB from "},
		{"an honest workbook", small, Limits{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckWorkbook(tt.path, tt.lim)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckWorkbook: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("CheckWorkbook: error %v, want ErrTooLarge containing %q", err, tt.want)
			}
			// NewXLSX checks before it unzips.
			_, err = NewXLSX(context.Background(), tt.path, "", XLSXOptions{Limits: tt.lim})
			if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewXLSX: error %v, want ErrTooLarge containing %q", err, tt.want)
			}
		})
	}
}

// TestXLSXCells checks the cell count, padding included: the header (row
// 3) has 4 cells; rows 4, 6, 7, 8, 9 and 10 have 4, 4, 2, 5, 5 and 4, so 28
// in all; row 12, 26.
func TestXLSXCells(t *testing.T) {
	path := writeWorkbook(t)
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// A stray cell in column Z pads row 12 to 26 cells.
	if err := f.SetCellValue("Seizures", "Z12", "stray"); err != nil {
		t.Fatal(err)
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	tests := []struct {
		name     string
		maxCells int64
		records  int
		want     string
	}{
		{"in the header", 3, 0, `sheet "Seizures" row 3: read: sheet past the cell limit: the sheet has more than 3 cells`},
		{"in row 8", 16, 3, `sheet "Seizures" row 8: read: sheet past the cell limit: the sheet has more than 16 cells`},
		{"the stray cell", 40, 6, `sheet "Seizures" row 12: read: sheet past the cell limit: the sheet has more than 40 cells`},
		{"enough", 100, 7, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := NewXLSX(context.Background(), path, "Seizures", XLSXOptions{HeaderRow: 3, Limits: Limits{MaxCells: tt.maxCells}})
			n := 0
			if err == nil {
				for src.Next() {
					n++
				}
				err = src.Err()
			}
			if got, want := n, tt.records; got != want {
				t.Errorf("%d records before the error, want %d", got, want)
			}
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("error %v", err)
			case tt.want != "" && (!errors.Is(err, ErrTooManyCells) || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error %v, want ErrTooLarge containing %q", err, tt.want)
			}
		})
	}
}

// TestXLSXCancel checks that a cancelled context stops a workbook before it
// is opened, and a sheet between rows.
func TestXLSXCancel(t *testing.T) {
	path := writeWorkbook(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewXLSX(ctx, path, "Seizures", XLSXOptions{HeaderRow: 3}); !errors.Is(err, context.Canceled) {
		t.Errorf("NewXLSX with a cancelled context: error %v, want context.Canceled", err)
	}

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	src, err := NewXLSX(ctx, path, "Seizures", XLSXOptions{HeaderRow: 3})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for src.Next() {
		n++
		cancel()
	}
	if got, want := n, 1; got != want {
		t.Errorf("%d records, want %d", got, want)
	}
	if err := src.Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

// TestGzipDamaged: a gzip file cut short (an interrupted download) or
// damaged says so in words, not as Go's "unexpected EOF".
func TestGzipDamaged(t *testing.T) {
	text := csvText(200 << 10)
	whole, err := os.ReadFile(writeGzip(t, "whole.gz", text))
	if err != nil {
		t.Fatal(err)
	}
	badSum := bytes.Clone(whole)
	badSum[len(badSum)-5] ^= 0xff // the CRC-32 of the trailer
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"cut short", whole[:len(whole)/2], "the gzip file ends too early"},
		{"trailer missing", whole[:len(whole)-8], "the gzip file ends too early"},
		{"wrong checksum", badSum, "the gzip file is damaged"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "firs.csv.gz")
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			_, err = io.Copy(io.Discard, f)
			if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want ErrDamaged containing %q", err, tt.want)
			}
		})
	}
}
