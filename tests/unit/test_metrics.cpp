// Quality metrics (tools/metrics): definitions pinned on signals with known answers.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <utility>
#include <vector>

#include "metrics/metrics.hpp"
#include "test_support.hpp"

namespace {

constexpr int kRate = 16000;

std::vector<float> white_noise(size_t n, unsigned seed, float amplitude = 0.3f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, amplitude);
    std::vector<float> x(n);
    for (auto& v : x) v = dist(rng);
    return x;
}

// A speech-like test signal: two partials with a slow amplitude envelope plus a little noise.
std::vector<float> test_signal(size_t n, unsigned seed = 1) {
    std::vector<float> x = white_noise(n, seed, 0.02f);
    for (size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / kRate;
        const double env = 0.6 + 0.4 * std::sin(2 * std::numbers::pi * 3 * t);
        x[i] += static_cast<float>(env * (0.4 * std::sin(2 * std::numbers::pi * 440 * t) +
                                          0.2 * std::sin(2 * std::numbers::pi * 1250 * t)));
    }
    return x;
}

double energy(const std::vector<float>& x) {
    double e = 0;
    for (float v : x) e += double(v) * v;
    return e;
}

// ref + noise scaled so that 10 log10(E_ref / E_noise) is exactly `snr` dB.
std::vector<float> add_noise_at(const std::vector<float>& ref, double snr, unsigned seed) {
    std::vector<float> noise = white_noise(ref.size(), seed);
    const double gain = std::sqrt(energy(ref) / (energy(noise) * std::pow(10.0, snr / 10)));
    std::vector<float> out(ref);
    for (size_t i = 0; i < out.size(); ++i) out[i] += static_cast<float>(gain * noise[i]);
    return out;
}

std::vector<float> scaled(std::vector<float> x, float g) {
    for (auto& v : x) v *= g;
    return x;
}

std::vector<float> delayed(const std::vector<float>& x, size_t d) {
    std::vector<float> out(d, 0.0f);
    out.insert(out.end(), x.begin(), x.end());
    return out;
}

tqm::AudioView mono(const std::vector<float>& x) { return {x.data(), x.size(), 1, kRate}; }

// Pearson correlation form: SI-SDR = 10 log10(rho^2 / (1 - rho^2)), computed independently.
double si_sdr_closed_form(const std::vector<float>& s, const std::vector<float>& d) {
    double ms = 0, md = 0;
    for (size_t i = 0; i < s.size(); ++i) ms += s[i], md += d[i];
    ms /= double(s.size()), md /= double(s.size());
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        sxy += (s[i] - ms) * (d[i] - md);
        sxx += (s[i] - ms) * (s[i] - ms);
        syy += (d[i] - md) * (d[i] - md);
    }
    const double rho2 = sxy * sxy / (sxx * syy);
    return 10 * std::log10(rho2 / (1 - rho2));
}

}  // namespace

TEST(Metrics, identical_signals_give_the_documented_extremes) {
    const auto x = test_signal(kRate);
    EXPECT_EQ(tqm::snr_db(x, x), tqm::kMaxDb);
    EXPECT_EQ(tqm::segmental_snr_db(x, x, kRate), tqm::kSegMaxDb);
    EXPECT_GT(tqm::si_sdr_db(x, x), 100.0);
    EXPECT_EQ(tqm::log_spectral_distance_db(x, x, kRate), 0.0);
    EXPECT_EQ(tqm::mel_distance(x, x, kRate), 0.0);
}

TEST(Metrics, compare_of_identical_signals_finds_no_delay) {
    const auto x = test_signal(kRate);
    tqm::Report r = tqm::compare(mono(x), mono(x));
    EXPECT_EQ(r.delay, 0);
    EXPECT_EQ(r.overlap_frames, x.size());
    EXPECT_EQ(r.snr_db, tqm::kMaxDb);
    EXPECT_EQ(r.mel_distance, 0.0);
}

TEST(Metrics, gain_change_keeps_si_sdr_and_lowers_snr_as_predicted) {
    const auto x = test_signal(kRate);
    const auto noisy = add_noise_at(x, 20.0, 7);
    const double si = tqm::si_sdr_db(x, noisy);
    for (float g : {0.5f, 0.9f, 1.7f}) {
        const auto y = scaled(noisy, g);
        EXPECT_NEAR(tqm::si_sdr_db(x, y), si, 1e-3) << "gain " << g;
    }
    // Pure gain g: error = (1 - g) x, so SNR = -20 log10|1 - g|.
    for (float g : {0.5f, 0.9f, 1.25f}) {
        EXPECT_NEAR(tqm::snr_db(x, scaled(x, g)), -20 * std::log10(std::abs(1.0 - g)), 1e-3) << "gain " << g;
        EXPECT_GT(tqm::si_sdr_db(x, scaled(x, g)), 100.0);
    }
}

TEST(Metrics, gain_shifts_the_log_spectra_by_its_level) {
    const auto x = white_noise(kRate, 3);
    // White noise fills every bin: LSD of a gain is exactly 20 log10 g.
    EXPECT_NEAR(tqm::log_spectral_distance_db(x, scaled(x, 2.0f), kRate), 20 * std::log10(2.0), 1e-3);
    // Mel: each non-empty band moves by log10 g; empty bands (tiny windows) stay at the clamp.
    const double mel = tqm::mel_distance(x, scaled(x, 2.0f), kRate);
    EXPECT_GT(mel, 5 * std::log10(2.0));
    EXPECT_LE(mel, 7 * std::log10(2.0) + 1e-6);
}

TEST(Metrics, white_noise_at_known_snr_is_measured_within_0_05_db) {
    const auto x = test_signal(2 * kRate);
    for (double target : {10.0, 20.0}) {
        const auto y = add_noise_at(x, target, 11);
        EXPECT_NEAR(tqm::snr_db(x, y), target, 0.05);
        EXPECT_NEAR(tqm::si_sdr_db(x, y), target, 0.1);  // noise nearly orthogonal to x
    }
}

TEST(Metrics, segmental_snr_of_a_stationary_signal_is_close_to_its_snr) {
    // With a steady reference every 20 ms frame sees about the global SNR (a signal with an
    // envelope scores lower: the mean of per-frame dB weights quiet frames like loud ones).
    const auto x = white_noise(2 * kRate, 31);
    for (double target : {10.0, 20.0}) {
        const auto y = add_noise_at(x, target, 37);
        EXPECT_NEAR(tqm::segmental_snr_db(x, y, kRate), target, 0.3);
    }
}

TEST(Metrics, si_sdr_matches_closed_form_to_0_01_db) {
    const auto x = test_signal(kRate, 5);
    for (double target : {0.0, 5.0, 15.0, 30.0}) {
        auto y = scaled(add_noise_at(x, target, 13), 0.8f);
        for (auto& v : y) v += 0.01f;  // DC offset: removed by the zero-mean definition
        EXPECT_NEAR(tqm::si_sdr_db(x, y), si_sdr_closed_form(x, y), 0.01) << target;
    }
}

TEST(Metrics, alignment_recovers_delay_exactly_and_metrics_match_the_undelayed_case) {
    const auto x = test_signal(kRate);
    const auto y = add_noise_at(x, 15.0, 17);
    const tqm::Report base = tqm::compare(mono(x), mono(y));
    for (size_t d : {1u, 37u, 1000u, 8000u}) {
        const auto yd = delayed(y, d);
        const tqm::Report r = tqm::compare(mono(x), mono(yd));
        EXPECT_EQ(r.delay, static_cast<int64_t>(d));
        EXPECT_EQ(r.overlap_frames, x.size());
        EXPECT_DOUBLE_EQ(r.snr_db, base.snr_db);
        EXPECT_DOUBLE_EQ(r.si_sdr_db, base.si_sdr_db);
        EXPECT_DOUBLE_EQ(r.lsd_db, base.lsd_db);
        EXPECT_DOUBLE_EQ(r.mel_distance, base.mel_distance);
    }
}

TEST(Metrics, alignment_finds_a_decoded_signal_that_is_early) {
    const auto x = test_signal(kRate);
    const std::vector<float> early(x.begin() + 250, x.end());
    EXPECT_EQ(tqm::compare(mono(x), mono(early)).delay, -250);
}

TEST(Metrics, alignment_search_is_bounded) {
    const auto x = white_noise(kRate, 19);
    const auto far = delayed(x, 3000);
    EXPECT_EQ(tqm::estimate_delay(x, far, 5000), 3000);
    EXPECT_NE(tqm::estimate_delay(x, far, 1000), 3000);
    EXPECT_EQ(tqm::estimate_delay(x, far, 0), 0);
}

TEST(Metrics, silence_gives_no_delay_and_undefined_ratios) {
    const std::vector<float> zero(4000, 0.0f);
    EXPECT_EQ(tqm::estimate_delay(zero, zero, 1000), 0);
    EXPECT_TRUE(std::isnan(tqm::snr_db(zero, zero)));
    EXPECT_TRUE(std::isnan(tqm::si_sdr_db(zero, zero)));
    EXPECT_TRUE(std::isnan(tqm::segmental_snr_db(zero, zero, kRate)));
    EXPECT_EQ(tqm::mel_distance(zero, zero, kRate), 0.0);
}

TEST(Metrics, segmental_snr_clamps_each_frame) {
    const auto x = test_signal(kRate);
    const auto bad = scaled(x, -1.0f);  // error = 2x: -6 dB in every frame
    EXPECT_NEAR(tqm::segmental_snr_db(x, bad, kRate), -20 * std::log10(2.0), 1e-3);
    const auto worse = scaled(x, -9.0f);  // -20 dB, clamped to -10
    EXPECT_DOUBLE_EQ(tqm::segmental_snr_db(x, worse, kRate), tqm::kSegMinDb);
}

TEST(Metrics, multichannel_metrics_are_per_channel_averages) {
    const auto l = test_signal(kRate, 21), r = test_signal(kRate, 22);
    const auto dl = add_noise_at(l, 10.0, 23), dr = add_noise_at(r, 30.0, 24);
    std::vector<float> ref, dec;
    for (size_t i = 0; i < l.size(); ++i) ref.insert(ref.end(), {l[i], r[i]}), dec.insert(dec.end(), {dl[i], dr[i]});
    const tqm::Report rep = tqm::compare({ref.data(), l.size(), 2, kRate}, {dec.data(), l.size(), 2, kRate});
    EXPECT_NEAR(rep.snr_db, 20.0, 0.01);
    EXPECT_NEAR(rep.si_sdr_db, (tqm::si_sdr_db(l, dl) + tqm::si_sdr_db(r, dr)) / 2, 1e-9);
}

TEST(Metrics, compare_rejects_mismatched_channels_and_rates) {
    const auto x = test_signal(1000);
    EXPECT_ANY_THROW(tqm::compare({x.data(), 500, 2, kRate}, mono(x)));
    EXPECT_ANY_THROW(tqm::compare(mono(x), {x.data(), x.size(), 1, 44100}));
}

TEST(Metrics, slaney_filterbank_triangles_have_unit_area) {
    // Slaney normalisation scales each triangle to height 2 / (f_right - f_left): area 1 in Hz.
    const int sr = 16000, n_fft = 2048, n_mels = 40;
    const auto fb = tqm::slaney_mel_filterbank(sr, n_fft, n_mels);
    const size_t bins = n_fft / 2 + 1;
    ASSERT_EQ(fb.size(), n_mels * bins);
    const double bin_hz = double(sr) / n_fft;
    for (size_t m = 0; m < n_mels; ++m) {
        double area = 0;
        for (size_t k = 0; k < bins; ++k) {
            ASSERT_GE(fb[m * bins + k], 0.0);
            area += fb[m * bins + k] * bin_hz;
        }
        EXPECT_NEAR(area, 1.0, 0.03) << "band " << m;
    }
    EXPECT_EQ(fb[0], 0.0);  // band 0 starts at 0 Hz
}

using tqtest::lcg_noise;

// The signal pair the numpy references below were computed on:
// x = 0.3 sin(2 pi 440 n / 16000) + 0.1 lcg(1); y = 0.8 x + 0.04 lcg(2); 8000 samples.
std::pair<std::vector<float>, std::vector<float>> numpy_reference_pair() {
    const size_t n = 8000;
    const auto a = lcg_noise(1, n), b = lcg_noise(2, n);
    std::vector<float> x(n), y(n);
    for (size_t i = 0; i < n; ++i) {
        x[i] = static_cast<float>(0.3 * std::sin(2 * std::numbers::pi * 440 * double(i) / kRate) + 0.1 * a[i]);
        y[i] = static_cast<float>(0.8 * double(x[i]) + 0.04 * b[i]);
    }
    return {x, y};
}

TEST(Metrics, mel_distance_matches_an_independent_numpy_port_of_dac) {
    // Reference: numpy with librosa's mel_frequencies/filters.mel code (Slaney, htk=False),
    // np.pad(mode="reflect") by n/2, periodic Hann, |rfft|, log10(clamp 1e-5), L1 mean.
    const auto [x, y] = numpy_reference_pair();
    const double expected[] = {0.0904999, 0.0882785, 0.0885984, 0.0932117, 0.0954915, 0.0962795, 0.0959877};
    double total = 0;
    for (size_t s = 0; s < 7; ++s) {
        const double d = tqm::mel_distance_scale(x, y, kRate, tqm::kDacMelScales[s]);
        EXPECT_NEAR(d, expected[s], 2e-6) << "window " << tqm::kDacMelScales[s].window;
        total += expected[s];
    }
    EXPECT_NEAR(tqm::mel_distance(x, y, kRate), total, 1e-5);
}

TEST(Metrics, mel_distance_on_short_signals_is_defined) {
    const auto x = white_noise(100, 29);  // shorter than half the largest window
    EXPECT_EQ(tqm::mel_distance(x, x, kRate), 0.0);
    EXPECT_GT(tqm::mel_distance(x, scaled(x, 0.5f), kRate), 0.0);
    EXPECT_TRUE(std::isfinite(tqm::log_spectral_distance_db(x, scaled(x, 0.5f), kRate)));
}

TEST(Metrics, snr_and_si_sdr_match_numpy_through_alignment_to_0_01_db) {
    // Reference (numpy, float64 on the same float32 samples):
    //   snr = 10 log10(sum x^2 / sum (x - y)^2); s = x - mean(x), d = y - mean(y),
    //   t = <d,s>/<s,s> s, si_sdr = 10 log10(sum t^2 / sum (d - t)^2)
    // x = 0.3 sin(2 pi 440 n / 16000) + 0.1 lcg(1); y = 0.8 x + 0.04 lcg(2); 8000 samples.
    // Here y arrives 123 samples late: compare() must align it first.
    const auto [x, y] = numpy_reference_pair();
    const tqm::Report r = tqm::compare(mono(x), mono(delayed(y, 123)));
    EXPECT_EQ(r.delay, 123);
    EXPECT_NEAR(r.snr_db, 13.66596014712782, 0.01);
    EXPECT_NEAR(r.si_sdr_db, 23.407413551509517, 0.01);
}

TEST(Metrics, gain_and_delay_together_leave_si_sdr_unchanged) {
    const auto x = test_signal(kRate, 41);
    const auto y = add_noise_at(x, 18.0, 43);
    const double expected = tqm::si_sdr_db(x, y);
    for (float g : {0.3f, 2.0f}) {
        const tqm::Report r = tqm::compare(mono(x), mono(delayed(scaled(y, g), 500)));
        EXPECT_EQ(r.delay, 500) << "gain " << g;
        EXPECT_NEAR(r.si_sdr_db, expected, 1e-3) << "gain " << g;
    }
}

TEST(Metrics, stereo_alignment_uses_one_delay_for_both_channels) {
    const auto l = test_signal(kRate, 51), r = test_signal(kRate, 52);
    const size_t d = 77;
    std::vector<float> ref, dec(2 * d, 0.0f);
    for (size_t i = 0; i < l.size(); ++i) ref.insert(ref.end(), {l[i], r[i]}), dec.insert(dec.end(), {l[i], r[i]});
    const tqm::Report rep = tqm::compare({ref.data(), l.size(), 2, kRate}, {dec.data(), l.size() + d, 2, kRate});
    EXPECT_EQ(rep.delay, static_cast<int64_t>(d));
    EXPECT_EQ(rep.snr_db, tqm::kMaxDb);
}
