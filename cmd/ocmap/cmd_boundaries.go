package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/paulmach/orb/geojson"
	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/geo"
)

type boundariesOptions struct {
	Source, Dest, From string
}

func (o *boundariesOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Source, "source", geo.DefaultSource, "which public layer: cod-ab or geoboundaries")
	fs.StringVar(&o.Dest, "dest", "", "directory to install into (default: the ocmap cache, $OCMAP_CACHE/boundaries)")
	fs.StringVar(&o.From, "from", "", "install this local file (GeoJSON, or .shp with its .dbf/.shx) instead of downloading")
}

func init() {
	var o boundariesOptions
	register(&Command{
		Name:  "boundaries",
		Usage: "fetch [--source cod-ab|geoboundaries] [--dest DIR] [--from FILE] | list | show",
		Short: "get the public district boundaries, verified by SHA-256",
		Long: `ocmap needs district polygons. 'ocmap boundaries fetch' downloads a public
layer from a pinned address and checks every file against a pinned SHA-256
before installing it; a file that does not match is not installed. The layer
then becomes the default for every command (flag --boundaries and
OCMAP_BOUNDARIES still win).

  fetch          download and install (default source: cod-ab)
  fetch --from   install a copy you already have; says whether it is one of
                 the pinned files (verified) or not
  list           the known sources with licence and attribution
  show           which boundary file commands would use now

Sources:
  cod-ab         OCHA COD-AB Pakistan ADM2 (2022-09-09), 160 districts with
                 P-codes (ADM2_PCODE). CC BY 3.0 IGO, attribute OCHA / WFP.
  geoboundaries  geoBoundaries gbOpen PAK ADM2 (2019), 126 districts, older
                 frame. Public domain; cite Runfola et al. 2020.

Any GeoJSON of district polygons works with --boundaries; properties are
detected for COD-AB (ADM2_PCODE, ADM2_EN, ADM1_EN) and geoBoundaries
(shapeID, shapeName), or named with --code-prop/--name-prop/--province-prop.

Every command checks the boundary file's SHA-256 on each run; the first run
with a file keeps its parsed, checked polygons in the ocmap cache
($OCMAP_CACHE/parsed), so later runs skip parsing it (about 0.3 s for the
full-resolution COD-AB file). An edited file is parsed again. Set
OCMAP_CACHE=off to parse the file on every run.

Examples:
  ocmap boundaries fetch
  ocmap boundaries fetch --from ~/Downloads/pak_admbnda_adm2_wfp_20220909.geojson
  ocmap boundaries show`,
		Flags: o.AddFlags,
		Run: func(ctx context.Context, env *Env, args []string) error {
			return runBoundaries(ctx, env, &o, args)
		},
	})
}

func runBoundaries(ctx context.Context, env *Env, o *boundariesOptions, args []string) error {
	if len(args) != 1 {
		return usagef("say fetch, list or show")
	}
	switch args[0] {
	case "list":
		for _, s := range geo.Sources {
			fmt.Fprintf(env.Stdout, "%s\n  %s\n", s.Name, s.Title)
			for _, f := range s.Files {
				fmt.Fprintf(env.Stdout, "  %s  sha256 %s\n", f.Name, f.SHA256)
			}
		}
		return nil
	case "show":
		var bo boundaryOptions
		p, err := bo.resolve(env)
		if err != nil {
			return err
		}
		b, err := geo.Load(p, geo.Properties{})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s\n  %d districts, code property %s, name property %s, sha256 %s\n",
			p, len(b.Districts), b.Props.Code, b.Props.Name, b.SHA256)
		return nil
	case "fetch":
	default:
		return usagef("unknown action %q: say fetch, list or show", args[0])
	}
	dest := o.Dest
	if dest == "" {
		dest = filepath.Join(cacheDir(env), "boundaries")
	}
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return err
	}
	var path string
	if o.From != "" {
		// Refuse a broken file before it becomes anyone's default.
		if err := checkBoundaryFile(o.From); err != nil {
			return fmt.Errorf("%w\n%s was not installed", err, o.From)
		}
		p, sha, verified, err := geo.InstallFrom(o.From, dest, env.Stderr)
		if err != nil {
			return err
		}
		path = p
		if verified {
			fmt.Fprintf(env.Stdout, "verified: %s is a pinned public file (sha256 %s)\n", o.From, sha)
		} else {
			fmt.Fprintf(env.Stdout, "installed unverified: %s is not one of the pinned files (sha256 %s)\n", o.From, sha)
		}
	} else {
		src, err := geo.LookupSource(o.Source)
		if err != nil {
			return usagef("%v", err)
		}
		client := &http.Client{Timeout: 10 * time.Minute}
		p, err := geo.Fetch(ctx, client, src, dest, env.Stderr)
		if err != nil {
			return fmt.Errorf("%w\nIf this machine has no internet, download the files elsewhere and install them with --from FILE", err)
		}
		path = p
		if err := checkBoundaryFile(path); err != nil {
			return fmt.Errorf("%w\n%s was downloaded but is not made the default", err, path)
		}
	}
	return install(env, path, o.Dest == "", defaultPointer(env), "commands now use it by default",
		"use it with --boundaries %s or OCMAP_BOUNDARIES")
}

// install tells where a fetched file was installed. When asDefault, the
// file's absolute path is written to pointer, the file commands read it
// from; otherwise how to use it is printed (use holds one %s, the path).
func install(env *Env, path string, asDefault bool, pointer, done, use string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if asDefault {
		if err := os.WriteFile(pointer, []byte(abs+"\n"), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "installed %s; %s\n", abs, done)
		return nil
	}
	fmt.Fprintf(env.Stdout, "installed %s; "+use+"\n", abs, abs)
	return nil
}

// checkBoundaryFile loads a GeoJSON file or shapefile as commands will,
// which checks its coordinates, rings and overlaps. A file whose code and
// name properties must be named with --code-prop/--name-prop passes: it is
// checked when a command first loads it with them.
func checkBoundaryFile(path string) error {
	var err error
	if strings.EqualFold(filepath.Ext(path), ".shp") {
		var fc *geojson.FeatureCollection
		if fc, err = geo.ReadShapefile(path); err == nil {
			_, err = geo.FromFeatures(fc, path, geo.Properties{})
		}
	} else {
		_, err = geo.Load(path, geo.Properties{})
	}
	if errors.Is(err, geo.ErrProperties) {
		return nil
	}
	return err
}
