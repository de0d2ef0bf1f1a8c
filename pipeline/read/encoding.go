package read

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// Encodings Decode knows, by canonical name. Aliases are accepted too:
// "utf8", "utf-8-sig", "cp1252", "latin1" and "iso-8859-1" (read as
// Windows-1252, its superset for printable text, as browsers do), "cp1256".
const (
	UTF8        = "utf-8"
	UTF8BOM     = "utf-8-bom"
	Windows1252 = "windows-1252"
	Windows1256 = "windows-1256" // Arabic script, as older Urdu files use
	UTF16       = "utf-16"       // byte-order mark decides; little-endian without one
	UTF16LE     = "utf-16le"
	UTF16BE     = "utf-16be"
)

var encodingAliases = map[string]string{
	"utf-8": UTF8, "utf8": UTF8,
	"utf-8-bom": UTF8BOM, "utf8-bom": UTF8BOM, "utf-8-sig": UTF8BOM, "utf8-sig": UTF8BOM,
	"windows-1252": Windows1252, "cp1252": Windows1252, "windows1252": Windows1252,
	"latin1": Windows1252, "latin-1": Windows1252, "iso-8859-1": Windows1252, "iso8859-1": Windows1252,
	"windows-1256": Windows1256, "cp1256": Windows1256, "windows1256": Windows1256,
	"utf-16": UTF16, "utf16": UTF16,
	"utf-16le": UTF16LE, "utf16le": UTF16LE,
	"utf-16be": UTF16BE, "utf16be": UTF16BE,
}

// canonicalEncoding returns the canonical name of enc.
func canonicalEncoding(enc string) (string, error) {
	if c, ok := encodingAliases[strings.ToLower(strings.TrimSpace(enc))]; ok {
		return c, nil
	}
	return "", fmt.Errorf("%w %q (known: %s, %s, %s, %s, %s)", ErrUnknownEncoding, enc, UTF8, UTF8BOM, Windows1252, Windows1256, UTF16)
}

// Decode returns a reader of r's text as UTF-8, r being in the encoding
// enc. A byte-order mark is removed. For "utf-8" r is returned as it is
// (the sources skip a BOM themselves and flag invalid bytes per record),
// unless it starts with a UTF-16 byte-order mark (UTF16ByBOM). The
// result keeps r's Name, so sources still name the file in errors.
func Decode(r io.Reader, enc string) (io.Reader, error) {
	c, err := canonicalEncoding(enc)
	if err != nil {
		return nil, err
	}
	var out io.Reader
	switch c {
	case UTF8:
		return UTF16ByBOM(r), nil
	case UTF8BOM:
		br := bufio.NewReader(r)
		if b, _ := br.Peek(len(utf8BOM)); bytes.Equal(b, utf8BOM) {
			br.Discard(len(utf8BOM))
		}
		out = br
	case Windows1252:
		out = charmap.Windows1252.NewDecoder().Reader(r)
	case Windows1256:
		out = charmap.Windows1256.NewDecoder().Reader(r)
	case UTF16, UTF16LE:
		out = unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder().Reader(r)
	case UTF16BE:
		out = unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder().Reader(r)
	}
	if name := nameOf(r); name != "" {
		return namedReader{out, name}, nil
	}
	return out, nil
}

type namedReader struct {
	io.Reader
	name string
}

func (n namedReader) Name() string { return n.name }

// Detect guesses the encoding of a file from a sample of its first bytes:
// a BOM decides; text that is valid UTF-8 is UTF-8 (ASCII included);
// otherwise it is Windows-1252, the usual encoding of files saved by Excel
// on Windows. why says what decided, naming the first byte that is not UTF-8.
// A sample cut in the middle of a character is still valid UTF-8.
func Detect(sample []byte) (enc string, why string) {
	switch {
	case bytes.HasPrefix(sample, utf8BOM):
		return UTF8BOM, "starts with the UTF-8 byte-order mark EF BB BF"
	case bytes.HasPrefix(sample, []byte{0xFF, 0xFE}):
		return UTF16, "starts with the UTF-16 little-endian byte-order mark FF FE (Excel's \"Unicode text\")"
	case bytes.HasPrefix(sample, []byte{0xFE, 0xFF}):
		return UTF16, "starts with the UTF-16 big-endian byte-order mark FE FF"
	}
	if enc, why := detectUTF16(sample); enc != "" {
		return enc, why
	}
	i := invalidAt(sample)
	if i < 0 {
		if n := multiByte(sample); n > 0 {
			return UTF8, fmt.Sprintf("valid UTF-8 with %d multi-byte characters", n)
		}
		return UTF8, fmt.Sprintf("all %d bytes are ASCII", len(sample))
	}
	return Windows1252, notUTF8(sample, i)
}

// CheckEncoding returns a warning for a person when the declared encoding
// contradicts the sample, or "" when it does not.
func CheckEncoding(declared string, sample []byte) (warning string) {
	enc, err := canonicalEncoding(declared)
	if err != nil {
		return err.Error()
	}
	utf16BOM := bytes.HasPrefix(sample, []byte{0xFF, 0xFE}) || bytes.HasPrefix(sample, []byte{0xFE, 0xFF})
	guess16, why16 := detectUTF16(sample)
	switch enc {
	case UTF8BOM, Windows1252, Windows1256:
		if utf16BOM {
			return fmt.Sprintf("declared %s, but the file starts with a UTF-16 byte-order mark: declare %s", declared, UTF16)
		}
		if guess16 != "" {
			return fmt.Sprintf("declared %s, but %s: declare %s", declared, why16, guess16)
		}
	case UTF8:
		if utf16BOM {
			return "" // read as UTF-16 (UTF16ByBOM)
		}
		if guess16 != "" {
			return fmt.Sprintf("declared %s, but %s: declare %s", declared, why16, guess16)
		}
	}
	switch enc {
	case UTF8, UTF8BOM:
		if i := invalidAt(sample); i >= 0 {
			return fmt.Sprintf("declared %s, but %s: declare %s", declared, notUTF8(sample, i), Windows1252)
		}
	case Windows1252, Windows1256:
		if bytes.HasPrefix(sample, utf8BOM) {
			return fmt.Sprintf("declared %s, but the file starts with the UTF-8 byte-order mark: declare %s", declared, UTF8BOM)
		}
		if invalidAt(sample) >= 0 {
			return ""
		}
		n := multiByte(sample)
		if n == 0 {
			return ""
		}
		first := 0
		for first < len(sample) && sample[first] < utf8.RuneSelf {
			first++
		}
		r, size := utf8.DecodeRune(sample[first:])
		cm := charmap.Windows1252
		if enc == Windows1256 {
			cm = charmap.Windows1256
		}
		garbled, _ := cm.NewDecoder().Bytes(sample[first : first+size])
		return fmt.Sprintf("declared %s, but the text is valid UTF-8 with %d multi-byte characters (the first, %q at offset %d, line %d, would read %q): declare %s",
			declared, n, r, first, lineAt(sample, first), garbled, UTF8)
	case UTF16, UTF16LE, UTF16BE:
		if !utf16BOM && guess16 == "" {
			return fmt.Sprintf("declared %s, but the file has neither a UTF-16 byte-order mark nor the 0x00 bytes of UTF-16 text", declared)
		}
	}
	return ""
}

// invalidAt returns the offset of the first byte that is not UTF-8, or -1.
// A character cut off by the end of the sample is not counted as invalid.
func invalidAt(sample []byte) int {
	i := firstInvalid(sample)
	if i >= 0 && len(sample)-i < utf8.UTFMax && !utf8.FullRune(sample[i:]) {
		return -1
	}
	return i
}

func multiByte(b []byte) int {
	n := 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		i += size
		if r != utf8.RuneError || size > 1 {
			n++
		}
	}
	return n
}

func lineAt(b []byte, off int) int { return 1 + bytes.Count(b[:off], []byte{'\n'}) }

// detectUTF16 recognizes UTF-16 text without a BOM by its 0x00 bytes: ASCII
// in UTF-16 has one in every other position, which no other encoding here has.
func detectUTF16(b []byte) (enc, why string) {
	if len(b) < 4 {
		return "", ""
	}
	var even, odd int
	for i, c := range b {
		if c == 0 {
			if i%2 == 0 {
				even++
			} else {
				odd++
			}
		}
	}
	half := len(b) / 2
	switch {
	case odd > half/2 && even <= odd/8:
		return UTF16LE, fmt.Sprintf("%d of %d odd bytes are 0x00, as in UTF-16LE text", odd, half)
	case even > half/2 && odd <= even/8:
		return UTF16BE, fmt.Sprintf("%d of %d even bytes are 0x00, as in UTF-16BE text", even, half)
	}
	return "", ""
}

// notUTF8 describes the byte at i, which is not UTF-8, as Windows-1252.
func notUTF8(sample []byte, i int) string {
	b := sample[i]
	s := fmt.Sprintf("byte 0x%02X at offset %d (line %d) is not UTF-8; looks like Windows-1252 %s", b, i, lineAt(sample, i), cp1252Name(b))
	// Latin text rarely has several accented letters in a row; Arabic-script
	// text in a single-byte code page has nothing else.
	run, multi := scanInvalid(sample)
	if run >= 4 {
		s += fmt.Sprintf(", but it has %d such bytes in a row, as Urdu in %s has: check the decoded text", run, Windows1256)
	}
	if multi > 0 {
		s += fmt.Sprintf("; it also has %d valid UTF-8 multi-byte characters, so it may mix encodings", multi)
	}
	return s
}

func cp1252Name(b byte) string {
	switch b {
	case 0x80:
		return "euro sign €"
	case 0x85:
		return "ellipsis …"
	case 0x91, 0x92, 0x93, 0x94:
		r, _ := decodeByte(charmap.Windows1252, b)
		return "curly quote " + string(r)
	case 0x95:
		return "bullet •"
	case 0x96:
		return "en dash –"
	case 0x97:
		return "em dash —"
	case 0xA0:
		return "no-break space"
	case 0x81, 0x8D, 0x8F, 0x90, 0x9D:
		return "(no: this byte is undefined there too; the file may use another code page)"
	}
	r, _ := decodeByte(charmap.Windows1252, b)
	if b >= 0xC0 {
		return "letter " + string(r)
	}
	return "character " + string(r)
}

func decodeByte(e encoding.Encoding, b byte) (rune, error) {
	out, err := e.NewDecoder().Bytes([]byte{b})
	r, _ := utf8.DecodeRune(out)
	return r, err
}

// scanInvalid returns the longest run of bytes that are not UTF-8 and the
// number of valid multi-byte characters.
func scanInvalid(b []byte) (longest, multi int) {
	run := 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			run = 0
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			run++
			longest = max(longest, run)
		} else {
			run = 0
			multi++
		}
		i += size
	}
	return longest, multi
}

// UTF16ByBOM returns a reader of r's text as UTF-8 when r starts with a
// UTF-16 byte-order mark (FF FE, as Excel's "Unicode text" saves; or FE
// FF), and one of r as it is otherwise. No UTF-8 text starts with those
// bytes, so a file read as UTF-8 (canonical files, layouts that declare no
// encoding) that starts with them is UTF-16 and nothing else; read as
// bytes it was a header of NUL characters. The result keeps r's Name.
func UTF16ByBOM(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	var out io.Reader = br
	if b, _ := br.Peek(2); len(b) == 2 && (b[0] == 0xFF && b[1] == 0xFE || b[0] == 0xFE && b[1] == 0xFF) {
		out = unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder().Reader(br)
	}
	if name := nameOf(r); name != "" {
		return namedReader{out, name}
	}
	return out
}
