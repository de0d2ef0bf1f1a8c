// Package geo holds district boundaries and everything spatial that ocmap
// needs: loading boundary files, the point-in-polygon locator, the
// gazetteer that matches place names to districts, and the public boundary
// sources. It imports no other ocmap package (only orb, goccy/go-json,
// adrg/strutil, x/text and the standard library), so it stays a leaf that
// every pipeline stage can use.
//
// Coordinates are WGS 84 in (lon, lat) order, as in GeoJSON and orb.
//
// # Border crossings
//
// [ReadCrossings] reads a list of official crossings and ports (ocmap ships
// one in package data), and [NearestCrossings] gives each district its
// nearest crossing and the great-circle distance from the district's
// polygon, 0 when the crossing lies inside it.
package geo
