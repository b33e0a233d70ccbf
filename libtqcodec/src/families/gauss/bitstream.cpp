#include "families/gauss/bitstream.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numbers>
#include <string>
#include <tuple>

#include "core/byteio.hpp"
#include "core/error.hpp"
#include "core/range_coder.hpp"

namespace tq::gauss {
namespace {

constexpr float kPi = std::numbers::pi_v<float>;

int round_clamp(float x, int lo, int hi) {
    if (!std::isfinite(x)) return lo;
    return static_cast<int>(std::lround(std::clamp(x, static_cast<float>(lo), static_cast<float>(hi))));
}

// Non-negative integers: bit length (adaptive, 0..kLengths-1) then the bits under the leading 1.
constexpr int kLengths = 14;
void put_uint(RangeEncoder& out, AdaptiveModel& lengths, uint32_t v) {
    const int n = static_cast<int>(std::bit_width(v));
    out.encode(lengths, n);
    if (n > 1) out.encode_bits(v & ((1u << (n - 1)) - 1), n - 1);
}
uint32_t get_uint(RangeDecoder& in, AdaptiveModel& lengths) {
    const int n = in.decode(lengths);
    if (n == 0) return 0;
    if (n == 1) return 1;
    return (1u << (n - 1)) | in.decode_bits(n - 1);
}

// The adaptive models of one section, fresh for each.
struct Models {
    AdaptiveModel count_len{kLengths}, dt_len{kLengths};
    AdaptiveModel f_coarse{kBinLevels / 32 + 1};
    AdaptiveModel u1{kScaleLevels}, u2{kScaleLevels}, theta{kAngleLevels}, amp{kAmpLevels};
    AdaptiveModel floor_first{kFloorLevels}, floor_delta{2 * kFloorLevels - 1};
};

int floor_prediction(const std::vector<int>& fl, int k, int b) {
    if (k > 0) return fl[static_cast<size_t>(k - 1) * kFloorBands + static_cast<size_t>(b)];
    if (b > 0) return fl[static_cast<size_t>(b - 1)];
    return 0;
}

}  // namespace

QGaussian quantize(const Gaussian& g, int frames) {
    QGaussian q;
    q.t = round_clamp(2.0f * g.t, 0, 2 * std::max(0, frames - 1));
    q.f = round_clamp(kBinSteps * g.f, 0, kBinLevels - 1);
    q.u1 = round_clamp(4.0f * (g.u1 - kMinLogScale), 0, kScaleLevels - 1);
    q.u2 = round_clamp(4.0f * (g.u2 - kMinLogScale), 0, kScaleLevels - 1);
    const int th = static_cast<int>(std::lround(std::isfinite(g.theta) ? g.theta / (kPi / kAngleLevels) : 0.0f));
    q.theta = ((th % kAngleLevels) + kAngleLevels) % kAngleLevels;
    q.a = round_clamp(g.a / kAmpStep, 0, kAmpLevels - 1);
    return q;
}

Gaussian dequantize(const QGaussian& q) {
    Gaussian g;
    g.t = 0.5f * static_cast<float>(q.t);
    g.f = static_cast<float>(q.f) / kBinSteps;
    g.u1 = kMinLogScale + 0.25f * static_cast<float>(q.u1);
    g.u2 = kMinLogScale + 0.25f * static_cast<float>(q.u2);
    // Levels 0..7 are angles 0..7pi/16, 8..15 are -pi/2..-pi/16.
    g.theta = static_cast<float>(q.theta < kAngleLevels / 2 ? q.theta : q.theta - kAngleLevels) * (kPi / kAngleLevels);
    g.a = kAmpStep * static_cast<float>(q.a);
    return g;
}

QModel quantize(const Model& m) {
    QModel q;
    q.frames = m.frames;
    for (const Gaussian& g : m.gaussians) q.gaussians.push_back(quantize(g, m.frames));
    for (float v : m.floor) q.floor.push_back(round_clamp(v / kFloorStep, kFloorMin, kFloorMin + kFloorLevels - 1));
    return q;
}

Model dequantize(const QModel& q) {
    Model m;
    m.frames = q.frames;
    for (const QGaussian& g : q.gaussians) m.gaussians.push_back(dequantize(g));
    for (int v : q.floor) m.floor.push_back(kFloorStep * static_cast<float>(v));
    return m;
}

std::vector<uint8_t> write_channel(const QModel& q) {
    require(static_cast<int>(q.gaussians.size()) <= kMaxGaussians, TQ_ERR_INTERNAL, "gauss: too many Gaussians");
    RangeEncoder out;
    Models md;
    const int knots = floor_times(q.frames);
    for (int k = 0; k < knots; ++k)
        for (int b = 0; b < kFloorBands; ++b) {
            const int v = q.floor[static_cast<size_t>(k) * kFloorBands + static_cast<size_t>(b)];
            if (k == 0 && b == 0) out.encode(md.floor_first, v - kFloorMin);
            else out.encode(md.floor_delta, v - floor_prediction(q.floor, k, b) + kFloorLevels - 1);
        }
    std::vector<QGaussian> g = q.gaussians;
    std::sort(g.begin(), g.end(), [](const QGaussian& a, const QGaussian& b) {
        return std::tie(a.t, a.f, a.u1, a.u2, a.theta, a.a) < std::tie(b.t, b.f, b.u1, b.u2, b.theta, b.a);
    });
    put_uint(out, md.count_len, static_cast<uint32_t>(g.size()));
    int prev_t = 0;
    for (const QGaussian& x : g) {
        put_uint(out, md.dt_len, static_cast<uint32_t>(x.t - prev_t));
        prev_t = x.t;
        out.encode(md.f_coarse, x.f >> 5);
        out.encode_bits(static_cast<uint32_t>(x.f & 31), 5);
        out.encode(md.u1, x.u1);
        out.encode(md.u2, x.u2);
        out.encode(md.theta, x.theta);
        out.encode(md.amp, x.a);
    }
    return out.finish();
}

QModel read_channel(std::span<const uint8_t> bytes, int frames) {
    RangeDecoder in(bytes);
    Models md;
    QModel q;
    q.frames = frames;
    const int knots = floor_times(frames);
    q.floor.assign(static_cast<size_t>(knots) * kFloorBands, 0);
    for (int k = 0; k < knots; ++k)
        for (int b = 0; b < kFloorBands; ++b) {
            int v;
            if (k == 0 && b == 0) v = in.decode(md.floor_first) + kFloorMin;
            else v = in.decode(md.floor_delta) - (kFloorLevels - 1) + floor_prediction(q.floor, k, b);
            require_intact(v >= kFloorMin && v < kFloorMin + kFloorLevels,
                           "gauss packet: floor level " + std::to_string(v) + " outside " + std::to_string(kFloorMin) +
                               ".." + std::to_string(kFloorMin + kFloorLevels - 1));
            q.floor[static_cast<size_t>(k) * kFloorBands + static_cast<size_t>(b)] = v;
        }
    const uint32_t count = get_uint(in, md.count_len);
    require_intact(count <= static_cast<uint32_t>(kMaxGaussians),
                   "gauss packet: " + std::to_string(count) + " Gaussians, at most " + std::to_string(kMaxGaussians));
    const int last_t = 2 * std::max(0, frames - 1);
    int t = 0;
    q.gaussians.reserve(count);
    for (uint32_t i = 0; i < count; ++i) {
        QGaussian x;
        const uint32_t dt = get_uint(in, md.dt_len);
        require_intact(dt <= static_cast<uint32_t>(last_t - t),
                       "gauss packet: Gaussian " + std::to_string(i) + " past the packet's " + std::to_string(frames) +
                           " frames");
        t += static_cast<int>(dt);
        x.t = t;
        x.f = (in.decode(md.f_coarse) << 5) | static_cast<int>(in.decode_bits(5));
        require_intact(x.f < kBinLevels, "gauss packet: Gaussian " + std::to_string(i) + " at quarter-bin " +
                                             std::to_string(x.f) + ", past " + std::to_string(kBinLevels - 1));
        x.u1 = in.decode(md.u1);
        x.u2 = in.decode(md.u2);
        x.theta = in.decode(md.theta);
        x.a = in.decode(md.amp);
        q.gaussians.push_back(x);
    }
    require_intact(bytes.size() <= in.position(), "gauss packet: " + std::to_string(bytes.size() - in.position()) +
                                                      " bytes left over after the last Gaussian");
    return q;
}

std::vector<uint8_t> write_payload(const std::vector<std::vector<uint8_t>>& sections) {
    ByteWriter w;
    for (size_t c = 0; c < sections.size(); ++c) {
        if (c + 1 < sections.size()) w.varint(sections[c].size());
        w.bytes(sections[c]);
    }
    return w.take();
}

std::vector<std::span<const uint8_t>> split_payload(std::span<const uint8_t> payload, int channels) {
    ByteReader r(payload, "gauss packet");
    std::vector<std::span<const uint8_t>> out;
    for (int c = 0; c + 1 < channels; ++c) {
        const uint64_t n = r.varint();
        require_intact(n <= r.remaining(), "gauss packet: channel " + std::to_string(c) + " section of " +
                                               std::to_string(n) + " bytes, " + std::to_string(r.remaining()) +
                                               " left");
        out.push_back(r.bytes(static_cast<size_t>(n)));
    }
    out.push_back(r.rest());
    return out;
}

std::size_t max_payload_bytes(int frames, int channels) {
    const std::size_t knots = static_cast<std::size_t>(floor_times(frames));
    // Floor symbols <= 9 bits; a Gaussian <= 14 + 5 + 4 + 5 + 5 + 4 + 7 bits + rounding: 6 bytes each.
    const std::size_t section = knots * kFloorBands * 2 + 6 * kMaxGaussians + 16;
    return static_cast<std::size_t>(channels) * (section + 10);
}

}  // namespace tq::gauss
