#!/usr/bin/env bash
# Builds FFmpeg's own fuzzers for libtqcodec as OSS-Fuzz builds them for
# FFmpeg: tools/target_dec_fuzzer once per libtq_* decoder (FFMPEG_DECODER
# picks it at build time) and tools/target_dem_fuzzer for the tqc demuxer,
# with clang and libFuzzer, against the sanitizer build of libtqcodec that
# campaign.sh uses. campaign.sh runs them once they are built.
#
# Usage: tests/fuzz/ffmpeg-fuzzers.sh
#
# Steps: the sanitizer build of libtqcodec (campaign.sh --build, if not yet
# there), staged as a static pkg-config prefix; the pinned FFmpeg source with
# ffmpeg-patches/*.patch applied (ffmpeg-patches/ffmpeg-common.sh: the same
# cached tarball and series as build-ffmpeg.sh); a minimal configure
# (--enable-ossfuzz, the five decoders, the tqc demuxer, and mjpeg, which
# target_dec_fuzzer.c references whatever decoder it is built for); make of
# the six fuzzers. Each step is skipped when its inputs did not change. Output:
# $BUILD/ffmpeg-fuzzers/ffmpeg_dec_libtq_<family>, ffmpeg_dem_tqc, and their
# seed corpora in corpus/ (made from the committed tests/fuzz/corpus by
# ffmpeg_seeds.py).
#
# Environment: BUILD (default build-fuzz), JOBS (make -j, default 2),
# TQ_CACHE_DIR (the FFmpeg tarball cache, default ~/.cache/tqcodec).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export BUILD=${BUILD:-$ROOT/build-fuzz}
JOBS=${JOBS:-2}
LIB_BUILD=$BUILD
SRC=$BUILD/ffmpeg-fuzz-src
WORK=$BUILD/ffmpeg-fuzz-work
OUT=$BUILD/ffmpeg-fuzzers
LOG_NAME="ffmpeg fuzzers"
# shellcheck source=../../ffmpeg-patches/ffmpeg-common.sh
source "$ROOT/ffmpeg-patches/ffmpeg-common.sh"

FAMILIES=(turbo fractal stftae rvq gauss)
SANITIZE="-fsanitize=address,undefined -fno-sanitize-recover=all"
# Through the environment, as OSS-Fuzz passes them: configure's --enable-ossfuzz
# adds its own (outdated) coverage flags unless CFLAGS already sanitizes.
export CFLAGS="$SANITIZE -fsanitize=fuzzer-no-link -fno-omit-frame-pointer" LDFLAGS=$SANITIZE

configure_flags() {
  local decoders
  decoders=$(printf 'libtq_%s,' "${FAMILIES[@]}")mjpeg
  local f=(
    --cc=clang --cxx=clang++ --ld=clang++   # clang++ links the C++ runtime libtqcodec needs
    --enable-ossfuzz --libfuzzer=-fsanitize=fuzzer --optflags=-O1
    --pkg-config-flags=--static
    --enable-gpl --enable-version3
    --disable-everything --disable-autodetect --disable-network --disable-doc
    --disable-programs --disable-shared --enable-static
    --disable-avdevice --disable-avfilter --disable-swscale --disable-swresample
    --enable-libtqcodec --enable-decoder="$decoders" --enable-demuxer=tqc
  )
  command -v nasm >/dev/null || f+=(--disable-x86asm)
  printf '%s\n' "${f[@]}"
}

fuzzer_targets() {
  printf 'tools/target_dec_libtq_%s_fuzzer\n' "${FAMILIES[@]}"
  echo tools/target_dem_tqc_fuzzer
}

command -v clang >/dev/null || die "clang is needed (Debian: clang)"
[[ -f $BUILD/build.ninja ]] || "$HERE/campaign.sh" --build
mkdir -p "$WORK" "$OUT/corpus"
patch_series
lib_targets=$(ninja -C "$BUILD" -t targets all | sed -n 's|^\(libtqcodec/libtqcodec\.[as][o.0-9]*\): .*|\1|p' | sort -u)
# shellcheck disable=SC2086
stage_libtqcodec $lib_targets
unpack_patched_source

mapfile -t FLAGS < <(configure_flags)
CONF_KEY=$SRC_KEY-$( { printf '%s\n' "${FLAGS[@]}" "$CFLAGS" "$LDFLAGS"; pkg-config --static --cflags --libs tqcodec; } |
                     sha256sum | cut -c1-16)
if [[ $(cat "$WORK/configured.stamp" 2>/dev/null) != "$CONF_KEY" || ! -f $SRC/ffbuild/config.mak ]]; then
  # FFmpeg's makefiles do not track compiler flags: objects of other flags go first.
  [[ -f $SRC/ffbuild/config.mak ]] && make -C "$SRC" clean >/dev/null
  log "configuring (log: $WORK/configure.log)"
  (cd "$SRC" && ./configure "${FLAGS[@]}") > "$WORK/configure.log" 2>&1 ||
    { tail -n 30 "$WORK/configure.log" >&2; die "configure failed (see $WORK/configure.log)"; }
  echo "$CONF_KEY" > "$WORK/configured.stamp"
fi
# libtqcodec is linked into every fuzzer: relink them when it changed.
if [[ $(cat "$WORK/linked.stamp" 2>/dev/null) != "$LIB_KEY" ]]; then
  mapfile -t stale < <(fuzzer_targets)
  (cd "$SRC" && rm -f "${stale[@]}")
fi
log "building $(fuzzer_targets | wc -l) fuzzers with $JOBS jobs (log: $WORK/make.log)"
make -C "$SRC" -j"$JOBS" $(fuzzer_targets) > "$WORK/make.log" 2>&1 ||
  { grep -E 'error|Error' "$WORK/make.log" | tail -n 30 >&2; die "make failed (see $WORK/make.log)"; }
echo "$LIB_KEY" > "$WORK/linked.stamp"

# A new file in place of the old, so that a fuzzer of a campaign still running keeps its binary
# (cp would write into it: "Text file busy").
for f in "${FAMILIES[@]}"; do
  cp --remove-destination "$SRC/tools/target_dec_libtq_${f}_fuzzer" "$OUT/ffmpeg_dec_libtq_$f"
  python3 "$HERE/ffmpeg_seeds.py" dec "$HERE/corpus/decoder_$f" "$OUT/corpus/ffmpeg_dec_libtq_$f"
done
cp --remove-destination "$SRC/tools/target_dem_tqc_fuzzer" "$OUT/ffmpeg_dem_tqc"
python3 "$HERE/ffmpeg_seeds.py" dem "$HERE/corpus/container" "$OUT/corpus/ffmpeg_dem_tqc"
log "built $(find "$OUT" -maxdepth 1 -name 'ffmpeg_*' -type f | wc -l) fuzzers in $OUT; tests/fuzz/campaign.sh runs them"
