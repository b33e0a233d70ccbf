#include "families/turbo/bitstream.hpp"

#include <cmath>
#include <string>

#include "core/error.hpp"
#include "core/prng.hpp"
#include "dsp/lloyd_max.hpp"

namespace tq::turbo {
namespace {

// 2^(r/8), r = 0..7, rounded to float.
constexpr float kEighthOctaves[kScaleStepsPerOctave] = {
    1.0f, 1.0905077326652577f, 1.1892071150027210f, 1.2968395546510096f,
    1.4142135623730951f, 1.5422108254079407f, 1.6817928305074290f, 1.8340080864093424f,
};

}  // namespace

float scale_value(int index) {
    const int e = index - kScaleUnity;
    const int octave = e >= 0 ? e / kScaleStepsPerOctave : -((-e + kScaleStepsPerOctave - 1) / kScaleStepsPerOctave);
    const int step = e - octave * kScaleStepsPerOctave;  // 0..7
    return std::ldexp(kEighthOctaves[step], octave);
}

int nearest_scale_index(double rms) {
    if (!(rms > 0.0)) return 1;
    const double steps = std::round(kScaleStepsPerOctave * std::log2(rms));
    const double index = std::min(std::max(steps + kScaleUnity, 1.0), static_cast<double>(kScaleMaxIndex));
    return static_cast<int>(index);
}

void make_signs(uint32_t seed, int channel, int block_in_packet, int variant, float* out, int n) {
    const uint64_t key = (uint64_t{seed} << 32) | (static_cast<uint64_t>(channel) << 24) |
                         (static_cast<uint64_t>(variant) << 20) | static_cast<uint64_t>(block_in_packet);
    Xoshiro256 rng(key);
    for (int i = 0; i < n; i += 64) {
        const uint64_t word = rng.next();
        for (int j = 0; j < 64; ++j) out[i + j] = (word >> j) & 1u ? -1.0f : 1.0f;
    }
}

SignTable::SignTable(const Params& p, int channels)
    : block_(static_cast<std::size_t>(p.block)), blocks_(static_cast<std::size_t>(p.blocks_per_frame())) {
    signs_.resize(static_cast<std::size_t>(channels) * blocks_ * kVariants * block_);
    for (int c = 0; c < channels; ++c)
        for (int b = 0; b < p.blocks_per_frame(); ++b)
            for (int v = 0; v < kVariants; ++v) make_signs(p.seed, c, b, v, signs_.data() + offset(c, b, v), p.block);
}

std::span<const double> code_levels(const Params& p) {
    const dsp::LloydMaxTable& table = dsp::lloyd_max(p.bits);
    return p.residual ? std::span<const double>(table.half_centroid) : std::span<const double>(table.level);
}

void PayloadWriter::block(int scale_index, int variant, const uint16_t* codes, int n, int code_bits) {
    bits_.put(static_cast<uint32_t>(scale_index), kScaleBits);
    bits_.put(static_cast<uint32_t>(variant), 1);
    for (int i = 0; i < n; ++i) bits_.put(codes[i], code_bits);
}

int PayloadReader::block(int& variant, uint16_t* codes, int n, int code_bits) {
    const int scale = static_cast<int>(bits_.get(kScaleBits));
    if (scale > kScaleMaxIndex)
        fail(TQ_ERR_CORRUPT, "turbo payload: block " + std::to_string(blocks_read_) + " has reserved scale index " +
                                 std::to_string(scale));
    if (scale != kScaleSilent) {
        variant = static_cast<int>(bits_.get(1));
        for (int i = 0; i < n; ++i) codes[i] = static_cast<uint16_t>(bits_.get(code_bits));
    }
    ++blocks_read_;
    return scale;
}

void PayloadReader::finish() {
    const std::size_t left = bits_.bits_left();
    if (left >= 8)
        fail(TQ_ERR_CORRUPT, "turbo payload: " + std::to_string(left / 8) + " bytes after the last block");
    if (left > 0 && bits_.get(static_cast<int>(left)) != 0) fail(TQ_ERR_CORRUPT, "turbo payload: nonzero padding bits");
}

}  // namespace tq::turbo
