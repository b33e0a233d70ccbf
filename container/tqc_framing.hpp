// What a .tqc file spends besides the payloads (FORMAT.md, "File header",
// "Packets" and "Trailer"): on each packet, and once per file. The container
// owns these sizes: format.hpp lays the file out with them, and libtqcodec's
// bitrate budgets (families/packet_budget.hpp, rvq's file-level rate control)
// count them so a file meets the bitrate asked for. Constants only, so the codec library includes it without linking the
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

// Once per file: the file header without stream header and tags (its tag_count
// and CRC included), the trailer without index entries, and the end record.
inline constexpr size_t kMinHeaderSize = 46;
inline constexpr size_t kTrailerFixedSize = 52;
inline constexpr size_t kEndRecordSize = 12;
inline constexpr size_t kFileFixedCost = kMinHeaderSize + kTrailerFixedSize + kEndRecordSize;

}  // namespace tqc::format
