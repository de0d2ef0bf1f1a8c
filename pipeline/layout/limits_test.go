package layout

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// laughs returns a billion-laughs document: levels anchors, each a list of
// ten aliases of the one before, so that the last expands to 10^levels.
func laughs(levels int) string {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < levels; i++ {
		alias := fmt.Sprintf("*a%d", i-1)
		fmt.Fprintf(&b, "a%d: &a%d [%s]\n", i, i, strings.Repeat(alias+", ", 9)+alias)
	}
	return b.String()
}

// indented returns a mapping nested levels deep by indentation.
func indented(levels int) string {
	var b strings.Builder
	for i := 0; i < levels; i++ {
		fmt.Fprintf(&b, "%sa:\n", strings.Repeat("  ", i))
	}
	return b.String()
}

func TestParseLimits(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		// 10^9 strings when decoded; the aliases of the fifth line take the
		// nodes they add past 100,000 (100 + 1,100 + 11,100 + 111,100).
		{"billion laughs", laughs(9), "bomb.yaml:5: aliases (*name) expand to more than 100000 nodes"},
		{"laughs in a second document", "name: x\n---\n" + laughs(9), "bomb.yaml:7: aliases (*name) expand"},
		{"100,000 brackets", strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000), "bomb.yaml:1: nested deeper than 64 levels"},
		{"100,000 sequences on a line", strings.Repeat("- ", 100_000) + "x\n", "bomb.yaml:1: nested deeper than 64 levels"},
		// A key and its colon are two levels: the 33rd key is the 65th.
		{"indented maps", indented(100), "bomb.yaml:33: nested deeper than 64 levels"},
		{"brackets in a field", "fields:\n  place: " + strings.Repeat("{a: ", 100) + "b" + strings.Repeat("}", 100) + "\n", "bomb.yaml:2: nested deeper than 64 levels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Parse("bomb.yaml", []byte(tt.src))
			if err == nil {
				t.Fatalf("parsed %+v, want an error containing %q", l, tt.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v is not ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error\n  %.300v\nwant it to contain\n  %s", err, tt.want)
			}
		})
	}
}

// TestParseAliasesWithinBudget checks that a layout may still share a value
// through an anchor.
func TestParseAliasesWithinBudget(t *testing.T) {
	src := strings.Replace(good, "  source: {value: ANF}\n", "  source: {value: ANF}\n  statute: {column: Act, map: &acts {cnsa: CNSA 1997, ctco: CTCO}}\n  section: {column: Sec, map: *acts}\n", 1)
	l, err := Parse("anf.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := l.Fields["section"].Map["ctco"], "CTCO"; got != want {
		t.Errorf("section map ctco = %q, want %q", got, want)
	}
}

func TestParseTooLarge(t *testing.T) {
	defer func(n int) { maxBytes = n }(maxBytes)
	maxBytes = 1000
	src := good + "# " + strings.Repeat("padding ", 100) + "\n"
	_, err := Parse("big.yaml", []byte(src))
	if got, want := fmt.Sprint(err), "layout: invalid: big.yaml: larger than 1000 bytes, the limit for a layout file (layouts are a few KiB)"; got != want {
		t.Errorf("Parse: error %q, want %q", got, want)
	}
	// Load reads no more than the limit and one byte.
	p := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(p)
	if got, want := fmt.Sprint(err), "layout: invalid: big.yaml: larger than 1000 bytes"; !strings.Contains(got, want) {
		t.Errorf("Load: error %q, want it to contain %q", got, want)
	}
	if _, err := Parse("good.yaml", []byte(good)); err != nil {
		t.Errorf("a %d-byte layout under the limit: %v", len(good), err)
	}
}

// TestBuiltinDepth checks that the builtin layouts nest well within the
// limit: they parse with a quarter of it.
func TestBuiltinDepth(t *testing.T) {
	defer func(n int) { maxDepth = n }(maxDepth)
	maxDepth /= 4
	all, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(all), 6; got < want {
		t.Errorf("%d builtin layouts, want at least %d", got, want)
	}
}

// TestParseErrorsCapped checks that a file with many mistakes reports the
// first few and counts the rest.
func TestParseErrorsCapped(t *testing.T) {
	var m strings.Builder
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&m, "v%02d: not-a-category, ", i)
	}
	src := strings.Replace(good, "category: drug_trafficking\n", "", 1)
	src = strings.Replace(src, "  source: {value: ANF}\n", "  source: {value: ANF}\n  category: {column: Kind, map: {"+m.String()+"}}\n", 1)
	_, err := Parse("anf.yaml", []byte(src))
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if got, want := len(lines), maxErrors+1; got != want {
		t.Errorf("%d lines, want %d:\n%v", got, want, err)
	}
	if got, want := strings.TrimSpace(lines[len(lines)-1]), "and 10 more errors"; got != want {
		t.Errorf("last line %q, want %q", got, want)
	}
}
