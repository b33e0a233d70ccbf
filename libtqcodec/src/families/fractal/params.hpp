// fractal: the option schema, the coding parameters, and the family part of
// the stream header (serialised / parsed with validation). Layout: BITSTREAM.md.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "families/family.hpp"

namespace tq::fractal {

inline constexpr int kMinPacket = 4096;
inline constexpr int kMaxPacket = 65536;
inline constexpr int kDefaultPacket = 65536;
inline constexpr int kMinRangeLimit = 4;
inline constexpr int kMaxRangeLimit = 1024;
inline constexpr int kDefaultMinRange = 4;
inline constexpr int kDefaultMaxRange = 256;
inline constexpr int kMaxDomainDivisor = 16;
inline constexpr int kDefaultDomainDivisor = 1;
inline constexpr int kMinScaleBits = 3;
inline constexpr int kMaxScaleBits = 8;
inline constexpr int kDefaultScaleBits = 5;
inline constexpr int kMinOffsetBits = 4;
inline constexpr int kMaxOffsetBits = 12;
inline constexpr int kDefaultOffsetBits = 8;
// s_max is stored as a multiple of 1/256 in [128, 253]: 0.5 .. 0.988.
inline constexpr int kMinScaleLimitCode = 128;
inline constexpr int kMaxScaleLimitCode = 253;
inline constexpr double kDefaultScaleLimit = 0.9;
inline constexpr int kDefaultIterations = 64;
inline constexpr int kDefaultToleranceLog2 = 16;
inline constexpr int kMinToleranceLog2 = 8;
inline constexpr int kMaxToleranceLog2 = 30;
inline constexpr double kDefaultQuality = 0.5;
inline constexpr int kMaxCandidates = 64;
inline constexpr int kDefaultCandidates = 8;
// Version 2 added each channel's split floor to the packet, version 3 its offset grid (BITSTREAM.md);
// 1 and 2 still decode.
inline constexpr uint8_t kParamsVersion = 3;
inline constexpr uint8_t kOldestParamsVersion = 1;
inline constexpr std::size_t kParamsSize = 9;

enum class Search { automatic = 0, hnsw = 1, brute = 2 };

struct Params {
    int packet = kDefaultPacket;  // samples per channel per packet (the frame size)
    int min_range = kDefaultMinRange;
    int max_range = kDefaultMaxRange;
    int domain_divisor = kDefaultDomainDivisor;  // domain window step = range / domain_divisor
    int scale_bits = kDefaultScaleBits;
    int scale_limit_code = 230;  // s_max = code / 256
    int offset_bits = kDefaultOffsetBits;
    int iterations = kDefaultIterations;        // decoder iteration cap
    int tolerance_log2 = kDefaultToleranceLog2;  // decoder stops when max |change| <= 2^-this
    int version = kParamsVersion;                // of the stream's packet syntax
    // Encoder only (not in the stream header).
    double quality = kDefaultQuality;
    bool quality_given = false;
    int bitrate = 0;
    int sample_rate = 0;
    int threads = 0;  // 0: all cores
    Search search = Search::automatic;
    int candidates = kDefaultCandidates;
    double silence_db = -70.0;

    double scale_limit() const { return scale_limit_code / 256.0; }
    double tolerance() const;
};

std::span<const tq_option_info> option_schema();

// Throws TQ_ERR_INVALID_ARGUMENT (e.g. min_range > max_range).
Params params_from_setup(const EncoderSetup& setup);

// Largest payload of one packet in bytes.
std::size_t max_payload_bytes(const Params& params, int channels);

std::vector<uint8_t> serialize_params(const Params& params);
// Validates every field against itself and the generic header. Throws TQ_ERR_CORRUPT.
Params parse_params(std::span<const uint8_t> bytes, const StreamInfo& info);

}  // namespace tq::fractal
