//go:build duckdb_arrow

package main

import (
	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/pipeline/export"
)

// publishHelp is the help paragraph of the commands with --publish-sources.
const publishHelp = `Sources are free text in the agency files, so an output names only the
sources given with --publish-sources "ANF,Punjab Police,FIA" (or, one a
line, in --publish-sources-file FILE); the others are counted as "N other
sources", and with neither flag the output says "N sources".`

// publishOptions are the source names a command may show.
type publishOptions struct {
	List, File string
}

func (o *publishOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.List, "publish-sources", "", `source names the output may show, separated by commas, e.g. "ANF,Punjab Police,FIA"; the others are counted, not named`)
	fs.StringVar(&o.File, "publish-sources-file", "", "file of source names the output may show, one a line (# starts a comment)")
}

// names returns the approved names of both flags.
func (o *publishOptions) names() ([]string, error) {
	out := export.ParseSources(o.List)
	if o.File != "" {
		more, err := export.ReadSources(o.File)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	return out, nil
}
