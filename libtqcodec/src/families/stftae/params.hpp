// stftae: the option schema, the coding parameters, and the family part of
// the stream header (serialised / parsed with validation). Layout: BITSTREAM.md.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "families/family.hpp"
#include "families/model_stream.hpp"

namespace tq::stftae {

inline constexpr int kMinBitrate = 6000;
inline constexpr int kMaxBitrate = 48000;
inline constexpr int kDefaultBitrate = 24000;
// 2: the version 2 model's 64 latents per frame (version 1 streams carry 32).
inline constexpr uint8_t kParamsVersion = 2;
inline constexpr std::size_t kParamsSize = kModelParamsSize;

// The stream header holds the ModelStreamParams (model_stream.hpp).
struct Params : ModelStreamParams {
    // Encoder only (not in the stream header).
    int bitrate = kDefaultBitrate;
    int step = -1;  // fixed step index, or -1: chosen per packet from the bitrate
};

std::span<const tq_option_info> option_schema();
// The accepted input rates, 0-terminated.
std::span<const int> sample_rates();

// Throws TQ_ERR_INVALID_ARGUMENT for a bitrate outside kMinBitrate..kMaxBitrate.
// The rate is 24000 Hz: the API layer refuses others (sample_rates()).
Params params_from_setup(const EncoderSetup& setup);

std::vector<uint8_t> serialize_params(const Params& params);
// Validates every field against itself and the generic header. Throws TQ_ERR_CORRUPT,
// or TQ_ERR_MODEL for a stream of the version 1 model (parameter version 1).
Params parse_params(std::span<const uint8_t> bytes, const StreamInfo& info);
// As parse_params, and throws TQ_ERR_MODEL unless the stream was made with the loaded model.
Params parse_params_for_model(std::span<const uint8_t> bytes, const StreamInfo& info);

}  // namespace tq::stftae
