#!/usr/bin/env bash
# Sets everything up, then encodes the bundled clips with each available
# family at a few settings, decodes them in a separate process and prints
# size, bitrate and quality.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

TQC=$BUILD/tools/tqc
OUT=$BUILD/demo
mkdir -p "$OUT"

SETTINGS=(
  "turbo|mode=mdct|32k"
  "turbo|mode=mdct|96k"
  "turbo|bits=4"
  "turbo|bits=6,residual=1"
  "fractal||64k"
  "stftae||12k"
  "rvq||6k"
  "gauss||16k"
)

log "encoding the bundled clips (files in $OUT)"
python3 "$ROOT/scripts/demo_table.py" "$TQC" "$OUT" "${SETTINGS[@]}" -- "$ROOT"/samples/*.flac
