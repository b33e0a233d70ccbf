// DSP building blocks of the turbo family: the orthonormal fast Walsh–Hadamard
// transform and the exact Gaussian Lloyd-Max quantizers.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "dsp/fwht.hpp"
#include "dsp/lloyd_max.hpp"
#include "dsp/lpc.hpp"

namespace {

using tq::dsp::fwht;
using tq::dsp::fwht_unscaled;
using tq::dsp::lloyd_max;

std::vector<float> gaussian_vector(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> nd;
    std::vector<float> v(n);
    for (auto& x : v) x = nd(rng);
    return v;
}

double norm2(const std::vector<float>& v) {
    double s = 0;
    for (float x : v) s += static_cast<double>(x) * x;
    return s;
}

/* ---- FWHT ---- */

TEST(Fwht, MatchesTheNaiveHadamardMatrix) {
    for (std::size_t n = 1; n <= 256; n *= 2) {
        auto x = gaussian_vector(n, static_cast<unsigned>(n));
        std::vector<double> expect(n, 0.0);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j)
                expect[i] += (std::popcount(i & j) % 2 ? -1.0 : 1.0) * x[j] / std::sqrt(static_cast<double>(n));
        auto unscaled = x;
        fwht(x.data(), n);
        fwht_unscaled(unscaled.data(), n);
        for (std::size_t i = 0; i < n; ++i) {
            EXPECT_NEAR(x[i], expect[i], 1e-5) << "n=" << n << " i=" << i;
            EXPECT_NEAR(unscaled[i], expect[i] * std::sqrt(static_cast<double>(n)), 1e-4) << "n=" << n;
        }
    }
}

TEST(Fwht, PreservesTheNormAndIsItsOwnInverse) {
    for (std::size_t n = 64; n <= 4096; n *= 2) {
        const auto x = gaussian_vector(n, 7u + static_cast<unsigned>(n));
        auto y = x;
        fwht(y.data(), n);
        EXPECT_NEAR(norm2(y) / norm2(x), 1.0, 1e-5) << n;
        fwht(y.data(), n);
        double max_err = 0;
        for (std::size_t i = 0; i < n; ++i) max_err = std::max(max_err, static_cast<double>(std::abs(y[i] - x[i])));
        EXPECT_LT(max_err, 1e-5) << n;
    }
}

TEST(Fwht, MapsASignVectorsProductToASpike) {
    // A Walsh function (row k of H) transforms to a single spike at k: the
    // reason the turbo encoder needs a second sign vector for such blocks.
    const std::size_t n = 512, k = 77;
    std::vector<float> x(n);
    for (std::size_t j = 0; j < n; ++j) x[j] = std::popcount(k & j) % 2 ? -1.0f : 1.0f;
    fwht(x.data(), n);
    for (std::size_t i = 0; i < n; ++i) EXPECT_NEAR(x[i], i == k ? std::sqrt(512.0) : 0.0, 1e-4);
}

TEST(Fwht, RejectsSizesThatAreNotPowersOfTwo) {
    std::vector<float> x(100);
    EXPECT_THROW(fwht(x.data(), 100), tq::Error);
    EXPECT_THROW(fwht(x.data(), 0), tq::Error);
    EXPECT_TRUE(tq::dsp::fwht_size_ok(4096));
    EXPECT_FALSE(tq::dsp::fwht_size_ok(96));
}

/* ---- Lloyd-Max ---- */

TEST(LloydMax, MseMatchesThePublishedValues) {
    // Max (1960) / Jayant & Noll, Table 4.3: 0.3634, 0.1175, 0.03455, 0.009497.
    EXPECT_NEAR(lloyd_max(1).mse, 0.3634, 5e-5);
    EXPECT_NEAR(lloyd_max(2).mse, 0.1175, 5e-5);
    EXPECT_NEAR(lloyd_max(3).mse, 0.03455, 5e-6);
    EXPECT_NEAR(lloyd_max(4).mse, 0.00950, 5e-6);
    EXPECT_NEAR(lloyd_max(1).level[1], std::sqrt(2.0 / M_PI), 1e-12);
    EXPECT_NEAR(lloyd_max(2).level[3], 1.510, 5e-4);
    EXPECT_NEAR(lloyd_max(2).threshold[2], 0.9816, 5e-4);
}

TEST(LloydMax, HighRateTablesApproachThePanterDiteLimit) {
    double previous = 1.0;
    for (int b = 1; b <= 8; ++b) {
        const double mse = lloyd_max(b).mse;
        if (b > 1) {
            EXPECT_LT(mse, previous / 3.0) << b;  // each bit buys more than 4.7 dB
        }
        previous = mse;
        if (b >= 6) {
            const double panter_dite = std::sqrt(3.0) * M_PI / 2.0 * std::pow(4.0, -b);
            EXPECT_GT(mse / panter_dite, 0.96) << b;
            EXPECT_LT(mse / panter_dite, 1.0) << b;
        }
    }
}

TEST(LloydMax, LevelsAreSymmetricAndThresholdsAreMidpoints) {
    for (int b = 1; b <= 8; ++b) {
        const auto& t = lloyd_max(b);
        ASSERT_EQ(t.levels, 1 << b);
        ASSERT_EQ(t.level.size(), static_cast<std::size_t>(t.levels));
        ASSERT_EQ(t.threshold.size(), static_cast<std::size_t>(t.levels - 1));
        const std::size_t L = t.level.size();
        for (std::size_t i = 0; i < L; ++i) {
            EXPECT_DOUBLE_EQ(t.level[i], -t.level[L - 1 - i]) << b;
            if (i + 1 < L) {
                EXPECT_LT(t.level[i], t.level[i + 1]);
                EXPECT_NEAR(t.threshold[i], 0.5 * (t.level[i] + t.level[i + 1]), 1e-15) << b;
            }
        }
        double total = 0;
        for (double p : t.probability) total += p;
        EXPECT_NEAR(total, 1.0, 1e-12) << b;
    }
}

TEST(LloydMax, EveryLevelIsTheCentroidOfItsCell) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    for (int b = 1; b <= 8; ++b) {
        const auto& t = lloyd_max(b);
        const std::size_t L = t.level.size();
        for (std::size_t i = 0; i < L; ++i) {
            const double a = i == 0 ? -inf : t.threshold[i - 1];
            const double c = i + 1 == L ? inf : t.threshold[i];
            EXPECT_NEAR(t.level[i], tq::dsp::gaussian_centroid(a, c), 1e-11) << "bits " << b << " level " << i;
        }
    }
}

TEST(LloydMax, MseAgreesWithDirectNumericalIntegration) {
    for (int b : {1, 3, 5, 8}) {
        const auto& t = lloyd_max(b);
        // Simpson's rule on [-12, 12], split at every threshold (the integrand jumps there).
        std::vector<double> edges = {-12.0};
        edges.insert(edges.end(), t.threshold.begin(), t.threshold.end());
        edges.push_back(12.0);
        double mse = 0;
        for (std::size_t i = 0; i + 1 < edges.size(); ++i) {
            const double a = edges[i], c = edges[i + 1], y = t.level[i];
            const int steps = 2000;
            const double h = (c - a) / steps;
            auto f = [&](double x) { return (x - y) * (x - y) * tq::dsp::gaussian_pdf(x); };
            double s = f(a) + f(c);
            for (int k = 1; k < steps; ++k) s += f(a + k * h) * (k % 2 ? 4.0 : 2.0);
            mse += s * h / 3.0;
        }
        EXPECT_NEAR(mse / t.mse, 1.0, 1e-8) << b;
    }
}

TEST(LloydMax, QuantizeAgreesWithBruteForceNearestLevel) {
    std::mt19937 rng(42);
    std::normal_distribution<float> nd(0.0f, 1.5f);
    std::uniform_real_distribution<float> wide(-6.0f, 6.0f);
    for (int b = 1; b <= 8; ++b) {
        const auto& t = lloyd_max(b);
        const auto& q = t.quantizer;
        for (int trial = 0; trial < 200000; ++trial) {
            const float x = trial % 2 ? nd(rng) : wide(rng);
            const int got = t.quantize(x);
            ASSERT_GE(got, 0);
            ASSERT_LT(got, t.levels);
            float best = std::numeric_limits<float>::infinity();
            for (int i = 0; i < t.levels; ++i) best = std::min(best, std::abs(x - q.level(i)));
            // Equal distance up to float rounding at a threshold.
            ASSERT_LE(std::abs(x - q.level(got)), best + 1e-6f) << "bits " << b << " x " << x;
        }
        // Exactly on every threshold and just beside it.
        for (std::size_t i = 0; i < t.threshold.size(); ++i) {
            const float th = q.thresholds()[i];
            EXPECT_EQ(t.quantize(std::nextafter(th, -10.0f)), static_cast<int>(i));
            EXPECT_EQ(t.quantize(std::nextafter(th, 10.0f)), static_cast<int>(i) + 1);
        }
    }
}

TEST(LloydMax, QuantizeMapsEveryFloatToAValidIndex) {
    const auto& t = lloyd_max(6);
    const float specials[] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                              -std::numeric_limits<float>::infinity(), 1e30f, -1e30f, 0.0f, -0.0f,
                              std::numeric_limits<float>::denorm_min()};
    for (float x : specials) {
        const int i = t.quantize(x);
        EXPECT_GE(i, 0);
        EXPECT_LT(i, t.levels);
    }
    EXPECT_EQ(t.quantize(1e30f), t.levels - 1);
    EXPECT_EQ(t.quantize(-1e30f), 0);
}

TEST(LloydMax, HalfCellCentroidsLieInTheirHalfCells) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    for (int b = 1; b <= 8; ++b) {
        const auto& t = lloyd_max(b);
        const std::size_t L = t.level.size();
        ASSERT_EQ(t.half_centroid.size(), 2 * L);
        for (std::size_t i = 0; i < L; ++i) {
            const double a = i == 0 ? -inf : t.threshold[i - 1];
            const double c = i + 1 == L ? inf : t.threshold[i];
            const double lo = t.half_centroid[2 * i], hi = t.half_centroid[2 * i + 1];
            EXPECT_GT(lo, a);
            EXPECT_LT(lo, t.level[i]);
            EXPECT_GT(hi, t.level[i]);
            EXPECT_LT(hi, c);
            EXPECT_NEAR(lo, tq::dsp::gaussian_centroid(a, t.level[i]), 1e-12);
            EXPECT_NEAR(hi, tq::dsp::gaussian_centroid(t.level[i], c), 1e-12);
        }
        // Refining can only help, and the result is nearly as good as b+1 bits
        // (within 8 % at low rates, 1.5 % from 6 bits on).
        EXPECT_LT(t.half_mse, t.mse) << b;
        if (b < 8) {
            EXPECT_GT(t.half_mse, lloyd_max(b + 1).mse) << b;
            EXPECT_LT(t.half_mse, (b < 6 ? 1.08 : 1.015) * lloyd_max(b + 1).mse) << b;
        }
    }
}

TEST(LloydMax, TablesAreBuiltOnceAndThreadSafe) {
    std::vector<const tq::dsp::LloydMaxTable*> seen(8);
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) threads.emplace_back([&, i] { seen[static_cast<std::size_t>(i)] = &lloyd_max(7); });
    for (auto& th : threads) th.join();
    for (auto* p : seen) EXPECT_EQ(p, &lloyd_max(7));
    EXPECT_THROW(lloyd_max(0), tq::Error);
    EXPECT_THROW(lloyd_max(9), tq::Error);
}

TEST(ScalarQuantizer, HandlesArbitraryUnevenLevelSets) {
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> u(-5.0, 5.0);
    for (int trial = 0; trial < 50; ++trial) {
        std::vector<double> levels(static_cast<std::size_t>(2 + trial * 7));
        for (auto& l : levels) l = u(rng);
        std::sort(levels.begin(), levels.end());
        levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
        tq::dsp::ScalarQuantizer q(levels);
        for (int k = 0; k < 5000; ++k) {
            const float x = static_cast<float>(u(rng) * 1.3);
            float best = std::numeric_limits<float>::infinity();
            for (int i = 0; i < q.size(); ++i) best = std::min(best, std::abs(x - q.level(i)));
            ASSERT_LE(std::abs(x - q.level(q.quantize(x))), best + 1e-6f);
        }
    }
}

/* ---- linear prediction ---- */

TEST(Lpc, LevinsonRecoversAnAutoregressiveProcessOfOrderOne) {
    const double rho = 0.9;
    std::vector<double> r;
    for (int lag = 0; lag <= 4; ++lag) r.push_back(std::pow(rho, lag));
    const tq::dsp::Reflection refl = tq::dsp::levinson_durbin(r);
    ASSERT_EQ(refl.k.size(), 4u);
    EXPECT_NEAR(refl.k[0], -rho, 1e-12);
    for (std::size_t i = 1; i < 4; ++i) EXPECT_NEAR(refl.k[i], 0.0, 1e-12);
    EXPECT_NEAR(refl.prediction_gain, 1.0 / (1.0 - rho * rho), 1e-9);
}

TEST(Lpc, SilenceHasNothingToPredict) {
    const std::vector<float> zeros(64, 0.0f);
    const tq::dsp::Reflection refl = tq::dsp::levinson_durbin(tq::dsp::autocorrelation(zeros, 8));
    EXPECT_EQ(refl.prediction_gain, 1.0);
    for (double k : refl.k) EXPECT_EQ(k, 0.0);
}

TEST(Lpc, StepUpMatchesTheDirectFormOfTwoStages) {
    // A(z) = (1 + k0 z^-1) then the order-2 step: a1 = k0 + k1 k0, a2 = k1.
    const float k[] = {0.5f, -0.25f};
    const std::vector<float> a = tq::dsp::reflection_to_direct(k);
    ASSERT_EQ(a.size(), 2u);
    EXPECT_FLOAT_EQ(a[0], 0.5f + -0.25f * 0.5f);
    EXPECT_FLOAT_EQ(a[1], -0.25f);
}

TEST(Lpc, AutocorrelationOfAKnownSequence) {
    const float x[] = {1.0f, 2.0f, 3.0f};
    const std::vector<double> r = tq::dsp::autocorrelation(x, 2);
    EXPECT_EQ(r, (std::vector<double>{14.0, 8.0, 3.0}));
}

}  // namespace
