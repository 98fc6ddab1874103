#!/usr/bin/env bash
# Sets brandmon up on Debian 12: installs the packages it needs (when missing),
# then configures and builds it.
# Usage: scripts/setup.sh [BUILD_DIR [extra cmake args...]]
#            everything: the packages to build and test, then every target
#        scripts/setup.sh --programs [BUILD_DIR [extra cmake args...]]
#            only what building and running the three programs needs (no test
#            or benchmark libraries, no clang-format), then only the programs
#        scripts/setup.sh --packages-only
#            every package, built nothing
set -euo pipefail
cd "$(dirname "$0")/.."

# What building and running brandmond, brandmonctl and brandmon-notify needs
# (python3: the demo's webhook sink).
program_packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates python3
  libcurl4-openssl-dev libssl-dev rapidjson-dev libzmq3-dev cppzmq-dev libspdlog-dev libfmt-dev
  libxml2-dev libsqlite3-dev libicu-dev libcld2-dev libcpp-httplib-dev libsystemd-dev libdeflate-dev
)
# What the tests, the benchmarks and the checks add (chromium: the dashboard in a
# browser; lintian: the package test; lld: links the test programs faster).
test_packages=(
  libgtest-dev libgmock-dev libbenchmark-dev
  systemd clang-format python3-zmq python3-feedparser openssl
  python3-aiosmtpd prometheus-alertmanager prometheus chromium lintian lld
)

programs=0
if [ "${1:-}" = "--programs" ]; then
  programs=1
  shift
fi
if [ "$programs" -eq 1 ]; then
  echo "== packages: what building and running the programs needs"
  scripts/install-packages.sh "${program_packages[@]}"
else
  echo "== packages: what building, running and testing needs"
  scripts/install-packages.sh "${program_packages[@]}" "${test_packages[@]}"
fi
[ "${1:-}" = "--packages-only" ] && exit 0

build_dir="${1:-build}"
shift || true
if [ "$programs" -eq 1 ]; then
  echo "== configure $build_dir (programs only)"
  # A unity build (CMakeLists.txt): a module's files compiled as one, about
  # half the compile time of a first build. brandmon-notify first: its module
  # is the largest, so it starts while the others are compiled beside it.
  cmake -S . -B "$build_dir" -G Ninja -DBRANDMON_WERROR=ON -DBRANDMON_TESTS=OFF -DBRANDMON_BENCH=OFF \
    -DBRANDMON_UNITY_BUILD=ON "$@" >/dev/null
  echo "== build brandmond, brandmonctl, brandmon-notify (about 2 minutes on 2 cores)"
  cmake --build "$build_dir" --target brandmon-notify brandmond brandmonctl
else
  echo "== configure $build_dir"
  cmake -S . -B "$build_dir" -G Ninja -DBRANDMON_WERROR=ON -DBRANDMON_TESTS=ON "$@" >/dev/null
  echo "== build every target"
  cmake --build "$build_dir"
fi
