// turbo mdct mode, tune=perceptual: temporal noise shaping (BITSTREAM.md
// section 9.4). A frame's high coefficients are filtered across frequency by
// a prediction-error filter; the decoder's inverse (all-pole) filter then
// gives the quantization noise and the noise fill of that range the
// temporal envelope of the signal within the frame, as AAC's TNS does.
#pragma once

#include <array>
#include <cstdint>

#include "core/bitio.hpp"

namespace tq::turbo {

inline constexpr int kTnsOrder = 4;
inline constexpr int kTnsIndexBits = 4;

struct TnsFilter {
    bool active = false;
    std::array<int, kTnsOrder> index{};  // quantized reflection coefficients, -8..7
};

// The first coefficient TNS filters in an n-coefficient frame.
int tns_start(int n);

// Encoder: the filter for coefficients x[tns_start(n), n), active when it
// predicts them well enough to pay for its bits.
TnsFilter tns_choose(const float* x, int n);
// Encoder: x <- prediction error of x over [tns_start(n), n).
void tns_whiten(const TnsFilter& filter, float* x, int n);
// Decoder: the inverse of tns_whiten.
void tns_shape(const TnsFilter& filter, float* x, int n);

int tns_bits(const TnsFilter& filter);
void write_tns(BitWriter& out, const TnsFilter& filter);
TnsFilter read_tns(BitReader& in);

}  // namespace tq::turbo
