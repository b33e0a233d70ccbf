# Sourced by build-ffmpeg.sh and tests/fuzz/ffmpeg-fuzzers.sh: the pinned
# FFmpeg source (obtained, checked against its SHA-256, unpacked, patched) and
# libtqcodec staged as a static pkg-config prefix for FFmpeg's configure.
#
# The caller sets LIB_BUILD (a configured meson build dir of libtqcodec), SRC
# (where the patched source goes), WORK (stamps, logs, the staged libtqcodec)
# and, for messages, LOG_NAME; TQ_CACHE_DIR overrides the tarball cache.

FFMPEG_VERSION=7.1.5
FFMPEG_SHA256=de668509caf9e35e3cd162473441fdb29538c6d96ed080292b3cf9e6fc5d558f
FFMPEG_TARBALL=ffmpeg-$FFMPEG_VERSION.tar.xz
UPSTREAM_URL=https://ffmpeg.org/releases/$FFMPEG_TARBALL
DEBIAN_URL=http://deb.debian.org/debian/pool/main/f/ffmpeg/ffmpeg_$FFMPEG_VERSION.orig.tar.xz
DEBIAN_SOURCE_VERSION=7:7.1.5-0+deb13u1
DEBIAN_SUITES="trixie trixie-security trixie-updates"

FFMPEG_PATCHES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${TQ_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tqcodec}

log() { printf '\033[1m==> %s: %s\033[0m\n' "${LOG_NAME:-ffmpeg}" "$*" >&2; }
die() { printf '%s: error: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

fetch() {  # fetch URL FILE: short timeouts, so unreachable hosts fall through fast
  if command -v curl >/dev/null; then
    curl -fsSL --connect-timeout 5 --max-time 300 -o "$2" "$1"
  else
    wget -q --timeout=5 --tries=1 -O "$2" "$1"
  fi
}

# ---- the source tarball, pinned by SHA-256 -------------------------------
obtain_tarball() {
  local cached=$CACHE/$FFMPEG_TARBALL part
  mkdir -p "$CACHE"
  if [[ -f $cached ]]; then
    [[ $(sha256_of "$cached") == "$FFMPEG_SHA256" ]] && return 0
    log "cached $cached has the wrong SHA-256; fetching again"
    rm -f "$cached"
  fi
  part=$cached.part.$$
  local url
  for url in ${FFMPEG_URL:-} "$UPSTREAM_URL" "$DEBIAN_URL"; do
    log "downloading $url"
    if fetch "$url" "$part" && [[ $(sha256_of "$part") == "$FFMPEG_SHA256" ]]; then
      mv "$part" "$cached"
      return 0
    fi
    log "no valid tarball from $url"
    rm -f "$part"
  done
  # Last resort: apt's own client with a private deb-src list (the system's
  # apt configuration is not touched).
  if command -v apt-get >/dev/null; then
    log "trying apt-get source ffmpeg=$DEBIAN_SOURCE_VERSION"
    local apt=$WORK/apt suite
    rm -rf "$apt"
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/dl"
    : > "$apt/sources.list"
    for suite in $DEBIAN_SUITES; do
      local base=http://deb.debian.org/debian
      [[ $suite == *-security ]] && base=http://deb.debian.org/debian-security
      echo "deb-src $base $suite main" >> "$apt/sources.list"
    done
    local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/none"
                -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache")
    if apt-get "${opts[@]}" -q update >/dev/null 2>&1 &&
       (cd "$apt/dl" && apt-get "${opts[@]}" -q --download-only source "ffmpeg=$DEBIAN_SOURCE_VERSION" >/dev/null 2>&1) &&
       [[ -f $apt/dl/ffmpeg_$FFMPEG_VERSION.orig.tar.xz ]] &&
       [[ $(sha256_of "$apt/dl/ffmpeg_$FFMPEG_VERSION.orig.tar.xz") == "$FFMPEG_SHA256" ]]; then
      mv "$apt/dl/ffmpeg_$FFMPEG_VERSION.orig.tar.xz" "$cached"
      rm -rf "$apt"
      return 0
    fi
    rm -rf "$apt"
  fi
  die "could not obtain $FFMPEG_TARBALL with SHA-256 $FFMPEG_SHA256; put it in $CACHE/ by hand"
}

# ---- libtqcodec, staged as a static-only pkg-config prefix ---------------
# stage_libtqcodec [NINJA_TARGET...]: builds them (default: everything) in
# $LIB_BUILD, installs its devel files into $WORK/tqcodec-stage, points
# PKG_CONFIG_PATH there and sets LIB_KEY (a hash of what was staged).
stage_libtqcodec() {
  log "building libtqcodec in $LIB_BUILD"
  ninja -C "$LIB_BUILD" "$@" >/dev/null || die "libtqcodec does not build (ninja -C $LIB_BUILD $*)"
  local stage=$WORK/tqcodec-stage new=$WORK/tqcodec-stage.new
  rm -rf "$new"
  meson install -C "$LIB_BUILD" --destdir "$new" --tags devel --no-rebuild --quiet >/dev/null ||
    die "meson install --tags devel failed in $LIB_BUILD"
  local pc
  pc=$(find "$new" -name tqcodec.pc -print -quit)
  [[ -n $pc ]] || die "no tqcodec.pc installed by $LIB_BUILD"
  # prefix=/usr/local -> prefix=$stage/usr/local; only the static archive stays,
  # so FFmpeg links libtqcodec into its binaries.
  local prefix
  prefix=$(sed -n 's/^prefix=//p' "$pc")
  sed -i "s|^prefix=.*|prefix=$stage$prefix|" "$pc"
  find "$new" -name 'libtqcodec.so*' -delete
  PC_DIR_REL=${pc#"$new"}
  PC_DIR_REL=$(dirname "$PC_DIR_REL")
  local key
  key=$(cd "$new" && find . -type f ! -name tqcodec.pc -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
  key=$key-$(sed "s|$stage|STAGE|" "$pc" | sha256sum | cut -c1-16)
  if [[ -d $stage && $(cat "$WORK/tqcodec.stamp" 2>/dev/null) == "$key" ]]; then
    rm -rf "$new"          # unchanged: keep the old files and their mtimes
  else
    rm -rf "$stage"
    mv "$new" "$stage"
    sed -i "s|$new|$stage|" "$stage$PC_DIR_REL/tqcodec.pc"
    echo "$key" > "$WORK/tqcodec.stamp"
  fi
  LIB_KEY=$key
  export PKG_CONFIG_PATH=$stage$PC_DIR_REL${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
  pkg-config --exists 'tqcodec >= 0.1.0' || die "staged tqcodec.pc is not usable"
}

# ---- the patched source ---------------------------------------------------
# patch_series: PATCHES (the series in this directory), SERIES_KEY (its hash),
# APPLY_METHOD (git am, else patch).
patch_series() {
  shopt -s nullglob
  PATCHES=("$FFMPEG_PATCHES_DIR"/*.patch)
  shopt -u nullglob
  [[ ${#PATCHES[@]} -gt 0 ]] || die "no patches in $FFMPEG_PATCHES_DIR"
  SERIES_KEY=$(cat "${PATCHES[@]}" | sha256sum | cut -c1-16)
  APPLY_METHOD=$(command -v git >/dev/null && echo git-am || echo patch)
}

# unpack_patched_source: the pinned source with the series applied in $SRC,
# unpacked again only when the tarball or the series changed (after
# patch_series). Sets SRC_KEY.
unpack_patched_source() {
  SRC_KEY=$FFMPEG_SHA256-$SERIES_KEY-$APPLY_METHOD
  if [[ $(cat "$SRC/.tq-source.stamp" 2>/dev/null) != "$SRC_KEY" ]]; then
    obtain_tarball
    log "unpacking FFmpeg $FFMPEG_VERSION into $SRC"
    rm -rf "$SRC" "$WORK/configured.stamp"
    mkdir -p "$SRC"
    tar -xJf "$CACHE/$FFMPEG_TARBALL" -C "$SRC" --strip-components=1 --no-same-owner
    if command -v git >/dev/null; then
      # A git repository of its own: the series goes in with `git am` (as the
      # lead checks it), and FATE's fate-source (which uses git grep) checks
      # this tree rather than an enclosing repository.
      export GIT_AUTHOR_NAME=build-ffmpeg GIT_AUTHOR_EMAIL=build-ffmpeg@localhost
      export GIT_COMMITTER_NAME=build-ffmpeg GIT_COMMITTER_EMAIL=build-ffmpeg@localhost
      (cd "$SRC" && git init -q && git add -A && git commit -q --no-verify -m "FFmpeg $FFMPEG_VERSION (pristine)") ||
        die "git init of $SRC failed"
      log "applying ${#PATCHES[@]} patches with git am"
      (cd "$SRC" && git am -q "${PATCHES[@]}") || die "the patch series does not apply (git am in $SRC)"
    else
      for p in "${PATCHES[@]}"; do
        log "applying $(basename "$p")"
        patch -d "$SRC" -p1 --batch --forward --quiet < "$p" || die "$(basename "$p") does not apply"
      done
    fi
    echo "$SRC_KEY" > "$SRC/.tq-source.stamp"
  fi
}
