#!/usr/bin/env bash
# Sets everything up (as demo.sh does), then runs every test.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

log "running the tests"
status=0
meson test -C "$BUILD" --print-errorlogs --num-processes "$(nproc)" || status=$?
python3 "$ROOT/scripts/test_summary.py" "$BUILD/meson-logs/testlog.junit.xml" || status=1
exit $status
