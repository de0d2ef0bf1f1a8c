package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the .golden files from the summaries")

// TestSummary reads fixed go test -json outputs (testdata/*.jsonl, from a
// sample module with passing, failing, skipped, panicking and unbuildable
// tests) and compares the summary and exit status with testdata/*.golden.
func TestSummary(t *testing.T) {
	for _, tt := range []struct {
		name string
		code int
	}{
		{"failing", 1},
		{"passing", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in, err := os.Open(filepath.Join("testdata", tt.name+".jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			defer in.Close()
			var out, errOut bytes.Buffer
			code := run(context.Background(), nil, in, &out, &errOut)
			if got, want := code, tt.code; got != want {
				t.Errorf("exit %d, want %d", got, want)
			}
			golden := filepath.Join("testdata", tt.name+".golden")
			if *update {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got := out.String(); got != string(want) {
				t.Errorf("summary:\n%s\nwant:\n%s", got, want)
			}
			if errOut.Len() > 0 {
				t.Errorf("stderr: %s", errOut.String())
			}
		})
	}
}

// TestSummaryLines checks the lines a reader looks for, apart from the
// golden files: each skipped test with its package and reason, each
// failure with its output, and the verdict.
func TestSummaryLines(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "failing.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	run(context.Background(), nil, bytes.NewReader(in), &out, &out)
	for _, want := range []string{
		"skipped (2):\n",
		"  TestSkip (example.com/sample/a): a_test.go:7: OCMAP_BOUNDARIES is not set\n",
		"  TestSub/shapely (example.com/sample/a): a_test.go:15: python3-shapely is not installed: no module named shapely\n",
		"--- TestFail (example.com/sample/a)\n=== RUN   TestFail\n    a_test.go:10: got 3 districts\n    a_test.go:11: want 4\n",
		"--- build failed (example.com/sample/c)\n# example.com/sample/c [example.com/sample/c.test]\nc/c_test.go:5:33: undefined: undefined\n",
		"panic: assignment to entry in nil map",
		"\nFAIL: 4 passed, 2 failed, 2 skipped; 1 package(s) did not build\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
}

// TestSummaryCut: output that ends while a test runs (go test killed, the
// pipe cut) is a failure naming the test.
func TestSummaryCut(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "passing.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	cut := string(in) + `{"Action":"run","Package":"example.com/sample/g","Test":"TestSlow"}
{"Action":"output","Package":"example.com/sample/g","Test":"TestSlow","Output":"=== RUN   TestSlow\n"}
`
	var out bytes.Buffer
	if got, want := run(context.Background(), nil, strings.NewReader(cut), &out, &out), 1; got != want {
		t.Errorf("exit %d, want %d", got, want)
	}
	if !strings.Contains(out.String(), "--- TestSlow (did not finish) (example.com/sample/g)\n") {
		t.Errorf("summary does not name the unfinished test:\n%s", out.String())
	}
}

// TestRunGoTest runs a stand-in for go test ($GO): its exit status counts
// even when its output shows no failure (a bad flag), and a failure in the
// output counts even when it exits 0.
func TestRunGoTest(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name, input string
		exit, want  int
		says        string
	}{
		{"passes", "passing.jsonl", 0, 0, "\nPASS: 2 passed, 0 failed, 1 skipped\n"},
		{"go test fails alone", "passing.jsonl", 1, 1, "FAIL: " + filepath.Join(dir, "go") + " test exited with status 1\n"},
		{"a test fails", "failing.jsonl", 0, 1, "\nFAIL: 4 passed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			abs, err := filepath.Abs(filepath.Join("testdata", tt.input))
			if err != nil {
				t.Fatal(err)
			}
			script := "#!/bin/sh\n[ \"$1 $2\" = \"test -json\" ] || { echo \"args: $*\" >&2; exit 9; }\ncat '" + abs + "'\nexit " + string(rune('0'+tt.exit)) + "\n"
			goCmd := filepath.Join(dir, "go")
			if err := os.WriteFile(goCmd, []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
			t.Setenv("GO", goCmd)
			var out, errOut bytes.Buffer
			if got, want := run(context.Background(), []string{"-count=1", "./..."}, nil, &out, &errOut), tt.want; got != want {
				t.Errorf("exit %d, want %d\n%s%s", got, want, out.String(), errOut.String())
			}
			if !strings.Contains(out.String(), tt.says) {
				t.Errorf("output lacks %q:\n%s", tt.says, out.String())
			}
		})
	}
}
