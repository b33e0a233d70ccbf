#include "families/stftae/transform.hpp"

#include <algorithm>
#include <cmath>

#include "dsp/stft.hpp"

namespace tq::stftae {

static_assert(kFeaturePlanes == 3, "frame_features writes log-magnitude, compressed re and im");

Analysis::Analysis() : fft_(kFftSize), window_(dsp::periodic_hann(kFftSize)) {}

void Analysis::frame_features(std::span<const float> x, size_t start, nn::Tensor& out, size_t f) {
    const auto spectrum = dsp::windowed_spectrum(fft_, x, window_, start);
    const size_t frames = out.dim(1), plane = static_cast<size_t>(kBins) * frames;
    float* log_magnitude = out.data() + f;
    float* re = log_magnitude + plane;
    float* im = re + plane;
    for (size_t b = 0; b < static_cast<size_t>(kBins); ++b) {
        const float lm = std::log(std::max(std::abs(spectrum[b]), kLogFloor));
        // max(|X|, floor)^(kCompression - 1), from the log already at hand.
        const float gain = std::exp((kCompression - 1.0f) * lm);
        log_magnitude[b * frames] = lm;
        re[b * frames] = spectrum[b].real() * gain;
        im[b * frames] = spectrum[b].imag() * gain;
    }
}

nn::Tensor Analysis::features(std::span<const float> x, size_t start, size_t frames) {
    nn::Tensor out({static_cast<size_t>(kFeaturePlanes * kBins), frames});
    for (size_t f = 0; f < frames; ++f) frame_features(x, start + f * kHop, out, f);
    return out;
}

nn::Tensor offline_features(std::span<const float> audio) {
    Analysis analysis;
    return analysis.features(audio, 0, dsp::frame_count(audio.size(), kFftSize, kHop));
}

}  // namespace tq::stftae
