// turbo mdct mode: MDCT frames (sine window, hop = n coefficients), per band a
// log-quantized gain and the band/gain shape, sign-flipped and Walsh-Hadamard
// rotated, coded with the exact Lloyd-Max codebooks at the bits per
// coefficient that the rate-distortion allocation gives it. Only gains and
// the packet's bit budget are sent; the decoder repeats the allocation.
//
// Framing: encoder delay n; every packet codes ceil(samples / n) frames and
// decodes to `samples` samples of the stream delayed by n. The decoder's
// overlap (and, after a short last packet, up to n-1 finished samples) carries
// across packets: reset() after a seek, then the first n samples are partial.
// Layout: BITSTREAM.md section 8.
#pragma once

#include <memory>

#include "families/family.hpp"
#include "families/turbo/params.hpp"

namespace tq::turbo {

std::unique_ptr<FamilyEncoder> make_mdct_encoder(const Params& params, int channels);
std::unique_ptr<FamilyDecoder> make_mdct_decoder(const Params& params, int channels);

}  // namespace tq::turbo
