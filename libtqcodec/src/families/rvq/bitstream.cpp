#include "families/rvq/bitstream.hpp"

#include <algorithm>
#include <string>

#include "core/byteio.hpp"
#include "core/error.hpp"
#include "core/range_coder.hpp"
#include "families/packet_budget.hpp"
#include "families/rvq/params.hpp"

namespace tq::rvq {
namespace {

constexpr int varint_size(uint64_t v) {
    int n = 1;
    for (; v >= 0x80; v >>= 7) ++n;
    return n;
}

// A .tqc file's bytes outside the packets (packet_budget.hpp's estimate, for
// rvq's parameters). Part of the rate rule, so it must not change: every rvq
// file coded to a bitrate would.
constexpr long kFileBytes = file_bytes_estimate(kParamsSize);
static_assert(kFileBytes == 231, "the rvq rate rule's file reserve changed: every bitrate-coded rvq file will");

// What the container spends on a packet besides its payload: packet_budget.hpp's
// kPacketOverheadBytes with the sample-count prefix at its true LEB128 size, where
// that constant counts kPacketPrefixBytes = 2 (packets of 128..16383 samples);
// rvq's 4 s packets need 3, its flush packet 2.
constexpr long packet_overhead_bytes(int samples) {
    return kPacketOverheadBytes - kPacketPrefixBytes + varint_size(static_cast<uint64_t>(samples));
}

void write_unit(RangeEncoder& out, const Codes& codes, int unit) {
    const int k = unit / codes.frames, f = unit % codes.frames;
    const std::span<const uint32_t> cum = model().cumulative(k);
    for (int c = 0; c < codes.channels; ++c) {
        const uint16_t i = codes.at(c, f, k);
        out.encode_interval(cum[i], cum[i + 1u] - cum[i], kFrequencyTotal);
    }
}

uint16_t read_symbol(RangeDecoder& in, std::span<const uint32_t> cum) {
    const uint32_t target = in.target(kFrequencyTotal);
    const auto i = static_cast<size_t>(std::upper_bound(cum.begin(), cum.end(), target) - cum.begin() - 1);
    in.consume(cum[i], cum[i + 1] - cum[i]);
    return static_cast<uint16_t>(i);
}

std::vector<uint8_t> assemble(int frames, int units, const std::vector<uint8_t>& stream) {
    ByteWriter w;
    w.varint(static_cast<uint64_t>(frames));
    w.varint(static_cast<uint64_t>(units));
    w.bytes(stream);
    return w.take();
}

}  // namespace

Codes::Codes(int frame_count, int channel_count)
    : frames(frame_count), channels(channel_count),
      indices(static_cast<size_t>(frame_count) * static_cast<size_t>(channel_count) * kCodebooks, 0) {}

std::span<const uint16_t> Codes::channel(int c) const {
    const size_t size = static_cast<size_t>(frames) * kCodebooks;
    return std::span(indices).subspan(static_cast<size_t>(c) * size, size);
}

std::vector<uint8_t> write_payload(const Codes& codes, int units) {
    RangeEncoder out;
    for (int u = 0; u < units; ++u) write_unit(out, codes, u);
    return assemble(codes.frames, units, out.finish());
}

std::vector<uint8_t> fitted_payload(const Codes& codes, long budget) {
    RangeEncoder out;
    const int header = varint_size(static_cast<uint64_t>(codes.frames));
    int units = 0;
    for (; units < codes.units; ++units) {
        write_unit(out, codes, units);
        RangeEncoder probe = out;
        const long size = header + varint_size(static_cast<uint64_t>(units + 1)) + static_cast<long>(probe.finish().size());
        if (size > budget) break;
    }
    return write_payload(codes, units);
}

Codes read_payload(std::span<const uint8_t> payload, int max_frames, int channels) {
    ByteReader r(payload, "rvq packet");
    const uint64_t frames = r.varint();
    require_intact(frames <= static_cast<uint64_t>(max_frames),
                   "rvq packet: " + std::to_string(frames) + " frames, at most " + std::to_string(max_frames) +
                       " fit its samples");
    const uint64_t units = r.varint();
    require_intact(units <= frames * kCodebooks, "rvq packet: " + std::to_string(units) + " codebook units, at most " +
                                                     std::to_string(frames * kCodebooks) + " for its frames");
    Codes codes(static_cast<int>(frames), channels);
    codes.units = static_cast<int>(units);
    const std::span<const uint8_t> stream = r.rest();
    RangeDecoder in(stream);
    for (int u = 0; u < codes.units; ++u) {
        const int k = u / codes.frames, f = u % codes.frames;
        for (int c = 0; c < channels; ++c) codes.at(c, f, k) = read_symbol(in, model().cumulative(k));
    }
    require_intact(stream.size() <= in.position(), "rvq packet: " + std::to_string(stream.size() - in.position()) +
                                                       " bytes left over after the last index");
    return codes;
}

std::size_t max_payload_bytes(int channels) {
    return 2 * 3 + static_cast<std::size_t>(kMaxFrames) * kCodebooks * static_cast<std::size_t>(channels) * 2 + 16;
}

namespace {

// Charged from the first packet on: the file's own bytes and the framing of the
// last (flush) packet, so that packet's few real samples get their share of bytes.
constexpr long kReserveBytes = kFileBytes + packet_overhead_bytes(kDelay);

}  // namespace

long RateControl::budget(int samples, bool last) const {
    const long coded = std::max(0L, samples_ + samples - kDelay);
    const long target = static_cast<long>(static_cast<int64_t>(bitrate_) * coded / (8 * kSampleRate));
    return target - kReserveBytes - spent_ - (last ? 0 : packet_overhead_bytes(samples));
}

void RateControl::account(int samples, std::size_t payload_bytes, bool last) {
    samples_ += samples;
    spent_ += static_cast<long>(payload_bytes) + (last ? 0 : packet_overhead_bytes(samples));
}

}  // namespace tq::rvq
