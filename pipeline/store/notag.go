//go:build !duckdb_arrow

package store

// ocmap needs go-duckdb's Arrow interface, which is behind a build tag.
// Build with `make` or `go build -tags duckdb_arrow ./...`.
var _ = build_with_tags_duckdb_arrow
