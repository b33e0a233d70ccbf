// gauss: the quantizer and the payload syntax (BITSTREAM.md), writer beside reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "families/gauss/model.hpp"

namespace tq::gauss {

// How many STFT frames each packet carries: just enough for the decoder to
// emit the packet's samples (each frame completes one hop). The samples
// finished but not emitted yet (fewer than one hop) carry over.
class Schedule {
public:
    int frames_for(int samples) const { return samples > ready_ ? (samples - ready_ + kHop - 1) / kHop : 0; }
    void advance(int samples) { ready_ += kHop * frames_for(samples) - samples; }
    void reset() { ready_ = 0; }

private:
    int ready_ = 0;
};

// Quantized fields of one Gaussian (steps: half a frame, a quarter bin, a quarter
// octave of scale, pi/16 of angle, kAmpStep nats).
struct QGaussian {
    int t, f, u1, u2, theta, a;
    bool operator==(const QGaussian&) const = default;
};
inline constexpr float kAmpStep = 0.25f;
inline constexpr int kScaleLevels = static_cast<int>((kMaxLogScale - kMinLogScale) * 4) + 1;  // 29
inline constexpr int kAngleLevels = 16;
inline constexpr int kAmpLevels = static_cast<int>(kMaxAmplitude / kAmpStep) + 1;  // 81
inline constexpr int kBinSteps = 4;  // per bin
inline constexpr int kBinLevels = kBinSteps * (kBins - 1) + 1;  // 1025
inline constexpr float kFloorStep = 0.35f;
inline constexpr int kFloorLevels = 172;  // floor q in [-86, 85]: +-30 nats
inline constexpr int kFloorMin = -86;
// Per packet and channel; the encoder never writes more (kFramesPerPacket frames at 32 kbit/s need ~1,200).
inline constexpr int kMaxGaussians = 4095;

// Quantized packet of one channel.
struct QModel {
    int frames = 0;
    std::vector<QGaussian> gaussians;  // sorted by (t, f, ...) when written
    std::vector<int> floor;            // [floor_times(frames)][kFloorBands]
};

QGaussian quantize(const Gaussian& g, int frames);
Gaussian dequantize(const QGaussian& q);
QModel quantize(const Model& m);
Model dequantize(const QModel& q);

// One channel's section. The writer sorts a copy by time, then frequency.
std::vector<uint8_t> write_channel(const QModel& q);
// Reads a section of `frames` frames. Throws TQ_ERR_CORRUPT on a count past
// kMaxGaussians, a time past the packet or bytes left over.
QModel read_channel(std::span<const uint8_t> bytes, int frames);

// A packet: every channel's section but the last prefixed by its length (LEB128).
std::vector<uint8_t> write_payload(const std::vector<std::vector<uint8_t>>& sections);
std::vector<std::span<const uint8_t>> split_payload(std::span<const uint8_t> payload, int channels);

// Upper bound of a payload (every field at its worst).
std::size_t max_payload_bytes(int frames, int channels);

}  // namespace tq::gauss
