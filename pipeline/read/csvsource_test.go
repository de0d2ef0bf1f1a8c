package read

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

func TestCSV(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		opt     CSVOptions
		cols    []string
		want    []srec
		dropped []Dropped
	}{
		{
			name: "plain, header trimmed",
			in:   " FIR No , District\n1,Zhob\n2,Quetta\n",
			cols: []string{"FIR No", "District"},
			want: []srec{ok(2, "1,Zhob", "1", "Zhob"), ok(3, "2,Quetta", "2", "Quetta")},
		},
		{
			name: "header on line 3 after a title and a note",
			in:   "Police FIR register, \"2023, Punjab\"\nprinted 2024-01-02\nid,district\r\n7,Lahore\r\n",
			opt:  CSVOptions{HeaderRow: 3},
			cols: []string{"id", "district"},
			want: []srec{ok(4, "7,Lahore", "7", "Lahore")},
		},
		{
			name:    "footer of two records, streaming",
			in:      "id,n\n1,5\n2,6\n\nTotal,11\nprinted by SHO,\n",
			opt:     CSVOptions{FooterRows: 2},
			cols:    []string{"id", "n"},
			want:    []srec{ok(2, "1,5", "1", "5"), ok(3, "2,6", "2", "6")},
			dropped: []Dropped{{5, "Total,11"}, {6, "printed by SHO,"}},
		},
		{
			name:    "footer longer than the data",
			in:      "id\n1\n",
			opt:     CSVOptions{FooterRows: 3},
			cols:    []string{"id"},
			dropped: []Dropped{{2, "1"}},
		},
		{
			name:    "blank records skipped before the footer counts",
			in:      "id,n\n1,5\n,,\n2,6\nTotal,11\n , \n,\n",
			opt:     CSVOptions{FooterRows: 1},
			cols:    []string{"id", "n"},
			want:    []srec{ok(2, "1,5", "1", "5"), ok(4, "2,6", "2", "6")},
			dropped: []Dropped{{5, "Total,11"}},
		},
		{
			name: "records of only commas and spaces are blank lines",
			in:   "id,n\n,\n , \n\"\",\n3,\n",
			cols: []string{"id", "n"},
			want: []srec{ok(5, "3,", "3", "")},
		},
		{
			name: "field counts",
			in:   "a,b,c\n1,2\n1,2,3,\n1,2,3, ,\n1,2,3,4\n",
			cols: []string{"a", "b", "c"},
			want: []srec{
				bad(2, "1,2", "has 2 fields, the header has 3"),
				ok(3, "1,2,3,", "1", "2", "3"),
				ok(4, "1,2,3, ,", "1", "2", "3"),
				bad(5, "1,2,3,4", "has 4 fields, the header has 3"),
			},
		},
		{
			name: "trailing empty header cells dropped",
			in:   "a,b,,\n1,2,,\n",
			cols: []string{"a", "b"},
			want: []srec{ok(2, "1,2,,", "1", "2")},
		},
		{
			name: "malformed quote and invalid UTF-8 keep going",
			in:   "a,b\n1,\"oops\n2,caf\xe9\n3,\"x\ny\"\n",
			cols: []string{"a", "b"},
			want: []srec{
				bad(2, "1,\"oops", "field 2: text after the closing quote"),
				bad(3, "2,caf\xe9", "text is not valid UTF-8 (byte 0xE9 at column 6); declare the file's encoding, such as windows-1252"),
				ok(4, "3,\"x\ny\"", "3", "x\ny"),
			},
		},
		{
			name: "semicolons",
			in:   "a;b\n1,5;2\n",
			opt:  CSVOptions{Comma: ';'},
			cols: []string{"a", "b"},
			want: []srec{ok(2, "1,5;2", "1,5", "2")},
		},
		{
			name: "header only",
			in:   "\xEF\xBB\xBFa,b\n",
			cols: []string{"a", "b"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(tt.in), iotest.OneByteReader(strings.NewReader(tt.in))} {
				src, err := NewCSV(r, tt.opt)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := src.Columns(), tt.cols; !reflect.DeepEqual(got, want) {
					t.Errorf("columns %q, want %q", got, want)
				}
				if got, want := drain(t, src), tt.want; !reflect.DeepEqual(got, want) {
					t.Errorf("got  %+v\nwant %+v", got, want)
				}
				got := src.(interface{ Dropped() []Dropped }).Dropped()
				if len(got) != 0 || len(tt.dropped) != 0 {
					if !reflect.DeepEqual(got, tt.dropped) {
						t.Errorf("dropped %+v, want %+v", got, tt.dropped)
					}
				}
			}
		})
	}
}

func TestCSVHeaderErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opt  CSVOptions
		want string
	}{
		{"empty file", "", CSVOptions{}, "read: no header: the file ends before line 1"},
		{"ends before the header", "title\n", CSVOptions{HeaderRow: 4}, "read: no header: the file ends before line 4"},
		{"header line blank", "title\n\na,b\n", CSVOptions{HeaderRow: 2}, "line 2: read: no header: the line is blank or inside a quoted field (the next record starts on line 3)"},
		{"header malformed", "a,\"b\nc\n", CSVOptions{}, "line 1: read: no header: unclosed quote: the field's closing quote is missing"},
		{"header not UTF-8", "caf\xe9,b\n", CSVOptions{}, "line 1: read: no header: header text is not valid UTF-8 (byte 0xE9 at column 4); declare the file's encoding, such as windows-1252"},
		{"header empty", " , \n", CSVOptions{}, "line 1: read: no header: the header line is empty"},
		{"negative footer", "a\n", CSVOptions{FooterRows: -1}, "read: invalid options: header row 0, footer rows -1"},
		{"CR-only line endings", "fir,district,cnic,phone\r1,Lahore,35202-1234567-1,0300-1234567\r", CSVOptions{},
			"line 1: read: no header: the line goes on past a carriage return (CR): the file's lines end with CR only, as old Mac programs write them; save it with Windows (CRLF) or Unix (LF) line endings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewCSV(strings.NewReader(tt.in), tt.opt)
			if err == nil {
				t.Fatal("no error")
			}
			if got, want := err.Error(), tt.want; got != want {
				t.Errorf("got  %q\nwant %q", got, want)
			}
		})
	}
}

func TestCSVErrorsNameTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fir 2023.csv")
	if err := os.WriteFile(path, []byte("title\n\xe9,b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = NewCSV(f, CSVOptions{HeaderRow: 2})
	if !errors.Is(err, ErrNoHeader) || !strings.HasPrefix(err.Error(), path+":2: ") {
		t.Fatalf("got %v, want an ErrNoHeader starting %q", err, path+":2: ")
	}
}

func TestCSVWindows1252(t *testing.T) {
	in := "id,note\n1,SHO\x92s report\xa0\x93seized\x94\n"
	r, err := Decode(strings.NewReader(in), "windows-1252")
	if err != nil {
		t.Fatal(err)
	}
	src, err := NewCSV(r, CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := drain(t, src)
	if want := []srec{ok(2, "1,SHO’s report\u00a0“seized”", "1", "SHO’s report\u00a0“seized”")}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestCSVLargeFooter(t *testing.T) {
	// Many records through a small ring: every data record comes out once,
	// in order, and only the last three are dropped.
	var b strings.Builder
	b.WriteString("id,x\n")
	for i := 1; i <= 5000; i++ {
		fmt.Fprintf(&b, "%d,\"v\n%d\"\n", i, i)
	}
	src, err := NewCSV(strings.NewReader(b.String()), CSVOptions{FooterRows: 3})
	if err != nil {
		t.Fatal(err)
	}
	got := drain(t, src)
	if len(got) != 4997 {
		t.Fatalf("got %d records, want 4997", len(got))
	}
	for i, r := range got {
		if want := fmt.Sprint(i + 1); r.Fields[0] != want || r.Fields[1] != "v\n"+want || r.Line != int64(2+2*i) {
			t.Fatalf("record %d: %+v", i, r)
		}
	}
}

func ExampleNewCSV() {
	in := "FIR register 2023\nFIR,District,Drug\n12,Zhob,charas\n13,Quetta,heroin\nTotal,,2\n"
	src, err := NewCSV(strings.NewReader(in), CSVOptions{HeaderRow: 2, FooterRows: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(src.Columns())
	for src.Next() {
		fmt.Printf("line %d: %q\n", src.Line(), src.Fields())
	}
	// Output:
	// [FIR District Drug]
	// line 3: ["12" "Zhob" "charas"]
	// line 4: ["13" "Quetta" "heroin"]
}

func TestCSVFieldHygiene(t *testing.T) {
	ctl := func(col string, c string) string {
		return "column " + col + " holds the control character " + c + ", which is not text: the file may be damaged, or UTF-16 read as UTF-8"
	}
	tests := []struct {
		name string
		in   string
		want []srec
	}{
		{"NUL rejects the row, naming the column", "id,district\n1,Lah\x00ore\n2,Lahore\n",
			[]srec{bad(2, "1,Lah\x00ore", ctl(`"district"`, "0x00 (NUL)")), ok(3, "2,Lahore", "2", "Lahore")}},
		{"other C0 in short and long lines", "id,district\n\x01,x\n2,\"a long district name\x1B\"\n3,\"still a long name\"\x02\n",
			[]srec{bad(2, "\x01,x", ctl(`"id"`, "0x01")), bad(3, "2,\"a long district name\x1B\"", ctl(`"district"`, "0x1B")), bad(4, "3,\"still a long name\"\x02", "field 2: text after the closing quote")}},
		{"control character in the middle of a long line", "id,district\n4,Lahore Cantonment\x00 and more text after it\n",
			[]srec{bad(2, "4,Lahore Cantonment\x00 and more text after it", ctl(`"district"`, "0x00 (NUL)"))}},
		{"tab and quoted line breaks are text", "id,district\n1\t,\"Lahore\r\nCantt\"\n",
			[]srec{ok(2, "1\t,\"Lahore\r\nCantt\"", "1\t", "Lahore\r\nCantt")}},
		{"byte-order marks in later lines and fields", "id,district\n\xEF\xBB\xBF7,Lahore\n8,\"\xEF\xBB\xBFZhob\xEF\xBB\xBF\"\n\xEF\xBB\xBF,\n",
			[]srec{ok(2, "\xEF\xBB\xBF7,Lahore", "7", "Lahore"), ok(3, "8,\"\xEF\xBB\xBFZhob\xEF\xBB\xBF\"", "8", "Zhob")}},
		{"control character in an extra field", "id\n1,\x00\n",
			[]srec{bad(2, "1,\x00", "field 2 holds the control character 0x00 (NUL), which is not text: the file may be damaged, or UTF-16 read as UTF-8")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(tt.in), iotest.OneByteReader(strings.NewReader(tt.in))} {
				src, err := NewCSV(r, CSVOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if got, want := drain(t, src), tt.want; !reflect.DeepEqual(got, want) {
					t.Errorf("got  %#v\nwant %#v", got, want)
				}
			}
		})
	}
}

// TestCSVCounts: every line is a record or a blank line, however long.
func TestCSVCounts(t *testing.T) {
	in := "id,x\n1,a\n" + strings.Repeat("9", 3<<20) + ",b\n,,\n3,c\n \n4,d\n"
	src, err := NewCSV(strings.NewReader(in), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var lines []int64
	bad := 0
	for src.Next() {
		lines = append(lines, src.Line())
		if src.Malformed() != "" {
			bad++
		}
	}
	if got, want := lines, []int64{2, 3, 5, 7}; !reflect.DeepEqual(got, want) {
		t.Errorf("lines %v, want %v", got, want)
	}
	if got, want := bad, 1; got != want {
		t.Errorf("%d malformed, want %d", got, want)
	}
	if got, want := src.(interface{ Blank() int64 }).Blank(), int64(2); got != want {
		t.Errorf("%d blank lines, want %d", got, want)
	}
}
