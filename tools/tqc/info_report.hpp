// What `tqc info` finds in a .tqc file: gathered once, printed as text or JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tqc_container.hpp"

namespace tqc::cli {

struct PacketRow {
    uint32_t sequence;
    uint64_t offset;
    uint64_t first_sample;
    size_t payload_bytes;
    uint8_t flags;
};

// The stream header as a decoder created from it sees it.
struct DecoderFacts {
    int sample_rate;
    int channels;
    int frame_size;
    int delay;
};

struct InfoReport {
    std::string path;
    uint64_t file_bytes = 0;
    tqc::FileHeader header;
    std::optional<DecoderFacts> decoder;
    std::string decoder_error;  // why no decoder could be made (family not built, corrupt, ...)
    int decoder_code = 0;       // its TQ_ERR_* code
    std::vector<PacketRow> packets;
    std::optional<tqc::Trailer> trailer;
    std::vector<tqc::Damage> damage;

    // Samples per channel after delay trimming, when known.
    std::optional<uint64_t> output_samples() const;
    std::optional<double> duration_seconds() const;
    std::optional<double> bitrate_bps() const;  // file bytes * 8 / duration
    std::string checksum_verdict() const;       // "SHA-256 OK" / "SHA-256 MISMATCH" / "no trailer"
    bool damaged() const;
};

// Reads the whole file. Throws Failure(path, why) if it cannot be opened or its header is unusable.
InfoReport inspect(const std::string& path);

}  // namespace tqc::cli
