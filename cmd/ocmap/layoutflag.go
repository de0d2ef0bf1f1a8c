package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/ocmap/ocmap/pipeline/layout"
	"github.com/ocmap/ocmap/pipeline/read"
	"github.com/ocmap/ocmap/schemas"
)

// Layout names of --layout besides the builtin ones and files.
const (
	layoutCanonical = "canonical"
	layoutAuto      = "auto"
)

// resolveLayout turns --layout into a layout for all the inputs: nil for
// the canonical layout. With "auto" (the default) each input's header picks
// a builtin layout, or the canonical one when it has every canonical column
// or most of them (the canonical reader then names those missing); all the
// inputs of one run must agree; a workbook over lim is refused. chose says
// what auto picked, for the user, when it is not the canonical layout.
func resolveLayout(name string, inputs []string, lim read.Limits) (l *layout.Layout, chose string, err error) {
	switch name {
	case layoutCanonical, "":
		return nil, "", nil
	case layoutAuto:
	default:
		l, err := layout.Find(name)
		if errors.Is(err, layout.ErrInvalid) {
			return nil, "", fmt.Errorf("--layout: %w", err) // a mistake in the file, with its line
		}
		if err != nil {
			return nil, "", usagef("--layout: %v (or use canonical or auto)", err)
		}
		return l, "", nil
	}
	var picked []string
	for i, in := range inputs {
		got, err := autoLayout(in, lim)
		if err != nil {
			return nil, "", err
		}
		pick := layoutCanonical
		if got != nil {
			pick = got.Name
		}
		if i > 0 && pick != picked[0] {
			return nil, "", fmt.Errorf("--layout auto: %s is %s but %s is %s; ingest them in separate runs or name a layout",
				inputs[0], picked[0], in, pick)
		}
		picked = append(picked, pick)
		l = got
	}
	if len(picked) == 0 || picked[0] == layoutCanonical {
		return nil, "", nil // what a canonical file always was: nothing to say
	}
	return l, fmt.Sprintf("layout: %s (chosen by header, --layout auto)", picked[0]), nil
}

// autoLayout is the layout auto picks for one input: nil for the canonical
// one. A missing file is taken as canonical and reported by the ingest in
// its turn; so is a pipe, which cannot be read twice.
func autoLayout(in string, lim read.Limits) (*layout.Layout, error) {
	st, err := os.Stat(in)
	if err != nil || !st.Mode().IsRegular() && !st.IsDir() {
		return nil, nil
	}
	cols, text, err := read.Header(in, lim)
	if errors.Is(err, read.ErrNoHeader) {
		// Rows of data and no names: say so, not "empty", and how to
		// give it names.
		return nil, fmt.Errorf("--layout auto: %w\n"+
			"  give the file a header row naming its columns, the canonical ones (%s; ocmap help ingest),\n"+
			"  or add the header row and write a layout for it (ocmap layouts show canonical > my-layout.yaml; ocmap help layouts)",
			err, strings.Join(schemas.CanonicalColumns, ","))
	}
	if err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		// Not a file no layout fits: one with nothing to read.
		return nil, fmt.Errorf("--layout auto: %s: the file is empty (no header row in its first lines or sheets)", in)
	}
	share := canonicalShare(cols)
	if !text {
		// The canonical reader reads delimited text: a JSON, Parquet or
		// XLSX file needs a layout, even with the canonical names.
		share = 0
	}
	got, err := layout.Auto(cols)
	if share == 1 && (err != nil || len(cols) == len(schemas.CanonicalColumns)) {
		// The canonical columns, and no layout that reads more of them
		// (ocmap-synthetic reads gen's flow columns too).
		return nil, nil
	}
	if errors.Is(err, layout.ErrNoMatch) && share >= 0.5 {
		// Most canonical columns are there: the canonical reader names the
		// ones missing.
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("--layout auto: %s: %w", in, err)
	}
	return got, nil
}

// canonicalShare is the share of the canonical columns a header has.
func canonicalShare(cols []string) float64 {
	have := map[string]bool{}
	for _, c := range cols {
		have[layout.Fold(c)] = true
	}
	n := 0
	for _, c := range schemas.CanonicalColumns {
		if have[layout.Fold(c)] {
			n++
		}
	}
	return float64(n) / float64(len(schemas.CanonicalColumns))
}
