#!/bin/bash
# Damaged .tqc files: info names the damage, decode conceals it and keeps the timing.
TQC=$1 HELPER=$2
source "$E2E_LIB"
require_turbo

"$HELPER" gen noise in.wav 44100 1 44100
"$TQC" encode -q -c turbo in.wav good.tqc || { fail "encode"; finish; }

# One flipped payload byte in packet index 3.
cp good.tqc flipped.tqc
seq=$("$HELPER" flip-packet flipped.tqc 3) || { fail "flip-packet"; finish; }
expect_error 1 "info of a damaged file exits 1" 'damaged' -- "$TQC" info flipped.tqc
expect_grep "info names the damaged packet" "packet $seq" out.txt
expect_grep "info says the checksum failed" '^checksum +SHA-256 MISMATCH' out.txt
expect_error 1 "info --json of a damaged file" 'damaged' -- "$TQC" info --json flipped.tqc
expect_grep "json damage names the packet" "\"packet\": $seq" out.txt
expect_grep "json says damaged" '"damaged": true' out.txt

expect_exit 0 "decode of a damaged file goes on" -- "$TQC" decode flipped.tqc flipped.wav
expect_grep "decode warns about the packet" "^tqc: warning: flipped\.tqc: .*packet $seq" err.txt
expect_grep "decode says it concealed" 'concealed with silence' err.txt
expect_equal "concealed output keeps its length" "$("$HELPER" wavinfo flipped.wav)" "44100 1 44100"
"$TQC" decode good.tqc good.wav
expect_exit 0 "compare concealed with clean decode" -- "$TQC" compare --no-align --json good.wav flipped.wav
snr=$(json_number out.txt snr_db)
awk -v s="$snr" 'BEGIN { exit !(s + 0 > 3 && s + 0 < 200) }' && pass "only the lost packet differs (SNR $snr)" ||
    fail "concealed decode SNR $snr"
expect_error 1 "decode --strict refuses damage" "packet $seq.*--strict" -- "$TQC" decode --strict flipped.tqc strict.wav
expect_no_file "--strict leaves no output" strict.wav

# Damaged packet read from a pipe (no trailer look-ahead).
"$TQC" decode - piped.wav <flipped.tqc 2>err.txt && pass "pipe decode of damaged file" || fail "pipe decode: $(cat err.txt)"
expect_equal "pipe concealment keeps length" "$("$HELPER" wavinfo piped.wav)" "44100 1 44100"

# Corrupt file header (byte 10 is inside the CRC-protected header).
cp good.tqc badheader.tqc
"$HELPER" flip badheader.tqc 10
expect_error 1 "info of a corrupt header" 'badheader\.tqc: ' -- "$TQC" info badheader.tqc
expect_error 1 "decode of a corrupt header" 'badheader\.tqc: ' -- "$TQC" decode badheader.tqc bh.wav
expect_no_file "corrupt header leaves no output" bh.wav

# Truncated file: trailer and last packets gone.
size=$(stat -c %s good.tqc)
head -c $((size * 2 / 3)) good.tqc >truncated.tqc
expect_error 1 "info of a truncated file" 'damaged' -- "$TQC" info truncated.tqc
expect_grep "truncated file has no trailer" '^checksum +no trailer' out.txt
expect_exit 0 "decode of a truncated file" -- "$TQC" decode truncated.tqc truncated.wav
expect_grep "truncation is reported" 'warning' err.txt
finish
