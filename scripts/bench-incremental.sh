#!/usr/bin/env bash
# Measures what one run costs on a large database: ingesting NEW rows
# (default 1,000) into a database of BASE rows (default 1,000,000) against
# ingesting them into an empty database. The rows are multi-source, with
# cross-source records of one event, so that linking runs.
#
# Usage: scripts/bench-incremental.sh [BASE] [NEW]   (needs bin/ocmap: make build)
#
# The base database takes a while to build (minutes at 1M rows on 2 cores):
# it is kept in $BENCH_DIR (default /tmp/ocmap-bench-incr) and reused. Two
# new files are timed: NEW rows with dates over the whole span (what `ocmap
# gen` writes), and NEW rows of one month after the base (a monthly file).
# Each is ingested three times into a fresh copy of the base, and three times
# into an empty database; the figures are ocmap's own timings (the total of
# the run, and the part after the rows are in: groups, summaries, measures,
# commit).
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-1000000}
new=${2:-1000}
dir=${BENCH_DIR:-/tmp/ocmap-bench-incr}
mkdir -p "$dir"
: "${OCMAP_BOUNDARIES:?set OCMAP_BOUNDARIES to a district GeoJSON (make bench sets it)}"
ocmap=$PWD/bin/ocmap

# multi FILE.csv OUT.csv [MONTH]: the file from ten sources, every 20th row
# again from another source 0.002 degrees away with 5% more quantity; with
# MONTH (YYYY-MM), every date moved into that month. A gen that has
# --sources makes its own.
multi() {
  awk -v month="${3:-}" -f - "$1" > "$2" <<'EOF'
BEGIN { FS = ","; OFS = ","; split("media,police_fir,anf,fc,customs,pta,fia,ngo,ctd,punjab_police", S, ",") }
NR == 1 { print; next }
{
  n = index($0, ",\""); if (n == 0 || $8 != "synthetic") { print; next }
  desc = substr($0, n + 1); split(substr($0, 1, n - 1), f, ",")
  f[8] = S[(NR % 10) + 1]
  if (month != "" && f[4] ~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$/) f[4] = month "-" sprintf("%02d", 1 + NR % 28)
  print f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], desc
  if (NR % 20 == 0 && f[5] != "") {
    f[1] = "DUP-" f[1]; f[8] = S[((NR + 3) % 10) + 1]; f[5] = sprintf("%.6f", f[5] + 0.002)
    if (f[9] != "") f[9] = sprintf("%.3f", f[9] * 1.05)
    print f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], desc
  }
}
EOF
}

gen() { # gen ROWS SEED OUT [MONTH]
  "$ocmap" gen --rows "$1" --seed "$2" --out "$dir/one-source.csv" > /dev/null
  multi "$dir/one-source.csv" "$3" "${4:-}"
  rm -f "$dir/one-source.csv"
}

db="$dir/base-$base.duckdb"
if [ ! -f "$db" ]; then
  echo "== building the base: $base rows (once; kept in $db)"
  gen "$base" 7 "$dir/base-$base.csv"
  "$ocmap" ingest -q --db "$db.tmp" "$dir/base-$base.csv" | grep -E "rows read|stages"
  mv "$db.tmp" "$db"
fi
# A base made by another ocmap version: bring its derived tables to this
# version's rules first, so that the runs below measure a run, not that.
"$ocmap" rebuild -q --db "$db"

gen "$new" 99 "$dir/new-$new.csv"
gen "$new" 99 "$dir/month-$new.csv" 2025-01

# run DB FILE: one ingest; prints its total and its after-the-rows seconds.
run() {
  "$ocmap" ingest -q --db "$1" "$2" | awk '
    /^rows read/ { for (i = 1; i <= NF; i++) if ($i == "in") t = $(i + 1) }
    /stages:/ { for (i = 1; i <= NF; i++) if ($i == "summaries+commit") c = $(i + 1) }
    END { gsub(/[s,;]/, "", t); gsub(/[s,;]/, "", c); printf "%s %s\n", t, c }'
}

for f in new month; do
  in="$dir/$f-$new.csv"
  for target in base empty; do
    line=""
    for i in 1 2 3; do
      rm -f "$dir/t.duckdb" "$dir/t.duckdb.wal"
      [ "$target" = base ] && cp "$db" "$dir/t.duckdb"
      line="$line $(run "$dir/t.duckdb" "$in")"
    done
    echo "$f $target $line" | awk '{printf "%-6s rows into %-5s db: total %s %s %s s; groups+summaries+measures+commit %s %s %s s\n",
      $1, $2, $3, $5, $7, $4, $6, $8}'
  done
done
rm -f "$dir/t.duckdb" "$dir/t.duckdb.wal"
