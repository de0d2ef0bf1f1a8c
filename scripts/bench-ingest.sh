#!/usr/bin/env bash
# Benchmarks a whole ingest on a generated canonical file against DuckDB's own
# CSV load of the same file (the floor for any ingest that stores every row).
# Usage: scripts/bench-ingest.sh [ROWS]   (needs bin/ocmap: run `make build`)
# Prints rows/s per stage, total time and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
out=bench-out
mkdir -p "$out"
: "${OCMAP_BOUNDARIES:?set OCMAP_BOUNDARIES to a district GeoJSON (make bench sets it)}"
csv="$out/synthetic-$rows.csv"
if [ ! -f "$csv" ]; then
  ./bin/ocmap gen --rows "$rows" --seed 7 --out "$csv"
fi
ls -l "$csv" | awk '{printf "input: %s, %.0f MB\n", $9, $5/1e6}'

rm -f "$out/bench.duckdb" "$out/bench.duckdb.wal"
echo "== ocmap ingest (read, validate, locate, DuckDB, summaries)"
/usr/bin/time -f "wall %e s, peak RSS %M KB" ./bin/ocmap ingest -q --db "$out/bench.duckdb" "$csv"

# The same file with the GeoNames place layer: its cost on rows whose names
# the gazetteer already knows is a lookup that is never made; the placeholder
# pass (one GROUP BY over the run's points) is in the stage line above.
places="${OCMAP_SHARED_DATA:-../shared/data}/places/geonames_cities500_PK.tsv"
if [ -f "$places" ]; then
  rm -f "$out/bench-places.duckdb" "$out/bench-places.duckdb.wal"
  echo "== ocmap ingest --places (the place layer on)"
  /usr/bin/time -f "wall %e s, peak RSS %M KB" ./bin/ocmap ingest --db "$out/bench-places.duckdb" --places "$places" "$csv" 2>&1 | grep -E "stages|rows read|wall"
fi

echo "== DuckDB alone: CREATE TABLE AS SELECT * FROM read_csv(...) into a database file"
go test -tags duckdb_arrow -run '^$' -bench BenchmarkDuckDBReadCSV -benchtime 1x ./pipeline/store/ \
  -args -csv "$PWD/$csv" | grep -E "Benchmark|ok"
