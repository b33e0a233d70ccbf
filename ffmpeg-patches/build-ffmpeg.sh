#!/usr/bin/env bash
# Builds a static FFmpeg 7.1.5 with libtqcodec (ffmpeg + ffprobe) that reads
# every audio format FFmpeg reads natively (see configure_flags) and writes .tqc.
#
# Usage: ffmpeg-patches/build-ffmpeg.sh [LIBTQCODEC_BUILD_DIR [FFMPEG_SRC_DIR [PREFIX]]]
#   LIBTQCODEC_BUILD_DIR  configured meson build dir of this project   (default: build)
#   FFMPEG_SRC_DIR        where the patched source is unpacked        (default: build/ffmpeg-src)
#   PREFIX                install prefix; gets bin/ffmpeg, bin/ffprobe (default: build/ffmpeg)
# Relative paths are taken from the repository root.
#
# Steps: obtain the FFmpeg source tarball and check its pinned SHA-256 (from
# the cache, else ffmpeg.org, else Debian's source package of the same
# upstream version: Debian 13 "trixie" ships the upstream tarball unchanged as
# ffmpeg_7.1.5.orig.tar.xz); unpack; apply ffmpeg-patches/*.patch; configure
# against libtqcodec through pkg-config (--static); make; make install.
# Every step is skipped when its inputs did not change, so a second run with
# nothing changed takes a second or two.
#
# Debian packages: build-essential (gcc, make), pkg-config, xz-utils, curl or
# wget, git (or patch), nasm (else the build goes on with --disable-x86asm: slower
# codecs), libopus-dev, libmp3lame-dev, libvorbis-dev (benchmark anchors),
# plus what libtqcodec itself needs (meson, ninja-build, g++, libssl-dev,
# zlib1g-dev, ...).
#
# Environment: TQ_CACHE_DIR (default ~/.cache/tqcodec), JOBS (default nproc),
# FFMPEG_URL (override the download URL), FFMPEG_EXTRA_CONFIGURE (appended to
# configure's flags).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
abspath() { case $1 in /*) echo "$1" ;; *) echo "$ROOT/$1" ;; esac; }

LIB_BUILD=$(abspath "${1:-build}")
SRC=$(abspath "${2:-build/ffmpeg-src}")
PREFIX=$(abspath "${3:-build/ffmpeg}")
WORK=$(dirname "$SRC")/ffmpeg-work          # staged libtqcodec, stamps, logs
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
LOG_NAME=ffmpeg
# shellcheck source=ffmpeg-common.sh
source "$HERE/ffmpeg-common.sh"    # obtain_tarball, stage_libtqcodec, unpack_patched_source, ...

# ---- tools --------------------------------------------------------------
need=()
for t in make cc pkg-config xz tar sha256sum meson; do
  command -v "$t" >/dev/null || need+=("$t")
done
command -v curl >/dev/null || command -v wget >/dev/null || need+=("curl or wget")
command -v git >/dev/null || command -v patch >/dev/null || need+=("git or patch")
[[ ${#need[@]} -eq 0 ]] || die "missing tools: ${need[*]} (Debian: build-essential pkg-config xz-utils git meson curl)"
[[ -f $LIB_BUILD/build.ninja ]] || die "$LIB_BUILD is not a configured meson build dir of libtqcodec (meson setup it first)"

# ---- configure flags ------------------------------------------------------
# What the patched FFmpeg reads: every native audio decoder, every demuxer
# (audio containers and the audio of video containers: mp4/m4a, mkv/webm,
# ...), every parser, every audio filter and the lavfi input device (-f lavfi
# -i sine=d=2, anullsrc, ...). What it writes: the libtq_* encoders, the
# benchmark anchors' external encoders (libopus, libmp3lame, libvorbis), PCM,
# FLAC and the native AAC encoder, into the muxers listed. No network, no
# video decoders or encoders, no hardware APIs (--disable-autodetect).
# The two lists FFmpeg keeps no group for (audio decoders, audio filters) are
# read from the unpacked source by source_flags() below.
configure_flags() {
  local f=(
    --prefix="$PREFIX"
    --pkg-config-flags=--static
    --enable-gpl --enable-version3
    --disable-everything --disable-autodetect --disable-network
    --disable-doc --disable-htmlpages --disable-manpages --disable-podpages --disable-txtpages
    --disable-programs --enable-ffmpeg --enable-ffprobe
    --disable-shared --enable-static
    --enable-libtqcodec --enable-libopus --enable-libmp3lame --enable-libvorbis
    --enable-zlib            # compressed mov/mp4 headers, zlib-compressed Matroska tracks
    --enable-swresample --enable-avfilter --enable-avdevice
    --enable-protocol=file,pipe
    --enable-demuxers --enable-parsers
    --enable-indev=lavfi
    --enable-muxer=wav,flac,ogg,oga,opus,mp3,tqc,pcm_f32le,pcm_s16le,null,crc,framecrc,md5,framemd5
    --enable-muxer=mp4,ipod,mov,matroska,webm,adts
    --enable-decoder=libtq_turbo,libtq_fractal,libtq_stftae,libtq_rvq,libtq_gauss
    --enable-encoder=pcm_s16le,pcm_s24le,pcm_s32le,pcm_f32le,flac,aac,libopus,libmp3lame,libvorbis
    --enable-encoder=libtq_turbo,libtq_fractal,libtq_stftae,libtq_rvq,libtq_gauss
    --enable-filter=concat   # an audio+video filter that also joins audio-only inputs
  )
  command -v nasm >/dev/null || f+=(--disable-x86asm)
  printf '%s\n' "${f[@]}"
}

# Flags read from the unpacked source $SRC (pinned by SHA-256 and the patch
# series, so they are a function of SRC_KEY and of this function's text, both
# part of the configure key):
#  - every decoder libavcodec/allcodecs.c lists under "audio codecs", "PCM
#    codecs", "DPCM codecs" and "ADPCM codecs" (the native ones: the external
#    and hardware wrappers come later in that file);
#  - every audio filter, source and sink of libavfilter/allfilters.c (ff_af_*,
#    ff_asrc_*, ff_asink_*; the prefixes configure itself reads the list by).
source_flags() {
  local decoders filters
  decoders=$(sed -n '\|^/\* audio codecs \*/$|,\|^/\* subtitles \*/$|s/^extern const FFCodec ff_\([a-z0-9_]*\)_decoder;$/\1/p' \
               "$SRC/libavcodec/allcodecs.c" | paste -sd, -)
  filters=$(sed -n 's/^extern const AVFilter ff_a\(f\|src\|sink\)_\([a-z0-9_]*\);$/\2/p' \
              "$SRC/libavfilter/allfilters.c" | paste -sd, -)
  [[ -n $decoders && -n $filters ]] || die "no audio decoders or filters found in $SRC (allcodecs.c/allfilters.c changed layout?)"
  printf '%s\n' "--enable-decoder=$decoders" "--enable-filter=$filters"
}

# ---- main -----------------------------------------------------------------
mkdir -p "$WORK"
patch_series

stage_libtqcodec
mapfile -t FLAGS < <(configure_flags)
# shellcheck disable=SC2206
EXTRA_FLAGS=(${FFMPEG_EXTRA_CONFIGURE:-})   # last, so they can override anything
FLAGS_KEY=$( { printf '%s\n' "${FLAGS[@]}" "${EXTRA_FLAGS[@]}"; declare -f source_flags; } | sha256sum | cut -c1-16)
ALL_KEY=$FFMPEG_SHA256-$SERIES_KEY-$APPLY_METHOD-$LIB_KEY-$FLAGS_KEY

if [[ -x $PREFIX/bin/ffmpeg && -x $PREFIX/bin/ffprobe &&
      $(cat "$WORK/installed.stamp" 2>/dev/null) == "$ALL_KEY" ]]; then
  log "up to date: $PREFIX/bin/ffmpeg"
  exit 0
fi

unpack_patched_source

CONF_KEY=$SRC_KEY-$FLAGS_KEY-$(pkg-config --static --cflags --libs tqcodec | sha256sum | cut -c1-16)
if [[ $(cat "$WORK/configured.stamp" 2>/dev/null) != "$CONF_KEY" || ! -f $SRC/ffbuild/config.mak ]]; then
  mapfile -t SOURCE_FLAGS < <(source_flags)
  [[ ${#SOURCE_FLAGS[@]} -gt 0 ]] || die "source_flags failed"
  printf '%s\n' "${FLAGS[@]}" "${SOURCE_FLAGS[@]}" "${EXTRA_FLAGS[@]}" > "$WORK/configure.flags"
  log "configuring (flags: $WORK/configure.flags, log: $WORK/configure.log)"
  (cd "$SRC" && ./configure "${FLAGS[@]}" "${SOURCE_FLAGS[@]}" "${EXTRA_FLAGS[@]}") > "$WORK/configure.log" 2>&1 ||
    { tail -n 30 "$WORK/configure.log" >&2; tail -n 40 "$SRC/ffbuild/config.log" >&2 || true
      die "configure failed (see $WORK/configure.log and $SRC/ffbuild/config.log)"; }
  echo "$CONF_KEY" > "$WORK/configured.stamp"
fi

# libtqcodec is linked into the programs: relink them when it changed.
if [[ $(cat "$WORK/linked.stamp" 2>/dev/null) != "$LIB_KEY" ]]; then
  rm -f "$SRC"/ffmpeg "$SRC"/ffmpeg_g "$SRC"/ffprobe "$SRC"/ffprobe_g
fi

log "building with $JOBS jobs (log: $WORK/make.log)"
make -C "$SRC" -j"$JOBS" > "$WORK/make.log" 2>&1 ||
  { grep -E 'error|Error' "$WORK/make.log" | tail -n 30 >&2; die "make failed (see $WORK/make.log)"; }
echo "$LIB_KEY" > "$WORK/linked.stamp"
make -C "$SRC" install > "$WORK/install.log" 2>&1 || die "make install failed (see $WORK/install.log)"
echo "$ALL_KEY" > "$WORK/installed.stamp"
log "installed $PREFIX/bin/ffmpeg and $PREFIX/bin/ffprobe ($("$PREFIX/bin/ffmpeg" -hide_banner -version | head -n 1))"
