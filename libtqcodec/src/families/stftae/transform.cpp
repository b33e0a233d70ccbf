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

OverlapAdd::OverlapAdd()
    : fft_(kFftSize), window_(dsp::periodic_hann(kFftSize)), tail_(static_cast<size_t>(kFftSize - kHop), 0.0f) {}

void OverlapAdd::push(std::span<const std::complex<float>> spectrum, std::span<float> finished) {
    std::copy(spectrum.begin(), spectrum.end(), fft_.spectrum().begin());
    fft_.inverse();
    const std::span<const float> frame = fft_.time();
    // irfft's 1/N, the synthesis window and the overlap gain in one factor per sample.
    const float scale = 1.0f / (static_cast<float>(kFftSize) * kOlaGain);
    for (size_t i = 0; i < static_cast<size_t>(kHop); ++i) finished[i] = tail_[i] + frame[i] * window_[i] * scale;
    const size_t kept = tail_.size() - kHop;
    for (size_t i = 0; i < kept; ++i) tail_[i] = tail_[i + kHop] + frame[i + kHop] * window_[i + kHop] * scale;
    for (size_t i = kept; i < tail_.size(); ++i) tail_[i] = frame[i + kHop] * window_[i + kHop] * scale;
}

void OverlapAdd::reset() { std::fill(tail_.begin(), tail_.end(), 0.0f); }

std::vector<float> offline_synthesis(std::span<const std::complex<float>> spectra) {
    const size_t frames = spectra.size() / kBins;
    OverlapAdd ola;
    std::vector<float> out(frames * kHop);
    for (size_t f = 0; f < frames; ++f)
        ola.push(spectra.subspan(f * kBins, kBins), std::span<float>(out).subspan(f * kHop, kHop));
    // The first three hops lack the frames before the first one.
    out.erase(out.begin(), out.begin() + std::min(out.size(), static_cast<size_t>((kHopsPerFrame - 1) * kHop)));
    return out;
}

}  // namespace tq::stftae
