#include "families/gauss/params.hpp"

#include <string>

#include "core/byteio.hpp"
#include "core/error.hpp"
#include "families/gauss/model.hpp"

namespace tq::gauss {
namespace {

constexpr tq_option_info kOptions[] = {
    {"stereo", TQ_OPTION_ENUM, 0, 0, 1,
     "two channels: ms codes mid (L+R)/2 and side (L-R)/2, lr codes left and right; other channel counts are "
     "coded channel by channel",
     "ms|lr"},
    {"iterations", TQ_OPTION_INT, 96, 8, 2000,
     "Adam steps per packet and channel (encoder effort; encoding time grows about linearly)", nullptr},
    {"threads", TQ_OPTION_INT, 1, 1, 64,
     "threads the encoder's fitter uses within a packet (the output is the same for any count)", nullptr},
};

constexpr int kSampleRates[] = {kSampleRate, 0};

}  // namespace

std::span<const tq_option_info> option_schema() { return kOptions; }
std::span<const int> sample_rates() { return kSampleRates; }

Params params_from_setup(const EncoderSetup& setup) {
    require_bitrate(setup.bitrate, kMinBitrate, kMaxBitrate, "gauss");
    Params p;
    p.stereo = static_cast<Stereo>(setup.options.get_int("stereo"));
    p.iterations = setup.options.get_int("iterations");
    p.threads = setup.options.get_int("threads");
    p.bitrate = setup.bitrate > 0 ? setup.bitrate : kDefaultBitrate;
    return p;
}

std::vector<uint8_t> serialize_params(const Params& p) {
    ByteWriter w;
    w.u8(kParamsVersion);
    w.u8(static_cast<uint8_t>(p.stereo));
    return w.take();
}

Params parse_params(std::span<const uint8_t> bytes, const StreamInfo& info) {
    ByteReader r(bytes, "gauss parameters");
    r.version(kParamsVersion);
    const int stereo = r.u8();
    require_intact(r.remaining() == 0, "gauss parameters: " + std::to_string(bytes.size()) + " bytes, expected " +
                                           std::to_string(kParamsSize));
    require_intact(stereo <= 1, "gauss parameters: stereo mode " + std::to_string(stereo) + " outside 0..1");
    require_intact(info.sample_rate == kSampleRate,
                   "gauss stream: sample rate " + std::to_string(info.sample_rate) + " Hz, the family codes 24000");
    require_intact(info.frame_size == kFrameSize, "gauss stream: frame size " + std::to_string(info.frame_size) +
                                                      ", expected " + std::to_string(kFrameSize));
    require_intact(info.delay == kDelay,
                   "gauss stream: delay " + std::to_string(info.delay) + ", expected " + std::to_string(kDelay));
    Params p;
    p.stereo = static_cast<Stereo>(stereo);
    return p;
}

}  // namespace tq::gauss
