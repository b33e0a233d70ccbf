#include "nn/layer.hpp"

#include "core/error.hpp"

namespace tq::nn {

Tensor Sequential::forward(const Tensor& x) const {
    Tensor y = x;
    for (const auto& layer : layers_) y = layer->forward(y);
    return y;
}

Tensor Residual::forward(const Tensor& x) const {
    Tensor y = body_->forward(x);
    require(y.shape() == x.shape(), TQ_ERR_MODEL,
            "residual: body maps " + to_string(x.shape()) + " to " + to_string(y.shape()));
    for (size_t i = 0; i < y.size(); ++i) y.data()[i] += x.data()[i];
    return y;
}

}  // namespace tq::nn
