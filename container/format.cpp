#include "format.hpp"

#include <algorithm>

#include "core/byteio.hpp"
#include "core/checksum.hpp"
#include "core/error.hpp"

namespace tqc::format {
namespace {

uint64_t read_le(std::span<const uint8_t> bytes, size_t offset, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(bytes[offset + i]) << (8 * i);
    return v;
}

void write_le(std::span<uint8_t> bytes, size_t offset, uint64_t v, size_t n) {
    for (size_t i = 0; i < n; ++i) bytes[offset + i] = static_cast<uint8_t>(v >> (8 * i));
}

void append_crc(tq::ByteWriter& w) { w.u32(tq::crc32(w.data())); }

void require_argument(bool condition, const std::string& message) {
    tq::require(condition, TQ_ERR_INVALID_ARGUMENT, "tqc writer: " + message);
}

void validate_header(const FileHeader& h) {
    require_argument(h.channels >= 1, "channel count must be at least 1");
    require_argument(h.sample_rate >= 1, "sample rate must be at least 1");
    require_argument(h.frame_size >= 1, "frame size must be at least 1");
    require_argument(h.stream_header.size() <= kMaxStreamHeaderSize,
                     "stream header of " + std::to_string(h.stream_header.size()) + " bytes exceeds the limit of " +
                         std::to_string(kMaxStreamHeaderSize));
    require_argument(h.tags.size() <= kMaxTagCount,
                     std::to_string(h.tags.size()) + " tags exceed the limit of " + std::to_string(kMaxTagCount));
    size_t tag_bytes = 0;
    for (const Tag& tag : h.tags) {
        require_argument(tag.key.size() <= kMaxTagKeySize, "tag key longer than 65535 bytes");
        require_argument(tag.value.size() <= kMaxTagBytes, "tag value longer than the tag limit");
        tag_bytes += tag.key.size() + tag.value.size();
    }
    require_argument(tag_bytes <= kMaxTagBytes, "tags total " + std::to_string(tag_bytes) +
                                                    " bytes, over the limit of " + std::to_string(kMaxTagBytes));
}

std::vector<Tag> parse_tags(tq::ByteReader& r) {
    uint16_t count = r.u16();
    tq::require_intact(count <= kMaxTagCount, "file header: tag count " + std::to_string(count) +
                                                  " exceeds the limit of " + std::to_string(kMaxTagCount));
    std::vector<Tag> tags(count);
    size_t total = 0;
    for (Tag& tag : tags) {
        auto key = r.bytes(r.u16());
        uint32_t value_length = r.u32();
        total += key.size();
        tq::require_intact(total <= kMaxTagBytes && value_length <= kMaxTagBytes - total,
                           "file header: tags exceed the limit of " + std::to_string(kMaxTagBytes) + " bytes");
        auto value = r.bytes(value_length);
        total += value.size();
        tag.key.assign(key.begin(), key.end());
        tag.value.assign(value.begin(), value.end());
    }
    return tags;
}

void check_header_values(const FileHeader& h) {
    tq::require_intact(h.channels >= 1, "file header: channel count is 0");
    tq::require_intact(h.sample_rate >= 1, "file header: sample rate is 0");
    tq::require_intact(h.frame_size >= 1, "file header: frame size is 0");
}

bool check_index(const Trailer& t, uint64_t header_length, std::string& why) {
    uint64_t previous_offset = 0, previous_sample = 0;
    for (size_t i = 0; i < t.index.size(); ++i) {
        const IndexEntry& e = t.index[i];
        bool in_range = e.offset >= header_length && e.offset < t.offset;
        bool ordered = i == 0 || (e.offset > previous_offset && e.first_sample >= previous_sample);
        if (!in_range || !ordered) {
            why = "index entry " + std::to_string(i) + " is out of range or order";
            return false;
        }
        previous_offset = e.offset;
        previous_sample = e.first_sample;
    }
    return true;
}

}  // namespace

bool starts_with(std::span<const uint8_t> bytes, const Magic& magic) {
    return bytes.size() >= magic.size() && std::equal(magic.begin(), magic.end(), bytes.begin());
}

uint32_t read_u32(std::span<const uint8_t> bytes, size_t offset) {
    return static_cast<uint32_t>(read_le(bytes, offset, 4));
}

uint64_t read_u64(std::span<const uint8_t> bytes, size_t offset) { return read_le(bytes, offset, 8); }

bool crc_trails(std::span<const uint8_t> bytes) {
    if (bytes.size() < 4) return false;
    size_t body = bytes.size() - 4;
    return tq::crc32(bytes.first(body)) == read_u32(bytes, body);
}

std::vector<uint8_t> serialize_header(const FileHeader& h) {
    validate_header(h);
    tq::ByteWriter w;
    w.bytes(kFileMagic);
    w.u8(kMajorVersion);
    w.u8(kMinorVersion);
    w.u16(0);  // reserved
    w.u32(0);  // header_length, patched below
    w.u8(h.family);
    w.u8(h.channels);
    w.u8(h.source_bits);
    w.u8(0);  // reserved
    w.u32(h.sample_rate);
    w.u32(h.frame_size);
    w.u32(h.encoder_delay);
    w.u64(h.total_samples);
    w.u32(static_cast<uint32_t>(h.stream_header.size()));
    w.bytes(h.stream_header);
    w.u16(static_cast<uint16_t>(h.tags.size()));
    for (const Tag& tag : h.tags) {
        w.u16(static_cast<uint16_t>(tag.key.size()));
        w.text(tag.key);
        w.u32(static_cast<uint32_t>(tag.value.size()));
        w.text(tag.value);
    }
    w.patch_u32(kHeaderLengthOffset, static_cast<uint32_t>(w.size() + 4));
    append_crc(w);
    return w.take();
}

void set_total_samples(std::vector<uint8_t>& header, uint64_t total_samples) {
    write_le(header, kTotalSamplesOffset, total_samples, 8);
    size_t body = header.size() - 4;
    write_le(header, body, tq::crc32(std::span(header).first(body)), 4);
}

std::vector<uint8_t> canonical_header(std::span<const uint8_t> header) {
    std::vector<uint8_t> canonical(header.begin(), header.end());
    set_total_samples(canonical, kUnknownSamples);
    return canonical;
}

FileHeader parse_header(std::span<const uint8_t> header) {
    tq::ByteReader r(header.first(header.size() - 4), "file header");
    r.bytes(kHeaderPrefixSize);
    FileHeader h;
    h.family = r.u8();
    h.channels = r.u8();
    h.source_bits = r.u8();
    r.u8();  // reserved
    h.sample_rate = r.u32();
    h.frame_size = r.u32();
    h.encoder_delay = r.u32();
    h.total_samples = r.u64();
    uint32_t stream_header_length = r.u32();
    tq::require_intact(stream_header_length <= kMaxStreamHeaderSize,
                       "file header: stream header length " + std::to_string(stream_header_length) +
                           " exceeds the limit of " + std::to_string(kMaxStreamHeaderSize));
    auto stream_header = r.bytes(stream_header_length);
    h.stream_header.assign(stream_header.begin(), stream_header.end());
    h.tags = parse_tags(r);
    check_header_values(h);
    return h;  // bytes left before the CRC belong to a later minor version: skipped
}

std::vector<uint8_t> serialize_packet(const PacketHead& head, std::span<const uint8_t> payload) {
    tq::ByteWriter w;
    w.bytes(kPacketSync);
    w.u32(head.sequence);
    w.u64(head.first_sample);
    w.u32(head.payload_length);
    w.u8(head.flags);
    w.bytes(payload);
    append_crc(w);
    return w.take();
}

PacketHead parse_packet_head(std::span<const uint8_t> bytes) {
    return PacketHead{read_u32(bytes, 4), read_u64(bytes, 8), read_u32(bytes, 16), bytes[20]};
}

std::vector<uint8_t> serialize_trailer(const Trailer& t) {
    tq::ByteWriter w;
    w.bytes(kTrailerMagic);
    w.u32(static_cast<uint32_t>(t.index.size()));
    for (const IndexEntry& e : t.index) {
        w.u64(e.offset);
        w.u64(e.first_sample);
    }
    w.u64(t.final_samples);
    w.bytes(t.sha256);
    append_crc(w);
    return w.take();
}

std::vector<uint8_t> serialize_end_record(uint64_t trailer_offset) {
    tq::ByteWriter w;
    w.u64(trailer_offset);
    w.bytes(kEndMagic);
    return w.take();
}

std::optional<Trailer> parse_trailer(std::span<const uint8_t> bytes, uint64_t offset, uint64_t header_length,
                                     std::string& why) {
    uint32_t count = bytes.size() >= 8 ? read_u32(bytes, 4) : 0;
    if (!starts_with(bytes, kTrailerMagic) || count > kMaxIndexEntries || bytes.size() != trailer_size(count)) {
        why = "malformed";
        return std::nullopt;
    }
    if (!crc_trails(bytes)) {
        why = "CRC mismatch";
        return std::nullopt;
    }
    tq::ByteReader r(bytes.subspan(8), "trailer");
    Trailer t;
    t.offset = offset;
    t.index.resize(count);
    for (IndexEntry& e : t.index) {
        e.offset = r.u64();
        e.first_sample = r.u64();
    }
    t.final_samples = r.u64();
    auto sha = r.bytes(t.sha256.size());
    std::copy(sha.begin(), sha.end(), t.sha256.begin());
    if (!check_index(t, header_length, why)) return std::nullopt;
    return t;
}

}  // namespace tqc::format
