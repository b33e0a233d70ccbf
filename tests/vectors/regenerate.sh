#!/usr/bin/env bash
# Writes the reference vectors anew (tests/vectors/vectors.hpp): do it only when
# a stream's decoded output is meant to change (a decoder change, or an encoder
# and decoder changed together) or a vector is added, and say why in the commit.
#
# Usage: tests/vectors/regenerate.sh [BUILD_DIR]   (default build; configured with tools)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${1:-$ROOT/build}
OUT=$ROOT/tests/data/vectors

ninja -C "$BUILD" --quiet tests/vectors/make_vectors
rm -f "$OUT"/*.tqc "$OUT"/*.wav "$OUT"/vectors.txt
"$BUILD/tests/vectors/make_vectors" "$ROOT/samples" "$OUT"
git -C "$ROOT" status --short -- tests/data/vectors
