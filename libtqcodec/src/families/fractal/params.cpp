#include "families/fractal/params.hpp"

#include <bit>
#include <cmath>
#include <string>

#include "core/byteio.hpp"
#include "core/error.hpp"
#include "families/fractal/bitstream.hpp"

namespace tq::fractal {
namespace {

constexpr tq_option_info kOptions[] = {
    {"packet", TQ_OPTION_POW2, kDefaultPacket, kMinPacket, kMaxPacket,
     "samples per channel per packet (4096..65536); every packet is decoded on its own, and its domain pool and "
     "search index exist only while it is encoded",
     nullptr},
    {"min_range", TQ_OPTION_POW2, kDefaultMinRange, kMinRangeLimit, kMaxRangeLimit,
     "smallest range (power of two, 4..1024): no range is split below this size; which sizes are used is decided "
     "by rate and distortion",
     nullptr},
    {"max_range", TQ_OPTION_POW2, kDefaultMaxRange, kMinRangeLimit, kMaxRangeLimit,
     "largest range (power of two, 4..1024, at least min_range)", nullptr},
    {"domain_step", TQ_OPTION_POW2, kDefaultDomainDivisor, 1, kMaxDomainDivisor,
     "domain windows (twice the range length) start every range/domain_step samples: more domains, better "
     "matches, one more index bit per doubling",
     nullptr},
    {"s_bits", TQ_OPTION_INT, kDefaultScaleBits, kMinScaleBits, kMaxScaleBits,
     "bits of the contrast factor s, uniform in [-s_max, s_max] with 0 exact", nullptr},
    {"s_max", TQ_OPTION_FLOAT, kDefaultScaleLimit, kMinScaleLimitCode / 256.0, kMaxScaleLimitCode / 256.0,
     "largest |s| (below 1 so the decoder's iteration converges; stored in 1/256 steps)", nullptr},
    {"o_bits", TQ_OPTION_INT, kDefaultOffsetBits, kMinOffsetBits, kMaxOffsetBits,
     "bits of the offset o, mu-law spaced over +-(1+s_max) times the packet's peak; each channel of a packet "
     "uses these or one bit fewer, whichever codes it for less",
     nullptr},
    {"quality", TQ_OPTION_FLOAT, kDefaultQuality, 0.0, 1.0,
     "without a bitrate, the price of a bit: (1 - quality) times the packet's power 3 + 40*quality dB down; a "
     "split or a map is coded where it removes more squared error than its bits cost (given explicitly, it "
     "overrides the bitrate)",
     nullptr},
    {"iterations", TQ_OPTION_INT, kDefaultIterations, 1, 255,
     "decoder: most iterations of the maps (stored in the stream header)", nullptr},
    {"tolerance", TQ_OPTION_INT, kDefaultToleranceLog2, kMinToleranceLog2, kMaxToleranceLog2,
     "decoder: stop iterating once no sample changes by more than 2^-tolerance (stored in the stream header)",
     nullptr},
    {"threads", TQ_OPTION_INT, 0, 0, 256,
     "encoder threads searching the ranges of a packet (0: all cores); the output does not depend on it", nullptr},
    {"search", TQ_OPTION_ENUM, 0, 0, 2,
     "domain search: brute (exhaustive, vectorised), hnsw (HNSW indexes of DCT embeddings per band of domain "
     "norm, candidates scored exactly), or auto (today: brute, measured faster at every pool size allowed)",
     "auto|hnsw|brute"},
    {"candidates", TQ_OPTION_INT, kDefaultCandidates, 1, kMaxCandidates,
     "search=hnsw: candidates per norm band and sign of s", nullptr},
    {"silence_db", TQ_OPTION_FLOAT, -70.0, -140.0, -20.0,
     "top-level ranges whose RMS (dBFS) stays below this (3 dB hysteresis) are coded as one silent flag", nullptr},
};

int log2_exact(int v) { return std::countr_zero(static_cast<unsigned>(v)); }

}  // namespace

std::span<const tq_option_info> option_schema() { return kOptions; }

double Params::tolerance() const { return std::ldexp(1.0, -tolerance_log2); }

Params params_from_setup(const EncoderSetup& setup) {
    const OptionValues& o = setup.options;
    Params p;
    p.packet = o.get_int("packet");
    p.min_range = o.get_int("min_range");
    p.max_range = o.get_int("max_range");
    require(p.min_range <= p.max_range, TQ_ERR_INVALID_ARGUMENT,
            "fractal: min_range " + std::to_string(p.min_range) + " is above max_range " + std::to_string(p.max_range));
    p.domain_divisor = o.get_int("domain_step");
    p.scale_bits = o.get_int("s_bits");
    p.scale_limit_code = static_cast<int>(std::lround(o.get("s_max") * 256.0));
    p.offset_bits = o.get_int("o_bits");
    p.iterations = o.get_int("iterations");
    p.tolerance_log2 = o.get_int("tolerance");
    p.quality = o.get("quality");
    p.quality_given = o.given("quality");
    p.bitrate = p.quality_given ? 0 : setup.bitrate;
    p.sample_rate = setup.sample_rate;
    p.threads = o.get_int("threads");
    p.search = static_cast<Search>(o.get_int("search"));
    p.candidates = o.get_int("candidates");
    p.silence_db = o.get("silence_db");
    return p;
}

std::size_t max_payload_bytes(const Params& p, int channels) {
    const std::size_t leaves = static_cast<std::size_t>(p.packet / p.min_range);
    const std::size_t index_bits = static_cast<std::size_t>(log2_exact(p.packet)) + 1;
    const std::size_t leaf_bits =
        2 + static_cast<std::size_t>(p.scale_bits) + index_bits + 1 + static_cast<std::size_t>(p.offset_bits);
    const std::size_t channel_bits = kPeakBits + kFloorBits + leaves * (1 + leaf_bits);
    return (static_cast<std::size_t>(channels) * channel_bits + 7) / 8;
}

std::vector<uint8_t> serialize_params(const Params& p) {
    ByteWriter w;
    w.u8(static_cast<uint8_t>(p.version));
    w.u8(static_cast<uint8_t>(log2_exact(p.min_range)));
    w.u8(static_cast<uint8_t>(log2_exact(p.max_range)));
    w.u8(static_cast<uint8_t>(log2_exact(p.domain_divisor)));
    w.u8(static_cast<uint8_t>(p.scale_bits));
    w.u8(static_cast<uint8_t>(p.scale_limit_code));
    w.u8(static_cast<uint8_t>(p.offset_bits));
    w.u8(static_cast<uint8_t>(p.iterations));
    w.u8(static_cast<uint8_t>(p.tolerance_log2));
    return w.take();
}

namespace {

void check_in(int value, int lo, int hi, const char* what) {
    require_intact(value >= lo && value <= hi, std::string("fractal parameters: ") + what + " " +
                                                   std::to_string(value) + " outside " + std::to_string(lo) +
                                                   ".." + std::to_string(hi));
}

}  // namespace

Params parse_params(std::span<const uint8_t> bytes, const StreamInfo& info) {
    ByteReader r(bytes, "fractal parameters");
    const int version = r.version(kOldestParamsVersion, kParamsVersion);
    const int log2_min = r.u8(), log2_max = r.u8(), log2_divisor = r.u8();
    Params p;
    p.version = version;
    p.scale_bits = r.u8();
    p.scale_limit_code = r.u8();
    p.offset_bits = r.u8();
    p.iterations = r.u8();
    p.tolerance_log2 = r.u8();
    require_intact(r.remaining() == 0, "fractal parameters: " + std::to_string(bytes.size()) + " bytes, expected " +
                                           std::to_string(kParamsSize));
    check_in(log2_min, log2_exact(kMinRangeLimit), log2_exact(kMaxRangeLimit), "log2 min_range");
    check_in(log2_max, log2_min, log2_exact(kMaxRangeLimit), "log2 max_range");
    check_in(log2_divisor, 0, log2_exact(kMaxDomainDivisor), "log2 domain_step");
    check_in(p.scale_bits, kMinScaleBits, kMaxScaleBits, "s_bits");
    check_in(p.scale_limit_code, kMinScaleLimitCode, kMaxScaleLimitCode, "s_max code");
    check_in(p.offset_bits, kMinOffsetBits, kMaxOffsetBits, "o_bits");
    check_in(p.iterations, 1, 255, "iterations");
    check_in(p.tolerance_log2, kMinToleranceLog2, kMaxToleranceLog2, "tolerance");
    p.min_range = 1 << log2_min;
    p.max_range = 1 << log2_max;
    p.domain_divisor = 1 << log2_divisor;
    p.packet = info.frame_size;
    require_intact(std::has_single_bit(static_cast<unsigned>(p.packet)) && p.packet >= kMinPacket &&
                       p.packet <= kMaxPacket,
                   "fractal parameters: frame size " + std::to_string(p.packet) +
                       " is not a power of two in 4096..65536");
    return p;
}

}  // namespace tq::fractal
