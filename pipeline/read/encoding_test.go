package read

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		enc  string
		in   string
		want string
	}{
		{"utf-8 as is", "utf-8", "\xEF\xBB\xBFa,ڈیرہ", "\xEF\xBB\xBFa,ڈیرہ"},
		{"utf-8-bom strips the BOM", "UTF-8-BOM", "\xEF\xBB\xBFa,b", "a,b"},
		{"utf-8-bom without a BOM", "utf-8-sig", "a,b", "a,b"},
		{"windows-1252 quotes and no-break space", "windows-1252", "SHO\x92s\xa0\x93FIR\x94", "SHO’s\u00a0“FIR”"},
		{"cp1252 alias, letters", "cp1252", "caf\xe9 \x80", "café €"},
		{"latin1 read as windows-1252", "latin1", "\x96", "–"},
		{"windows-1256 Urdu", "windows-1256", "\xcf\xc7\xdd", "داف"},
		{"utf-16 with a little-endian BOM", "utf-16", "\xff\xfea\x00,\x00\x48\x06", "a,و"},
		{"utf-16be with a BOM", "utf-16be", "\xfe\xff\x00a", "a"},
		// No UTF-8 text starts with a UTF-16 byte-order mark: read as
		// UTF-16, not as a header of NUL characters.
		{"utf-8 declared, UTF-16LE BOM", "utf-8", "\xff\xfea\x00,\x00\x48\x06", "a,و"},
		{"utf-8 declared, UTF-16BE BOM", "utf-8", "\xfe\xff\x00a\x00,", "a,"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Decode(strings.NewReader(tt.in), tt.enc)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := string(b), tt.want; got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

func TestDecodeUnknown(t *testing.T) {
	_, err := Decode(strings.NewReader(""), "ebcdic")
	if !errors.Is(err, ErrUnknownEncoding) {
		t.Fatalf("got %v, want ErrUnknownEncoding", err)
	}
}

func TestDecodeKeepsName(t *testing.T) {
	path := filepath.Join(t.TempDir(), "anf.csv")
	if err := os.WriteFile(path, []byte("a\n\x92\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := Decode(f, "windows-1252")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := nameOf(r), path; got != want {
		t.Fatalf("name %q, want %q", got, want)
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name   string
		sample string
		enc    string
		why    string
	}{
		{"BOM", "\xEF\xBB\xBFid,x", "utf-8-bom", "starts with the UTF-8 byte-order mark EF BB BF"},
		{"ASCII", "id,x\n1,2\n", "utf-8", "all 9 bytes are ASCII"},
		{"Urdu UTF-8", "ضلع\nڈیرہ اسماعیل خان", "utf-8", "valid UTF-8 with 17 multi-byte characters"},
		{"character cut by the sample's end", "id,ڈ\n\xda", "utf-8", "valid UTF-8 with 1 multi-byte characters"},
		{"curly quote", "id,x\nSHO\x92s", "windows-1252", "byte 0x92 at offset 8 (line 2) is not UTF-8; looks like Windows-1252 curly quote ’"},
		{"no-break space", "a\xa0b", "windows-1252", "byte 0xA0 at offset 1 (line 1) is not UTF-8; looks like Windows-1252 no-break space"},
		{"accented letter", "Caf\xe9 ", "windows-1252", "byte 0xE9 at offset 3 (line 1) is not UTF-8; looks like Windows-1252 letter é"},
		{"mixed", "ڈ\x93", "windows-1252", "byte 0x93 at offset 2 (line 1) is not UTF-8; looks like Windows-1252 curly quote “; it also has 1 valid UTF-8 multi-byte characters, so it may mix encodings"},
		{"Urdu in windows-1256", "\xcf\xc7\xdd\xe1 x", "windows-1252", "byte 0xCF at offset 0 (line 1) is not UTF-8; looks like Windows-1252 letter Ï, but it has 4 such bytes in a row, as Urdu in windows-1256 has: check the decoded text"},
		{"UTF-16 BOM", "\xff\xfei\x00d\x00", "utf-16", "starts with the UTF-16 little-endian byte-order mark FF FE (Excel's \"Unicode text\")"},
		{"UTF-16LE without BOM", "i\x00d\x00,\x00x\x00", "utf-16le", "4 of 4 odd bytes are 0x00, as in UTF-16LE text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, why := Detect([]byte(tt.sample))
			if got, want := enc, tt.enc; got != want {
				t.Errorf("enc %q, want %q", got, want)
			}
			if got, want := why, tt.why; got != want {
				t.Errorf("why %q\nwant     %q", got, want)
			}
		})
	}
}

func TestCheckEncoding(t *testing.T) {
	tests := []struct {
		name     string
		declared string
		sample   string
		want     string
	}{
		{"utf-8 fine", "utf-8", "ڈیرہ", ""},
		{"windows-1252 fine", "windows-1252", "SHO\x92s", ""},
		{"windows-1252 on ASCII", "windows-1252", "id,x", ""},
		{"utf-8 with a BOM declared utf-8", "utf-8", "\xEF\xBB\xBFid", ""},
		{"utf-8 but Windows-1252", "utf-8", "id\nSHO\x92s", "declared utf-8, but byte 0x92 at offset 6 (line 2) is not UTF-8; looks like Windows-1252 curly quote ’: declare windows-1252"},
		{"windows-1252 but UTF-8", "windows-1252", "id,x\nڈیرہ", "declared windows-1252, but the text is valid UTF-8 with 4 multi-byte characters (the first, 'ڈ' at offset 5, line 2, would read \"Úˆ\"): declare utf-8"},
		{"windows-1252 but a BOM", "cp1252", "\xEF\xBB\xBFid", "declared cp1252, but the file starts with the UTF-8 byte-order mark: declare utf-8-bom"},
		{"utf-8 but UTF-16 with a BOM: read as UTF-16", "utf-8", "\xff\xfei\x00", ""},
		{"utf-8 but UTF-16 without a BOM", "utf-8", "i\x00d\x00,\x00x\x00", "declared utf-8, but 4 of 4 odd bytes are 0x00, as in UTF-16LE text: declare utf-16le"},
		{"windows-1252 but UTF-16", "windows-1252", "\xff\xfei\x00", "declared windows-1252, but the file starts with a UTF-16 byte-order mark: declare utf-16"},
		{"utf-16 but not", "utf-16", "id,x", "declared utf-16, but the file has neither a UTF-16 byte-order mark nor the 0x00 bytes of UTF-16 text"},
		{"unknown", "klingon", "", "read: unknown encoding \"klingon\" (known: utf-8, utf-8-bom, windows-1252, windows-1256, utf-16)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := CheckEncoding(tt.declared, []byte(tt.sample)), tt.want; got != want {
				t.Errorf("got  %q\nwant %q", got, want)
			}
		})
	}
}

// TestDetectSharedData checks Detect on the real incident files, which were
// saved by Excel on Windows.
func TestDetectSharedData(t *testing.T) {
	dir := os.Getenv("OCMAP_SHARED_DATA")
	if dir == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("OCMAP_SHARED_DATA is not set")
		}
		t.Skip("OCMAP_SHARED_DATA is not set")
	}
	paths, err := filepath.Glob(filepath.Join(dir, "incidents", "*.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no incidents/*.csv in %s", dir)
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			enc, why := Detect(b)
			if got, want := enc, Windows1252; got != want {
				t.Fatalf("detected %s (%s), want %s", got, why, want)
			}
			t.Logf("%s: %s", enc, why)
			if w := CheckEncoding(UTF8, b); w == "" {
				t.Error("no warning for declaring utf-8")
			}
			r, err := Decode(strings.NewReader(string(b)), enc)
			if err != nil {
				t.Fatal(err)
			}
			src, err := NewCSV(r, CSVOptions{})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for src.Next() {
				if m := src.Malformed(); strings.Contains(m, "UTF-8") {
					t.Fatalf("line %d: %s", src.Line(), m)
				}
				n++
			}
			if err := src.Err(); err != nil || n == 0 {
				t.Fatalf("read %d records, err %v", n, err)
			}
		})
	}
}

// FuzzDecode1252 checks that any bytes decode to valid UTF-8, one
// character per byte.
func FuzzDecode1252(f *testing.F) {
	for _, s := range []string{"", "abc", "SHO\x92s\xa0\x93x\x94", "\x81\x8d\x8f\x90\x9d", "\xff\xfe\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := Decode(strings.NewReader(string(in)), Windows1252)
		if err != nil {
			t.Fatal(err)
		}
		out, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.Valid(out) {
			t.Fatalf("%q decoded to invalid UTF-8 %q", in, out)
		}
		if got, want := utf8.RuneCount(out), len(in); got != want {
			t.Fatalf("%q decoded to %d characters, want %d", in, got, want)
		}
	})
}
