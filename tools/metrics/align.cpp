// Delay estimation by FFT cross-correlation.
#include <algorithm>

#include "dsp/fft.hpp"
#include "metrics/metrics.hpp"

namespace tqm {
namespace {

// Spectrum of x zero-padded to the FFT's size, copied out of the FFT's buffer.
std::vector<std::complex<float>> spectrum_of(tq::dsp::RealFft& fft, std::span<const float> x) {
    std::span<float> t = fft.time();
    std::fill(t.begin(), t.end(), 0.0f);
    std::copy(x.begin(), x.end(), t.begin());
    fft.forward();
    return {fft.spectrum().begin(), fft.spectrum().end()};
}

// Among lags 0, 1, -1, 2, -2, ... the first with the largest correlation (ties go to small |lag|).
int64_t best_lag(std::span<const float> corr, int64_t lo, int64_t hi) {
    const auto n = static_cast<int64_t>(corr.size());
    auto at = [&](int64_t lag) { return corr[static_cast<size_t>(lag >= 0 ? lag : n + lag)]; };
    int64_t best = 0;
    float best_value = at(0);
    for (int64_t k = 1; k <= std::max(-lo, hi); ++k) {
        for (int64_t lag : {k, -k}) {
            if (lag < lo || lag > hi) continue;
            if (at(lag) > best_value) best = lag, best_value = at(lag);
        }
    }
    return best;
}

}  // namespace

int64_t estimate_delay(std::span<const float> ref, std::span<const float> dec, int64_t max_lag,
                       size_t max_window) {
    ref = ref.first(std::min(ref.size(), max_window));
    dec = dec.first(std::min(dec.size(), max_window));
    if (ref.empty() || dec.empty() || max_lag <= 0) return 0;

    tq::dsp::RealFft fft(tq::dsp::fast_fft_size(ref.size() + dec.size()));
    const std::vector<std::complex<float>> a = spectrum_of(fft, ref);
    const std::vector<std::complex<float>> b = spectrum_of(fft, dec);
    std::span<std::complex<float>> c = fft.spectrum();
    for (size_t k = 0; k < c.size(); ++k) c[k] = std::conj(a[k]) * b[k];
    fft.inverse();  // time()[k] = sum_n ref[n] * dec[n + k], k < 0 wrapped to the end

    const int64_t lo = -std::min<int64_t>(max_lag, static_cast<int64_t>(ref.size()) - 1);
    const int64_t hi = std::min<int64_t>(max_lag, static_cast<int64_t>(dec.size()) - 1);
    return best_lag(fft.time(), lo, hi);
}

}  // namespace tqm
