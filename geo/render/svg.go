package render

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/ocmap/ocmap/geo"
)

// SVG writes the map as a self-contained SVG document: no external fonts,
// images or links; text uses the Go font by name with common sans-serif
// fallbacks. The bytes depend only on m.
func (m *Map) SVG(w io.Writer) error {
	f, err := newFaces()
	if err != nil {
		return err
	}
	l, err := m.layout(f)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	s := &svgCanvas{w: bw}
	h := l.hatch()
	fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Go, 'Helvetica Neue', Helvetica, Arial, sans-serif">
<title>%s</title>
<defs><pattern id="hatch" patternUnits="userSpaceOnUse" width="%s" height="%s" patternTransform="rotate(45)"><rect width="%s" height="%s" fill="%s"/><rect width="%s" height="%s" fill="%s"/></pattern></defs>
`, int(l.W), int(l.H), int(l.W), int(l.H), esc(m.Title),
		num(h.spacing/math.Sqrt2), num(h.spacing/math.Sqrt2), num(h.spacing/math.Sqrt2), num(h.spacing/math.Sqrt2), hex(HatchBack),
		num(h.width/math.Sqrt2), num(h.spacing/math.Sqrt2), hex(HatchColour))
	m.draw(s, f, l)
	bw.WriteString("</svg>\n")
	return bw.Flush()
}

type svgCanvas struct {
	w   *bufio.Writer
	buf []byte
}

var _ canvas = (*svgCanvas)(nil)

func (s *svgCanvas) group(id string) { fmt.Fprintf(s.w, "<g id=\"%s\">\n", esc(id)) }
func (s *svgCanvas) endGroup()       { s.w.WriteString("</g>\n") }

func (s *svgCanvas) district(d geo.District, info string, polys [][][]pt, p paint) {
	b := s.buf[:0]
	b = append(b, `<path id="d-`...)
	b = append(b, esc(d.Code)...)
	b = append(b, `" fill="`...)
	b = append(b, fill(p)...)
	b = append(b, `" fill-rule="evenodd" d="`...)
	for _, rings := range polys {
		for _, r := range rings {
			b = appendRing(b, r, true)
		}
	}
	b = append(b, `"><title>`...)
	b = append(b, esc(info)...)
	b = append(b, "</title></path>\n"...)
	s.buf = b
	s.w.Write(b)
}

func (s *svgCanvas) lines(ls [][]pt, c color.RGBA, width float64) {
	if len(ls) == 0 {
		return
	}
	b := s.buf[:0]
	b = fmt.Appendf(b, `<path fill="none" stroke="%s" stroke-width="%s" stroke-linejoin="round" stroke-linecap="round" d="`, hex(c), num(width))
	for _, r := range ls {
		b = appendRing(b, r, false)
	}
	b = append(b, "\"/>\n"...)
	s.buf = b
	s.w.Write(b)
}

func (s *svgCanvas) rect(r rect, p paint, stroke color.RGBA, width float64) {
	fmt.Fprintf(s.w, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"`, num(r.X), num(r.Y), num(r.W), num(r.H), fill(p))
	if p.c.A != 255 && p.c.A != 0 && !p.hatch {
		fmt.Fprintf(s.w, ` fill-opacity="%s"`, num(float64(p.c.A)/255))
	}
	if width > 0 {
		fmt.Fprintf(s.w, ` stroke="%s" stroke-width="%s"`, hex(stroke), num(width))
	}
	s.w.WriteString("/>\n")
}

func (s *svgCanvas) polygon(ps []pt, c color.RGBA) {
	b := fmt.Appendf(s.buf[:0], `<path fill="%s" d="`, hex(c))
	b = appendRing(b, ps, true)
	b = append(b, "\"/>\n"...)
	s.buf = b
	s.w.Write(b)
}

func (s *svgCanvas) text(x, y float64, t string, st textStyle) {
	fmt.Fprintf(s.w, `<text x="%s" y="%s" font-size="%s" fill="%s"`, num(x), num(y), num(st.size), hex(st.c))
	if st.bold {
		s.w.WriteString(` font-weight="bold"`)
	}
	switch st.anchor {
	case anchorMiddle:
		s.w.WriteString(` text-anchor="middle"`)
	case anchorEnd:
		s.w.WriteString(` text-anchor="end"`)
	}
	if st.halo > 0 {
		fmt.Fprintf(s.w, ` stroke="#ffffff" stroke-width="%s" stroke-linejoin="round" paint-order="stroke"`, num(2*st.halo))
	}
	fmt.Fprintf(s.w, ">%s</text>\n", esc(t))
}

func appendRing(b []byte, r []pt, closed bool) []byte {
	for i, q := range r {
		if i == 0 {
			b = append(b, 'M')
		} else if i == 1 {
			b = append(b, 'L')
		} else {
			b = append(b, ' ')
		}
		b = appendNum(b, q.X)
		b = append(b, ',')
		b = appendNum(b, q.Y)
	}
	if closed {
		b = append(b, 'Z')
	}
	return b
}

// appendNum writes v with at most two decimals and no trailing zeros.
func appendNum(b []byte, v float64) []byte {
	v = math.Round(v*100) / 100
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}

func num(v float64) string { return string(appendNum(nil, v)) }

func fill(p paint) string {
	switch {
	case p.hatch:
		return "url(#hatch)"
	case p.none || p.c.A == 0:
		return "none"
	}
	return hex(p.c)
}

func hex(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

func esc(s string) string {
	var sb strings.Builder
	xml.EscapeText(&sb, []byte(s))
	return sb.String()
}
