// Package store is the only package that speaks to DuckDB (and so the only
// one that needs cgo). It owns the table layout, writes ingest runs as single
// transactions from Arrow record batches, and answers the queries the
// commands need.
//
// # Tables
//
//	districts       district_code, district_name, province, area_km2
//	incidents       one row per accepted incident (schemas.Incidents)
//	rejects         run_id, source_file, source_line, field, reason, raw
//	district_month  district_code, category, month, incidents (groups),
//	                quantity, amount_pkr, by_point, by_name, records
//	district_month_sources  per source: district_code, category, month,
//	                source, records
//	district_month_sums  district_month's cells as exact sums (summaries.go)
//	incident_groups records that describe one incident (see linkGroups)
//	drug_trafficking, human_trafficking, terror_financing, cybercrime
//	                each category's own fields, keyed to incidents by
//	                run_id, source_file, source_line; views <table>_incidents
//	ingest_runs     run_id, started_at, finished_at, files, rows_read,
//	                rows_accepted, rows_rejected, boundaries, boundaries_sha256
//	ingest_files    run_id, source_file, sha256, bytes, rows_*, replaced_by, content_sha256 (of the text inside a gzip),
//	                file_seq (the file's position in its run, as given)
//	meta            key, value (schema version, boundary file)
//
// # Derived tables
//
// incident_groups, district_month, district_month_sums,
// district_month_sources, sweep_moves and sweep_twins follow from
// incidents; a run updates them for its own rows and the rows it replaced
// (deriveRun), and Rebuild recomputes them whole, with the same result.
// meta 'derived_rules' names their rules: a database made under other
// rules is rebuilt by its next run.
//
// # Atomicity
//
// A run is one DuckDB transaction: rows, rejects, summaries and the run record
// commit together or not at all. DuckDB's write-ahead log makes a killed
// process leave the database as it was before the run.
package store
