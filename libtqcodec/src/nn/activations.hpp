// Element-wise activations, as torch.nn defines them. Snake (Ziyin et al. 2020,
// as used by DAC/BigVGAN) has one learned alpha per channel, channel being the
// first dimension of the input.
#pragma once

#include "nn/layer.hpp"

namespace tq::nn {

class ReLU : public Layer {
public:
    Tensor forward(const Tensor& x) const override;
};

class Tanh : public Layer {
public:
    Tensor forward(const Tensor& x) const override;
};

// x if x > 0, else alpha·(exp(x) − 1).
class ELU : public Layer {
public:
    explicit ELU(float alpha = 1.0f) : alpha_(alpha) {}
    Tensor forward(const Tensor& x) const override;

private:
    float alpha_;
};

// x if x >= 0, else slope·x.
class LeakyReLU : public Layer {
public:
    explicit LeakyReLU(float slope = 0.01f) : slope_(slope) {}
    Tensor forward(const Tensor& x) const override;

private:
    float slope_;
};

// x + sin²(αx)/α per channel; 1/α is taken as 1/(α + 1e-9) like DAC, so a
// zero alpha gives x instead of NaN.
class Snake : public Layer {
public:
    explicit Snake(Tensor alpha);  // shape [channels]
    Tensor forward(const Tensor& x) const override;

private:
    Tensor alpha_;
};

}  // namespace tq::nn
