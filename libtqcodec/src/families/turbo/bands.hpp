// turbo mdct mode: the band layout of an MDCT frame and the band gain grid.
// Both are part of the bitstream (BITSTREAM.md section 8.2).
#pragma once

#include <vector>

#include "families/turbo/params.hpp"

namespace tq::turbo {

// Bands of an n-coefficient frame (n a power of two, 64..4096): power-of-two
// widths, so each band's shape can be Hadamard-rotated on its own. At n = 1024
// (44.1/48 kHz): 8 x 4, 4 x 8, 4 x 16, 4 x 32, 2 x 128, 2 x 256 coefficients =
// 24 bands, ~86 Hz wide at the bottom, half an octave at the top. tune=perceptual
// splits the top octave and the one below it into 8 bands each (8 x 32, 8 x 64):
// 36 bands.
struct BandLayout {
    std::vector<int> offset;  // first coefficient of each band
    std::vector<int> width;   // coefficients of each band
    int count() const { return static_cast<int>(width.size()); }
};

BandLayout mdct_bands(int n, Tune tune);

// Band gain (RMS of the band's coefficients) grid: index 0 = silent band,
// 1..kGainMaxIndex = 2^((index - kGainUnity) / 4), quarter-octave (1.5 dB) steps.
inline constexpr int kGainIndexBits = 7;
inline constexpr int kGainMaxIndex = 127;
inline constexpr int kGainUnity = 88;
inline constexpr int kGainStepsPerOctave = 4;

// Exactly the same float on every platform (a table of four constants and ldexp).
float gain_value(int index);
// The grid index nearest (in log2) to `rms`; 0 when rms is below half a step under index 1.
int nearest_gain_index(double rms);

}  // namespace tq::turbo
