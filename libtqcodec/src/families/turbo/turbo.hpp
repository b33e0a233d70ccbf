// The turbo family: random sign flips + orthonormal FWHT (a fast random
// rotation), per-block log-quantized scale, exact Gaussian Lloyd-Max indices.
#pragma once

#include "families/family.hpp"

namespace tq::turbo {

FamilyDescriptor descriptor();

}  // namespace tq::turbo
