// rvq encoder: per coded channel, the model's encoder over each packet's
// frames with kEncoderContextHops of real input on both sides (so the latents
// equal one pass over the whole input), all 16 RVQ stages, and as many
// (codebook, frame) units as the packet's byte budget allows (bitstream.hpp).
#pragma once

#include <memory>

#include "families/family.hpp"
#include "families/rvq/params.hpp"

namespace tq::rvq {

std::unique_ptr<FamilyEncoder> make_encoder(const EncoderSetup& setup);
std::unique_ptr<FamilyEncoder> make_encoder(const Params& params, int channels);

}  // namespace tq::rvq
