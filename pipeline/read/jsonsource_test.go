package read

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

var jsonCols = []string{"case_id", "victim.age", "victim.name", "amount", "flag", "tags", "meta", "a.b", "accused.1.name"}

func TestJSONLines(t *testing.T) {
	in := "\xEF\xBB\xBF" + `{"case_id":"FIA-1","victim":{"age":34,"name":"Ali \"Bhai\""},"amount":1e3,"flag":true,"tags":["x", "y"],"meta":{ "k" : null },"a.b":"flat","accused":[{"name":"A"},{"name":"B"}]}` + "\n" +
		`{"case_id":"FIA-2","victim":null,"amount":0.10,"flag":false,"a":{"b":"nested"}}` + "\r\n" +
		"\n" +
		"   \n" +
		`{"case_id":"FIA-3", "amount":` + "\n" +
		`[1,2]` + "\n" +
		"{\"case_id\":\"caf\xe9\"}\n" +
		`{"case_id":12345678901234567890,"victim":{"age":"unknown"},"amount":-0,"accused":[]}` + "\n" +
		`{"case_id":"ڈیرہ اسماعیل خان","victim":"n/a","amount":null}`
	want := []srec{
		ok(1, `{"case_id":"FIA-1","victim":{"age":34,"name":"Ali \"Bhai\""},"amount":1e3,"flag":true,"tags":["x", "y"],"meta":{ "k" : null },"a.b":"flat","accused":[{"name":"A"},{"name":"B"}]}`,
			"FIA-1", "34", `Ali "Bhai"`, "1e3", "true", `["x","y"]`, `{"k":null}`, "flat", "B"),
		ok(2, `{"case_id":"FIA-2","victim":null,"amount":0.10,"flag":false,"a":{"b":"nested"}}`,
			"FIA-2", "", "", "0.10", "false", "", "", "nested", ""),
		bad(5, `{"case_id":"FIA-3", "amount":`, "invalid JSON at byte 29: unexpected end of JSON input"),
		bad(6, `[1,2]`, "not a JSON object but an array"),
		bad(7, "{\"case_id\":\"caf\xe9\"}", "text is not valid UTF-8 (byte 0xE9 at column 16); declare the file's encoding, such as windows-1252"),
		ok(8, `{"case_id":12345678901234567890,"victim":{"age":"unknown"},"amount":-0,"accused":[]}`,
			"12345678901234567890", "unknown", "", "-0", "", "", "", "", ""),
		ok(9, `{"case_id":"ڈیرہ اسماعیل خان","victim":"n/a","amount":null}`,
			"ڈیرہ اسماعیل خان", "", "", "", "", "", "", "", ""),
	}
	for _, r := range []io.Reader{strings.NewReader(in), iotest.OneByteReader(strings.NewReader(in))} {
		src := NewJSONLines(r, jsonCols)
		if got, want := src.Columns(), jsonCols; !reflect.DeepEqual(got, want) {
			t.Errorf("columns %q", got)
		}
		got := drain(t, src)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got  %+v\nwant %+v", got, want)
			for i := range min(len(got), len(want)) {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Errorf("first difference, record %d:\ngot  %+v\nwant %+v", i, got[i], want[i])
					break
				}
			}
		}
	}
}

func TestJSONLinesMalformed(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"syntax error", `{"a":1,}`, "invalid JSON at byte 8: invalid character '}' looking for beginning of object key string"},
		{"text after the object", `{"a":1} x`, "invalid JSON at byte 9: invalid character 'x' after top-level value"},
		{"string", `"a"`, "not a JSON object but a string"},
		{"number", `12`, "not a JSON object but a number"},
		{"null", `null`, "not a JSON object but null"},
		{"form feed is not JSON space", "\f", "invalid JSON at byte 1: invalid character '\\f' looking for beginning of value"},
		{"NUL in a value", `{"a":"Lah\u0000ore"}`, `column "a" holds the control character 0x00 (NUL), which is not text: the file may be damaged, or UTF-16 read as UTF-8`},
		{"raw control character", "{\"a\":1,\"b\":\"\x01\"}", "invalid JSON at byte 13: invalid character '\\x01' in string literal"},
		{"a column given twice", `{"a":"Lahore","b":1,"a":"Kasur"}`, `key "a" is given twice with different values: which one is meant is unclear`},
		{"a column given twice, once escaped", `{"a":1,"\u0061":2}`, `key "a" is given twice with different values: which one is meant is unclear`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := drain(t, NewJSONLines(strings.NewReader(tt.in+"\n{\"a\":2}\n"), []string{"a"}))
			want := []srec{bad(1, tt.in, tt.want), ok(2, `{"a":2}`, "2")}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestJSONRepeatedKeys checks the repeated keys that do not make a record
// unreadable: one no column reads, one given twice with the same value,
// a key inside a string; and that a dotted column's keys given twice with
// different values do, at the top and nested.
func TestJSONRepeatedKeys(t *testing.T) {
	in := `{"a":1,"note":"x","note":"y"}
{"a":1,"a": 1}
{"a":"a:1,\"a\":2","v":{"n":1,"m":2}}
{"a":3,"v":{"n":1},"v":{"n":2}}
{"a":4,"v":{"n":1,"n":2}}
{"a":5,"v":{"n":1,"m":2,"m":3}}
`
	got := drain(t, NewJSONLines(strings.NewReader(in), []string{"a", "v.n"}))
	want := []srec{
		ok(1, `{"a":1,"note":"x","note":"y"}`, "1", ""),
		ok(2, `{"a":1,"a": 1}`, "1", ""),
		ok(3, `{"a":"a:1,\"a\":2","v":{"n":1,"m":2}}`, `a:1,"a":2`, "1"),
		bad(4, `{"a":3,"v":{"n":1},"v":{"n":2}}`, `key "v" is given twice with different values: which one is meant is unclear`),
		bad(5, `{"a":4,"v":{"n":1,"n":2}}`, `key "v.n" is given twice with different values: which one is meant is unclear`),
		ok(6, `{"a":5,"v":{"n":1,"m":2,"m":3}}`, "5", "1"),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestJSONByteOrderMarks(t *testing.T) {
	in := "\xEF\xBB\xBF{\"a\":\"\xEF\xBB\xBFFIR-1\"}\n\xEF\xBB\xBF{\"a\":\"FIR-2\\ufeff\"}\n"
	got := drain(t, NewJSONLines(strings.NewReader(in), []string{"a"}))
	want := []srec{ok(1, "{\"a\":\"\xEF\xBB\xBFFIR-1\"}", "FIR-1"), ok(2, "\xEF\xBB\xBF{\"a\":\"FIR-2\\ufeff\"}", "FIR-2")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+q\nwant %+q", fmt.Sprint(got), fmt.Sprint(want))
	}
	got = drain(t, NewJSONArray(strings.NewReader("[{\"a\":\"FIR-2\\ufeff\"}]"), []string{"a"}))
	if want := []srec{ok(1, "{\"a\":\"FIR-2\\ufeff\"}", "FIR-2")}; !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+q\nwant %+q", fmt.Sprint(got), fmt.Sprint(want))
	}
}

func TestJSONLinesLongLine(t *testing.T) {
	src := NewJSONLines(strings.NewReader(`{"a":"`+strings.Repeat("x", 100)+`"}`+"\n"+`{"a":"y"}`), []string{"a"})
	src.(*jsonLines).maxLine = 10
	got := drain(t, src)
	want := []srec{bad(1, `{"a":"xxxx`, "line longer than 10 bytes"), ok(2, `{"a":"y"}`, "y")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// TestJSONLinesLongLineCutNumber: a line cut inside a CNIC keeps none of its
// digits, and no more than the first keptOfLong bytes of the line.
func TestJSONLinesLongLineCutNumber(t *testing.T) {
	src := NewJSONLines(strings.NewReader(`{"a":"cnic 35202-1234567-1 `+strings.Repeat("x", 3000)+`"}`+"\n"+`{"a":"y"}`), []string{"a"})
	src.(*jsonLines).maxLine = 20
	got := drain(t, src)
	want := []srec{bad(1, `{"a":"cnic`, "line longer than 20 bytes"), ok(2, `{"a":"y"}`, "y")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	src = NewJSONLines(strings.NewReader(`{"a":"`+strings.Repeat("x", 3<<20)+`"}`), []string{"a"})
	got = drain(t, src)
	if len(got) != 1 || len(got[0].Raw) != keptOfLong {
		t.Errorf("a 3 MiB line keeps %d bytes of raw text, want %d", len(got[0].Raw), keptOfLong)
	}
}

func TestJSONArray(t *testing.T) {
	in := "\xEF\xBB\xBF[\n  {\"case_id\": \"FIA-1\",\n   \"victim\": {\"age\": 34}},\n  {\"case_id\": \"FIA-2\", \"amount\": 2.50}\n]\n"
	for _, r := range []io.Reader{strings.NewReader(in), iotest.OneByteReader(strings.NewReader(in))} {
		got := drain(t, NewJSONArray(r, []string{"case_id", "victim.age", "amount"}))
		want := []srec{
			ok(2, "{\"case_id\": \"FIA-1\",\n   \"victim\": {\"age\": 34}}", "FIA-1", "34", ""),
			ok(4, `{"case_id": "FIA-2", "amount": 2.50}`, "FIA-2", "", "2.50"),
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got  %+v\nwant %+v", got, want)
		}
	}
}

func TestJSONArrayErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []srec
		err  string
	}{
		{"empty input", "", nil, ""},
		{"empty array", " [ ] ", nil, ""},
		{"not an object", "[{\"a\":1},\n7,\n{\"a\":2}, \"x]\\\"\", null, [1, {}]]", []srec{ok(1, `{"a":1}`, "1"), bad(2, "7", "array element 2: not a JSON object but a number"), ok(3, `{"a":2}`, "2"),
			bad(3, `"x]\""`, "array element 4: not a JSON object but a string"), bad(3, "null", "array element 5: not a JSON object but null"), bad(3, "[1, {}]", "array element 6: not a JSON object but an array")}, ""},
		{"number at the end", "[1", []srec{bad(1, "1", "array element 1: not a JSON object but a number")}, "line 1: unexpected end of input: the array is not closed with ]"},
		{"not UTF-8", "[{\"a\":\"\x92\"}]", []srec{bad(1, "{\"a\":\"\x92\"}", "array element 1: text is not valid UTF-8 (byte 0x92 at column 7); declare the file's encoding, such as windows-1252")}, ""},
		{"syntax error in an element rejects it", "[{\"a\":1},\n{\"a\":\n2,,}, {\"a\":3}]", []srec{ok(1, `{"a":1}`, "1"),
			bad(2, "{\"a\":\n2,,}", "array element 2: invalid JSON at byte 9: invalid character ',' looking for beginning of object key string"), ok(3, `{"a":3}`, "3")}, ""},
		{"one-line array: elements by index", `[{"a":"x"},{"a":1,},{"a":"\u0000"}]`, []srec{ok(1, `{"a":"x"}`, "x"),
			bad(1, `{"a":1,}`, "array element 2: invalid JSON at byte 8: invalid character '}' looking for beginning of object key string"),
			bad(1, `{"a":"\u0000"}`, `array element 3: column "a" holds the control character 0x00 (NUL), which is not text: the file may be damaged, or UTF-16 read as UTF-8`)}, ""},
		{"missing comma", "[{\"a\":1}\n{\"a\":2}]", []srec{ok(1, `{"a":1}`, "1")}, "line 2: invalid JSON: a comma or ] should follow array element 1, not '{'"},
		{"comma too many", "[{\"a\":1},\n]", []srec{ok(1, `{"a":1}`, "1")}, "line 2: invalid JSON: array element 2 is missing (a comma too many?)"},
		{"not closed", "[{\"a\":1},\n", []srec{ok(1, `{"a":1}`, "1")}, "line 2: unexpected end of input: the array is not closed with ]"},
		{"cut in an element", "[\n{\"a\":1", nil, "line 2: unexpected end of input in array element 1, which starts on this line"},
		{"cut in a string", "[\n{\"a\":\"1}]", nil, "line 2: unexpected end of input in array element 1, which starts on this line"},
		{"text after", "[{\"a\":1}]\n[]", []srec{ok(1, `{"a":1}`, "1")}, "line 2: text after the array's closing ]"},
		{"an object", "{\"a\":1}\n{\"a\":2}", nil, "line 1: not a JSON array but an object (for one object per line, read it as JSON Lines)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := drainErr(NewJSONArray(strings.NewReader(tt.in), []string{"a"}))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			var msg string
			if err != nil {
				msg = err.Error()
			}
			if msg != tt.err {
				t.Errorf("err %q\nwant %q", msg, tt.err)
			}
		})
	}
}

// endlessArray is a JSON array that never ends: reading it whole would
// never return.
type endlessArray struct {
	n   int
	buf bytes.Buffer
}

func (e *endlessArray) Read(p []byte) (int, error) {
	for e.buf.Len() < len(p) {
		if e.n == 0 {
			e.buf.WriteString("[")
		} else {
			e.buf.WriteString(",\n")
		}
		e.n++
		fmt.Fprintf(&e.buf, `{"id":%d,"pad":"%s"}`, e.n, strings.Repeat("x", 100))
	}
	return e.buf.Read(p)
}

func TestJSONArrayStreams(t *testing.T) {
	src := NewJSONArray(&endlessArray{}, []string{"id"})
	for i := 1; i <= 20000; i++ {
		if !src.Next() {
			t.Fatalf("stopped at %d: %v", i, src.Err())
		}
		if got, want := string(src.Fields()[0]), fmt.Sprint(i); got != want || src.Line() != int64(i) {
			t.Fatalf("record %d: id %s, line %d", i, got, src.Line())
		}
	}
	// Only the current element is held.
	if n := cap(src.(*jsonArray).elem); n > 1<<10 {
		t.Fatalf("holding %d bytes", n)
	}
}

// FuzzJSONLines checks that every line with something other than spaces
// yields exactly one record, well formed or malformed, at its line.
func FuzzJSONLines(f *testing.F) {
	for _, s := range []string{
		"{\"a\":1}\n{\"b\":{\"c\":[1,2]}}\n",
		"{\"a\":\n}\n\n  \n[1]\nnull\r\n",
		"{\"a\":\"\\u00e9\\ud800\"}",
		"\xEF\xBB\xBF{\"a.b\":true,\"a\":{\"b\":false}}",
		"{\"a\":\"\xff\"}\n{}",
		"{\"a\":\"La\\u0000hore\"}\n{\"c\":\"\\ufeffx\"}\n",
		"{\"a\":" + strings.Repeat("[", 200) + strings.Repeat("]", 200) + "}\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		cols := []string{"a", "a.b", "b.c.0", "c"}
		recs := drain(t, NewJSONLines(iotest.HalfReader(strings.NewReader(in)), cols))
		lines := strings.Split(strings.TrimPrefix(in, "\xEF\xBB\xBF"), "\n")
		var want []int64
		for i, l := range lines {
			if strings.Trim(l, " \t\r") != "" {
				want = append(want, int64(i+1))
			}
		}
		if len(recs) != len(want) {
			t.Fatalf("%d records for %d non-empty lines: %+v", len(recs), len(want), recs)
		}
		for i, r := range recs {
			if r.Line != want[i] {
				t.Fatalf("record %d at line %d, want %d", i, r.Line, want[i])
			}
			if (r.Malformed == "") != (len(r.Fields) == len(cols)) {
				t.Fatalf("record %+v: malformed or %d fields, not both", r, len(cols))
			}
		}
	})
}

// FuzzJSONArray checks that the array reader never panics, that records come
// in line order, each malformed or with every column, and that no record holds
// more than the element limit.
func FuzzJSONArray(f *testing.F) {
	for _, s := range []string{
		"[{\"a\":1},\n{\"b\":{\"c\":[1,2]}}]\n",
		"[{\"a\":1,},7,\"x]\",null,[1,{}]]",
		"[{\"a\":\"\\u0000\"},{\"a\":\"\\\"]\"}]",
		"[" + strings.Repeat("[", 40) + strings.Repeat("]", 40) + "]",
		"[{\"a\":\"" + strings.Repeat("x", 300) + "\"},{}]",
		"[1", "[{\"a\":1}\n{}]", "[,]", "{}", "[\"\\",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		cols := []string{"a", "a.b", "b.c.0", "c"}
		src := NewJSONArray(iotest.HalfReader(strings.NewReader(in)), cols)
		src.(*jsonArray).maxElem = 256
		src.(*jsonArray).maxDepth = 16
		recs, _ := drainErr(src)
		last := int64(1)
		for _, r := range recs {
			if r.Line < last || int(r.Line) > strings.Count(in, "\n")+1 {
				t.Fatalf("record at line %d after line %d: %+v", r.Line, last, recs)
			}
			last = r.Line
			if (r.Malformed == "") != (len(r.Fields) == len(cols)) {
				t.Fatalf("record %+v: malformed or %d fields, not both", r, len(cols))
			}
			if len(r.Raw) > 256 {
				t.Fatalf("record of %d bytes, over the limit", len(r.Raw))
			}
		}
	})
}

func ExampleNewJSONLines() {
	in := `{"case":"FIA-7","victim":{"age":19},"amount_pkr":250000.00,"cyber":true}
{"case":"FIA-8",
{"case":"FIA-9","victim":null,"amount_pkr":1e6}
`
	src := NewJSONLines(strings.NewReader(in), []string{"case", "victim.age", "amount_pkr", "cyber"})
	for src.Next() {
		if m := src.Malformed(); m != "" {
			fmt.Printf("line %d: rejected: %s\n", src.Line(), m)
			continue
		}
		fmt.Printf("line %d: %q\n", src.Line(), src.Fields())
	}
	// Output:
	// line 1: ["FIA-7" "19" "250000.00" "true"]
	// line 2: rejected: invalid JSON at byte 16: unexpected end of JSON input
	// line 3: ["FIA-9" "" "1e6" ""]
}

// TestJSONArrayLimits: an element too long or too deep is one reject, with
// its index and line, and the elements after it are read.
func TestJSONArrayLimits(t *testing.T) {
	long := `{"a":"` + strings.Repeat("x", 5000) + `"}`
	deep := strings.Repeat("[", 40) + strings.Repeat("]", 40)
	tests := []struct {
		name string
		in   string
		want []srec
	}{
		{"element too long", "[{\"a\":1},\n" + long + ",\n{\"a\":3}]", []srec{ok(1, `{"a":1}`, "1"),
			bad(2, long[:1000], "array element 2: longer than 1000 bytes; its text is cut to the first 1000 bytes"), ok(3, `{"a":3}`, "3")}},
		{"too long across lines", "[\n{\"a\":\n\"" + strings.Repeat("y\\n", 3000) + "\"},\n{\"a\":3}]", []srec{
			bad(2, ("{\"a\":\n\"" + strings.Repeat("y\\n", 3000))[:1000], "array element 1: longer than 1000 bytes; its text is cut to the first 1000 bytes"), ok(4, `{"a":3}`, "3")}},
		{"nested too deep", `[{"a":1},{"a":` + deep + `},{"a":3}]`, []srec{ok(1, `{"a":1}`, "1"),
			bad(1, `{"a":`+deep+`}`, "array element 2: nested deeper than 32 levels"), ok(1, `{"a":3}`, "3")}},
		{"deep enough", `[{"a":` + deep[:31] + deep[len(deep)-31:] + `}]`, []srec{ok(1, `{"a":`+deep[:31]+deep[len(deep)-31:]+`}`, deep[:31]+deep[len(deep)-31:])}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(tt.in), iotest.OneByteReader(strings.NewReader(tt.in))} {
				src := NewJSONArray(r, []string{"a"})
				src.(*jsonArray).maxElem = 1000
				src.(*jsonArray).maxDepth = 32
				if got, want := drain(t, src), tt.want; !reflect.DeepEqual(got, want) {
					t.Errorf("got  %.300q\nwant %.300q", fmt.Sprint(got), fmt.Sprint(want))
				}
			}
		})
	}
}

// hugeElement is a JSON array whose second element is a string of n bytes
// (and nesting of depth levels), generated as it is read.
type hugeElement struct {
	head, tail *strings.Reader
	n          int64
}

func (h *hugeElement) Read(p []byte) (int, error) {
	if h.head.Len() > 0 {
		return h.head.Read(p)
	}
	if h.n > 0 {
		k := int(min(int64(len(p)), h.n))
		for i := range p[:k] {
			p[i] = 'x'
		}
		h.n -= int64(k)
		return k, nil
	}
	return h.tail.Read(p)
}

// TestJSONArrayHugeElement reads a 256 MiB element in constant memory.
func TestJSONArrayHugeElement(t *testing.T) {
	in := &hugeElement{
		head: strings.NewReader("[{\"a\":1},\n{\"a\":\"" + strings.Repeat("[", 100)),
		n:    256 << 20,
		tail: strings.NewReader("\"},\n{\"a\":3}]\n"),
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	got := drain(t, NewJSONArray(in, []string{"a"}))
	runtime.ReadMemStats(&after)
	if len(got) != 3 {
		t.Fatalf("got %d records, want 3", len(got))
	}
	if got, want := fmt.Sprint(got[1].Line, " ", got[1].Malformed, " ", len(got[1].Raw)), "2 array element 2: longer than 1048576 bytes; its text is cut to the first 1024 bytes 1024"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := fmt.Sprint(got[2].Line, got[2].Fields), "3 [3]"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(8<<20); got > limit {
		t.Errorf("allocated %d bytes, want at most %d", got, limit)
	}
}
