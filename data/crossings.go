package data

import _ "embed"

// Crossings is flows/crossings.csv: the official land border crossings and
// sea ports of Pakistan, each with its coordinates (lon, lat), how far the
// true crossing may be from them (precision_km) and the public page they
// come from. Read it with geo.ReadCrossings. Treat it as read-only.
//
//go:embed flows/crossings.csv
var Crossings []byte
