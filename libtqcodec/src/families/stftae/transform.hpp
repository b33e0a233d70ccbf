// stftae: the STFT around the network. Analysis frames are periodic-Hann
// windowed kFftSize samples, features their log-magnitudes (floored);
// synthesis inverts decoded spectra, windows them again and overlap-adds at
// kHop, divided by kOlaGain (stftae_model.py: features(), synthesize()).
#pragma once

#include <complex>
#include <span>
#include <vector>

#include "dsp/fft.hpp"
#include "families/stftae/model.hpp"
#include "nn/tensor.hpp"

namespace tq::stftae {

class Analysis {
public:
    Analysis();
    // Log-magnitude features of the frame of `x` starting at `start`: kBins values into `out`.
    void log_magnitude(std::span<const float> x, size_t start, std::span<float> out);
    // Features [kBins, frames] of frames starting every kHop samples of `x` from `start`.
    nn::Tensor features(std::span<const float> x, size_t start, size_t frames);

private:
    dsp::RealFft fft_;
    std::vector<float> window_;
};

// torch's audio.unfold(N_FFT, HOP) framing of a whole signal: [kBins, (size - kFftSize) / kHop + 1].
nn::Tensor offline_features(std::span<const float> audio);

// Streaming overlap-add: every frame pushed completes the oldest kHop samples
// it overlaps (frame j covers hops j-3 .. j and completes hop j-3).
class OverlapAdd {
public:
    OverlapAdd();
    // Adds one spectrum of kBins bins; writes the kHop samples it completes to `finished`.
    void push(std::span<const std::complex<float>> spectrum, std::span<float> finished);
    void reset();

private:
    dsp::RealFft fft_;
    std::vector<float> window_;
    std::vector<float> tail_;  // partial sums of the kFftSize - kHop samples after the last finished hop
};

// The model's synthesize(): frames [K][kBins] -> the (K - 3) * kHop samples all four overlapping frames cover.
std::vector<float> offline_synthesis(std::span<const std::complex<float>> spectra);

}  // namespace tq::stftae
