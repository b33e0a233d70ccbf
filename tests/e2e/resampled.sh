#!/bin/bash
# A family that codes a fixed rate (stftae, 24 kHz): tqc encode resamples a 44.1 kHz input with
# libsoxr, meets the bitrate in bytes on disk, and the file decodes at 24 kHz in another process.
TQC=$1 HELPER=$2
source "$E2E_LIB"
"$TQC" families | grep -q '^stftae (id 3): available' || { echo "stftae not in this build: skipped"; exit 77; }
"$TQC" families >out.txt
expect_grep "families lists stftae's rate" '^    sample rates: 24000 Hz' out.txt

"$HELPER" gen noise in44.wav 44100 1 220500 || fail "gen"
expect_exit 0 "encode 44.1 kHz at 12k" -- "$TQC" encode -c stftae -b 12k in44.wav s.tqc
expect_grep "summary says it resampled" 'coded at 24000 Hz, resampled with libsoxr' err.txt
expect_exit 0 "info" -- "$TQC" info --json s.tqc
expect_equal "coded at 24 kHz" "$(json_number out.txt sample_rate)" "24000"
bps=$(json_number out.txt bitrate_bps)
awk -v b="$bps" 'BEGIN { exit !(b >= 10800 && b <= 13200) }' && pass "bitrate $bps b/s within 10 % of 12000" ||
  fail "bitrate $bps b/s not within 10 % of 12000"
expect_exit 0 "decode in another process" -- "$TQC" decode s.tqc s.wav
expect_equal "decoded: 24 kHz, 1 ch, the input's length at 24 kHz" "$("$HELPER" wavinfo s.wav)" "24000 1 120000"
expect_exit 0 "compare resamples to the reference rate" -- "$TQC" compare in44.wav s.wav
finish
