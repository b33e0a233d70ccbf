#!/usr/bin/env bash
# The library and its tests under the compilers' sanitizers, each build in a
# directory of its own beside build/:
#   asan  build-asan/: AddressSanitizer (with LeakSanitizer) + UndefinedBehaviorSanitizer;
#         runs the unit tests (suite unit: GoogleTest, the C99 program, the reference
#         vectors). Not the fuzz replays: 3,000 mutations per seed take over 5 minutes
#         under ASan (tests/fuzz/README.md runs the fuzz targets under ASan + UBSan).
#   tsan  build-tsan/: ThreadSanitizer; runs the thread stress test (tests/unit/test_threads.cpp:
#         8 threads, each with encoders and decoders of every family)
# Any report fails the run: the code is built with -fno-sanitize-recover=all and
# the runtimes halt on the first error.
#
# Usage: scripts/sanitize.sh [asan] [tsan]      (default: both)
# Needs the Debian packages scripts/setup.sh installs (gcc carries the sanitizer runtimes).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JOBS=${JOBS:-$(nproc)}
SUPPRESSIONS=$ROOT/tests/sanitizers

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# configure DIR SANITIZERS [EXTRA_FLAG]: a -O2 build with assertions and no
# CUDA (nvcc does not instrument); a report aborts the program.
configure() {
  local dir=$1 sanitizers=$2 flags="-fno-sanitize-recover=all ${3:-}"
  [[ -f $dir/build.ninja ]] && return 0
  log "configuring $dir (-fsanitize=$sanitizers $flags)"
  meson setup "$dir" "$ROOT" --buildtype=debugoptimized -Db_sanitize="$sanitizers" -Dcuda=disabled \
    -Dc_args="$flags" -Dcpp_args="$flags" -Dc_link_args="$flags" -Dcpp_link_args="$flags" >/dev/null
}

# suite_targets DIR SUITE...: the executables the tests of these suites run.
suite_targets() {
  local dir=$1
  shift
  meson introspect --tests "$dir" | python3 -c '
import json, os, sys
build, suites = sys.argv[1], set(sys.argv[2:])
for test in json.load(sys.stdin):
    if suites & {s.split(":")[-1] for s in test["suite"]}:
        print(os.path.relpath(test["cmd"][0], build))' "$dir" "$@" | sort -u
}

# run_suites DIR SUITE...: builds only what these suites' tests need, then runs them.
run_suites() {
  local dir=$1 suite targets args=()
  shift
  ninja -C "$dir" --quiet build.ninja  # reconfigures first if a meson.build changed
  mapfile -t targets < <(suite_targets "$dir" "$@")
  [[ ${#targets[@]} -gt 0 ]] || { echo "sanitize: no tests in suites $* of $dir" >&2; return 1; }
  ninja -C "$dir" --quiet "${targets[@]}"
  for suite in "$@"; do args+=(--suite "$suite"); done
  meson test -C "$dir" --no-rebuild --print-errorlogs --num-processes "$JOBS" "${args[@]}"
}

asan() {
  local dir=$ROOT/build-asan
  # float-cast-overflow is not part of 'undefined': a NaN or huge float turned into an
  # integer (a quantizer index, a sample) is undefined behaviour all the same.
  configure "$dir" address,undefined -fsanitize=float-cast-overflow
  log "unit tests under AddressSanitizer + UndefinedBehaviorSanitizer ($dir)"
  ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1 \
  LSAN_OPTIONS=suppressions=$SUPPRESSIONS/lsan.supp:print_suppressions=0 \
  UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1 \
    run_suites "$dir" unit
}

tsan() {
  local dir=$ROOT/build-tsan
  configure "$dir" thread
  log "thread stress test under ThreadSanitizer ($dir)"
  TSAN_OPTIONS=halt_on_error=1:abort_on_error=1:second_deadlock_stack=1 \
    run_suites "$dir" threads
}

(( $# )) || set -- asan tsan
for what in "$@"; do
  case $what in
    asan|tsan) "$what" ;;
    *) echo "usage: $0 [asan] [tsan]" >&2; exit 2 ;;
  esac
done
