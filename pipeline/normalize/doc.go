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
package normalize
