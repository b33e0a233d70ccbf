// gauss encoder: per coded channel, the log-magnitude STFT of the packet's
// frames, the fitter (fit.hpp) with a Gaussian count from the byte budget,
// then the largest prefix of the Gaussians (by importance) whose section fits.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "families/family.hpp"
#include "families/gauss/params.hpp"

namespace tq::gauss {

std::unique_ptr<FamilyEncoder> make_encoder(const EncoderSetup& setup);
std::unique_ptr<FamilyEncoder> make_encoder(const Params& params, int channels);

bool uses_mid_side(const Params& params, int channels);

// The fitter's target for `frames` frames of x, frame j windowing x[j*kHop, j*kHop + kFftSize)
// (zeros past the end): ln of the RMS magnitude over 3 frames, clamped from below (BITSTREAM.md).
std::vector<float> analysis_target(std::span<const float> x, int frames);

}  // namespace tq::gauss
