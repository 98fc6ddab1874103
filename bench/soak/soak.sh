#!/usr/bin/env bash
# Soak run (by hand, not in CI): brandmond against the fault-injecting fixture
# server (tests/fault/fault_server.py, "soak" profile: three healthy feeds, and
# sources that hang, reset, answer 5xx or 429, send oversized bodies, gzip bombs
# or one byte per second, each fault coming and going every CYCLE seconds, plus
# an untrusted certificate and a host that does not resolve). Every EVERY
# seconds it records the daemon's resident memory, open descriptors, threads,
# CPU time and how long `brandmonctl status` took, into a CSV, and ends with a
# summary: min/max/last, the least-squares slope per hour (whole run and second
# half), and the first and last thirds' maxima.
#   bench/soak/soak.sh [BUILD_DIR] [SECONDS] [EVERY] [CSV]
#   defaults:           build       3600      10      soak-<time>.csv (current directory)
# Environment: SOAK_CYCLE (fault cycle, default 240 s), SOAK_KEEP=1 keeps the work directory.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-build}" && pwd)
seconds="${2:-3600}"
every="${3:-10}"
csv="${4:-soak-$(date -u +%Y%m%dT%H%M%SZ).csv}"
work=$(mktemp -d -t brandmon-soak-XXXXXX)
server_pid=""
pid=""
cleanup() {
  for p in $pid $server_pid; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  if [ "${SOAK_KEEP:-0}" = 1 ]; then echo "work dir kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

python3 "$root/tests/fault/fault_server.py" --work "$work" --config-out "$work/brandmon.json" \
  --profile soak --cycle "${SOAK_CYCLE:-240}" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/server.json" ] && break; sleep 0.2; done
[ -s "$work/server.json" ] || { echo "fixture server did not start" >&2; cat "$work/server.log" >&2; exit 1; }

"$build/bin/brandmond" --config "$work/brandmon.json" >"$work/daemon.log" 2>&1 &
pid=$!
for _ in $(seq 150); do
  "$build/bin/brandmonctl" status --config "$work/brandmon.json" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { echo "brandmond exited:" >&2; cat "$work/daemon.log" >&2; exit 1; }
  sleep 0.2
done
echo "soak: brandmond pid $pid for ${seconds}s, a sample every ${every}s into $csv"
echo "elapsed_s,rss_kib,fds,threads,cpu_ticks,status_ms" >"$csv"
start=$(date +%s)
while :; do
  now=$(date +%s)
  elapsed=$((now - start))
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "brandmond died after ${elapsed}s; log tail:" >&2
    tail -20 "$work/daemon.log" >&2
    exit 1
  fi
  t0=$(date +%s%N)
  if "$build/bin/brandmonctl" status --config "$work/brandmon.json" >/dev/null 2>&1; then
    status_ms=$((($(date +%s%N) - t0) / 1000000))
  else
    status_ms=-1
  fi
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
  threads=$(awk '/^Threads:/ {print $2}' "/proc/$pid/status")
  fds=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 | wc -l)
  ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  echo "$elapsed,$rss,$fds,$threads,$ticks,$status_ms" >>"$csv"
  [ "$elapsed" -ge "$seconds" ] && break
  sleep "$every"
done

python3 - "$csv" "$(getconf CLK_TCK)" <<'PY'
import csv, sys
rows = [{k: float(v) for k, v in r.items()} for r in csv.DictReader(open(sys.argv[1]))]
hz = float(sys.argv[2])

def slope(key, part=None):
    part = part or rows
    xs = [r["elapsed_s"] for r in part]
    ys = [r[key] for r in part]
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    var = sum((x - mx) ** 2 for x in xs)
    return 0.0 if var == 0 else sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / var * 3600

third = max(1, len(rows) // 3)
span = rows[-1]["elapsed_s"] - rows[0]["elapsed_s"]
print("samples: %d over %.0f s" % (len(rows), span))
for key, unit in (("rss_kib", "KiB"), ("fds", ""), ("threads", "")):
    v = [r[key] for r in rows]
    print("%-8s min %7.0f  max %7.0f  last %7.0f  slope %+8.1f%s/h (second half %+8.1f)  "
          "max of first third %7.0f, of last third %7.0f" %
          (key, min(v), max(v), v[-1], slope(key), unit and " " + unit, slope(key, rows[len(rows) // 2:]),
           max(v[:third]), max(v[-third:])))
cpu = (rows[-1]["cpu_ticks"] - rows[0]["cpu_ticks"]) / hz
print("cpu: %.1f s over %.0f s = %.2f%% of one core" % (cpu, span, 100 * cpu / span if span else 0))
lat = [r["status_ms"] for r in rows]
failed = sum(1 for x in lat if x < 0)
ok = sorted(x for x in lat if x >= 0)
print("status: %d answered, %d failed; slowest %.0f ms, median %.0f ms" %
      (len(ok), failed, ok[-1] if ok else -1, ok[len(ok) // 2] if ok else -1))
PY
