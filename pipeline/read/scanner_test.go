package read

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

type rec struct {
	Line      int64
	Fields    []string
	Raw       string
	Malformed bool
}

func scanAll(t testing.TB, r io.Reader, max int) []rec {
	t.Helper()
	s := NewScanner(r)
	if max > 0 {
		s.SetMaxRecord(max)
	}
	var out []rec
	for s.Next() {
		var fs []string
		for _, f := range s.Fields() {
			fs = append(fs, string(f))
		}
		out = append(out, rec{s.Line(), fs, string(s.Raw()), s.Malformed() != ""})
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestScanner(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []rec
	}{
		{"plain", "a,b\n1,2\n", []rec{{1, []string{"a", "b"}, "a,b", false}, {2, []string{"1", "2"}, "1,2", false}}},
		{"crlf and no final newline", "a,b\r\n1,2", []rec{{1, []string{"a", "b"}, "a,b", false}, {2, []string{"1", "2"}, "1,2", false}}},
		{"bom", "\xEF\xBB\xBFa,b\n", []rec{{1, []string{"a", "b"}, "a,b", false}}},
		{"empty fields are a blank line", ",,\n,x,\n", []rec{{2, []string{"", "x", ""}, ",x,", false}}},
		{"blank lines skipped", "a\n\n\r\nb\n", []rec{{1, []string{"a"}, "a", false}, {4, []string{"b"}, "b", false}}},
		{"quoted comma and quote", "x,\"a,\"\"b\"\"\",y\n", []rec{{1, []string{"x", "a,\"b\"", "y"}, "x,\"a,\"\"b\"\"\",y", false}}},
		{"quoted newline", "1,\"two\nlines\",3\n4,5,6\n", []rec{{1, []string{"1", "two\nlines", "3"}, "1,\"two\nlines\",3", false}, {3, []string{"4", "5", "6"}, "4,5,6", false}}},
		{"quoted last field crlf", "1,\"a\"\r\n2,b\r\n", []rec{{1, []string{"1", "a"}, "1,\"a\"", false}, {2, []string{"2", "b"}, "2,b", false}}},
		{"trailing quoted empty", "\"\",x\nx,\"\",\n", []rec{{1, []string{"", "x"}, "\"\",x", false}, {2, []string{"x", "", ""}, "x,\"\",", false}}},
		{"bare quote is literal", "5\" pipe,x\n", []rec{{1, []string{"5\" pipe", "x"}, "5\" pipe,x", false}}},
		{"text after closing quote", "\"a\"b,c\nd,e\n", []rec{{1, nil, "\"a\"b,c", true}, {2, []string{"d", "e"}, "d,e", false}}},
		{"unclosed quote resyncs", "1,\"oops\n2,b\n", []rec{{1, nil, "1,\"oops", true}, {2, []string{"2", "b"}, "2,b", false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// One byte at a time exercises every refill boundary.
			for _, r := range []io.Reader{strings.NewReader(tt.in), iotest.OneByteReader(strings.NewReader(tt.in))} {
				if got, want := scanAll(t, r, 0), tt.want; !reflect.DeepEqual(got, want) {
					t.Errorf("got  %+v\nwant %+v", got, want)
				}
			}
		})
	}
}

func TestScannerMaxRecord(t *testing.T) {
	in := "1,\"" + strings.Repeat("x", 100) + "\n" + strings.Repeat("y\n", 3)
	got := scanAll(t, strings.NewReader(in), 64)
	if len(got) != 4 || !got[0].Malformed || got[1].Line != 2 || got[3].Raw != "y" {
		t.Fatalf("got %+v", got)
	}
}

func TestScannerTSV(t *testing.T) {
	s := NewScanner(strings.NewReader("a\tb,c\n"))
	s.SetComma('\t')
	if !s.Next() {
		t.Fatal("no record")
	}
	if got, want := len(s.Fields()), 2; got != want {
		t.Fatalf("got %d fields, want %d", got, want)
	}
}

func TestOpenGzipHashesCompressedBytes(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "in put.csv.gz")
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("a,b\n1,2\n"))
	zw.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := scanAll(t, f, 0)
	if len(got) != 2 || got[1].Fields[1] != "2" {
		t.Fatalf("got %+v", got)
	}
	sum, n, err := f.Digest()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := HashFile(path)
	if sum != want || n != int64(buf.Len()) {
		t.Fatalf("digest %s (%d bytes), want %s (%d bytes)", sum, n, want, buf.Len())
	}
}

// FuzzScanner checks that every line is covered by exactly one record or
// counted as blank, and that well-formed input splits as encoding/csv splits
// it, less its blank records and byte-order marks.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "1,\"x\ny\",2\n", "\"a\"\"b\",c", "1,\"open\n2,3\n", "\"a\"b\n", "\r\n\n,", "x\"y,z\n",
		"a,b\n,,\n , \n1,2\n", "a\nLah\x00ore\n", "a,b\n\xEF\xBB\xBFid,x\n1,\xEF\xBB\xBF2\n", "a\n" + strings.Repeat("\x00", 700) + "\nb\n",
		"a\n1,\"" + strings.Repeat("y", 300) + "\"\n2\n", "a\rb\r1\r"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s := NewScanner(iotest.HalfReader(strings.NewReader(in)))
		s.SetMaxRecord(256)
		var recs []rec
		for s.Next() {
			var fs []string
			for _, f := range s.Fields() {
				fs = append(fs, string(f))
			}
			recs = append(recs, rec{s.Line(), fs, string(s.Raw()), s.Malformed() != ""})
			if len(s.Raw()) > 256 {
				t.Fatalf("line %d: raw of %d bytes, over the limit", s.Line(), len(s.Raw()))
			}
		}
		if err := s.Err(); err != nil {
			t.Fatal(err)
		}
		text := strings.TrimPrefix(in, "\xEF\xBB\xBF")
		lines := strings.Split(text, "\n")
		if strings.HasSuffix(text, "\n") || text == "" {
			lines = lines[:len(lines)-1]
		}
		covered := make([]int, len(lines)+2)
		var n int64
		for _, r := range recs {
			k := strings.Count(r.Raw, "\n") + 1
			for l := r.Line; l < r.Line+int64(k); l++ {
				if l < 1 || int(l) > len(lines) {
					t.Fatalf("record at line %d spans past the input (%d lines)", r.Line, len(lines))
				}
				covered[l]++
			}
			n += int64(k)
		}
		for i, l := range lines {
			if covered[i+1] > 1 {
				t.Fatalf("line %d %q covered %d times; records %+v", i+1, l, covered[i+1], recs)
			}
			if covered[i+1] == 0 && strings.Trim(l, ", \t\r\"\xEF\xBB\xBF") != "" && !strings.Contains(l, "\"") {
				t.Fatalf("line %d %q is not blank but covered by no record; records %+v", i+1, l, recs)
			}
		}
		if got, want := n+s.Blank(), int64(len(lines)); got != want {
			t.Fatalf("%d lines in records + %d blank = %d, want %d lines; records %+v", n, s.Blank(), got, want, recs)
		}
		// Where encoding/csv accepts the input strictly, the fields must agree.
		cr := csv.NewReader(strings.NewReader(in))
		cr.FieldsPerRecord = -1
		all, err := cr.ReadAll()
		if err != nil || strings.ContainsRune(in, '\r') || strings.HasPrefix(in, "\xEF\xBB\xBF") {
			return
		}
		var want [][]string
		for _, r := range all {
			blank := true
			for i := range r {
				r[i] = strings.ReplaceAll(r[i], "\uFEFF", "")
				blank = blank && strings.TrimSpace(r[i]) == ""
			}
			if !blank {
				want = append(want, r)
			}
		}
		var got [][]string
		for _, r := range recs {
			if r.Malformed {
				return
			}
			got = append(got, r.Fields)
		}
		if len(got) == 0 && len(want) == 0 {
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %q\nwant %q", got, want)
		}
	})
}

// zeros yields n NUL bytes without holding them: a file that is not text, of
// any size, in constant memory.
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n == 0 {
		return 0, io.EOF
	}
	k := int(min(int64(len(p)), z.n))
	clear(p[:k])
	z.n -= int64(k)
	return k, nil
}

func TestScannerLongLine(t *testing.T) {
	const limit = 1000
	long := strings.Repeat("z", 3<<20)
	cut := "line longer than 1000 bytes (not a text file, or a record that never ends?); its text is cut to the first 1000 bytes"
	tests := []struct {
		name string
		in   string
		want []rec
	}{
		{"plain", "id,x\n1,a\n" + long + "\n3,c\n4,d\n", []rec{
			{1, []string{"id", "x"}, "id,x", false}, {2, []string{"1", "a"}, "1,a", false},
			{3, nil, long[:limit], true}, {4, []string{"3", "c"}, "3,c", false}, {5, []string{"4", "d"}, "4,d", false}}},
		{"quoted", "id,x\n2,\"" + long + "\"\r\n3,c\n", []rec{
			{1, []string{"id", "x"}, "id,x", false}, {2, nil, "2,\"" + long[:limit-3], true}, {3, []string{"3", "c"}, "3,c", false}}},
		// The cut falls inside a CNIC: its first digits would pass Scrub
		// (too few for a CNIC) and still all but name the person.
		{"cut inside a number", "id,x\n" + strings.Repeat("z", 990) + ",35202-1234567-1," + long + "\n3,c\n", []rec{
			{1, []string{"id", "x"}, "id,x", false}, {2, nil, strings.Repeat("z", 990) + ",", true}, {3, []string{"3", "c"}, "3,c", false}}},
		{"cut inside a number in Urdu digits", "id,x\n" + strings.Repeat("z", 994) + ",۰۳۰۰–۱۲۳۴۵۶۷," + long + "\n", []rec{
			{1, []string{"id", "x"}, "id,x", false}, {2, nil, strings.Repeat("z", 994) + ",", true}}},
		{"last line without newline", "id\n1\n" + long, []rec{
			{1, []string{"id"}, "id", false}, {2, []string{"1"}, "1", false}, {3, nil, long[:limit], true}}},
		{"unclosed quote, then a long line", "id,x\n1,\"open\n" + long + "\n2,b\n", []rec{
			{1, []string{"id", "x"}, "id,x", false}, {2, nil, "1,\"open", true}, {3, nil, long[:limit], true}, {4, []string{"2", "b"}, "2,b", false}}},
		{"quoted record over the limit across short lines", "id,x\n1,\"" + strings.Repeat("ab\n", 400) + "\"\n2,b\n", func() []rec {
			out := []rec{{1, []string{"id", "x"}, "id,x", false}, {2, nil, "1,\"ab", true}}
			for l := int64(3); l <= 401; l++ {
				out = append(out, rec{l, []string{"ab"}, "ab", false})
			}
			return append(out, rec{402, nil, "\"", true}, rec{403, []string{"2", "b"}, "2,b", false})
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scanAll(t, strings.NewReader(tt.in), limit)
			if !reflect.DeepEqual(got, tt.want) {
				if len(got) != len(tt.want) {
					t.Fatalf("got %d records, want %d", len(got), len(tt.want))
				}
				for i := range got {
					if !reflect.DeepEqual(got[i], tt.want[i]) {
						t.Errorf("record %d: got line %d raw %.40q (%d bytes) malformed %v, want line %d raw %.40q (%d bytes) malformed %v",
							i, got[i].Line, got[i].Raw, len(got[i].Raw), got[i].Malformed, tt.want[i].Line, tt.want[i].Raw, len(tt.want[i].Raw), tt.want[i].Malformed)
					}
				}
			}
		})
	}
	s := NewScanner(strings.NewReader("id\n" + long + "\n"))
	s.SetMaxRecord(limit)
	s.Next()
	s.Next()
	if got, want := s.Malformed(), cut; got != want {
		t.Errorf("reason %q, want %q", got, want)
	}
}

// TestScannerEndlessLine streams gigabytes of NULs through the scanner: one
// record, past the 2 GiB that a 32-bit offset holds, in constant memory.
func TestScannerEndlessLine(t *testing.T) {
	size := int64(3 << 30)
	if testing.Short() {
		size = 64 << 20
	}
	in := io.MultiReader(strings.NewReader("a,b\n"), &zeros{size}, strings.NewReader("\n1,2\n"))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := NewScanner(in)
	s.SetMaxRecord(1 << 16)
	var got []rec
	for s.Next() {
		got = append(got, rec{s.Line(), nil, string(s.Raw()), s.Malformed() != ""})
	}
	runtime.ReadMemStats(&after)
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	want := []rec{{1, nil, "a,b", false}, {2, nil, strings.Repeat("\x00", keptOfLong), true}, {3, nil, "1,2", false}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %.200v, want %d records", got, len(want))
	}
	// The 1 MiB read buffer and a few small records, however long the line.
	if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(4<<20); got > limit {
		t.Errorf("allocated %d bytes for a %d-byte line, want at most %d", got, size, limit)
	}
}

// TestScanText compares the eight-bytes-at-a-time scan with a plain loop,
// for every length and position around the word boundaries.
func TestScanText(t *testing.T) {
	naive := func(b []byte) (int, bool) {
		ctl := -1
		for i, c := range b {
			if c < 0x20 && c != '\t' && c != '\r' && c != '\n' {
				ctl = i
				break
			}
		}
		return ctl, bytes.Contains(b, utf8BOM)
	}
	for n := 0; n <= 24; n++ {
		for at := 0; at < n; at++ {
			for _, ins := range []string{"\x00", "\x1F", "\t", "\r\n", "\x7F", "\xEF\xBB\xBF", "é", "\xEF"} {
				b := []byte(strings.Repeat("a", n))
				b = append(b[:at], append([]byte(ins), b[at:]...)...)
				gotC, gotB := scanText(b)
				wantC, wantB := naive(b)
				if gotC != wantC || gotB != wantB {
					t.Errorf("%q: got %d %v, want %d %v", b, gotC, gotB, wantC, wantB)
				}
			}
		}
	}
}
