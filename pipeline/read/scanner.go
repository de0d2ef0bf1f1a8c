package read

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultMaxRecord bounds one record's size. A longer record almost always
// means an unclosed quote swallowing the rest of the file, or a file that is
// not text at all.
const DefaultMaxRecord = 1 << 20

const chunkSize = 1 << 20

// keptOfLong is how much of an over-long line a record keeps as its raw text:
// enough to recognise the line, not enough to fill the memory.
const keptOfLong = 1 << 10

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Scanner reads delimited records from r. Fields and Raw are views valid only
// until the next call to Next.
type Scanner struct {
	r         io.Reader
	comma     byte
	maxRecord int

	buf        []byte
	pos, end   int // unread data is buf[pos:end]
	eof        bool
	err        error
	line       int64 // line number of buf[pos]
	started    bool
	lineEnding []byte

	recLine   int64
	raw       []byte
	fields    [][]byte
	spans     []span
	unquoted  []byte // storage for quoted fields with their quotes removed
	cleaned   []byte // storage for fields with U+FEFF removed
	long      []byte // the kept start of an over-long line
	malformed string
	names     []string
	blank     int64
}

// span locates one field: in buf (quoted=false) or in unquoted (quoted=true).
type span struct {
	start, end int
	quoted     bool
}

// NewScanner returns a Scanner for comma-separated records.
func NewScanner(r io.Reader) *Scanner {
	return &Scanner{r: r, comma: ',', maxRecord: DefaultMaxRecord, line: 1}
}

// SetComma sets the field delimiter (',' by default; '\t' for TSV).
func (s *Scanner) SetComma(c byte) { s.comma = c }

// SetMaxRecord sets the largest record accepted, in bytes. A longer line is
// one Malformed record that keeps only its first bytes as Raw; the rest of it
// is skipped without being held in memory.
func (s *Scanner) SetMaxRecord(n int) { s.maxRecord = max(n, 1) }

// SetNames gives the header's column names, so that reasons name a field by
// its column rather than by its position.
func (s *Scanner) SetNames(names []string) { s.names = names }

// Blank returns how many lines were skipped so far as blank: empty lines and
// records whose every field is empty or spaces, such as ",,,".
func (s *Scanner) Blank() int64 { return s.blank }

// Line returns the line on which the current record starts (1-based).
func (s *Scanner) Line() int64 { return s.recLine }

// Fields returns the current record's fields, unquoted.
func (s *Scanner) Fields() [][]byte { return s.fields }

// Raw returns the current record's text as read, without its line ending.
func (s *Scanner) Raw() []byte { return s.raw }

// Malformed says why the current record could not be split into fields, or
// returns "" for a well-formed record. A malformed record has no fields.
func (s *Scanner) Malformed() string { return s.malformed }

// Err returns the first read error other than io.EOF.
func (s *Scanner) Err() error { return s.err }

// fill reads more input, keeping buf[keep:end]. It reports whether new
// bytes arrived. keep is moved to the front of the buffer.
func (s *Scanner) fill(keep int) bool {
	if s.eof || s.err != nil {
		return false
	}
	if keep > 0 {
		n := copy(s.buf, s.buf[keep:s.end])
		s.pos -= keep
		s.end = n
	}
	if s.end == len(s.buf) {
		size := 2 * len(s.buf)
		if size < chunkSize {
			size = chunkSize
		}
		nb := make([]byte, size)
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			if errors.Is(err, io.EOF) {
				s.eof = true
			} else {
				s.err = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
}

// Next advances to the next record, skipping blank lines and records with
// every field blank (counted by Blank). It returns false at the end of input
// or on a read error.
//
// Fields are cleaned as they are split: U+FEFF (a byte-order mark left in the
// middle of concatenated files) is removed, and a field holding a control
// character other than tab, CR and LF (such as NUL) makes the record
// Malformed, naming the field: "Lah\x00ore" must not pass for Lahore.
func (s *Scanner) Next() bool {
	if !s.started {
		s.started = true
		for s.end < len(utf8BOM) && s.fill(0) {
		}
		if bytes.HasPrefix(s.buf[s.pos:s.end], utf8BOM) {
			s.pos += len(utf8BOM)
		}
	}
	for {
		if !s.next() {
			return false
		}
		if s.malformed == "" {
			s.clean()
			if s.malformed == "" && isBlank(s.fields) {
				s.blank += s.line - s.recLine
				continue
			}
		}
		return true
	}
}

// next reads one record, blank or not.
func (s *Scanner) next() bool {
	for {
		if s.pos >= s.end && !s.fill(s.pos) {
			return false
		}
		// Skip blank lines: they carry no data and are not rows.
		c := s.buf[s.pos]
		if c == '\n' {
			s.pos++
			s.line++
			s.blank++
			continue
		}
		if c == '\r' && s.pos+1 == s.end && s.fill(s.pos) {
			continue
		}
		if c == '\r' && s.pos+1 < s.end && s.buf[s.pos+1] == '\n' {
			s.pos += 2
			s.line++
			s.blank++
			continue
		}
		break
	}
	s.recLine = s.line
	s.malformed = ""
	for {
		ok, more := s.parse()
		if ok {
			return true
		}
		if !more {
			// Out of input: an unterminated record at EOF.
			s.malformedLine("unclosed quote: the field's closing quote is missing")
			return true
		}
		if s.end-s.pos >= s.maxRecord {
			s.malformedLine(fmt.Sprintf("record longer than %d bytes (unclosed quote?)", s.maxRecord))
			return true
		}
		if !s.fill(s.pos) {
			if s.err != nil {
				return false
			}
			// EOF arrived without new bytes: parse again knowing it.
		}
	}
}

// clean removes U+FEFF from the fields and rejects control characters.
func (s *Scanner) clean() {
	ctl, bom := scanText(s.raw)
	if ctl < 0 && !bom {
		return
	}
	if ctl >= 0 {
		for i, f := range s.fields {
			if j := firstControl(f); j >= 0 {
				s.malformed = controlReason(s.fieldName(i), f[j])
				s.fields = s.fields[:0]
				return
			}
		}
	}
	if bom {
		s.cleaned = s.cleaned[:0]
		for i, f := range s.fields {
			if bytes.Contains(f, utf8BOM) {
				start := len(s.cleaned)
				s.cleaned = appendWithoutBOM(s.cleaned, f)
				s.fields[i] = s.cleaned[start:len(s.cleaned):len(s.cleaned)]
			}
		}
	}
}

// fieldName names field i (0-based) for a reason.
func (s *Scanner) fieldName(i int) string {
	if i < len(s.names) && s.names[i] != "" {
		return fmt.Sprintf("column %q", s.names[i])
	}
	return fmt.Sprintf("field %d", i+1)
}

// malformedLine makes the current record the first physical line at pos and
// resumes after it; a line longer than maxRecord is cut (see skipLong).
func (s *Scanner) malformedLine(reason string) {
	data := s.buf[s.pos:s.end]
	n := bytes.IndexByte(data, '\n')
	next := n + 1
	if n < 0 && s.eof {
		n, next = len(data), len(data)
	}
	if n < 0 || n > s.maxRecord {
		s.skipLong()
		return
	}
	s.raw = trimCR(data[:n])
	s.fields = s.fields[:0]
	s.malformed = reason
	s.pos += next
	s.line++
}

// skipLong makes the current record the physical line at pos, which is
// longer than maxRecord: Raw keeps its first keptOfLong bytes and the rest is
// read past in constant memory, so one line of any length is one record and
// the lines after it keep their numbers.
func (s *Scanner) skipLong() {
	keep := min(s.end-s.pos, keptOfLong, s.maxRecord)
	s.long = append(s.long[:0], s.buf[s.pos:s.pos+keep]...)
	if i := bytes.IndexByte(s.long, '\n'); i >= 0 {
		s.long = s.long[:i]
	}
	for {
		if i := bytes.IndexByte(s.buf[s.pos:s.end], '\n'); i >= 0 {
			s.pos += i + 1
			break
		}
		s.pos = s.end
		if !s.fill(s.pos) {
			break
		}
	}
	s.raw = trimCR(cutNumber(s.long))
	s.fields = s.fields[:0]
	s.malformed = fmt.Sprintf("line longer than %d bytes (not a text file, or a record that never ends?); its text is cut to the first %d bytes", s.maxRecord, len(s.raw))
	s.line++
}

// cutNumber drops from the end of b, a line's text cut short, the digits
// and separators of a number the cut went through (and a rune it split):
// the first 11 digits of a CNIC are not found by schemas.Scrub, yet all but
// name the person.
func cutNumber(b []byte) []byte {
	for len(b) > 0 {
		r, size := utf8.DecodeLastRune(b)
		if r == utf8.RuneError && size <= 1 || unicode.IsDigit(r) || unicode.Is(unicode.Pd, r) ||
			unicode.IsSpace(r) || strings.ContainsRune("()+.", r) {
			b = b[:len(b)-size]
			continue
		}
		break
	}
	return b
}

// parse tries to split one record starting at pos. ok means a record (maybe
// malformed) was produced; otherwise more says whether reading more input
// could complete it.
func (s *Scanner) parse() (ok, more bool) {
	data := s.buf[s.pos:s.end]
	nl := bytes.IndexByte(data, '\n')
	lineLen := nl
	if nl < 0 {
		if !s.eof {
			return false, true
		}
		lineLen = len(data)
	}
	if lineLen > s.maxRecord {
		s.skipLong()
		return true, false
	}
	line := data[:lineLen]
	if bytes.IndexByte(line, '"') < 0 {
		// Fast path: one physical line without quotes.
		line = trimCR(line)
		s.raw = line
		s.fields = s.fields[:0]
		for {
			i := bytes.IndexByte(line, s.comma)
			if i < 0 {
				s.fields = append(s.fields, line)
				break
			}
			s.fields = append(s.fields, line[:i])
			line = line[i+1:]
		}
		s.advance(lineLen, 1)
		return true, false
	}
	return s.parseQuoted(data)
}

// advance consumes n bytes (plus the newline when present) spanning lines.
func (s *Scanner) advance(n int, lines int64) {
	s.pos += n
	if s.pos < s.end && s.buf[s.pos] == '\n' {
		s.pos++
	}
	s.line += lines
}

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}

// parseQuoted is the general state machine for records with quotes, which
// may span several physical lines.
func (s *Scanner) parseQuoted(data []byte) (ok, more bool) {
	s.spans = s.spans[:0]
	s.unquoted = s.unquoted[:0]
	i := 0
	n := len(data)
	for {
		if i < n && data[i] == '"' {
			// Quoted field: runs to the next quote not followed by a quote.
			i++
			// Common case: no doubled quote inside, so the field is a view
			// into the buffer, with nothing to copy.
			if j := bytes.IndexByte(data[i:], '"'); j >= 0 && i+j+1 < n && data[i+j+1] != '"' {
				s.spans = append(s.spans, span{s.pos + i, s.pos + i + j, false})
				i += j + 1
				goto afterQuote
			}
			{
				start := len(s.unquoted)
				for {
					j := bytes.IndexByte(data[i:], '"')
					if j < 0 {
						return false, !s.eof
					}
					s.unquoted = append(s.unquoted, data[i:i+j]...)
					i += j + 1
					if i < n && data[i] == '"' {
						s.unquoted = append(s.unquoted, '"')
						i++
						continue
					}
					if i == n && !s.eof {
						return false, true
					}
					break
				}
				s.spans = append(s.spans, span{start, len(s.unquoted), true})
			}
		afterQuote:
			switch {
			case i == n:
				return s.finish(data, n, n), false
			case data[i] == s.comma:
				i++
				if i == n {
					if !s.eof {
						return false, true
					}
					s.spans = append(s.spans, span{})
					return s.finish(data, n, n), false
				}
			case data[i] == '\n':
				return s.finish(data, i, i), false
			case data[i] == '\r' && i+1 < n && data[i+1] == '\n':
				return s.finish(data, i, i+1), false
			case data[i] == '\r' && i+1 == n && !s.eof:
				return false, true
			default:
				s.malformedLine(fmt.Sprintf("field %d: text after the closing quote", len(s.spans)))
				return true, false
			}
			continue
		}
		// Unquoted field: runs to the delimiter or the end of the line. A quote
		// inside it is taken literally, as spreadsheets write it.
		j := i
		for j < n && data[j] != s.comma && data[j] != '\n' {
			j++
		}
		if j == n && !s.eof {
			return false, true
		}
		end := j
		if (j == n || data[j] == '\n') && end > i && data[end-1] == '\r' {
			end--
		}
		s.spans = append(s.spans, span{s.pos + i, s.pos + end, false})
		if j == n {
			return s.finish(data, n, n), false
		}
		if data[j] == '\n' {
			return s.finish(data, end, j), false
		}
		i = j + 1
	}
}

// finish sets the record from spans: raw is data[:rawEnd] and the record
// consumed data[:consumed] plus a newline at consumed if present.
func (s *Scanner) finish(data []byte, rawEnd, consumed int) bool {
	if consumed > s.maxRecord {
		s.malformedLine(fmt.Sprintf("record longer than %d bytes (unclosed quote?)", s.maxRecord))
		return true
	}
	s.raw = data[:rawEnd]
	s.fields = s.fields[:0]
	for _, sp := range s.spans {
		if sp.quoted {
			s.fields = append(s.fields, s.unquoted[sp.start:sp.end:sp.end])
		} else {
			s.fields = append(s.fields, s.buf[sp.start:sp.end:sp.end])
		}
	}
	lines := int64(bytes.Count(data[:consumed], []byte{'\n'})) + 1
	s.advance(consumed, lines)
	return true
}
