package csvout_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"reflect"
	"testing"

	"github.com/ocmap/ocmap/internal/csvout"
)

func TestWrite(t *testing.T) {
	tests := []struct {
		name string
		cell string
		want string // the cell as written
		read string // the cell as a CSV reader gives it back
	}{
		{"plain", "Lahore", `Lahore`, "Lahore"},
		{"empty", "", ``, ""},
		{"hyperlink", `=HYPERLINK("x")`, `"'=HYPERLINK(""x"")"`, `'=HYPERLINK("x")`},
		{"dde", `-2+3+cmd|'/C calc'!A0`, `"'-2+3+cmd|'/C calc'!A0"`, `'-2+3+cmd|'/C calc'!A0`},
		{"plus", "+92 300", `"'+92 300"`, "'+92 300"},
		{"at", "@SUM(A1)", `"'@SUM(A1)"`, "'@SUM(A1)"},
		{"tab", "\t=1", "\"'\t=1\"", "'\t=1"},
		{"carriage return", "\r=1", "\"'\r=1\"", "'\r=1"},
		{"negative decimal", "-2.5", `-2.5`, "-2.5"},
		{"negative integer", "-17", `-17`, "-17"},
		{"signed", "+3", `+3`, "+3"},
		{"exponent", "-1.5e-3", `-1.5e-3`, "-1.5e-3"},
		{"minus alone", "-", `-`, "-"},
		{"equals alone", "=", `=`, "="},
		{"two signs", "--", `"'--"`, "'--"},
		{"minus infinity", "-Inf", `"'-Inf"`, "'-Inf"},
		{"formula inside", "a=1", `a=1`, "a=1"},
		{"comma", "Dera Ghazi Khan, Punjab", `"Dera Ghazi Khan, Punjab"`, "Dera Ghazi Khan, Punjab"},
		{"semicolon", "a;=1+1", `"a;=1+1"`, "a;=1+1"},
		{"quote", `5" pipe`, `"5"" pipe"`, `5" pipe`},
		{"newline", "two\nlines", "\"two\nlines\"", "two\nlines"},
		{"leading space", " x", `" x"`, " x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			w := csvout.NewWriter(&b)
			w.Write([]string{"a", tt.cell, "-2.5"})
			w.Flush()
			if err := w.Error(); err != nil {
				t.Fatal(err)
			}
			if got, want := b.String(), "a,"+tt.want+",-2.5\n"; got != want {
				t.Errorf("wrote %q, want %q", got, want)
			}
			rec, err := csv.NewReader(&b).Read()
			if err != nil {
				t.Fatal(err)
			}
			if got, want := rec, []string{"a", tt.read, "-2.5"}; !reflect.DeepEqual(got, want) {
				t.Errorf("read back %q, want %q", got, want)
			}
		})
	}
}

func TestIsNumber(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"0", true}, {"-17", true}, {"-2.5", true}, {"+3", true}, {".5", true}, {"5.", true}, {"1e5", true}, {"-1E+2", true},
		{"", false}, {"-", false}, {"+", false}, {".", false}, {"-.", false}, {"1e", false}, {"1e+", false},
		{"-2+3", false}, {"0x1F", false}, {"Inf", false}, {"-Inf", false}, {"NaN", false}, {"1,000", false}, {" 1", false},
	}
	for _, tt := range tests {
		if got, want := csvout.IsNumber(tt.s), tt.want; got != want {
			t.Errorf("IsNumber(%q) = %v, want %v", tt.s, got, want)
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteError(t *testing.T) {
	w := csvout.NewWriter(failWriter{})
	w.Write([]string{"a"})
	w.Flush()
	if got, want := fmt.Sprint(w.Error()), "disk full"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
}

func ExampleWriter() {
	w := csvout.NewWriter(os.Stdout)
	w.Write([]string{"district", "source", "change_pct"})
	w.Write([]string{"Lahore", `=HYPERLINK("http://x")`, "-2.5"})
	w.Flush()
	// Output:
	// district,source,change_pct
	// Lahore,"'=HYPERLINK(""http://x"")",-2.5
}
