// The generic stream header (FFmpeg extradata) and packet prefix, shared by
// every family. Layout is documented in container/FORMAT.md ("Stream header").
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "families/family.hpp"

namespace tq {

inline constexpr uint8_t kStreamHeaderVersion = 1;
inline constexpr size_t kMaxFamilyParamsSize = 4096;
inline constexpr int kMinSampleRate = 8000;
inline constexpr int kMaxSampleRate = 192000;
inline constexpr int kMaxChannels = 8;
inline constexpr int kMaxFrameSize = 1 << 20;

struct StreamHeader {
    StreamInfo info;
    std::vector<uint8_t> family_params;
};

std::vector<uint8_t> write_stream_header(const StreamHeader& header);
// Throws TQ_ERR_CORRUPT on any malformed or out-of-limit field.
StreamHeader read_stream_header(std::span<const uint8_t> bytes);

// Every packet starts with the number of samples per channel it decodes to
// (LEB128), so the last packet can be short and decoded length equals input length.
void write_packet_prefix(std::vector<uint8_t>& packet, int samples);
// Returns the sample count and advances `packet` past the prefix.
int read_packet_prefix(std::span<const uint8_t>& packet, int frame_size);

}  // namespace tq
