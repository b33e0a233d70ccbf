#!/bin/bash
# The library as users get it: 'meson install --destdir' into a scratch root, then the C99
# example (tests/c_api/c99_program.c) compiled and linked against the *installed* copy with
# pkg-config, shared and --static, and run; the installed tqc and models are there too.
# Usage: installed.sh BUILD_DIR SOURCE_DIR
set -u
BUILD=$(realpath "$1") SRC=$(realpath "$2")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
FAILURES=0
fail() { echo "FAIL: $*" >&2; FAILURES=$((FAILURES + 1)); }
pass() { echo "ok: $*"; }
CC=${CC:-cc}
command -v pkg-config >/dev/null || { echo "pkg-config missing: skipped"; exit 77; }

meson install -C "$BUILD" --no-rebuild --quiet --destdir "$WORK/root" >"$WORK/install.log" 2>&1 ||
    { cat "$WORK/install.log" >&2; fail "meson install"; exit 1; }
pass "meson install --destdir"
ROOT=$WORK/root
pc=$(find "$ROOT" -name tqcodec.pc | head -n 1)
[ -n "$pc" ] && pass "tqcodec.pc installed" || { fail "no tqcodec.pc"; exit 1; }
for f in include/tqcodec/tqcodec.h include/tqcodec/container.h bin/tqc; do
    [ -n "$(find "$ROOT" -path "*/$f")" ] && pass "$f installed" || fail "$f not installed"
done
for f in libtqcodec.so libtqcodec.a stftae-24k.safetensors; do
    [ -n "$(find "$ROOT" -name "$f")" ] && pass "$f installed" || fail "$f not installed"
done

# The .pc names the configured prefix (/usr/local): point it into the scratch root.
export PKG_CONFIG_PATH=$(dirname "$pc")
prefix=$(pkg-config --variable=prefix tqcodec)
PC=(pkg-config --define-variable=prefix="$ROOT$prefix")
libdir=$("${PC[@]}" --variable=libdir tqcodec)
case $libdir in "$ROOT"/*) pass "pkg-config points into the installed copy" ;; *) fail "libdir $libdir" ;; esac

# Shared.
if $CC -std=c99 -pedantic-errors -Wall -Wextra -Werror "$SRC/tests/c_api/c99_program.c" \
       $("${PC[@]}" --cflags tqcodec) $("${PC[@]}" --libs tqcodec) -lm -o "$WORK/shared" 2>"$WORK/cc.err"; then
    pass "C99 example builds with pkg-config --cflags --libs"
    LD_LIBRARY_PATH=$libdir ldd "$WORK/shared" | grep -q "$libdir/libtqcodec.so" &&
        pass "linked to the installed libtqcodec.so" || fail "not linked to $libdir/libtqcodec.so"
    LD_LIBRARY_PATH=$libdir "$WORK/shared" >"$WORK/run.out" 2>&1 && pass "shared example runs" ||
        fail "shared example: $(cat "$WORK/run.out")"
else
    fail "shared build: $(cat "$WORK/cc.err")"
fi

# Static: everything Libs.private and Requires.private name must be enough.
static_libs=$("${PC[@]}" --static --libs tqcodec | sed 's/-ltqcodec/-Wl,-Bstatic -ltqcodec -Wl,-Bdynamic/')
if $CC -std=c99 -pedantic-errors -Wall -Wextra -Werror "$SRC/tests/c_api/c99_program.c" \
       $("${PC[@]}" --static --cflags tqcodec) $static_libs -lm -o "$WORK/static" 2>"$WORK/cc.err"; then
    pass "C99 example builds with pkg-config --static"
    ldd "$WORK/static" | grep -q libtqcodec && fail "static example still needs libtqcodec.so" ||
        pass "static example carries the library"
    "$WORK/static" >"$WORK/run.out" 2>&1 && pass "static example runs" || fail "static example: $(cat "$WORK/run.out")"
else
    fail "static build: $(cat "$WORK/cc.err")"
fi

tqc=$(find "$ROOT" -path '*/bin/tqc')
LD_LIBRARY_PATH=$libdir "$tqc" --version >/dev/null 2>&1 && pass "installed tqc runs" || fail "installed tqc does not run"

# The Python package on the installed library (where Debian's numpy is there).
if /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
    TQCODEC_LIBRARY=$libdir/libtqcodec.so PYTHONPATH=$SRC/python /usr/bin/python3 -c '
import numpy as np, tqcodec
pcm = np.zeros((4800, 1), np.float32); pcm[::7] = 0.3
back = tqcodec.decode(tqcodec.encode(pcm, 48000, "turbo", bitrate=96000))
assert back.shape == pcm.shape and tqcodec.lib._name.startswith("'"$libdir"'"), tqcodec.lib._name
' 2>"$WORK/py.err" && pass "python tqcodec on the installed library" || fail "python on the installed library: $(cat "$WORK/py.err")"
fi

[ "$FAILURES" -eq 0 ] || { echo "$FAILURES failure(s)" >&2; exit 1; }
echo "all passed"
