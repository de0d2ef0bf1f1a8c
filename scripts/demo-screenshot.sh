#!/usr/bin/env bash
# Writes DIR/page.png, a screenshot of 'ocmap serve's interactive page on
# the demo database (make demo runs it after 'ocmap demo'): drug
# trafficking hot spots (Gi*) beside terror financing's, with the panel of
# the hottest district open. The page derives from the boundaries in
# ../shared, so it stays out of the repository (ocmap-demo/ is ignored).
# Usage: scripts/demo-screenshot.sh [DIR]   (default ocmap-demo; needs bin/ocmap)
# Without chromium (Debian's chromium package) it says so and writes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-ocmap-demo}
ocmap=${OCMAP_BIN:-./bin/ocmap}
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  echo "chromium is not installed (apt-get install chromium): no screenshot of the page"
  exit 0
fi
db="$dir/demo.duckdb"
code=$("$ocmap" heatmap --db "$db" --category drug_trafficking --metric gi --format csv --top 1 | sed -n '2s/,.*//p')
work=$(mktemp -d)
"$ocmap" serve --db "$db" --addr 127.0.0.1:0 >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
url=
for _ in $(seq 200); do
  url=$(sed -n 's|.* at \(http://[^ ]*/\) .*|\1|p' "$work/serve.log")
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "ocmap serve did not start:" >&2
  cat "$work/serve.log" >&2
  exit 1
fi
"$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
  --disable-sync --no-first-run --user-data-dir="$work/profile" --hide-scrollbars --window-size=1500,1250 \
  --virtual-time-budget=15000 --screenshot="$dir/page.png" \
  "${url}?category=drug_trafficking&metric=gi&compare=category&category2=terror_financing&district=$code" \
  >"$work/chromium.log" 2>&1 || { cat "$work/chromium.log" >&2; exit 1; }
test -s "$dir/page.png"
echo "screenshot of the page: $dir/page.png"
