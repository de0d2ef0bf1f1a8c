package read

import (
	"fmt"
	"io"
	"strings"

	"github.com/ocmap/ocmap/schemas"
)

// CSVOptions configure NewCSV. The zero value reads comma-separated text
// with the header on line 1.
type CSVOptions struct {
	Comma      byte // field delimiter; 0 means ','
	HeaderRow  int  // 1-based line of the header; 0 means 1. Lines before it are skipped.
	FooterRows int  // drop the last N records (totals, notes); only N records are held in memory
}

type csvSource struct {
	records
	sc   *Scanner
	name string
	cols []string
}

var _ Source = (*csvSource)(nil)

// NewCSV reads delimited text from r, which should already be UTF-8 (see
// Decode). The header is read at once; its errors name the line. Empty
// lines and records whose fields are all empty or spaces, such as ",,,", are
// never records (the Scanner skips them; Blank counts them).
//
// A record whose field count differs from the header's is Malformed, except
// that extra trailing fields that are empty are dropped. Footer records are
// counted after blank records are skipped, so a footer of 1 is the last
// record with data; Dropped returns them once Next has returned false.
//
// When r has a Name method (a *File, an *os.File, or Decode's result on
// one), errors start with that name.
func NewCSV(r io.Reader, opt CSVOptions) (Source, error) {
	if opt.HeaderRow < 0 || opt.FooterRows < 0 {
		return nil, fmt.Errorf("%w: header row %d, footer rows %d", ErrOptions, opt.HeaderRow, opt.FooterRows)
	}
	header := int64(opt.HeaderRow)
	if header == 0 {
		header = 1
	}
	s := &csvSource{sc: NewScanner(r), name: nameOf(r)}
	if opt.Comma != 0 {
		s.sc.SetComma(opt.Comma)
	}
	s.pull = s.next
	s.keep = opt.FooterRows

	var found bool
	for s.sc.Next() {
		if s.sc.Line() < header {
			continue
		}
		found = true
		break
	}
	if err := s.sc.Err(); err != nil {
		return nil, fmt.Errorf("%sreading the header: %w", prefix(s.name), err)
	}
	if !found {
		if s.sc.line > header {
			return nil, fmt.Errorf("%s: %w: the header line is empty", at(s.name, header), ErrNoHeader)
		}
		return nil, fmt.Errorf("%s%w: the file ends before line %d", prefix(s.name), ErrNoHeader, header)
	}
	if line := s.sc.Line(); line != header {
		return nil, fmt.Errorf("%s: %w: the line is blank or inside a quoted field (the next record starts on line %d)",
			at(s.name, header), ErrNoHeader, line)
	}
	if m := s.sc.Malformed(); m != "" {
		return nil, fmt.Errorf("%s: %w: %s", at(s.name, header), ErrNoHeader, m)
	}
	if m := invalidUTF8(s.sc.Raw()); m != "" {
		return nil, fmt.Errorf("%s: %w: header %s", at(s.name, header), ErrNoHeader, m)
	}
	if schemas.CROnly(s.sc.Raw()) {
		return nil, fmt.Errorf("%s: %w: %s", at(s.name, header), ErrNoHeader, schemas.CROnlyReason)
	}
	fields := schemas.TrimTrailingEmpty(s.sc.Fields(), 1)
	s.cols = make([]string, len(fields))
	for i, f := range fields {
		s.cols[i] = strings.TrimSpace(string(f))
	}
	s.sc.SetNames(s.cols)
	return s, nil
}

func (s *csvSource) next(r *record) bool {
	for s.sc.Next() {
		*r = record{line: s.sc.Line(), raw: s.sc.Raw()}
		if m := s.sc.Malformed(); m != "" {
			r.malformed = m
			return true
		}
		fields := s.sc.Fields()
		if m := invalidUTF8(r.raw); m != "" {
			r.malformed = m
			return true
		}
		fields = schemas.TrimTrailingEmpty(fields, len(s.cols))
		if len(fields) != len(s.cols) {
			r.malformed = fmt.Sprintf("has %d fields, the header has %d", len(fields), len(s.cols))
			return true
		}
		r.fields = fields
		return true
	}
	return false
}

func (s *csvSource) Columns() []string { return s.cols }

// Blank returns how many blank lines were skipped so far (see Scanner.Blank).
func (s *csvSource) Blank() int64 { return s.sc.Blank() }

func (s *csvSource) Err() error {
	if err := s.sc.Err(); err != nil {
		return fmt.Errorf("%s%w", prefix(s.name), err)
	}
	return nil
}
