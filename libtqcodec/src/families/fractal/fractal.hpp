// The fractal family: each packet is stored as contractive affine maps from
// decimated domains to ranges (an iterated function system); the decoder
// iterates them from silence to their fixed point.
#pragma once

#include "families/family.hpp"

namespace tq::fractal {

FamilyDescriptor descriptor();

}  // namespace tq::fractal
