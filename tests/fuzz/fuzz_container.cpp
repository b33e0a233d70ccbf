// Fuzz target: a whole .tqc file from an attacker. Opening may fail with
// tq::Error; reading packets, the trailer and seeking must never crash.
#include <cstddef>
#include <cstdint>
#include <cstdio>

#include "core/error.hpp"
#include "tqc_container.hpp"

namespace {

void read_everything(std::FILE* file) {
    auto reader = tqc::Reader::open_stream(file);
    for (int packets = 0; packets < 4096 && reader->next_packet(); ++packets) {
    }
    (void)reader->damage();
    (void)reader->trailer();
}

void read_trailer_and_seek(std::FILE* file) {
    auto reader = tqc::Reader::open_stream(file);
    if (!reader->seekable()) return;
    auto trailer = reader->read_trailer_from_end();
    if (trailer && !trailer->index.empty()) {
        reader->seek_to(trailer->index.back().offset);
        (void)reader->next_packet();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    for (auto read : {read_everything, read_trailer_and_seek}) {
        std::FILE* file = fmemopen(const_cast<uint8_t*>(data), size, "rb");
        if (!file) return 0;
        try {
            read(file);
        } catch (const tq::Error&) {
            // A clear error is a correct answer to a hostile file.
        }
        std::fclose(file);
    }
    return 0;
}
