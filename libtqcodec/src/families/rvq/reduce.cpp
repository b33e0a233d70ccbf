#include "families/rvq/reduce.hpp"

#include <string>

#include "core/error.hpp"

namespace tq::rvq {

Reducer::Reducer(const StreamInfo& info, std::span<const uint8_t> params, int bitrate, int codebooks)
    : channels_(info.channels), codebooks_(codebooks), rate_(bitrate) {
    require((bitrate == 0) != (codebooks == 0), TQ_ERR_INVALID_ARGUMENT,
            "rvq reduce: give either a bitrate or a number of codebooks");
    require_bitrate(bitrate, kMinBitrate, kMaxBitrate, "rvq reduce");
    require(codebooks >= 0 && codebooks <= kCodebooks, TQ_ERR_INVALID_ARGUMENT,
            "rvq reduce: " + std::to_string(codebooks) + " codebooks outside 1..16");
    (void)parse_params_for_model(params, info);
}

std::vector<uint8_t> Reducer::reduce(std::span<const uint8_t> payload, int samples, bool last) {
    require_intact(samples >= 1 && samples <= kFrameSize, "rvq packet: " + std::to_string(samples) +
                                                              " samples, frame is " + std::to_string(kFrameSize));
    // A packet never carries more frames than finish its samples plus the one partly emitted before.
    const Codes codes = read_payload(payload, (samples + kHop - 1) / kHop, channels_);
    std::vector<uint8_t> out = codebooks_ > 0 ? write_payload(codes, std::min(codes.units, codebooks_ * codes.frames))
                                              : fitted_payload(codes, rate_.budget(samples, last));
    rate_.account(samples, out.size(), last);
    return out;
}

}  // namespace tq::rvq
