// stftae: the STFT analysis in front of the network (stftae_model.py: features()).
// Analysis frames are periodic-Hann windowed kFftSize samples; each gives
// kFeaturePlanes planes of kBins features from one FFT: log(max(|X|, kLogFloor))
// and the compressed complex value X * max(|X|, kLogFloor)^(kCompression - 1) as
// re and im. Synthesis (synthesize()) is the shared nn/spectral_head.hpp
// overlap-add at kFftSize, kHop and kOlaGain.
#pragma once

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

}  // namespace tq::stftae
