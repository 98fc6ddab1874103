#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) with clang + ASan/UBSan and runs
# each for a while from its seed corpus. Prints the executions per target and
# fails on any crash, leak, timeout or sanitizer report; the input that failed
# is kept under BUILD_DIR/fuzz/artifacts/<target>/ and `fuzz_<target> FILE`
# replays it.
#
# Usage: scripts/fuzz.sh [--all] [SECONDS_PER_TARGET] [TARGET...]
#   --all               build every target of the build dir, the tests among
#                       them, with the same flags: one clang sanitizer build
#                       then serves the fuzz targets and a sanitizer run of
#                       the test suite (scripts/test.sh does this)
#   SECONDS_PER_TARGET  default 60
#   TARGET              feed config query text mention http_json (default: all)
# Environment: FUZZ_BUILD_DIR (default build-fuzz), FUZZ_ARGS (extra libFuzzer
# flags, e.g. "-max_len=1048576").
set -euo pipefail
cd "$(dirname "$0")/.."

all=0
if [ "${1:-}" = "--all" ]; then
  all=1
  shift
fi
seconds="${1:-60}"
shift || true
targets=("$@")
((${#targets[@]})) || targets=(feed config query text mention http_json)
build_dir="${FUZZ_BUILD_DIR:-build-fuzz}"

# clang and its fuzzer runtime (libclang_rt.fuzzer) come from Debian packages.
scripts/install-packages.sh clang libclang-rt-14-dev

echo "== build fuzz targets ($build_dir)"
# The sanitizer flags are spelled out rather than taken from BRANDMON_SANITIZE so
# that pointer-overflow can recover: tests/fuzz/ubsan.supp then silences the one
# known report inside RapidJSON's headers, and halt_on_error stops on any other.
# -Wambiguous-reversed-operator is RapidJSON's iterators under C++20.
san="-O1 -gline-tables-only -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
san+=" -fsanitize-recover=pointer-overflow"
CC=clang CXX=clang++ cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=None \
  -DBRANDMON_FUZZ=ON -DBRANDMON_SANITIZE=OFF -DBRANDMON_TESTS="$([ "$all" -eq 1 ] && echo ON || echo OFF)" \
  -DBRANDMON_WERROR=ON -DBRANDMON_UNITY_BUILD=ON \
  -DCMAKE_C_FLAGS="$san" -DCMAKE_CXX_FLAGS="$san -Wno-ambiguous-reversed-operator" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
# The daemon's own modules too: this is the clang build, where -Wthread-safety
# (CMakeLists.txt) checks the GUARDED_BY/REQUIRES contracts, as errors.
if [ "$all" -eq 1 ]; then
  cmake --build "$build_dir"
else
  cmake --build "$build_dir" --target "${targets[@]/#/fuzz_}" brandmon_process brandmon_cli brandmon_notify
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$PWD/tests/fuzz/ubsan.supp}"
failed=()
summary=""
for t in "${targets[@]}"; do
  bin="$build_dir/fuzz/fuzz_$t"
  seeds="tests/fuzz/corpus/$t"
  work="$build_dir/fuzz/corpus/$t"     # grows across runs; the seeds stay untouched
  artifacts="$build_dir/fuzz/artifacts/$t/"
  log="$build_dir/fuzz/$t.log"
  mkdir -p "$work" "$artifacts"
  dict=()
  [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
  echo "== fuzz_$t for ${seconds}s"
  status=0
  # shellcheck disable=SC2086
  "$bin" "$work" "$seeds" "${dict[@]}" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2560 \
    -max_len=65536 -artifact_prefix="$artifacts" -print_final_stats=1 \
    ${FUZZ_ARGS:-} >"$log" 2>&1 || status=$?
  execs=$(grep -h 'stat::number_of_executed_units' "$log" | awk '{s += $2} END {print s + 0}')
  verdict=ok
  if [ "$status" -ne 0 ] || grep -qE '^(==[0-9]+==ERROR|SUMMARY: (Address|UndefinedBehavior|Leak)Sanitizer)|runtime error:' "$log"; then
    failed+=("$t")
    verdict=CRASH
    tail -n 60 "$log" >&2
    echo "fuzz_$t FAILED after $execs executions (exit $status); log: $log; inputs: $artifacts" >&2
  fi
  summary+=$(printf '%-8s %12s executions  %s\n' "$t" "$execs" "$verdict")$'\n'
done

echo "== fuzz summary (${seconds}s per target)"
printf '%s' "$summary"
if ((${#failed[@]})); then
  echo "crashes in: ${failed[*]}" >&2
  exit 1
fi
