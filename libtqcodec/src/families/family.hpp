// The contract every codec family implements. A family turns planar float PCM
// into packet payloads and back; it never sees files or containers. The API
// layer (api/tqcodec.cpp) adds the generic stream header and packet prefix.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/options.hpp"
#include "families/packet_budget.hpp"  // payload_budget_bytes(): a bitrate as bytes per packet
#include "tqcodec/tqcodec.h"

namespace tq {

// Read-only planar audio: `channels` pointers to `samples` floats each.
struct PlanarIn {
    const float* const* data;
    int channels;
    int samples;
};

// Writable planar audio.
struct PlanarOut {
    float* const* data;
    int channels;
    int samples;
};

struct EncoderSetup {
    int sample_rate;
    int channels;
    int bitrate;  // bits per second of the whole stream, or 0
    OptionValues options;
};

// What the generic stream header records for every family.
struct StreamInfo {
    tq_family family;
    int sample_rate;
    int channels;
    int frame_size;
    int delay;
};

class FamilyEncoder {
public:
    virtual ~FamilyEncoder() = default;
    virtual int frame_size() const = 0;
    virtual int delay() const { return 0; }
    virtual size_t max_payload_size() const = 0;
    // The family's part of the stream header (its parameters).
    virtual std::vector<uint8_t> params() const = 0;
    // Encodes pcm.samples (1..frame_size) samples per channel into one payload.
    virtual std::vector<uint8_t> encode(const PlanarIn& pcm) = 0;
    // At the end of the stream: one more payload decoding to `samples` (> 0)
    // samples per channel, or an empty payload and samples = 0 when nothing
    // is left. Families with an encoder delay return its tail here.
    virtual std::vector<uint8_t> flush(int& samples) {
        samples = 0;
        return {};
    }
};

// The packet rules of an encoder with a delay: every packet but the last holds
// frame_size samples, and flush codes the delayed tail once, after some input.
class PacketSequence {
public:
    // At the top of encode(): throws TQ_ERR_INVALID_ARGUMENT after a short packet.
    void begin(int samples, int frame_size, const std::string& who) {
        require(!ended_, TQ_ERR_INVALID_ARGUMENT, who + ": only the last packet may be shorter than the frame size");
        ended_ = samples < frame_size;
        started_ = true;
    }
    // In flush(): true the first time after some input (the tail is due); the
    // stream then takes no more packets.
    bool tail_due() {
        if (!started_ || flushed_) return false;
        flushed_ = ended_ = true;
        return true;
    }

private:
    bool started_ = false, ended_ = false, flushed_ = false;
};

class FamilyDecoder {
public:
    virtual ~FamilyDecoder() = default;
    // Decodes one payload into out.samples samples per channel (the count the
    // packet prefix announced). Throws tq::Error(TQ_ERR_CORRUPT) on bad data.
    virtual void decode(std::span<const uint8_t> payload, const PlanarOut& out) = 0;
    // Stands in for a lost packet of out.samples samples (zeroed on entry).
    // Families with state across packets override it to keep that state in step.
    virtual void conceal(const PlanarOut& out) { (void)out; }
    virtual void reset() {}
    // Families with a layered bitstream (rvq: codebooks) decode at most `layers`
    // layers of each packet from now on (0: all) and return true; others return false.
    virtual bool limit_layers(int layers) {
        (void)layers;
        return false;
    }
};

struct FamilyDescriptor {
    tq_family id;
    const char* name;
    const char* description;
    std::span<const tq_option_info> options;
    // The accepted input rates, 0-terminated (tq_family_sample_rates); empty: any rate.
    // tq_encoder_create refuses other rates (TQ_ERR_UNSUPPORTED) before make_encoder.
    std::span<const int> sample_rates;
    // nullptr while the family is not implemented in this build.
    std::unique_ptr<FamilyEncoder> (*make_encoder)(const EncoderSetup& setup);
    // Parses and validates `params`; throws TQ_ERR_CORRUPT if they are bad.
    std::unique_ptr<FamilyDecoder> (*make_decoder)(const StreamInfo& info,
                                                   std::span<const uint8_t> params);
};

// nullptr if `family` is not a known family id.
const FamilyDescriptor* find_family(int family);

}  // namespace tq
