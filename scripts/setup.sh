#!/usr/bin/env bash
# Shared set-up for demo.sh and test.sh: installs missing Debian packages
# (only as root or through sudo), configures build/ once and builds
# incrementally. Sourced, not run: it defines ROOT and BUILD.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build

DEBIAN_PACKAGES=(
  g++ make pkg-config meson ninja-build python3
  libssl-dev zlib1g-dev libfftw3-dev libsndfile1-dev libsoxr-dev
  libhnswlib-dev nlohmann-json3-dev libopenblas-dev libgtest-dev libbenchmark-dev
  # the patched FFmpeg (ffmpeg-patches/build-ffmpeg.sh) and its anchor encoders
  nasm libopus-dev libmp3lame-dev libvorbis-dev xz-utils curl ca-certificates git patch
  # the Python package (python/, ctypes) and its tests
  python3-numpy python3-pytest
)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

missing_packages() {
  local p
  for p in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

install_packages() {
  local missing
  mapfile -t missing < <(missing_packages)
  [[ ${#missing[@]} -eq 0 ]] && return 0
  local as_root=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      as_root=(sudo)
    else
      echo "setup: missing Debian packages: ${missing[*]}" >&2
      echo "setup: run as root, or install them with: sudo apt-get install ${missing[*]}" >&2
      exit 1
    fi
  fi
  log "installing ${missing[*]}"
  "${as_root[@]}" apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -q --no-install-recommends \
    "${missing[@]}" >/dev/null
}

# CI builds with warnings as errors; a developer's build does not.
current_werror() {
  meson introspect --buildoptions "$BUILD" |
    python3 -c 'import json, sys; print(next(str(o["value"]).lower() for o in json.load(sys.stdin) if o["name"] == "werror"))'
}

configure_build() {
  local werror=false
  [[ ${CI:-} == true ]] && werror=true
  if [[ ! -f $BUILD/build.ninja ]]; then
    log "configuring $BUILD"
    meson setup "$BUILD" "$ROOT" -Dwerror=$werror >/dev/null
  elif [[ $(current_werror) != "$werror" ]]; then
    meson configure "$BUILD" -Dwerror=$werror >/dev/null
  fi
}

build() {
  log "building"
  ninja -C "$BUILD" --quiet
}

# FFmpeg 7.1.5 with the patch series, linked against this build of the library:
# build/ffmpeg/bin/{ffmpeg,ffprobe}. Seconds when nothing changed.
build_ffmpeg() {
  log "building the patched FFmpeg"
  "$ROOT/ffmpeg-patches/build-ffmpeg.sh" "$BUILD"
}

install_packages
configure_build
build
build_ffmpeg
