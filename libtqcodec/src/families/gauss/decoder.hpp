// gauss decoder: per coded channel, renders the packet's log-magnitude,
// reconstructs the phase (dsp/pghi.hpp: PGHI, random phases where only the
// floor speaks) continuing from the previous packet, refines it by two fast
// Griffin-Lim iterations over the packet, and overlap-adds.
#pragma once

#include <memory>
#include <span>

#include "families/family.hpp"
#include "families/gauss/params.hpp"

namespace tq::gauss {

std::unique_ptr<FamilyDecoder> make_decoder(const StreamInfo& info, std::span<const uint8_t> params);
std::unique_ptr<FamilyDecoder> make_decoder(const Params& params, int channels);

}  // namespace tq::gauss
