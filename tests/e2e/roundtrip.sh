#!/bin/bash
# encode -> decode (a separate process, from the file alone) -> compare, for turbo.
TQC=$1 HELPER=$2
source "$E2E_LIB"
require_turbo

# roundtrip NAME KIND RATE CHANNELS FRAMES MIN_SNR ENCODE_FLAGS...
roundtrip() {
    local name=$1 kind=$2 rate=$3 ch=$4 frames=$5 min_snr=$6
    shift 6
    "$HELPER" gen "$kind" "$name.wav" "$rate" "$ch" "$frames" || { fail "$name: gen"; return; }
    expect_exit 0 "$name: encode" -- "$TQC" encode -c turbo "$@" "$name.wav" "$name.tqc" || return
    [[ " $* " == *" -q "* ]] || expect_grep "$name: encode summary" 'kbit/s.*smaller than 16-bit PCM' err.txt
    expect_exit 0 "$name: decode" -- "$TQC" decode "$name.tqc" "$name.dec.wav" || return
    expect_equal "$name: decoded rate/channels/length" "$("$HELPER" wavinfo "$name.dec.wav")" "$rate $ch $frames"
    expect_exit 0 "$name: compare" -- "$TQC" compare --json "$name.wav" "$name.dec.wav" || return
    expect_equal "$name: no delay" "$(json_number out.txt delay_samples)" "0"
    local snr
    snr=$(json_number out.txt snr_db)
    awk -v s="$snr" -v m="$min_snr" 'BEGIN { exit !(s + 0 >= m + 0) }' && pass "$name: SNR $snr >= $min_snr" ||
        fail "$name: SNR $snr < $min_snr"
}

roundtrip mono_sine sine 44100 1 44101 10
roundtrip stereo_noise noise 48000 2 12345 10 -O bits=6
roundtrip low_rate chirp 8000 1 100 3 -b 32k
roundtrip more_bits chirp 16000 1 16000 25 -O bits=8 -q
# The MDCT mode has an encoder delay and a short flush packet: length must still be exact.
roundtrip mdct_stereo chirp 44100 2 44101 15 -O mode=mdct -b 128k -q
roundtrip mdct_odd_length noise 16000 1 12345 8 -O mode=mdct -b 48k -q
roundtrip perceptual_stereo chirp 44100 2 44101 10 -O mode=mdct,tune=perceptual -b 96k -q
roundtrip perceptual_odd_length noise 16000 1 12345 5 -O mode=mdct,tune=perceptual -b 48k -q
expect_exit 0 "mdct file has a consistent trailer" -- "$TQC" info mdct_odd_length.tqc
expect_equal "-q suppresses the summary" "$(wc -c <err.txt)" "0"

# Pipes: WAV on stdin, .tqc on stdout, .tqc from stdin.
"$HELPER" gen chirp pipe.wav 22050 2 22050
"$TQC" encode -c turbo -q - - <pipe.wav >pipe.tqc 2>err.txt && pass "encode stdin -> stdout" || fail "encode pipe: $(cat err.txt)"
"$TQC" decode - pipe.dec.wav <pipe.tqc 2>err.txt && pass "decode from stdin" || fail "decode pipe: $(cat err.txt)"
expect_equal "pipe round trip length" "$("$HELPER" wavinfo pipe.dec.wav)" "22050 2 22050"
expect_exit 0 "pipe-written file is intact" -- "$TQC" info pipe.tqc
cat pipe.tqc | "$TQC" decode - piped2.wav 2>err.txt && pass "decode from a real pipe" || fail "decode from pipe: $(cat err.txt)"
expect_equal "real pipe length" "$("$HELPER" wavinfo piped2.wav)" "22050 2 22050"

cat pipe.wav | "$TQC" encode -c turbo -q - piped.tqc 2>err.txt && pass "encode from a real pipe" || fail "encode pipe: $(cat err.txt)"
expect_exit 0 "pipe-read file is intact" -- "$TQC" info piped.tqc
expect_grep "pipe-read file knows its length" '^duration +1\.000 s \(22050 samples\)' out.txt

# FLAC in, float WAV out.
"$HELPER" gen chirp in.flac 44100 1 5000
expect_exit 0 "encode FLAC" -- "$TQC" encode -q -c turbo in.flac flac.tqc
expect_exit 0 "decode --float" -- "$TQC" decode --float flac.tqc flac.wav
expect_equal "float decode length" "$("$HELPER" wavinfo flac.wav)" "44100 1 5000"
expect_exit 0 "compare FLAC with float WAV" -- "$TQC" compare in.flac flac.wav

# info: every field, text and JSON.
expect_exit 0 "info" -- "$TQC" info --packets stereo_noise.tqc
for field in '^family +turbo \(id 1\)' '^sample rate +48000 Hz' '^channels +2' '^source bits +16' \
             '^frame size +[0-9]+ samples' '^encoder delay +[0-9]+ samples' '^total samples +[0-9]+' \
             '^stream header +[0-9]+ bytes; decoder: 48000 Hz, 2 ch' '^family params +[0-9a-f]*' \
             '^tags +encoder=tqc ' 'options=bits=6' '^packets +[1-9][0-9]*' '^duration +0\.257 s \(12345 samples\)' \
             '^bitrate +[0-9.]+ kbit/s' '^seek index +[0-9]+ entries' '^checksum +SHA-256 OK' '^damage +none' \
             'sequence +offset +first sample +bytes'; do
    expect_grep "info shows $field" "$field" out.txt
done
expect_exit 0 "info --json" -- "$TQC" info --json stereo_noise.tqc
for key in '"name": "turbo"' '"sample_rate": 48000' '"channels": 2' '"checksum": "SHA-256 OK"' \
           '"damaged": false' '"packet_count": [1-9]' '"bitrate_bps": [0-9]' '"seek_index_entries": [0-9]' \
           '"family_params_hex": "' '"output_samples": 12345'; do
    expect_grep "info --json has $key" "$key" out.txt
done

# compare: text output, resampling, delay.
expect_exit 0 "compare text" -- "$TQC" compare mono_sine.wav mono_sine.dec.wav
for m in '^delay +0 samples' '^SNR +[0-9.-]+ dB' '^segmental SNR ' '^SI-SDR ' '^LSD ' '^mel distance '; do
    expect_grep "compare shows $m" "$m" out.txt
done
expect_exit 0 "compare identical" -- "$TQC" compare --json mono_sine.wav mono_sine.wav
expect_equal "identical SNR is the 200 dB cap" "$(json_number out.txt snr_db)" "200.0"
"$HELPER" gen chirp ref48.wav 48000 1 48000
"$HELPER" gen chirp ref32.wav 32000 1 32000
expect_exit 0 "compare resamples" -- "$TQC" compare ref48.wav ref32.wav
expect_grep "compare says it resampled" 'resampled +DEC from 32000 Hz to 48000 Hz' out.txt
finish
