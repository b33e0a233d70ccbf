#!/usr/bin/env bash
# Sets everything up (as demo.sh does), then runs every test.
#
# Usage: scripts/test.sh [--sanitizers]
#   --sanitizers  then also the unit tests under AddressSanitizer + UBSan and the
#                 thread stress test under ThreadSanitizer (scripts/sanitize.sh, in
#                 build-asan/ and build-tsan/; .ci/run passes it)
set -euo pipefail
sanitizers=false
case ${1:-} in
  --sanitizers) sanitizers=true ;;
  "") ;;
  *) echo "usage: $0 [--sanitizers]" >&2; exit 2 ;;
esac
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

log "running the tests"
status=0
meson test -C "$BUILD" --print-errorlogs --num-processes "$(nproc)" || status=$?

# The Python package (python/) on the build tree's library, with Debian's numpy and pytest:
# /usr/bin/python3 where it exists (a pyenv or venv python3 first in PATH lacks them).
log "running the Python tests (pytest)"
PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] || PYTHON=python3
PYTEST_JUNIT=$BUILD/meson-logs/pytest.junit.xml
rm -f "$PYTEST_JUNIT"
pytest_status=0
"$PYTHON" -m pytest -q -p no:cacheprovider --junitxml="$PYTEST_JUNIT" "$ROOT/python/tests" || pytest_status=$?
case $pytest_status in
  0) ;;
  5) echo "pytest collected no tests from python/tests: that is a failure here" >&2; status=1 ;;
  *) status=1 ;;
esac

junits=("$BUILD/meson-logs/testlog.junit.xml")
[[ -f $PYTEST_JUNIT ]] && junits+=("$PYTEST_JUNIT")

if $sanitizers; then
  for kind in asan tsan; do
    rm -f "$ROOT/build-$kind/meson-logs/testlog.junit.xml"
    bash "$ROOT/scripts/sanitize.sh" "$kind" || status=1
    [[ -f $ROOT/build-$kind/meson-logs/testlog.junit.xml ]] && junits+=("$ROOT/build-$kind/meson-logs/testlog.junit.xml")
  done
fi
"$PYTHON" "$ROOT/scripts/test_summary.py" "${junits[@]}" || status=1
exit $status
