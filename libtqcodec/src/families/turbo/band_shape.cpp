#include "families/turbo/band_shape.hpp"

#include <cmath>

#include "dsp/fwht.hpp"
#include "dsp/lloyd_max.hpp"

namespace tq::turbo {

void BandShapeCoder::encode(const float* x, int width, float gain, int bits, const float* signs, uint16_t* codes) {
    const std::size_t n = static_cast<std::size_t>(width);
    float* y = scratch_.data();
    for (std::size_t i = 0; i < n; ++i) y[i] = x[i] * signs[i];
    dsp::fwht_unscaled(y, n);
    const float inv = 1.0f / (gain * std::sqrt(static_cast<float>(width)));
    const dsp::ScalarQuantizer& q = dsp::lloyd_max(bits).quantizer;
    for (std::size_t i = 0; i < n; ++i) codes[i] = static_cast<uint16_t>(q.quantize(y[i] * inv));
}

void BandShapeCoder::decode(const uint16_t* codes, int width, float gain, int bits, const float* signs, float* out) {
    const std::size_t n = static_cast<std::size_t>(width);
    const float scale = gain / std::sqrt(static_cast<float>(width));
    const float* levels = dsp::lloyd_max(bits).quantizer.levels();
    for (std::size_t i = 0; i < n; ++i) out[i] = levels[codes[i]] * scale;
    dsp::fwht_unscaled(out, n);
    for (std::size_t i = 0; i < n; ++i) out[i] *= signs[i];
}

}  // namespace tq::turbo
