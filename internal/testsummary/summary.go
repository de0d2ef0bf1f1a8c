package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// maxLine bounds one line of go test -json's output (a test's output line
// is one event); 64 MiB is far beyond any log line of ours.
const maxLine = 64 << 20

// event is one line of go test -json (cmd/test2json).
type event struct {
	Action      string
	Package     string
	Test        string
	Output      string
	Elapsed     float64
	ImportPath  string // build-output and build-fail events
	FailedBuild string // a package's fail event when its test binary did not build
}

type key struct{ pkg, test string }

// result is a test, or a package, that failed or was skipped.
type result struct {
	pkg, test string
	lines     []string
}

type summary struct {
	w        io.Writer
	out      map[key][]string    // output of the tests running, and of packages (test "")
	build    map[string][]string // build output by import path
	failKids map[key]bool        // tests with a failed subtest
	failed   []result
	skipped  []result
	passed   int
	broken   int // packages whose tests did not build
	pkgFail  map[string]bool
}

func newSummary(w io.Writer) *summary {
	return &summary{w: w, out: map[key][]string{}, build: map[string][]string{}, failKids: map[key]bool{}, pkgFail: map[string]bool{}}
}

// read consumes go test -json's output, printing each package's status line
// as it ends. A line that is not an event is printed as it is.
func (s *summary) read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil || e.Action == "" {
			fmt.Fprintf(s.w, "%s\n", line)
			continue
		}
		s.event(e)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading go test -json: %w", err)
	}
	return nil
}

func (s *summary) event(e event) {
	k := key{e.Package, e.Test}
	switch e.Action {
	case "build-output":
		s.build[e.ImportPath] = append(s.build[e.ImportPath], e.Output)
	case "output":
		s.out[k] = append(s.out[k], e.Output)
	case "pass", "fail", "skip":
		lines := s.out[k]
		delete(s.out, k)
		if e.Test == "" {
			s.endPackage(e, lines)
			return
		}
		switch e.Action {
		case "pass":
			s.passed++
		case "fail":
			s.pkgFail[e.Package] = true
			if i := strings.LastIndexByte(e.Test, '/'); i > 0 {
				s.failKids[key{e.Package, e.Test[:i]}] = true
			}
			// A parent whose subtests failed says no more than they do.
			if s.failKids[k] && onlyMarkers(lines) {
				delete(s.failKids, k)
				return
			}
			delete(s.failKids, k)
			s.failed = append(s.failed, result{e.Package, e.Test, lines})
		case "skip":
			s.skipped = append(s.skipped, result{e.Package, e.Test, lines})
		}
	}
}

// endPackage prints the package's status line, as go test does without
// -v, and keeps as a failure what a failed package printed outside its
// tests (a build error, a panic in TestMain, a timeout).
func (s *summary) endPackage(e event, lines []string) {
	status := ""
	var rest []string
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "ok  \t"), strings.HasPrefix(l, "FAIL\t"), strings.HasPrefix(l, "?   \t"):
			status = l
		case l == "PASS\n", l == "FAIL\n":
		default:
			rest = append(rest, l)
		}
	}
	if status == "" {
		status = fmt.Sprintf("%-4s\t%s\t%.3fs\n", map[string]string{"pass": "ok", "fail": "FAIL", "skip": "?"}[e.Action], e.Package, e.Elapsed)
	}
	fmt.Fprint(s.w, status)
	if e.Action != "fail" {
		return
	}
	switch {
	case e.FailedBuild != "":
		s.broken++
		s.failed = append(s.failed, result{e.Package, "build failed", s.build[e.FailedBuild]})
	case !s.pkgFail[e.Package] || len(rest) > 0:
		s.failed = append(s.failed, result{e.Package, "package", rest})
	}
}

// onlyMarkers reports whether a test's output is only go test's own
// "=== RUN" and "--- FAIL" lines.
func onlyMarkers(lines []string) bool {
	for _, l := range lines {
		if !isMarker(l) {
			return false
		}
	}
	return true
}

func isMarker(l string) bool {
	t := strings.TrimSpace(l)
	for _, p := range []string{"=== RUN", "=== PAUSE", "=== CONT", "=== NAME", "--- PASS:", "--- FAIL:", "--- SKIP:"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return t == ""
}

// reason is what a skipped test said, on one line.
func reason(lines []string) string {
	var rs []string
	for _, l := range lines {
		if !isMarker(l) {
			rs = append(rs, strings.TrimSpace(l))
		}
	}
	if len(rs) == 0 {
		return "(no reason given)"
	}
	return strings.Join(rs, " / ")
}

// finish prints the failures, the skipped tests and the totals, and
// returns the exit status.
func (s *summary) finish(err error, stderr io.Writer) int {
	for k, lines := range s.out {
		// A test still running when the output ended: go test was killed.
		if k.test != "" {
			s.failed = append(s.failed, result{k.pkg, k.test + " (did not finish)", lines})
		}
	}
	if len(s.failed) > 0 {
		fmt.Fprintf(s.w, "\nfailed (%d):\n", len(s.failed))
		for _, r := range s.failed {
			fmt.Fprintf(s.w, "--- %s (%s)\n", r.test, r.pkg)
			for _, l := range r.lines {
				fmt.Fprint(s.w, l)
			}
		}
	}
	if len(s.skipped) > 0 {
		fmt.Fprintf(s.w, "\nskipped (%d):\n", len(s.skipped))
		for _, r := range s.skipped {
			fmt.Fprintf(s.w, "  %s (%s): %s\n", r.test, r.pkg, reason(r.lines))
		}
	}
	verdict := "PASS"
	if len(s.failed) > 0 || err != nil {
		verdict = "FAIL"
	}
	fmt.Fprintf(s.w, "\n%s: %d passed, %d failed, %d skipped", verdict, s.passed, len(s.failed)-s.broken, len(s.skipped))
	if s.broken > 0 {
		fmt.Fprintf(s.w, "; %d package(s) did not build", s.broken)
	}
	fmt.Fprintln(s.w)
	if err != nil {
		fmt.Fprintln(stderr, "testsummary:", err)
		return 2
	}
	if verdict == "FAIL" {
		return 1
	}
	return 0
}
