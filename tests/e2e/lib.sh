# Shared helpers of the tqc end-to-end scripts. Usage: source "$E2E_LIB" after setting
# TQC and HELPER from the script's arguments.
set -u
TQC=$(realpath "$TQC")
HELPER=$(realpath "$HELPER")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
FAILURES=0

fail() { echo "FAIL: $*" >&2; FAILURES=$((FAILURES + 1)); }
pass() { echo "ok: $*"; }

# expect_exit CODE DESCRIPTION -- COMMAND...: runs COMMAND, stdout to out.txt, stderr to err.txt.
expect_exit() {
    local code=$1 what=$2
    shift 3
    "$@" >out.txt 2>err.txt
    local rc=$?
    if [ "$rc" -ne "$code" ]; then
        fail "$what: exit $rc, expected $code; stderr: $(head -c 400 err.txt)"
        return 1
    fi
    pass "$what (exit $rc)"
}

# expect_error CODE DESCRIPTION PATTERN -- COMMAND...: the command must fail with CODE and
# exactly one stderr line "tqc: ..." matching PATTERN (extended regex).
expect_error() {
    local code=$1 what=$2 pattern=$3
    shift 4
    expect_exit "$code" "$what" -- "$@" || return 1
    local lines
    lines=$(wc -l <err.txt)
    [ "$lines" -eq 1 ] || fail "$what: $lines stderr lines, expected one: $(cat err.txt)"
    grep -q '^tqc: ' err.txt || fail "$what: stderr does not start with 'tqc: ': $(cat err.txt)"
    grep -Eq -- "$pattern" err.txt || fail "$what: stderr does not match '$pattern': $(cat err.txt)"
}

expect_grep() {  # expect_grep DESCRIPTION PATTERN FILE
    grep -Eq -- "$2" "$3" && pass "$1" || fail "$1: '$2' not in $3: $(head -c 600 "$3")"
}

expect_equal() {  # expect_equal DESCRIPTION ACTUAL EXPECTED
    [ "$2" = "$3" ] && pass "$1" || fail "$1: got '$2', expected '$3'"
}

expect_no_file() {  # expect_no_file DESCRIPTION PATH: neither PATH nor PATH.tmp-* exists
    if [ -e "$2" ] || compgen -G "$2.tmp-*" >/dev/null; then fail "$1: $2 (or a temporary) exists"
    else pass "$1"; fi
}

require_turbo() {
    "$TQC" families | grep -q '^turbo (id 1): available' || { echo "turbo not in this build: skipped"; exit 77; }
}

# A JSON number field of a 'tqc ... --json' output file: json_number FILE KEY
json_number() { sed -n "s/^ *\"$2\": \(-\{0,1\}[0-9.e+-]*\),\{0,1\}$/\1/p" "$1" | head -n 1; }

finish() {
    if [ "$FAILURES" -ne 0 ]; then echo "$FAILURES failure(s)" >&2; exit 1; fi
    echo "all passed"
}
