// turbo mdct mode: one band's shape <-> Lloyd-Max codes. The shape is the
// band divided by its quantized gain, sign-flipped and rotated by the
// orthonormal Walsh-Hadamard transform, so its coefficients are close to
// N(0, 1) whatever the band held.
#pragma once

#include <cstdint>
#include <vector>

namespace tq::turbo {

class BandShapeCoder {
public:
    explicit BandShapeCoder(int max_width) : scratch_(static_cast<std::size_t>(max_width)) {}
    // codes[0..width) <- the b-bit codes of x[0..width) / gain.
    void encode(const float* x, int width, float gain, int bits, const float* signs, uint16_t* codes);
    // out[0..width) <- the band the codes stand for.
    void decode(const uint16_t* codes, int width, float gain, int bits, const float* signs, float* out);

private:
    std::vector<float> scratch_;
};

}  // namespace tq::turbo
