package read

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// Source yields records whose fields align with Columns(). Fields/Raw are views valid until the next Next.
//
// Every source keeps one contract, so that normalization never cares about
// the format: a record is either well formed, with exactly len(Columns())
// fields, or Malformed, with no fields and the reason. Empty lines and rows
// with no cell filled are not records. Line numbers are 1-based and count
// physical lines (rows for XLSX), so they match what a text editor or a
// spreadsheet shows.
//
// Sources with a footer option also have Dropped() []Dropped.
type Source interface {
	Columns() []string // header names as found (trimmed)
	Next() bool
	Fields() [][]byte  // UTF-8
	Line() int64       // 1-based line (CSV/JSONL) or row (XLSX) of the record in the file
	Raw() []byte       // the record's text as read (for CSV: the line(s); JSONL: the line; XLSX: cells joined by tabs)
	Malformed() string // non-empty: why the record could not be split (no fields then)
	Err() error
}

// Origins is a Source whose records come from several files (a folder of
// Parquet files read as one input): Line numbers the records across the
// files, as the lineage of the input's rows, and Origin names the file of
// the current record and its line or row there, for a reader to find it.
type Origins interface {
	Origin() (file string, line int64)
}

var (
	// ErrNoHeader is returned when the header is missing, empty or unreadable.
	ErrNoHeader = errors.New("read: no header")
	// ErrUnknownSheet is returned for a sheet name the workbook does not have.
	ErrUnknownSheet = errors.New("read: unknown sheet")
	// ErrUnknownEncoding is returned for an encoding name Decode does not know.
	ErrUnknownEncoding = errors.New("read: unknown encoding")
	// ErrOptions is returned for invalid options, such as a negative footer.
	ErrOptions = errors.New("read: invalid options")
)

// Dropped is a record a source left out by design (a footer such as a
// totals row), kept so that the caller can show what was not ingested.
type Dropped struct {
	Line int64
	Raw  string
}

// record is a view of one record; its slices belong to whoever filled it.
type record struct {
	line      int64
	raw       []byte
	fields    [][]byte
	malformed string
}

// held is a copy of a record that survives the reader's next step.
type held struct {
	record
	buf []byte
}

func (h *held) copyFrom(r *record) {
	h.buf = append(h.buf[:0], r.raw...)
	for _, f := range r.fields {
		h.buf = append(h.buf, f...)
	}
	n := len(r.raw)
	h.raw = h.buf[:n:n]
	h.fields = h.fields[:0]
	for _, f := range r.fields {
		h.fields = append(h.fields, h.buf[n:n+len(f):n+len(f)])
		n += len(f)
	}
	h.line, h.malformed = r.line, r.malformed
}

// records implements the record half of Source for the format readers: pull
// fills in the next record, and records holds back the last keep records so
// that a footer is dropped while streaming, with only keep copies in memory.
type records struct {
	pull func(*record) bool
	keep int

	cur         record
	in          record
	ring        []held
	head, count int
	out         bool // ring[head] is the record handed out
	dropped     []Dropped
}

func (b *records) Next() bool {
	if b.keep == 0 {
		if !b.pull(&b.cur) {
			b.cur = record{}
			return false
		}
		return true
	}
	if b.ring == nil {
		b.ring = make([]held, b.keep+1)
	}
	if b.out {
		b.head = (b.head + 1) % len(b.ring)
		b.count--
		b.out = false
	}
	for b.count <= b.keep {
		if !b.pull(&b.in) {
			b.cur = record{}
			if b.dropped == nil {
				b.dropped = make([]Dropped, 0, b.count)
				for i := 0; i < b.count; i++ {
					h := &b.ring[(b.head+i)%len(b.ring)]
					b.dropped = append(b.dropped, Dropped{h.line, string(h.raw)})
				}
			}
			return false
		}
		b.ring[(b.head+b.count)%len(b.ring)].copyFrom(&b.in)
		b.count++
	}
	b.cur = b.ring[b.head].record
	b.out = true
	return true
}

func (b *records) Fields() [][]byte  { return b.cur.fields }
func (b *records) Line() int64       { return b.cur.line }
func (b *records) Raw() []byte       { return b.cur.raw }
func (b *records) Malformed() string { return b.cur.malformed }

// Dropped returns the footer records left out, once Next has returned false.
func (b *records) Dropped() []Dropped { return b.dropped }

// FooterLines returns the lines (a sheet's rows) of the footer records src
// left out, once it has been read to its end: a file exported without its
// totals row loses its last incident that way, so callers show them. It is
// nil for a source without a footer.
func FooterLines(src any) []int64 {
	d, ok := src.(interface{ Dropped() []Dropped })
	if !ok {
		return nil
	}
	var lines []int64
	for _, r := range d.Dropped() {
		lines = append(lines, r.Line)
	}
	return lines
}

// nameOf returns the file name behind r, such as a *File's path, or "".
func nameOf(r io.Reader) string {
	if n, ok := r.(interface{ Name() string }); ok {
		return n.Name()
	}
	return ""
}

// at prefixes a message with "file:line", or "line N" when the name is unknown.
func at(name string, line int64) string {
	if name == "" {
		return fmt.Sprintf("line %d", line)
	}
	return fmt.Sprintf("%s:%d", name, line)
}

// prefix returns "name: " or "".
func prefix(name string) string {
	if name == "" {
		return ""
	}
	return name + ": "
}

// invalidUTF8 says where b stops being UTF-8, or returns "" when it is valid.
func invalidUTF8(b []byte) string {
	if utf8.Valid(b) {
		return ""
	}
	i := firstInvalid(b)
	return fmt.Sprintf("text is not valid UTF-8 (byte 0x%02X at column %d); declare the file's encoding, such as windows-1252", b[i], i+1)
}

// firstInvalid returns the offset of the first byte of b that is not part of
// a UTF-8 sequence, or -1.
func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// isBlank reports whether every field is empty or spaces.
func isBlank(fields [][]byte) bool {
	for _, f := range fields {
		if len(trimSpace(f)) > 0 {
			return false
		}
	}
	return true
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// Masks for scanning eight bytes at a time.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// scanText returns the offset of the first byte of b that is a control
// character (C0) other than tab, CR and LF, or -1; and whether b holds U+FEFF
// (EF BB BF). It skips printable ASCII eight bytes at a time: most
// records are that, and the rest is looked at byte by byte.
func scanText(b []byte) (ctl int, bom bool) {
	from := 0
	if n := len(b); n >= 8 {
		for from < n-8 && plain(binary.LittleEndian.Uint64(b[from:])) {
			from += 8
		}
		if from >= n-8 {
			// The last eight bytes, overlapping those already seen.
			if plain(binary.LittleEndian.Uint64(b[n-8:])) {
				return -1, false
			}
			from = n - 8
		}
	}
	ctl = -1
	for j := from; j < len(b); j++ {
		c := b[j]
		if c < 0x20 {
			if isControl(c) && ctl < 0 {
				ctl = j
			}
		} else if c == 0xEF && bytes.HasPrefix(b[j:], utf8BOM) {
			bom = true
		}
	}
	return ctl, bom
}

// plain reports whether the eight bytes of x are all ASCII from 0x20 on.
func plain(x uint64) bool { return ((x-0x20*ones)|x)&highs == 0 }

// isControl reports a C0 control character other than tab, CR and LF, which
// a field of text never holds (CR and LF can be inside quoted fields).
func isControl(c byte) bool {
	return c < 0x20 && c != '\t' && c != '\r' && c != '\n'
}

// firstControl returns the offset of the first control character in b, or -1.
func firstControl(b []byte) int {
	for i, c := range b {
		if isControl(c) {
			return i
		}
	}
	return -1
}

// controlReason says that field holds control character c.
func controlReason(field string, c byte) string {
	name := ""
	if c == 0 {
		name = " (NUL)"
	}
	return fmt.Sprintf("%s holds the control character 0x%02X%s, which is not text: the file may be damaged, or UTF-16 read as UTF-8", field, c, name)
}

// appendWithoutBOM appends f to dst without any U+FEFF.
func appendWithoutBOM(dst, f []byte) []byte {
	for {
		i := bytes.Index(f, utf8BOM)
		if i < 0 {
			return append(dst, f...)
		}
		dst = append(dst, f[:i]...)
		f = f[i+len(utf8BOM):]
	}
}
