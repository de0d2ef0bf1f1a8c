package data

import _ "embed"

// GazetteerAliases is gazetteer/aliases.csv, the place-name aliases that
// geo.ReadAliases reads: spelling variants, old names, districts created
// after the reference boundary file, towns and Urdu names, each pointing to
// a district as the OCHA COD-AB 2022 file spells it. Treat it as read-only.
//
//go:embed gazetteer/aliases.csv
var GazetteerAliases []byte
