package main

import (
	"fmt"

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
// the canonical layout. With "auto" each input's header picks a builtin
// layout, or the canonical one when it has every canonical column; all the
// inputs of one run must agree; a workbook over lim is refused. chose says
// what auto picked, for the user.
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
		cols, err := pipeline.Header(in, lim)
		if err != nil {
			return nil, "", err
		}
		var got *layout.Layout
		pick := layoutCanonical
		if !isCanonical(cols) {
			if got, err = layout.Auto(cols); err != nil {
				return nil, "", fmt.Errorf("--layout auto: %s: %w", in, err)
			}
			pick = got.Name
		}
		if i > 0 && pick != picked[0] {
			return nil, "", fmt.Errorf("--layout auto: %s is %s but %s is %s; ingest them in separate runs or name a layout",
				inputs[0], picked[0], in, pick)
		}
		picked = append(picked, pick)
		l = got
	}
	return l, fmt.Sprintf("layout: %s (chosen by header, --layout auto)", picked[0]), nil
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
