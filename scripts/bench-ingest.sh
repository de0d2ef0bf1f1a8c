#!/usr/bin/env bash
# Benchmarks a whole ingest of generated multi-source files (10 agencies, 5%
# cross-source duplicates, so linking always runs) against DuckDB's own CSV
# load of the same file (the floor for any ingest that stores every row), and
# 1,000 new rows added to the big database and to an empty one: a monthly
# file (gen --from 2025-01 --to 2025-01, the month after the big file's six
# years, as an agency's monthly return comes), and the same number of rows
# with dates over all six years (the worst case: every row falls in another
# part of the database).
# Usage: scripts/bench-ingest.sh [ROWS...]   (needs bin/ocmap: run `make build`)
#   e.g. scripts/bench-ingest.sh 1000000 5000000
# Environment: GEN_FLAGS (default "--sources 10 --dup-rate 0.05 --flows=false":
# the canonical columns, as DuckDB loads them; gen's flow columns go
# through the ocmap-synthetic layout) for other
# data; REPEAT=N (default 1) times each ocmap ingest and DuckDB load N times
# and keeps the fastest, as other work on the machine only slows a run down;
# PLACES=0 skips the run with the place layer; KEEP=1 keeps the databases;
# OCMAP_BIN=FILE times another build (an older one, to compare). Each
# size's CSV stays in bench-out for the next run (5M rows is about 0.8 GB);
# its databases go.
# Prints, per size: rows/s per stage, wall time, peak RSS, DuckDB's load,
# the ratio, DuckDB storing ocmap's finished incidents table alone (the
# floor for that table), the incremental ingest's wall time, and the rows/s of
# export --incidents (partitioned GeoParquet) and of ingesting that folder
# back into a new database (its peak RSS too).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- 1000000
out=bench-out
mkdir -p "$out"
: "${OCMAP_BOUNDARIES:?set OCMAP_BOUNDARIES to a district GeoJSON (make bench sets it)}"
gen_flags=${GEN_FLAGS:---sources 10 --dup-rate 0.05 --flows=false}
ocmap=${OCMAP_BIN:-./bin/ocmap}
tag=$(echo "$gen_flags" | tr -cd 'a-z0-9.' | sed 's/sources/s/; s/duprate/d/')

# seconds prints the wall time /usr/bin/time wrote to $1.
seconds() { sed -n 's/^wall \([0-9.]*\) s.*/\1/p' "$1" | tail -1; }

# stages turns ingest's stage line into one line per stage with its rows/s.
stages() {
  local rows=$1
  grep -E '^  stages:' | sed 's/^  stages: //; s/; /\n/g' | while read -r line; do
    s=$(echo "$line" | grep -oE '[0-9]+\.[0-9]+s' | head -1 | tr -d s)
    name=$(echo "$line" | sed -E 's/ [0-9]+\.[0-9]+s.*//')
    if [ -n "$s" ] && awk -v s="$s" 'BEGIN{exit !(s > 0)}'; then
      awk -v n="$name" -v s="$s" -v r="$rows" 'BEGIN{printf "  %-28s %7.2f s  %12.0f rows/s\n", n, s, r/s}'
    else
      echo "  $line"
    fi
  done
}

small="$out/monthly-1000-$tag.csv"
./bin/ocmap gen --rows 1000 --seed 8 $gen_flags --from 2025-01 --to 2025-01 --out "$small" >/dev/null
spread="$out/spread-1000-$tag.csv"
./bin/ocmap gen --rows 1000 --seed 8 $gen_flags --out "$spread" >/dev/null

# incremental DB FILE NAME: ingests FILE into a copy of DB and into an
# empty database, prints both, and sets t_inc and t_empty (wall seconds).
incremental() {
  cp "$1" "$out/inc.duckdb"
  [ ! -f "$1.wal" ] || cp "$1.wal" "$out/inc.duckdb.wal"
  # A database in use was not written a moment ago: without this, the
  # run's first fsync (its COMMIT) also waits for the copy's 200 MB of
  # dirty pages (measured: COMMIT 0.25-0.39 s unsynced, 0.12 s synced).
  sync
  /usr/bin/time -f "wall %e s, peak RSS %M KB" -o "$out/time.txt" "$ocmap" ingest -q --db "$out/inc.duckdb" "$2" >"$out/ingest.txt"
  t_inc=$(seconds "$out/time.txt")
  grep -E '^  stages:' "$out/ingest.txt" || true
  echo "$3 into $rows rows: $(cat "$out/time.txt")"
  rm -f "$out/inc.duckdb" "$out/inc.duckdb.wal"
  /usr/bin/time -f "wall %e s, peak RSS %M KB" -o "$out/time.txt" "$ocmap" ingest -q --db "$out/inc.duckdb" "$2" >/dev/null
  t_empty=$(seconds "$out/time.txt")
  echo "$3 into an empty database: $(cat "$out/time.txt")"
  rm -f "$out/inc.duckdb" "$out/inc.duckdb.wal"
}

summary=()
for rows in "$@"; do
  csv="$out/synthetic-$rows-$tag.csv"
  if [ ! -f "$csv" ]; then
    ./bin/ocmap gen --rows "$rows" --seed 7 $gen_flags --out "$csv"
  fi
  echo
  ls -l "$csv" | awk '{printf "== %s rows: %s, %.0f MB\n", "'"$rows"'", $9, $5/1e6}'

  db="$out/bench-$rows.duckdb"
  echo "-- ocmap ingest (read, validate, locate, DuckDB, links, summaries)"
  t_ocmap=
  for i in $(seq "${REPEAT:-1}"); do
    rm -f "$db" "$db.wal"
    /usr/bin/time -f "wall %e s, peak RSS %M KB" -o "$out/time.txt" "$ocmap" ingest -q --db "$db" "$csv" >"$out/ingest.txt"
    t=$(seconds "$out/time.txt")
    if [ -z "$t_ocmap" ] || awk -v a="$t" -v b="$t_ocmap" 'BEGIN{exit !(a < b)}'; then
      t_ocmap=$t
      cp "$out/ingest.txt" "$out/best.txt"
      cp "$out/time.txt" "$out/best-time.txt"
    fi
  done
  grep -E '^rows read' "$out/best.txt" || true
  stages "$rows" <"$out/best.txt"
  cat "$out/best-time.txt"
  rss=$(sed -n 's/.*peak RSS \([0-9]*\) KB/\1/p' "$out/best-time.txt")

  # The GeoNames place layer, on the smallest size only: its cost is a
  # lookup on rows the gazetteer does not know.
  places="${OCMAP_SHARED_DATA:-../shared/data}/places/geonames_cities500_PK.tsv"
  if [ "${PLACES:-1}" = 1 ] && [ -f "$places" ] && [ "$rows" = "$1" ]; then
    rm -f "$out/bench-places.duckdb" "$out/bench-places.duckdb.wal"
    echo "-- ocmap ingest --places (the place layer on)"
    /usr/bin/time -f "wall %e s, peak RSS %M KB" "$ocmap" ingest --db "$out/bench-places.duckdb" --places "$places" "$csv" 2>&1 | grep -E "stages|wall"
    rm -f "$out/bench-places.duckdb" "$out/bench-places.duckdb.wal"
  fi

  echo "-- DuckDB alone: CREATE TABLE AS SELECT * FROM read_csv(...) into a database file"
  go test -tags duckdb_arrow -run '^$' -bench BenchmarkDuckDBReadCSV -benchtime 1x -count "${REPEAT:-1}" ./pipeline/store/ \
    -args -csv "$PWD/$csv" >"$out/duckdb.txt"
  grep -E '^Benchmark' "$out/duckdb.txt"
  t_duck=$(awk '/^Benchmark/ {t = $3/1e9; if (m == "" || t < m) m = t} END {printf "%.2f", m}' "$out/duckdb.txt")
  ratio=$(awk -v a="$t_ocmap" -v b="$t_duck" 'BEGIN{printf "%.2f", a/b}')
  echo "ocmap $t_ocmap s / DuckDB $t_duck s = ${ratio}x"
  echo "-- DuckDB alone storing ocmap's finished incidents (INSERT from a Parquet copy into the table ocmap creates)"
  go test -tags duckdb_arrow -run '^$' -bench BenchmarkDuckDBStoreIncidents -benchtime 1x -count "${REPEAT:-1}" ./pipeline/store/ \
    -args -db "$PWD/$db" >"$out/duckdb.txt"
  grep -E '^Benchmark' "$out/duckdb.txt"
  t_store=$(awk '/^Benchmark/ {t = $3/1e9; if (m == "" || t < m) m = t} END {printf "%.2f", m}' "$out/duckdb.txt")
  echo "storing the finished table alone: $t_store s = $(awk -v a="$t_store" -v b="$t_duck" 'BEGIN{printf "%.2f", a/b}')x DuckDB's CSV load"

  echo "-- 1,000 new rows (another seed) into a copy of this database, and into an empty one"
  incremental "$db" "$small" "monthly file"
  t_month=$t_inc t_month_empty=$t_empty
  incremental "$db" "$spread" "rows over six years"
  t_spread=$t_inc t_spread_empty=$t_empty

  echo "-- export --incidents (partitioned GeoParquet) and ingest of that folder into a new database"
  lake="$out/lake-$rows"
  rm -rf "$lake"
  /usr/bin/time -f "wall %e s, peak RSS %M KB" -o "$out/time.txt" "$ocmap" export --db "$db" --incidents "$lake" --internal >"$out/export.txt"
  head -1 "$out/export.txt"
  t_exp=$(seconds "$out/time.txt")
  n_exp=$(sed -n 's/^wrote \([0-9,]*\) incidents.*/\1/p' "$out/export.txt" | tr -d ,)
  echo "export: $(cat "$out/time.txt"), $(awk -v n="$n_exp" -v s="$t_exp" 'BEGIN{printf "%.0f", n/s}') rows/s"
  rm -f "$out/back.duckdb" "$out/back.duckdb.wal"
  /usr/bin/time -f "wall %e s, peak RSS %M KB" -o "$out/time.txt" "$ocmap" ingest -q --db "$out/back.duckdb" "$lake/incidents" >"$out/ingest.txt"
  t_imp=$(seconds "$out/time.txt")
  grep -E '^rows read|^  stages:' "$out/ingest.txt" || true
  echo "import: $(cat "$out/time.txt"), $(awk -v n="$n_exp" -v s="$t_imp" 'BEGIN{printf "%.0f", n/s}') rows/s"
  rm -rf "$lake" "$out/back.duckdb" "$out/back.duckdb.wal" "$out/export.txt"
  exp_rate=$(awk -v n="$n_exp" -v s="$t_exp" 'BEGIN{printf "%.0f", n/s}')
  imp_rate=$(awk -v n="$n_exp" -v s="$t_imp" 'BEGIN{printf "%.0f", n/s}')

  if [ "${KEEP:-0}" != 1 ]; then
    rm -f "$db" "$db.wal"
  fi
  rm -f "$out"/ingest.txt "$out"/best.txt "$out"/time.txt "$out"/best-time.txt "$out"/duckdb.txt
  summary+=("$(printf '%10s %9s %9s %7s %9s %9s %13s %13s %12s %12s' "$rows" "$t_ocmap" "$t_duck" "${ratio}x" "$t_store" "$((rss / 1024))" \
    "$t_month/$t_month_empty" "$t_spread/$t_spread_empty" "$exp_rate" "$imp_rate")")
done

echo
echo "== summary ($gen_flags)"
printf '%10s %9s %9s %7s %9s %9s %13s %13s %12s %12s\n' rows "ocmap s" "DuckDB s" ratio "store s" "RSS MiB" "+month/new s" "+spread/new s" "export r/s" "import r/s"
printf '%s\n' "${summary[@]}"
