// RAII handles and lookups over the public C ABI (tqcodec.h): the only way tqc codes audio.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tqcodec/tqcodec.h"

namespace tqc::cli {

struct EncoderDeleter {
    void operator()(tq_encoder* e) const { tq_encoder_destroy(e); }
};
struct DecoderDeleter {
    void operator()(tq_decoder* d) const { tq_decoder_destroy(d); }
};
using EncoderPtr = std::unique_ptr<tq_encoder, EncoderDeleter>;
using DecoderPtr = std::unique_ptr<tq_decoder, DecoderDeleter>;

// Family by short name; throws Failure("encode", "unknown family ...").
tq_family family_from_name(const std::string& name);

// Whether a family byte (from a file) names a tq_family: only those may be cast to one.
bool is_family_id(int id);
// "turbo", or "family #7" for ids this library does not know.
std::string family_label(int id);

// Throws Failure(what, <library message>) on failure.
EncoderPtr create_encoder(const tq_encoder_config& config, const std::string& what);

// Returns nullptr and sets `error` (the library's message) and `code` (TQ_ERR_*) on failure.
DecoderPtr try_create_decoder(std::span<const uint8_t> stream_header, std::string& error, int* code = nullptr);

// The family-specific part of a stream header (container/FORMAT.md), or the whole
// header if it does not parse.
std::vector<uint8_t> family_params(std::span<const uint8_t> stream_header);

// Feeds PCM to an encoder and hands every packet to `sink` with its first
// sample: the running count of samples the packets before it decode to (read
// from each packet, so short flush packets are counted right).
class PacketPump {
public:
    using Sink = std::function<void(uint64_t first_sample, std::span<const uint8_t> packet)>;
    PacketPump(tq_encoder* enc, Sink sink);

    // Interleaved PCM, 1..frame_size samples per channel. Throws Failure("encode", ...).
    void encode(const float* pcm, int samples);
    // Drains the encoder at the end of the stream.
    void flush();
    uint64_t samples() const { return next_sample_; }
    uint64_t packets() const { return packets_; }

private:
    void check(int rc) const;
    void emit(size_t size);

    tq_encoder* enc_;
    Sink sink_;
    std::vector<uint8_t> packet_;
    uint64_t next_sample_ = 0;
    uint64_t packets_ = 0;
};

}  // namespace tqc::cli
