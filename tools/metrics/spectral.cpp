// Log-spectral distance.
#include <cmath>

#include "core/error.hpp"
#include "metrics/metrics.hpp"
#include "dsp/stft.hpp"

namespace tqm {
namespace {

using tq::dsp::RealFft;

// 10 log10 of the normalised power of every bin of one frame.
void log_power(std::span<const std::complex<float>> spec, double window_energy, std::vector<double>& out) {
    out.resize(spec.size());
    for (size_t k = 0; k < spec.size(); ++k)
        out[k] = 10.0 * std::log10(std::norm(spec[k]) / window_energy + kLsdPowerFloor);
}

}  // namespace

int lsd_window_length(int sample_rate) {
    const double exponent = std::round(std::log2(0.040 * sample_rate));
    return 1 << static_cast<int>(std::max(4.0, exponent));
}

double log_spectral_distance_db(std::span<const float> ref, std::span<const float> dec, int sample_rate) {
    tq::require(ref.size() == dec.size(), TQ_ERR_INVALID_ARGUMENT, "metrics: signals differ in length");
    if (ref.empty()) return std::nan("");
    const auto n = static_cast<size_t>(lsd_window_length(sample_rate));
    const size_t hop = n / 4;
    const size_t frames = std::max<size_t>(1, tq::dsp::frame_count(ref.size(), n, hop));
    const std::vector<float> window = tq::dsp::periodic_hann(n);
    double window_energy = 0;
    for (float w : window) window_energy += double(w) * w;

    RealFft fft(n);
    std::vector<double> lr, ld;
    double total = 0;
    for (size_t f = 0; f < frames; ++f) {
        log_power(tq::dsp::windowed_spectrum(fft, ref, window, f * hop), window_energy, lr);
        log_power(tq::dsp::windowed_spectrum(fft, dec, window, f * hop), window_energy, ld);
        double sq = 0;
        for (size_t k = 0; k < lr.size(); ++k) sq += (lr[k] - ld[k]) * (lr[k] - ld[k]);
        total += std::sqrt(sq / static_cast<double>(lr.size()));
    }
    return total / static_cast<double>(frames);
}

}  // namespace tqm
