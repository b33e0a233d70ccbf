// Reader and writer of .tqc files (byte layout: container/FORMAT.md).
// The container knows nothing of families beyond their stream-header bytes.
// Errors are thrown as tq::Error (TQ_ERR_CORRUPT for damaged files, TQ_ERR_INVALID_ARGUMENT
// for misuse); I/O failures as tq::Error(TQ_ERR_INVALID_ARGUMENT) with errno text.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tqc {

inline constexpr uint64_t kUnknownSamples = UINT64_MAX;
inline constexpr uint8_t kPacketKeyframe = 0x01;

// Limits applied to every count and length read from a file, before any allocation.
inline constexpr size_t kMaxStreamHeaderSize = 64 * 1024;
inline constexpr size_t kMaxTagCount = 1024;
inline constexpr size_t kMaxTagBytes = 1024 * 1024;   // all keys and values together
inline constexpr size_t kMaxPayloadSize = 16 * 1024 * 1024;

struct Tag {
    std::string key;
    std::string value;
};

struct FileHeader {
    uint8_t family = 0;             // tq_family value
    uint8_t channels = 0;
    uint8_t source_bits = 0;        // bit depth of the source PCM, 0 = unknown/float
    uint32_t sample_rate = 0;
    uint32_t frame_size = 0;
    uint32_t encoder_delay = 0;
    uint64_t total_samples = kUnknownSamples;  // per channel, before delay trimming
    std::vector<uint8_t> stream_header;        // the family's tq stream header (extradata)
    std::vector<Tag> tags;
};

struct Packet {
    uint32_t sequence = 0;
    uint64_t first_sample = 0;  // index of its first output sample per channel
    uint8_t flags = 0;
    uint64_t offset = 0;        // byte offset of its sync word in the file
    std::vector<uint8_t> payload;
};

struct IndexEntry {
    uint64_t offset;            // byte offset of the packet's sync word
    uint64_t first_sample;
};

struct Trailer {
    uint64_t offset = 0;        // byte offset of the trailer in the file
    std::vector<IndexEntry> index;
    uint64_t final_samples = 0; // samples per channel the stream decodes to (delay included)
    std::array<uint8_t, 32> sha256{};
    bool sha256_matches = false;  // set by Reader once the whole file was read
};

// Something wrong that the reader stepped over (it resynchronised and went on).
struct Damage {
    uint64_t offset;             // where the problem was found
    int64_t packet_sequence;     // sequence number of the damaged packet if known, else -1
    std::string message;         // one line, e.g. "packet 3 at byte 4242: payload CRC mismatch"
};

class Writer {
public:
    // Seekable file: the header's total_samples is patched at finish().
    static std::unique_ptr<Writer> open_file(const std::string& path);
    // Any stream (e.g. stdout): a pipe gets a valid file without patching.
    static std::unique_ptr<Writer> open_stream(std::FILE* stream);
    ~Writer();

    void write_header(const FileHeader& header);
    void write_packet(uint64_t first_sample, std::span<const uint8_t> payload,
                      uint8_t flags = kPacketKeyframe);
    // Writes the trailer (index, final sample count, SHA-256), patches the header
    // when seekable and flushes. Must be called once; the file is incomplete otherwise.
    void finish(uint64_t final_samples);

private:
    struct Impl;
    explicit Writer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

class Reader {
public:
    static std::unique_ptr<Reader> open_file(const std::string& path);
    static std::unique_ptr<Reader> open_stream(std::FILE* stream);  // sequential reading only
    ~Reader();

    // Parsed and CRC-checked at open; throws TQ_ERR_CORRUPT if the header is unusable.
    const FileHeader& header() const;

    // The next intact packet, or nullopt at the trailer / end of file. Damaged
    // packets are skipped (resynchronising on the next sync word) and recorded.
    std::optional<Packet> next_packet();

    // Everything stepped over so far (bad packets, sequence gaps, bad trailer, truncation).
    const std::vector<Damage>& damage() const;

    // The trailer, once next_packet() has returned nullopt (nullopt if it is missing or damaged).
    const std::optional<Trailer>& trailer() const;

    // True when the file can be repositioned (a regular file, not a pipe): only then
    // may read_trailer_from_end() and seek_to() be called.
    bool seekable() const;

    // For seekable files: reads the trailer from the end without reading packets
    // (nullopt if absent or damaged). Does not move the packet cursor.
    std::optional<Trailer> read_trailer_from_end();

    // For seekable files: positions the packet cursor at a byte offset from the index.
    void seek_to(uint64_t offset);

private:
    struct Impl;
    explicit Reader(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace tqc
