#include "families/gauss/model.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace tq::gauss {
namespace {

const float kEdge = std::exp(-0.5f * kCutoff);
constexpr float kLn2 = std::numbers::ln2_v<float>;

struct BandWeight {
    int band;  // knots band and band + 1
    float w;   // weight of band + 1
};

const std::array<BandWeight, kBins>& band_weights() {
    static const std::array<BandWeight, kBins> table = [] {
        std::array<BandWeight, kBins> t{};
        for (int f = 0; f < kBins; ++f) {
            int b = 0;
            while (b + 2 < kFloorBands && kFloorBins[static_cast<size_t>(b + 1)] <= f) ++b;
            const float lo = static_cast<float>(kFloorBins[static_cast<size_t>(b)]);
            const float hi = static_cast<float>(kFloorBins[static_cast<size_t>(b + 1)]);
            t[static_cast<size_t>(f)] = {b, (static_cast<float>(f) - lo) / (hi - lo)};
        }
        return t;
    }();
    return table;
}

// Knot row and weight of the next row for frame t.
void time_weight(int t, int knots, int& k, float& w) {
    if (knots <= 1) {
        k = 0;
        w = 0.0f;
        return;
    }
    k = std::min(t / kFloorHop, knots - 2);
    w = static_cast<float>(t - k * kFloorHop) / static_cast<float>(kFloorHop);
}

struct Form {
    float A, B, C, c, s, p1, p2;
};

Form form(const Gaussian& g) {
    Form r{};
    r.c = std::cos(g.theta);
    r.s = std::sin(g.theta);
    r.p1 = std::exp2(-2.0f * g.u1);
    r.p2 = std::exp2(-2.0f * g.u2);
    r.A = r.c * r.c * r.p1 + r.s * r.s * r.p2;
    r.B = r.c * r.s * (r.p1 - r.p2);
    r.C = r.s * r.s * r.p1 + r.c * r.c * r.p2;
    return r;
}

std::vector<std::vector<int>> strips(const std::vector<Footprint>& fp, int frames) {
    const int n = (frames + kTileFrames - 1) / kTileFrames;
    std::vector<std::vector<int>> lists(static_cast<size_t>(n));
    for (size_t i = 0; i < fp.size(); ++i) {
        if (fp[i].t0 > fp[i].t1 || fp[i].f0 > fp[i].f1) continue;
        for (int s = fp[i].t0 / kTileFrames; s <= fp[i].t1 / kTileFrames; ++s)
            lists[static_cast<size_t>(s)].push_back(static_cast<int>(i));
    }
    return lists;
}

}  // namespace

Footprint footprint(const Gaussian& g, int frames) {
    const Form q = form(g);
    Footprint fp{q.A, q.B, q.C, 1, 0, 1, 0};
    const double det = double(q.p1) * double(q.p2);
    if (!(det > 0.0) || !std::isfinite(det) || !std::isfinite(g.t) || !std::isfinite(g.f)) return fp;
    const double ht = std::sqrt(double(kCutoff) * double(q.C) / det);
    const double hf = std::sqrt(double(kCutoff) * double(q.A) / det);
    const double t0 = std::ceil(double(g.t) - ht), t1 = std::floor(double(g.t) + ht);
    const double f0 = std::ceil(double(g.f) - hf), f1 = std::floor(double(g.f) + hf);
    fp.t0 = static_cast<int>(std::clamp(t0, 0.0, double(frames)));
    fp.t1 = static_cast<int>(std::clamp(t1, -1.0, double(frames - 1)));
    fp.f0 = static_cast<int>(std::clamp(f0, 0.0, double(kBins)));
    fp.f1 = static_cast<int>(std::clamp(f1, -1.0, double(kBins - 1)));
    return fp;
}

long coverage(const Model& m) {
    long cells = 0;
    for (const Gaussian& g : m.gaussians) {
        const Footprint p = footprint(g, m.frames);
        if (p.t0 <= p.t1 && p.f0 <= p.f1) cells += static_cast<long>(p.t1 - p.t0 + 1) * (p.f1 - p.f0 + 1);
    }
    return cells;
}

void render_floor(const Model& m, std::span<float> out) {
    const int knots = floor_times(m.frames);
    const auto& bw = band_weights();
    for (int t = 0; t < m.frames; ++t) {
        int k;
        float wt;
        time_weight(t, knots, k, wt);
        const float* r0 = m.floor.data() + static_cast<size_t>(k) * kFloorBands;
        const float* r1 = knots > 1 ? r0 + kFloorBands : r0;
        float* row = out.data() + static_cast<size_t>(t) * kBins;
        for (int f = 0; f < kBins; ++f) {
            const auto [b, wf] = bw[static_cast<size_t>(f)];
            const float v0 = r0[b] + wf * (r0[b + 1] - r0[b]);
            const float v1 = r1[b] + wf * (r1[b + 1] - r1[b]);
            row[f] = v0 + wt * (v1 - v0);
        }
    }
}

void render(const Model& m, std::span<float> out, int threads, std::span<float> gaussian_part) {
    render_floor(m, out);
    std::vector<Footprint> fp(m.gaussians.size());
    for (size_t i = 0; i < fp.size(); ++i) fp[i] = footprint(m.gaussians[i], m.frames);
    const std::vector<std::vector<int>> lists = strips(fp, m.frames);
    if (!gaussian_part.empty()) std::fill(gaussian_part.begin(), gaussian_part.end(), 0.0f);
    parallel_for(static_cast<int>(lists.size()), threads, [&](int s) {
        const int lo = s * kTileFrames, hi = std::min(m.frames, lo + kTileFrames) - 1;
        for (int i : lists[static_cast<size_t>(s)]) {
            const Footprint& p = fp[static_cast<size_t>(i)];
            const Gaussian& g = m.gaussians[static_cast<size_t>(i)];
            for (int t = std::max(p.t0, lo); t <= std::min(p.t1, hi); ++t) {
                const float dt = static_cast<float>(t) - g.t;
                float* row = out.data() + static_cast<size_t>(t) * kBins;
                float* part = gaussian_part.empty() ? nullptr : gaussian_part.data() + static_cast<size_t>(t) * kBins;
                for (int f = p.f0; f <= p.f1; ++f) {
                    const float df = static_cast<float>(f) - g.f;
                    const float q = p.A * dt * dt + 2.0f * p.B * dt * df + p.C * df * df;
                    if (q >= kCutoff) continue;
                    const float v = g.a * (std::exp(-0.5f * q) - kEdge);
                    row[f] += v;
                    if (part) part[f] += v;
                }
            }
        }
    });
}

void gradient(const Model& m, std::span<const float> residual, Gradient& out, int threads) {
    const size_t n = m.gaussians.size();
    out.gaussians.assign(n, {});
    parallel_for(static_cast<int>(n), threads, [&](int i) {
        const Gaussian& g = m.gaussians[static_cast<size_t>(i)];
        const Footprint p = footprint(g, m.frames);
        double ga = 0, gA = 0, gB = 0, gC = 0, gt = 0, gf = 0;
        for (int t = p.t0; t <= p.t1; ++t) {
            const float dt = static_cast<float>(t) - g.t;
            const float* r = residual.data() + static_cast<size_t>(t) * kBins;
            float sa = 0, sA = 0, sB = 0, sC = 0, st = 0, sf = 0;
            for (int f = p.f0; f <= p.f1; ++f) {
                const float df = static_cast<float>(f) - g.f;
                const float q = p.A * dt * dt + 2.0f * p.B * dt * df + p.C * df * df;
                if (q >= kCutoff) continue;
                const float e = std::exp(-0.5f * q);
                const float rr = 2.0f * r[f];
                sa += rr * (e - kEdge);
                const float dq = -0.5f * rr * g.a * e;  // dL/dq
                sA += dq * dt * dt;
                sB += dq * 2.0f * dt * df;
                sC += dq * df * df;
                st += dq * -2.0f * (p.A * dt + p.B * df);
                sf += dq * -2.0f * (p.B * dt + p.C * df);
            }
            ga += sa, gA += sA, gB += sB, gC += sC, gt += st, gf += sf;
        }
        const Form q = form(g);
        const double d1 = -2.0 * kLn2 * q.p1, d2 = -2.0 * kLn2 * q.p2;
        const double c = q.c, s = q.s, diff = double(q.p1) - double(q.p2);
        const double gu1 = gA * c * c * d1 + gB * c * s * d1 + gC * s * s * d1;
        const double gu2 = gA * s * s * d2 - gB * c * s * d2 + gC * c * c * d2;
        const double s2 = 2.0 * s * c, c2 = c * c - s * s;
        const double gth = -gA * s2 * diff + gB * c2 * diff + gC * s2 * diff;
        out.gaussians[static_cast<size_t>(i)] = {float(gt), float(gf), float(gu1), float(gu2), float(gth), float(ga)};
    });
    const int knots = floor_times(m.frames);
    out.floor.assign(static_cast<size_t>(knots) * kFloorBands, 0.0f);
    const auto& bw = band_weights();
    std::vector<double> acc(out.floor.size(), 0.0);
    for (int t = 0; t < m.frames; ++t) {
        int k;
        float wt;
        time_weight(t, knots, k, wt);
        const float* r = residual.data() + static_cast<size_t>(t) * kBins;
        double* a0 = acc.data() + static_cast<size_t>(k) * kFloorBands;
        double* a1 = knots > 1 ? a0 + kFloorBands : a0;
        for (int f = 0; f < kBins; ++f) {
            const auto [b, wf] = bw[static_cast<size_t>(f)];
            const double g = 2.0 * r[f];
            a0[b] += g * (1.0 - wt) * (1.0 - wf);
            a0[b + 1] += g * (1.0 - wt) * wf;
            a1[b] += g * wt * (1.0 - wf);
            a1[b + 1] += g * wt * wf;
        }
    }
    for (size_t i = 0; i < acc.size(); ++i) out.floor[i] = static_cast<float>(acc[i]);
}

}  // namespace tq::gauss
