// Package data holds the files ocmap ships: reference tables that are embedded
// in the binary so that a run never depends on files beside it.
//
// # Legal crosswalk
//
// [LegalCrosswalk] is legal_crosswalk.csv, a versioned table from (statute,
// section, in force from, in force to) to the UNODC ICCS code and the ocmap
// category. Load it with schemas.LoadCrosswalk; its notes say which facts are
// unverified and where the others come from.
//
// # Layouts
//
// [Layouts] holds layouts/*.yaml, the builtin source layouts (see package
// pipeline/layout); `ocmap layouts` lists them.
//
// # Gazetteer
//
// [GazetteerAliases] is gazetteer/aliases.csv: spelling variants,
// historical names, successor districts, places and Urdu names of the
// districts, with the dates they apply; read it with geo.ReadAliases.
package data

import _ "embed"

// LegalCrosswalk is the content of legal_crosswalk.csv. Treat it as read-only.
//
//go:embed legal_crosswalk.csv
var LegalCrosswalk []byte

// Subcategories is subcategories.csv: the spellings of subcategories seen
// in agency files (charas, ice, hundi, migrant_smuggling) and the code each
// folds into. Load it with schemas.LoadSubcategoryCodes. Treat it as
// read-only.
//
//go:embed subcategories.csv
var Subcategories []byte

// Countries is flows/countries.csv: the countries (ISO 3166-1 alpha-2) and
// groups of countries (user-assigned codes XG, XE) that trafficking records
// name as origins and destinations, with their spellings, demonyms and Urdu
// names, and an anchor point inside each for maps. Read it with
// geo.ReadCountries. Treat it as read-only.
//
//go:embed flows/countries.csv
var Countries []byte
