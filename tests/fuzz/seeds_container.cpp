// Seeds for fuzz_container: small but complete .tqc files.
#include <cstdio>

#include "fuzz_seeds.hpp"
#include "tqc_container.hpp"
#include "tqcodec/tqcodec.h"

namespace tqfuzz {
namespace {

std::vector<uint8_t> tqc_file(const EncodedStream& s) {
    std::FILE* tmp = std::tmpfile();
    {
        auto writer = tqc::Writer::open_stream(tmp);
        tqc::FileHeader h;
        h.family = TQ_FAMILY_TURBO;
        h.channels = 2;
        h.sample_rate = 44100;
        h.frame_size = static_cast<uint32_t>(s.frame_size);
        h.stream_header = s.stream_header;
        h.tags = {{"title", "fuzz seed"}};
        writer->write_header(h);
        uint64_t first = 0;
        for (const auto& p : s.packets) {
            writer->write_packet(first, p);
            first += static_cast<uint64_t>(s.frame_size);
        }
        writer->finish(first);
    }
    std::vector<uint8_t> bytes;
    std::rewind(tmp);
    for (int c; (c = std::fgetc(tmp)) != EOF;) bytes.push_back(static_cast<uint8_t>(c));
    std::fclose(tmp);
    return bytes;
}

}  // namespace

std::vector<std::vector<uint8_t>> seed_inputs() {
    return {tqc_file(encode_test_stream(TQ_FAMILY_TURBO, 44100, "block=64,bits=1", 0.3))};
}

}  // namespace tqfuzz
