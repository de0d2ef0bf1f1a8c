package read

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/ocmap/ocmap/schemas"
)

// headerScanRows is how many rows of each sheet XLSXHeaderCells looks at:
// agency workbooks put a title and notes above the header, rarely more than
// a few rows.
const headerScanRows = 10

// XLSXHeaderCells returns the distinct texts of the non-empty cells in the
// first rows of every sheet of the workbook at path, so that a layout can be
// chosen by its match columns without knowing the header row. Rows that hold
// data rather than names are left out (see schemas.HeaderLike): the cells end up in
// error messages.
func XLSXHeaderCells(path string) ([]string, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable XLSX workbook: %w", path, err)
	}
	defer f.Close()
	seen := map[string]bool{}
	var out []string
	data := false // a row was left out as data
	for _, sheet := range f.GetSheetList() {
		rows, err := f.Rows(sheet)
		if err != nil {
			return nil, fmt.Errorf("%s: sheet %q: %w", path, sheet, err)
		}
		for i := 0; i < headerScanRows && rows.Next(); i++ {
			cells, err := rows.Columns()
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("%s: sheet %q row %d: %w", path, sheet, i+1, err)
			}
			data = !addNames(cells, seen, &out) || data
		}
		rows.Close()
	}
	if len(out) == 0 && data {
		return nil, fmt.Errorf("%s: %w: the first rows (up to %d) of its sheets name no columns: they hold data (numbers, dates, codes)", path, ErrNoHeader, headerScanRows)
	}
	return out, nil
}

// JSONKeys returns the keys of the first object in r, a JSON Lines file or
// a JSON array of objects, with nested objects' keys as dotted paths
// ("complainant.district", as NewJSONLines reads them), sorted. Keys that
// look like data (see schemas.HeaderLike) are left out. Only the first
// DefaultMaxRecord bytes of the object are read.
func JSONKeys(r io.Reader) ([]string, error) {
	br := stripBOM(io.LimitReader(r, DefaultMaxRecord))
	var obj map[string]json.RawMessage
	for {
		c, err := br.ReadByte()
		if err != nil {
			return nil, fmt.Errorf("%s: no JSON object: %w", nameOf(r), err)
		}
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			continue
		}
		if c == '[' {
			if c, err := skipSpace(br); err == nil && c == ']' {
				return nil, nil // an empty array: no records, no keys
			}
			br.UnreadByte()
			dec := json.NewDecoder(br)
			if err := dec.Decode(&obj); err != nil {
				return nil, fmt.Errorf("%s: first element: %s", nameOf(r), jsonProblem(err))
			}
			break
		}
		br.UnreadByte()
		line, err := br.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return nil, err
		}
		if err := json.Unmarshal(bytes.TrimSpace(line), &obj); err != nil {
			return nil, fmt.Errorf("%s: first line: %s", nameOf(r), jsonProblem(err))
		}
		break
	}
	var keys []string
	flattenKeys("", obj, &keys)
	out := keys[:0]
	for _, k := range keys {
		if schemas.HeaderLike(k) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out, nil
}

// skipSpace returns the next byte of br that is not JSON white space.
func skipSpace(br *bufio.Reader) (byte, error) {
	for {
		c, err := br.ReadByte()
		if err != nil || c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return c, err
		}
	}
}

func flattenKeys(prefix string, obj map[string]json.RawMessage, out *[]string) {
	for k, v := range obj {
		*out = append(*out, prefix+k)
		var sub map[string]json.RawMessage
		if v = bytes.TrimSpace(v); len(v) > 0 && v[0] == '{' && json.Unmarshal(v, &sub) == nil {
			flattenKeys(prefix+k+".", sub, out)
		}
	}
}

// DelimitedHeaderCells returns the distinct non-empty fields of the first
// records of a delimited text, split on each of commas, tabs and
// semicolons, so that a layout can be chosen by its match columns without
// knowing the header row or the delimiter. Records are read leniently
// (quotes inside fields allowed, any number of fields): the result only
// decides which layout reads the file. Records that hold data rather than
// names are left out (see schemas.HeaderLike): the cells end up in error messages.
// Lines ending in CR only are split too, so that such a file finds its
// layout, which then says what is wrong with the line endings.
func DelimitedHeaderCells(sample []byte) []string {
	if bytes.IndexByte(sample, '\n') < 0 {
		sample = bytes.ReplaceAll(sample, []byte{'\r'}, []byte{'\n'})
	}
	seen := map[string]bool{}
	var out []string
	for _, comma := range []rune{',', '\t', ';'} {
		r := csv.NewReader(bytes.NewReader(sample))
		r.Comma, r.LazyQuotes, r.FieldsPerRecord = comma, true, -1
		for i := 0; i < headerScanRows; i++ {
			rec, err := r.Read()
			if err != nil {
				break
			}
			addNames(rec, seen, &out)
		}
	}
	return out
}

// addNames appends the distinct non-empty cells of one record to out, unless
// a cell looks like data: then the record is a row of data, not names, and
// addNames returns false.
func addNames(cells []string, seen map[string]bool, out *[]string) bool {
	for i, c := range cells {
		cells[i] = strings.TrimSpace(strings.ReplaceAll(c, "\ufeff", ""))
		if !schemas.HeaderLike(cells[i]) {
			return false
		}
	}
	for _, c := range cells {
		if c != "" && !seen[c] {
			seen[c] = true
			*out = append(*out, c)
		}
	}
	return true
}
