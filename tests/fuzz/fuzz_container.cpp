// Fuzz target: a whole .tqc file from an attacker, read sequentially and
// through the trailer index by the C++ reader (container/), and once more
// through the C ABI of tqcodec/container.h. Opening may fail (tq::Error, an
// error code); reading packets, the trailer and seeking must never crash, and
// the C ABI never answers TQ_ERR_INTERNAL.
#include <cstddef>
#include <cstdint>
#include <cstdio>

#include "core/error.hpp"
#include "fuzz_target.hpp"
#include "tqc_container.hpp"
#include "tqcodec/container.h"

namespace {

using tqfuzz::checked;

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

void read_through_c_abi(const uint8_t* data, size_t size) {
    tq_file_reader* reader = nullptr;
    if (checked(tq_file_reader_open(tqfuzz::memory_file(data, size).c_str(), &reader)) != TQ_OK) return;
    tq_file_info info;
    if (tq_file_reader_info(reader, &info) != TQ_OK || !tq_family_name(info.family))
        tqfuzz::bug("an open reader reports no info or an unknown family");
    for (int t = 0; t < tq_file_reader_tag_count(reader); ++t) {
        const char *key = nullptr, *value = nullptr;
        if (tq_file_reader_tag(reader, t, &key, &value) != TQ_OK) tqfuzz::bug("a counted tag cannot be read");
    }
    const uint8_t* packet = nullptr;
    size_t packet_size = 0;
    uint64_t first_sample = 0;
    for (int packets = 0; packets < 4096; ++packets)
        if (checked(tq_file_reader_next_packet(reader, &packet, &packet_size, &first_sample)) != 1) break;
    for (int d = 0; d < tq_file_reader_damage_count(reader); ++d)
        if (!tq_file_reader_damage(reader, d)) tqfuzz::bug("a counted damage has no message");
    (void)tq_file_reader_checksum_ok(reader);
    (void)tq_file_reader_final_samples(reader);
    tq_file_reader_destroy(reader);
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
    read_through_c_abi(data, size);
    return 0;
}
