package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/internal/steptrace"
	"github.com/ocmap/ocmap/pipeline/locate"
)

var errNoBoundaries = errors.New("no boundary file")

// boundaryOptions are the flags of every command that needs district polygons.
type boundaryOptions struct {
	Path                         string
	CodeProp, NameProp, ProvProp string
	Aliases                      string
}

func (o *boundaryOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Path, "boundaries", "", "district boundaries, GeoJSON (default: $OCMAP_BOUNDARIES, else the file installed by 'ocmap boundaries fetch')")
	fs.StringVar(&o.CodeProp, "code-prop", "", "feature property with the district code (default: ADM2_PCODE or shapeID)")
	fs.StringVar(&o.NameProp, "name-prop", "", "feature property with the district name (default: ADM2_EN or shapeName)")
	fs.StringVar(&o.ProvProp, "province-prop", "", "feature property with the province (default: ADM1_EN when present)")
	fs.StringVar(&o.Aliases, "aliases", "", "your own place-name aliases, CSV alias,district,province,kind,valid_from,valid_to,note, added to ocmap's (default: $OCMAP_ALIASES)")
}

// aliases reads the user's alias file: --aliases, else $OCMAP_ALIASES; none
// is fine.
func (o *boundaryOptions) aliases(env *Env) ([]geo.Alias, error) {
	path := o.Aliases
	if path == "" {
		path = env.Getenv("OCMAP_ALIASES")
	}
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--aliases: %w", err)
	}
	defer f.Close()
	a, err := geo.ReadAliases(f)
	if err != nil {
		return nil, fmt.Errorf("--aliases %s: %w", path, err)
	}
	return a, nil
}

// locator loads the boundaries and builds the locator with the user's
// aliases.
func (o *boundaryOptions) locator(env *Env) (*locate.Locator, error) {
	b, err := o.load(env)
	if err != nil {
		return nil, err
	}
	a, err := o.aliases(env)
	if err != nil {
		return nil, err
	}
	return locate.NewWithAliases(b, a)
}

// cacheDir is where 'boundaries fetch' installs files by default, and
// where parsed boundaries are cached. OCMAP_CACHE=off turns the cache of
// parsed boundaries off; installed files stay in the default place.
func cacheDir(env *Env) string {
	if d := env.Getenv("OCMAP_CACHE"); d != "" && d != cacheOff {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "ocmap")
	}
	return ".ocmap-cache"
}

// cacheOff as OCMAP_CACHE parses the boundary file on every run.
const cacheOff = "off"

// parsedCacheDir is where parsed, validated boundaries are kept between
// runs (see geo.LoadCached), or "" when OCMAP_CACHE=off.
func parsedCacheDir(env *Env) string {
	if env.Getenv("OCMAP_CACHE") == cacheOff {
		return ""
	}
	return filepath.Join(cacheDir(env), "parsed")
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
	steptrace.Mark("start")
	b, err := geo.LoadCached(path, geo.Properties{Code: o.CodeProp, Name: o.NameProp, Province: o.ProvProp}, parsedCacheDir(env))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s does not exist", errNoBoundaries, path)
	}
	steptrace.Mark("boundaries")
	return b, err
}
