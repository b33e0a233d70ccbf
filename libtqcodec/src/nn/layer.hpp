// The layer interface. forward() is const and allocates its scratch per call,
// so one loaded network may run in many threads at once.
#pragma once

#include <memory>
#include <vector>

#include "nn/tensor.hpp"

namespace tq::nn {

class Layer {
public:
    virtual ~Layer() = default;
    virtual Tensor forward(const Tensor& x) const = 0;
};

// Layers applied in order.
class Sequential : public Layer {
public:
    void add(std::unique_ptr<Layer> layer) { layers_.push_back(std::move(layer)); }
    size_t size() const { return layers_.size(); }
    Tensor forward(const Tensor& x) const override;

private:
    std::vector<std::unique_ptr<Layer>> layers_;
};

// y = x + body(x); the body must keep the shape.
class Residual : public Layer {
public:
    explicit Residual(std::unique_ptr<Layer> body) : body_(std::move(body)) {}
    Tensor forward(const Tensor& x) const override;

private:
    std::unique_ptr<Layer> body_;
};

}  // namespace tq::nn
