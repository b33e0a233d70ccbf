#include "families/turbo/params.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

#include "core/byteio.hpp"
#include "core/error.hpp"
#include "families/turbo/mdct_payload.hpp"

namespace tq::turbo {
namespace {

constexpr tq_option_info kOptions[] = {
    {"block", TQ_OPTION_POW2, kDefaultBlock, kMinBlock, kMaxBlock,
     "samples per block: each block is sign-flipped, Walsh-Hadamard rotated and scaled on its own "
     "(power of two, 64..4096)",
     nullptr},
    {"bits", TQ_OPTION_INT, kDefaultBits, kMinBits, kMaxBits,
     "Lloyd-Max index bits per sample (1..8, about 6 dB SNR each); if not given and a bitrate is set, "
     "the largest that fits the bitrate",
     nullptr},
    {"residual", TQ_OPTION_BOOL, 0, 0, 1,
     "add one refinement bit per sample (which half of its Lloyd-Max cell); costs as much as bits+1 "
     "and gains slightly less",
     nullptr},
    {"seed", TQ_OPTION_INT, static_cast<double>(kDefaultSeed), 0, static_cast<double>(kMaxSeed),
     "seed of the pseudo-random sign vectors (stored in the stream header)", nullptr},
    {"mode", TQ_OPTION_ENUM, 0, 0, 1,
     "time: rotate blocks of samples (no coding gain); mdct: MDCT bands, per-band gain + rotated shape "
     "with rate-distortion bit allocation (block = coefficients per frame, bits = average bits per sample)",
     "time|mdct"},
    {"noise_fill", TQ_OPTION_BOOL, 0, 0, 1,
     "mdct mode: bands that get no bits decode as noise at their gain instead of silence (lower SNR, "
     "less dull)",
     nullptr},
    {"tune", TQ_OPTION_ENUM, 0, 0, 1,
     "mdct mode: mse minimises squared error (highest SNR); perceptual keeps each band's energy and "
     "the noise's time envelope (noise in bands without bits, temporal noise shaping, finer high "
     "bands, a flatter bit allocation) for a lower spectral distance",
     "mse|perceptual"},
};

int log2_exact(int v) { return std::countr_zero(static_cast<unsigned>(v)); }

}  // namespace

std::span<const tq_option_info> option_schema() { return kOptions; }

double estimated_bitrate(const Params& p, int sample_rate, int channels) {
    const double per_sample = p.code_bits() + 9.0 / p.block;  // codes + scale byte + variant bit
    return static_cast<double>(sample_rate) *
           (channels * per_sample + kPacketOverheadBits / p.frame_size);
}

std::size_t max_payload_bytes(const Params& p, int channels) {
    if (p.mode == Mode::mdct) return mdct_max_payload_bytes(p, channels);
    const std::size_t bits_per_block = 9 + static_cast<std::size_t>(p.block) * static_cast<std::size_t>(p.code_bits());
    const std::size_t bits = static_cast<std::size_t>(p.blocks_per_frame()) * static_cast<std::size_t>(channels) *
                             bits_per_block;
    return (bits + 7) / 8;
}

int default_mdct_size(int sample_rate) {
    const int octaves = std::clamp(static_cast<int>(std::lround(std::log2(sample_rate / 44100.0))), -4, 2);
    return octaves >= 0 ? 1024 << octaves : 1024 >> -octaves;
}

namespace {

Params mdct_params_from_setup(const EncoderSetup& setup) {
    const OptionValues& o = setup.options;
    require(!o.get_bool("residual"), TQ_ERR_INVALID_ARGUMENT, "turbo: option 'residual' is for mode=time only");
    Params p;
    p.mode = Mode::mdct;
    p.block = o.given("block") ? o.get_int("block") : default_mdct_size(setup.sample_rate);
    p.bits = o.given("bits") ? o.get_int("bits") : kMdctDefaultBits;
    p.seed = static_cast<uint32_t>(o.get_int("seed"));
    p.noise_fill = o.get_bool("noise_fill");
    p.tune = static_cast<Tune>(o.get_int("tune"));
    require(!(p.noise_fill && p.tune == Tune::perceptual), TQ_ERR_INVALID_ARGUMENT,
            "turbo: tune=perceptual always fills bands without bits; drop noise_fill");
    const int frames = p.tune == Tune::perceptual ? kPerceptualFramesPerPacket : 4;
    p.frame_size = std::max(std::min(frames * p.block, kMaxFrame), kTargetFrame);
    p.sample_rate = setup.sample_rate;
    if (setup.bitrate > 0 && !o.given("bits")) {
        p.bitrate = setup.bitrate;
        const double lowest = mdct_lowest_bitrate(p, setup.channels);
        require(setup.bitrate >= lowest, TQ_ERR_INVALID_ARGUMENT,
                "turbo: bitrate " + std::to_string(setup.bitrate) + " b/s is below the lowest mode=mdct reaches at " +
                    std::to_string(setup.sample_rate) + " Hz x " + std::to_string(setup.channels) + " channels (about " +
                    std::to_string(static_cast<long>(std::ceil(lowest))) + " b/s)");
    }
    return p;
}

}  // namespace

Params params_from_setup(const EncoderSetup& setup) {
    const OptionValues& o = setup.options;
    if (o.get_int("mode") == static_cast<int>(Mode::mdct)) return mdct_params_from_setup(setup);
    require(!o.get_bool("noise_fill"), TQ_ERR_INVALID_ARGUMENT, "turbo: option 'noise_fill' is for mode=mdct only");
    require(!o.given("tune"), TQ_ERR_INVALID_ARGUMENT, "turbo: option 'tune' is for mode=mdct only");
    Params p;
    p.block = o.get_int("block");
    p.bits = o.get_int("bits");
    p.residual = o.get_bool("residual");
    p.seed = static_cast<uint32_t>(o.get_int("seed"));
    p.frame_size = std::max(p.block, kTargetFrame);
    if (setup.bitrate > 0 && !o.given("bits")) {
        int chosen = 0;
        for (int b = kMinBits; b <= kMaxBits; ++b) {
            Params trial = p;
            trial.bits = b;
            if (estimated_bitrate(trial, setup.sample_rate, setup.channels) <= setup.bitrate) chosen = b;
        }
        if (chosen == 0) {
            Params lowest = p;
            lowest.bits = kMinBits;
            fail(TQ_ERR_INVALID_ARGUMENT,
                 "turbo: bitrate " + std::to_string(setup.bitrate) + " b/s is below the lowest this family reaches at " +
                     std::to_string(setup.sample_rate) + " Hz x " + std::to_string(setup.channels) +
                     " channels with these options (bits=1: about " +
                     std::to_string(static_cast<long>(std::ceil(estimated_bitrate(lowest, setup.sample_rate,
                                                                                  setup.channels)))) +
                     " b/s)");
        }
        p.bits = chosen;
    }
    return p;
}

std::vector<uint8_t> serialize_params(const Params& p) {
    ByteWriter w;
    w.u8(kParamsVersion);
    w.u8(static_cast<uint8_t>(log2_exact(p.block)));
    w.u8(static_cast<uint8_t>(p.mode == Mode::mdct ? 0 : p.bits));
    w.u8(static_cast<uint8_t>((p.residual ? kFlagResidual : 0) | (p.mode == Mode::mdct ? kFlagMdct : 0) |
                              (p.noise_fill ? kFlagNoiseFill : 0) | (p.tune == Tune::perceptual ? kFlagPerceptual : 0)));
    w.u32(p.seed);
    return w.take();
}

Params parse_params(std::span<const uint8_t> bytes, const StreamInfo& info) {
    ByteReader r(bytes, "turbo parameters");
    r.version(kParamsVersion);
    const uint8_t log2_block = r.u8(), bits = r.u8(), flags = r.u8();
    const uint32_t seed = r.u32();
    require_intact(r.remaining() == 0, "turbo parameters: " + std::to_string(bytes.size()) + " bytes, expected " +
                                           std::to_string(kParamsSize));
    require_intact(log2_block >= log2_exact(kMinBlock) && log2_block <= log2_exact(kMaxBlock),
                   "turbo parameters: block 2^" + std::to_string(log2_block) + " outside 64..4096");
    const bool mdct = (flags & kFlagMdct) != 0;
    require_intact((flags & ~(kFlagResidual | kFlagMdct | kFlagNoiseFill | kFlagPerceptual)) == 0 &&
                       (mdct ? (flags & kFlagResidual) == 0 : (flags & (kFlagNoiseFill | kFlagPerceptual)) == 0) &&
                       (flags & (kFlagNoiseFill | kFlagPerceptual)) != (kFlagNoiseFill | kFlagPerceptual),
                   "turbo parameters: unknown flags " + std::to_string(flags));
    require_intact(mdct ? bits == 0 : bits >= kMinBits && bits <= kMaxBits,
                   "turbo parameters: bits " + std::to_string(bits) + (mdct ? " must be 0 in mode mdct" : " outside 1..8"));
    require_intact(seed <= kMaxSeed, "turbo parameters: seed " + std::to_string(seed) + " above 2^31-1");
    Params p;
    p.block = 1 << log2_block;
    p.bits = bits;
    p.mode = mdct ? Mode::mdct : Mode::time;
    p.residual = (flags & kFlagResidual) != 0;
    p.noise_fill = (flags & kFlagNoiseFill) != 0;
    p.tune = (flags & kFlagPerceptual) != 0 ? Tune::perceptual : Tune::mse;
    p.seed = seed;
    p.frame_size = info.frame_size;
    require_intact(p.frame_size >= p.block && p.frame_size % p.block == 0 && p.frame_size <= kMaxFrame,
                   "turbo parameters: frame size " + std::to_string(p.frame_size) +
                       " is not a multiple of the block size " + std::to_string(p.block) + " in " +
                       std::to_string(p.block) + ".." + std::to_string(kMaxFrame));
    return p;
}

}  // namespace tq::turbo
