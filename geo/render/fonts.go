package render

import (
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
)

// The Go fonts are embedded so that PNG text looks the same everywhere and
// SVG layout is measured with known metrics.
var parsedFonts = sync.OnceValues(func() ([2]*opentype.Font, error) {
	var fs [2]*opentype.Font
	var err error
	if fs[0], err = opentype.Parse(goregular.TTF); err != nil {
		return fs, err
	}
	fs[1], err = opentype.Parse(gobold.TTF)
	return fs, err
})

// faces hands out font faces by size, in pixels; faces are not safe for
// concurrent use, so each rendering has its own.
type faces struct {
	fonts [2]*opentype.Font
	cache map[faceKey]font.Face
}

type faceKey struct {
	size float64
	bold bool
}

func newFaces() (*faces, error) {
	fs, err := parsedFonts()
	if err != nil {
		return nil, err
	}
	return &faces{fonts: fs, cache: map[faceKey]font.Face{}}, nil
}

func (f *faces) face(size float64, bold bool) font.Face {
	k := faceKey{size, bold}
	if fc, ok := f.cache[k]; ok {
		return fc
	}
	i := 0
	if bold {
		i = 1
	}
	fc, err := opentype.NewFace(f.fonts[i], &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		panic(err) // only for invalid options, which are fixed here
	}
	f.cache[k] = fc
	return fc
}

func (f *faces) width(s string, size float64, bold bool) float64 {
	return float64(font.MeasureString(f.face(size, bold), s)) / 64
}

// wrap breaks s into lines no wider than w at word boundaries; a single
// word wider than w gets a line of its own. Newlines in s are kept.
func (f *faces) wrap(s string, size float64, bold bool, w float64) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		words := strings.Fields(para)
		if len(words) == 0 {
			continue
		}
		cur := words[0]
		for _, wd := range words[1:] {
			if f.width(cur+" "+wd, size, bold) <= w {
				cur += " " + wd
				continue
			}
			lines = append(lines, cur)
			cur = wd
		}
		lines = append(lines, cur)
	}
	return lines
}
