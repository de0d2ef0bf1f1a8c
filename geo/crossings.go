package geo

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// ErrCrossingsFile is wrapped by every error of [ReadCrossings].
var ErrCrossingsFile = errors.New("geo: bad crossings file")

// Kinds of crossing.
const (
	CrossingLand    = "land"    // a road or rail border crossing; Country is the far side
	CrossingPort    = "port"    // a sea port; Country is "sea"
	CrossingAirport = "airport" // an international airport; Country is "air"
)

// Crossing is an official border crossing or port of entry.
type Crossing struct {
	Name        string
	Country     string    // ISO 3166-1 alpha-2 code of the far side (AF, IR, IN, CN), "sea" for a port, "air" for an airport
	Kind        string    // CrossingLand, CrossingPort or CrossingAirport
	Point       orb.Point // lon, lat (WGS 84)
	PrecisionKm float64   // how far the true crossing may be from Point
	Source      string    // a public URL that gives the coordinates
	Note        string    // how the coordinates were read, or ""
}

// crossingColumns are the columns of a crossings file, in any order; note
// may be left out.
var crossingColumns = []string{"name", "country", "kind", "lon", "lat", "precision_km", "source", "note"}

// Bounds of a crossings file: a country has a few dozen crossings, so more
// is a wrong file, not a longer list.
const (
	maxCrossingBytes = 1 << 20
	maxCrossingRows  = 10_000
)

// ReadCrossingsFile reads a crossings CSV from disk; errors name the file.
func ReadCrossingsFile(path string) ([]Crossing, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cs, err := ReadCrossings(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cs, nil
}

// ReadCrossings reads a crossings CSV: a header naming the columns name,
// country, kind, lon, lat, precision_km, source (and optionally note), then
// one crossing a line. A bad row is an error naming its line and column;
// nothing is skipped. Input beyond 1 MiB or 10,000 rows is an error.
func ReadCrossings(r io.Reader) ([]Crossing, error) {
	lr := &io.LimitedReader{R: r, N: maxCrossingBytes + 1}
	cr := csv.NewReader(lr)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: line 1: %w", ErrCrossingsFile, err)
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(crossingColumns, h) {
			return nil, fmt.Errorf("%w: line 1: unknown column %q (want %s)", ErrCrossingsFile, head[i], strings.Join(crossingColumns, ", "))
		}
		if _, dup := col[h]; dup {
			return nil, fmt.Errorf("%w: line 1: column %q twice", ErrCrossingsFile, h)
		}
		col[h] = i
	}
	for _, c := range crossingColumns[:7] {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("%w: line 1: no column %q (want %s)", ErrCrossingsFile, c, strings.Join(crossingColumns, ", "))
		}
	}
	var out []Crossing
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if lr.N <= 0 {
			return nil, fmt.Errorf("%w: more than %d bytes; a crossings file lists a few dozen crossings", ErrCrossingsFile, maxCrossingBytes)
		}
		if err == io.EOF {
			if len(out) == 0 {
				return nil, fmt.Errorf("%w: no crossings after the header", ErrCrossingsFile)
			}
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrCrossingsFile, err)
		}
		if len(out) == maxCrossingRows {
			return nil, fmt.Errorf("%w: more than %d crossings", ErrCrossingsFile, maxCrossingRows)
		}
		line, _ := cr.FieldPos(0)
		bad := func(c, format string, args ...any) error {
			return fmt.Errorf("%w: line %d: column %q: %s", ErrCrossingsFile, line, c, fmt.Sprintf(format, args...))
		}
		get := func(c string) string {
			if i, ok := col[c]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		c := Crossing{Name: get("name"), Country: get("country"), Kind: get("kind"), Source: get("source"), Note: get("note")}
		if c.Name == "" {
			return nil, bad("name", "empty")
		}
		if prev, dup := seen[strings.ToLower(c.Name)]; dup {
			return nil, bad("name", "%q is also on line %d", c.Name, prev)
		}
		seen[strings.ToLower(c.Name)] = line
		switch c.Kind {
		case CrossingLand:
			if len(c.Country) != 2 || strings.ToUpper(c.Country) != c.Country || !isLetters(c.Country) {
				return nil, bad("country", "%q: a land crossing needs the ISO 3166-1 alpha-2 code of the far side (AF, IR, IN, CN)", c.Country)
			}
		case CrossingPort:
			if c.Country != "sea" {
				return nil, bad("country", "%q: a port's country is sea", c.Country)
			}
		case CrossingAirport:
			if c.Country != "air" {
				return nil, bad("country", "%q: an airport's country is air", c.Country)
			}
		default:
			return nil, bad("kind", "%q: want land, port or airport", c.Kind)
		}
		for i, k := range []struct {
			name  string
			limit float64
		}{{"lon", 180}, {"lat", 90}} {
			s := get(k.name)
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(v) || math.Abs(v) > k.limit {
				return nil, bad(k.name, "%q is not a decimal degree between -%g and %g", s, k.limit, k.limit)
			}
			c.Point[i] = v
		}
		s := get("precision_km")
		if c.PrecisionKm, err = strconv.ParseFloat(s, 64); err != nil || !(c.PrecisionKm > 0) || math.IsInf(c.PrecisionKm, 0) {
			return nil, bad("precision_km", "%q is not a distance in km above 0", s)
		}
		if u, err := url.Parse(c.Source); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, bad("source", "%q is not an http(s) URL; cite the page that gives the coordinates", c.Source)
		}
		out = append(out, c)
	}
}

func isLetters(s string) bool {
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// NearestCrossing is a district's nearest crossing.
type NearestCrossing struct {
	Crossing int     // index into the crossings, -1 when there are none
	Km       float64 // distance from the district polygon; 0 when the crossing lies inside it
}

// NearestCrossings gives, by district index, the nearest crossing and its
// distance in km from the district's polygon (not its centroid): 0 when the
// crossing lies inside the district, else the great-circle distance to the
// nearest point of its outline. That point is found in a local
// equirectangular projection around the crossing, and the distance to it
// measured by haversine on a sphere of radius 6371 km ([DistanceKm]);
// within a few hundred km the error is well under 1%. Ties go to the
// crossing listed first.
func NearestCrossings(b *Boundaries, cs []Crossing) []NearestCrossing {
	out := make([]NearestCrossing, len(b.Polygons))
	for i, mp := range b.Polygons {
		best := NearestCrossing{Crossing: -1, Km: math.Inf(1)}
		bound := mp.Bound()
		for j, c := range cs {
			// The distance to the bounding box is about a lower bound of the
			// distance to the polygon (1% slack for the meridians' slant):
			// skip crossings that cannot win.
			if 0.99*DistanceKm(c.Point, clampPoint(bound, c.Point)) > best.Km {
				continue
			}
			km := polygonKm(mp, bound, c.Point)
			if km < best.Km {
				best = NearestCrossing{Crossing: j, Km: km}
			}
		}
		if best.Crossing < 0 {
			best.Km = math.NaN()
		}
		out[i] = best
	}
	return out
}

// clampPoint is the point of the box nearest p.
func clampPoint(b orb.Bound, p orb.Point) orb.Point {
	return orb.Point{math.Max(b.Min[0], math.Min(b.Max[0], p[0])), math.Max(b.Min[1], math.Min(b.Max[1], p[1]))}
}

// polygonKm is the distance in km from p to the multipolygon: 0 inside it.
func polygonKm(mp orb.MultiPolygon, bound orb.Bound, p orb.Point) float64 {
	if bound.Contains(p) && planar.MultiPolygonContains(mp, p) {
		return 0
	}
	// Project around p: x scaled by cos(lat), so that segments' nearest
	// points are found with the right proportions.
	k := math.Cos(p[1] * math.Pi / 180)
	best, bestD := orb.Point{}, math.Inf(1)
	for _, poly := range mp {
		for _, ring := range poly {
			for i := 1; i < len(ring); i++ {
				q := nearestOnSegment(ring[i-1], ring[i], p, k)
				dx, dy := (q[0]-p[0])*k, q[1]-p[1]
				if d := dx*dx + dy*dy; d < bestD {
					best, bestD = q, d
				}
			}
		}
	}
	if math.IsInf(bestD, 1) {
		return math.Inf(1)
	}
	return DistanceKm(p, best)
}

// nearestOnSegment is the point of segment a-b nearest p, with longitudes
// scaled by k.
func nearestOnSegment(a, b, p orb.Point, k float64) orb.Point {
	ax, ay := (a[0]-p[0])*k, a[1]-p[1]
	bx, by := (b[0]-p[0])*k, b[1]-p[1]
	dx, dy := bx-ax, by-ay
	l := dx*dx + dy*dy
	if l == 0 {
		return a
	}
	t := math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l))
	return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
}
