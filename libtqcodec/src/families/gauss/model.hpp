// gauss: the representation. One packet of one channel is the natural-log
// magnitude of `frames` STFT frames (kFftSize-point periodic Hann, hop kHop,
// kBins bins) modelled as a smooth floor plus a sum of anisotropic 2-D
// Gaussians on the (frame, bin) plane:
//
//   L(t, f) = floor(t, f) + sum_i a_i * k(q_i(t, f)),   k(q) = exp(-q/2) - exp(-kCutoff/2) for q < kCutoff, else 0
//   q_i = A dt^2 + 2 B dt df + C df^2,  dt = t - mu_t, df = f - mu_f,
//   (A B; B C) = R(theta) diag(2^(-2 u1), 2^(-2 u2)) R(theta)^T
//
// so sigma_1 = 2^u1 along the direction theta (in frame/bin units) and
// sigma_2 = 2^u2 across it. The floor is bilinear between knots every
// kFloorHop frames and at the bins of kFloorBins. The kernel is cut at q =
// kCutoff (3 sigma) and shifted to reach 0 there, so a Gaussian touches only
// its 3-sigma box: rendering goes by strips of kTileFrames frames, each
// drawing only the Gaussians whose box meets it. Everything here runs the same
// for any thread count (each output is written by one thread, in a fixed order).
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <vector>

namespace tq::gauss {

inline constexpr int kSampleRate = 24000;
inline constexpr int kFftSize = 512;
inline constexpr int kHop = 128;
inline constexpr int kBins = kFftSize / 2 + 1;
inline constexpr int kFramesPerPacket = 192;
inline constexpr int kFrameSize = kFramesPerPacket * kHop;  // 24576 samples, 1.024 s
inline constexpr int kDelay = (kFftSize / kHop - 1) * kHop;  // 384: frame j covers hops j-3 .. j
inline constexpr float kCutoff = 9.0f;
inline constexpr int kTileFrames = 16;
inline constexpr int kFloorHop = 8;
inline constexpr std::array<int, 15> kFloorBins = {0, 3, 6, 10, 15, 21, 29, 39, 52, 69, 91, 120, 158, 205, 256};
inline constexpr int kFloorBands = static_cast<int>(kFloorBins.size());
// Parameter bounds, shared by the fitter (it clamps) and the quantizer.
inline constexpr float kMinLogScale = -1.0f;  // sigma >= 0.5 frame or bin
inline constexpr float kMaxLogScale = 6.0f;   // sigma <= 64
inline constexpr float kMaxAmplitude = 20.0f;  // nats

// Floor knots along time for a packet of `frames` frames: 0, kFloorHop, ... up to and past frames - 1.
inline int floor_times(int frames) { return frames <= 1 ? 1 : (frames - 1 + kFloorHop - 1) / kFloorHop + 1; }

struct Gaussian {
    float t = 0, f = 0;    // centre (frame, bin)
    float u1 = 0, u2 = 0;  // log2 of the scales along and across theta
    float theta = 0;       // radians, [-pi/2, pi/2)
    float a = 0;           // amplitude (nats), >= 0
};

struct Model {
    int frames = 0;
    std::vector<Gaussian> gaussians;
    std::vector<float> floor;  // [floor_times(frames)][kFloorBands]
};

// Precomputed quadratic form and 3-sigma box of one Gaussian (clipped to the grid; empty when t0 > t1).
struct Footprint {
    float A, B, C;
    int t0, t1, f0, f1;
};
Footprint footprint(const Gaussian& g, int frames);

// The cells all the Gaussians' boxes cover together may be at most kMaxCoverage times the
// packet's cells: the decoder refuses more (TQ_ERR_CORRUPT), the encoder never writes more, so
// rendering a packet is bounded (a hostile packet of 4095 Gaussians of scale 64 would otherwise
// cost 200 million kernel evaluations).
inline constexpr long kMaxCoverage = 48;
long coverage(const Model& m);

// Runs body(i) for i in [0, n) on up to `threads` threads, in contiguous chunks.
template <class F>
void parallel_for(int n, int threads, F&& body);

// log-magnitude [frames][kBins] of the model; if `gaussian_part` is not empty it
// receives the Gaussians' sum alone.
void render(const Model& m, std::span<float> out, int threads, std::span<float> gaussian_part = {});

// The floor alone [frames][kBins].
void render_floor(const Model& m, std::span<float> out);

// Gradient of sum(residual^2) over the grid, residual = render - target given
// as `residual` [frames][kBins]: per Gaussian 6 values (t, f, u1, u2, theta, a)
// and per floor knot one.
struct Gradient {
    std::vector<std::array<float, 6>> gaussians;
    std::vector<float> floor;
};
void gradient(const Model& m, std::span<const float> residual, Gradient& out, int threads);

}  // namespace tq::gauss

#include "families/gauss/parallel.inl"
