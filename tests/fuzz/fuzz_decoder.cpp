// Fuzz target: a stream header and packets from an attacker, through the C ABI.
// Creating a decoder and decoding may fail with an error code; they must never
// crash, hang, allocate without bound, answer TQ_ERR_INTERNAL, return
// non-finite samples or a sample count other than the packet's own.
//
// Input layout: u16 header length (LE), header bytes, then packets as u16
// length + bytes. A length of 0xFFFF stands for a lost packet (NULL).
//
// Built once per family (fuzz_decoder_<family>: the header's family byte is
// set to it, and each execution decodes at most that family's budget below, so
// a cheap family is not fuzzed at the speed of the slowest) and once for any
// family (fuzz_decoder: no budget beyond 64 packets, lost neural packets
// included, at a few executions per second). The budgets: fuzz_target.hpp.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_target.hpp"

namespace {

using tqfuzz::checked;

// A successful decode yields finite samples, as many as the packet announces.
void check_output(int rc, const uint8_t* packet, size_t size, int frame_size, const std::vector<float>& pcm,
                  int samples, int channels) {
    if (checked(rc) != TQ_OK) return;
    const int announced = packet ? tq_packet_samples(packet, size) : frame_size;
    if (samples != announced) tqfuzz::bug("decoded sample count differs from the packet's");
    for (size_t i = 0; i < static_cast<size_t>(samples) * static_cast<size_t>(channels); ++i)
        if (!std::isfinite(pcm[i])) tqfuzz::bug("non-finite sample");
}

// Decodes interleaved, or planar every other packet, into `pcm`.
int decode(tq_decoder* dec, const uint8_t* packet, size_t size, std::vector<float>& pcm, int capacity,
           int channels, bool planar, int& samples) {
    if (!planar) return tq_decode(dec, packet, size, pcm.data(), capacity, &samples);
    std::vector<float> planes(pcm.size());
    std::vector<float*> ptrs;
    for (int c = 0; c < channels; ++c) ptrs.push_back(planes.data() + static_cast<size_t>(c) * capacity);
    const int rc = tq_decode_planar(dec, packet, size, ptrs.data(), capacity, &samples);
    for (int c = 0; rc == TQ_OK && c < channels; ++c)
        for (int i = 0; i < samples; ++i) pcm[static_cast<size_t>(i * channels + c)] = ptrs[c][i];
    return rc;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    tqfuzz::Cursor in{data, size};
    const uint16_t header_size = in.u16();
    if (!in.has(header_size)) return 0;
    std::vector<uint8_t> header(in.data, in.data + header_size);
    in.take(header_size);
    if (tqfuzz::kFamily && header.size() > tqfuzz::kStreamHeaderFamilyOffset)
        header[tqfuzz::kStreamHeaderFamilyOffset] = tqfuzz::kFamily;
    tq_decoder* dec = nullptr;
    if (checked(tq_decoder_create(header.data(), header.size(), &dec)) != TQ_OK) return 0;

    const int frame = tq_decoder_frame_size(dec);
    const int channels = tq_decoder_channels(dec);
    const tqfuzz::DecoderBudget limit = tqfuzz::decoder_budget(tq_decoder_family(dec), frame);
    const int capacity = std::min(frame, limit.packet_samples);
    std::vector<float> pcm(static_cast<size_t>(capacity) * static_cast<size_t>(channels));
    int decoded = 0;
    for (int packets = 0; packets < 64 && in.has(2) && decoded < limit.total; ++packets) {
        const uint16_t packet_size = in.u16();
        const bool lost = packet_size == 0xFFFF;
        const size_t n = lost ? 0 : std::min<size_t>(packet_size, in.size);
        const uint8_t* packet = lost ? nullptr : in.take(n);
        int samples = 0;
        const int rc = decode(dec, packet, n, pcm, capacity, channels, packets % 2 == 1, samples);
        check_output(rc, packet, n, frame, pcm, samples, channels);
        decoded += std::max(samples, 1);
        if (packets % 7 == 6) {
            if (tq_decoder_reset(dec) != TQ_OK) tqfuzz::bug("tq_decoder_reset failed");
            // Layered families (rvq) decode fewer layers from here on; the others refuse.
            checked(tq_decoder_limit_layers(dec, packet_size % 20));
        }
    }
    tq_decoder_destroy(dec);
    return 0;
}
