#include "nn/activations.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <string>

#include "core/error.hpp"

namespace tq::nn {
namespace {

template <class F>
Tensor map(const Tensor& x, F f) {
    Tensor y = x;
    for (float& v : y.values()) v = f(v);
    return y;
}

// exp(x) - 1 for x <= 0 with neither branches nor library calls: x = n ln2 + r with
// |r| <= ln2/2, expm1(r) by its Taylor series to r^7 (relative error < 2e-8), then
// 2^n expm1(r) + (2^n - 1), exact in its last step for n = 0; below -87 it is -1.
// x is first raised to -88 at least, so that n fits an int32 for any input (a
// model file's weights can make activations of -1e30, -inf or a negative NaN):
// as unsigned integers, the bits of negative floats grow with their magnitude.
float expm1_nonpositive(float x) {
    constexpr uint32_t kFloorBits = std::bit_cast<uint32_t>(-88.0f);
    const uint32_t bits = std::bit_cast<uint32_t>(x);
    x = std::bit_cast<float>(bits > kFloorBits ? kFloorBits : bits);  // an integer select, as below
    constexpr float kRound = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
    const float n = (x * 1.44269504088896341f + kRound) - kRound;
    const float r = (x - n * 0.693145751953125f) - n * 1.42860682030941723e-6f;
    const float p = r * (1.0f + r * (0.5f + r * (1.0f / 6 + r * (1.0f / 24 + r * (1.0f / 120 + r * (1.0f / 720 +
                                                                                        r * (1.0f / 5040)))))));
    int32_t e = static_cast<int32_t>(n);
    e = e < -126 ? -126 : e;  // an integer select: no float compare, which would block vectorizing
    const float scale = std::bit_cast<float>((e + 127) * (1 << 23));
    return scale * p + (scale - 1.0f);
}

}  // namespace

Tensor ReLU::forward(const Tensor& x) const {
    return map(x, [](float v) { return v > 0.0f ? v : 0.0f; });
}

Tensor Tanh::forward(const Tensor& x) const {
    return map(x, [](float v) { return std::tanh(v); });
}

// Selected by the sign bit, not a float comparison, so that the loop vectorizes
// (GCC does not if-convert float compares that could trap).
Tensor ELU::forward(const Tensor& x) const {
    Tensor y = x;
    float* p = y.data();
    const float a = alpha_;
    for (size_t i = 0, n = y.size(); i < n; ++i) {
        const int32_t bits = std::bit_cast<int32_t>(p[i]);
        const int32_t negative = bits >> 31;  // all ones for negative inputs
        const float value = a * expm1_nonpositive(std::bit_cast<float>(bits & negative));
        p[i] = std::bit_cast<float>((bits & ~negative) | (std::bit_cast<int32_t>(value) & negative));
    }
    return y;
}

Tensor LeakyReLU::forward(const Tensor& x) const {
    return map(x, [s = slope_](float v) { return v >= 0.0f ? v : s * v; });
}

Snake::Snake(Tensor alpha) : alpha_(std::move(alpha)) {
    require(alpha_.rank() == 1 && alpha_.size() > 0, TQ_ERR_MODEL,
            "snake: alpha shape " + to_string(alpha_.shape()) + " is not [channels]");
}

Tensor Snake::forward(const Tensor& x) const {
    require(x.rank() >= 1 && x.dim(0) == alpha_.size(), TQ_ERR_MODEL,
            "snake: input " + to_string(x.shape()) + " does not have " + std::to_string(alpha_.size()) +
                " channels");
    Tensor y = x;
    const size_t plane = x.size() / x.dim(0);
    for (size_t c = 0; c < x.dim(0); ++c) {
        const float a = alpha_.data()[c], inv = 1.0f / (a + 1e-9f);
        float* row = y.data() + c * plane;
        for (size_t i = 0; i < plane; ++i) {
            const float s = std::sin(a * row[i]);
            row[i] += inv * s * s;
        }
    }
    return y;
}

}  // namespace tq::nn
