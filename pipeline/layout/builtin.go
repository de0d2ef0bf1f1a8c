package layout

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/ocmap/ocmap/data"
)

// Errors of Find and Auto.
var (
	ErrUnknown   = errors.New("layout: unknown layout")
	ErrNoMatch   = errors.New("layout: no layout matches the header")
	ErrAmbiguous = errors.New("layout: several layouts match the header")
)

// Builtin parses every layout embedded in the binary (data/layouts), in name
// order. Their Source is "builtin".
func Builtin() ([]*Layout, error) {
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
	return nil, fmt.Errorf("%w %q: not a builtin layout (%s) nor a layout file", ErrUnknown, nameOrPath, strings.Join(names(all), ", "))
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
		return nil, fmt.Errorf("%w: no builtin layout (%s) has all its match columns in the header %q; name one with --layout",
			ErrNoMatch, strings.Join(names(all), ", "), columns)
	default:
		return nil, fmt.Errorf("%w (%s); name one with --layout", ErrAmbiguous, strings.Join(names(found), ", "))
	}
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
