#!/usr/bin/env bash
# Sets up, builds and runs brandmond on the bundled demo config (conf/demo.json),
# which reads bundled sample files: no network needed. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
exec build/bin/brandmond --config conf/demo.json "$@"
