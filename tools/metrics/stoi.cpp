// STOI (see stoi.hpp for the definition and its steps).
#include "metrics/stoi.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include <soxr.h>

#include "core/error.hpp"
#include "dsp/fft.hpp"

namespace tqm {
namespace {

constexpr double kEps = 2.220446049250313e-16;  // numpy's float eps, as pystoi adds it
constexpr size_t kFrame = kStoiFrame;
constexpr size_t kHop = kStoiFrame / 2;
constexpr size_t kBins = kStoiFft / 2 + 1;
constexpr size_t kSegment = kStoiSegmentFrames;

using Signal = std::vector<double>;
using Envelopes = std::vector<std::vector<double>>;  // [band][frame]

Signal to_stoi_rate(std::span<const float> x, int sample_rate) {
    if (sample_rate == kStoiRate) return Signal(x.begin(), x.end());
    const auto out_len = static_cast<size_t>(std::llround(static_cast<double>(x.size()) * kStoiRate / sample_rate));
    std::vector<float> out(out_len);
    size_t done = 0;
    const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
    const soxr_error_t err = soxr_oneshot(sample_rate, kStoiRate, 1, x.data(), x.size(), nullptr, out.data(),
                                          out_len, &done, &io, &quality, nullptr);
    tq::require(err == nullptr, TQ_ERR_INTERNAL, std::string("stoi: resampling failed: ") + (err ? err : ""));
    return Signal(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(done));
}

// MATLAB's hanning(256): the periodic-free Hann of 258 points without its zero ends.
const std::vector<double>& frame_window() {
    static const std::vector<double> w = [] {
        std::vector<double> v(kFrame);
        for (size_t i = 0; i < kFrame; ++i)
            v[i] = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * static_cast<double>(i + 1) / (kFrame + 1));
        return v;
    }();
    return w;
}

// Frame starts as in pystoi: range(0, len - frame, hop) (a frame ending exactly at the end is left out).
std::vector<size_t> frame_starts(size_t length) {
    std::vector<size_t> starts;
    for (size_t i = 0; i + kFrame < length; i += kHop) starts.push_back(i);
    return starts;
}

double frame_energy_db(const Signal& x, size_t start) {
    const auto& w = frame_window();
    double e = 0;
    for (size_t i = 0; i < kFrame; ++i) e += (w[i] * x[start + i]) * (w[i] * x[start + i]);
    return 20 * std::log10(std::sqrt(e) + kEps);
}

// Windowed frames whose reference energy is within the dynamic range, overlap-added.
void remove_silent_frames(Signal& x, Signal& y) {
    const std::vector<size_t> starts = frame_starts(x.size());
    std::vector<double> energy(starts.size());
    for (size_t f = 0; f < starts.size(); ++f) energy[f] = frame_energy_db(x, starts[f]);
    const double top = starts.empty() ? 0 : *std::max_element(energy.begin(), energy.end());
    std::vector<size_t> kept;
    for (size_t f = 0; f < starts.size(); ++f)
        if (energy[f] > top - kStoiDynamicRangeDb) kept.push_back(starts[f]);
    const size_t out_len = kept.empty() ? 0 : (kept.size() - 1) * kHop + kFrame;
    Signal xs(out_len, 0.0), ys(out_len, 0.0);
    const auto& w = frame_window();
    for (size_t k = 0; k < kept.size(); ++k)
        for (size_t i = 0; i < kFrame; ++i) {
            xs[k * kHop + i] += w[i] * x[kept[k] + i];
            ys[k * kHop + i] += w[i] * y[kept[k] + i];
        }
    x = std::move(xs);
    y = std::move(ys);
}

struct Band {
    size_t first_bin, end_bin;  // [first, end)
};

size_t nearest_bin(double hz) {
    const double bin_hz = static_cast<double>(kStoiRate) / kStoiFft;
    size_t best = 0;
    for (size_t k = 1; k < kBins; ++k)
        if (std::abs(static_cast<double>(k) * bin_hz - hz) < std::abs(static_cast<double>(best) * bin_hz - hz)) best = k;
    return best;
}

const std::vector<Band>& third_octave_bands() {
    static const std::vector<Band> bands = [] {
        std::vector<Band> b;
        for (int k = 0; k < kStoiBands; ++k)
            b.push_back({nearest_bin(kStoiMinFreq * std::pow(2.0, (2.0 * k - 1) / 6)),
                         nearest_bin(kStoiMinFreq * std::pow(2.0, (2.0 * k + 1) / 6))});
        return b;
    }();
    return bands;
}

// Band magnitudes of every STFT frame.
Envelopes band_envelopes(const Signal& x) {
    const std::vector<size_t> starts = frame_starts(x.size());
    const auto& w = frame_window();
    const auto& bands = third_octave_bands();
    tq::dsp::RealFft fft(kStoiFft);
    Envelopes env(bands.size(), std::vector<double>(starts.size()));
    std::vector<double> power(kBins);
    for (size_t f = 0; f < starts.size(); ++f) {
        auto t = fft.time();
        std::fill(t.begin(), t.end(), 0.0f);
        for (size_t i = 0; i < kFrame; ++i) t[i] = static_cast<float>(w[i] * x[starts[f] + i]);
        fft.forward();
        for (size_t k = 0; k < kBins; ++k) power[k] = std::norm(std::complex<double>(fft.spectrum()[k]));
        for (size_t b = 0; b < bands.size(); ++b) {
            double sum = 0;
            for (size_t k = bands[b].first_bin; k < bands[b].end_bin; ++k) sum += power[k];
            env[b][f] = std::sqrt(sum);
        }
    }
    return env;
}

double norm2(const std::vector<double>& v) {
    double s = 0;
    for (double a : v) s += a * a;
    return std::sqrt(s);
}

void center_and_normalise(std::vector<double>& v) {
    double mean = 0;
    for (double a : v) mean += a;
    mean /= static_cast<double>(v.size());
    for (double& a : v) a -= mean;
    const double n = norm2(v) + kEps;
    for (double& a : v) a /= n;
}

// Correlation of one band over one 30-frame segment ending before frame `end`.
double segment_correlation(const std::vector<double>& xb, const std::vector<double>& yb, size_t end) {
    std::vector<double> x(xb.begin() + static_cast<std::ptrdiff_t>(end - kSegment), xb.begin() + static_cast<std::ptrdiff_t>(end));
    std::vector<double> y(yb.begin() + static_cast<std::ptrdiff_t>(end - kSegment), yb.begin() + static_cast<std::ptrdiff_t>(end));
    const double scale = norm2(x) / (norm2(y) + kEps);
    const double clip = 1 + std::pow(10.0, -kStoiBetaDb / 20);
    for (size_t i = 0; i < kSegment; ++i) y[i] = std::min(y[i] * scale, x[i] * clip);
    center_and_normalise(x);
    center_and_normalise(y);
    double c = 0;
    for (size_t i = 0; i < kSegment; ++i) c += x[i] * y[i];
    return c;
}

}  // namespace

double stoi(std::span<const float> ref, std::span<const float> dec, int sample_rate) {
    tq::require(ref.size() == dec.size(), TQ_ERR_INVALID_ARGUMENT, "stoi: signals differ in length");
    tq::require(sample_rate > 0, TQ_ERR_INVALID_ARGUMENT, "stoi: bad sample rate");
    Signal x = to_stoi_rate(ref, sample_rate), y = to_stoi_rate(dec, sample_rate);
    y.resize(x.size(), 0.0);
    remove_silent_frames(x, y);
    const Envelopes ex = band_envelopes(x), ey = band_envelopes(y);
    const size_t frames = ex.empty() ? 0 : ex[0].size();
    if (frames < kSegment) return std::nan("");
    double total = 0;
    for (size_t b = 0; b < ex.size(); ++b)
        for (size_t end = kSegment; end <= frames; ++end) total += segment_correlation(ex[b], ey[b], end);
    return total / static_cast<double>(ex.size() * (frames - kSegment + 1));
}

}  // namespace tqm
