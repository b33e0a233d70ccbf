#include "families/stftae/params.hpp"

#include <string>

#include "core/byteio.hpp"
#include "core/error.hpp"
#include "families/stftae/bitstream.hpp"
#include "families/stftae/model.hpp"

namespace tq::stftae {
namespace {

constexpr tq_option_info kOptions[] = {
    {"stereo", TQ_OPTION_ENUM, 0, 0, 1,
     "two channels: ms codes mid (L+R)/2 and side (L-R)/2, lr codes left and right; other channel counts are "
     "coded channel by channel",
     "ms|lr"},
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
    require(setup.bitrate == 0 || (setup.bitrate >= kMinBitrate && setup.bitrate <= kMaxBitrate),
            TQ_ERR_INVALID_ARGUMENT,
            "stftae: bitrate " + std::to_string(setup.bitrate) + " b/s outside " + std::to_string(kMinBitrate) +
                ".." + std::to_string(kMaxBitrate));
    Params p;
    p.stereo = static_cast<Stereo>(setup.options.get_int("stereo"));
    p.step = setup.options.get_int("step");
    p.bitrate = setup.bitrate > 0 ? setup.bitrate : kDefaultBitrate;
    p.model_sha256 = model().sha256();
    return p;
}

std::vector<uint8_t> serialize_params(const Params& p) {
    ByteWriter w;
    w.u8(kParamsVersion);
    for (uint8_t byte : p.model_sha256) w.u8(byte);
    w.u8(static_cast<uint8_t>(p.stereo));
    return w.take();
}

namespace {

void check_stream(const StreamInfo& info) {
    require_intact(info.sample_rate == kSampleRate,
                   "stftae stream: sample rate " + std::to_string(info.sample_rate) + " Hz, the family codes 24000");
    require_intact(info.frame_size == kFrameSize,
                   "stftae stream: frame size " + std::to_string(info.frame_size) + ", expected " +
                       std::to_string(kFrameSize));
    require_intact(info.delay == kDelay,
                   "stftae stream: delay " + std::to_string(info.delay) + ", expected " + std::to_string(kDelay));
}

// Version 1 streams are intact, but only the version 1 model (32 latents) decodes them.
void check_version(ByteReader& r) {
    const std::span<const uint8_t> version = r.bytes(1);
    require(version[0] != 1, TQ_ERR_MODEL,
            "stftae stream: made for the version 1 stftae model (32 latents per frame); this library runs the "
            "version " + std::to_string(kModelVersion) + " model, whose streams have parameter version " +
                std::to_string(kParamsVersion) + ": encode the source again");
    ByteReader(version, "stftae parameters").version(kParamsVersion);
}

}  // namespace

Params parse_params(std::span<const uint8_t> bytes, const StreamInfo& info) {
    ByteReader r(bytes, "stftae parameters");
    check_version(r);
    Params p;
    for (uint8_t& byte : p.model_sha256) byte = r.u8();
    const int stereo = r.u8();
    require_intact(r.remaining() == 0, "stftae parameters: " + std::to_string(bytes.size()) + " bytes, expected " +
                                           std::to_string(kParamsSize));
    require_intact(stereo <= 1, "stftae parameters: stereo mode " + std::to_string(stereo) + " outside 0..1");
    p.stereo = static_cast<Stereo>(stereo);
    check_stream(info);
    return p;
}

}  // namespace tq::stftae
