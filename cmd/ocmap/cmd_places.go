package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/geo"
)

type placesCmdOptions struct {
	Dest, From string
	places     placesOptions
	boundaries boundaryOptions
}

func (o *placesCmdOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Dest, "dest", "", "directory to install into (default: the ocmap cache, $OCMAP_CACHE/places)")
	fs.StringVar(&o.From, "from", "", "install this local file (a GeoNames dump such as PK.txt, or GeoNames' PK.zip) instead of downloading")
	o.places.AddFlags(fs)
	o.boundaries.AddFlags(fs)
}

func init() {
	var o placesCmdOptions
	register(&Command{
		Name:  "places",
		Usage: "[fetch [--from FILE] [--dest DIR]]",
		Short: "the place layer: GeoNames towns and villages, for names the gazetteer does not know",
		Long: `The place layer finds the towns and villages that a row names when its
district name is not one the gazetteer knows: "Near Wana", "Mir Ali (Near
Afghan Border)", "Datta Khel". Each place of a GeoNames file lies in the
district that contains its point, and a row naming it is placed there with
precision 2 (near a named place), match_method place, and a location_note
naming the place and its coordinates. A row whose point is more than 25 km
from the town it names keeps its point, with a note that 'ocmap review'
lists.

A name is taken only when it means one district: the only place of that
name, or the most populous when it has 10 times the people of the next one
in another district, within the province the row states. A name shared by
districts without such a place is not taken; district names and the alias
table's names are the gazetteer's, so aliases stay for what GeoNames lacks.

Without arguments, shows the places file commands would use now (--places,
else $OCMAP_PLACES, else the one 'places fetch' installed), how many places
it holds, and how many lie in a district of the boundary file.

  fetch --from FILE   install a GeoNames file you have: a country dump
                      (PK.txt, from download.geonames.org/export/dump/PK.zip,
                      or the zip itself) or an extract in the same format;
                      says whether its SHA-256 is one ocmap pins (verified)
  fetch               download a pinned file (none is pinned in this build:
                      GeoNames rebuilds PK.zip daily; use --from)

Place names come from GeoNames (geonames.org), licence CC BY 4.0; exports of
a database built with a place layer say so. Files of more than 5,000,000
lines or lines over 1 MiB are refused; raise the limits with
OCMAP_PLACES_MAX_ROWS and OCMAP_PLACES_MAX_LINE (bytes).

Examples:
  ocmap places fetch --from ~/Downloads/PK.zip
  ocmap places
  ocmap ingest --db crime.duckdb --places PK.txt --layout auto incidents.csv`,
		Flags: o.AddFlags,
		Run: func(ctx context.Context, env *Env, args []string) error {
			return runPlaces(ctx, env, &o, args)
		},
	})
}

func runPlaces(ctx context.Context, env *Env, o *placesCmdOptions, args []string) error {
	switch {
	case len(args) == 0:
		return showPlaces(env, o)
	case len(args) == 1 && args[0] == "fetch":
	default:
		return usagef("say nothing, or fetch")
	}
	lim, err := placeLimits(env)
	if err != nil {
		return err
	}
	dest := o.Dest
	if dest == "" {
		dest = filepath.Join(cacheDir(env), "places")
	}
	var path string
	if o.From != "" {
		p, sha, verified, err := geo.InstallPlacesFrom(o.From, dest, lim)
		if err != nil {
			return err
		}
		path = p
		if verified {
			fmt.Fprintf(env.Stdout, "verified: %s is a pinned GeoNames file (sha256 %s)\n", o.From, sha)
		} else {
			fmt.Fprintf(env.Stdout, "installed unverified: %s is not one of the pinned files (sha256 %s)\n", o.From, sha)
		}
	} else {
		client := &http.Client{Timeout: 10 * time.Minute}
		p, err := geo.FetchPlaces(ctx, client, dest, lim, env.Stderr)
		if errors.Is(err, geo.ErrNoPlacesDownload) {
			return fmt.Errorf("%w: GeoNames rebuilds PK.zip every day, so no hash stays valid.\n"+
				"Download https://download.geonames.org/export/dump/PK.zip and install it with:\n"+
				"  ocmap places fetch --from PK.zip", err)
		}
		if err != nil {
			return fmt.Errorf("%w\nIf this machine has no internet, download the file elsewhere and install it with --from FILE", err)
		}
		path = p
	}
	return install(env, path, o.Dest == "", placesPointer(env), "ingest, match and layouts check now use it by default",
		"use it with --places %s or OCMAP_PLACES")
}

// showPlaces says which places file is in use and what it holds.
func showPlaces(env *Env, o *placesCmdOptions) error {
	pf, err := o.places.load(env)
	if err != nil {
		return err
	}
	if pf == nil {
		fmt.Fprintln(env.Stdout, "no place layer: name a GeoNames file with --places or OCMAP_PLACES, or install one with 'ocmap places fetch --from FILE'")
		return nil
	}
	verified := "not pinned"
	for _, f := range geo.PlaceFiles {
		if strings.EqualFold(f.SHA256, pf.SHA256) {
			verified = "pinned " + f.Name
		}
	}
	fmt.Fprintf(env.Stdout, "%s\n  %d lines, %d populated places and tehsils; sha256 %s (%s)\n  licence: %s\n",
		pf.Path, pf.Lines, len(pf.Places), pf.SHA256, verified, geo.PlacesLicence)
	loc, err := o.boundaries.locator(env)
	if errors.Is(err, errNoBoundaries) {
		return nil // the counts by district need boundaries; without them the file is still shown
	}
	if err != nil {
		return err
	}
	ps := loc.UsePlaces(pf)
	fmt.Fprintf(env.Stdout, "  with %s: %d places in a district, %d outside every district, %d names left to the gazetteer (district names and aliases)\n",
		loc.Boundaries().Path, ps.Len(), ps.Outside, ps.DistrictNames)
	return nil
}
