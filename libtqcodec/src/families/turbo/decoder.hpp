// turbo decoder: codes -> levels x scale -> orthonormal FWHT -> signs.
#pragma once

#include <memory>
#include <span>

#include "families/family.hpp"
#include "families/turbo/params.hpp"

namespace tq::turbo {

// Parses and validates the family parameters (TQ_ERR_CORRUPT if bad).
std::unique_ptr<FamilyDecoder> make_decoder(const StreamInfo& info, std::span<const uint8_t> params);
std::unique_ptr<FamilyDecoder> make_decoder(const Params& params, int channels);

}  // namespace tq::turbo
