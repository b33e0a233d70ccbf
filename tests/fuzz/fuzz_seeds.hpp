// Valid inputs for the fuzz targets, made with the library itself.
#pragma once

#include <cstdint>
#include <vector>

namespace tqfuzz {

// Defined next to each target: well-formed inputs that reach deep code paths.
std::vector<std::vector<uint8_t>> seed_inputs();

// `seconds` of a stereo chirp + noise mix at `rate` Hz, encoded with `family`.
struct EncodedStream {
    std::vector<uint8_t> stream_header;
    std::vector<std::vector<uint8_t>> packets;
    int frame_size = 0;
};
EncodedStream encode_test_stream(int family, int rate, const char* options, double seconds);

}  // namespace tqfuzz
