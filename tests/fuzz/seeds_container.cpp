// Seeds for fuzz_container: small but complete .tqc files, one per family,
// with and without metadata tags.
#include <cstdio>

#include "fuzz_seeds.hpp"
#include "tqc_container.hpp"

namespace tqfuzz {
namespace {

int delay_of(const Bytes& stream_header) {
    tq_decoder* dec = nullptr;
    if (tq_decoder_create(stream_header.data(), stream_header.size(), &dec) != TQ_OK) bug("seed stream header");
    const int delay = tq_decoder_delay(dec);
    tq_decoder_destroy(dec);
    return delay;
}

Bytes tqc_file(const StreamShape& shape, const EncodedStream& s, std::vector<tqc::Tag> tags) {
    std::FILE* tmp = std::tmpfile();
    {
        auto writer = tqc::Writer::open_stream(tmp);
        tqc::FileHeader h;
        h.family = static_cast<uint8_t>(shape.family);
        h.channels = static_cast<uint8_t>(shape.channels);
        h.source_bits = 16;
        h.sample_rate = static_cast<uint32_t>(shape.sample_rate);
        h.frame_size = static_cast<uint32_t>(s.frame_size);
        h.encoder_delay = static_cast<uint32_t>(delay_of(s.stream_header));
        h.stream_header = s.stream_header;
        h.tags = std::move(tags);
        writer->write_header(h);
        uint64_t first = 0;
        for (const auto& p : s.packets) {
            writer->write_packet(first, p);
            first += static_cast<uint64_t>(tq_packet_samples(p.data(), p.size()));
        }
        writer->finish(first);
    }
    Bytes bytes;
    std::rewind(tmp);
    for (int c; (c = std::fgetc(tmp)) != EOF;) bytes.push_back(static_cast<uint8_t>(c));
    std::fclose(tmp);
    return bytes;
}

}  // namespace

std::vector<Seed> seed_inputs() {
    std::vector<Seed> seeds;
    for (const StreamShape& shape : stream_shapes(0)) {
        const EncodedStream s = encode_test_stream(shape);
        seeds.push_back({shape.name(), tqc_file(shape, s, {})});
        seeds.push_back({shape.name() + "-tags", tqc_file(shape, s, {{"title", "fuzz seed"}, {"encoder", "tqc"}})});
    }
    return seeds;
}

}  // namespace tqfuzz
