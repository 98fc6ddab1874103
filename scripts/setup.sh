#!/usr/bin/env bash
# Sets brandmon up on Debian 12: installs the packages it needs to build and
# test (when missing), then configures and builds it.
# Usage: scripts/setup.sh [BUILD_DIR [extra cmake args...]]
#        scripts/setup.sh --packages-only   (install the packages, build nothing)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config git
  libcurl4-openssl-dev libssl-dev rapidjson-dev libzmq3-dev cppzmq-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libxml2-dev libsqlite3-dev libicu-dev libcld2-dev libcpp-httplib-dev libsystemd-dev
  systemd clang-format python3 python3-zmq python3-feedparser openssl ca-certificates
  python3-aiosmtpd prometheus-alertmanager prometheus chromium
)
scripts/install-packages.sh "${packages[@]}"
[ "${1:-}" = "--packages-only" ] && exit 0

build_dir="${1:-build}"
shift || true
cmake -S . -B "$build_dir" -G Ninja -DBRANDMON_WERROR=ON "$@" >/dev/null
cmake --build "$build_dir"
