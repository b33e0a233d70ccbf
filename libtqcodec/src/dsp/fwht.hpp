// Fast Walsh–Hadamard transform (natural / Hadamard order), in place, float.
//
// fwht() is orthonormal: it multiplies by H_n / sqrt(n), where H_n is the
// Sylvester Hadamard matrix (H_1 = [1], H_2n = [[H_n, H_n], [H_n, -H_n]]).
// It therefore preserves the Euclidean norm and is its own inverse.
// fwht_unscaled() multiplies by H_n alone (callers that fold 1/sqrt(n) into
// another scale factor save one pass over the data).
#pragma once

#include <cstddef>

namespace tq::dsp {

inline constexpr std::size_t kFwhtMinSize = 1;
inline constexpr std::size_t kFwhtMaxSize = std::size_t{1} << 16;

// True if n is a power of two in [kFwhtMinSize, kFwhtMaxSize].
bool fwht_size_ok(std::size_t n);

// x <- H_n x. n must satisfy fwht_size_ok(n) (checked: throws
// tq::Error(TQ_ERR_INTERNAL) otherwise). Tuned for n = 64..4096.
void fwht_unscaled(float* x, std::size_t n);

// x <- H_n x / sqrt(n): orthonormal and involutory.
void fwht(float* x, std::size_t n);

}  // namespace tq::dsp
