// Byte layout of .tqc files, shared by reader.cpp and writer.cpp.
// This is the code form of container/FORMAT.md: change both together.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tqc_container.hpp"
#include "tqc_framing.hpp"

namespace tqc::format {

using Magic = std::array<uint8_t, 4>;
inline constexpr Magic kFileMagic{0x89, 'T', 'Q', 'C'};
inline constexpr Magic kPacketSync{'T', 'Q', 'p', 'k'};
inline constexpr Magic kTrailerMagic{'T', 'Q', 'i', 'x'};
inline constexpr Magic kEndMagic{'T', 'Q', 'n', 'd'};

inline constexpr uint8_t kMajorVersion = 1;
inline constexpr uint8_t kMinorVersion = 0;

// File header.
inline constexpr size_t kHeaderPrefixSize = 12;     // magic, versions, reserved, header_length
inline constexpr size_t kHeaderLengthOffset = 8;
inline constexpr size_t kTotalSamplesOffset = 28;
// kMinHeaderSize (no stream header, no tags): tqc_framing.hpp.
inline constexpr size_t kMaxHeaderSize = 2 * 1024 * 1024;
inline constexpr size_t kMaxTagKeySize = UINT16_MAX;

// Packet sizes and the seek-index entry size: tqc_framing.hpp.

// Trailer: magic, entry_count, entries, final_samples, SHA-256, CRC; then the end record
// (kTrailerFixedSize and kEndRecordSize: tqc_framing.hpp).
inline constexpr size_t kMaxIndexEntries = size_t{1} << 20;

constexpr size_t trailer_size(size_t entries) { return kTrailerFixedSize + entries * kIndexEntrySize; }

bool starts_with(std::span<const uint8_t> bytes, const Magic& magic);
uint32_t read_u32(std::span<const uint8_t> bytes, size_t offset);
uint64_t read_u64(std::span<const uint8_t> bytes, size_t offset);
// True when the last 4 bytes are the CRC32 of all bytes before them.
bool crc_trails(std::span<const uint8_t> bytes);

// Throws TQ_ERR_INVALID_ARGUMENT for a header this format cannot carry.
std::vector<uint8_t> serialize_header(const FileHeader& header);
// Rewrites total_samples in serialised header bytes and recomputes their CRC.
void set_total_samples(std::vector<uint8_t>& header, uint64_t total_samples);
// The form the SHA-256 covers: total_samples unknown, CRC recomputed.
std::vector<uint8_t> canonical_header(std::span<const uint8_t> header);
// `header` is the whole header (header_length bytes), its CRC already checked.
// Throws TQ_ERR_CORRUPT for a field outside its limits.
FileHeader parse_header(std::span<const uint8_t> header);

struct PacketHead {
    uint32_t sequence;
    uint64_t first_sample;
    uint32_t payload_length;
    uint8_t flags;
};
std::vector<uint8_t> serialize_packet(const PacketHead& head, std::span<const uint8_t> payload);
PacketHead parse_packet_head(std::span<const uint8_t> bytes);  // needs kPacketHeadSize bytes

std::vector<uint8_t> serialize_trailer(const Trailer& trailer);  // magic..CRC
std::vector<uint8_t> serialize_end_record(uint64_t trailer_offset);
// `bytes` is exactly trailer_size(entry_count) bytes found at `offset`. On failure
// returns nullopt and sets `why` to a short reason.
std::optional<Trailer> parse_trailer(std::span<const uint8_t> bytes, uint64_t offset,
                                     uint64_t header_length, std::string& why);

}  // namespace tqc::format
