// Package normalize turns raw rows of the canonical layout into Arrow record
// batches shaped by schemas.Incidents, and every row it cannot use into a
// rejects batch with the file, line, field and reason. Files in a source
// layout go through [IncidentNormalizer] (into schemas.Incidents, with the
// legal crosswalk for statute sections) or [ContextNormalizer] (into
// schemas.Context).
//
// Placing a row in a district is delegated to a [Placer] (the locate stage),
// so a row that cannot be placed is rejected with its raw text while it is
// still at hand, and batches never need filtering afterwards.
//
// # Personal data
//
// Every free-text value a normalizer stores, and the reason and raw text of
// every reject, goes through schemas.Scrub: CNIC numbers, phone numbers and
// e-mail addresses become [CNIC], [PHONE] and [EMAIL] before the store sees
// them, whatever the layout.
package normalize
