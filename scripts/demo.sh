#!/usr/bin/env bash
# Sets up, builds and runs brandmond on the bundled demo config (conf/demo.json,
# which reads bundled sample files: no network needed), and shows its alerts
# with `brandmonctl tail` as they arrive; brandmon-notify (conf/demo-notify.json)
# delivers them to a local webhook sink that prints each ("webhook …" lines).
# Ctrl-C stops them all.
# It installs only what building and running the programs needs and builds only
# them (scripts/setup.sh --programs), not the tests or the benchmarks.
#   scripts/demo.sh            daemon in the background, alerts in the foreground
#   scripts/demo.sh --daemon   only the daemon, in the foreground (logs on stderr)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --programs build
echo "== run the demo"
# A fresh state directory each run, so the demo raises its alerts every time
# (the daemon remembers what it has seen: a second run on the same state would
# rightly stay quiet).
state=$(mktemp -d -t brandmon-demo-XXXXXX)
export XDG_STATE_HOME="$state" XDG_RUNTIME_DIR="$state"
if [ "${1:-}" = "--daemon" ]; then
  exec build/bin/brandmond --config conf/demo.json
fi
build/bin/brandmond --config conf/demo.json 2>"$state/brandmond.log" &
daemon=$!
notify=""
scripts/webhook_sink.py 8787 &
sink=$!
trap 'kill $notify $sink $daemon 2>/dev/null; wait $notify $sink $daemon 2>/dev/null;
      echo "logs: $state/brandmond.log $state/brandmon-notify.log"' EXIT
echo "brandmond running (pid $daemon, state in $state); alerts also on tcp://127.0.0.1:5556. Ctrl-C stops it."
echo "dashboard: open http://127.0.0.1:9464/ in a browser (metrics at /metrics, JSON at /api/v1/)"
for _ in $(seq 50); do [ -S "$state/brandmon/control.sock" ] && break; sleep 0.1; done
build/bin/brandmon-notify --config conf/demo-notify.json 2>"$state/brandmon-notify.log" &
notify=$!
echo "brandmon-notify running (pid $notify): alerts to a webhook sink on http://127.0.0.1:8787"
build/bin/brandmonctl status || true
echo
build/bin/brandmonctl tail --since 0
