#!/bin/bash
# Every bad input: one line "tqc: <what>: <why>", exit 1, and no output file left behind.
TQC=$1 HELPER=$2
source "$E2E_LIB"

"$HELPER" gen sine in.wav 44100 1 4410 || exit 1
echo "this is not audio" >text.wav
printf 'not a tqc file at all, just some bytes to read' >junk.tqc

expect_error 1 "missing input file" 'missing\.wav' -- "$TQC" encode -c turbo missing.wav out.tqc
expect_no_file "missing input leaves no output" out.tqc
expect_error 1 "input is not audio" 'text\.wav: cannot read audio' -- "$TQC" encode -c turbo text.wav out.tqc
expect_no_file "non-audio input leaves no output" out.tqc
expect_error 1 "unknown family" "unknown family 'mp3'" -- "$TQC" encode -c mp3 in.wav out.tqc
expect_no_file "unknown family leaves no output" out.tqc
# Families this build lists but does not implement must fail with the library's message.
for fam in $("$TQC" families | sed -n 's/^\([a-z]*\) (id [0-9]*): not implemented.*/\1/p'); do
    expect_error 1 "unimplemented family $fam" "family '$fam' is not implemented" -- "$TQC" encode -c $fam in.wav out.tqc
    expect_no_file "$fam leaves no output" out.tqc
done
expect_error 1 "unknown family option" "unknown option 'nosuch'" -- "$TQC" encode -c turbo -O nosuch=1 in.wav out.tqc
expect_no_file "unknown option leaves no output" out.tqc
expect_error 1 "out-of-range option" "out of range|not a power of two" -- "$TQC" encode -c turbo -O bits=99 in.wav out.tqc
expect_no_file "out-of-range option leaves no output" out.tqc
"$HELPER" gen sine slow.wav 4000 1 400
expect_error 1 "unsupported sample rate" "sample rate 4000" -- "$TQC" encode -c turbo slow.wav out.tqc
expect_no_file "unsupported rate leaves no output" out.tqc
echo keep >existing.tqc
expect_error 1 "failing encode keeps an existing output" "unknown option" -- "$TQC" encode -c turbo -O nosuch=1 in.wav existing.tqc
expect_equal "existing output untouched" "$(cat existing.tqc)" "keep"
expect_error 1 "output directory missing" 'no/such/dir' -- "$TQC" encode -c turbo in.wav no/such/dir/out.tqc

expect_error 1 "decode of a missing file" 'missing\.tqc' -- "$TQC" decode missing.tqc out.wav
expect_no_file "failed decode leaves no output" out.wav
expect_error 1 "decode of a non-tqc file" 'junk\.tqc' -- "$TQC" decode junk.tqc out.wav
expect_no_file "failed decode leaves no output" out.wav
expect_error 1 "info of a non-tqc file" 'junk\.tqc' -- "$TQC" info junk.tqc
expect_error 1 "info of a missing file" 'missing\.tqc' -- "$TQC" info missing.tqc
expect_error 2 "decode to stdout" 'stdout' -- "$TQC" decode junk.tqc -

"$HELPER" gen sine stereo.wav 44100 2 4410
expect_error 1 "compare with a channel mismatch" 'channel counts differ' -- "$TQC" compare in.wav stereo.wav
expect_error 1 "compare with a missing file" 'missing\.wav' -- "$TQC" compare in.wav missing.wav
expect_error 1 "compare with a non-audio file" 'text\.wav' -- "$TQC" compare in.wav text.wav
expect_error 2 "compare with a bad --max-delay" 'max-delay' -- "$TQC" compare --max-delay soon in.wav in.wav

# A signal that ends an encode (kill, a closed pipe or terminal; Ctrl-C's SIGINT too, but a
# background job of a script ignores it) leaves no temporary file behind.
"$HELPER" gen noise long.wav 44100 1 1323000  # 30 s: fractal takes seconds
ignored() {  # ignored SIG: whether this shell, and so the encoder it starts, ignores SIG (nohup: HUP)
    local mask
    mask=$(awk '/^SigIgn:/ {print $2}' /proc/$$/status)
    (( (16#$mask >> ($(kill -l "$1") - 1)) & 1 ))
}
for sig in TERM PIPE HUP; do
    if ignored "$sig"; then
        pass "SIG$sig is ignored in this environment: not checked"
        continue
    fi
    "$TQC" encode -c fractal -O threads=1 long.wav killed.tqc 2>/dev/null &
    pid=$!
    for _ in $(seq 100); do compgen -G 'killed.tqc.tmp-*' >/dev/null && break; sleep 0.02; done
    kill -s "$sig" "$pid"
    wait "$pid"
    expect_equal "SIG$sig ends the encode" "$?" "$((128 + $(kill -l "$sig")))"
    expect_no_file "SIG$sig leaves no output" killed.tqc
done

leftovers=$(ls | grep -c '\.tmp-' || true)
expect_equal "no temporary files left" "$leftovers" "0"
finish
