// Seeds for fuzz_encoder_<family>: the configuration, options and a little PCM
// of every shape in stream_shapes(), in that target's layout.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>

#include "fuzz_seeds.hpp"

namespace tqfuzz {
namespace {

constexpr int kMaxSamples = 256;  // per channel

uint8_t rate_index(const StreamShape& shape) {
    if (const int* rates = tq_family_sample_rates(shape.family)) {
        uint8_t i = 0;
        while (rates[i] && rates[i] != shape.sample_rate) ++i;
        return i;
    }
    return static_cast<uint8_t>(std::find(std::begin(kEncoderRates), std::end(kEncoderRates), shape.sample_rate) -
                                std::begin(kEncoderRates));
}

Bytes encoder_input(const StreamShape& shape) {
    const int bitrate = shape.bitrate / 8;
    // Sized once, options copied with their terminating 0: g++ 12 -O3 sees a false
    // -Warray-bounds in vector::insert after a vector of known small size.
    const std::size_t option_bytes = std::strlen(shape.options) + 1;
    Bytes out(5 + option_bytes);
    out[0] = static_cast<uint8_t>(shape.channels - 1);
    out[1] = rate_index(shape);
    out[2] = static_cast<uint8_t>(bitrate);
    out[3] = static_cast<uint8_t>(bitrate >> 8);
    out[4] = 0;  // int16 PCM, once
    std::memcpy(out.data() + 5, shape.options, option_bytes);
    const int samples = shape.samples > 0 ? std::min(shape.samples, kMaxSamples) : kMaxSamples;
    for (float v : test_signal(samples, shape.channels, shape.sample_rate)) {
        const auto s = static_cast<int16_t>(std::lround(v * 32767.0f));
        out.push_back(static_cast<uint8_t>(s));
        out.push_back(static_cast<uint8_t>(static_cast<uint16_t>(s) >> 8));
    }
    return out;
}

}  // namespace

std::vector<Seed> seed_inputs() {
    std::vector<Seed> seeds;
    for (const StreamShape& shape : stream_shapes(kFamily)) seeds.push_back({shape.name(), encoder_input(shape)});
    return seeds;
}

}  // namespace tqfuzz
