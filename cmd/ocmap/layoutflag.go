package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/ocmap/ocmap/pipeline"
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
		if err != nil {
			return nil, "", usagef("--layout: %v (or use canonical or auto)", err)
		}
		return l, "", nil
	}
	var picked []string
	for i, in := range inputs {
		var got *layout.Layout
		pick := layoutCanonical
		// A file that is missing is reported by the ingest, in its turn; a
		// pipe cannot be read twice, so it is taken as canonical.
		st, err := os.Stat(in)
		if err != nil || !st.Mode().IsRegular() {
			if i > 0 && pick != picked[0] {
				return nil, "", fmt.Errorf("--layout auto: %s is %s but %s, a pipe, is read as canonical; ingest them in separate runs or name a layout",
					inputs[0], picked[0], in)
			}
			picked = append(picked, pick)
			continue
		}
		cols, err := pipeline.Header(in, lim)
		if err != nil {
			return nil, "", err
		}
		if !isCanonical(cols) {
			got, err = layout.Auto(cols)
			switch {
			case errors.Is(err, layout.ErrNoMatch) && canonicalShare(cols) >= 0.5:
				// Most canonical columns are there: the canonical reader
				// names the ones missing.
				got = nil
			case err != nil:
				return nil, "", fmt.Errorf("--layout auto: %s: %w", in, err)
			default:
				pick = got.Name
			}
		}
		if i > 0 && pick != picked[0] {
			return nil, "", fmt.Errorf("--layout auto: %s is %s but %s is %s; ingest them in separate runs or name a layout",
				inputs[0], picked[0], in, pick)
		}
		picked = append(picked, pick)
		l = got
	}
	if picked[0] == layoutCanonical {
		return nil, "", nil // what a canonical file always was: nothing to say
	}
	return l, fmt.Sprintf("layout: %s (chosen by header, --layout auto)", picked[0]), nil
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

// isCanonical reports whether a header has every canonical column, so that
// auto treats the canonical layout as one more layout.
func isCanonical(cols []string) bool {
	have := map[string]bool{}
	for _, c := range cols {
		have[layout.Fold(c)] = true
	}
	return layout.MatchesHeader(schemas.CanonicalColumns, have)
}
