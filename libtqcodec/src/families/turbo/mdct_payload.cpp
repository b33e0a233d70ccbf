#include "families/turbo/mdct_payload.hpp"

#include <string>

#include "core/error.hpp"
#include "families/turbo/allocation.hpp"
#include "families/turbo/bands.hpp"

namespace tq::turbo {
namespace {

// Longest unary prefix a valid delta can have (|delta| <= 127, zigzag <= 254, k = 0).
constexpr int kMaxUnary = 2 * kGainMaxIndex;

unsigned zigzag(int delta) { return delta >= 0 ? 2u * static_cast<unsigned>(delta) : 2u * static_cast<unsigned>(-delta) - 1u; }
int unzigzag(unsigned v) { return (v & 1u) ? -static_cast<int>((v + 1u) / 2u) : static_cast<int>(v / 2u); }

bool all_silent(std::span<const int> gains) {
    for (int g : gains)
        if (g != 0) return false;
    return true;
}

int rice_bits(std::span<const int> gains, int k) {
    int bits = kRiceParamBits + kGainIndexBits;
    for (std::size_t b = 1; b < gains.size(); ++b) bits += static_cast<int>(zigzag(gains[b] - gains[b - 1]) >> k) + 1 + k;
    return bits;
}

int best_rice_param(std::span<const int> gains) {
    int best = 0;
    for (int k = 1; k <= kMaxRiceParam; ++k)
        if (rice_bits(gains, k) < rice_bits(gains, best)) best = k;
    return best;
}

}  // namespace

int gain_code_bits(std::span<const int> gains) {
    return 1 + (all_silent(gains) ? 0 : rice_bits(gains, best_rice_param(gains)));
}

// coded flag; Rice parameter k; first gain; zigzag deltas to the band below, Rice(k).
void write_gains(BitWriter& out, std::span<const int> gains) {
    const bool coded = !all_silent(gains);
    out.put_bit(coded);
    if (!coded) return;
    const int k = best_rice_param(gains);
    out.put(static_cast<uint32_t>(k), kRiceParamBits);
    out.put(static_cast<uint32_t>(gains[0]), kGainIndexBits);
    for (std::size_t b = 1; b < gains.size(); ++b) {
        const unsigned v = zigzag(gains[b] - gains[b - 1]);
        for (unsigned i = 0; i < (v >> k); ++i) out.put_bit(true);
        out.put_bit(false);
        out.put(v, k);
    }
}

void read_gains(BitReader& in, std::span<int> gains) {
    if (!in.get_bit()) {
        for (int& g : gains) g = 0;
        return;
    }
    const int k = static_cast<int>(in.get(kRiceParamBits));
    gains[0] = static_cast<int>(in.get(kGainIndexBits));
    for (std::size_t b = 1; b < gains.size(); ++b) {
        unsigned high = 0;
        while (in.get_bit())
            if (++high > kMaxUnary) fail(TQ_ERR_CORRUPT, "turbo mdct payload: gain code too long");
        const unsigned v = (high << k) | in.get(k);
        const int g = gains[b - 1] + unzigzag(v);
        require_intact(g >= 0 && g <= kGainMaxIndex,
                       "turbo mdct payload: gain index " + std::to_string(g) + " outside 0..127");
        gains[b] = g;
    }
}

std::size_t mdct_max_payload_bytes(const Params& p, int channels) {
    const std::size_t frames = static_cast<std::size_t>(p.frame_size / p.block);
    const std::size_t bands = static_cast<std::size_t>(mdct_bands(p.block).count());
    // With the best Rice parameter the gains never take more than with k = 3.
    const std::size_t worst_gains = 1 + kRiceParamBits + kGainIndexBits + (bands - 1) * ((254 >> 3) + 1 + 3);
    const std::size_t stereo_flags = channels == 2 ? 1 + bands : 0;
    const std::size_t bits = kBudgetBits + frames * (stereo_flags + static_cast<std::size_t>(channels) *
                                                                       (worst_gains + kMaxBandBits * static_cast<std::size_t>(p.block)));
    return (bits + 7) / 8;
}

double mdct_lowest_bitrate(const Params& p, int channels) {
    const double bands = mdct_bands(p.block).count();
    const double per_packet = kPacketOverheadBits + kBudgetBits;
    const double per_frame = channels * (1 + kRiceParamBits + kGainIndexBits + 2.0 * (bands - 1));
    return p.sample_rate * (per_packet / p.frame_size + per_frame / p.block);
}

}  // namespace tq::turbo
