#include "api/stream_header.hpp"

#include <string>

#include "core/byteio.hpp"
#include "core/error.hpp"

namespace tq {
namespace {
constexpr uint8_t kMagic[4] = {'t', 'q', 's', 'h'};
}

std::vector<uint8_t> write_stream_header(const StreamHeader& header) {
    const StreamInfo& info = header.info;
    ByteWriter w;
    w.bytes(kMagic);
    w.u8(kStreamHeaderVersion);
    w.u8(static_cast<uint8_t>(info.family));
    w.u8(static_cast<uint8_t>(info.channels));
    w.u8(0);  // reserved
    w.u32(static_cast<uint32_t>(info.sample_rate));
    w.u32(static_cast<uint32_t>(info.frame_size));
    w.u32(static_cast<uint32_t>(info.delay));
    w.u16(static_cast<uint16_t>(header.family_params.size()));
    w.bytes(header.family_params);
    return w.take();
}

StreamHeader read_stream_header(std::span<const uint8_t> bytes) {
    ByteReader r(bytes, "stream header");
    auto magic = r.bytes(4);
    require_intact(std::equal(magic.begin(), magic.end(), kMagic), "stream header: bad magic");
    uint8_t version = r.u8();
    require_intact(version == kStreamHeaderVersion,
                   "stream header: version " + std::to_string(version) + " is not supported (this library reads " +
                       std::to_string(kStreamHeaderVersion) + ")");
    StreamHeader h;
    // Checked before it becomes a tq_family: a value outside the enum's would be undefined behaviour.
    const uint8_t family = r.u8();
    require_intact(find_family(family) != nullptr, "stream header: unknown family id " + std::to_string(family));
    h.info.family = static_cast<tq_family>(family);
    h.info.channels = r.u8();
    r.u8();  // reserved
    uint32_t rate = r.u32(), frame = r.u32(), delay = r.u32();
    require_intact(h.info.channels >= 1 && h.info.channels <= kMaxChannels,
                   "stream header: channel count " + std::to_string(h.info.channels) + " outside 1.." +
                       std::to_string(kMaxChannels));
    require_intact(rate >= kMinSampleRate && rate <= kMaxSampleRate,
                   "stream header: sample rate " + std::to_string(rate) + " outside 8000..192000");
    require_intact(frame >= 1 && frame <= kMaxFrameSize,
                   "stream header: frame size " + std::to_string(frame) + " outside 1.." +
                       std::to_string(kMaxFrameSize));
    require_intact(delay <= kMaxFrameSize, "stream header: delay " + std::to_string(delay) + " is absurd");
    h.info.sample_rate = static_cast<int>(rate);
    h.info.frame_size = static_cast<int>(frame);
    h.info.delay = static_cast<int>(delay);
    uint16_t params_size = r.u16();
    require_intact(params_size <= kMaxFamilyParamsSize, "stream header: family parameters too long");
    auto params = r.bytes(params_size);
    h.family_params.assign(params.begin(), params.end());
    require_intact(r.remaining() == 0, "stream header: " + std::to_string(r.remaining()) + " trailing bytes");
    return h;
}

void write_packet_prefix(std::vector<uint8_t>& packet, int samples) {
    ByteWriter w;
    w.varint(static_cast<uint64_t>(samples));
    packet.insert(packet.begin(), w.data().begin(), w.data().end());
}

int read_packet_prefix(std::span<const uint8_t>& packet, int frame_size) {
    ByteReader r(packet, "packet");
    uint64_t samples = r.varint();
    require_intact(samples >= 1 && samples <= static_cast<uint64_t>(frame_size),
                   "packet: sample count " + std::to_string(samples) + " outside 1.." +
                       std::to_string(frame_size));
    packet = r.rest();
    return static_cast<int>(samples);
}

}  // namespace tq
