// From a bitrate to what one packet's payload may spend. A family that codes
// to a bitrate calls payload_budget_bytes() and never counts framing itself:
// the per-packet cost is the API layer's sample-count prefix plus the
// container's framing (container/tqc_framing.hpp, which owns those bytes).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include "core/error.hpp"
#include "tqc_framing.hpp"

namespace tq {

// The sample-count prefix api/stream_header.cpp writes before every payload
// (LEB128): 2 bytes for packets of 128..16383 samples per channel.
inline constexpr int kPacketPrefixBytes = 2;

// What a .tqc file spends per packet besides the family payload.
inline constexpr int kPacketOverheadBytes = kPacketPrefixBytes + static_cast<int>(tqc::format::kPacketFileCost);

// Every family's rate control, and so every coded stream and golden vector,
// was made with this cost: a change to the container's framing must be a
// deliberate change of the streams, not a side effect.
static_assert(kPacketOverheadBytes == 43, "the container's per-packet cost changed: every bitrate-coded stream will");

// The same in bits, for rate floors (the bitrate the framing alone costs is
// sample_rate * kPacketOverheadBits / frame_size).
inline constexpr double kPacketOverheadBits = 8.0 * kPacketOverheadBytes;

// A .tqc file's bytes outside its packets, as tqc encode writes them: the
// container's fixed header, trailer and end record (tqc_framing.hpp), the
// generic stream header (api/stream_header.cpp: 22 bytes and the family's
// parameters) and about 65 bytes of tags (encoder, target_bitrate). Another
// writer's tags differ (tqc adds source_rate for a resampled input), so this
// is an estimate: it only has to be close. A family that reserves it from its
// first packets meets the bitrate on short files too; it is then part of that
// family's rate rule and must not change.
inline constexpr long file_bytes_estimate(std::size_t params_size) {
    constexpr long kStreamHeaderFixedBytes = 22, kTagBytes = 65;
    return static_cast<long>(tqc::format::kFileFixedCost) + kStreamHeaderFixedBytes + static_cast<long>(params_size) +
           kTagBytes;
}

// Payload bytes a packet of `samples` samples per channel may spend so that
// the file, framing included, meets `bitrate` (bits per second at
// `sample_rate`). Negative when the framing alone exceeds the bitrate.
inline double payload_budget_bytes(int bitrate, int samples, int sample_rate) {
    return static_cast<double>(bitrate) * samples / sample_rate / 8.0 - kPacketOverheadBytes;
}

// A bitrate spread over packets: what a packet leaves unspent (or overspends)
// carries over to the next ones, bounded to -25 %..+50 % of a packet's own
// budget, so that a file meets its bitrate where one packet cannot spend its
// share (a quiet passage, a signal coded as well as the family can below it).
// `reserve_bytes` (the file's own bytes, file_bytes_estimate()) starts as a
// debt, paid by the first packets within the same bound.
class CarriedBudget {
public:
    CarriedBudget(int bitrate, int sample_rate, long reserve_bytes = 0)
        : bitrate_(bitrate), sample_rate_(sample_rate), carry_(-static_cast<double>(reserve_bytes)) {}

    // Payload bytes the next packet, of `samples` samples per channel, may spend (at least 0).
    double next(int samples) const {
        const double nominal = payload_budget_bytes(bitrate_, samples, sample_rate_);
        return std::max(0.0, nominal + std::clamp(carry_, -0.25 * std::abs(nominal), 0.5 * std::abs(nominal)));
    }
    // Records the payload bytes a packet of `samples` samples per channel spent.
    void spent(int samples, std::size_t bytes) {
        carry_ += payload_budget_bytes(bitrate_, samples, sample_rate_) - static_cast<double>(bytes);
    }

private:
    int bitrate_;
    int sample_rate_;
    double carry_;
};

// Throws TQ_ERR_INVALID_ARGUMENT ("<who>: bitrate N b/s outside MIN..MAX") unless
// `bitrate` is 0 (the caller's default) or within [min, max].
inline void require_bitrate(int bitrate, int min, int max, const std::string& who) {
    require(bitrate == 0 || (bitrate >= min && bitrate <= max), TQ_ERR_INVALID_ARGUMENT,
            who + ": bitrate " + std::to_string(bitrate) + " b/s outside " + std::to_string(min) + ".." +
                std::to_string(max));
}

}  // namespace tq
