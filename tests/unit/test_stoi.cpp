// STOI (tools/metrics/stoi): known cases and values pinned by an independent numpy port.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include "metrics/stoi.hpp"
#include "test_support.hpp"

namespace {

constexpr int kRate = tqm::kStoiRate;

using tqtest::lcg_noise;

// 3 s at 10 kHz: 130 Hz harmonic bursts at 4 Hz (syllable-like), silent from 1.0 to 1.5 s
// (only a -60 dB noise floor), so silence removal has something to remove.
std::vector<float> speech_like(size_t n = 30000) {
    const auto floor_noise = lcg_noise(1, n);
    std::vector<float> x(n);
    for (size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / kRate;
        double env = std::pow(std::sin(2 * std::numbers::pi * 2 * t), 2);
        if (t >= 1.0 && t < 1.5) env = 0;
        double voiced = 0;
        for (int h = 1; h <= 20; ++h) voiced += std::sin(2 * std::numbers::pi * h * 130 * t + h) / h;
        x[i] = static_cast<float>(0.3 * env * voiced + 0.001 * floor_noise[i]);
    }
    return x;
}

std::vector<float> plus_noise(const std::vector<float>& x, double gain, uint64_t seed = 2) {
    const auto noise = lcg_noise(seed, x.size());
    std::vector<float> y(x.size());
    for (size_t i = 0; i < x.size(); ++i) y[i] = static_cast<float>(double(x[i]) + gain * noise[i]);
    return y;
}

double energy(const std::vector<float>& x) {
    double e = 0;
    for (float v : x) e += double(v) * v;
    return e;
}

// x plus white noise at exactly `snr` dB.
std::vector<float> at_snr(const std::vector<float>& x, double snr) {
    const double noise_energy = energy(plus_noise(std::vector<float>(x.size(), 0.0f), 1.0));
    return plus_noise(x, std::sqrt(energy(x) / (noise_energy * std::pow(10.0, snr / 10))));
}

}  // namespace

TEST(Stoi, identical_signals_score_one) {
    const auto x = speech_like();
    EXPECT_GE(tqm::stoi(x, x, kRate), 0.9999);
    EXPECT_LE(tqm::stoi(x, x, kRate), 1.0 + 1e-9);
}

TEST(Stoi, matches_an_independent_numpy_port_of_pystoi) {
    // Reference: a line-by-line numpy port of pystoi 0.3.3 (thirdoct, stft with
    // np.hanning(258)[1:-1], remove_silent_frames, clipping, correlation), run in double on
    // exactly these float32 signals: y = float32(x + g * lcg(2)). Our FFT is single precision.
    const auto x = speech_like();
    const struct {
        double gain, expected;
    } cases[] = {{0.02, 0.8572032545830892}, {0.1, 0.8443605671901429}, {0.4, 0.6968343851067708}};
    for (const auto& c : cases) EXPECT_NEAR(tqm::stoi(x, plus_noise(x, c.gain), kRate), c.expected, 1e-4) << c.gain;
}

TEST(Stoi, heavy_white_noise_scores_clearly_lower) {
    const auto x = speech_like();
    EXPECT_LT(tqm::stoi(x, at_snr(x, -5.0), kRate), 0.7);
}

TEST(Stoi, rises_monotonically_with_snr) {
    const auto x = speech_like();
    double previous = -1;
    for (double snr : {-10.0, -5.0, 0.0, 5.0, 10.0, 20.0, 30.0}) {
        const double d = tqm::stoi(x, at_snr(x, snr), kRate);
        EXPECT_GT(d, previous) << snr << " dB";
        previous = d;
    }
}

TEST(Stoi, ignores_a_gain_change) {
    // Each segment's envelope is rescaled to the reference energy before comparison.
    const auto x = speech_like();
    std::vector<float> quieter(x);
    for (auto& v : quieter) v *= 0.25f;
    EXPECT_GE(tqm::stoi(x, quieter, kRate), 0.9999);
}

TEST(Stoi, resamples_other_rates_to_10_khz) {
    // The same content at 16 kHz: the score after resampling stays close to the 10 kHz one.
    std::vector<float> x16(48000), y16;
    const auto floor_noise = lcg_noise(1, x16.size());
    for (size_t i = 0; i < x16.size(); ++i) {
        const double t = static_cast<double>(i) / 16000;
        double voiced = 0;
        for (int h = 1; h <= 20; ++h) voiced += std::sin(2 * std::numbers::pi * h * 130 * t + h) / h;
        x16[i] = static_cast<float>(0.3 * std::pow(std::sin(2 * std::numbers::pi * 2 * t), 2) * voiced +
                                    0.001 * floor_noise[i]);
    }
    EXPECT_GE(tqm::stoi(x16, x16, 16000), 0.9999);
    const double noisy = tqm::stoi(x16, at_snr(x16, 0.0), 16000);
    EXPECT_GT(noisy, 0.3);
    EXPECT_LT(noisy, 0.95);
}

TEST(Stoi, too_short_after_silence_removal_is_undefined) {
    const auto x = speech_like(2000);  // 0.2 s: fewer than 30 frames
    EXPECT_TRUE(std::isnan(tqm::stoi(x, x, kRate)));
}

TEST(Stoi, rejects_signals_of_different_lengths) {
    const auto x = speech_like();
    EXPECT_ANY_THROW(tqm::stoi(x, std::vector<float>(x.begin(), x.end() - 1), kRate));
}
