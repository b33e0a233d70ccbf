// turbo encoder: per block and channel, x -> H D_v x (random signs, orthonormal
// FWHT), a scale from the log2 grid and one Lloyd-Max code per coefficient.
// The sign variant v and the scale are chosen by analysis-by-synthesis: the
// pair with the smallest actual squared error wins.
#pragma once

#include <memory>

#include "families/family.hpp"
#include "families/turbo/params.hpp"

namespace tq::turbo {

std::unique_ptr<FamilyEncoder> make_encoder(const EncoderSetup& setup);
// For tests and tools that want explicit parameters.
std::unique_ptr<FamilyEncoder> make_encoder(const Params& params, int channels);

}  // namespace tq::turbo
