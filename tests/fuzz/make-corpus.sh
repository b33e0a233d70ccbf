#!/usr/bin/env bash
# Writes the committed seed corpora, tests/fuzz/corpus/<target>/, from the
# seed generators (seeds_*.cpp): run it after a change to the formats, the
# encoders or the seed generators, and commit the result.
#
# Usage: tests/fuzz/make-corpus.sh [BUILD_DIR]   (a configured meson build dir; default build)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=${1:-$HERE/../../build}
mapfile -t REPLAYS < <(ninja -C "$BUILD" -t targets all | sed -n 's|^tests/fuzz/\(fuzz_[a-z_]*\)_replay: .*|\1|p' | sort -u)
ninja -C "$BUILD" $(printf 'tests/fuzz/%s_replay ' "${REPLAYS[@]}") >/dev/null
for target in "${REPLAYS[@]}"; do
  dir=$HERE/corpus/${target#fuzz_}
  rm -rf "$dir"
  mkdir -p "$dir"
  "$BUILD/tests/fuzz/${target}_replay" --write-seeds "$dir"
  printf '%-22s %3d files %6d KiB\n' "${target#fuzz_}" "$(find "$dir" -type f | wc -l)" "$(du -sk "$dir" | cut -f1)"
done
