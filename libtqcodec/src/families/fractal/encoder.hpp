// fractal encoder: per packet and channel, the best quantized affine map for
// every range of the full split tree (search.hpp), then one split threshold
// (from the bitrate, or from quality=) decides which ranges are kept.
#pragma once

#include <memory>

#include "families/family.hpp"
#include "families/fractal/params.hpp"

namespace tq::fractal {

std::unique_ptr<FamilyEncoder> make_encoder(const EncoderSetup& setup);
std::unique_ptr<FamilyEncoder> make_encoder(const Params& params, int channels);

}  // namespace tq::fractal
