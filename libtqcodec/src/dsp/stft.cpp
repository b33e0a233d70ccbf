#include "dsp/stft.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace tq::dsp {

std::vector<float> periodic_hann(size_t n) {
    std::vector<float> w(n);
    for (size_t i = 0; i < n; ++i)
        w[i] = static_cast<float>(0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * static_cast<double>(i) /
                                                      static_cast<double>(n)));
    return w;
}

namespace {

// Index i (may be outside [0, len)) mirrored into [0, len) without repeating the edges.
size_t reflect_index(long long i, long long len) {
    if (len == 1) return 0;
    const long long period = 2 * (len - 1);
    long long m = i % period;
    if (m < 0) m += period;
    return static_cast<size_t>(m < len ? m : period - m);
}

}  // namespace

std::vector<float> reflect_pad(std::span<const float> x, size_t pad) {
    std::vector<float> out(x.size() + 2 * pad, 0.0f);
    if (x.empty()) return out;
    const auto len = static_cast<long long>(x.size());
    for (size_t i = 0; i < out.size(); ++i)
        out[i] = x[reflect_index(static_cast<long long>(i) - static_cast<long long>(pad), len)];
    return out;
}

size_t frame_count(size_t length, size_t n, size_t hop) {
    if (length < n) return 0;
    return 1 + (length - n) / hop;
}

std::span<const std::complex<float>> windowed_spectrum(RealFft& fft, std::span<const float> x,
                                                       const std::vector<float>& window, size_t start) {
    std::span<float> t = fft.time();
    std::fill(t.begin(), t.end(), 0.0f);
    const size_t avail = start < x.size() ? std::min(window.size(), x.size() - start) : 0;
    for (size_t i = 0; i < avail; ++i) t[i] = x[start + i] * window[i];
    fft.forward();
    return fft.spectrum();
}

}  // namespace tq::dsp
