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
	nested map[string]nestedObject // this record's decoded objects by path prefix
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
	if topLevelKeys(obj) != len(j.top) {
		if m := j.conflict(obj); m != "" {
			return m
		}
	}
	clear(j.nested)
	j.buf = j.buf[:0]
	j.ends = j.ends[:0]
	for i, c := range j.cols {
		v, ok := j.top[c]
		if !ok && j.paths[i] != nil {
			var problem string
			if v, ok, problem = j.lookup(j.paths[i]); problem != "" {
				return problem
			}
		}
		if ok {
			j.buf = j.appendValue(j.buf, v)
		}
		j.ends = append(j.ends, len(j.buf))
	}
	j.fields = j.fields[:0]
	start := 0
	for i, end := range j.ends {
		f := j.buf[start:end:end]
		start = end
		// As in CSV: U+FEFF goes, control characters ("\u0000") reject.
		if ctl, bom := scanText(f); ctl >= 0 {
			return controlReason(fmt.Sprintf("column %q", j.cols[i]), f[ctl])
		} else if bom {
			f = appendWithoutBOM(f[:0], f)
		}
		j.fields = append(j.fields, f)
	}
	return ""
}

// topLevelKeys counts the keys of obj, a valid JSON object, repeated ones
// included: the colons outside strings at depth 1. Unmarshal keeps the
// last value of a repeated key, so a record with fewer keys in j.top than
// this repeats one.
func topLevelKeys(obj []byte) int {
	n, depth, inString := 0, 0, false
	for i := 0; i < len(obj); i++ {
		c := obj[i]
		switch {
		case inString:
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
		case c == ':' && depth == 1:
			n++
		}
	}
	return n
}

// conflict says why a record that repeats a key cannot be read: a column
// (or the first key of a dotted column) given twice with different
// values, since which one the agency meant is unknown. Keys no column
// reads, and a key repeated with the same value, do not matter. The values
// are not shown: they can be personal.
func (j *jsonFields) conflict(obj []byte) string {
	for _, k := range repeated(obj) {
		if j.reads(k) {
			return repeatedKey(k)
		}
	}
	return ""
}

func repeatedKey(k string) string {
	return fmt.Sprintf("key %s is given twice with different values: which one is meant is unclear", strconv.Quote(k))
}

// repeated lists the keys obj, a valid JSON object, gives twice or more
// with different values.
func repeated(obj []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if _, err := dec.Token(); err != nil { // '{'
		return nil
	}
	first := map[string]json.RawMessage{}
	var out []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return out
		}
		key, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return out
		}
		prev, seen := first[key]
		if !seen {
			first[key] = v
		} else if !bytes.Equal(trimSpace(prev), trimSpace(v)) && !slices.Contains(out, key) {
			out = append(out, key)
		}
	}
	return out
}

// reads says whether a column reads top-level key k, by name or as the
// first key of its path.
func (j *jsonFields) reads(k string) bool {
	for i, c := range j.cols {
		if c == k || j.paths[i] != nil && j.paths[i][0] == k {
			return true
		}
	}
	return false
}

// lookup follows path through nested objects and arrays; problem says why
// the value cannot be read (a key of the path given twice).
func (j *jsonFields) lookup(path []string) (v json.RawMessage, ok bool, problem string) {
	v, ok = j.top[path[0]]
	for i := 1; ok && i < len(path); i++ {
		v = trimSpace(v)
		if len(v) == 0 {
			return nil, false, ""
		}
		switch v[0] {
		case '{':
			prefix := strings.Join(path[:i], ".")
			o, err := j.object(prefix, v)
			if err != nil {
				return nil, false, ""
			}
			if slices.Contains(o.repeated, path[i]) {
				return nil, false, repeatedKey(prefix + "." + path[i])
			}
			v, ok = o.m[path[i]]
		case '[':
			n, err := strconv.Atoi(path[i])
			if err != nil || n < 0 {
				return nil, false, ""
			}
			var a []json.RawMessage
			if json.Unmarshal(v, &a) != nil || n >= len(a) {
				return nil, false, ""
			}
			v = a[n]
		default:
			return nil, false, ""
		}
	}
	return v, ok, ""
}

// nestedObject is a decoded nested object and the keys it repeats with
// different values.
type nestedObject struct {
	m        map[string]json.RawMessage
	repeated []string
}

// object decodes a nested object once per record, as several columns
// ("victim.age", "victim.name") usually share it.
func (j *jsonFields) object(prefix string, v json.RawMessage) (nestedObject, error) {
	if o, ok := j.nested[prefix]; ok {
		return o, nil
	}
	var o nestedObject
	if err := json.Unmarshal(v, &o.m); err != nil {
		return o, err
	}
	if topLevelKeys(v) != len(o.m) {
		o.repeated = repeated(v)
	}
	if j.nested == nil {
		j.nested = make(map[string]nestedObject)
	}
	j.nested[prefix] = o
	return o, nil
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
	case '{':
		return "an object"
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
// A line that is not a JSON object, or not UTF-8, or longer than
// DefaultMaxRecord, or with a control character in a value ("\u0000"), is a
// Malformed record and reading goes on with the next line; lines of only
// spaces are skipped. U+FEFF is removed from values and from the start of a
// line. Raw is the line without its line ending.
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
			// As a CSV line: the first keptOfLong bytes, no number cut in two.
			rec.raw = cutNumber(line[:min(len(line), keptOfLong)])
			rec.malformed = fmt.Sprintf("line longer than %d bytes", j.maxLine)
		default:
			if m := invalidUTF8(line); m != "" {
				rec.malformed = m
			} else if m := j.fx.extract(bytes.TrimPrefix(line, utf8BOM)); m != "" { // a BOM of a file concatenated here
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

// DefaultMaxDepth bounds the nesting of one JSON record: agency records
// nest a few levels, and a deeper one is damaged or hostile.
const DefaultMaxDepth = 64

type jsonArray struct {
	records
	name     string
	fx       *jsonFields
	r        *bufio.Reader
	line     int64 // line of the next unread byte
	elem     []byte
	index    int // elements read so far
	maxElem  int
	maxDepth int
	started  bool // the '[' is read
	after    bool // an element was read: a ',' or ']' comes next
	done     bool
	err      error
}

var _ Source = (*jsonArray)(nil)

// NewJSONArray reads one JSON array of objects from r, each yielding the
// values of columns as NewJSONLines does. It streams: only the current
// element is in memory. Line is the line where the element starts and Raw
// its text as in the file.
//
// An element that is not an object, not valid JSON, longer than
// DefaultMaxRecord (Raw keeps its start) or nested deeper than
// DefaultMaxDepth is a Malformed record whose reason gives its index
// ("array element 3: ..."), and reading goes on with the next element. What
// leaves no next element to find (the array never closed, a missing comma
// between elements, text after the closing ]) ends the stream, with Err
// naming the line.
func NewJSONArray(r io.Reader, columns []string) Source {
	j := &jsonArray{name: nameOf(r), fx: newJSONFields(columns), r: stripBOM(r), line: 1,
		maxElem: DefaultMaxRecord, maxDepth: DefaultMaxDepth}
	j.pull = j.next
	return j
}

func (j *jsonArray) Columns() []string { return j.fx.cols }
func (j *jsonArray) Err() error        { return j.err }

func (j *jsonArray) fail(line int64, format string, args ...any) bool {
	j.done = true
	j.err = fmt.Errorf("%s: %s", at(j.name, line), fmt.Sprintf(format, args...))
	return false
}

// peek skips JSON space and returns the next byte without reading it.
func (j *jsonArray) peek() (byte, error) {
	for {
		c, err := j.r.ReadByte()
		if err != nil {
			return 0, err
		}
		switch c {
		case '\n':
			j.line++
		case ' ', '\t', '\r':
		default:
			j.r.UnreadByte()
			return c, nil
		}
	}
}

// closed reads the rest of the input after the closing ']'.
func (j *jsonArray) closed() bool {
	j.r.ReadByte()
	if _, err := j.peek(); err == nil {
		return j.fail(j.line, "text after the array's closing ]")
	} else if !errors.Is(err, io.EOF) {
		return j.fail(j.line, "%v", err)
	}
	j.done = true
	return false
}

func (j *jsonArray) next(rec *record) bool {
	if j.done {
		return false
	}
	c, err := j.peek()
	switch {
	case errors.Is(err, io.EOF) && !j.started:
		j.done = true
		return false
	case errors.Is(err, io.EOF):
		return j.fail(j.line, "unexpected end of input: the array is not closed with ]")
	case err != nil:
		return j.fail(j.line, "%v", err)
	}
	switch {
	case !j.started:
		if c != '[' {
			return j.fail(j.line, "not a JSON array but %s (for one object per line, read it as JSON Lines)", jsonKind([]byte{c}))
		}
		j.r.ReadByte()
		j.started = true
		if c, err = j.peek(); err == nil && c == ']' {
			return j.closed()
		}
	case j.after && c == ']':
		return j.closed()
	case j.after && c != ',':
		return j.fail(j.line, "invalid JSON: a comma or ] should follow array element %d, not %q", j.index, c)
	case j.after:
		j.r.ReadByte()
	}
	c, err = j.peek()
	switch {
	case errors.Is(err, io.EOF):
		return j.fail(j.line, "unexpected end of input: the array is not closed with ]")
	case err != nil:
		return j.fail(j.line, "%v", err)
	case c == ']' || c == ',':
		return j.fail(j.line, "invalid JSON: array element %d is missing (a comma too many?)", j.index+1)
	}
	j.index++
	j.after = true
	start := j.line
	size, depth, err := j.readValue()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return j.fail(start, "unexpected end of input in array element %d, which starts on this line", j.index)
		}
		return j.fail(start, "%v", err)
	}
	*rec = record{line: start, raw: j.elem}
	switch {
	case size > j.maxElem:
		rec.malformed = fmt.Sprintf("array element %d: longer than %d bytes; its text is cut to the first %d bytes", j.index, j.maxElem, len(j.elem))
	case depth > j.maxDepth:
		rec.malformed = fmt.Sprintf("array element %d: nested deeper than %d levels", j.index, j.maxDepth)
	default:
		if m := invalidUTF8(j.elem); m != "" {
			rec.malformed = fmt.Sprintf("array element %d: %s", j.index, m)
		} else if m := j.fx.extract(j.elem); m != "" {
			rec.malformed = fmt.Sprintf("array element %d: %s", j.index, m)
		} else {
			rec.fields = j.fx.fields
		}
	}
	return true
}

// readValue reads one JSON value into elem, keeping at most maxElem bytes
// (keptOfLong once it is over), and returns its full size and depth. It
// only finds where the value ends (strings, escapes, brackets), in constant
// memory; whether the value is valid JSON is for the decoder.
func (j *jsonArray) readValue() (size int, depth int, err error) {
	j.elem = j.elem[:0]
	var (
		level          int
		str, esc, done bool
	)
	first := true
	for !done {
		buf, err := j.r.Peek(1)
		if err != nil {
			if errors.Is(err, io.EOF) && size > 0 && !str && level == 0 {
				break // a number or literal at the end of the input
			}
			return size, depth, err
		}
		buf, _ = j.r.Peek(j.r.Buffered())
		n := 0
	scan:
		for ; n < len(buf); n++ {
			c := buf[n]
			if first {
				first = false
				switch c {
				case '"':
					str = true
				case '{', '[':
					level, depth = 1, 1
				}
				continue
			}
			switch {
			case str && esc:
				esc = false
			case str && c == '\\':
				esc = true
			case str && c == '"':
				str = false
				if level == 0 {
					n++
					done = true
					break scan
				}
			case str:
				// Skip to the next quote or backslash at once.
				if k := bytes.IndexAny(buf[n:], "\"\\"); k > 0 {
					n += k - 1
				} else if k < 0 {
					n = len(buf) - 1
				}
			case c == '"':
				str = true
			case c == '{' || c == '[':
				level++
				depth = max(depth, level)
			case c == '}' || c == ']':
				if level == 0 {
					done = true // ends a number or literal
					break scan
				}
				if level--; level == 0 {
					n++
					done = true
					break scan
				}
			case level == 0 && (c == ',' || isSpace(c)):
				done = true
				break scan
			}
		}
		part := buf[:n]
		j.line += int64(bytes.Count(part, []byte{'\n'}))
		if room := j.maxElem - len(j.elem); room > 0 {
			j.elem = append(j.elem, part[:min(room, len(part))]...)
		}
		size += n
		j.r.Discard(n)
	}
	if size > j.maxElem && len(j.elem) > keptOfLong {
		j.elem = cutNumber(j.elem[:keptOfLong])
	}
	return size, depth, nil
}
