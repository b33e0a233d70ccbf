// What a .tqc file spends on each packet besides its payload (FORMAT.md,
// "Packets" and "Trailer"). The container owns these sizes: format.hpp lays
// packets and the seek index out with them, and libtqcodec's bitrate budget
// (families/packet_budget.hpp) counts them so a file meets the bitrate asked
// for. Constants only, so the codec library includes it without linking the
// container.
#pragma once

#include <cstddef>

namespace tqc::format {

// Packet: sync, sequence, first_sample, payload_length, flags | payload | CRC.
inline constexpr size_t kPacketHeadSize = 21;
inline constexpr size_t kPacketOverhead = kPacketHeadSize + 4;
// Trailer: one seek-index entry (offset, first_sample) per keyframe packet.
inline constexpr size_t kIndexEntrySize = 16;

// Bytes of the file one packet costs besides its payload: its framing and its
// seek-index entry (every libtqcodec packet is a keyframe).
inline constexpr size_t kPacketFileCost = kPacketOverhead + kIndexEntrySize;

}  // namespace tqc::format
