#!/bin/bash
# gauss on two dev clips (4 s, 24 kHz): tqc encode at 4k..32k lands within 10 % of the target in
# packet bytes (each packet's framing and index entry included; the file header and trailer, a
# fixed ~260 bytes, are 13 % of a 4 s file at 4k and vanish on longer files), decodes in another
# process from the file alone at the input's exact length, and the decoded audio's spectrum gets
# closer to the input's as the rate grows (mel distance, sample-aligned: the phase is
# reconstructed, so cross-correlation alignment would be arbitrary).
TQC=$1 HELPER=$2
source "$E2E_LIB"
"$TQC" families | grep -q '^gauss (id 5): available' || { echo "gauss not in this build: skipped"; exit 77; }

# Bytes of all packets: sizes from tqc info --packets plus 41 bytes of framing and index entry each.
packet_bytes() { "$TQC" info --packets "$1" 2>/dev/null | awk '$1 ~ /^[0-9]+$/ && NF >= 4 { s += $4 + 41 } END { print s }'; }
mel() { "$TQC" compare --no-align "$1" "$2" 2>/dev/null | awk '$1 == "mel" && $2 == "distance" { print $3 }'; }

for clip in speech music; do
    wav="$E2E_DATA/stftae/${clip}_24k.wav"
    previous=1000
    for rate in 4000 8000 16000 32000; do
        out="$clip-$rate.tqc"
        expect_exit 0 "$clip: encode at $rate b/s" -- "$TQC" encode -q -c gauss -b "$rate" "$wav" "$out" || continue
        bytes=$(packet_bytes "$out")
        # 4.000 s of audio.
        awk -v b="$bytes" -v r="$rate" 'BEGIN { t = r * 4 / 8; exit !(b >= 0.9 * t && b <= 1.1 * t) }' &&
            pass "$clip at $rate b/s: $bytes bytes" ||
            fail "$clip at $rate b/s: $bytes bytes, not within 10 % of $((rate / 2))"
        expect_exit 0 "$clip: decode $rate in another process" -- "$TQC" decode "$out" "$clip-$rate.wav" || continue
        expect_equal "$clip: decoded $rate length" "$("$HELPER" wavinfo "$clip-$rate.wav")" "24000 1 96000"
        m=$(mel "$wav" "$clip-$rate.wav")
        # Allow a little noise between neighbouring rates; the trend must hold.
        awk -v m="$m" -v p="$previous" 'BEGIN { exit !(m != "" && m < p + 0.05) }' &&
            pass "$clip at $rate b/s: mel distance $m" || fail "$clip at $rate b/s: mel distance $m after $previous"
        previous=$m
    done
    # The tags name the options, so compare the audio.
    expect_exit 0 "$clip: encode with threads=2" -- "$TQC" encode -q -c gauss -b 8k -O threads=2 "$wav" t2.tqc
    "$TQC" decode t2.tqc t2.wav 2>err.txt || fail "$clip: decode threads=2 file"
    cmp -s t2.wav "$clip-8000.wav" && pass "$clip: threads=2 decodes like threads=1" || fail "$clip: threads change the stream"
done

expect_error 1 "bitrate below the range is refused" 'outside 4000..32000' -- "$TQC" encode -c gauss -b 2k "$E2E_DATA/stftae/speech_24k.wav" x.tqc
expect_no_file "nothing written on refusal" x.tqc
finish
