// dsp::Mdct: against the defining sum, perfect reconstruction by overlap-add
// (TDAC) across frames, orthogonality (energy) and the window conditions.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <vector>

#include "core/error.hpp"
#include "dsp/mdct.hpp"

namespace {

using tq::dsp::Mdct;
using tq::dsp::MdctWindow;

std::vector<float> noise(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    std::vector<float> v(n);
    for (auto& x : v) x = nd(rng);
    return v;
}

// X[k] = sqrt(2/n) sum_i w[i] x[i] cos(pi/n (i + 1/2 + n/2)(k + 1/2)), in double.
std::vector<double> direct_mdct(const std::vector<float>& x, const std::vector<float>& w, std::size_t n) {
    std::vector<double> out(n);
    for (std::size_t k = 0; k < n; ++k) {
        double s = 0.0;
        for (std::size_t i = 0; i < 2 * n; ++i)
            s += static_cast<double>(w[i]) * x[i] *
                 std::cos(std::numbers::pi / static_cast<double>(n) * (static_cast<double>(i) + 0.5 + static_cast<double>(n) / 2) *
                          (static_cast<double>(k) + 0.5));
        out[k] = s * std::sqrt(2.0 / static_cast<double>(n));
    }
    return out;
}

// Codes `x` frame by frame (zero before and after) and overlap-adds the inverse;
// returns the output aligned with x.
std::vector<float> round_trip(Mdct& mdct, const std::vector<float>& x, double* coefficient_energy = nullptr) {
    const std::size_t n = mdct.size();
    const std::size_t frames = x.size() / n + 1;
    std::vector<float> padded(n + frames * n + n, 0.0f), out(padded.size(), 0.0f);
    std::copy(x.begin(), x.end(), padded.begin() + static_cast<long>(n));
    std::vector<float> coef(n), frame(2 * n);
    double energy = 0.0;
    for (std::size_t f = 0; f <= frames; ++f) {
        mdct.forward(padded.data() + f * n, coef.data());
        for (float c : coef) energy += static_cast<double>(c) * c;
        mdct.inverse(coef.data(), frame.data());
        for (std::size_t i = 0; i < 2 * n; ++i) out[f * n + i] += frame[i];
    }
    if (coefficient_energy) *coefficient_energy = energy;
    return {out.begin() + static_cast<long>(n), out.begin() + static_cast<long>(n + x.size())};
}

TEST(Mdct, MatchesTheDefiningSum) {
    for (std::size_t n : {2u, 4u, 8u, 16u, 64u, 256u, 1024u, 48u}) {
        for (MdctWindow shape : {MdctWindow::sine, MdctWindow::kbd}) {
            Mdct mdct(n, shape);
            const auto x = noise(2 * n, static_cast<unsigned>(n));
            std::vector<float> fast(n);
            mdct.forward(x.data(), fast.data());
            const auto ref = direct_mdct(x, mdct.window(), n);
            double err = 0.0, energy = 0.0;
            for (std::size_t k = 0; k < n; ++k) {
                err += (fast[k] - ref[k]) * (fast[k] - ref[k]);
                energy += ref[k] * ref[k];
            }
            EXPECT_LT(err, 1e-10 * energy + 1e-12) << "n " << n;
        }
    }
}

TEST(Mdct, WindowsSatisfyPrincenBradley) {
    for (MdctWindow shape : {MdctWindow::sine, MdctWindow::kbd}) {
        for (std::size_t n : {4u, 256u, 1024u}) {
            const auto w = tq::dsp::mdct_window(shape, n);
            ASSERT_EQ(w.size(), 2 * n);
            for (std::size_t i = 0; i < n; ++i) {
                EXPECT_NEAR(w[i] * w[i] + w[i + n] * w[i + n], 1.0f, 1e-6f);
                EXPECT_EQ(w[i], w[2 * n - 1 - i]);
            }
        }
    }
    // KBD (alpha 4) is much smaller than the sine window near its edge.
    const auto sine = tq::dsp::mdct_window(MdctWindow::sine, 1024);
    const auto kbd = tq::dsp::mdct_window(MdctWindow::kbd, 1024);
    EXPECT_LT(kbd[128], 0.25f * sine[128]);
}

TEST(Mdct, OverlapAddReconstructsPerfectly) {
    for (std::size_t n : {64u, 256u, 1024u, 4096u}) {
        for (MdctWindow shape : {MdctWindow::sine, MdctWindow::kbd}) {
            Mdct mdct(n, shape);
            const auto x = noise(5 * n + n / 3, 7);
            const auto y = round_trip(mdct, x);
            double err = 0.0, energy = 0.0;
            for (std::size_t i = 0; i < x.size(); ++i) {
                err += (x[i] - y[i]) * (x[i] - y[i]);
                energy += static_cast<double>(x[i]) * x[i];
            }
            EXPECT_LT(10.0 * std::log10(err / energy), -110.0) << "n " << n;
        }
    }
}

TEST(Mdct, OneFrameAliasesAndItsNeighboursCancelIt) {
    // A single frame on its own does not reconstruct (time-domain aliasing);
    // only the overlap of both neighbours does.
    const std::size_t n = 256;
    Mdct mdct(n);
    const auto x = noise(2 * n, 3);
    std::vector<float> coef(n), y(2 * n);
    mdct.forward(x.data(), coef.data());
    mdct.inverse(coef.data(), y.data());
    double err = 0.0;
    for (std::size_t i = 0; i < 2 * n; ++i) err += (y[i] - x[i]) * (y[i] - x[i]);
    EXPECT_GT(err, 0.1 * 2 * n);
}

TEST(Mdct, LappedTransformIsOrthogonal) {
    Mdct mdct(512);
    const auto x = noise(512 * 8, 5);
    double coefficient_energy = 0.0, energy = 0.0;
    round_trip(mdct, x, &coefficient_energy);
    for (float v : x) energy += static_cast<double>(v) * v;
    EXPECT_NEAR(coefficient_energy / energy, 1.0, 1e-5);
}

TEST(Mdct, ToneConcentratesInItsBin) {
    const std::size_t n = 1024;
    Mdct mdct(n);
    std::vector<float> x(2 * n), coef(n);
    for (std::size_t i = 0; i < 2 * n; ++i) x[i] = static_cast<float>(std::cos(std::numbers::pi * (100.5) * static_cast<double>(i) / n));
    mdct.forward(x.data(), coef.data());
    double near = 0.0, total = 0.0;
    for (std::size_t k = 0; k < n; ++k) {
        total += coef[k] * coef[k];
        if (k >= 97 && k <= 104) near += coef[k] * coef[k];
    }
    EXPECT_GT(near / total, 0.999);
}

TEST(Mdct, BadSizesAreInternalErrors) {
    for (std::size_t n : {0u, 1u, 3u, 131072u}) {
        try {
            Mdct m(n);
            ADD_FAILURE() << n;
        } catch (const tq::Error& e) {
            EXPECT_EQ(e.code(), TQ_ERR_INTERNAL);
        }
    }
}

}  // namespace
