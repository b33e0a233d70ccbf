// STFT framing helpers (windows, padding, frames).
#pragma once

#include <complex>
#include <cstddef>
#include <span>
#include <vector>

#include "dsp/fft.hpp"

namespace tq::dsp {

// Periodic Hann window (scipy.signal.get_window("hann", n), torch.hann_window(n)).
std::vector<float> periodic_hann(size_t n);

// x padded by n/2 on both sides with reflection about the end samples (torch.stft
// center=True, pad_mode="reflect"); short signals bounce back and forth.
std::vector<float> reflect_pad(std::span<const float> x, size_t pad);

// Number of frames of length n, hop `hop`, that fit inside `length` samples.
size_t frame_count(size_t length, size_t n, size_t hop);

// Windows frame `index` of x into the FFT's time buffer (zero beyond x's end) and transforms it.
std::span<const std::complex<float>> windowed_spectrum(RealFft& fft, std::span<const float> x,
                                                       const std::vector<float>& window, size_t start);

}  // namespace tq::dsp
