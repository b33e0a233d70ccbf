// rvq decoder: per coded channel, the decoder input (the sum of each frame's
// projected codewords), the model's causal decoder over it after the last
// kDecoderContext frames (none at the start and after reset(): zero padding,
// as in training), inverse STFT and overlap-add.
#pragma once

#include <memory>
#include <span>

#include "families/family.hpp"
#include "families/rvq/params.hpp"

namespace tq::rvq {

// Throws TQ_ERR_MODEL if the stream was made with another model than the loaded one.
std::unique_ptr<FamilyDecoder> make_decoder(const StreamInfo& info, std::span<const uint8_t> params);
std::unique_ptr<FamilyDecoder> make_decoder(const Params& params, int channels);

}  // namespace tq::rvq
