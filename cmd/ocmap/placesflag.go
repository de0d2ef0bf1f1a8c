package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/geo"
)

// placesNone turns the place layer off whatever OCMAP_PLACES or the
// installed default say.
const placesNone = "none"

// placesOptions is the flag of the commands that place rows: the GeoNames
// file of the place layer.
type placesOptions struct {
	Path string
}

func (o *placesOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Path, "places", "", "GeoNames file of towns and villages (PK.txt or cities500), for names the gazetteer does not know (default: $OCMAP_PLACES, else the file installed by 'ocmap places fetch'; none for no place layer)")
}

// placesPointer records the path of the installed places file.
func placesPointer(env *Env) string {
	return filepath.Join(cacheDir(env), "places", "default.path")
}

// resolve finds the places file: the flag, then OCMAP_PLACES, then the
// installed default; "" when there is none.
func (o *placesOptions) resolve(env *Env) string {
	p := o.Path
	if p == "" {
		p = env.Getenv("OCMAP_PLACES")
	}
	if p == "" {
		if b, err := os.ReadFile(placesPointer(env)); err == nil {
			p = strings.TrimSpace(string(b))
		}
	}
	if p == placesNone {
		return ""
	}
	return p
}

// placeLimits are the reader's limits, raised by OCMAP_PLACES_MAX_ROWS and
// OCMAP_PLACES_MAX_LINE (bytes).
func placeLimits(env *Env) (geo.PlaceLimits, error) {
	lim := geo.DefaultPlaceLimits
	for _, v := range []struct {
		name string
		dst  *int
	}{{"OCMAP_PLACES_MAX_ROWS", &lim.MaxRows}, {"OCMAP_PLACES_MAX_LINE", &lim.MaxLineBytes}} {
		if s := env.Getenv(v.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n <= 0 {
				return lim, usagef("%s=%q: want a positive whole number", v.name, s)
			}
			*v.dst = n
		}
	}
	return lim, nil
}

// load reads the places file, or returns nil when there is none.
func (o *placesOptions) load(env *Env) (*geo.PlaceFile, error) {
	path := o.resolve(env)
	if path == "" {
		return nil, nil
	}
	lim, err := placeLimits(env)
	if err != nil {
		return nil, err
	}
	pf, err := geo.ReadPlacesFile(path, lim)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("--places: %s does not exist (say --places none to go without a place layer)", path)
	}
	return pf, err
}
