#include "nn/spectral_head.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.hpp"
#include "dsp/stft.hpp"

namespace tq::nn {

std::vector<std::complex<float>> head_to_spectra(const Tensor& out, size_t bins, float max_log_magnitude) {
    require(out.rank() == 2 && out.dim(0) == 3 * bins, TQ_ERR_MODEL,
            "spectral head: network output " + to_string(out.shape()) + " is not [" + std::to_string(3 * bins) +
                ", frames]");
    const size_t frames = out.dim(1);
    std::vector<std::complex<float>> spectra(frames * bins);
    const float* lm = out.data();
    const float* re = lm + bins * frames;
    const float* im = re + bins * frames;
    for (size_t b = 0; b < bins; ++b)
        for (size_t t = 0; t < frames; ++t) {
            const size_t i = b * frames + t;
            const double norm =
                std::sqrt(static_cast<double>(re[i]) * re[i] + static_cast<double>(im[i]) * im[i] + 1e-8);
            const double gain = std::exp(std::min(lm[i], max_log_magnitude)) / norm;
            const std::complex<float> v(static_cast<float>(gain * re[i]), static_cast<float>(gain * im[i]));
            spectra[t * bins + b] = std::isfinite(v.real()) && std::isfinite(v.imag()) ? v : 0.0f;
        }
    return spectra;
}

namespace {

size_t checked_hop(size_t n_fft, size_t hop) {
    require(hop >= 1 && hop < n_fft && n_fft % hop == 0, TQ_ERR_INVALID_ARGUMENT,
            "overlap-add: hop " + std::to_string(hop) + " is not a proper divisor of n_fft " + std::to_string(n_fft));
    return hop;
}

}  // namespace

OverlapAdd::OverlapAdd(size_t n_fft, size_t hop, float gain)
    : fft_(n_fft), hop_(checked_hop(n_fft, hop)), window_(dsp::periodic_hann(n_fft)), tail_(n_fft - hop, 0.0f) {
    const float scale = 1.0f / (static_cast<float>(n_fft) * gain);
    for (float& w : window_) w *= scale;
}

void OverlapAdd::push(std::span<const std::complex<float>> spectrum, std::span<float> finished) {
    std::copy(spectrum.begin(), spectrum.end(), fft_.spectrum().begin());
    fft_.inverse();
    const std::span<const float> frame = fft_.time();
    for (size_t i = 0; i < hop_; ++i) finished[i] = tail_[i] + frame[i] * window_[i];
    const size_t kept = tail_.size() - hop_;
    for (size_t i = 0; i < kept; ++i) tail_[i] = tail_[i + hop_] + frame[i + hop_] * window_[i + hop_];
    for (size_t i = kept; i < tail_.size(); ++i) tail_[i] = frame[i + hop_] * window_[i + hop_];
}

void OverlapAdd::reset() { std::fill(tail_.begin(), tail_.end(), 0.0f); }

std::vector<float> offline_synthesis(std::span<const std::complex<float>> spectra, size_t n_fft, size_t hop,
                                     float gain) {
    const size_t bins = n_fft / 2 + 1, frames = spectra.size() / bins;
    OverlapAdd ola(n_fft, hop, gain);
    std::vector<float> out(frames * hop);
    for (size_t f = 0; f < frames; ++f)
        ola.push(spectra.subspan(f * bins, bins), std::span<float>(out).subspan(f * hop, hop));
    out.erase(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(std::min(out.size(), n_fft - hop)));
    return out;
}

}  // namespace tq::nn
