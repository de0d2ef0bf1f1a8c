package layout

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/ocmap/ocmap/data"
	"github.com/ocmap/ocmap/schemas"
)

// Errors of Find and Auto.
var (
	ErrUnknown   = errors.New("layout: unknown layout")
	ErrNoMatch   = errors.New("layout: no layout matches the header")
	ErrAmbiguous = errors.New("layout: several layouts match the header")
)

// Builtin returns every layout embedded in the binary (data/layouts), in
// name order. Their Source is "builtin". They are parsed once per process
// and shared: --layout auto looks at them for every file, and parsing them
// cost 5-10 ms a file. A Layout is not changed after Parse, so sharing is
// safe; the slice is the caller's.
func Builtin() ([]*Layout, error) {
	all, err := builtin()
	return slices.Clone(all), err
}

var builtin = sync.OnceValues(parseBuiltin)

// parseBuiltin parses the embedded layouts.
func parseBuiltin() ([]*Layout, error) {
	names, err := fs.Glob(data.Layouts, "layouts/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]*Layout, 0, len(names))
	for _, n := range names {
		b, err := data.Layouts.ReadFile(n)
		if err != nil {
			return nil, err
		}
		l, err := Parse(path.Base(n), b)
		if err != nil {
			return nil, err
		}
		l.Source = "builtin"
		l.file = path.Base(n)
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Text returns the YAML text of the builtin layout called name, comments
// included, as a starting point for a layout of one's own.
func Text(name string) ([]byte, error) {
	all, err := Builtin()
	if err != nil {
		return nil, err
	}
	for _, l := range all {
		if l.Name == name {
			return data.Layouts.ReadFile("layouts/" + l.file)
		}
	}
	return nil, fmt.Errorf("%w %q: not a builtin layout (%s)", ErrUnknown, name, strings.Join(names(all), ", "))
}

// Find returns the builtin layout called nameOrPath or, failing that, the
// layout file at that path.
func Find(nameOrPath string) (*Layout, error) {
	all, err := Builtin()
	if err != nil {
		return nil, err
	}
	for _, l := range all {
		if l.Name == nameOrPath {
			return l, nil
		}
	}
	if _, err := os.Stat(nameOrPath); err == nil {
		return Load(nameOrPath)
	}
	known := append(names(all), "canonical", "auto")
	return nil, fmt.Errorf("%w %q%s: not a builtin layout (%s) nor a layout file", ErrUnknown, nameOrPath,
		DidYouMean(nameOrPath, known), strings.Join(names(all), ", "))
}

// Auto returns the one builtin layout whose match columns are all in the
// header. Names are compared after trimming spaces and folding case.
func Auto(columns []string) (*Layout, error) {
	all, err := Builtin()
	if err != nil {
		return nil, err
	}
	have := make(map[string]bool, len(columns))
	for _, c := range columns {
		have[Fold(c)] = true
	}
	var found []*Layout
	for _, l := range all {
		if MatchesHeader(l.Match, have) {
			found = append(found, l)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return nil, noMatch(all, columns, have)
	default:
		return nil, fmt.Errorf("%w (%s); name one with --layout", ErrAmbiguous, strings.Join(names(found), ", "))
	}
}

// noMatch explains that no layout of all fits a header: which layout is
// closest (the most of its match columns present), what it lacks, and how
// to write a layout from it. It shows at most a few of the header's cells,
// and only those that look like column names (schemas.HeaderLike): a file
// without a header row starts with data, which can be personal, and a
// binary file with noise.
func noMatch(all []*Layout, columns []string, have map[string]bool) error {
	var best *Layout
	var bestHave int
	var missing []string
	for _, l := range all {
		n := 0
		var miss []string
		for _, m := range l.Match {
			if have[Fold(m)] {
				n++
			} else {
				miss = append(miss, m)
			}
		}
		if n > bestHave {
			best, bestHave, missing = l, n, miss
		}
	}
	// A row with any cell that is not like a column name is data, and
	// shows nothing: its other cells may be names.
	var shown []string
	data := false
	for _, c := range columns {
		c = strings.TrimSpace(c)
		switch {
		case c == "" || strings.ContainsAny(c, ",;\t|"):
		case !schemas.HeaderLike(c):
			data = true
		case len(shown) < 8:
			shown = append(shown, strconv.Quote(c))
		}
	}
	var b strings.Builder
	switch {
	case data:
		b.WriteString(" (its first row holds values, not column names: a layout needs a header row)")
	case len(shown) > 0:
		fmt.Fprintf(&b, " (its columns: %s", strings.Join(shown, ", "))
		if len(columns) > len(shown) {
			b.WriteString(", ...")
		}
		b.WriteString(")")
	}
	b.WriteString("\n")
	name := "pbc-suicide-attacks"
	if best != nil {
		fmt.Fprintf(&b, "  closest: %s, which has %d of its %d columns here; missing: %s\n", best.Name, bestHave, len(best.Match), strings.Join(quoteAll(missing), ", "))
		name = best.Name
	} else {
		fmt.Fprintf(&b, "  builtin layouts: %s and canonical (ocmap layouts lists them)\n", strings.Join(names(all), ", "))
	}
	fmt.Fprintf(&b, "  to read this file, write a layout from the closest one and name it:\n"+
		"    ocmap layouts show %s > my-layout.yaml     (edit its column names; ocmap help layouts)\n"+
		"    ocmap layouts check my-layout.yaml FILE\n"+
		"    ocmap ingest --layout my-layout.yaml ...", name)
	return fmt.Errorf("%w%s", ErrNoMatch, b.String())
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}

// MatchesHeader reports whether every column of match is in have, a set of
// header names folded by Fold.
func MatchesHeader(match []string, have map[string]bool) bool {
	if len(match) == 0 {
		return false
	}
	for _, m := range match {
		if !have[Fold(m)] {
			return false
		}
	}
	return true
}

// Fold is how header names are compared: spaces around trimmed, case folded.
func Fold(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func names(ls []*Layout) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Name
	}
	return out
}
