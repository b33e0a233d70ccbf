#!/usr/bin/env bash
# Builds the training set of the neural families from pinned Debian packages, all on the
# allow-list of ../shared/corpus/README.md, as 24 kHz mono 16-bit raw files.
#
# usage: tools/train/make_dataset.sh [OUT_DIR]       (default: build-train)
#   FFMPEG=path   decoder/resampler (default /usr/bin/ffmpeg: the project's own build has no G.722
#                 demuxer; apt-get install ffmpeg)
#
# Writes OUT_DIR/debs (the .debs, SHA-256 checked), OUT_DIR/root (unpacked), OUT_DIR/pcm24k/<group>/*.s16
# and OUT_DIR/pcm24k/MANIFEST.tsv (group, split, samples, source file). Groups: speech, music, other.
# The split is fixed by the source path (sha256 of it, 1 file in 20 to validation), so it does not
# depend on the order files are found in. Used: tuxpaint-stamps-default spoken descriptions
# (only ca, es, el, fr, lt, nl, en, ro, ru; no sound effects), asterisk-core-sounds en/es/fr (G.722),
# fretsonfire-songs-muldjord, singularity-music, warzone2100-music; minus the files the dev corpus
# was cut from; sound effects of hedgewars-data and frozen-bubble-data (group "other"), their music.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$(mkdir -p "${1:-$ROOT/build-train}" && cd "${1:-$ROOT/build-train}" && pwd)
FFMPEG=${FFMPEG:-/usr/bin/ffmpeg}
[[ -x $FFMPEG ]] || { echo "make_dataset: no $FFMPEG (apt-get install ffmpeg, or set FFMPEG)" >&2; exit 1; }
# shellcheck source=../../scripts/lib/debs.sh
source "$ROOT/scripts/lib/debs.sh"

# package  version  architecture  SHA-256 of the .deb (Debian 12 bookworm)
PACKAGES=(
  "tuxpaint-stamps-default 2022.06.04-1 all 6db6c1bfc870a47f1499d6203b083522eacb57c5f9c87d468f2e92eb6d9d5f34"
  "asterisk-core-sounds-en-g722 1.6.1-1 all 38c5261820b406dcb0ecb37675720da2b0864850690690352ca52707eb623806"
  "asterisk-core-sounds-es-g722 1.6.1-1 all e4e3b4281057d3b81b779298fd6be705f57411513955c518eed1bcaabbd615b8"
  "asterisk-core-sounds-fr-g722 1.6.1-1 all 7add61d5e42279ecff1bbdf842a5a946ac3644fac9a0fe44384731aa7270c8e0"
  "fretsonfire-songs-muldjord 2.dfsg-2.1 all b37adf8b08b46d4182c283e760e4f40622d83674e05803960ea1e11a92600c7b"
  "singularity-music 007-2 all 139ba1e408eeb0a72f1fff3760ca46558b9f81bed97dc8c0efa108c4007f4845"
  "warzone2100-music 4.3.3-3 all d3b2c9f90ea5438d45d4aff18339a03ec808e1affa9dac91f7dad61cb15ee64e"
  "hedgewars-data 1.0.2-6 all 722225903a72604403e6e0026e40e9a6953f47a74d94efc5f55504bc05bb4761"
  "frozen-bubble-data 2.212-11 all 39cdfd07d9532d1558762cf265a844d09015c4540568573c50f444cc084166e0"
)

# The dev corpus (../shared/corpus/MANIFEST.tsv) cuts some clips from these same packages: their
# source files (every language of those stamp descriptions and prompts) stay out of training.
DEV_CORPUS_SOURCES='stamps/symbols/chess/w_4_knight_desc|stamps/space/planets/|/demo-abouttotry\.|muldjord/chaos_god/|singularity/music/Awakening\.ogg|frozen-bubble/snd/introzik\.ogg'

list_sources() {
  local r=$OUT/root/usr/share
  # spoken stamp descriptions; *_desc.ogg is the English default
  find "$r/tuxpaint/stamps" -name '*_desc*.ogg' |
    grep -E '_desc(_(ca|es|el|fr|lt|nl|ro|ru|en|en_[A-Z]+))?\.ogg$' | sed 's/^/speech\t/'
  find "$r/asterisk/sounds" -name '*.g722' | sed 's/^/speech\t/'
  find "$r/games/fretsonfire/data/songs" "$r/games/singularity" "$r/games/warzone2100/music" \
    "$r/games/hedgewars/Data/Music" -name '*.ogg' -o -name '*.opus' | sed 's/^/music\t/'
  find "$r/games/frozen-bubble/snd" -name '*zik*.ogg' | sed 's/^/music\t/'
  # sound effects (no animals or insects in these two packages' effects; no voices)
  find "$r/games/hedgewars/Data/Sounds" -maxdepth 1 -name '*.ogg' | grep -Eiv 'bee|bird|sheep|cow|duck|snail|mole|pig|chick' | sed 's/^/other\t/'
  find "$r/games/frozen-bubble/snd" -name '*.ogg' ! -name '*zik*' | sed 's/^/other\t/'
}

training_sources() { list_sources | grep -Ev "$DEV_CORPUS_SOURCES"; }

convert() {  # "GROUP<tab>FILE" -> one line of the manifest
  local group file rel name split dest
  IFS=$'\t' read -r group file <<<"$1"
  rel=${file#"$OUT"/root/}
  name=$(printf '%s' "$rel" | sha256sum | cut -c1-16)
  split=train
  (( 16#${name:0:8} % 20 == 0 )) && split=val
  dest=$OUT/pcm24k/$group/$name.s16
  local args=(-nostdin -hide_banner -loglevel error -threads 1)
  [[ $file == *.g722 ]] && args+=(-f g722)
  if [[ ! -s $dest ]]; then
    "$FFMPEG" "${args[@]}" -i "$file" -ac 1 -ar 24000 -f s16le -y "$dest.part"
    mv "$dest.part" "$dest"
  fi
  printf '%s\t%s\t%d\t%s\n' "$group" "$split" $(( $(stat -c %s "$dest") / 2 )) "$rel"
}
export -f convert
export OUT FFMPEG

fetch_debs "$OUT/debs" "$OUT/root" "${PACKAGES[@]}"
mkdir -p "$OUT/pcm24k/speech" "$OUT/pcm24k/music" "$OUT/pcm24k/other"
training_sources | sort | xargs -d '\n' -P "$(nproc)" -n 1 bash -c 'convert "$0"' | sort -t $'\t' -k4 >"$OUT/pcm24k/MANIFEST.tsv"
awk -F'\t' '{ s[$1 " " $2] += $3 } END { for (k in s) printf "make_dataset: %s %.2f h\n", k, s[k] / 24000 / 3600 }' \
  "$OUT/pcm24k/MANIFEST.tsv" | sort
