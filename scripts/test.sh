#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite: formatting, the normal build,
# a short run of every fuzz target, then the same tests under
# AddressSanitizer + UndefinedBehaviorSanitizer.
# Usage: scripts/test.sh [--quick]   (--quick: skip the fuzz and sanitizer passes;
#        FUZZ_SECONDS sets the time per fuzz target, default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
[ "${1:-}" = "--quick" ] && quick=1

jobs=$(nproc)

echo "== format check"
files=$(git ls-files '*.cc' '*.h' 2>/dev/null || find daemon plugins tests bench -name '*.cc' -o -name '*.h')
if ! clang-format --dry-run --Werror $files; then
  echo "unformatted files: run clang-format -i on the files above" >&2
  exit 1
fi

echo "== build and test (RelWithDebInfo)"
scripts/setup.sh build -DBRANDMON_BENCH=ON   # benchmarks are compiled too, so they cannot rot
ctest --test-dir build --output-on-failure -j "$jobs" --timeout 300

if [ "$quick" -eq 0 ]; then
  echo "== fuzz every untrusted-input parser briefly (clang, ASan + UBSan, libFuzzer)"
  scripts/fuzz.sh "${FUZZ_SECONDS:-30}"

  echo "== build and test under ASan + UBSan"
  scripts/setup.sh build-asan -DBRANDMON_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j "$jobs" --timeout 600
fi
