// Seeds for fuzz_decoder: the input layout that target parses, from real streams.
#include <cstddef>

#include "fuzz_seeds.hpp"
#include "tqcodec/tqcodec.h"

namespace tqfuzz {
namespace {

void put_u16(std::vector<uint8_t>& out, size_t v) {
    out.push_back(static_cast<uint8_t>(v));
    out.push_back(static_cast<uint8_t>(v >> 8));
}

std::vector<uint8_t> decoder_input(const EncodedStream& s) {
    std::vector<uint8_t> out;
    put_u16(out, s.stream_header.size());
    out.insert(out.end(), s.stream_header.begin(), s.stream_header.end());
    for (const auto& p : s.packets) {
        put_u16(out, p.size());
        out.insert(out.end(), p.begin(), p.end());
    }
    put_u16(out, 0xFFFF);  // a lost packet
    return out;
}

}  // namespace

std::vector<std::vector<uint8_t>> seed_inputs() {
    // Small blocks and few bits keep packets under the target's 64 KiB limit.
    std::vector<std::vector<uint8_t>> seeds = {decoder_input(encode_test_stream(TQ_FAMILY_TURBO, 44100, "block=64,bits=2", 0.3)),
            decoder_input(encode_test_stream(TQ_FAMILY_TURBO, 44100, "block=256,bits=3,residual=1", 0.2)),
            decoder_input(encode_test_stream(TQ_FAMILY_FRACTAL, 44100, "packet=4096,quality=0.3", 0.2)),
            decoder_input(encode_test_stream(TQ_FAMILY_STFTAE, 24000, "step=184", 1.1)),
            // A short packet and the flush of a stereo (mid/side) stream at the default 16 kbit/s.
            decoder_input(encode_test_stream(TQ_FAMILY_GAUSS, 24000, "iterations=16", 0.6))};
    // rvq needs its model, which a build may lack.
    if (tq_family_available(TQ_FAMILY_RVQ))
        seeds.push_back(decoder_input(encode_test_stream(TQ_FAMILY_RVQ, 24000, "codebooks=3", 0.5)));
    return seeds;
}

}  // namespace tqfuzz
