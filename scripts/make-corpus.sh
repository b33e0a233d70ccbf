#!/usr/bin/env bash
# Builds a small fallback evaluation corpus for `tqc bench` from pinned Debian packages, for
# machines without ../shared/corpus/dev (the project's real dev corpus, which takes precedence).
#
# usage: scripts/make-corpus.sh [OUT_DIR]          (default: build/corpus, where tqc bench looks)
#   FFMPEG=path   decoder/encoder to use (default build/ffmpeg/bin/ffmpeg, else /usr/bin/ffmpeg)
#   DEB_CACHE=dir where the .deb files are kept (default build/corpus-debs)
#
# CAVEAT: these packages (codec2-examples, alsa-utils, frozen-bubble-data) are on the corpus
# README's TRAINING allow-list. Scores of trained (neural) families on this fallback corpus are
# therefore optimistic: use it only when the dev corpus is unavailable, and say so when quoting.
#
# Reproducibility: each .deb is fetched by scripts/lib/debs.sh and checked against the SHA-256
# pinned below (the script stops on any mismatch). Clips are cut, faded (5 ms) and
# peak-normalised to -1 dBFS by ffmpeg with bitexact flags, no metadata and no dither, and written
# as 16-bit FLAC; the same ffmpeg build gives the same bytes (SHA256SUMS is written next to them
# for checking). A different ffmpeg version may differ in the last bit of decoded Vorbis.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-$ROOT/build/corpus}
DEB_CACHE=${DEB_CACHE:-$ROOT/build/corpus-debs}
FFMPEG=${FFMPEG:-$ROOT/build/ffmpeg/bin/ffmpeg}
if [[ ! -x $FFMPEG ]]; then
  FFMPEG=/usr/bin/ffmpeg
  echo "make-corpus: build/ffmpeg/bin/ffmpeg not built; using $FFMPEG (bytes may differ from the project's ffmpeg)" >&2
fi
[[ -x $FFMPEG ]] || { echo "make-corpus: no ffmpeg (build it, or apt-get install ffmpeg, or set FFMPEG)" >&2; exit 1; }

# package  version  architecture  SHA-256 of the .deb (Debian 12 bookworm)
PACKAGES=(
  "codec2-examples 1.0.5-1 all 7af8cd128f269a1d8116993c9d2bd7d4d452fc17da46a09899aaca2b9bd993d4"
  "alsa-utils 1.2.8-1 amd64 fb24eb1a318228b974efbef726190dd90c6106a208814a3ee8f5d69b91ee0ba4"
  "frozen-bubble-data 2.212-11 all 39cdfd07d9532d1558762cf265a844d09015c4540568573c50f444cc084166e0"
)
EXTRACTED=$DEB_CACHE/root
# shellcheck source=lib/debs.sh
source "$ROOT/scripts/lib/debs.sh"

ff() { "$FFMPEG" -nostdin -hide_banner -loglevel error -threads 1 "$@"; }

# filter chain: join the inputs, cut [start, start + seconds), 5 ms fades
chain() {
  local n=$1 start=$2 seconds=$3 join="" i
  for ((i = 0; i < n; i++)); do join+="[$i:a]"; done
  local out_fade
  out_fade=$(awk -v d="$seconds" 'BEGIN { printf "%.3f", d - 0.005 }')
  echo "${join}concat=n=$n:v=0:a=1,atrim=start=$start:duration=$seconds,asetpts=N/SR/TB,afade=t=in:d=0.005,afade=t=out:st=$out_fade:d=0.005"
}

# make_clip NAME START SECONDS FILE... (files relative to the extracted packages)
make_clip() {
  local name=$1 start=$2 seconds=$3
  shift 3
  local inputs=() f
  for f in "$@"; do inputs+=(-i "$EXTRACTED/$f"); done
  local filter peak gain
  filter=$(chain $# "$start" "$seconds")
  peak=$(ff "${inputs[@]}" -filter_complex "$filter,astats=measure_perchannel=none:measure_overall=Peak_level" \
           -f null - -loglevel info 2>&1 | sed -n 's/.*Peak level dB: *//p' | tail -1)
  gain=$(awk -v p="$peak" 'BEGIN { printf "%.4f", -1 - p }')
  ff "${inputs[@]}" -filter_complex "$filter,volume=${gain}dB:precision=double" -map_metadata -1 \
     -fflags +bitexact -flags:a +bitexact -c:a flac -sample_fmt s16 -compression_level 8 -y "$OUT/$name.flac"
  printf '%s\t%s\t%s\n' "$name" "$*" "from ${start}s, ${seconds}s, gain ${gain} dB" >>"$OUT/MANIFEST.tsv"
}

fetch_debs "$DEB_CACHE" "$EXTRACTED" "${PACKAGES[@]}"
mkdir -p "$OUT"
printf 'clip\tfiles (in the packages above)\tcut\n' >"$OUT/MANIFEST.tsv"
C2=usr/share/codec2 ALSA=usr/share/sounds/alsa FB=usr/share/games/frozen-bubble/snd
make_clip sp01_en_codec2_16k 0 10.8 $C2/raw/speech_orig_16k.wav
make_clip sp02_en_david_8k 0 12 $C2/wav/david4.wav
make_clip sp03_en_alsa_48k 0 8.4 $ALSA/Front_Center.wav $ALSA/Front_Left.wav $ALSA/Front_Right.wav \
  $ALSA/Side_Left.wav $ALSA/Side_Right.wav $ALSA/Rear_Center.wav
make_clip mu01_techno_pop 30 12 $FB/introzik.ogg
make_clip mu02_frozen_main 20 12 $FB/frozen-mainzik-1p.ogg
make_clip ot01_game_effects 0 8 $FB/applause.ogg $FB/lose.ogg $FB/snore.ogg $FB/destroy_group.ogg \
  $FB/newroot_solo.ogg $FB/cancel.ogg
make_clip ot02_alsa_noise 0 1.4 $ALSA/Noise.wav
(cd "$OUT" && sha256sum ./*.flac >SHA256SUMS)
echo "make-corpus: $(ls "$OUT"/*.flac | wc -l) clips in $OUT (SHA256SUMS written; fallback corpus: see the caveat in $0)" >&2
