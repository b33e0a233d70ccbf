#include "dsp/lloyd_max.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <mutex>
#include <string>

#include "core/error.hpp"

namespace tq::dsp {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kInvSqrt2Pi = 0.39894228040143267794;
constexpr double kInvSqrt2 = 0.70710678118654752440;

// P(a < X < b) without cancellation in either tail.
double cell_probability(double a, double b) {
    if (a >= 0.0) return gaussian_tail(a) - gaussian_tail(b);
    if (b <= 0.0) return gaussian_tail(-b) - gaussian_tail(-a);
    return 1.0 - gaussian_tail(-a) - gaussian_tail(b);
}

// x * phi(x), taken as 0 at +-inf.
double x_pdf(double x) { return std::isinf(x) ? 0.0 : x * gaussian_pdf(x); }

// Inverse of gaussian_tail on (0, 0.5]: Newton from a rough start (only used
// to seed the iteration, so a few steps are plenty).
double tail_inverse(double q) {
    double x = std::sqrt(-2.0 * std::log(q));
    x -= (2.515517 + 0.802853 * x + 0.010328 * x * x) /
         (1.0 + 1.432788 * x + 0.189269 * x * x + 0.001308 * x * x * x);  // Abramowitz-Stegun 26.2.23
    for (int i = 0; i < 4; ++i) x += (gaussian_tail(x) - q) / gaussian_pdf(x);
    return std::max(x, 0.0);
}

// One Lloyd sweep on the positive half of an even, symmetric quantizer with
// m = L/2 positive levels p[0] < ... < p[m-1] (thresholds 0, midpoints, +inf):
// g[k] = centroid of cell k. If the Jacobian pointers are given, also returns
// the tridiagonal Jacobian of the sweep, dg[k]/dp[k-1], dg[k]/dp[k], dg[k]/dp[k+1].
void lloyd_sweep(const std::vector<double>& p, std::vector<double>& g, std::vector<double>* sub = nullptr,
                 std::vector<double>* diag = nullptr, std::vector<double>* sup = nullptr) {
    const std::size_t m = p.size();
    for (std::size_t k = 0; k < m; ++k) {
        const double a = k == 0 ? 0.0 : 0.5 * (p[k - 1] + p[k]);
        const double b = k + 1 == m ? kInf : 0.5 * (p[k] + p[k + 1]);
        g[k] = gaussian_centroid(a, b);
        if (sub) {
            const double prob = cell_probability(a, b);
            // dC/da = phi(a)(C - a)/P, dC/db = phi(b)(b - C)/P; each threshold
            // moves by half of each of its two levels' moves.
            const double da = k == 0 ? 0.0 : 0.5 * gaussian_pdf(a) * (g[k] - a) / prob;
            const double db = k + 1 == m ? 0.0 : 0.5 * gaussian_pdf(b) * (b - g[k]) / prob;
            (*sub)[k] = da;
            (*diag)[k] = da + db;
            (*sup)[k] = db;
        }
    }
}

bool ascending_positive(const std::vector<double>& p) {
    if (!(p[0] > 0.0) || !std::isfinite(p.back())) return false;
    for (std::size_t k = 1; k < p.size(); ++k)
        if (!(p[k] > p[k - 1])) return false;
    return true;
}

// Solves the Lloyd-Max conditions on the positive half. The fixed point of the
// Lloyd iteration p = G(p) is found with Newton steps on G(p) - p = 0 (the
// Jacobian is tridiagonal), which converge quadratically where the plain
// iteration crawls (about 10^5 sweeps for 8 bits); plain Lloyd sweeps then
// confirm the fixed point. Returns the number of sweeps made.
int lloyd_positive_half(std::vector<double>& p) {
    const std::size_t m = p.size();
    // Start from the high-resolution (companding) solution: point density
    // proportional to phi^(1/3), i.e. levels at the quantiles of N(0, 3).
    for (std::size_t k = 0; k < m; ++k) {
        const double q = 0.5 * (1.0 - (static_cast<double>(k) + 0.5) / static_cast<double>(m));
        p[k] = std::sqrt(3.0) * tail_inverse(q);
    }
    std::vector<double> g(m), sub(m), diag(m), sup(m), r(m), c(m), trial(m);
    int sweeps = 0;
    for (int newton = 0; newton < 100; ++newton) {
        lloyd_sweep(p, g, &sub, &diag, &sup);
        ++sweeps;
        double residual = 0.0;
        for (std::size_t k = 0; k < m; ++k) {
            r[k] = g[k] - p[k];
            residual = std::max(residual, std::abs(r[k]));
        }
        if (residual < 1e-13) break;  // the rounding-noise floor of the centroids
        // (I - J) delta = r, by the Thomas algorithm.
        for (std::size_t k = 0; k < m; ++k) {
            const double a = k == 0 ? 0.0 : -sub[k];
            double b = 1.0 - diag[k];
            double rhs = r[k];
            if (k > 0) {
                b -= a * c[k - 1];
                rhs -= a * r[k - 1];
            }
            c[k] = k + 1 < m ? -sup[k] / b : 0.0;
            r[k] = rhs / b;
        }
        for (std::size_t k = m - 1; k-- > 0;) r[k] -= c[k] * r[k + 1];
        for (std::size_t k = 0; k < m; ++k) trial[k] = p[k] + r[k];
        if (!ascending_positive(trial)) {
            p = g;  // Newton overshot: take the plain Lloyd step instead
            continue;
        }
        p = trial;
    }
    // Plain Lloyd sweeps until nothing moves beyond rounding noise (the
    // closed-form centroid of a narrow cell is good to a few 1e-14).
    constexpr int kMaxSweeps = 1000000;
    for (; sweeps < kMaxSweeps; ) {
        lloyd_sweep(p, g);
        ++sweeps;
        double moved = 0.0;
        for (std::size_t k = 0; k < m; ++k) moved = std::max(moved, std::abs(g[k] - p[k]));
        p = g;
        if (moved < 1e-13) return sweeps;
    }
    fail(TQ_ERR_INTERNAL, "lloyd_max: the Lloyd iteration did not converge");
}

LloydMaxTable build(int bits) {
    LloydMaxTable tab;
    tab.bits = bits;
    tab.levels = 1 << bits;
    const std::size_t L = static_cast<std::size_t>(tab.levels), m = L / 2;

    std::vector<double> p(m);
    tab.iterations = lloyd_positive_half(p);

    tab.level.resize(L);
    for (std::size_t k = 0; k < m; ++k) {
        tab.level[m + k] = p[k];
        tab.level[m - 1 - k] = -p[k];
    }
    tab.threshold.resize(L - 1);
    for (std::size_t i = 0; i + 1 < L; ++i) tab.threshold[i] = 0.5 * (tab.level[i] + tab.level[i + 1]);
    tab.threshold[m - 1] = 0.0;  // exactly, by symmetry

    auto lower = [&](std::size_t i) { return i == 0 ? -kInf : tab.threshold[i - 1]; };
    auto upper = [&](std::size_t i) { return i + 1 == L ? kInf : tab.threshold[i]; };

    tab.probability.resize(L);
    tab.half_centroid.resize(2 * L);
    double mse = 0.0, half_mse = 0.0;
    // Sum from the tails inwards (small terms first) on the positive half, then double.
    for (std::size_t k = m; k-- > 0;) {
        const std::size_t i = m + k;
        const double a = lower(i), b = upper(i), y = tab.level[i];
        mse += gaussian_cell_error(a, b, y);
        const double lo = gaussian_centroid(a, y), hi = gaussian_centroid(y, b);
        half_mse += gaussian_cell_error(a, y, lo) + gaussian_cell_error(y, b, hi);
        tab.probability[i] = tab.probability[m - 1 - k] = cell_probability(a, b);
        tab.half_centroid[2 * i] = lo;
        tab.half_centroid[2 * i + 1] = hi;
        tab.half_centroid[2 * (m - 1 - k)] = -hi;
        tab.half_centroid[2 * (m - 1 - k) + 1] = -lo;
    }
    tab.mse = 2.0 * mse;
    tab.half_mse = 2.0 * half_mse;
    tab.quantizer = ScalarQuantizer(tab.level);
    return tab;
}

}  // namespace

double gaussian_pdf(double x) { return kInvSqrt2Pi * std::exp(-0.5 * x * x); }

double gaussian_tail(double x) { return 0.5 * std::erfc(x * kInvSqrt2); }

double gaussian_centroid(double a, double b) {
    const double prob = cell_probability(a, b);
    const double num = (std::isinf(a) ? 0.0 : gaussian_pdf(a)) - (std::isinf(b) ? 0.0 : gaussian_pdf(b));
    if (!(prob > 0.0)) {  // a cell too far out to have measurable probability
        if (std::isinf(a)) return b;
        if (std::isinf(b)) return a;
        return 0.5 * (a + b);
    }
    return num / prob;
}

double gaussian_cell_error(double a, double b, double c) {
    const double prob = cell_probability(a, b);
    const double m1 = (std::isinf(a) ? 0.0 : gaussian_pdf(a)) - (std::isinf(b) ? 0.0 : gaussian_pdf(b));
    const double m2 = prob + x_pdf(a) - x_pdf(b);
    return m2 - 2.0 * c * m1 + c * c * prob;
}

const LloydMaxTable& lloyd_max(int bits) {
    if (bits < kLloydMaxMinBits || bits > kLloydMaxMaxBits)
        fail(TQ_ERR_INTERNAL, "lloyd_max: " + std::to_string(bits) + " bits is outside 1..8");
    static std::array<std::once_flag, kLloydMaxMaxBits + 1> once;
    static std::array<LloydMaxTable, kLloydMaxMaxBits + 1> tables;
    const auto b = static_cast<std::size_t>(bits);
    std::call_once(once[b], [&] { tables[b] = build(bits); });
    return tables[b];
}

/* ---- ScalarQuantizer ---- */

ScalarQuantizer::ScalarQuantizer(std::span<const double> levels) {
    const std::size_t n = levels.size();
    if (n < 2 || n > 65535) fail(TQ_ERR_INTERNAL, "ScalarQuantizer: needs 2..65535 levels");
    levels_.resize(n);
    thresholds_.resize(n);
    std::vector<double> t(n - 1);
    double min_gap = kInf;
    for (std::size_t i = 0; i < n; ++i) {
        levels_[i] = static_cast<float>(levels[i]);
        if (i + 1 < n) {
            if (!(levels[i + 1] > levels[i])) fail(TQ_ERR_INTERNAL, "ScalarQuantizer: levels must ascend");
            t[i] = 0.5 * (levels[i] + levels[i + 1]);
            thresholds_[i] = static_cast<float>(t[i]);
            if (i > 0) min_gap = std::min(min_gap, t[i] - t[i - 1]);
        }
    }
    thresholds_[n - 1] = std::numeric_limits<float>::infinity();  // sentinel: never step past the top level
    if (n == 2) min_gap = 1.0;

    // Cells at most half the narrowest decision interval wide: any value lies
    // at most one threshold above its cell's (conservative) table entry.
    const double width = min_gap / 2.0;
    const double lo = t.front() - 2.0 * width;
    const double cells = std::ceil((t.back() + 2.0 * width - lo) / width) + 1.0;
    if (cells > 1 << 20) fail(TQ_ERR_INTERNAL, "ScalarQuantizer: levels too unevenly spaced for a table");
    lut_.resize(static_cast<std::size_t>(cells));
    std::size_t below = 0;  // thresholds strictly below the cell's left edge (minus a margin)
    for (std::size_t c = 0; c < lut_.size(); ++c) {
        const double edge = lo + static_cast<double>(c) * width - 0.25 * width;
        while (below < t.size() && static_cast<double>(thresholds_[below]) < edge) ++below;
        lut_[c] = static_cast<uint16_t>(below);
    }
    lo_ = static_cast<float>(lo);
    inv_width_ = static_cast<float>(1.0 / width);
    last_cell_ = static_cast<float>(lut_.size() - 1);
}

}  // namespace tq::dsp
