package render

import (
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"

	"github.com/ocmap/ocmap/geo"
)

// PNG writes the map as a Width×Height PNG, rasterized with anti-aliasing.
func (m *Map) PNG(w io.Writer) error {
	f, err := newFaces()
	if err != nil {
		return err
	}
	l, err := m.layout(f)
	if err != nil {
		return err
	}
	img := image.NewRGBA(image.Rect(0, 0, int(l.W), int(l.H)))
	m.draw(&pngCanvas{img: img, f: f, hatch: l.hatch()}, f, l)
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	return enc.Encode(w, img)
}

type pngCanvas struct {
	img   *image.RGBA
	f     *faces
	hatch hatch
	z     vector.Rasterizer
}

var _ canvas = (*pngCanvas)(nil)

func (p *pngCanvas) group(string) {}
func (p *pngCanvas) endGroup()    {}

func (p *pngCanvas) src(pt paint) image.Image {
	if pt.hatch {
		return hatchImage(p.hatch)
	}
	return image.NewUniform(pt.c)
}

func (p *pngCanvas) fillRings(polys [][][]pt, pa paint) {
	var all [][]pt
	for _, rings := range polys {
		all = append(all, rings...)
	}
	bb := ringsBounds(all, 1).Intersect(p.img.Rect)
	if bb.Empty() || pa.none || (!pa.hatch && pa.c.A == 0) {
		return
	}
	p.z.Reset(bb.Dx(), bb.Dy())
	p.z.DrawOp = draw.Over
	for _, rings := range polys {
		for _, r := range orient(rings) {
			addRing(&p.z, r, 1, float64(bb.Min.X), float64(bb.Min.Y))
		}
	}
	p.z.Draw(p.img, bb, p.src(pa), bb.Min)
}

func (p *pngCanvas) district(_ geo.District, _ string, polys [][][]pt, pa paint) {
	p.fillRings(polys, pa)
}

// lines strokes polylines as quads plus an octagon at every vertex (round
// joins and caps), all wound the same way so that overlaps do not cancel.
func (p *pngCanvas) lines(ls [][]pt, c color.RGBA, width float64) {
	if len(ls) == 0 {
		return
	}
	h := width / 2
	b := ringsBounds(ls, 1).Inset(-int(math.Ceil(h)) - 1).Intersect(p.img.Rect)
	if b.Empty() {
		return
	}
	p.z.Reset(b.Dx(), b.Dy())
	p.z.DrawOp = draw.Over
	ox, oy := float64(b.Min.X), float64(b.Min.Y)
	var oct [8]pt
	for i := range oct {
		a := -2 * math.Pi * float64(i) / 8
		oct[i] = pt{h * math.Cos(a) / math.Cos(math.Pi/8), h * math.Sin(a) / math.Cos(math.Pi/8)}
	}
	move := func(x, y float64) { p.z.MoveTo(float32(x-ox), float32(y-oy)) }
	line := func(x, y float64) { p.z.LineTo(float32(x-ox), float32(y-oy)) }
	for _, l := range ls {
		for i, q := range l {
			move(q.X+oct[0].X, q.Y+oct[0].Y)
			for _, o := range oct[1:] {
				line(q.X+o.X, q.Y+o.Y)
			}
			p.z.ClosePath()
			if i == 0 {
				continue
			}
			a := l[i-1]
			dx, dy := q.X-a.X, q.Y-a.Y
			n := math.Hypot(dx, dy)
			if n == 0 {
				continue
			}
			nx, ny := -dy/n*h, dx/n*h
			move(a.X+nx, a.Y+ny)
			line(q.X+nx, q.Y+ny)
			line(q.X-nx, q.Y-ny)
			line(a.X-nx, a.Y-ny)
			p.z.ClosePath()
		}
	}
	p.z.Draw(p.img, b, image.NewUniform(c), b.Min)
}

func (p *pngCanvas) rect(r rect, fill paint, stroke color.RGBA, width float64) {
	ring := []pt{{r.X, r.Y}, {r.X + r.W, r.Y}, {r.X + r.W, r.Y + r.H}, {r.X, r.Y + r.H}}
	p.fillRings([][][]pt{{ring}}, fill)
	if width > 0 {
		p.lines([][]pt{append(ring, ring[0])}, stroke, width)
	}
}

func (p *pngCanvas) polygon(ps []pt, c color.RGBA) {
	p.fillRings([][][]pt{{ps}}, paint{c: c})
}

func (p *pngCanvas) text(x, y float64, s string, st textStyle) {
	face := p.f.face(st.size, st.bold)
	switch st.anchor {
	case anchorMiddle:
		x -= p.f.width(s, st.size, st.bold) / 2
	case anchorEnd:
		x -= p.f.width(s, st.size, st.bold)
	}
	d := font.Drawer{Dst: p.img, Face: face}
	if st.halo > 0 {
		d.Src = image.NewUniform(white)
		for _, r := range []float64{st.halo, st.halo / 2} {
			for i := range 16 {
				a := 2 * math.Pi * float64(i) / 16
				d.Dot = fix(x+r*math.Cos(a), y+r*math.Sin(a))
				d.DrawString(s)
			}
		}
	}
	d.Src = image.NewUniform(st.c)
	d.Dot = fix(x, y)
	d.DrawString(s)
}

func fix(x, y float64) fixed.Point26_6 {
	return fixed.Point26_6{X: fixed.Int26_6(math.Round(x * 64)), Y: fixed.Int26_6(math.Round(y * 64))}
}

// hatchImage is an unbounded pattern of HatchColour lines running up to
// the right on HatchBack; pixel (x, y) is on a line when (x+y) mod spacing
// is below width, so that the colours are exact.
type hatchImage hatch

func (h hatchImage) ColorModel() color.Model { return color.RGBAModel }
func (h hatchImage) Bounds() image.Rectangle {
	return image.Rect(-1e9, -1e9, 1e9, 1e9)
}
func (h hatchImage) At(x, y int) color.Color {
	s, w := int(h.spacing), int(h.width)
	if ((x+y)%s+s)%s < w {
		return HatchColour
	}
	return HatchBack
}
