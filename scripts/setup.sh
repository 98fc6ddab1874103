#!/usr/bin/env bash
# Installs what brandmon needs to build and test on Debian 12 (when missing)
# and builds it. Usage: scripts/setup.sh [BUILD_DIR] [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config git
  libcurl4-openssl-dev rapidjson-dev libzmq3-dev cppzmq-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libxml2-dev libsqlite3-dev libicu-dev libcld2-dev libcpp-httplib-dev libsystemd-dev
  systemd clang-format python3 python3-zmq python3-feedparser openssl
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

build_dir="${1:-build}"
shift || true
cmake -S . -B "$build_dir" -G Ninja -DBRANDMON_WERROR=ON "$@" >/dev/null
cmake --build "$build_dir"
