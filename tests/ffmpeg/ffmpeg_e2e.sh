#!/usr/bin/env bash
# End-to-end tests of the patched FFmpeg (ffmpeg-patches/): libtq_* encoders and
# decoders, the tqc muxer and demuxer, through build/ffmpeg/bin/{ffmpeg,ffprobe}.
#
# Usage: tests/ffmpeg/ffmpeg_e2e.sh CHECK...   (CHECK: all, or names below)
# Environment: FFMPEG_BIN_DIR (default build/ffmpeg/bin), TQC (default
# build/tools/tqc), SAMPLES_DIR (default samples), KEEP=1 keeps the work dir.
# Exit status: 0 pass, 1 fail, 77 skip (no patched ffmpeg built).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${FFMPEG_BIN_DIR:-$ROOT/build/ffmpeg/bin}
TQC=${TQC:-$ROOT/build/tools/tqc}
SAMPLES=${SAMPLES_DIR:-$ROOT/samples}
FFMPEG=$BIN/ffmpeg
FFPROBE=$BIN/ffprobe

if [[ ! -x $FFMPEG || ! -x $FFPROBE ]]; then
  echo "SKIP: $FFMPEG not built (run ffmpeg-patches/build-ffmpeg.sh)"
  exit 77
fi
command -v python3 >/dev/null || { echo "SKIP: python3 needed for sample comparisons"; exit 77; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tq-ffmpeg-e2e.XXXXXX")
[[ ${KEEP:-0} == 1 ]] || trap 'rm -rf "$WORK"' EXIT

FAILS=0
CURRENT=""
fail() { echo "FAIL [$CURRENT]: $*"; FAILS=$((FAILS + 1)); }
pass() { echo "ok   [$CURRENT]: $*"; }
ff() { "$FFMPEG" -hide_banner -nostdin -loglevel error -y "$@"; }

# Small helpers in Python (standard library only) on raw float32 files.
samples_of() {  # RAW CHANNELS -> samples per channel
  python3 -c 'import os,sys; print(os.path.getsize(sys.argv[1]) // (4 * int(sys.argv[2])))' "$1" "$2"
}
# snr_db REF TEST CHANNELS [REF_OFFSET_SAMPLES]: SNR of TEST against REF (same length as TEST)
snr_db() {
  python3 - "$@" <<'EOF'
import array, math, sys
ref_path, test_path, ch = sys.argv[1], sys.argv[2], int(sys.argv[3])
off = int(sys.argv[4]) if len(sys.argv) > 4 else 0
r = array.array('f'); r.frombytes(open(ref_path, 'rb').read())
t = array.array('f'); t.frombytes(open(test_path, 'rb').read())
r = r[off * ch: off * ch + len(t)]
if len(r) != len(t):
    print("-999"); sys.exit()
sig = sum(x * x for x in r); err = sum((x - y) ** 2 for x, y in zip(r, t))
print("%.2f" % (99.0 if err == 0 else 10 * math.log10(max(sig, 1e-30) / err)))
EOF
}
# max_abs_diff A B CHANNELS OFFSET_IN_A: largest |A[off + i] - B[i]| over B
max_abs_diff() {
  python3 - "$@" <<'EOF'
import array, sys
a = array.array('f'); a.frombytes(open(sys.argv[1], 'rb').read())
b = array.array('f'); b.frombytes(open(sys.argv[2], 'rb').read())
ch, off = int(sys.argv[3]), int(sys.argv[4])
a = a[off * ch: off * ch + len(b)]
print("inf" if len(a) != len(b) else max((abs(x - y) for x, y in zip(a, b)), default=0.0))
EOF
}
ge() { python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= float(sys.argv[2]) else 1)' "$1" "$2"; }
probe_value() {  # FILE stream|format KEY
  "$FFPROBE" -v error -show_entries "$2=$3" -of default=noprint_wrappers=1:nokey=1 "$1" | head -n 1
}

# The clips under test: name, source, extra input options, channels, rate.
CLIPS=(
  "mono16k   speech_16k_mono.flac       -        1 16000"
  "stereo44k breakbeat_44k_stereo.flac  -        2 44100"
  "stereo48k breakbeat_44k_stereo.flac  48000    2 48000"
  "mono48k   speech_16k_mono.flac       48000    1 48000"
)

# Makes $WORK/NAME.wav (16-bit source, resampled as asked), NAME.ref.raw (its
# float samples), NAME.tqc (turbo) and NAME.dec.raw (decoded through ffmpeg).
prepare() {
  local name=$1 src=$2 rate=$3
  [[ -f $WORK/$name.dec.raw ]] && return 0
  local ar=()
  [[ $rate != - ]] && ar=(-af aresample=$rate)
  ff -i "$SAMPLES/$src" "${ar[@]}" -c:a pcm_s16le "$WORK/$name.wav" || return 1
  ff -i "$WORK/$name.wav" -f f32le -c:a pcm_f32le "$WORK/$name.ref.raw" || return 1
  ff -i "$WORK/$name.wav" -c:a tq_turbo "$WORK/$name.tqc" || return 1
  ff -i "$WORK/$name.tqc" -f f32le -c:a pcm_f32le "$WORK/$name.dec.raw" || return 1
}

check_roundtrip() {
  local name src rate ch sr
  for clip in "${CLIPS[@]}"; do
    read -r name src rate ch sr <<< "$clip"
    if ! prepare "$name" "$src" "$rate"; then fail "$name: encode/decode through ffmpeg failed"; continue; fi
    local n_ref n_dec snr
    n_ref=$(samples_of "$WORK/$name.ref.raw" "$ch")
    n_dec=$(samples_of "$WORK/$name.dec.raw" "$ch")
    [[ $n_ref == "$n_dec" ]] || { fail "$name: decoded $n_dec samples, input has $n_ref"; continue; }
    [[ $(probe_value "$WORK/$name.tqc" stream sample_rate) == "$sr" ]] || fail "$name: sample rate not $sr"
    [[ $(probe_value "$WORK/$name.tqc" stream channels) == "$ch" ]] || fail "$name: channels not $ch"
    snr=$(snr_db "$WORK/$name.ref.raw" "$WORK/$name.dec.raw" "$ch")
    ge "$snr" 10 || { fail "$name: SNR $snr dB below 10 dB (default turbo settings)"; continue; }
    pass "$name: exactly $n_dec samples back, SNR $snr dB"
  done
}

check_probe() {
  local name src rate ch sr
  for clip in "${CLIPS[@]}"; do
    read -r name src rate ch sr <<< "$clip"
    prepare "$name" "$src" "$rate" || { fail "$name: prepare failed"; continue; }
    local json
    json=$("$FFPROBE" -v error -show_streams -show_format -of json "$WORK/$name.tqc") ||
      { fail "$name: ffprobe failed"; continue; }
    python3 - "$json" "$(samples_of "$WORK/$name.ref.raw" "$ch")" "$ch" "$sr" \
      "$(stat -c %s "$WORK/$name.tqc")" <<'EOF' && pass "$name: ffprobe reports codec, rate, channels, duration, bit_rate" || fail "$name: ffprobe report wrong"
import json, sys
j = json.loads(sys.argv[1]); n, ch, sr, size = (int(v) for v in sys.argv[2:6])
st, fmt = j["streams"][0], j["format"]
frame = int(st.get("frame_size") or 4096) if "frame_size" in st else 4096
errs = []
if st["codec_name"] != "tq_turbo": errs.append("codec_name %s" % st["codec_name"])
if int(st["sample_rate"]) != sr: errs.append("sample_rate %s" % st["sample_rate"])
if int(st["channels"]) != ch: errs.append("channels %s" % st["channels"])
truth = n / sr
for where, d in (("stream", st.get("duration")), ("format", fmt.get("duration"))):
    if d is None or abs(float(d) - truth) > frame / sr: errs.append("%s duration %s vs %.6f" % (where, d, truth))
expect_rate = size * 8 / truth
for where, b in (("stream", st.get("bit_rate")), ("format", fmt.get("bit_rate"))):
    if b is None or abs(float(b) - expect_rate) > 0.02 * expect_rate: errs.append("%s bit_rate %s vs %.0f" % (where, b, expect_rate))
if fmt.get("format_name") != "tqc": errs.append("format_name %s" % fmt.get("format_name"))
for e in errs: print("   ", e)
sys.exit(1 if errs else 0)
EOF
  done
}

check_seek() {
  # speech is 10.8 s long, the breakbeat 6.86 s.
  local name src ch sr ss t
  for spec in "mono16k speech_16k_mono.flac 1 16000 5 2" "stereo44k breakbeat_44k_stereo.flac 2 44100 3 2"; do
    read -r name src ch sr ss t <<< "$spec"
    prepare "$name" "$src" - || { fail "$name: prepare failed"; continue; }
    ff -ss "$ss" -t "$t" -i "$WORK/$name.tqc" -f f32le -c:a pcm_f32le "$WORK/seek.raw" ||
      { fail "$name: ffmpeg -ss $ss -t $t failed"; continue; }
    local n diff
    n=$(samples_of "$WORK/seek.raw" "$ch")
    [[ $n == $((t * sr)) ]] || { fail "$name: -ss $ss -t $t gave $n samples, want $((t * sr))"; continue; }
    diff=$(max_abs_diff "$WORK/$name.dec.raw" "$WORK/seek.raw" "$ch" $((ss * sr)))
    ge 0.0001 "$diff" ||
      { fail "$name: -ss $ss -t $t decodes other samples than [$ss s, $((ss + t)) s) of the full decode (max diff $diff)"; continue; }
    pass "$name: -ss $ss -t $t gives exactly samples [$ss s, $((ss + t)) s) of the full decode"
  done
}

check_pipe() {
  local name=stereo44k ch=2
  prepare "$name" breakbeat_44k_stereo.flac - || { fail "prepare failed"; return; }
  "$FFMPEG" -hide_banner -nostdin -loglevel error -i "$WORK/$name.wav" -c:a tq_turbo -f tqc pipe:1 \
    > "$WORK/pipe.tqc" || { fail "writing to pipe:1 failed"; return; }
  ff -i "$WORK/pipe.tqc" -f f32le -c:a pcm_f32le "$WORK/pipe.dec.raw" || { fail "decoding the piped file failed"; return; }
  cmp -s "$WORK/pipe.dec.raw" "$WORK/$name.dec.raw" || { fail "piped file decodes differently from the seekable one"; return; }
  # Reading from a pipe too (no seeking, no trailer lookup).
  cat "$WORK/pipe.tqc" | "$FFMPEG" -hide_banner -nostdin -loglevel error -f tqc -i pipe:0 -f f32le -c:a pcm_f32le - \
    > "$WORK/pipe2.raw" || { fail "decoding from pipe:0 failed"; return; }
  cmp -s "$WORK/pipe2.raw" "$WORK/$name.dec.raw" || { fail "decoding from pipe:0 differs"; return; }
  local d
  d=$(probe_value "$WORK/pipe.tqc" format duration)
  [[ -n $d && $d != N/A ]] || { fail "piped file has no duration in ffprobe"; return; }
  pass "-f tqc pipe:1 gives a playable file (duration $d s from its trailer), readable from pipe:0 too"
}

check_remux() {
  local name=stereo44k
  prepare "$name" breakbeat_44k_stereo.flac - || { fail "prepare failed"; return; }
  ff -i "$WORK/$name.tqc" -c:a copy "$WORK/remux.tqc" || { fail "-c:a copy to .tqc failed"; return; }
  "$FFMPEG" -hide_banner -nostdin -loglevel error -i "$WORK/$name.tqc" -c:a copy -f tqc pipe:1 \
    > "$WORK/remux-pipe.tqc" || { fail "-c:a copy to pipe failed"; return; }
  local a b c
  a=$("$FFPROBE" -v error -show_data_hash sha256 -show_entries packet=pts,duration,size,data_hash -of csv "$WORK/$name.tqc")
  b=$("$FFPROBE" -v error -show_data_hash sha256 -show_entries packet=pts,duration,size,data_hash -of csv "$WORK/remux.tqc")
  c=$("$FFPROBE" -v error -show_data_hash sha256 -show_entries packet=pts,duration,size,data_hash -of csv "$WORK/remux-pipe.tqc")
  [[ -n $a && $a == "$b" && $a == "$c" ]] || { fail "remuxed packets differ from the source's"; return; }
  pass "-c:a copy keeps all $(wc -l <<< "$a") packets (pts, duration, size, data)"
}

tqc_has() { [[ -x $TQC ]] && "$TQC" "$1" --help >/dev/null 2>&1; }

check_tqc_interop() {
  if ! tqc_has encode || ! tqc_has decode || ! tqc_has info; then
    echo "skip [$CURRENT]: $TQC lacks encode/decode/info"
    return
  fi
  local name=stereo44k ch=2
  prepare "$name" breakbeat_44k_stereo.flac - || { fail "prepare failed"; return; }
  # tqc -> ffmpeg
  "$TQC" encode -q -c turbo "$WORK/$name.wav" "$WORK/tool.tqc" || { fail "tqc encode failed"; return; }
  ff -i "$WORK/tool.tqc" -f f32le -c:a pcm_f32le "$WORK/tool.dec.raw" || { fail "ffmpeg cannot decode tqc's file"; return; }
  [[ $(samples_of "$WORK/tool.dec.raw" $ch) == $(samples_of "$WORK/$name.ref.raw" $ch) ]] ||
    fail "ffmpeg decodes tqc's file to a different length"
  cmp -s "$WORK/tool.dec.raw" "$WORK/$name.dec.raw" || fail "tqc's and ffmpeg's encodes decode differently"
  # ffmpeg -> tqc, for both a seekable and a piped file
  local f info
  for f in "$name.tqc" pipe.tqc; do
    [[ -f $WORK/$f ]] || continue
    info=$("$TQC" info "$WORK/$f" 2>&1) || { fail "tqc info rejects ffmpeg's $f: $info"; continue; }
    grep -q 'SHA-256 OK' <<< "$info" || fail "tqc info: checksum of ffmpeg's $f not OK"
    grep -Eq '^damage +none' <<< "$info" || fail "tqc info reports damage in ffmpeg's $f"
  done
  "$TQC" decode --float "$WORK/$name.tqc" "$WORK/tool-dec.wav" || { fail "tqc decode of ffmpeg's file failed"; return; }
  ff -i "$WORK/tool-dec.wav" -f f32le -c:a pcm_f32le "$WORK/tool-dec.raw"
  cmp -s "$WORK/tool-dec.raw" "$WORK/$name.dec.raw" || fail "tqc decode and ffmpeg decode of the same file differ"
  pass "tqc encode -> ffmpeg decode, ffmpeg -> tqc info/decode agree (SHA-256, CRCs, samples)"
}

check_damage() {
  local name=stereo44k
  prepare "$name" breakbeat_44k_stereo.flac - || { fail "prepare failed"; return; }
  local size f rc err
  size=$(stat -c %s "$WORK/$name.tqc")
  head -c $((size * 6 / 10)) "$WORK/$name.tqc" > "$WORK/trunc.tqc"
  cp "$WORK/$name.tqc" "$WORK/flip.tqc"
  # Flip one byte in the middle of the file (inside some packet's payload) and one in the header.
  python3 - "$WORK/flip.tqc" "$WORK/$name.tqc" "$WORK/hdr.tqc" <<'EOF'
import sys
data = bytearray(open(sys.argv[2], 'rb').read())
mid = bytearray(data); mid[len(mid) // 2] ^= 0x10; open(sys.argv[1], 'wb').write(mid)
hdr = bytearray(data); hdr[17] ^= 0x01; open(sys.argv[3], 'wb').write(hdr)
EOF
  for f in trunc flip hdr; do
    err=$("$FFMPEG" -hide_banner -nostdin -loglevel error -y -i "$WORK/$f.tqc" -f f32le -c:a pcm_f32le "$WORK/$f.raw" 2>&1)
    rc=$?
    # ffmpeg exits with (AVERROR & 255) on errors; a crash is a signal.
    case $rc in 132|134|135|136|139) fail "$f.tqc: ffmpeg crashed (exit $rc)"; continue ;; esac
    [[ -n $err ]] || { fail "$f.tqc: ffmpeg reported no error"; continue; }
    "$FFPROBE" -v error -show_format "$WORK/$f.tqc" >/dev/null 2>&1
    case $? in 132|134|135|136|139) fail "$f.tqc: ffprobe crashed"; continue ;; esac
    pass "$f.tqc: ffmpeg exits $rc and says: $(head -n 1 <<< "$err")"
  done
  # A flipped payload byte is concealed: the decode keeps its length.
  [[ -f $WORK/flip.raw && $(stat -c %s "$WORK/flip.raw") == $(stat -c %s "$WORK/$name.dec.raw") ]] &&
    pass "flip.tqc: damaged packet concealed, length kept" || fail "flip.tqc: decoded length changed"
}

# The libtq_* encoders' AVOption tables equal the library's option schema: names, types,
# defaults, ranges, help texts and enum constants (option_schema.c, built here against the
# patched FFmpeg's static libraries, which carry the libtqcodec ffmpeg was linked with).
check_schema() {
  local prefix=$BIN/.. flags out
  command -v cc >/dev/null || { echo "note [$CURRENT]: no C compiler"; return; }
  flags=$(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --static --cflags --libs libavcodec) ||
    { fail "pkg-config finds no libavcodec in $prefix/lib/pkgconfig"; return; }
  # shellcheck disable=SC2086
  cc -std=c11 -Wall -Wextra -Werror -I"$ROOT/libtqcodec/include" "$ROOT/tests/ffmpeg/option_schema.c" \
    -o "$WORK/option_schema" $flags || { fail "option_schema.c does not build"; return; }
  if out=$("$WORK/option_schema"); then
    pass "$(tr '\n' ';' <<< "$out")"
  else
    fail "the AVOptions differ from the schema:"$'\n'"$out"
  fi
}

check_options() {
  local wav=$WORK/opt.wav s2 s6 a b
  ff -i "$SAMPLES/speech_16k_mono.flac" -t 4 -c:a pcm_s16le "$wav" || { fail "cannot make input"; return; }
  ff -i "$wav" -c:a tq_turbo -bits 2 "$WORK/b2.tqc" && ff -i "$wav" -c:a tq_turbo -bits 6 "$WORK/b6.tqc" ||
    { fail "encoding with -bits failed"; return; }
  s2=$(stat -c %s "$WORK/b2.tqc"); s6=$(stat -c %s "$WORK/b6.tqc")
  (( s2 < s6 )) || fail "-bits 2 ($s2 bytes) not smaller than -bits 6 ($s6 bytes)"
  ff -i "$wav" -c:a tq_turbo -tq_opts bits=2 "$WORK/o2.tqc" || fail "-tq_opts bits=2 failed"
  ff -i "$wav" -c:a tq_turbo -q:a 2 "$WORK/q2.tqc" || fail "-q:a 2 failed"
  a=$("$FFPROBE" -v error -show_data_hash sha256 -show_entries packet=data_hash -of csv "$WORK/b2.tqc")
  b=$("$FFPROBE" -v error -show_data_hash sha256 -show_entries packet=data_hash -of csv "$WORK/o2.tqc")
  [[ $a == "$b" ]] || fail "-tq_opts bits=2 and -bits 2 give different packets"
  b=$("$FFPROBE" -v error -show_data_hash sha256 -show_entries packet=data_hash -of csv "$WORK/q2.tqc")
  [[ $a == "$b" ]] || fail "-q:a 2 and -bits 2 give different packets"
  ff -i "$wav" -c:a tq_turbo -b:a 40k "$WORK/b40.tqc" || fail "-b:a 40k failed"
  local br
  br=$(probe_value "$WORK/b40.tqc" format bit_rate)
  [[ -n $br ]] && ge 44000 "$br" || fail "-b:a 40k gave $br bit/s"
  # The perceptual tuning of the transform mode, as AVOptions and as -tq_opts: the same packets.
  ff -i "$wav" -c:a tq_turbo -mode mdct -tune perceptual -b:a 32k "$WORK/p.tqc" &&
    ff -i "$wav" -c:a tq_turbo -tq_opts mode=mdct,tune=perceptual -b:a 32k "$WORK/p2.tqc" ||
    fail "-mode mdct -tune perceptual failed"
  a=$("$FFPROBE" -v error -show_data_hash sha256 -show_entries packet=data_hash -of csv "$WORK/p.tqc")
  b=$("$FFPROBE" -v error -show_data_hash sha256 -show_entries packet=data_hash -of csv "$WORK/p2.tqc")
  [[ -n $a && $a == "$b" ]] || fail "-tune perceptual and -tq_opts tune=perceptual give different packets"
  ff -i "$WORK/p.tqc" -f f32le -c:a pcm_f32le "$WORK/p.raw" || fail "decoding the tune=perceptual file failed"
  [[ $(stat -c %s "$WORK/p.raw" 2>/dev/null) == $((4 * 4 * 16000)) ]] || fail "tune=perceptual decoded to the wrong length"
  local err
  err=$(ff -i "$wav" -c:a tq_turbo -tq_opts nosuch=1 "$WORK/bad.tqc" 2>&1) && fail "unknown -tq_opts key accepted"
  grep -q nosuch <<< "$err" || fail "unknown option: message does not name it: $err"
  pass "-bits/-tq_opts/-q:a/-b:a map onto the library; bad options fail with the library's message"
}

# The sample rate FAMILY codes when `tqc families` lists fixed rates (the first), else nothing.
fixed_rate() {
  "$TQC" families 2>/dev/null |
    awk -v fam="$1" '$1 == fam && $2 == "(id" {f=1; next} /^[a-z]+ \(id/{f=0} f && /^    sample rates: / {sub(/,/, "", $3); print $3; exit}'
}

# Every family the library implements: ffmpeg encodes it at a bitrate and decodes it back to
# exactly the input's length, and ffprobe names it.
# A family that codes fixed rates gets the input through ffmpeg's aresample (it declares its
# rates) and decodes at its own rate, to the length of the input resampled by ffmpeg alone.
check_families() {
  tqc_has families || { echo "note [$CURRENT]: no tqc to list the families"; return; }
  local fam src ch rate bitrate
  for fam in $("$TQC" families | sed -n 's/^\([a-z]*\) (id [0-9]*): available.*/\1/p'); do
    rate=$(fixed_rate "$fam")
    bitrate=96k
    [[ -n $rate ]] && bitrate=24k
    for clip in "speech_16k_mono.flac 1" "breakbeat_44k_stereo.flac 2"; do
      read -r src ch <<< "$clip"
      local base=$WORK/fam_${fam}_$ch ref_rate=()
      [[ -n $rate ]] && ref_rate=(-ar "$rate")
      ff -i "$SAMPLES/$src" -t 3 -c:a pcm_s16le "$base.wav" &&
        ff -i "$base.wav" "${ref_rate[@]}" -f f32le -c:a pcm_f32le "$base.ref.raw" &&
        ff -i "$base.wav" -c:a tq_$fam -b:a $bitrate "$base.tqc" &&
        ff -i "$base.tqc" -f f32le -c:a pcm_f32le "$base.dec.raw" || { fail "$fam/$src: ffmpeg round trip failed"; continue; }
      [[ $(samples_of "$base.dec.raw" "$ch") == $(samples_of "$base.ref.raw" "$ch") ]] ||
        { fail "$fam/$src: decoded length differs from the input"; continue; }
      [[ $(probe_value "$base.tqc" stream codec_name) == "tq_$fam" ]] || { fail "$fam/$src: codec_name"; continue; }
      if [[ -n $rate ]]; then
        [[ $(probe_value "$base.tqc" stream sample_rate) == "$rate" ]] || { fail "$fam/$src: not coded at $rate Hz"; continue; }
        pass "$fam/$src: resampled to $rate Hz by ffmpeg, encoded at $bitrate, decoded to exactly that length"
      else
        pass "$fam/$src: encoded at $bitrate, decoded to exactly the input's length, SNR $(snr_db "$base.ref.raw" "$base.dec.raw" "$ch") dB"
      fi
    done
  done
}

# rvq: the decoder's -codebooks K equals decoding the file tqc reduce --codebooks K writes, and a
# 12k file reduced by tqc holds exactly the packets of ffmpeg's own encode at the lower rate.
check_rvq() {
  tqc_has families && "$TQC" families | grep -q '^rvq (id 4): available' || { echo "note [$CURRENT]: no rvq"; return; }
  local wav=$WORK/rvq.wav a b
  ff -i "$SAMPLES/speech_16k_mono.flac" -t 6 -ar 24000 -c:a pcm_s16le "$wav" || { fail "cannot make input"; return; }
  ff -i "$wav" -c:a tq_rvq -b:a 12k "$WORK/rvq12.tqc" && ff -i "$wav" -c:a tq_rvq -b:a 1k "$WORK/rvq1.tqc" ||
    { fail "encoding at 12k/1k failed"; return; }
  "$TQC" reduce -q -b 1k "$WORK/rvq12.tqc" "$WORK/rvq12to1.tqc" || { fail "tqc reduce failed"; return; }
  a=$("$FFPROBE" -v error -show_data_hash sha256 -show_entries packet=data_hash -of csv "$WORK/rvq1.tqc")
  b=$("$FFPROBE" -v error -show_data_hash sha256 -show_entries packet=data_hash -of csv "$WORK/rvq12to1.tqc")
  [[ -n $a && $a == "$b" ]] || fail "tqc reduce 12k -> 1k: packets differ from ffmpeg's 1k encode"
  "$TQC" reduce -q --codebooks 2 "$WORK/rvq12.tqc" "$WORK/k2.tqc" &&
    ff -codebooks 2 -i "$WORK/rvq12.tqc" -f f32le -c:a pcm_f32le "$WORK/k2dec.raw" &&
    ff -i "$WORK/k2.tqc" -f f32le -c:a pcm_f32le "$WORK/k2ref.raw" || { fail "-codebooks 2 decode failed"; return; }
  cmp -s "$WORK/k2dec.raw" "$WORK/k2ref.raw" || fail "-codebooks 2 decodes differently from the reduced file"
  ff -i "$WORK/rvq12.tqc" -f f32le -c:a pcm_f32le "$WORK/all.raw" || fail "decode failed"
  cmp -s "$WORK/all.raw" "$WORK/k2dec.raw" && fail "-codebooks 2 changed nothing"
  pass "reduce 12k -> 1k = direct 1k packets; decoder -codebooks 2 = tqc reduce --codebooks 2"
}

# tqc_samples FILE.tqc: the decoded length `tqc info` reports (encoder delay dropped).
tqc_samples() {
  "$TQC" info "$1" 2>/dev/null | sed -n 's/^duration .*(\([0-9]*\) samples)$/\1/p'
}
# tqc_field FILE.tqc FIELD: the first word after FIELD in `tqc info`.
tqc_field() {
  "$TQC" info "$1" 2>/dev/null | awk -v k="$2" 'index($0, k " ") == 1 { sub("^" k " +", ""); print $1; exit }'
}

# The lavfi input device and its audio sources: -f lavfi -i sine=d=2 (44.1 kHz mono, 2 s) goes to
# .tqc and back to exactly 88200 samples through ffmpeg and through tqc; anullsrc with a layout.
check_lavfi() {
  ff -f lavfi -i sine=d=2 -c:a tq_turbo "$WORK/sine.tqc" || { fail "ffmpeg -f lavfi -i sine=d=2 -c:a tq_turbo failed"; return; }
  ff -f lavfi -i sine=d=2 -f f32le -c:a pcm_f32le "$WORK/sine.ref.raw" &&
    ff -i "$WORK/sine.tqc" -f f32le -c:a pcm_f32le "$WORK/sine.dec.raw" || { fail "decoding sine.tqc through ffmpeg failed"; return; }
  local n snr
  n=$(samples_of "$WORK/sine.dec.raw" 1)
  [[ $n == 88200 && $(samples_of "$WORK/sine.ref.raw" 1) == 88200 ]] || { fail "sine=d=2 decodes to $n samples, want 88200"; return; }
  snr=$(snr_db "$WORK/sine.ref.raw" "$WORK/sine.dec.raw" 1)
  ge "$snr" 10 || { fail "sine: SNR $snr dB below 10 dB"; return; }
  pass "-f lavfi -i sine=d=2 -> tq_turbo -> ffmpeg: exactly 88200 samples, SNR $snr dB"
  if tqc_has info && tqc_has decode; then
    [[ $(tqc_samples "$WORK/sine.tqc") == 88200 ]] || fail "tqc info: sine.tqc holds $(tqc_samples "$WORK/sine.tqc") samples, want 88200"
    "$TQC" decode --float "$WORK/sine.tqc" "$WORK/sine.tool.wav" &&
      ff -i "$WORK/sine.tool.wav" -f f32le -c:a pcm_f32le "$WORK/sine.tool.raw" || { fail "tqc decode of sine.tqc failed"; return; }
    cmp -s "$WORK/sine.tool.raw" "$WORK/sine.dec.raw" || { fail "tqc decode and ffmpeg decode of sine.tqc differ"; return; }
    pass "tqc info/decode: 88200 samples, the same samples ffmpeg decodes"
  fi
  ff -f lavfi -i anullsrc=r=48000:cl=stereo -t 1 -c:a tq_turbo "$WORK/null.tqc" || { fail "anullsrc -> tq_turbo failed"; return; }
  [[ $(probe_value "$WORK/null.tqc" stream sample_rate) == 48000 && $(probe_value "$WORK/null.tqc" stream channels) == 2 ]] ||
    { fail "anullsrc=r=48000:cl=stereo: .tqc is not 48 kHz stereo"; return; }
  pass "-f lavfi -i anullsrc=r=48000:cl=stereo -t 1 -> 48 kHz stereo .tqc"
}

# What users have: an M4A (native AAC encoder, ipod muxer) and a WebM (libopus) made from a
# generated 3 s 48 kHz stereo signal go to .tqc; each .tqc holds exactly the samples ffmpeg
# decodes from its input, and tqc reads and decodes it. That is 3 s within a codec frame: the
# WebM's Opus decodes to exactly 144000 samples (pre-skip and end padding signalled), the M4A's
# AAC to 144384 (its edit list drops the 1024 priming samples, but FFmpeg's AAC decoder keeps
# the last frame's 384 padding samples: ffprobe says 3.000 s, ffmpeg decodes 3.008 s).
check_inputs() {
  local sig="aevalsrc=0.5*sin(2*PI*440*t)+0.1*sin(2*PI*3000*t)|0.4*sin(2*PI*660*t):s=48000:d=3"
  local spec ext codec enc want=144000
  for spec in "m4a aac aac" "webm opus libopus"; do
    read -r ext codec enc <<< "$spec"
    local in=$WORK/gen.$ext out=$WORK/gen_$ext.tqc
    ff -f lavfi -i "$sig" -c:a "$enc" -b:a 128k "$in" || { fail "$ext: cannot make the input with $enc"; continue; }
    [[ $(probe_value "$in" stream codec_name) == "$codec" ]] || { fail "$ext: input's codec is not $codec"; continue; }
    ff -i "$in" -c:a tq_turbo "$out" || { fail "$ext: ffmpeg -i gen.$ext -c:a tq_turbo failed"; continue; }
    ff -i "$in" -f f32le -c:a pcm_f32le "$WORK/gen_$ext.ref.raw" &&
      ff -i "$out" -f f32le -c:a pcm_f32le "$WORK/gen_$ext.dec.raw" || { fail "$ext: decoding failed"; continue; }
    local n_in n_out snr
    n_in=$(samples_of "$WORK/gen_$ext.ref.raw" 2)
    n_out=$(samples_of "$WORK/gen_$ext.dec.raw" 2)
    [[ $n_in == "$n_out" ]] || { fail "$ext: .tqc decodes to $n_out samples, the $codec input to $n_in"; continue; }
    (( n_in >= want - 1024 && n_in <= want + 1024 )) || { fail "$ext: $n_in samples, want about $want (3 s)"; continue; }
    [[ $(probe_value "$out" stream sample_rate) == 48000 && $(probe_value "$out" stream channels) == 2 ]] ||
      { fail "$ext: .tqc is not 48 kHz stereo"; continue; }
    snr=$(snr_db "$WORK/gen_$ext.ref.raw" "$WORK/gen_$ext.dec.raw" 2)
    ge "$snr" 10 || { fail "$ext: SNR $snr dB against the decoded $codec below 10 dB"; continue; }
    if tqc_has info && tqc_has decode; then
      local n_tool
      n_tool=$(tqc_samples "$out")
      [[ $n_tool == "$n_in" ]] || { fail "$ext: tqc info says $n_tool samples, want $n_in"; continue; }
      [[ $(tqc_field "$out" "sample rate") == 48000 && $(tqc_field "$out" channels) == 2 ]] ||
        { fail "$ext: tqc info: not 48000 Hz, 2 channels"; continue; }
      "$TQC" decode --float "$out" "$WORK/gen_$ext.tool.wav" &&
        ff -i "$WORK/gen_$ext.tool.wav" -f f32le -c:a pcm_f32le "$WORK/gen_$ext.tool.raw" || { fail "$ext: tqc decode failed"; continue; }
      cmp -s "$WORK/gen_$ext.tool.raw" "$WORK/gen_$ext.dec.raw" || { fail "$ext: tqc decode and ffmpeg decode differ"; continue; }
    fi
    pass "$ext ($codec by $enc) -> tq_turbo: $n_in samples ($(python3 -c "print('%.4f' % ($n_in / 48000))") s) back through ffmpeg and tqc, SNR $snr dB"
  done
}

# gauss: ffmpeg's libtq_gauss with its AVOptions writes the packets tqc encode writes with the
# same options (the fitter is deterministic), the file decodes to the input's length in ffmpeg
# and in tqc alike, and -b:a steers the rate.
check_gauss() {
  tqc_has families && "$TQC" families | grep -q '^gauss (id 5): available' || { echo "note [$CURRENT]: no gauss"; return; }
  local wav=$WORK/gauss.wav a b br
  ff -i "$SAMPLES/breakbeat_44k_stereo.flac" -t 4 -ar 24000 -c:a pcm_s16le "$wav" || { fail "cannot make input"; return; }
  ff -i "$wav" -c:a tq_gauss -b:a 8k -iterations 24 -stereo lr "$WORK/g8.tqc" || { fail "ffmpeg encode failed"; return; }
  "$TQC" encode -q -c gauss -b 8k -O iterations=24,stereo=lr "$wav" "$WORK/t8.tqc" || { fail "tqc encode failed"; return; }
  a=$("$FFPROBE" -v error -show_data_hash sha256 -show_entries packet=data_hash -of csv "$WORK/g8.tqc")
  b=$("$FFPROBE" -v error -show_data_hash sha256 -show_entries packet=data_hash -of csv "$WORK/t8.tqc")
  [[ -n $a && $a == "$b" ]] || fail "ffmpeg's and tqc's packets differ with the same options"
  ff -i "$wav" -f f32le -c:a pcm_f32le "$WORK/g.ref.raw" &&
    ff -i "$WORK/g8.tqc" -f f32le -c:a pcm_f32le "$WORK/g.dec.raw" || { fail "decode failed"; return; }
  [[ $(samples_of "$WORK/g.dec.raw" 2) == $(samples_of "$WORK/g.ref.raw" 2) ]] || fail "decoded length differs"
  ff -i "$wav" -c:a tq_gauss -b:a 24k "$WORK/g24.tqc" || { fail "24k encode failed"; return; }
  br=$(probe_value "$WORK/g24.tqc" format bit_rate)
  [[ -n $br ]] && ge "$br" 20000 && ge 27000 "$br" || fail "-b:a 24k gave $br bit/s"
  pass "ffmpeg packets = tqc packets (-iterations 24 -stereo lr), exact length, -b:a 24k gave $br bit/s"
}

ALL=(roundtrip probe seek pipe remux tqc_interop damage schema options families rvq gauss lavfi inputs)
[[ $# -eq 0 || $1 == all ]] && set -- "${ALL[@]}"
for CURRENT in "$@"; do
  if ! declare -F "check_$CURRENT" >/dev/null; then echo "unknown check $CURRENT (known: ${ALL[*]})"; exit 2; fi
  "check_$CURRENT"
done
(( FAILS == 0 )) || { echo "$FAILS failure(s)"; exit 1; }
