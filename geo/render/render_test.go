package render

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ocmap/ocmap/geo"
)

var out = flag.String("out", "", "write the maps rendered from OCMAP_BOUNDARIES to this path prefix (.svg, .png)")

// grid is a 3x3 grid of 1° squares, lon 70-73, lat 30-33. District PKrc is
// row r from the south, column c from the west (both from 1); column 1 is
// province West, columns 2 and 3 are East.
func grid(t testing.TB) *geo.Boundaries {
	t.Helper()
	var fs []string
	for r := 1; r <= 3; r++ {
		for c := 1; c <= 3; c++ {
			prov := "East"
			if c == 1 {
				prov = "West"
			}
			x, y := 69+c, 29+r
			fs = append(fs, fmt.Sprintf(`{"type":"Feature","properties":{"ADM2_PCODE":"PK%d%d","ADM2_EN":"D%d%d","ADM1_EN":%q},
"geometry":{"type":"Polygon","coordinates":[[[%d,%d],[%d,%d],[%d,%d],[%d,%d],[%d,%d]]]}}`,
				r, c, r, c, prov, x, y, x+1, y, x+1, y+1, x, y+1, x, y))
		}
	}
	src := `{"type":"FeatureCollection","features":[` + strings.Join(fs, ",\n") + `]}`
	b, err := geo.Read(strings.NewReader(src), "grid", geo.Properties{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// gridMap has values 1..8 in reading order except PK22 (suppressed) and
// PK33 (no data), in the classes of breaks 2, 4, 6, 8.
func gridMap(t testing.TB) *Map {
	m := &Map{
		Title:      "Drug trafficking, incidents per 100,000 people",
		Subtitle:   "January 2023 – December 2024",
		Boundaries: grid(t),
		Values:     map[string]float64{},
		Suppressed: map[string]bool{"PK22": true},
		Breaks:     []float64{2, 4, 6, 8},
		Legend:     "Incidents per 100,000",
		Note:       "Source: test data. Classes by hand. Districts with fewer than 5 incidents are suppressed.",
		Width:      1600,
		Height:     900,
	}
	v := 1.0
	for r := 1; r <= 3; r++ {
		for c := 1; c <= 3; c++ {
			code := fmt.Sprintf("PK%d%d", r, c)
			if code == "PK33" {
				continue
			}
			m.Values[code] = v
			v++
		}
	}
	m.Values["PK22"] = 99 // suppressed wins
	return m
}

func TestClassOf(t *testing.T) {
	m := gridMap(t)
	m.Values["PK99"] = math.NaN()
	m.Values["PKHI"] = 100
	for _, tc := range []struct {
		code string
		want int
	}{
		{"PK11", 0}, {"PK12", 0}, {"PK13", 1}, {"PK21", 1}, {"PK23", 2},
		{"PK31", 3}, {"PK32", 3}, {"PK22", -2}, {"PK33", -1}, {"PK99", -1}, {"PKHI", 3},
	} {
		if got, want := m.ClassOf(tc.code), tc.want; got != want {
			t.Errorf("ClassOf(%s) = %d, want %d", tc.code, got, want)
		}
	}
}

func centre(m *Map, r, c int) image.Point {
	x, y := m.Project(69.5+float64(c), 29.5+float64(r))
	return image.Pt(int(x), int(y))
}

func decodePNG(t *testing.T, m *Map) *image.RGBA {
	t.Helper()
	var buf bytes.Buffer
	if err := m.PNG(&buf); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rgba, ok := img.(*image.RGBA)
	if !ok {
		rgba = image.NewRGBA(img.Bounds())
		for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
			for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
				rgba.Set(x, y, img.At(x, y))
			}
		}
	}
	return rgba
}

func TestPNG(t *testing.T) {
	m := gridMap(t)
	img := decodePNG(t, m)
	if got, want := img.Bounds(), image.Rect(0, 0, 1600, 900); got != want {
		t.Fatalf("bounds %v, want %v", got, want)
	}
	pal := YlOrRd[4]
	for r := 1; r <= 3; r++ {
		for c := 1; c <= 3; c++ {
			code := fmt.Sprintf("PK%d%d", r, c)
			if code == "PK21" || code == "PK22" {
				continue // the West label sits on PK21; PK22 is hatched
			}
			want := NoDataColour
			if cl := m.ClassOf(code); cl >= 0 {
				want = pal[cl]
			}
			p := centre(m, r, c)
			if got := img.RGBAAt(p.X, p.Y); got != want {
				t.Errorf("%s at %v: colour %v, want %v", code, p, got, want)
			}
		}
	}
	// Suppressed: both the hatch and its background around the centre.
	p := centre(m, 2, 2)
	seen := map[color.RGBA]int{}
	for y := p.Y - 10; y <= p.Y+10; y++ {
		for x := p.X - 10; x <= p.X+10; x++ {
			seen[img.RGBAAt(x, y)]++
		}
	}
	if seen[HatchColour] == 0 || seen[HatchBack] == 0 || len(seen) != 2 {
		t.Errorf("suppressed district centre: colours %v, want only hatch %v and background %v", seen, HatchColour, HatchBack)
	}
}

func TestPNGSizes(t *testing.T) {
	for _, tc := range []struct {
		name         string
		w, h         int
		wantW, wantH int
	}{
		{"default: as high as the map needs", 0, 0, 1600, 2032},
		{"a4 300dpi", 2400, 2800, 2400, 2800},
		{"small", 300, 200, 300, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := gridMap(t)
			m.Width, m.Height = tc.w, tc.h
			img := decodePNG(t, m)
			if got, want := img.Bounds().Size(), image.Pt(tc.wantW, tc.wantH); got != want {
				t.Errorf("size %v, want %v", got, want)
			}
		})
	}
}

// svgText is what a test reads of an SVG: district fills by code, and
// texts with their attributes, each with the id of its group.
type svgText struct {
	fills map[string]string
	texts []svgTextEl
}

type svgTextEl struct {
	group, text string
	attr        map[string]string
}

func (s svgText) in(group string) []string {
	var out []string
	for _, e := range s.texts {
		if group == "" || e.group == group {
			out = append(out, e.text)
		}
	}
	return out
}

func parseSVG(t *testing.T, m *Map) svgText {
	t.Helper()
	var buf bytes.Buffer
	if err := m.SVG(&buf); err != nil {
		t.Fatal(err)
	}
	out := svgText{fills: map[string]string{}}
	d := xml.NewDecoder(bytes.NewReader(buf.Bytes()))
	var groups []string
	var cur *svgTextEl
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			attr := map[string]string{}
			for _, a := range tok.Attr {
				attr[a.Name.Local] = a.Value
				if strings.Contains(a.Value, "http") && a.Name.Local != "xmlns" {
					t.Errorf("external reference %s=%q", a.Name.Local, a.Value)
				}
			}
			switch tok.Name.Local {
			case "g":
				groups = append(groups, attr["id"])
			case "path":
				if strings.HasPrefix(attr["id"], "d-") {
					out.fills[strings.TrimPrefix(attr["id"], "d-")] = attr["fill"]
				}
			case "text":
				g := ""
				if len(groups) > 0 {
					g = groups[len(groups)-1]
				}
				cur = &svgTextEl{group: g, attr: attr}
			case "image", "use":
				t.Errorf("unexpected <%s>", tok.Name.Local)
			}
		case xml.CharData:
			if cur != nil {
				cur.text += string(tok)
			}
		case xml.EndElement:
			switch tok.Name.Local {
			case "g":
				groups = groups[:len(groups)-1]
			case "text":
				out.texts = append(out.texts, *cur)
				cur = nil
			}
		}
	}
	return out
}

func TestSVG(t *testing.T) {
	m := gridMap(t)
	s := parseSVG(t, m)
	pal := YlOrRd[4]
	for _, dd := range m.Boundaries.Districts {
		want := hex(NoDataColour)
		switch cl := m.ClassOf(dd.Code); cl {
		case -2:
			want = "url(#hatch)"
		case -1:
		default:
			want = hex(pal[cl])
		}
		if got := s.fills[dd.Code]; got != want {
			t.Errorf("district %s: fill %q, want %q", dd.Code, got, want)
		}
	}
	texts := s.in("")
	for _, want := range []string{
		m.Title, m.Subtitle, "PRELIMINARY", m.Legend, "West", "East", "0",
	} {
		if !slices.Contains(texts, want) {
			t.Errorf("no text %q in %q", want, texts)
		}
	}
	if !slices.ContainsFunc(texts, func(s string) bool { return strings.HasSuffix(s, " km") }) {
		t.Errorf("no scale bar label in %q", texts)
	}
}

// TestLegend reads the legend of a rates map, a counts map and an internal
// map (nothing suppressed): classes that do not overlap, integers for
// counts, "suppressed" exactly and only where something is, and "no
// population figure" for districts with a count but no rate.
func TestLegend(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(m *Map)
		want   []string
	}{
		{"rates", func(m *Map) {
			m.Values["PK11"] = 0.92
			m.Breaks = []float64{2, 4, 6, 8}
		}, []string{m0.Legend, "0.92 – 2.00", "2.01 – 4.00", "4.01 – 6.00", "6.01 – 8.00", "no data", "suppressed"}},
		{"counts", func(m *Map) {
			m.Counts, m.Legend = true, "Incidents"
			for code, v := range m.Values {
				m.Values[code] = v * 10
			}
			m.Breaks = []float64{20, 40, 60, 80}
		}, []string{"Incidents", "10 – 20", "21 – 40", "41 – 60", "61 – 80", "no data", "suppressed"}},
		{"internal", func(m *Map) {
			m.Suppressed = nil
			m.Values["PK22"] = 5
			m.Values["PK33"] = 9
			m.Breaks = []float64{2, 4, 6, 9}
		}, []string{m0.Legend, "1.0 – 2.0", "2.1 – 4.0", "4.1 – 6.0", "6.1 – 9.0"}},
		{"no population figure", func(m *Map) {
			m.NoPopulation = map[string]bool{"PK33": true, "PK22": true}
		}, []string{m0.Legend, "1.0 – 2.0", "2.1 – 4.0", "4.1 – 6.0", "6.1 – 8.0", "no population figure", "suppressed"}},
		{"named classes", func(m *Map) {
			m.Breaks = []float64{2, 4, 6, 8}
			m.Labels = []string{"cold spot", "not significant", "hot spot 90%", "hot spot 99%"}
		}, []string{m0.Legend, "cold spot", "not significant", "hot spot 90%", "hot spot 99%", "no data", "suppressed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := gridMap(t)
			tc.change(m)
			s := parseSVG(t, m)
			if got, want := s.in("legend"), tc.want; !slices.Equal(got, want) {
				t.Errorf("legend %q, want %q", got, want)
			}
		})
	}
	// The district with a count but no population figure has its own fill,
	// a suppressed one stays hatched.
	m := gridMap(t)
	m.NoPopulation = map[string]bool{"PK33": true, "PK22": true}
	s := parseSVG(t, m)
	if got, want := s.fills["PK33"], hex(NoPopColour); got != want {
		t.Errorf("PK33 fill %q, want %q", got, want)
	}
	if got, want := s.fills["PK22"], "url(#hatch)"; got != want {
		t.Errorf("PK22 fill %q, want %q", got, want)
	}
}

var m0 = Map{Legend: "Incidents per 100,000"}

// TestSource shows the attribution line under the note.
func TestSource(t *testing.T) {
	m := gridMap(t)
	m.Source = "Boundaries: OCHA/WFP COD-AB, CC BY 3.0 IGO. Incidents: 3 sources."
	if got, want := strings.Join(parseSVG(t, m).in("source"), " "), m.Source; got != want {
		t.Errorf("source %q, want %q", got, want)
	}
}

func TestDeterministic(t *testing.T) {
	render := func() (svg, pngb []byte) {
		m := gridMap(t)
		var a, b bytes.Buffer
		if err := m.SVG(&a); err != nil {
			t.Fatal(err)
		}
		if err := m.PNG(&b); err != nil {
			t.Fatal(err)
		}
		return a.Bytes(), b.Bytes()
	}
	s1, p1 := render()
	s2, p2 := render()
	if !bytes.Equal(s1, s2) {
		t.Error("SVG differs between two runs")
	}
	if !bytes.Equal(p1, p2) {
		t.Error("PNG differs between two runs")
	}
}

// TestBorders checks the province dissolve: the line between columns 1
// and 2 (West|East) is an outline, the one between columns 2 and 3 is not.
func TestBorders(t *testing.T) {
	m := gridMap(t)
	f, err := newFaces()
	if err != nil {
		t.Fatal(err)
	}
	l, err := m.layout(f)
	if err != nil {
		t.Fatal(err)
	}
	sh := buildShapes(m.Boundaries, l.proj)
	x71, _ := m.Project(71, 31)
	x72, _ := m.Project(72, 31)
	on := func(ls [][]pt, x float64) float64 { // length of segments on the line x
		n := 0.0
		for _, line := range ls {
			for i := 1; i < len(line); i++ {
				if math.Abs(line[i].X-x) < 0.2 && math.Abs(line[i-1].X-x) < 0.2 {
					n += math.Abs(line[i].Y - line[i-1].Y)
				}
			}
		}
		return n
	}
	_, y30 := m.Project(71, 30)
	_, y33 := m.Project(71, 33)
	full := y30 - y33
	for _, tc := range []struct {
		name      string
		ls        [][]pt
		x         float64
		wantLen   float64
		tolerance float64
	}{
		{"outline on West|East", sh.outline, x71, full, 0.5},
		{"no inner on West|East", sh.inner, x71, 0, 0},
		{"inner on East|East", sh.inner, x72, full, 0.5},
		{"no outline on East|East", sh.outline, x72, 0, 0},
	} {
		if got := on(tc.ls, tc.x); math.Abs(got-tc.wantLen) > tc.tolerance {
			t.Errorf("%s: length %.1f px, want %.1f", tc.name, got, tc.wantLen)
		}
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Map)
		want error
	}{
		{"no boundaries", func(m *Map) { m.Boundaries = nil }, ErrNoBoundaries},
		{"descending breaks", func(m *Map) { m.Breaks = []float64{4, 2, 6, 8} }, ErrBreaks},
		{"no breaks", func(m *Map) { m.Breaks = nil }, ErrBreaks},
		{"short palette", func(m *Map) { m.Palette = YlOrRd[3] }, ErrPalette},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := gridMap(t)
			tc.edit(m)
			if err := m.SVG(io.Discard); !errors.Is(err, tc.want) {
				t.Errorf("SVG: %v, want %v", err, tc.want)
			}
			if err := m.PNG(io.Discard); !errors.Is(err, tc.want) {
				t.Errorf("PNG: %v, want %v", err, tc.want)
			}
		})
	}
}

// boundariesPath is the real boundary file for integration tests, which
// skip without it except in CI, where skipping would hide a broken setup.
func boundariesPath(tb testing.TB) string {
	tb.Helper()
	path := os.Getenv("OCMAP_BOUNDARIES")
	if path == "" {
		if os.Getenv("CI") != "" {
			tb.Fatal("OCMAP_BOUNDARIES is not set; integration tests must run in CI")
		}
		tb.Skip("OCMAP_BOUNDARIES is not set")
	}
	return path
}

func realMap(tb testing.TB) *Map {
	b, err := geo.Load(boundariesPath(tb), geo.Properties{})
	if err != nil {
		tb.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(6, 2024))
	m := &Map{
		Title:      "Drug trafficking, incidents per 100,000 people",
		Subtitle:   "January 2023 – December 2024 (random test values)",
		Boundaries: b,
		Values:     map[string]float64{},
		Suppressed: map[string]bool{},
		Legend:     "Incidents per 100,000 people",
		Note: "Source: National Police Bureau, provincial police FIR records (preliminary, unaudited). " +
			"Rates use 2023 census district populations; classes are Jenks natural breaks. " +
			"Districts with fewer than 5 incidents are suppressed. Boundaries: OCHA COD-AB (" + filepath.Base(b.Path) + ").",
		Width: 1600,
	}
	var vals []float64
	for i, d := range b.Districts {
		switch {
		case i%23 == 7:
			m.Suppressed[d.Code] = true
		case i%31 == 3:
			// no data
		default:
			v := math.Round(rng.ExpFloat64()*1000) / 100
			m.Values[d.Code] = v
			vals = append(vals, v)
		}
	}
	if m.Breaks, err = Classify(vals, 5, "jenks"); err != nil {
		tb.Fatal(err)
	}
	return m
}

func TestRealBoundaries(t *testing.T) {
	m := realMap(t)
	var svg, pngb bytes.Buffer
	start := time.Now()
	if err := m.SVG(&svg); err != nil {
		t.Fatal(err)
	}
	svgTime := time.Since(start)
	start = time.Now()
	if err := m.PNG(&pngb); err != nil {
		t.Fatal(err)
	}
	pngTime := time.Since(start)
	t.Logf("%d districts at %d px: SVG %d ms (%d kB), PNG %d ms (%d kB)", len(m.Boundaries.Districts), m.Width,
		svgTime.Milliseconds(), svg.Len()/1024, pngTime.Milliseconds(), pngb.Len()/1024)
	if err := xml.NewDecoder(bytes.NewReader(svg.Bytes())).Decode(new(struct{})); err != nil {
		t.Errorf("SVG: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(pngb.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := img.Bounds().Dx(), 1600; got != want {
		t.Errorf("width %d, want %d", got, want)
	}
	if got := strings.Count(svg.String(), `<path id="d-`); got != len(m.Boundaries.Districts) {
		t.Errorf("%d district paths, want %d", got, len(m.Boundaries.Districts))
	}
	if *out != "" {
		for ext, b := range map[string][]byte{".svg": svg.Bytes(), ".png": pngb.Bytes()} {
			if err := os.WriteFile(*out+ext, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestLabels draws the real boundaries with the top 25 districts named and
// checks that no two label boxes (from the SVG's text, font and anchor)
// intersect, and that the labels were drawn.
func TestLabels(t *testing.T) {
	m := realMap(t)
	m.LabelTop = 25
	s := parseSVG(t, m)
	f, err := newFaces()
	if err != nil {
		t.Fatal(err)
	}
	var boxes []rect
	var names []string
	for _, e := range s.texts {
		if e.group != "province-labels" && e.group != "district-labels" {
			continue
		}
		var x, y, size float64
		fmt.Sscan(e.attr["x"], &x)
		fmt.Sscan(e.attr["y"], &y)
		fmt.Sscan(e.attr["font-size"], &size)
		w := f.width(e.text, size, e.attr["font-weight"] == "bold")
		switch e.attr["text-anchor"] {
		case "middle":
			x -= w / 2
		case "end":
			x -= w
		}
		boxes = append(boxes, rect{x, y - 0.8*size, w, size})
		names = append(names, e.group+" "+e.text)
	}
	if got := len(s.in("district-labels")); got < 10 {
		t.Errorf("%d district labels of 25 drawn: %q", got, s.in("district-labels"))
	}
	if got := len(s.in("province-labels")); got < 6 {
		t.Errorf("%d province label lines drawn: %q", got, s.in("province-labels"))
	}
	for i := range boxes {
		for j := range i {
			if boxes[i].overlaps(boxes[j]) {
				t.Errorf("labels %q and %q overlap: %v, %v", names[j], names[i], boxes[j], boxes[i])
			}
		}
	}
	if *out != "" {
		var b bytes.Buffer
		if err := m.PNG(&b); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(*out+"-labels.png", b.Bytes(), 0o644)
	}
}

func BenchmarkPNG(b *testing.B) {
	m := realMap(b)
	for b.Loop() {
		if err := m.PNG(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSVG(b *testing.B) {
	m := realMap(b)
	for b.Loop() {
		if err := m.SVG(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLabelsNoneForZeros: a map whose published values are all 0 names
// no district as its highest (it named the first codes, an analyst's trial
// found: Awaran, Barkhan, Chagai... for a drug map of zeros).
func TestLabelsNoneForZeros(t *testing.T) {
	m := realMap(t)
	for code := range m.Values {
		m.Values[code] = 0
	}
	m.LabelTop = 5
	if got := parseSVG(t, m).in("district-labels"); len(got) != 0 {
		t.Errorf("district labels on a map of zeros: %q", got)
	}
	m.Values[m.Boundaries.Districts[0].Code] = 1
	if got := parseSVG(t, m).in("district-labels"); len(got) != 1 {
		t.Errorf("district labels with one district above 0: %q, want that one", got)
	}
}

// TestMapOfZeros: a map whose every published value is 0 (one class, 0)
// fills its districts with the colour of zero, not the middle orange of
// the one-class palette, which read as high (an analyst's trial).
func TestMapOfZeros(t *testing.T) {
	m := realMap(t)
	for code := range m.Values {
		m.Values[code] = 0
	}
	m.Breaks, m.Palette = []float64{0}, nil
	var svg bytes.Buffer
	if err := m.SVG(&svg); err != nil {
		t.Fatal(err)
	}
	zero, mid := `fill="`+hex(ZeroColour)+`"`, `fill="`+hex(YlOrRd[3][1])+`"`
	if !strings.Contains(svg.String(), zero) || strings.Contains(svg.String(), mid) {
		t.Errorf("a map of zeros: want its districts %s, and none %s", zero, mid)
	}
}
