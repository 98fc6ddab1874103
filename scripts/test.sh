#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite, in this order:
#   1. packages: installs what building and testing need (Debian 12, apt-get
#      through sudo when not root; nothing when all is there), clang-format
#      included, so that a fresh machine gets through step 2;
#   2. format: checks every tracked C++ file against .clang-format;
#   3. build and test: configures and builds build/ (RelWithDebInfo, with the
#      benchmarks so they cannot rot), runs clang-tidy over the sources the
#      last commit changed (not with --quick) and runs every test with ctest
#      (the module layering and the file and function sizes among them; without
#      --quick and as root, the Debian package of build/ too: built, linted,
#      installed, upgraded and purged);
#   4. fuzz: builds build-fuzz/ with clang, AddressSanitizer +
#      UndefinedBehaviorSanitizer and libFuzzer's coverage (warnings as
#      errors, -Wthread-safety), every target, the tests among them, and runs
#      each libFuzzer target briefly from its seed corpus;
#   5. sanitizers: runs every test again from that build.
# Usage: scripts/test.sh [--quick]   (--quick: steps 1-3 only;
#        FUZZ_SECONDS sets the time per fuzz target, default 15)
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
[ "${1:-}" = "--quick" ] && quick=1

jobs=$(nproc)

echo "== packages: install what the build and the tests need"
scripts/setup.sh --packages-only

echo "== format: check every tracked C++ file against .clang-format"
files=$(git ls-files '*.cc' '*.h' 2>/dev/null || find daemon plugins tests bench -name '*.cc' -o -name '*.h')
if ! clang-format --dry-run --Werror $files; then
  echo "unformatted files: run clang-format -i on the files above" >&2
  exit 1
fi

echo "== build and test (RelWithDebInfo): configure and build every target"
# The benchmarks are compiled too, so that they cannot rot. build/ is
# configured as the Debian package is (/usr, units in /lib/systemd/system), so
# that DebPackageTest packages these programs instead of building them again;
# that test (root only: it installs the package, upgrades and purges it) runs
# in the full pass.
package_test=ON
[ "$quick" -eq 1 ] && package_test=OFF
scripts/setup.sh build -DBRANDMON_BENCH=ON -DCMAKE_INSTALL_PREFIX=/usr -DBRANDMON_SYSTEMD_UNIT_DIR=/lib/systemd/system \
  -DBRANDMON_PACKAGE_TEST=$package_test
if [ "$quick" -eq 0 ]; then
  echo "== clang-tidy over the C++ sources the last commit changed"
  scripts/tidy.sh HEAD~1
fi
echo "== run every test (ctest)"
ctest --test-dir build --output-on-failure -j "$jobs" --timeout 300

if [ "$quick" -eq 0 ]; then
  # One clang build serves both: the fuzz targets and the tests under the
  # sanitizers share every object (half the compiling of two builds).
  echo "== fuzz every untrusted-input parser briefly (clang, ASan + UBSan, libFuzzer; every target built)"
  scripts/fuzz.sh --all "${FUZZ_SECONDS:-15}"

  echo "== run every test again under ASan + UBSan (build-fuzz/)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=$PWD/tests/fuzz/ubsan.supp \
    ctest --test-dir build-fuzz --output-on-failure -j "$jobs" --timeout 600
fi
