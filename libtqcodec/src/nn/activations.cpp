#include "nn/activations.hpp"

#include <cmath>
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

}  // namespace

Tensor ReLU::forward(const Tensor& x) const {
    return map(x, [](float v) { return v > 0.0f ? v : 0.0f; });
}

Tensor Tanh::forward(const Tensor& x) const {
    return map(x, [](float v) { return std::tanh(v); });
}

Tensor ELU::forward(const Tensor& x) const {
    return map(x, [a = alpha_](float v) { return v > 0.0f ? v : a * std::expm1(v); });
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
