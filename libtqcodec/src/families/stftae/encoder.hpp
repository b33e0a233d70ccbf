// stftae encoder: per coded channel, the STFT features of the input so far,
// the model's encoder over them, and one step index per packet (fixed, or the
// smallest whose packet fits the bitrate); latents are then entropy coded.
#pragma once

#include <memory>

#include "families/family.hpp"
#include "families/stftae/params.hpp"
#include "nn/tensor.hpp"

namespace tq::stftae {

std::unique_ptr<FamilyEncoder> make_encoder(const EncoderSetup& setup);
std::unique_ptr<FamilyEncoder> make_encoder(const Params& params, int channels);

}  // namespace tq::stftae
