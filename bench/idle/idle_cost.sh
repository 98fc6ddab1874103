#!/usr/bin/env bash
# Idle cost of brandmond: N sources (default 1000) at a 5-minute interval;
# after the first poll settles, samples the daemon's CPU time over a window
# (default 60 s) and its resident memory.
#   bench/idle/idle_cost.sh [BUILD_DIR] [SOURCES] [SECONDS]
set -euo pipefail
build="${1:-build}"
sources="${2:-1000}"
window="${3:-60}"
work=$(mktemp -d -t brandmon-idle-XXXXXX)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
echo '{"id": "1", "text": "hello acme"}' > "$work/one.jsonl"
python3 - "$work" "$sources" <<'PY'
import json, sys
work, n = sys.argv[1], int(sys.argv[2])
json.dump({"daemon": {"state_dir": f"{work}/state", "runtime_dir": f"{work}/run"},
           "publish": {"endpoints": ["ipc://alerts.sock"], "catchup_endpoints": ["ipc://catchup.sock"]},
           "sources": [{"name": f"s{i}", "type": "file", "path": f"{work}/one.jsonl", "interval": "5m"}
                       for i in range(n)],
           "brands": [{"name": "acme"}]}, open(f"{work}/c.json", "w"))
PY
"$build/bin/brandmond" --config "$work/c.json" 2>"$work/log" &
pid=$!
sleep 15
hz=$(getconf CLK_TCK)
t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
sleep "$window"
t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
echo "sources: $sources at 5m; window: ${window}s"
echo "cpu: $(( t1 - t0 )) ticks = $(python3 -c "print(f'{($t1 - $t0) / $hz / $window * 100:.2f}')")% of one core"
echo "rss: $(( rss / 1024 )) MiB"
