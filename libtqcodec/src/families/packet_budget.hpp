// From a bitrate to what one packet's payload may spend. A family that codes
// to a bitrate calls payload_budget_bytes() and never counts framing itself:
// the per-packet cost is the API layer's sample-count prefix plus the
// container's framing (container/tqc_framing.hpp, which owns those bytes).
#pragma once

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

// Payload bytes a packet of `samples` samples per channel may spend so that
// the file, framing included, meets `bitrate` (bits per second at
// `sample_rate`). Negative when the framing alone exceeds the bitrate.
inline double payload_budget_bytes(int bitrate, int samples, int sample_rate) {
    return static_cast<double>(bitrate) * samples / sample_rate / 8.0 - kPacketOverheadBytes;
}

// Throws TQ_ERR_INVALID_ARGUMENT ("<who>: bitrate N b/s outside MIN..MAX") unless
// `bitrate` is 0 (the caller's default) or within [min, max].
inline void require_bitrate(int bitrate, int min, int max, const std::string& who) {
    require(bitrate == 0 || (bitrate >= min && bitrate <= max), TQ_ERR_INVALID_ARGUMENT,
            who + ": bitrate " + std::to_string(bitrate) + " b/s outside " + std::to_string(min) + ".." +
                std::to_string(max));
}

}  // namespace tq
