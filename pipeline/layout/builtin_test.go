package layout

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBuiltin(t *testing.T) {
	all, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 2 {
		t.Fatalf("%d builtin layouts, want at least 2", len(all))
	}
	for _, l := range all {
		if got, want := l.Source, "builtin"; got != want {
			t.Errorf("%s: source %q, want %q", l.Name, got, want)
		}
	}
}

// TestBuiltinParsedOnce checks that the builtin layouts are parsed once and
// shared, and that a caller changing its slice does not change the next
// caller's.
func TestBuiltinParsedOnce(t *testing.T) {
	a, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	first := a[0]
	a[0] = nil
	b, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if b[0] != first {
		t.Errorf("second call: %v, want the layout the first call returned (%s)", b[0], first.Name)
	}
}

// TestFindDidYouMean checks that a misspelt layout name gets the name it
// is close to, canonical and auto included.
func TestFindDidYouMean(t *testing.T) {
	for name, want := range map[string]string{
		"canonicl":            `(did you mean "canonical"?)`,
		"pbc-suicide-atacks":  `(did you mean "pbc-suicide-attacks"?)`,
		"nothing-like-it-xyz": `: not a builtin layout`,
	} {
		_, err := Find(name)
		if !errors.Is(err, ErrUnknown) || !strings.Contains(err.Error(), want) {
			t.Errorf("Find(%q): %v, want ErrUnknown with %q", name, err, want)
		}
	}
	if _, err := Find("nothing-like-it-xyz"); strings.Contains(err.Error(), "did you mean") {
		t.Errorf("Find of a name close to none: %v, want no suggestion", err)
	}
}

// BenchmarkAuto is what --layout auto costs a file.
func BenchmarkAuto(b *testing.B) {
	header := []string{"incident_id", "category", "occurred_on", "lat", "lon"}
	for b.Loop() {
		if _, err := Auto(header); err != nil && !errors.Is(err, ErrNoMatch) {
			b.Fatal(err)
		}
	}
}

func TestFind(t *testing.T) {
	l, err := Find("pbc-suicide-attacks")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := l.Kind, KindContext; got != want {
		t.Errorf("kind %q, want %q", got, want)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "mine.yaml")
	if err := os.WriteFile(p, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err = Find(p)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := l.Source, p; got != want {
		t.Errorf("source %q, want %q", got, want)
	}
	_, err = Find("no-such-layout")
	if !errors.Is(err, ErrUnknown) || !strings.Contains(err.Error(), "pbc-political-attacks") {
		t.Errorf("unknown layout: %v, want ErrUnknown listing the builtin names", err)
	}
}

func TestAuto(t *testing.T) {
	tests := []struct {
		name    string
		columns []string
		want    string
		err     error
	}{
		{"suicide attacks", strings.Split("S#,Date,Islamic Date,Blast Day Type,Holiday Type,Time,City,Latitude,Longitude,Province,Location,"+
			"Location Category,Killed Min,Killed Max,Injured Min,Injured Max,No. of Suicide Blasts", ","), "pbc-suicide-attacks", nil},
		{"political attacks, case and spaces folded", strings.Split(" s# ,POLITICIAN,Day,date,City,Location,Location Category,Province,"+
			"Latitude,Longititude,Target Category,Party,Target Status,Killed,Injured", ","), "pbc-political-attacks", nil},
		{"canonical", strings.Split("incident_id,category,occurred_on,lat,lon", ","), "", ErrNoMatch},
		{"both", strings.Split("S#,Politician,Date,Longititude,Target Status,Killed,Injured,Islamic Date,Blast Day Type,Killed Max,"+
			"Injured Max,No. of Suicide Blasts", ","), "", ErrAmbiguous},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Auto(tt.columns)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, want := l.Name, tt.want; got != want {
				t.Errorf("layout %q, want %q", got, want)
			}
		})
	}
}

// TestAutoNoMatch checks what ingest says when no layout fits: the closest
// layout, what it lacks, how to write one, and no cell that is not a
// column name (a file without a header row starts with personal data).
func TestAutoNoMatch(t *testing.T) {
	tests := []struct {
		name    string
		columns []string
		want    []string
	}{
		{"a header", []string{"S#", "Date", "City", "Latitude", "Province", "S#,Date,City,Latitude,Province"},
			[]string{`(its columns: "S#", "Date", "City", "Latitude", "Province", ...)`,
				"closest: pbc-political-attacks, which has 2 of its 7 columns here",
				"ocmap layouts show pbc-political-attacks > my-layout.yaml"}},
		{"data", []string{"Ali Khan", "0300-1234567", "35202-1234567-1", "Lahore"},
			[]string{"its first row holds values, not column names", "ocmap layouts show pbc-suicide-attacks"}},
		{"binary", []string{"PK\x03\x04\x14", "Ali Khan"},
			[]string{"its first row holds values, not column names"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Auto(tt.columns)
			if !errors.Is(err, ErrNoMatch) {
				t.Fatalf("err %v, want ErrNoMatch", err)
			}
			msg := err.Error()
			for _, want := range tt.want {
				if !strings.Contains(msg, want) {
					t.Errorf("message lacks %q:\n%s", want, msg)
				}
			}
			for _, leak := range []string{"Ali", "0300", "35202", "\x03"} {
				if strings.Contains(msg, leak) {
					t.Errorf("message shows %q:\n%s", leak, msg)
				}
			}
		})
	}
}
