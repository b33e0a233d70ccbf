// rvq: what encoder, decoder and reducer agree on beyond the parameters: the
// framing (which latent frames a packet carries), the payload syntax and the
// rate rule that picks how many codebooks a packet keeps (BITSTREAM.md).
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "families/rvq/model.hpp"

namespace tq::rvq {

inline constexpr int kFrameSize = 300 * kHop;  // 4 s packets: 96000 samples, 300 latent frames
// Latent frames the encoder computes before and after a packet's own, so that
// its latents equal one pass over the whole input (kEncoderLookback/Lookahead samples).
inline constexpr int kEncoderContextHops = (std::max(kEncoderLookback, kEncoderLookahead) + kHop - 1) / kHop;
// Output hop h is finished once frame h + 3 is decoded, which needs input up to
// hop h + 3 + kEncoderContextHops: the decoded stream is the input 6 hops late.
inline constexpr int kDelayHops = kEncoderContextHops + kHopsPerFrame - 1;
inline constexpr int kDelay = kDelayHops * kHop;
static_assert(kDelay == 1920);
// The decoded stream starts with this many zeros before the first frame's hop.
inline constexpr int kPreroll = (kHopsPerFrame - 1) * kHop;
inline constexpr int kMaxFrames = kFrameSize / kHop;  // latent frames one packet may carry

// How many latent frames each packet carries: just enough for the decoder to
// emit the packet's samples. Each frame finishes one hop; the samples finished
// but not emitted yet (fewer than one hop) carry over. The stream starts with
// kPreroll samples "finished" (silence before the first frame's output).
class Schedule {
public:
    int frames_for(int samples) const { return samples > ready_ ? (samples - ready_ + kHop - 1) / kHop : 0; }
    void advance(int samples) { ready_ += kHop * frames_for(samples) - samples; }

private:
    int ready_ = kPreroll;
};

// One packet's codebook indices: `frames` frames of `channels` coded channels,
// of which the first `units` (codebook, frame) units are meaningful: unit u is
// codebook u / frames of frame u % frames, for every channel.
struct Codes {
    int frames = 0;
    int channels = 0;
    int units = 0;
    std::vector<uint16_t> indices;  // [channel][frame][codebook]

    Codes(int frame_count, int channel_count);
    uint16_t& at(int c, int f, int k) { return indices[index(c, f, k)]; }
    uint16_t at(int c, int f, int k) const { return indices[index(c, f, k)]; }
    std::span<const uint16_t> channel(int c) const;
    // Codebooks frame f carries: units / frames, one more for the first units % frames frames.
    int codebooks(int f) const { return frames ? units / frames + (f < units % frames ? 1 : 0) : 0; }

private:
    size_t index(int c, int f, int k) const {
        return (static_cast<size_t>(c) * static_cast<size_t>(frames) + static_cast<size_t>(f)) * kCodebooks +
               static_cast<size_t>(k);
    }
};

// The payload of the first `units` units of `codes`.
std::vector<uint8_t> write_payload(const Codes& codes, int units);
// The payload with the most units (at most codes.units) such that it and every
// shorter one fit `budget` bytes; at least 0 units.
std::vector<uint8_t> fitted_payload(const Codes& codes, long budget);
// Reads a payload of `channels` coded channels carrying at most `max_frames` frames.
// Throws TQ_ERR_CORRUPT on counts out of range or bytes after the last symbol.
Codes read_payload(std::span<const uint8_t> payload, int max_frames, int channels);

// Largest payload of kMaxFrames frames (every symbol at its worst, 16 bits).
std::size_t max_payload_bytes(int channels);

// Turns a bitrate into per-packet byte budgets: the bytes spent so far (payloads,
// per-packet container overhead and a reserve for the file's header and trailer)
// follow bitrate * (samples so far - kDelay) / 8, so the whole file meets the target.
// `last`: the stream's last packet (the encoder's flush), whose framing the reserve holds.
// Not payload_budget_bytes() (packet_budget.hpp): that gives each packet its own share
// and counts a 2-byte sample-count prefix; rvq keeps the rate over the whole file, with
// the container's per-packet and per-file costs (bitstream.cpp), so short files meet it too.
class RateControl {
public:
    explicit RateControl(int bitrate) : bitrate_(bitrate) {}
    // Payload bytes a packet of `samples` may spend (may be negative: then 0 units).
    long budget(int samples, bool last) const;
    void account(int samples, std::size_t payload_bytes, bool last);

private:
    int bitrate_;
    long samples_ = 0;
    long spent_ = 0;
};

}  // namespace tq::rvq
