// turbo mdct mode: the payload fields besides the shape codes — the packet's
// bit budget and the band gains — and the size bounds derived from them.
// Layout: BITSTREAM.md section 8.
#pragma once

#include <cstddef>
#include <span>

#include "core/bitio.hpp"
#include "families/turbo/params.hpp"

namespace tq::turbo {

// Field holding the shape-bit budget of a packet (at most 8 x 16384 x 8 bits).
inline constexpr int kBudgetBits = 21;
inline constexpr int kRiceParamBits = 2;
inline constexpr int kMaxRiceParam = 3;

// Bits the gains of one frame and channel take, with the best Rice parameter.
int gain_code_bits(std::span<const int> gains);
void write_gains(BitWriter& out, std::span<const int> gains);
// Reads one frame and channel's gains; TQ_ERR_CORRUPT for codes outside the grid.
void read_gains(BitReader& in, std::span<int> gains);

// tune=perceptual: after the first frame of a packet, one bit chooses between
// the code above and deltas to the same channel's previous frame (`previous`;
// empty for the first frame: the code above alone).
int predicted_gain_code_bits(std::span<const int> gains, std::span<const int> previous);
void write_predicted_gains(BitWriter& out, std::span<const int> gains, std::span<const int> previous);
void read_predicted_gains(BitReader& in, std::span<int> gains, std::span<const int> previous);

std::size_t mdct_max_payload_bytes(const Params& p, int channels);
// The rate below which the gains and packet overhead alone exceed the budget.
double mdct_lowest_bitrate(const Params& p, int channels);

}  // namespace tq::turbo
