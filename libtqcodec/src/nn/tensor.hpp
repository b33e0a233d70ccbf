// A float32 tensor: a shape and its values, contiguous and row-major (the last
// dimension varies fastest), as PyTorch stores a contiguous tensor.
// Inference runs one stream at a time, so there is no batch dimension:
// 1-D layers take [channels, time], 2-D layers [channels, height, width].
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace tq::nn {

using Shape = std::vector<size_t>;

class Tensor {
public:
    Tensor() = default;
    explicit Tensor(Shape shape);  // zero-filled
    Tensor(Shape shape, std::vector<float> values);

    const Shape& shape() const { return shape_; }
    size_t rank() const { return shape_.size(); }
    size_t dim(size_t i) const { return shape_.at(i); }
    size_t size() const { return values_.size(); }

    float* data() { return values_.data(); }
    const float* data() const { return values_.data(); }
    std::span<float> values() { return values_; }
    std::span<const float> values() const { return values_; }

    // Same values, new shape of the same element count.
    Tensor reshaped(Shape shape) const;

private:
    Shape shape_;
    std::vector<float> values_;
};

// Product of the dimensions (1 for a scalar shape).
size_t element_count(const Shape& shape);
// "[4, 3, 7]", for error messages.
std::string to_string(const Shape& shape);

}  // namespace tq::nn
