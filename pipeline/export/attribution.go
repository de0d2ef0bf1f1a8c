//go:build duckdb_arrow

package export

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ocmap/ocmap/geo"
)

// boundarySource names the boundary file the database records (its path
// and SHA-256) as its licence asks to be cited: the pinned public layers
// by their hashes, copies and conversions by their file names, any other
// file by its name.
func boundarySource(path, sha string) string {
	codAB := "OCHA/WFP COD-AB Pakistan ADM2 (2022-09-09), CC BY 3.0 IGO"
	geoB := "geoBoundaries Pakistan ADM2 (Runfola et al. 2020, PLoS ONE 15(4): e0231866)"
	known := func(name string) string {
		switch {
		case strings.HasPrefix(name, "pak_admbnda_"):
			return codAB
		case strings.HasPrefix(strings.ToLower(name), "geoboundaries"):
			return geoB
		}
		return ""
	}
	for _, s := range geo.Sources {
		for _, f := range s.Files {
			if f.SHA256 == sha {
				if k := known(f.Name); k != "" {
					return k
				}
			}
		}
	}
	for _, f := range geo.KnownFiles {
		if f.SHA256 == sha {
			return known(f.Name)
		}
	}
	name := filepath.Base(path)
	if k := known(name); k != "" {
		return k
	}
	if path == "" {
		return "not recorded"
	}
	return name
}

// exportDate is the day an output is made: SOURCE_DATE_EPOCH (seconds,
// the reproducible-builds convention) when set, else today (UTC).
func exportDate() time.Time {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	return time.Now().UTC()
}

// attribution is the source line of every map, the report and the
// bulletin: the boundaries and place names with their licences, the
// incident sources as the export may name them (PublicSources: by name
// only through --publish-sources, else counted), the producer, the last
// month of data and the day of the export.
func (d *data) attribution() string {
	parts := []string{"Boundaries: " + boundarySource(d.meta["boundaries"], d.meta["boundaries_sha256"])}
	if d.meta["places_sha256"] != "" {
		lic := d.meta["places_licence"]
		if lic == "" {
			lic = geo.PlacesLicence
		}
		parts = append(parts, "place names: "+lic)
	}
	shares := d.dq.Sources
	if !d.opt.Internal {
		shares = PublicSources(shares, d.opt.PublishSources)
	}
	var names []string
	for _, s := range shares {
		names = append(names, s.Source)
	}
	if len(names) == 0 {
		names = []string{"none"}
	}
	parts = append(parts, "incidents: "+strings.Join(names, ", "))
	var last time.Time
	for _, c := range d.cells {
		if c.Month.After(last) {
			last = c.Month
		}
	}
	s := "Sources. " + strings.Join(parts, "; ") + ". Made with ocmap " + d.opt.Version
	if !last.IsZero() {
		s += "; data to " + last.Format("January 2006")
	}
	return s + "; exported " + exportDate().Format("2 January 2006") + "."
}
