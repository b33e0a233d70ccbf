#include "families/stftae/params.hpp"

#include <string>

#include "core/error.hpp"
#include "families/stftae/bitstream.hpp"
#include "families/stftae/model.hpp"

namespace tq::stftae {
namespace {

constexpr tq_option_info kOptions[] = {
    kStereoOption,
    {"step", TQ_OPTION_INT, -1, -1, kStepCount - 1,
     "fixed quantizer step index k (step 2^((k-192)/16) latent scales) for constant quality; -1: the smallest step "
     "whose packet fits the bitrate",
     nullptr},
};

constexpr int kSampleRates[] = {kSampleRate, 0};

}  // namespace

std::span<const tq_option_info> option_schema() { return kOptions; }
std::span<const int> sample_rates() { return kSampleRates; }

Params params_from_setup(const EncoderSetup& setup) {
    require_bitrate(setup.bitrate, kMinBitrate, kMaxBitrate, "stftae");
    Params p;
    p.stereo = static_cast<Stereo>(setup.options.get_int("stereo"));
    p.step = setup.options.get_int("step");
    p.bitrate = setup.bitrate > 0 ? setup.bitrate : kDefaultBitrate;
    p.model_sha256 = model().sha256();
    return p;
}

std::vector<uint8_t> serialize_params(const Params& p) { return serialize_model_params(p, kParamsVersion); }

namespace {

// Version 1 streams are intact, but only the version 1 model (32 latents) decodes them.
void check_not_version_one(std::span<const uint8_t> bytes) {
    require(bytes.empty() || bytes[0] != 1, TQ_ERR_MODEL,
            "stftae stream: made for the version 1 stftae model (32 latents per frame); this library runs the "
            "version " + std::to_string(kModelVersion) + " model, whose streams have parameter version " +
                std::to_string(kParamsVersion) + ": encode the source again");
}

}  // namespace

Params parse_params(std::span<const uint8_t> bytes, const StreamInfo& info) {
    check_not_version_one(bytes);
    Params p;
    static_cast<ModelStreamParams&>(p) = parse_model_params(bytes, "stftae", kParamsVersion);
    check_stream_framing(info, "stftae", kSampleRate, kFrameSize, kDelay);
    return p;
}

Params parse_params_for_model(std::span<const uint8_t> bytes, const StreamInfo& info) {
    const Params p = parse_params(bytes, info);
    require_stream_model(p.model_sha256, model().sha256(), "stftae", model().source());
    return p;
}

}  // namespace tq::stftae
