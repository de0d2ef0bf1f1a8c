// Package pipeline chains ocmap's stages: read agency files, normalize rows
// into Arrow batches, locate them in districts, and store them in DuckDB.
//
// The stages never import each other; they exchange arrow.RecordBatch values
// shaped by package schemas. Ingest runs reading and normalizing in one
// goroutine and writing in another, with a bounded channel between them, so
// memory stays flat however large the input.
package pipeline
