// The .tqc reader and writer (container/) behind the C ABI of tqcodec/container.h.
#include "tqcodec/container.h"

#include <memory>
#include <string>
#include <vector>

#include "api/guarded.hpp"
#include "api/stream_header.hpp"
#include "tqc_container.hpp"

struct tq_file_writer {
    std::unique_ptr<tqc::Writer> impl;
    bool finished = false;
    std::string error;
};

struct tq_file_reader {
    std::unique_ptr<tqc::Reader> impl;
    std::optional<tqc::Packet> packet;  // the last one handed out
    bool at_end = false;
    std::string error;
};

namespace {

using tq::api::guarded;

void require_arg(bool ok, const char* message) { tq::require(ok, TQ_ERR_INVALID_ARGUMENT, message); }

}  // namespace

extern "C" {

int tq_file_writer_create(const char* path, const uint8_t* stream_header, size_t stream_header_size,
                          int source_bits, uint64_t total_samples, const char* const* tags, tq_file_writer** writer) {
    if (writer) *writer = nullptr;
    return guarded(nullptr, [&] {
        require_arg(path && stream_header && writer, "NULL argument");
        require_arg(source_bits >= 0 && source_bits <= 32, "source_bits must be 0..32");
        const uint8_t* data = stream_header;
        const size_t size = stream_header_size;
        const tq::StreamHeader sh = tq::read_stream_header({data, size});
        tqc::FileHeader h;
        h.family = static_cast<uint8_t>(sh.info.family);
        h.channels = static_cast<uint8_t>(sh.info.channels);
        h.source_bits = static_cast<uint8_t>(source_bits);
        h.sample_rate = static_cast<uint32_t>(sh.info.sample_rate);
        h.frame_size = static_cast<uint32_t>(sh.info.frame_size);
        h.encoder_delay = static_cast<uint32_t>(sh.info.delay);
        h.total_samples = total_samples == TQ_UNKNOWN_SAMPLES ? tqc::kUnknownSamples : total_samples + h.encoder_delay;
        h.stream_header.assign(data, data + size);
        for (const char* const* t = tags; t && *t; t += 2) {
            require_arg(t[1] != nullptr, "tags: a key without a value (the list is key, value, ..., NULL)");
            h.tags.push_back({t[0], t[1]});
        }
        auto w = std::make_unique<tq_file_writer>();
        w->impl = tqc::Writer::open_file(path);
        w->impl->write_header(h);
        *writer = w.release();
    });
}

int tq_file_writer_write_packet(tq_file_writer* writer, uint64_t first_sample, const uint8_t* packet,
                                size_t packet_size) {
    return guarded(writer ? &writer->error : nullptr, [&] {
        require_arg(writer && packet && packet_size > 0, "NULL writer or empty packet");
        require_arg(!writer->finished, "the file is already finished");
        writer->impl->write_packet(first_sample, {packet, packet_size});
    });
}

int tq_file_writer_finish(tq_file_writer* writer, uint64_t final_samples) {
    return guarded(writer ? &writer->error : nullptr, [&] {
        require_arg(writer != nullptr, "NULL writer");
        require_arg(!writer->finished, "the file is already finished");
        writer->finished = true;
        writer->impl->finish(final_samples);
        writer->impl.reset();
    });
}

void tq_file_writer_destroy(tq_file_writer* writer) {
    if (!writer) return;
    try {
        writer->impl.reset();
    } catch (...) {  // closing an unfinished file: nothing to report to
    }
    delete writer;
}

const char* tq_file_writer_error_message(const tq_file_writer* writer) { return writer ? writer->error.c_str() : ""; }

int tq_file_reader_open(const char* path, tq_file_reader** reader) {
    if (reader) *reader = nullptr;
    return guarded(nullptr, [&] {
        require_arg(path && reader, "NULL argument");
        auto r = std::make_unique<tq_file_reader>();
        r->impl = tqc::Reader::open_file(path);
        // tq_file_info holds the family as a tq_family: a byte outside the enum's values would be undefined there.
        const uint8_t family = r->impl->header().family;
        tq::require_intact(tq::find_family(family) != nullptr,
                           "file header: unknown family id " + std::to_string(family));
        *reader = r.release();
    });
}

int tq_file_reader_info(const tq_file_reader* reader, tq_file_info* info) {
    return guarded(nullptr, [&] {
        require_arg(reader && info, "NULL argument");
        const tqc::FileHeader& h = reader->impl->header();
        info->family = static_cast<tq_family>(h.family);
        info->sample_rate = static_cast<int>(h.sample_rate);
        info->channels = h.channels;
        info->source_bits = h.source_bits;
        info->frame_size = static_cast<int>(h.frame_size);
        info->encoder_delay = static_cast<int>(h.encoder_delay);
        info->total_samples = h.total_samples == tqc::kUnknownSamples ? TQ_UNKNOWN_SAMPLES : h.total_samples;
        info->stream_header = h.stream_header.data();
        info->stream_header_size = h.stream_header.size();
    });
}

int tq_file_reader_tag_count(const tq_file_reader* reader) {
    return reader ? static_cast<int>(reader->impl->header().tags.size()) : 0;
}

int tq_file_reader_tag(const tq_file_reader* reader, int index, const char** key, const char** value) {
    return guarded(nullptr, [&] {
        require_arg(reader && key && value, "NULL argument");
        const auto& tags = reader->impl->header().tags;
        require_arg(index >= 0 && static_cast<size_t>(index) < tags.size(), "tag index out of range");
        *key = tags[static_cast<size_t>(index)].key.c_str();
        *value = tags[static_cast<size_t>(index)].value.c_str();
    });
}

int tq_file_reader_next_packet(tq_file_reader* reader, const uint8_t** packet, size_t* packet_size,
                               uint64_t* first_sample) {
    bool got = false;
    const int rc = guarded(reader ? &reader->error : nullptr, [&] {
        require_arg(reader && packet && packet_size, "NULL argument");
        reader->packet = reader->at_end ? std::nullopt : reader->impl->next_packet();
        got = reader->packet.has_value();
        if (!got) {
            reader->at_end = true;
            return;
        }
        *packet = reader->packet->payload.data();
        *packet_size = reader->packet->payload.size();
        if (first_sample) *first_sample = reader->packet->first_sample;
    });
    return rc != TQ_OK ? rc : (got ? 1 : 0);
}

int tq_file_reader_damage_count(const tq_file_reader* reader) {
    return reader ? static_cast<int>(reader->impl->damage().size()) : 0;
}

const char* tq_file_reader_damage(const tq_file_reader* reader, int index) {
    if (!reader || index < 0 || static_cast<size_t>(index) >= reader->impl->damage().size()) return nullptr;
    return reader->impl->damage()[static_cast<size_t>(index)].message.c_str();
}

int tq_file_reader_checksum_ok(const tq_file_reader* reader) {
    return reader && reader->at_end && reader->impl->trailer() && reader->impl->trailer()->sha256_matches ? 1 : 0;
}

uint64_t tq_file_reader_final_samples(const tq_file_reader* reader) {
    return reader && reader->at_end && reader->impl->trailer() ? reader->impl->trailer()->final_samples : TQ_UNKNOWN_SAMPLES;
}

void tq_file_reader_destroy(tq_file_reader* reader) { delete reader; }

const char* tq_file_reader_error_message(const tq_file_reader* reader) { return reader ? reader->error.c_str() : ""; }

}  // extern "C"
