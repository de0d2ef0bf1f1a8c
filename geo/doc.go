// Package geo holds district boundaries and everything spatial that ocmap
// needs: loading boundary files, the point-in-polygon locator, name lookup
// and the public boundary sources. It imports orb and the standard library
// only, so it stays a leaf that every pipeline stage can use.
//
// Coordinates are WGS 84 in (lon, lat) order, as in GeoJSON and orb.
package geo
