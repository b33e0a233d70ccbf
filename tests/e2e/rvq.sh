#!/bin/bash
# rvq on the dev clips: tqc encode at 1.5k..12k meets the target in file bytes (or spends every
# codebook below it), the file decodes in another process from the file alone, and tqc reduce
# rewrites a 12k file into exactly the bytes of a direct encode at the lower rate.
TQC=$1 HELPER=$2
source "$E2E_LIB"
"$TQC" families | grep -q '^rvq (id 4): available' || { echo "rvq not in this build: skipped"; exit 77; }

file_bytes() { wc -c <"$1" | tr -d ' '; }

for clip in speech music; do
    wav="$E2E_DATA/stftae/${clip}_24k.wav"
    expect_exit 0 "$clip: encode with every codebook" -- "$TQC" encode -q -c rvq -O codebooks=16 "$wav" "$clip-all.tqc"
    ceiling=$(file_bytes "$clip-all.tqc")
    for rate in 1500 3000 6000 12000; do
        out="$clip-$rate.tqc"
        expect_exit 0 "$clip: encode at $rate b/s" -- "$TQC" encode -q -c rvq -b "$rate" "$wav" "$out" || continue
        bytes=$(file_bytes "$out")
        # 4.000 s of audio: the target in bytes, or every codebook's size when that is smaller.
        awk -v b="$bytes" -v r="$rate" -v c="$ceiling" 'BEGIN { t = r * 4 / 8; if (c < t) t = c;
              exit !(b >= 0.9 * t && b <= 1.1 * t) }' &&
            pass "$clip at $rate b/s: $bytes bytes (all codebooks: $ceiling)" ||
            fail "$clip at $rate b/s: $bytes bytes, not within 10 % of min($((rate / 2)), $ceiling)"
        expect_exit 0 "$clip: decode $rate in another process" -- "$TQC" decode "$out" "$clip-$rate.wav" || continue
        expect_equal "$clip: decoded $rate length" "$("$HELPER" wavinfo "$clip-$rate.wav")" "24000 1 96000"
    done
    for rate in 3000 1500 1000; do
        "$TQC" encode -q -c rvq -b "$rate" "$wav" "$clip-direct-$rate.tqc" 2>err.txt || fail "$clip: encode $rate"
        expect_exit 0 "$clip: reduce 12000 -> $rate" -- "$TQC" reduce -q -b "$rate" "$clip-12000.tqc" "$clip-r$rate.tqc"
        cmp -s "$clip-r$rate.tqc" "$clip-direct-$rate.tqc" && pass "$clip: reduced $rate file = direct encode" ||
            fail "$clip: reduced $rate file differs from a direct encode"
        "$TQC" decode "$clip-r$rate.tqc" "$clip-r$rate.wav" 2>err.txt && "$TQC" decode "$clip-direct-$rate.tqc" d.wav 2>err.txt
        cmp -s "$clip-r$rate.wav" d.wav && pass "$clip: reduced $rate decodes bit-identically" ||
            fail "$clip: reduced $rate decodes differently"
    done
done

expect_exit 0 "reduce to fixed codebooks" -- "$TQC" reduce -q --codebooks 2 speech-12000.tqc k2.tqc
expect_exit 0 "reduced file is intact" -- "$TQC" info k2.tqc
expect_grep "reduced file says its target" 'codebooks=2' out.txt
expect_error 2 "reduce needs a target" 'exactly one of' -- "$TQC" reduce speech-12000.tqc x.tqc
"$HELPER" gen sine t.wav 48000 1 48000
"$TQC" encode -q -c turbo t.wav t.tqc 2>err.txt || exit 77
expect_error 1 "reduce refuses other families" 'not layered' -- "$TQC" reduce -b 3k t.tqc x.tqc
expect_no_file "nothing written on refusal" x.tqc
finish
