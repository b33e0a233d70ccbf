// turbo mdct mode: rate-distortion bit allocation by greedy reverse
// water-filling. The decoder runs it too, on the quantized gains and the
// packet's budget, so the allocation itself is never transmitted.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace tq::turbo {

inline constexpr int kMaxBandBits = 8;

// One band of one frame and channel: its quantized gain index (0 = silent,
// never gets bits) and width in coefficients.
struct AllocationUnit {
    int gain_index;
    int width;
    int bias = 0;  // added to the priority of its every step: 64 x log2 of a distortion weight (mse: 0)
};

// Bits per coefficient (0..8) for every unit, spending at most `budget` bits in
// total. Each step b -> b+1 of a unit costs `width` bits and lowers its
// distortion, modelled as width x gain^2 x Lloyd-Max MSE(b) (MSE(0) = 1), by
// width x gain^2 x (MSE(b) - MSE(b+1)); the step with the largest reduction per
// bit goes first (ties: the lower unit index). A step that no longer fits
// retires its unit. Integer priorities make it exact on every platform.
std::vector<uint8_t> allocate_bits(std::span<const AllocationUnit> units, long budget);

// 64 x log2(MSE(b) - MSE(b+1)), rounded, b = 0..7 (exposed for the tests).
std::span<const int> step_gain_table();

}  // namespace tq::turbo
