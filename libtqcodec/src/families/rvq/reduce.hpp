// rvq: rewriting a stream at a lower bitrate without decoding. Each packet's
// indices are read back and written again with the encoder's own rate rule
// (bitstream.hpp), so the result is byte for byte what a direct encode at the
// lower rate gives, whenever the source carries at least the codebooks that
// rate keeps (any source coded at a higher rate or with more fixed codebooks).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "families/family.hpp"
#include "families/rvq/bitstream.hpp"
#include "families/rvq/params.hpp"

namespace tq::rvq {

class Reducer {
public:
    // Either a bitrate (kMinBitrate..kMaxBitrate) or fixed codebooks per frame (1..16), the other 0.
    // Throws TQ_ERR_INVALID_ARGUMENT, or what parse_params_for_model throws for the stream.
    Reducer(const StreamInfo& info, std::span<const uint8_t> params, int bitrate, int codebooks);

    // The next packet's payload, decoding to `samples` samples, rewritten; `last`
    // for the stream's last packet (the encoder's flush packet).
    // Throws TQ_ERR_CORRUPT for a damaged payload.
    std::vector<uint8_t> reduce(std::span<const uint8_t> payload, int samples, bool last);

private:
    int channels_;
    int codebooks_;
    RateControl rate_;
};

}  // namespace tq::rvq
