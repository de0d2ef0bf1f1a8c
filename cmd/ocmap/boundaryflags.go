package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/geo"
)

var errNoBoundaries = errors.New("no boundary file")

// boundaryOptions are the flags of every command that needs district polygons.
type boundaryOptions struct {
	Path                         string
	CodeProp, NameProp, ProvProp string
}

func (o *boundaryOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Path, "boundaries", "", "district boundaries, GeoJSON (default: $OCMAP_BOUNDARIES, else the file installed by 'ocmap boundaries fetch')")
	fs.StringVar(&o.CodeProp, "code-prop", "", "feature property with the district code (default: ADM2_PCODE or shapeID)")
	fs.StringVar(&o.NameProp, "name-prop", "", "feature property with the district name (default: ADM2_EN or shapeName)")
	fs.StringVar(&o.ProvProp, "province-prop", "", "feature property with the province (default: ADM1_EN when present)")
}

// cacheDir is where 'boundaries fetch' installs files by default.
func cacheDir(env *Env) string {
	if d := env.Getenv("OCMAP_CACHE"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "ocmap")
	}
	return ".ocmap-cache"
}

// defaultPointer records the path of the installed boundary file.
func defaultPointer(env *Env) string {
	return filepath.Join(cacheDir(env), "boundaries", "default.path")
}

// resolve finds the boundary file: the flag, then OCMAP_BOUNDARIES, then the
// installed default.
func (o *boundaryOptions) resolve(env *Env) (string, error) {
	if o.Path != "" {
		return o.Path, nil
	}
	if p := env.Getenv("OCMAP_BOUNDARIES"); p != "" {
		return p, nil
	}
	if b, err := os.ReadFile(defaultPointer(env)); err == nil {
		if p := strings.TrimSpace(string(b)); p != "" {
			return p, nil
		}
	}
	return "", fmt.Errorf(`%w. ocmap needs district polygons (GeoJSON). Either:
  - download the public ones, verified by SHA-256:  ocmap boundaries fetch
  - install a copy you already have:               ocmap boundaries fetch --from FILE
  - or name a file for this command:               --boundaries FILE.geojson
                                         or set:   OCMAP_BOUNDARIES=FILE.geojson`, errNoBoundaries)
}

func (o *boundaryOptions) load(env *Env) (*geo.Boundaries, error) {
	path, err := o.resolve(env)
	if err != nil {
		return nil, err
	}
	b, err := geo.Load(path, geo.Properties{Code: o.CodeProp, Name: o.NameProp, Province: o.ProvProp})
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s does not exist", errNoBoundaries, path)
	}
	return b, err
}
