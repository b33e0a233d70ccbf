#!/usr/bin/env python3
"""Seeds for FFmpeg's fuzzers, made from the committed libtqcodec corpora.

  ffmpeg_seeds.py dec CORPUS_DIR OUT_DIR   fuzz_decoder_<family> inputs -> target_dec_fuzzer inputs
  ffmpeg_seeds.py dem CORPUS_DIR OUT_DIR   .tqc files (fuzz_container)  -> target_dem_fuzzer inputs

target_dec_fuzzer (FFmpeg 7.1 tools/target_dec_fuzzer.c) reads packets separated by the
8-byte tag "FUZZ-TAG"; an input over 1024 bytes ends with 1024 bytes of codec parameters,
preceded by the extradata (here: the stream header). target_dem_fuzzer built for one demuxer
reads an input over 2048 bytes as the file, then 1024 bytes of I/O parameters and 1024 of
file name.
"""
import pathlib
import struct
import sys

FUZZ_TAG = b"FUZZ-TAG"
AVDISCARD_DEFAULT_BYTE = 206  # target_dec_fuzzer: skip_frame = byte - 254 + AVDISCARD_ALL (48)


def decoder_input(data):
    """Splits a fuzz_decoder input into its stream header and packets (lost ones dropped)."""
    (size,) = struct.unpack_from("<H", data, 0)
    header, pos, packets = data[2:2 + size], 2 + size, []
    while pos + 2 <= len(data):
        (size,) = struct.unpack_from("<H", data, pos)
        pos += 2
        if size != 0xFFFF:
            packets.append(data[pos:pos + size])
            pos += size
    return header, packets


def dec_seed(data):
    header, packets = decoder_input(data)
    params = struct.pack("<IIqIBIIIIIqqBqB", 0, 0, 0, 0,
                         0,                      # flags: no parser, default strictness
                         len(header),            # extradata size
                         0, 0, 0, 0,             # sample rate, channels (both from the extradata), block align, tag
                         0, 0,                   # keyframes, request_channel_layout
                         0, -1,                  # idct, flush pattern (never)
                         AVDISCARD_DEFAULT_BYTE)
    params += bytes(1024 - len(params))
    return b"".join(p + FUZZ_TAG for p in packets) + header + params


def dem_seed(data):
    io = struct.pack("<IBq", 0, 1, len(data))  # I/O buffer as large as the input, seekable, true size
    return data + io + bytes(1024 - len(io)) + bytes(1024)


def main():
    kind, corpus, out = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
    convert = {"dec": dec_seed, "dem": dem_seed}[kind]
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(corpus.iterdir()):
        (out / path.name).write_bytes(convert(path.read_bytes()))


if __name__ == "__main__":
    main()
