package layout

import (
	"fmt"
	"strings"

	"github.com/ocmap/ocmap/schemas"
)

// CanonicalName is the name of ocmap's own CSV layout.
const CanonicalName = "canonical"

// CanonicalText is a layout file that reads the canonical CSV's columns
// as they are: what 'layouts show canonical' prints, a starting point for
// a layout of one's own, and what 'layouts check canonical' checks with.
// ingest reads canonical files with its own faster reader, under the same
// rules of validation and location.
func CanonicalText() []byte {
	var b strings.Builder
	b.WriteString(`# ocmap's canonical CSV, written as a layout. ingest reads canonical files
# with its own reader; this layout reads the same columns the same way, and
# is a starting point for a layout of your own: rename a column under
# "fields" to the name your file uses, drop the fields your file lacks, and
# add personal columns under "personal" (see 'ocmap help layouts').
name: canonical
title: ocmap canonical CSV
format: csv
`)
	fmt.Fprintf(&b, "match: [%s]\n", strings.Join(schemas.CanonicalColumns, ", "))
	b.WriteString("dates: {formats: [yyyy-mm-dd]}\nfields:\n")
	for _, c := range schemas.CanonicalColumns {
		fmt.Fprintf(&b, "  %s: {column: %s}\n", c, c)
	}
	return []byte(b.String())
}

// Canonical returns the layout of CanonicalText.
func Canonical() (*Layout, error) {
	l, err := Parse(CanonicalName, CanonicalText())
	if err != nil {
		return nil, err
	}
	l.Source = "builtin"
	return l, nil
}
