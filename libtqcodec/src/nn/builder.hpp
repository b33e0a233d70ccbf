// Builds a Sequential network from a safetensors file whose __metadata__
// describes it, so a model file is self-describing. Under a prefix P:
//   P.layers = N, and for each i in [0, N): P.i.type, one of
//   conv1d, conv2d, conv_transpose1d, conv_transpose2d  (tensors P.i.weight, optional P.i.bias;
//       metadata stride, padding, dilation, groups, output_padding: "s" for 1-D, "sh,sw" for 2-D,
//       each optional with PyTorch's defaults; conv1d also causal_padding: zeros before the
//       input only, spectral.py's CausalConv1d)
//   relu, tanh, elu (alpha), leaky_relu (slope), snake (tensor P.i.alpha)
//   residual (a body described the same way under P.i.body)
// Anything missing or inconsistent throws tq::Error(TQ_ERR_MODEL).
#pragma once

#include <memory>
#include <string>

#include "nn/layer.hpp"
#include "nn/safetensors.hpp"

namespace tq::nn {

std::unique_ptr<Sequential> build_sequential(const SafeTensors& file, const std::string& prefix);

}  // namespace tq::nn
