package data

import "embed"

// Layouts holds the builtin source layouts, layouts/*.yaml; load them with
// layout.Builtin.
//
//go:embed layouts/*.yaml
var Layouts embed.FS
