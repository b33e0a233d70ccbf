// stftae: the STFT around the network. Analysis frames are periodic-Hann
// windowed kFftSize samples; each gives kFeaturePlanes planes of kBins
// features from one FFT: log(max(|X|, kLogFloor)) and the compressed complex
// value X * max(|X|, kLogFloor)^(kCompression - 1) as re and im;
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
    // Features [kFeaturePlanes * kBins, frames] (plane-major: log-magnitude, compressed
    // re, compressed im) of frames starting every kHop samples of `x` from `start`.
    nn::Tensor features(std::span<const float> x, size_t start, size_t frames);

private:
    // Frame `f` of `out` (a features() tensor) from the frame of `x` at `start`.
    void frame_features(std::span<const float> x, size_t start, nn::Tensor& out, size_t f);

    dsp::RealFft fft_;
    std::vector<float> window_;
};

// torch's audio.unfold(N_FFT, HOP) framing of a whole signal:
// [kFeaturePlanes * kBins, (size - kFftSize) / kHop + 1].
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
