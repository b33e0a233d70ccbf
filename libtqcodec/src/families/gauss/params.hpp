// gauss: the option schema, the coding parameters, and the family part of
// the stream header (serialised / parsed with validation). Layout: BITSTREAM.md.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "families/family.hpp"

namespace tq::gauss {

inline constexpr int kMinBitrate = 4000;
inline constexpr int kMaxBitrate = 32000;
inline constexpr int kDefaultBitrate = 16000;
inline constexpr uint8_t kParamsVersion = 1;
inline constexpr std::size_t kParamsSize = 2;

enum class Stereo { mid_side = 0, left_right = 1 };

struct Params {
    Stereo stereo = Stereo::mid_side;
    // Encoder only (not in the stream header).
    int bitrate = kDefaultBitrate;
    int iterations = 96;
    int threads = 1;
};

std::span<const tq_option_info> option_schema();
// The accepted input rates, 0-terminated: 24000 Hz only.
std::span<const int> sample_rates();

// Throws TQ_ERR_INVALID_ARGUMENT for a bitrate outside kMinBitrate..kMaxBitrate.
Params params_from_setup(const EncoderSetup& setup);

std::vector<uint8_t> serialize_params(const Params& params);
// Validates every field against itself and the generic header; throws TQ_ERR_CORRUPT.
Params parse_params(std::span<const uint8_t> bytes, const StreamInfo& info);

}  // namespace tq::gauss
