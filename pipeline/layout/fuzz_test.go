package layout

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary text to the layout parser: it must never panic,
// and it either returns a layout that passed validation or an ErrInvalid
// error, never both and never neither.
func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte("name: x\nfields: {occurred_on: {column: d}, district_hint: {column: c}}\ncategory: cybercrime\nmatch: [d]\n"))
	f.Add([]byte("name: [\n"))
	f.Add([]byte("fields:\n  lat: {column: a, coord: dms}\n"))
	// Bombs, refused before decoding: aliases, nesting.
	f.Add([]byte(laughs(4)))
	f.Add([]byte(laughs(9)))
	f.Add([]byte(strings.Repeat("[", 100) + strings.Repeat("]", 100)))
	f.Add([]byte(strings.Repeat("- ", 100) + "x\n"))
	f.Add([]byte(indented(40)))
	f.Add([]byte("a: &a {b: *a}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse("fuzz.yaml", data)
		switch {
		case err == nil && l == nil:
			t.Fatal("no layout and no error")
		case err != nil && l != nil:
			t.Fatal("a layout and an error")
		case err != nil && !errors.Is(err, ErrInvalid):
			t.Fatalf("error %v is not ErrInvalid", err)
		case err == nil && (l.Name == "" || l.Fields["occurred_on"].Column == "" && l.Fields["occurred_on"].Value == "" && len(l.Fields["occurred_on"].Columns) == 0):
			t.Fatalf("invalid layout accepted: %+v", l)
		}
	})
}
