package read

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// jsonFields extracts the columns' values from one object.
type jsonFields struct {
	cols   []string
	paths  [][]string
	top    map[string]json.RawMessage
	nested map[string]map[string]json.RawMessage // this record's decoded objects by path prefix
	buf    []byte
	ends   []int
	fields [][]byte
	tmp    bytes.Buffer
}

func newJSONFields(columns []string) *jsonFields {
	j := &jsonFields{cols: slices.Clone(columns), paths: make([][]string, len(columns))}
	for i, c := range columns {
		if strings.Contains(c, ".") {
			j.paths[i] = strings.Split(c, ".")
		}
	}
	return j
}

// extract sets j.fields from obj, or returns why it cannot.
func (j *jsonFields) extract(obj []byte) (malformed string) {
	obj = trimSpace(obj)
	if len(obj) == 0 || obj[0] != '{' {
		if err := json.Unmarshal(obj, new(json.RawMessage)); err != nil {
			return jsonProblem(err)
		}
		return "not a JSON object but " + jsonKind(obj)
	}
	clear(j.top)
	if j.top == nil {
		j.top = make(map[string]json.RawMessage, len(j.cols))
	}
	if err := json.Unmarshal(obj, &j.top); err != nil {
		return jsonProblem(err)
	}
	clear(j.nested)
	j.buf = j.buf[:0]
	j.ends = j.ends[:0]
	for i, c := range j.cols {
		v, ok := j.top[c]
		if !ok && j.paths[i] != nil {
			v, ok = j.lookup(j.paths[i])
		}
		if ok {
			j.buf = j.appendValue(j.buf, v)
		}
		j.ends = append(j.ends, len(j.buf))
	}
	j.fields = j.fields[:0]
	start := 0
	for _, end := range j.ends {
		j.fields = append(j.fields, j.buf[start:end:end])
		start = end
	}
	return ""
}

// lookup follows path through nested objects and arrays.
func (j *jsonFields) lookup(path []string) (json.RawMessage, bool) {
	v, ok := j.top[path[0]]
	for i := 1; ok && i < len(path); i++ {
		v = trimSpace(v)
		if len(v) == 0 {
			return nil, false
		}
		switch v[0] {
		case '{':
			prefix := strings.Join(path[:i], ".")
			m, err := j.object(prefix, v)
			if err != nil {
				return nil, false
			}
			v, ok = m[path[i]]
		case '[':
			n, err := strconv.Atoi(path[i])
			if err != nil || n < 0 {
				return nil, false
			}
			var a []json.RawMessage
			if json.Unmarshal(v, &a) != nil || n >= len(a) {
				return nil, false
			}
			v = a[n]
		default:
			return nil, false
		}
	}
	return v, ok
}

// object decodes a nested object once per record, as several columns
// ("victim.age", "victim.name") usually share it.
func (j *jsonFields) object(prefix string, v json.RawMessage) (map[string]json.RawMessage, error) {
	if m, ok := j.nested[prefix]; ok {
		return m, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(v, &m); err != nil {
		return nil, err
	}
	if j.nested == nil {
		j.nested = make(map[string]map[string]json.RawMessage)
	}
	j.nested[prefix] = m
	return m, nil
}

// appendValue appends v as field text.
func (j *jsonFields) appendValue(dst []byte, v json.RawMessage) []byte {
	v = trimSpace(v)
	if len(v) == 0 {
		return dst
	}
	switch v[0] {
	case '"':
		if bytes.IndexByte(v, '\\') < 0 && utf8.Valid(v) {
			return append(dst, v[1:len(v)-1]...)
		}
		var s string
		if json.Unmarshal(v, &s) != nil {
			return dst
		}
		return append(dst, s...)
	case 'n':
		return dst
	case '{', '[':
		j.tmp.Reset()
		if json.Compact(&j.tmp, v) != nil {
			return append(dst, v...)
		}
		return append(dst, j.tmp.Bytes()...)
	}
	return append(dst, v...)
}

func jsonKind(v []byte) string {
	switch v[0] {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	}
	return "a number"
}

func jsonProblem(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("invalid JSON at byte %d: %s", se.Offset, se.Error())
	}
	return "invalid JSON: " + err.Error()
}

// stripBOM returns a reader of r without a leading UTF-8 byte-order mark.
func stripBOM(r io.Reader) *bufio.Reader {
	br := bufio.NewReaderSize(r, 1<<16)
	if b, _ := br.Peek(len(utf8BOM)); bytes.Equal(b, utf8BOM) {
		br.Discard(len(utf8BOM))
	}
	return br
}

type jsonLines struct {
	records
	name    string
	r       *bufio.Reader
	fx      *jsonFields
	line    int64
	long    []byte
	err     error
	done    bool
	maxLine int
}

var _ Source = (*jsonLines)(nil)

// NewJSONLines reads JSON Lines from r: one object per line, each yielding
// the values of columns.
//
// A column names a top-level key; when the object has no key with exactly
// that name, a dotted column ("victim.age", "accused.0.name") is a path into
// nested objects, where a number indexes an array. Values become text so
// that layouts see one kind of input: strings as they are (unescaped),
// numbers as their JSON text (no float reformatting: "1e3" stays "1e3",
// "0.10" stays "0.10"), booleans "true" and "false", null or a missing key
// an empty field, arrays and objects compact JSON text.
//
// A line that
// is not a JSON object, or not UTF-8, or longer than DefaultMaxRecord, is a
// Malformed record and reading goes on with the next line; lines of only
// spaces are skipped. Raw is the line without its line ending.
func NewJSONLines(r io.Reader, columns []string) Source {
	j := &jsonLines{name: nameOf(r), r: stripBOM(r), fx: newJSONFields(columns), maxLine: DefaultMaxRecord}
	j.pull = j.next
	return j
}

func (j *jsonLines) Columns() []string { return j.fx.cols }
func (j *jsonLines) Err() error        { return j.err }

func (j *jsonLines) next(rec *record) bool {
	for !j.done {
		line, tooLong := j.readLine()
		if j.done && line == nil && !tooLong {
			break
		}
		j.line++
		if !tooLong && len(trimSpace(line)) == 0 {
			continue
		}
		*rec = record{line: j.line, raw: line}
		switch {
		case tooLong:
			rec.malformed = fmt.Sprintf("line longer than %d bytes", j.maxLine)
		default:
			if m := invalidUTF8(line); m != "" {
				rec.malformed = m
			} else if m := j.fx.extract(line); m != "" {
				rec.malformed = m
			} else {
				rec.fields = j.fx.fields
			}
		}
		return true
	}
	return false
}

// readLine returns the next line without its line ending; done is set at the
// end of input. A line over maxLine is cut to maxLine bytes, and the rest of
// it is skipped.
func (j *jsonLines) readLine() (line []byte, tooLong bool) {
	j.long = j.long[:0]
	for {
		b, err := j.r.ReadSlice('\n')
		if len(j.long)+len(b) > j.maxLine {
			if !tooLong {
				j.long = append(j.long, b[:j.maxLine-len(j.long)]...)
			}
			tooLong = true
		} else if !tooLong {
			j.long = append(j.long, b...)
		}
		switch {
		case err == nil:
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			j.done = true
			if len(j.long) == 0 && !tooLong {
				return nil, false
			}
		default:
			j.done = true
			j.err = fmt.Errorf("%s: %w", at(j.name, j.line+1), err)
			return nil, false
		}
		line = j.long
		if !tooLong {
			line = bytes.TrimSuffix(line, []byte{'\n'})
			line = bytes.TrimSuffix(line, []byte{'\r'})
		}
		return line, tooLong
	}
}

type jsonArray struct {
	records
	name    string
	fx      *jsonFields
	t       *lineTee
	dec     *json.Decoder
	elem    json.RawMessage
	started bool
	done    bool
	err     error
}

var _ Source = (*jsonArray)(nil)

// NewJSONArray reads one JSON array of objects from r, each yielding the
// values of columns as NewJSONLines does. It streams: only the
// current object and the decoder's read-ahead are in memory. Line is the
// line where the object starts and Raw its text as in the file. An element
// that is not an object is a Malformed record; a syntax error ends the
// stream with Err naming the line where the broken element starts.
func NewJSONArray(r io.Reader, columns []string) Source {
	j := &jsonArray{name: nameOf(r), fx: newJSONFields(columns)}
	j.t = &lineTee{r: stripBOM(r), line: 1}
	j.dec = json.NewDecoder(j.t)
	j.pull = j.next
	return j
}

func (j *jsonArray) Columns() []string { return j.fx.cols }
func (j *jsonArray) Err() error        { return j.err }

func (j *jsonArray) fail(off int64, format string, args ...any) bool {
	j.done = true
	j.err = fmt.Errorf("%s: %s", at(j.name, j.t.lineOf(off)), fmt.Sprintf(format, args...))
	return false
}

func (j *jsonArray) next(rec *record) bool {
	if j.done {
		return false
	}
	if !j.started {
		j.started = true
		tok, err := j.dec.Token()
		if errors.Is(err, io.EOF) {
			j.done = true
			return false
		}
		if err != nil {
			return j.fail(j.dec.InputOffset(), "not a JSON array: %v", err)
		}
		if tok != json.Delim('[') {
			return j.fail(j.dec.InputOffset(), "not a JSON array but %v (for one object per line, read it as JSON Lines)", tokenKind(tok))
		}
	}
	if !j.dec.More() {
		off := j.dec.InputOffset()
		tok, err := j.dec.Token()
		switch {
		case errors.Is(err, io.EOF):
			return j.fail(off, "unexpected end of input: the array is not closed with ]")
		case err != nil:
			return j.fail(off, "invalid JSON: %v", err)
		case tok != json.Delim(']'):
			return j.fail(off, "invalid JSON: unexpected %v", tok)
		}
		off = j.dec.InputOffset()
		if _, err := j.dec.Token(); !errors.Is(err, io.EOF) {
			return j.fail(off, "text after the array's closing ]")
		}
		j.done = true
		return false
	}
	before := j.dec.InputOffset()
	err := j.dec.Decode(&j.elem)
	start := j.t.valueStart(before)
	if err != nil {
		if errors.Is(err, io.EOF) || start == j.t.end() {
			return j.fail(start, "unexpected end of input: the array is not closed with ]")
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return j.fail(start, "unexpected end of input in the array element starting on this line")
		}
		return j.fail(start, "invalid JSON in the array element starting on this line: %v", err)
	}
	*rec = record{line: j.t.lineOf(start), raw: j.elem}
	j.t.forget(j.dec.InputOffset())
	if m := invalidUTF8(j.elem); m != "" {
		rec.malformed = m
	} else if m := j.fx.extract(j.elem); m != "" {
		rec.malformed = "array element " + m
	} else {
		rec.fields = j.fx.fields
	}
	return true
}

func tokenKind(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return "an object"
		}
		return "'" + t.String() + "'"
	case string:
		return "a string"
	case nil:
		return "null"
	case bool:
		return "a boolean"
	}
	return "a number"
}

// lineTee keeps the bytes the JSON decoder has read but whose lines have not
// been counted yet, so that an offset from InputOffset maps to a line.
// Counted bytes are dropped, so it holds about one element plus read-ahead.
type lineTee struct {
	r    io.Reader
	buf  []byte // input from offset base on
	base int64
	line int64 // line at base
}

func (t *lineTee) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.buf = append(t.buf, p[:n]...)
	return n, err
}

// end returns the offset just past the bytes read so far.
func (t *lineTee) end() int64 { return t.base + int64(len(t.buf)) }

// forget counts the lines before off and drops those bytes.
func (t *lineTee) forget(off int64) {
	k := min(max(off-t.base, 0), int64(len(t.buf)))
	t.line += int64(bytes.Count(t.buf[:k], []byte{'\n'}))
	t.buf = t.buf[k:]
	t.base += k
}

// lineOf returns the line of the byte at off, dropping the bytes before it.
func (t *lineTee) lineOf(off int64) int64 {
	t.forget(off)
	return t.line
}

// valueStart returns the offset of the first byte at or after off that is
// not a space or the comma between array elements.
func (t *lineTee) valueStart(off int64) int64 {
	t.forget(off)
	for i, c := range t.buf {
		if !isSpace(c) && c != ',' {
			return t.base + int64(i)
		}
	}
	return t.base + int64(len(t.buf))
}
