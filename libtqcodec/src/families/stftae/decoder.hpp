// stftae decoder: per coded channel, the model's causal decoder over the
// packet's dequantized latents after the last kDecoderContext ones (silence
// latents at the start and after reset()), inverse STFT and overlap-add.
#pragma once

#include <memory>
#include <span>

#include "families/family.hpp"
#include "families/stftae/params.hpp"

namespace tq::stftae {

// Throws TQ_ERR_MODEL if the stream was made with another model than the loaded one.
std::unique_ptr<FamilyDecoder> make_decoder(const StreamInfo& info, std::span<const uint8_t> params);
std::unique_ptr<FamilyDecoder> make_decoder(const Params& params, int channels);

}  // namespace tq::stftae
