// Convolutions as PyTorch defines them (zero padding), computed as im2col +
// GEMM (transposed: GEMM + col2im). Weights are plain tensors: weight norm is
// folded in by the exporter. 1-D layers take [channels, time]; 2-D layers take
// [channels, height, width]. Invalid geometry or weight shapes throw
// tq::Error(TQ_ERR_MODEL) at construction.
#pragma once

#include <array>
#include <optional>

#include "nn/layer.hpp"

namespace tq::nn {

// Per-axis geometry, (height, width); 1-D layers use the width entries.
struct ConvGeometry {
    std::array<size_t, 2> stride{1, 1};
    std::array<size_t, 2> padding{0, 0};
    std::array<size_t, 2> dilation{1, 1};
    std::array<size_t, 2> output_padding{0, 0};  // transposed convolutions only
    size_t groups = 1;
};

// weight [out, in/groups, kh, kw], bias [out] or none.
class Conv2d : public Layer {
public:
    Conv2d(Tensor weight, std::optional<Tensor> bias, ConvGeometry geometry);
    Tensor forward(const Tensor& x) const override;  // [in, H, W] -> [out, H', W']

private:
    Tensor weight_;
    std::optional<Tensor> bias_;
    ConvGeometry g_;
};

// weight [in, out/groups, kh, kw], bias [out] or none.
class ConvTranspose2d : public Layer {
public:
    ConvTranspose2d(Tensor weight, std::optional<Tensor> bias, ConvGeometry geometry);
    Tensor forward(const Tensor& x) const override;

private:
    Tensor weight_;
    std::optional<Tensor> bias_;
    ConvGeometry g_;
};

// weight [out, in/groups, k]; runs as a Conv2d of height 1. `causal_padding`
// zeros go before the input only (on top of the symmetric `padding`), so output
// t sees inputs <= t: spectral.py's CausalConv1d.
class Conv1d : public Layer {
public:
    Conv1d(const Tensor& weight, std::optional<Tensor> bias, size_t stride, size_t padding, size_t dilation,
           size_t groups, size_t causal_padding = 0);
    Tensor forward(const Tensor& x) const override;  // [in, T] -> [out, T']

private:
    Conv2d conv_;
    size_t causal_padding_;
};

// weight [in, out/groups, k].
class ConvTranspose1d : public Layer {
public:
    ConvTranspose1d(const Tensor& weight, std::optional<Tensor> bias, size_t stride, size_t padding,
                    size_t output_padding, size_t dilation, size_t groups);
    Tensor forward(const Tensor& x) const override;

private:
    ConvTranspose2d conv_;
};

}  // namespace tq::nn
