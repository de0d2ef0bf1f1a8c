//go:build duckdb_arrow

package store

import (
	"context"
	"fmt"
)

// Meta keys of the place layer a run used: its file, SHA-256 and licence.
// Exports read them to credit GeoNames.
const (
	MetaPlaces        = "places"
	MetaPlacesSHA256  = "places_sha256"
	MetaPlacesLicence = "places_licence"
)

// RecordPlaces records in meta the place layer this run placed rows with,
// replacing an earlier run's.
func (r *Run) RecordPlaces(ctx context.Context, path, sha256, licence string) error {
	for _, kv := range [][2]string{{MetaPlaces, path}, {MetaPlacesSHA256, sha256}, {MetaPlacesLicence, licence}} {
		if _, err := r.conn.ExecContext(ctx, `INSERT OR REPLACE INTO meta VALUES (?, ?)`, kv[0], kv[1]); err != nil {
			return fmt.Errorf("store: %s: meta %s: %w", r.s.Path, kv[0], err)
		}
	}
	return nil
}
