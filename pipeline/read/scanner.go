package read

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxRecord bounds one record's size. A longer record almost always
// means an unclosed quote swallowing the rest of the file.
const DefaultMaxRecord = 1 << 20

const chunkSize = 1 << 20

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
	malformed string
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

// SetMaxRecord sets the largest record accepted, in bytes.
func (s *Scanner) SetMaxRecord(n int) { s.maxRecord = n }

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

// Next advances to the next record, skipping blank lines. It returns false
// at the end of input or on a read error.
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
		if s.pos >= s.end && !s.fill(s.pos) {
			return false
		}
		// Skip blank lines: they carry no data and are not rows.
		c := s.buf[s.pos]
		if c == '\n' {
			s.pos++
			s.line++
			continue
		}
		if c == '\r' && s.pos+1 == s.end && s.fill(s.pos) {
			continue
		}
		if c == '\r' && s.pos+1 < s.end && s.buf[s.pos+1] == '\n' {
			s.pos += 2
			s.line++
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

// malformedLine makes the current record the first physical line at pos and
// resumes after it.
func (s *Scanner) malformedLine(reason string) {
	data := s.buf[s.pos:s.end]
	n := bytes.IndexByte(data, '\n')
	next := len(data)
	if n >= 0 {
		next = n + 1
	} else {
		n = len(data)
	}
	s.raw = trimCR(data[:n])
	s.fields = s.fields[:0]
	s.malformed = reason
	s.pos += next
	s.line++
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
