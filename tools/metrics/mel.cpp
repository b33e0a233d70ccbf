// Multi-scale log-mel distance, as DAC computes it (see metrics.hpp).
#include <algorithm>
#include <cmath>
#include <utility>

#include "core/error.hpp"
#include "metrics/metrics.hpp"
#include "dsp/stft.hpp"

namespace tqm {
namespace {

// Slaney's auditory-toolbox mel scale (librosa htk=False): linear below 1 kHz, log above.
constexpr double kFsp = 200.0 / 3.0;
constexpr double kMinLogHz = 1000.0;
constexpr double kMinLogMel = kMinLogHz / kFsp;
const double kLogStep = std::log(6.4) / 27.0;

double hz_to_mel(double hz) {
    return hz >= kMinLogHz ? kMinLogMel + std::log(hz / kMinLogHz) / kLogStep : hz / kFsp;
}

double mel_to_hz(double mel) {
    return mel >= kMinLogMel ? kMinLogHz * std::exp(kLogStep * (mel - kMinLogMel)) : kFsp * mel;
}

// n_mels + 2 band edges equally spaced in mel between 0 and sr/2.
std::vector<double> mel_edges(int sample_rate, int n_mels) {
    const double top = hz_to_mel(sample_rate / 2.0);
    std::vector<double> edges(static_cast<size_t>(n_mels) + 2);
    for (size_t i = 0; i < edges.size(); ++i)
        edges[i] = mel_to_hz(top * static_cast<double>(i) / static_cast<double>(edges.size() - 1));
    return edges;
}

// The filterbank with each band's non-zero bin range, so a frame costs O(bins), not O(mels * bins).
struct MelBank {
    size_t bins;
    std::vector<double> weights;  // mels x bins, row-major
    std::vector<std::pair<size_t, size_t>> range;  // [first, last) non-zero bins of each band
};

MelBank make_bank(int sample_rate, int n_fft, int n_mels) {
    MelBank bank{static_cast<size_t>(n_fft) / 2 + 1, slaney_mel_filterbank(sample_rate, n_fft, n_mels), {}};
    for (size_t m = 0; m < static_cast<size_t>(n_mels); ++m) {
        const double* row = &bank.weights[m * bank.bins];
        size_t first = 0, last = bank.bins;
        while (first < last && row[first] == 0.0) ++first;
        while (last > first && row[last - 1] == 0.0) --last;
        bank.range.emplace_back(first, last);
    }
    return bank;
}

// mel[m] = sum_k weights[m][k] * |X[k]| for one frame.
void apply_bank(const MelBank& bank, std::span<const std::complex<float>> spec, std::vector<double>& mag,
                std::vector<double>& mel) {
    for (size_t k = 0; k < bank.bins; ++k) mag[k] = std::abs(spec[k]);
    for (size_t m = 0; m < mel.size(); ++m) {
        double sum = 0;
        for (size_t k = bank.range[m].first; k < bank.range[m].second; ++k)
            sum += bank.weights[m * bank.bins + k] * mag[k];
        mel[m] = sum;
    }
}

double log_clamped(double v) { return std::log10(std::max(v, kMelClampEps)); }

}  // namespace

std::vector<double> slaney_mel_filterbank(int sample_rate, int n_fft, int n_mels) {
    const size_t bins = static_cast<size_t>(n_fft) / 2 + 1;
    const std::vector<double> edge = mel_edges(sample_rate, n_mels);
    std::vector<double> fb(static_cast<size_t>(n_mels) * bins, 0.0);
    for (size_t m = 0; m < static_cast<size_t>(n_mels); ++m) {
        const double norm = 2.0 / (edge[m + 2] - edge[m]);
        for (size_t k = 0; k < bins; ++k) {
            const double f = sample_rate / 2.0 * static_cast<double>(k) / static_cast<double>(bins - 1);
            const double lower = (f - edge[m]) / (edge[m + 1] - edge[m]);
            const double upper = (edge[m + 2] - f) / (edge[m + 2] - edge[m + 1]);
            fb[m * bins + k] = std::max(0.0, std::min(lower, upper)) * norm;
        }
    }
    return fb;
}

double mel_distance_scale(std::span<const float> ref, std::span<const float> dec, int sample_rate,
                          MelScale scale) {
    tq::require(ref.size() == dec.size(), TQ_ERR_INVALID_ARGUMENT, "metrics: signals differ in length");
    if (ref.empty()) return std::nan("");
    const auto n = static_cast<size_t>(scale.window);
    const size_t hop = n / 4;
    const std::vector<float> pr = tq::dsp::reflect_pad(ref, n / 2), pd = tq::dsp::reflect_pad(dec, n / 2);
    const size_t frames = tq::dsp::frame_count(pr.size(), n, hop);
    const std::vector<float> window = tq::dsp::periodic_hann(n);
    const MelBank bank = make_bank(sample_rate, scale.window, scale.mels);

    tq::dsp::RealFft fft(n);
    std::vector<double> mr(static_cast<size_t>(scale.mels)), md(mr.size()), mag(bank.bins);
    double total = 0;
    for (size_t f = 0; f < frames; ++f) {
        apply_bank(bank, tq::dsp::windowed_spectrum(fft, pr, window, f * hop), mag, mr);
        apply_bank(bank, tq::dsp::windowed_spectrum(fft, pd, window, f * hop), mag, md);
        for (size_t m = 0; m < mr.size(); ++m) total += std::abs(log_clamped(mr[m]) - log_clamped(md[m]));
    }
    return total / static_cast<double>(frames * mr.size());
}

double mel_distance(std::span<const float> ref, std::span<const float> dec, int sample_rate) {
    double sum = 0;
    for (const MelScale& scale : kDacMelScales) sum += mel_distance_scale(ref, dec, sample_rate, scale);
    return sum;
}

}  // namespace tqm
