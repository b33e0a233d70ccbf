// Seeds for fuzz_decoder and fuzz_decoder_<family>: the layout that target
// parses, from real streams of every shape in stream_shapes().
#include <algorithm>
#include <cstddef>

#include "fuzz_seeds.hpp"

namespace tqfuzz {
namespace {

void put_u16(Bytes& out, size_t v) {
    out.push_back(static_cast<uint8_t>(v));
    out.push_back(static_cast<uint8_t>(v >> 8));
}

Bytes decoder_input(const EncodedStream& s) {
    Bytes out;
    put_u16(out, s.stream_header.size());
    out.insert(out.end(), s.stream_header.begin(), s.stream_header.end());
    for (const auto& p : s.packets) {
        put_u16(out, p.size());
        out.insert(out.end(), p.begin(), p.end());
    }
    put_u16(out, 0xFFFF);  // a lost packet
    return out;
}

// A seed the target cannot decode in full within its budget would only reach
// the error paths: refuse to make it.
void check_within_budget(const StreamShape& shape, const EncodedStream& s) {
    tq_decoder* dec = nullptr;
    if (tq_decoder_create(s.stream_header.data(), s.stream_header.size(), &dec) != TQ_OK)
        bug("seed stream header does not decode:", shape.name().c_str());
    const DecoderBudget budget = decoder_budget(shape.family, s.frame_size);
    const int capacity = std::min(s.frame_size, budget.packet_samples);
    std::vector<float> pcm(static_cast<size_t>(capacity) * static_cast<size_t>(shape.channels));
    int total = 0;
    for (const Bytes& p : s.packets) {
        int samples = 0;
        if (tq_decode(dec, p.data(), p.size(), pcm.data(), capacity, &samples) != TQ_OK)
            bug(shape.name().c_str(), tq_decoder_error_message(dec));
        total += samples;
    }
    if (total > budget.total) bug("seed longer than the decoder budget:", shape.name().c_str());
    tq_decoder_destroy(dec);
}

}  // namespace

std::vector<Seed> seed_inputs() {
    std::vector<Seed> seeds;
    for (const StreamShape& shape : stream_shapes(kFamily)) {
        const EncodedStream s = encode_test_stream(shape);
        check_within_budget(shape, s);
        seeds.push_back({shape.name(), decoder_input(s)});
    }
    return seeds;
}

}  // namespace tqfuzz
