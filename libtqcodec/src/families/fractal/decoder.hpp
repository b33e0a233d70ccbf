// fractal decoder: parses the maps of a packet and iterates them from silence
// until no sample changes by more than the tolerance (or the iteration cap);
// the output is the (approximate) fixed point, the attractor of the maps.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "families/family.hpp"
#include "families/fractal/bitstream.hpp"
#include "families/fractal/params.hpp"

namespace tq::fractal {

std::unique_ptr<FamilyDecoder> make_decoder(const StreamInfo& info, std::span<const uint8_t> params);
std::unique_ptr<FamilyDecoder> make_decoder(const Params& params, int channels);

// Iterates `maps` on `signal` (its start value, normally zeros) in place, in
// map order (Gauss-Seidel). Returns the iterations run.
int iterate_maps(std::span<const Map> maps, std::span<float> signal, int max_iterations, double tolerance);

}  // namespace tq::fractal
