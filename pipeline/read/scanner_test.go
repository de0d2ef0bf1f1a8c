package read

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"reflect"
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
		{"empty fields", ",,\n", []rec{{1, []string{"", "", ""}, ",,", false}}},
		{"blank lines skipped", "a\n\n\r\nb\n", []rec{{1, []string{"a"}, "a", false}, {4, []string{"b"}, "b", false}}},
		{"quoted comma and quote", "x,\"a,\"\"b\"\"\",y\n", []rec{{1, []string{"x", "a,\"b\"", "y"}, "x,\"a,\"\"b\"\"\",y", false}}},
		{"quoted newline", "1,\"two\nlines\",3\n4,5,6\n", []rec{{1, []string{"1", "two\nlines", "3"}, "1,\"two\nlines\",3", false}, {3, []string{"4", "5", "6"}, "4,5,6", false}}},
		{"quoted last field crlf", "1,\"a\"\r\n2,b\r\n", []rec{{1, []string{"1", "a"}, "1,\"a\"", false}, {2, []string{"2", "b"}, "2,b", false}}},
		{"trailing quoted empty", "\"\",\n", []rec{{1, []string{"", ""}, "\"\",", false}}},
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

// FuzzScanner checks that every non-blank line is covered by exactly one
// record, and that well-formed input splits as encoding/csv splits it.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "1,\"x\ny\",2\n", "\"a\"\"b\",c", "1,\"open\n2,3\n", "\"a\"b\n", "\r\n\n,", "x\"y,z\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		recs := scanAll(t, iotest.HalfReader(strings.NewReader(in)), 256)
		lines := strings.Split(strings.TrimPrefix(in, "\xEF\xBB\xBF"), "\n")
		covered := make([]int, len(lines)+2)
		for _, r := range recs {
			n := strings.Count(r.Raw, "\n") + 1
			for l := r.Line; l < r.Line+int64(n); l++ {
				if l < 1 || int(l) > len(lines) {
					t.Fatalf("record at line %d spans past the input (%d lines)", r.Line, len(lines))
				}
				covered[l]++
			}
		}
		for i, l := range lines {
			if strings.TrimSuffix(l, "\r") == "" {
				continue
			}
			if covered[i+1] != 1 {
				t.Fatalf("line %d %q covered %d times; records %+v", i+1, l, covered[i+1], recs)
			}
		}
		// Where encoding/csv accepts the input strictly, the fields must agree.
		cr := csv.NewReader(strings.NewReader(in))
		cr.FieldsPerRecord = -1
		want, err := cr.ReadAll()
		if err != nil || strings.ContainsRune(in, '\r') || strings.HasPrefix(in, "\xEF\xBB\xBF") {
			return
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
