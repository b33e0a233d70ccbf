# Fetches pinned Debian packages and unpacks them; sourced by scripts that build
# audio sets from .debs (scripts/make-corpus.sh, tools/train/make_dataset.sh).
#
# fetch_debs CACHE_DIR EXTRACT_DIR "package version arch sha256" ...
#   downloads each .deb once into CACHE_DIR (`apt-get download pkg:arch=version`), stops on a
#   SHA-256 mismatch, and unpacks it into EXTRACT_DIR. If the mirror has dropped a pinned version,
#   put the same file from https://snapshot.debian.org/ into CACHE_DIR (the check still applies).
fetch_debs() {
  local cache=$1 extract=$2 line pkg ver arch sha deb
  shift 2
  mkdir -p "$cache" "$extract"
  for line in "$@"; do
    read -r pkg ver arch sha <<<"$line"
    deb=$cache/${pkg}_${ver#*:}_${arch}.deb
    if [[ ! -f $deb ]]; then
      (cd "$cache" && apt-get download -q "$pkg:$arch=$ver" >/dev/null)
    fi
    echo "$sha  $deb" | sha256sum --quiet -c - || { echo "fetch_debs: SHA-256 mismatch for $deb" >&2; return 1; }
    dpkg-deb -x "$deb" "$extract"
  done
}
