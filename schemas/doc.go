// Package schemas defines the shape of ocmap's data: the incident categories,
// location precision codes, the canonical input columns and the Arrow schemas
// that pipeline stages exchange. It imports Arrow and the standard library
// only, so every stage and the store can agree on field names without
// importing each other.
//
// # Batches
//
// Stages pass arrow.RecordBatch values shaped by [Normalized] (after
// validation) or [Incidents] (after the district join), and rejected rows as
// batches shaped by [Rejects]. Whoever receives a batch releases it.
//
// # Values
//
// The per-cell parsers that source layouts use live here too, so every stage
// reads values the same way: dates in declared formats with a century pivot
// and Excel serials ([DateParser]), masses and money with their units
// ([MassUnit], [MoneyUnit], [ParseAmount]), decimal and degrees-minutes-seconds
// coordinates ([ParseCoord]), personal data ([Scrub], [LooksPersonal],
// [Hasher]) and the legal crosswalk from statute sections to ICCS codes and
// categories ([LoadCrosswalk]). They allocate nothing on the hot path.
package schemas
