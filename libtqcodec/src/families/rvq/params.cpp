#include "families/rvq/params.hpp"

#include <string>

#include "core/error.hpp"
#include "families/rvq/bitstream.hpp"
#include "families/rvq/model.hpp"

namespace tq::rvq {
namespace {

constexpr tq_option_info kOptions[] = {
    kStereoOption,
    {"codebooks", TQ_OPTION_INT, 0, 0, kCodebooks,
     "fixed number of codebooks per frame (each adds about 0.75 kbit/s) for constant quality; 0: as many as the "
     "bitrate allows",
     nullptr},
};

constexpr int kSampleRates[] = {kSampleRate, 0};


}  // namespace

std::span<const tq_option_info> option_schema() { return kOptions; }
std::span<const int> sample_rates() { return kSampleRates; }

Params params_from_setup(const EncoderSetup& setup) {
    require_bitrate(setup.bitrate, kMinBitrate, kMaxBitrate, "rvq");
    Params p;
    p.stereo = static_cast<Stereo>(setup.options.get_int("stereo"));
    p.codebooks = setup.options.get_int("codebooks");
    p.bitrate = setup.bitrate > 0 ? setup.bitrate : kDefaultBitrate;
    p.model_sha256 = model().sha256();
    return p;
}

std::vector<uint8_t> serialize_params(const Params& p) { return serialize_model_params(p, kParamsVersion); }

Params parse_params(std::span<const uint8_t> bytes, const StreamInfo& info) {
    Params p;
    static_cast<ModelStreamParams&>(p) = parse_model_params(bytes, "rvq", kParamsVersion);
    check_stream_framing(info, "rvq", kSampleRate, kFrameSize, kDelay);
    return p;
}

Params parse_params_for_model(std::span<const uint8_t> bytes, const StreamInfo& info) {
    const Params p = parse_params(bytes, info);
    require_stream_model(p.model_sha256, model().sha256(), "rvq", model().source());
    return p;
}

}  // namespace tq::rvq
