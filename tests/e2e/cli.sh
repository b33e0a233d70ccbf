#!/bin/bash
# tqc's command line: help, version, usage errors, families.
TQC=$1 HELPER=$2
source "$E2E_LIB"

expect_exit 0 "--version" -- "$TQC" --version
expect_grep "version line" '^tqc [0-9]+\.[0-9]+\.[0-9]+ \(libtqcodec ' out.txt
expect_exit 0 "--help" -- "$TQC" --help
expect_grep "help lists commands" 'encode.*decode|decode' out.txt
for cmd in encode decode info compare families batch; do
    expect_exit 0 "$cmd --help" -- "$TQC" "$cmd" --help
    expect_grep "$cmd --help shows usage" "^usage: tqc $cmd" out.txt
done

expect_error 2 "no command" 'missing command' -- "$TQC"
expect_error 2 "unknown command" "unknown command 'frobnicate'" -- "$TQC" frobnicate
expect_error 2 "unknown top-level flag" "unknown option '--frob'" -- "$TQC" --frob
expect_error 2 "unknown encode flag" "encode: unknown option '--frob'" -- "$TQC" encode --frob a b
expect_error 2 "unknown info flag" "info: unknown option '-z'" -- "$TQC" info -z x.tqc
expect_error 2 "missing arguments" "missing argument" -- "$TQC" decode only-one.tqc
expect_error 2 "extra argument" "unexpected argument 'c'" -- "$TQC" compare a b c
expect_error 2 "flag without value" "needs a value" -- "$TQC" encode a b -c
expect_error 2 "encode without family" "missing -c FAMILY" -- "$TQC" encode a.wav b.tqc
expect_error 2 "malformed bitrate" "bad bitrate 'fast'" -- "$TQC" encode -c turbo -b fast a.wav b.tqc

expect_exit 0 "families" -- "$TQC" families
for f in turbo fractal stftae rvq gauss; do expect_grep "families lists $f" "^$f \(id [0-9]\): " out.txt; done
expect_grep "gauss is available" '^gauss \(id 5\): available' out.txt
if grep -q '^turbo (id 1): available' out.txt; then
    expect_grep "option table header" 'option +type +default +range +help' out.txt
    expect_grep "turbo option bits" '^ +bits +int ' out.txt
fi
finish
