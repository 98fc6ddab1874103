#!/usr/bin/env bash
# Sets up, builds and runs brandmond on the bundled demo config (conf/demo.json),
# which reads bundled sample files: no network needed. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
# A fresh state directory each run, so the demo raises its alerts every time
# (the daemon remembers what it has seen: a second run on the same state would
# rightly stay quiet).
state=$(mktemp -d -t brandmon-demo-XXXXXX)
export XDG_STATE_HOME="$state" XDG_RUNTIME_DIR="$state"
echo "demo state in $state; Ctrl-C stops the daemon"
exec build/bin/brandmond --config conf/demo.json "$@"
