//go:build duckdb_arrow

package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/pipeline"
)

// crossingsOptions is the flag of the commands that store each district's
// nearest official crossing (ingest, rebuild).
type crossingsOptions struct {
	Path string
}

func (o *crossingsOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Path, "crossings", "", "official border crossings and ports, CSV name,country,kind,lon,lat,precision_km,source[,note], "+
		"instead of ocmap's (data/flows/crossings.csv); each district stores its nearest one and the distance (districts.crossing, crossing_km)")
}

// load reads --crossings, or ocmap's file without it, and names the file
// for the database's meta table.
func (o *crossingsOptions) load() ([]geo.Crossing, string, error) {
	if o.Path == "" {
		cs, err := pipeline.ShippedCrossings()
		return cs, pipeline.ShippedCrossingsSource, err
	}
	cs, err := geo.ReadCrossingsFile(o.Path)
	if err != nil {
		return nil, "", fmt.Errorf("--crossings: %w", err)
	}
	abs, err := filepath.Abs(o.Path)
	if err != nil {
		abs = o.Path
	}
	return cs, abs, nil
}
