// Package geoparquet writes GeoParquet 1.1 files with arrow-go's Parquet
// writer: points as WKB with a bbox covering column, written into
// Hive-partitioned folders (key=value/.../part-N.parquet) in a stream of
// record batches, and polygons (district boundaries) as WKB.
//
// # Metadata
//
// Every file carries the "geo" key of GeoParquet 1.1: version 1.1.0, the
// primary column "geometry", encoding WKB, its geometry types, the CRS
// OGC:CRS84 (longitude, latitude on WGS 84) as PROJJSON, the bbox of the
// file's geometries, and for points the covering "bbox" struct column
// (xmin, ymin, xmax, ymax) that engines use to skip row groups.
//
// # Memory
//
// Points keeps one file open at a time and flushes a row group every
// RowGroupRows rows, so what it holds does not grow with the input: rows
// must come grouped by partition (a partition met again gets a new part).
package geoparquet
