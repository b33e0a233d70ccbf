#include "families/gauss/fit.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <vector>

namespace tq::gauss {
namespace {

constexpr float kPi = std::numbers::pi_v<float>;

// Adam on a flat parameter vector with one learning rate per slot.
class Adam {
public:
    void resize(size_t n) {
        m_.resize(n, 0.0f);
        v_.resize(n, 0.0f);
    }
    void reset_slot(size_t i) { m_[i] = v_[i] = 0.0f; }
    void step(std::vector<float>& x, const std::vector<float>& g, const std::vector<float>& lr) {
        ++t_;
        const float b1 = 0.9f, b2 = 0.999f;
        const float c1 = 1.0f - std::pow(b1, static_cast<float>(t_)), c2 = 1.0f - std::pow(b2, static_cast<float>(t_));
        for (size_t i = 0; i < x.size(); ++i) {
            m_[i] = b1 * m_[i] + (1 - b1) * g[i];
            v_[i] = b2 * v_[i] + (1 - b2) * g[i] * g[i];
            x[i] -= lr[i] * (m_[i] / c1) / (std::sqrt(v_[i] / c2) + 1e-8f);
        }
    }

private:
    std::vector<float> m_, v_;
    int t_ = 0;
};

// Per-bin weight of the squared error: the mel scale's density (d mel / d Hz, 1 at 1 kHz)
// to the power 1/2, so errors count about as the mel bands they fall in.
const std::array<float, kBins>& bin_weights() {
    static const std::array<float, kBins> w = [] {
        std::array<float, kBins> t{};
        constexpr double p = 0.5;
        for (int f = 0; f < kBins; ++f) {
            const double hz = static_cast<double>(f) * kSampleRate / kFftSize;
            t[static_cast<size_t>(f)] = static_cast<float>(std::pow(1700.0 / (700.0 + hz), p));
        }
        return t;
    }();
    return w;
}

// Residual peaks (weighted nats) below this are not worth a Gaussian.
constexpr float kMinPeak = 0.3f;

constexpr float kRates[6] = {0.15f, 0.15f, 0.04f, 0.04f, 0.04f, 0.08f};  // t, f, u1, u2, theta, a
constexpr float kFloorRate = 0.05f;

void to_vector(const Model& m, std::vector<float>& x) {
    x.clear();
    for (const Gaussian& g : m.gaussians) x.insert(x.end(), {g.t, g.f, g.u1, g.u2, g.theta, g.a});
    x.insert(x.end(), m.floor.begin(), m.floor.end());
}

void from_vector(Model& m, const std::vector<float>& x) {
    size_t k = 0;
    for (Gaussian& g : m.gaussians) {
        g = {x[k], x[k + 1], x[k + 2], x[k + 3], x[k + 4], x[k + 5]};
        k += 6;
        clamp(g, m.frames);
    }
    std::copy(x.begin() + static_cast<long>(k), x.end(), m.floor.begin());
    for (float& v : m.floor) v = std::clamp(v, -30.0f, 30.0f);
}

float quantile(std::vector<float>& v, float q) {
    const size_t k = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<float>(v.size())));
    std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
    return v[k];
}

// Each knot: the 25 % quantile of the target within half a knot spacing around it.
void init_floor(Model& m, std::span<const float> target) {
    const int knots = floor_times(m.frames);
    m.floor.assign(static_cast<size_t>(knots) * kFloorBands, 0.0f);
    std::vector<float> cells;
    for (int k = 0; k < knots; ++k)
        for (int b = 0; b < kFloorBands; ++b) {
            const int tc = k * kFloorHop;
            const int t0 = std::max(0, tc - kFloorHop / 2), t1 = std::min(m.frames - 1, tc + kFloorHop / 2);
            const int fc = kFloorBins[static_cast<size_t>(b)];
            const int f0 = b > 0 ? (kFloorBins[static_cast<size_t>(b - 1)] + fc) / 2 : 0;
            const int f1 = b + 1 < kFloorBands ? (kFloorBins[static_cast<size_t>(b + 1)] + fc + 1) / 2 : kBins - 1;
            cells.clear();
            for (int t = std::min(t0, m.frames - 1); t <= t1; ++t)
                for (int f = f0; f <= f1; ++f) cells.push_back(target[static_cast<size_t>(t) * kBins + f]);
            m.floor[static_cast<size_t>(k) * kFloorBands + b] = cells.empty() ? 0.0f : quantile(cells, 0.25f);
        }
}

// Adds up to `count` Gaussians at the largest local maxima of the residual target - model.
void add_at_peaks(Model& m, std::span<const float> target, std::span<const float> model, int count,
                  float min_peak = kMinPeak) {
    const int T = m.frames;
    std::vector<float> r(target.size());
    const auto& w = bin_weights();
    for (size_t i = 0; i < r.size(); ++i) r[i] = (target[i] - model[i]) * w[i % kBins];
    {
        // Noise makes random local maxima: pick peaks of the residual smoothed along time.
        std::vector<float> sm(r.size());
        for (int t = 0; t < T; ++t)
            for (int f = 0; f < kBins; ++f) {
                const size_t i = static_cast<size_t>(t) * kBins + f;
                const float a = r[t > 0 ? i - kBins : i], b = r[t + 1 < T ? i + kBins : i];
                sm[i] = 0.25f * a + 0.5f * r[i] + 0.25f * b;
            }
        r.swap(sm);
    }
    struct Peak {
        float v;
        int t, f;
    };
    std::vector<Peak> peaks;
    for (int t = 0; t < T; ++t)
        for (int f = 0; f < kBins; ++f) {
            const float v = r[static_cast<size_t>(t) * kBins + f];
            if (v < min_peak) continue;
            bool top = true;
            for (int dt = -1; dt <= 1 && top; ++dt)
                for (int df = -1; df <= 1; ++df) {
                    const int tt = t + dt, ff = f + df;
                    if ((dt || df) && tt >= 0 && tt < T && ff >= 0 && ff < kBins) {
                        const float nb = r[static_cast<size_t>(tt) * kBins + ff];
                        // Ties go to the earlier cell.
                        if (nb > v || (nb == v && (dt < 0 || (dt == 0 && df < 0)))) {
                            top = false;
                            break;
                        }
                    }
                }
            if (top) peaks.push_back({v, t, f});
        }
    std::stable_sort(peaks.begin(), peaks.end(), [](const Peak& a, const Peak& b) { return a.v > b.v; });
    // Peaks inside the half-height box of a Gaussian added before are left for a later stage.
    std::vector<uint8_t> covered(r.size(), 0);
    int added = 0;
    for (const Peak& p : peaks) {
        if (added >= count) break;
        if (covered[static_cast<size_t>(p.t) * kBins + p.f]) continue;
        // Half-height extents along time and frequency.
        auto extent = [&](int dt, int df) {
            int n = 0, t = p.t, f = p.f;
            while (n < 64) {
                t += dt, f += df;
                if (t < 0 || t >= T || f < 0 || f >= kBins || r[static_cast<size_t>(t) * kBins + f] < 0.5f * p.v) break;
                ++n;
            }
            return n;
        };
        const float lt = 0.5f + 0.5f * static_cast<float>(extent(-1, 0) + extent(1, 0));
        const float lf = 0.5f + 0.5f * static_cast<float>(extent(0, -1) + extent(0, 1));
        Gaussian g;
        g.t = static_cast<float>(p.t);
        g.f = static_cast<float>(p.f);
        // Half width at half height is 1.18 sigma.
        g.u1 = std::log2(std::max(0.5f, lt / 1.18f));
        g.u2 = std::log2(std::max(0.5f, lf / 1.18f));
        g.theta = 0.0f;
        g.a = p.v / w[static_cast<size_t>(p.f)];
        clamp(g, T);
        m.gaussians.push_back(g);
        ++added;
        const int t0 = std::max(0, p.t - extent(-1, 0)), t1 = std::min(T - 1, p.t + extent(1, 0));
        const int f0 = std::max(0, p.f - extent(0, -1)), f1 = std::min(kBins - 1, p.f + extent(0, 1));
        for (int t = t0; t <= t1; ++t)
            for (int f = f0; f <= f1; ++f) covered[static_cast<size_t>(t) * kBins + f] = 1;
    }
}

void adam_steps(Model& m, std::span<const float> target, int iterations, int threads, bool geometry) {
    if (iterations <= 0) return;
    std::vector<float> x, g, lr;
    to_vector(m, x);
    lr.resize(x.size());
    for (size_t i = 0; i < m.gaussians.size(); ++i)
        for (int k = 0; k < 6; ++k) lr[i * 6 + static_cast<size_t>(k)] = (geometry || k == 5) ? kRates[k] : 0.0f;
    std::fill(lr.begin() + static_cast<long>(m.gaussians.size() * 6), lr.end(), kFloorRate);
    Adam adam;
    adam.resize(x.size());
    std::vector<float> model(target.size()), residual(target.size());
    Gradient grad;
    g.resize(x.size());
    for (int it = 0; it < iterations; ++it) {
        render(m, model, threads);
        const auto& w = bin_weights();
        for (size_t i = 0; i < residual.size(); ++i) residual[i] = (model[i] - target[i]) * w[i % kBins];
        gradient(m, residual, grad, threads);
        size_t k = 0;
        for (const auto& gg : grad.gaussians)
            for (float v : gg) g[k++] = std::isfinite(v) ? v : 0.0f;
        for (float v : grad.floor) g[k++] = std::isfinite(v) ? v : 0.0f;
        adam.step(x, g, lr);
        from_vector(m, x);
        to_vector(m, x);  // the clamped values
    }
}

}  // namespace

void clamp(Gaussian& g, int frames) {
    auto finite = [](float v) { return std::isfinite(v) ? v : 0.0f; };
    g.t = std::clamp(finite(g.t), 0.0f, static_cast<float>(std::max(0, frames - 1)));
    g.f = std::clamp(finite(g.f), 0.0f, static_cast<float>(kBins - 1));
    g.u1 = std::clamp(finite(g.u1), kMinLogScale, kMaxLogScale);
    g.u2 = std::clamp(finite(g.u2), kMinLogScale, kMaxLogScale);
    float th = finite(g.theta);
    th -= kPi * std::floor((th + 0.5f * kPi) / kPi);
    g.theta = std::clamp(th, -0.5f * kPi, 0.5f * kPi);
    g.a = std::clamp(finite(g.a), 0.0f, kMaxAmplitude);
}

void order_by_importance(Model& m) {
    auto energy = [](const Gaussian& g) { return g.a * g.a * std::exp2(g.u1 + g.u2); };
    std::stable_sort(m.gaussians.begin(), m.gaussians.end(),
                     [&](const Gaussian& a, const Gaussian& b) { return energy(a) > energy(b); });
}

void refine(Model& m, std::span<const float> target, int iterations, int threads, bool geometry) {
    adam_steps(m, target, iterations, threads, geometry);
}

Model fit(std::span<const float> target, int frames, const FitSettings& s) {
    Model m;
    m.frames = frames;
    init_floor(m, target);
    std::vector<float> model(target.size());
    const int stages = std::max(1, s.stages);
    for (int stage = 0; stage < stages; ++stage) {
        render(m, model, s.threads);
        const int want = static_cast<int>(static_cast<long>(s.max_gaussians) * (stage + 1) / stages);
        add_at_peaks(m, target, model, want - static_cast<int>(m.gaussians.size()));
        adam_steps(m, target, s.iterations / stages, s.threads, true);
    }
    // Peaks hidden under the boxes of earlier Gaussians show up now, and smaller ones are
    // worth their bytes when the budget allows more: up to `stages` shorter rounds fill the
    // count, each accepting peaks half as high as the one before.
    float min_peak = kMinPeak;
    for (int extra = 0; extra < stages && static_cast<int>(m.gaussians.size()) < s.max_gaussians; ++extra) {
        render(m, model, s.threads);
        const size_t before = m.gaussians.size();
        min_peak *= 0.5f;
        add_at_peaks(m, target, model, s.max_gaussians - static_cast<int>(before), min_peak);
        if (m.gaussians.size() == before) break;
        adam_steps(m, target, s.iterations / (2 * stages), s.threads, true);
    }
    // Prune what contributes little.
    std::erase_if(m.gaussians, [](const Gaussian& g) { return g.a < 0.1f; });
    order_by_importance(m);
    return m;
}

}  // namespace tq::gauss
