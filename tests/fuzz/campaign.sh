#!/usr/bin/env bash
# A fuzzing campaign: builds every libFuzzer target (clang, AddressSanitizer,
# UBSan that aborts, LeakSanitizer), runs each for SECONDS, and prints one line
# per target: executions, executions per second, coverage (libFuzzer's cov and
# ft), corpus size, crashes (crash, leak, timeout or out-of-memory inputs
# kept) and the slowest input of its final corpus.
#
# Usage: tests/fuzz/campaign.sh [SECONDS [TARGET...]]
#        tests/fuzz/campaign.sh --build      (configure and build only)
#   SECONDS  per target (default 60)
#   TARGET   fuzz_decoder_turbo, ffmpeg_dec_libtq_rvq, ... (default: every target built)
#
# FFmpeg's own fuzzers (tools/target_dec_fuzzer for each libtq_* decoder,
# tools/target_dem_fuzzer for the tqc demuxer) run too once
# tests/fuzz/ffmpeg-fuzzers.sh has built them.
#
# Environment: BUILD (default build-fuzz), JOBS (ninja -j, default 2), WORK
# (corpora, crash inputs and logs; default $BUILD/campaign). A target's corpus
# grows across campaigns in $WORK/<target>/corpus; tests/fuzz/corpus/<target>
# holds its committed seeds and tests/fuzz/regressions/<target> the inputs of
# bugs fixed. Exit status 1 if any target found something.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SECONDS_PER_TARGET=${1:-60}
shift || true
BUILD=${BUILD:-$ROOT/build-fuzz}
WORK=${WORK:-$BUILD/campaign}
JOBS=${JOBS:-2}

# Sanitizers: every report is fatal; leaks count (global caches stay reachable).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export OPENBLAS_NUM_THREADS=1   # no idle BLAS threads spinning beside the fuzzer

log() { printf '\033[1m==> fuzz: %s\033[0m\n' "$*" >&2; }

configure_and_build() {
  if [[ ! -f $BUILD/build.ninja ]]; then
    log "configuring $BUILD (clang, -fsanitize=fuzzer,address,undefined)"
    CC=clang CXX=clang++ meson setup "$BUILD" "$ROOT" -Dfuzzing=true -Dbuildtype=debugoptimized \
      -Db_sanitize=address,undefined -Db_lundef=false -Dcuda=disabled >/dev/null
  fi
  mapfile -t TARGETS < <(ninja -C "$BUILD" -t targets all | sed -n 's|^tests/fuzz/\(fuzz_[a-z_]*\): .*|\1|p' |
                         grep -v '_replay$' | sort -u)
  log "building ${#TARGETS[@]} targets and their replay drivers"
  ninja -C "$BUILD" -j"$JOBS" $(for t in "${TARGETS[@]}"; do echo "tests/fuzz/$t tests/fuzz/${t}_replay"; done) >/dev/null
}

# The FFmpeg fuzzers ffmpeg-fuzzers.sh built, with the seeds it wrote.
FFMPEG_FUZZERS=$BUILD/ffmpeg-fuzzers
ffmpeg_targets() {
  [[ -d $FFMPEG_FUZZERS ]] || return 0
  find "$FFMPEG_FUZZERS" -maxdepth 1 -type f -name 'ffmpeg_*' -perm -u+x -printf '%f\n' | sort
}

stat_of() { sed -n "s/^stat::$1: *//p" "$2" | tail -n 1; }

# The slowest input of a corpus by libFuzzer's own replay of files ("Executed F in N ms"); the
# first file runs once more before the others, untimed, to load models and plan FFTs.
slowest_by_libfuzzer() {
  local binary=$1 files
  shift
  mapfile -t files < <(find "$@" -type f | sort)
  [[ ${#files[@]} -gt 0 ]] || { echo "- -"; return; }
  "$binary" "${files[0]}" "${files[@]}" 2>&1 | sed -n 's|^Executed \(.*\) in \([0-9]*\) ms$|\2 \1|p' |
    tail -n +2 | sort -n | tail -n 1 | { read -r ms file; echo "$ms ms $(basename "$file")"; }
}

# Runs one target; prints its line.
run_target() {
  local name=$1 binary seeds replay regressions=$HERE/regressions/${1#fuzz_}
  if [[ $name == ffmpeg_* ]]; then
    binary=$FFMPEG_FUZZERS/$name seeds=$FFMPEG_FUZZERS/corpus/$name replay=
  else
    binary=$BUILD/tests/fuzz/$name seeds=$HERE/corpus/${name#fuzz_} replay=$BUILD/tests/fuzz/${name}_replay
  fi
  local dir=$WORK/$name
  mkdir -p "$dir/corpus" "$dir/artifacts"
  touch "$dir/started"   # crash inputs of earlier campaigns stay, but do not count
  # libFuzzer runs every input of these directories first: a regression that is back stops the run.
  local dirs=("$dir/corpus")
  [[ -d $seeds ]] && dirs+=("$seeds")
  [[ -d $regressions ]] && dirs+=("$regressions")
  "$binary" -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$dir/artifacts/" "${dirs[@]}" > "$dir/log" 2>&1 || true
  local execs rate cov ft crashes slowest
  execs=$(stat_of number_of_executed_units "$dir/log")
  rate=$(stat_of average_exec_per_sec "$dir/log")
  cov=$(grep -o 'cov: [0-9]*' "$dir/log" | tail -n 1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$dir/log" | tail -n 1 | cut -d' ' -f2)
  crashes=$(find "$dir/artifacts" -type f -newer "$dir/started" \
             \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  if [[ -n $replay ]]; then
    slowest=$("$replay" --slowest "${dirs[@]}" 2>/dev/null || echo "? -")
  else
    slowest=$(slowest_by_libfuzzer "$binary" "${dirs[@]}")
  fi
  printf '%-24s %11s %8s %6s %7s %7s %7s  %s\n' "$name" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" \
    "$(find "$dir/corpus" -type f | wc -l)" "$crashes" "$slowest"
  [[ $crashes -eq 0 && -n $execs ]]
}

configure_and_build
[[ $SECONDS_PER_TARGET == --build ]] && exit 0
mapfile -t FFMPEG_TARGETS < <(ffmpeg_targets)
ALL=("${TARGETS[@]}" "${FFMPEG_TARGETS[@]}")
[[ $# -gt 0 ]] && ALL=("$@")
log "${#ALL[@]} targets, ${SECONDS_PER_TARGET} s each; logs and crash inputs in $WORK/<target>/"
printf '%-24s %11s %8s %6s %7s %7s %7s  %s\n' target executions exec/s cov ft corpus crashes "slowest input"
status=0
for t in "${ALL[@]}"; do
  run_target "$t" || status=1
done
exit $status
