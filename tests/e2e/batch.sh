#!/bin/bash
# tqc batch: a tree of files; shards + merge == one run; an interrupted run (SIGINT) resumed
# without encoding anything twice; changed sources and failures.
TQC=$1 HELPER=$2
source "$E2E_LIB"
require_turbo
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# 12 clips of 1.5 s in a small tree (.wav and .flac).
mkdir -p in/speech in/music/deep
n=0
for kind in sine noise chirp; do
    for ch in 1 2; do
        "$HELPER" gen "$kind" "in/$kind$ch.wav" 44100 "$ch" 66150
        "$HELPER" gen "$kind" "in/music/deep/$kind$ch.flac" 22050 "$ch" 33075
        n=$((n + 2))
    done
done
mv in/sine1.wav in/speech/sp_sine1.wav
FLAGS=(-c turbo -O mode=mdct -b 64k --measure)

count() { find "$1" -name "$2" | wc -l; }

# strip_volatile FILE: the summary without run facts and speeds (which differ run to run).
strip_volatile() {
    "$PY" -c 'import json, sys
def strip(j):
    if isinstance(j, dict): return {k: strip(v) for k, v in j.items() if k not in ("run", "speed")}
    if isinstance(j, list): return [strip(v) for v in j]
    return j
print(json.dumps(strip(json.load(open(sys.argv[1]))), sort_keys=True, indent=1))' "$1"
}

# --- one run -------------------------------------------------------------------------------
expect_exit 0 "batch of $n files" -- "$TQC" batch "${FLAGS[@]}" -j 2 in full
expect_equal "one .tqc per source" "$(count full '*.tqc')" "$n"
expect_equal "one record per source" "$(count full '*.tqc.json')" "$n"
expect_equal "tree kept" "$(ls full/music/deep | grep -c '\.tqc$')" "6"
expect_grep "table printed" '^all +12 +12 +0 ' out.txt
expect_grep "progress reported" 'tqc batch: \[12/12\]' err.txt
for f in full/speech/sp_sine1.tqc full/music/deep/noise2.tqc; do
    expect_exit 0 "$f is a valid file" -- "$TQC" info "$f"
done
expect_grep "record has the source hash" '"sha256": "[0-9a-f]{64}"' full/noise2.tqc.json
expect_grep "record has metrics" '"mel": [0-9]' full/noise2.tqc.json
expect_grep "speech file measured with STOI" '"stoi": 0\.[0-9]' full/speech/sp_sine1.tqc.json
expect_grep "summary written" '"ok": 12' full/batch-summary.json

# --- rerun: everything done, nothing encoded ----------------------------------------------
expect_exit 0 "rerun" -- "$TQC" batch "${FLAGS[@]}" -j 2 in full
expect_grep "rerun skips everything" '12 already done; encoding 0' err.txt

# --- two shards + merge == one run ---------------------------------------------------------
expect_exit 0 "shard 1/2" -- "$TQC" batch "${FLAGS[@]}" -j 2 --shard 1/2 in s1
expect_exit 0 "shard 2/2" -- "$TQC" batch "${FLAGS[@]}" -j 2 --shard 2/2 in s2
c1=$(count s1 '*.tqc') c2=$(count s2 '*.tqc')
expect_equal "shards cover every file once" "$((c1 + c2))" "$n"
[ "$c1" -gt 0 ] && [ "$c2" -gt 0 ] && pass "both shards have work ($c1 + $c2)" || fail "a shard is empty ($c1 + $c2)"
[ -f s1/batch-summary.shard-1-of-2.json ] && pass "shard summary named by shard" || fail "no s1/batch-summary.shard-1-of-2.json"
mkdir merged && cp -r s1/. s2/. merged/
expect_exit 0 "merge" -- "$TQC" batch --merge merged
expect_grep "merged table" '^all +12 +12 +0 ' out.txt
expect_equal "merged summary == one run's summary" "$(strip_volatile merged/batch-summary.json)" \
    "$(strip_volatile full/batch-summary.json)"
diff <(cd full && find . -name '*.tqc' -exec md5sum {} + | sort -k2) \
     <(cd merged && find . -name '*.tqc' -exec md5sum {} + | sort -k2) >/dev/null &&
    pass "shard outputs byte-identical to the one run's" || fail "shard outputs differ from the one run's"

# --- SIGINT midway, then rerun -------------------------------------------------------------
"$TQC" batch "${FLAGS[@]}" -j 1 in int >int.out 2>int.err &
pid=$!
for _ in $(seq 1 600); do
    [ "$(count int '*.tqc.json')" -ge 1 ] && break
    sleep 0.05
done
kill -INT "$pid"
wait "$pid"
expect_equal "interrupted run exits 130" "$?" "130"
k=$(count int '*.tqc.json')
[ "$k" -ge 1 ] && [ "$k" -lt "$n" ] && pass "interrupted midway ($k of $n done)" || fail "interrupt not midway: $k of $n"
expect_equal "no temporary files left" "$(find int -name '*.tmp-*' | wc -l)" "0"
expect_equal "every output has its record" "$(count int '*.tqc')" "$k"
expect_grep "says how to finish" 'not done \(rerun to finish\)' int.err
(cd int && find . -name '*.tqc*' -exec md5sum {} + | sort) >before.md5
expect_exit 0 "rerun after interrupt" -- "$TQC" batch "${FLAGS[@]}" -j 2 in int
expect_grep "rerun encodes only the rest" "$k already done; encoding $((n - k)) " err.txt
(cd int && find . -name '*.tqc*' -exec md5sum {} + | sort) >after.md5
expect_equal "first run's outputs and records untouched" "$(comm -23 before.md5 after.md5 | wc -l)" "0"
expect_equal "all done after rerun" "$(count int '*.tqc')" "$n"
expect_equal "resumed summary == one run's summary" "$(strip_volatile int/batch-summary.json)" \
    "$(strip_volatile full/batch-summary.json)"

# --- a changed source is encoded again (hash, not name) ------------------------------------
"$HELPER" gen sine in/noise1.wav 44100 1 66150  # same name and size, other content
expect_exit 0 "rerun after a source changed" -- "$TQC" batch "${FLAGS[@]}" -j 2 in full
expect_grep "only the changed file re-encoded" '11 already done; encoding 1 ' err.txt

# --- failures are listed, not fatal ---------------------------------------------------------
mkdir -p bad && cp in/sine2.wav bad/good.wav && echo "not audio" >bad/broken.wav
expect_exit 1 "a failed file makes exit 1" -- "$TQC" batch -c turbo bad badout
expect_grep "failure listed" '^FAILED: broken.wav: ' out.txt
[ -f badout/good.tqc ] && [ ! -e badout/broken.tqc ] && pass "good file encoded, broken one has no output" ||
    fail "outputs of the failure case"
expect_grep "failure recorded" '"status": "failed"' badout/broken.tqc.json

# --- usage ------------------------------------------------------------------------------------
expect_error 2 "bad shard" "--shard needs I/N" -- "$TQC" batch -c turbo --shard 3/2 in x
expect_error 2 "missing family" "missing -c FAMILY" -- "$TQC" batch in x
finish
