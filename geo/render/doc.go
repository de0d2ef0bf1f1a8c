// Package render draws print-quality district choropleth maps from
// geo.Boundaries, as SVG and as PNG from one drawing.
//
// # Drawing
//
// A Map is laid out once in pixel units (title, map frame, legend, scale
// bar, note, corner label) and then painted through a small canvas
// interface with two backends: SVG text written by hand, and PNG rasterized
// with golang.org/x/image/vector and Go fonts (golang.org/x/image/font/gofont).
// Both backends receive the same coordinates, so the two outputs agree.
//
// # Projection
//
// Equirectangular, with x scaled by cos of the middle latitude of the
// boundaries, so that the scale bar is true along that parallel. Project
// gives the pixel position of a (lon, lat) point.
//
// # Geometry
//
// District rings are projected, snapped to a 0.1 px grid and simplified
// with Douglas-Peucker on the arcs between junctions, so that neighbouring
// districts keep identical shared borders. Shared edges are then counted:
// an edge whose two sides are in different provinces, or that has only one
// side, is a province (or national) border and is drawn thicker.
//
// # Classes
//
// Breaks are class upper bounds: class i holds Breaks[i-1] < v <= Breaks[i];
// values above the last break fall in the last class. Classify computes
// quantile or Fisher-Jenks breaks.
package render
