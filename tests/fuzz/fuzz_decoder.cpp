// Fuzz target: a stream header and packets from an attacker. Creating a
// decoder and decoding may fail with an error code; it must never crash, hang
// or allocate without bound.
//
// Input layout: u16 header length (LE), header bytes, then packets as u16
// length + bytes. A length of 0xFFFF stands for a lost packet (NULL).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "tqcodec/tqcodec.h"

namespace {

struct Cursor {
    const uint8_t* data;
    size_t size;
    bool take_u16(uint16_t& v) {
        if (size < 2) return false;
        v = static_cast<uint16_t>(data[0] | data[1] << 8);
        data += 2;
        size -= 2;
        return true;
    }
};

// A successful decode of any input must yield finite samples.
void require_finite(int rc, const std::vector<float>& pcm, int samples, int channels) {
    if (rc != TQ_OK) return;
    for (size_t i = 0; i < static_cast<size_t>(samples) * static_cast<size_t>(channels); ++i)
        if (!std::isfinite(pcm[i])) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Cursor in{data, size};
    uint16_t header_size = 0;
    if (!in.take_u16(header_size) || header_size > in.size) return 0;
    tq_decoder* dec = nullptr;
    if (tq_decoder_create(in.data, header_size, &dec) != TQ_OK) return 0;
    in.data += header_size;
    in.size -= header_size;

    const int frame = tq_decoder_frame_size(dec);
    const int channels = tq_decoder_channels(dec);
    std::vector<float> pcm(static_cast<size_t>(frame) * static_cast<size_t>(channels));
    uint16_t packet_size = 0;
    for (int packets = 0; packets < 64 && in.take_u16(packet_size); ++packets) {
        int samples = 0;
        if (packet_size == 0xFFFF) {
            require_finite(tq_decode(dec, nullptr, 0, pcm.data(), frame, &samples), pcm, samples, channels);
            continue;
        }
        if (packet_size > in.size) packet_size = static_cast<uint16_t>(in.size);
        require_finite(tq_decode(dec, in.data, packet_size, pcm.data(), frame, &samples), pcm, samples, channels);
        if (packets % 7 == 6 && tq_decoder_reset(dec) != TQ_OK) std::abort();
        in.data += packet_size;
        in.size -= packet_size;
    }
    tq_decoder_destroy(dec);
    return 0;
}
