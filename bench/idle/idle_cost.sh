#!/usr/bin/env bash
# Idle cost of brandmond: N sources (default 1000) at a 5-minute interval;
# after the first poll settles, samples the daemon's CPU time over a window
# (default 60 s) and its resident memory.
#   bench/idle/idle_cost.sh [--http] [BUILD_DIR] [SOURCES] [SECONDS]
# By default the sources are `file` sources reading one line. With --http they
# are `feed` sources (RSS, Atom and JSON Feed in turn, 20 items each at first,
# one more a minute) fetched from a local fixture server
# (tests/fault/fault_server.py) with the default fetch limits: the window
# starts once every source has made its first poll and must end before the
# second (5 minutes later), so SECONDS must stay under about 240.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
http=0
if [ "${1:-}" = "--http" ]; then
  http=1
  shift
fi
build="${1:-build}"
sources="${2:-1000}"
window="${3:-60}"
work=$(mktemp -d -t brandmon-idle-XXXXXX)
pid=""
server_pid=""
cleanup() {
  for p in $pid $server_pid; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The number of requests the fixture server has answered for feeds.
feed_requests() {
  python3 - "$1" <<'PY'
import json, sys, urllib.request
stats = json.load(urllib.request.urlopen("http://127.0.0.1:%s/_admin/stats" % sys.argv[1]))
print(sum(len(t) for p, t in stats["requests"].items() if p.startswith("/feed/")))
PY
}

if [ "$http" -eq 1 ]; then
  python3 "$root/tests/fault/fault_server.py" --work "$work" --config-out "$work/c.json" \
    --profile idle --sources "$sources" --interval 5m >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do [ -s "$work/server.json" ] && break; sleep 0.2; done
  [ -s "$work/server.json" ] || { echo "fixture server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
  port=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["port"])' "$work/server.json")
else
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
fi

"$build/bin/brandmond" --config "$work/c.json" 2>"$work/log" &
pid=$!
started=$(date +%s)
if [ "$http" -eq 1 ]; then
  # Wait for every source's first poll, then a little for the pipeline to drain.
  until [ "$(feed_requests "$port")" -ge "$sources" ]; do
    kill -0 "$pid" 2>/dev/null || { echo "brandmond exited:" >&2; cat "$work/log" >&2; exit 1; }
    [ $(($(date +%s) - started)) -lt 200 ] || { echo "first polls did not finish in 200 s" >&2; exit 1; }
    sleep 1
  done
  echo "first poll of $sources http sources done after $(($(date +%s) - started)) s"
  sleep 10
  before=$(feed_requests "$port")
else
  sleep 15
fi
hz=$(getconf CLK_TCK)
t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
sleep "$window"
t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
kind="file"
[ "$http" -eq 1 ] && kind="http"
echo "sources: $sources $kind at 5m; window: ${window}s"
if [ "$http" -eq 1 ]; then
  echo "polls during the window: $(($(feed_requests "$port") - before)) (expected 0)"
  echo "mentions stored: $("$build/bin/brandmonctl" status --json --config "$work/c.json" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["mentions_stored"])')"
fi
echo "cpu: $(( t1 - t0 )) ticks = $(python3 -c "print(f'{($t1 - $t0) / $hz / $window * 100:.2f}')")% of one core"
echo "rss: $(( rss / 1024 )) MiB"
