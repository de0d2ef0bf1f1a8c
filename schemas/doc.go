// Package schemas defines the shape of ocmap's data: the incident categories,
// location precision codes, the canonical input columns and the Arrow schemas
// that pipeline stages exchange. It imports Arrow only, so every stage and the
// store can agree on field names without importing each other.
//
// # Batches
//
// Stages pass arrow.RecordBatch values shaped by [Normalized] (after
// validation) or [Incidents] (after the district join), and rejected rows as
// batches shaped by [Rejects]. Whoever receives a batch releases it.
package schemas
