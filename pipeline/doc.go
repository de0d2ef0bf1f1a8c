// Package pipeline chains ocmap's stages: read agency files, normalize rows
// into Arrow batches, locate them in districts, and store them in DuckDB.
//
// The stages never import each other; they exchange arrow.RecordBatch values
// shaped by package schemas. This package holds only the runs that wire
// them together: Ingest, Check (a dry run of a layout) and Rebuild.
//
// # The ingest, stage by stage
//
// For each input file, in order:
//
//  1. read: read.OpenLimited and read.NewScanner split a canonical CSV into
//     records; read.OpenLayout opens a file of a source layout (CSV, JSON,
//     XLSX, a Parquet file or folder) as a read.Source.
//  2. normalize: workers validate the records in normalize.Chunk batches
//     (normalize.New), or normalize.ForLayout does so for a layout, into
//     Arrow batches of incidents and of rejected rows; each row is placed
//     in its district by a locate.Worker as it is validated.
//  3. store: store.Run.InsertStream pulls the batches through a
//     store.ChanReader while they are made, so memory stays flat however
//     large the input; rejects wait in a temporary Arrow file and follow.
//
// Then, once for the run:
//
//  4. placeholder.Replace re-places the rows at placeholder points.
//  5. read.Population replaces the census table, when one is given.
//  6. store.Run.Commit links records into incidents and updates the
//     summaries; analysis.Recompute refills the measure tables.
//
// Check runs steps 1 and 2 without a database and tallies where the rows
// would land (store.LandingTally). Rebuild recomputes step 6 over the whole
// database.
package pipeline
