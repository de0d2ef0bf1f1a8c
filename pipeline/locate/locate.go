// Package locate places incidents in districts: by point-in-polygon when a
// row has coordinates, by district name or code when it has only a name.
package locate

import (
	"github.com/paulmach/orb"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/schemas"
)

// Locator places rows using one boundary file. It is safe for concurrent use.
type Locator struct {
	b  *geo.Boundaries
	ix *geo.Index
}

// New builds the spatial index over b.
func New(b *geo.Boundaries) *Locator {
	return &Locator{b: b, ix: geo.NewIndex(b.Polygons)}
}

// Boundaries returns the boundary file the Locator uses.
func (l *Locator) Boundaries() *geo.Boundaries { return l.b }

// Place implements normalize.Placer. A point inside a district wins; a point
// outside every district falls back to the district name when one is given
// and known; otherwise the row is rejected.
func (l *Locator) Place(lon, lat float64, hasPoint bool, hint []byte) (int, int8, string, string, bool) {
	if hasPoint {
		if i := l.ix.Locate(orb.Point{lon, lat}); i >= 0 {
			return i, schemas.PrecisionPoint, "", "", true
		}
	}
	if len(hint) > 0 {
		if i := l.b.LookupName(string(hint)); i >= 0 {
			return i, schemas.PrecisionDistrict, "", "", true
		}
		if hasPoint {
			return 0, 0, schemas.FieldLat, "coordinates are outside every district and the district name is not known", false
		}
		return 0, 0, schemas.FieldDistrictHint, "unknown district name (not a district name or code of the boundary file)", false
	}
	if hasPoint {
		return 0, 0, schemas.FieldLat, "coordinates are outside every district and no district name is given", false
	}
	return 0, 0, schemas.FieldLat, "no coordinates and no district name", false
}

// Locate returns the district holding the point, or -1.
func (l *Locator) Locate(lon, lat float64) int { return l.ix.Locate(orb.Point{lon, lat}) }

// District implements normalize.Placer.
func (l *Locator) District(i int) (code, name, province string) {
	d := &l.b.Districts[i]
	return d.Code, d.Name, d.Province
}
