// Short-Time Objective Intelligibility (Taal, Hendriks, Heusdens, Jensen, IEEE TASLP 2011),
// following the reference MATLAB code and pystoi step by step:
//  1. both signals resampled to 10 kHz (libsoxr, high quality);
//  2. silent frames removed: 256-sample Hann frames (MATLAB hanning(256)), hop 128; frames more
//     than 40 dB below the loudest reference frame are dropped from both, the rest overlap-added;
//  3. STFT: the same frames, hop 128, 512-point FFT; 15 one-third-octave bands from 150 Hz
//     (band edges snapped to the nearest FFT bin), band magnitude = sqrt(sum |X|^2);
//  4. segments of 30 frames (384 ms); per band and segment the degraded envelope is scaled to the
//     reference's energy, clipped to at most (1 + 10^(15/20)) times the reference (beta = -15 dB),
//     and correlated with the reference envelope;
//  5. result: the mean correlation over bands and segments, in [-1, 1] (1 = identical).
// Undefined (NaN) when fewer than 30 frames remain after silence removal (pystoi returns 1e-5).
#pragma once

#include <span>

namespace tqm {

inline constexpr int kStoiRate = 10000;
inline constexpr int kStoiFrame = 256;
inline constexpr int kStoiFft = 512;
inline constexpr int kStoiBands = 15;
inline constexpr double kStoiMinFreq = 150.0;
inline constexpr int kStoiSegmentFrames = 30;
inline constexpr double kStoiBetaDb = -15.0;
inline constexpr double kStoiDynamicRangeDb = 40.0;

// Mono reference and degraded signal at `sample_rate`, same length (aligned beforehand).
double stoi(std::span<const float> ref, std::span<const float> dec, int sample_rate);

}  // namespace tqm
