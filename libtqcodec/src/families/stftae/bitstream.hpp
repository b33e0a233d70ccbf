// stftae: what encoder and decoder agree on beyond the parameters: the
// framing (which latents a packet carries), the latent quantizer and the
// payload syntax (BITSTREAM.md).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "families/stftae/model.hpp"

namespace tq::stftae {

inline constexpr int kFrameSize = kSampleRate;  // 1 s packets: 100 hops
// Latent j needs input up to (j + 5) * kHop, and output hop m is finished once
// latent m + 3 is decoded, so the input up to hop h gives output up to hop h - 7
// (BITSTREAM.md section 5).
inline constexpr int kDelayHops = kEncoderContext + kHopsPerFrame - 1;
inline constexpr int kDelay = kDelayHops * kHop;
static_assert(kDelay == 1680);
// The first latent a stream codes; those before it are the silence latent
// (their features see no sample of the stream).
inline constexpr int kFirstLatent = -kEncoderContext;

// Step indices 0..127 give steps 2^-12 .. 2^3.875 latent scales: the model
// trains with 2^-6 .. 2^1.5 (k = 48 .. 108); 48 kbit/s needs about 2^-5.5 for
// 64 latents, 6 kbit/s about 2^1, and the rest is headroom either way.
inline constexpr int kStepCount = 256;  // every value of the step byte
inline constexpr int kStepBias = 192;
inline constexpr int kStepsPerOctave = 16;
inline constexpr int kMaxMagnitude = (1 << 15) - 1;
inline constexpr int kCategories = 16;  // bit lengths 0..15 of |q|

// Quantizer step (in units of the latent scale) of step index k: 2^((k - kStepBias) / kStepsPerOctave).
double step_size(int k);
int quantize(float latent, float scale, double step);  // clamped to +-kMaxMagnitude
float dequantize(int q, float scale, double step);

// How many latent frames each packet carries: just enough for the decoder to
// emit the packet's samples. Each latent finishes one hop; the samples
// finished but not emitted yet (fewer than one hop) carry over.
class Schedule {
public:
    int latents_for(int samples) const { return samples > ready_ ? (samples - ready_ + kHop - 1) / kHop : 0; }
    // Records a packet of `samples` (and the latents_for(samples) it carried).
    void advance(int samples) { ready_ += kHop * latents_for(samples) - samples; }
    void reset() { ready_ = 0; }

private:
    int ready_ = 0;
};

// Quantized latents of one packet: [frame][coded channel][latent channel].
struct LatentCodes {
    int frames = 0;
    int channels = 0;
    int step = 0;  // the step index k
    std::vector<int32_t> q;

    int32_t& at(int f, int c, int d) { return q[index(f, c, d)]; }
    int32_t at(int f, int c, int d) const { return q[index(f, c, d)]; }

private:
    size_t index(int f, int c, int d) const {
        return (static_cast<size_t>(f) * static_cast<size_t>(channels) + static_cast<size_t>(c)) * kLatentChannels +
               static_cast<size_t>(d);
    }
};

std::vector<uint8_t> write_payload(const LatentCodes& codes);
// Reads a payload of `frames` latent frames of `channels` coded channels.
// Throws TQ_ERR_CORRUPT on a bad step index or a payload longer than its symbols.
LatentCodes read_payload(std::span<const uint8_t> payload, int frames, int channels);

// Largest payload of `frames` latent frames: every value at its worst (16 bits
// of category, a sign and 14 mantissa bits), plus the step byte and slack.
std::size_t max_payload_bytes(int frames, int channels);

}  // namespace tq::stftae
