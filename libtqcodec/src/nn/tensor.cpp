#include "nn/tensor.hpp"

#include <utility>

#include "core/error.hpp"

namespace tq::nn {

size_t element_count(const Shape& shape) {
    size_t n = 1;
    for (size_t d : shape) n *= d;
    return n;
}

std::string to_string(const Shape& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

Tensor::Tensor(Shape shape) : shape_(std::move(shape)), values_(element_count(shape_), 0.0f) {}

Tensor::Tensor(Shape shape, std::vector<float> values) : shape_(std::move(shape)), values_(std::move(values)) {
    require(values_.size() == element_count(shape_), TQ_ERR_INTERNAL,
            "tensor of shape " + to_string(shape_) + " given " + std::to_string(values_.size()) + " values");
}

Tensor Tensor::reshaped(Shape shape) const {
    require(element_count(shape) == size(), TQ_ERR_INTERNAL,
            "cannot reshape " + to_string(shape_) + " to " + to_string(shape));
    return Tensor(std::move(shape), values_);
}

}  // namespace tq::nn
