// Valid inputs for the fuzz targets, made with the library itself: the seeds
// `meson test` mutates and the corpora committed under corpus/ (replay_main's
// --write-seeds writes them; make-corpus.sh runs it for every target).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_target.hpp"

namespace tqfuzz {

using Bytes = std::vector<uint8_t>;

struct Seed {
    std::string name;  // a file name: what the seed holds, e.g. "turbo-mdct-96000hz-3ch"
    Bytes bytes;
};

// Defined next to each target: well-formed inputs that reach deep code paths.
std::vector<Seed> seed_inputs();

// One stream configuration: a mode and shape the family's decoder accepts.
struct StreamShape {
    tq_family family;
    int sample_rate;
    int channels;
    const char* options;
    int bitrate;  // 0: the family's default
    int samples;  // per channel, coded whole frames first, then a short packet
    std::string name() const;
};

// Every mode and shape worth a seed, for `family` (0: one shape per family):
// each family from mono to 8 channels with each stereo mode, turbo in both
// modes over every block size and frame size class, fractal over its packet
// sizes and parameter ranges. Packets stay within fuzz_decoder's budgets.
std::vector<StreamShape> stream_shapes(int family);

struct EncodedStream {
    Bytes stream_header;
    std::vector<Bytes> packets;
    int frame_size = 0;
};
// Interleaved test audio: a chirp, noise and mixes of both; the last third silent.
std::vector<float> test_signal(int samples, int channels, int rate);
// The stream header of an encoder of `shape`.
Bytes stream_header(const StreamShape& shape);
// `shape.samples` of test_signal() through an encoder of `shape` (the C ABI).
EncodedStream encode_test_stream(const StreamShape& shape);

}  // namespace tqfuzz
