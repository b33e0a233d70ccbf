#include "families/turbo/mdct_payload.hpp"

#include <algorithm>
#include <string>

#include "core/error.hpp"
#include "families/turbo/allocation.hpp"
#include "families/turbo/bands.hpp"
#include "families/turbo/tns.hpp"

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

int time_rice_bits(std::span<const int> gains, std::span<const int> previous, int k) {
    int bits = kRiceParamBits;
    for (std::size_t b = 0; b < gains.size(); ++b) bits += static_cast<int>(zigzag(gains[b] - previous[b]) >> k) + 1 + k;
    return bits;
}

int best_time_rice_param(std::span<const int> gains, std::span<const int> previous) {
    int best = 0;
    for (int k = 1; k <= kMaxRiceParam; ++k)
        if (time_rice_bits(gains, previous, k) < time_rice_bits(gains, previous, best)) best = k;
    return best;
}

void put_rice(BitWriter& out, unsigned v, int k) {
    for (unsigned i = 0; i < (v >> k); ++i) out.put_bit(true);
    out.put_bit(false);
    out.put(v, k);
}

unsigned get_rice(BitReader& in, int k) {
    unsigned high = 0;
    while (in.get_bit())
        if (++high > kMaxUnary) fail(TQ_ERR_CORRUPT, "turbo mdct payload: gain code too long");
    return (high << k) | in.get(k);
}

int checked_gain(int g) {
    require_intact(g >= 0 && g <= kGainMaxIndex, "turbo mdct payload: gain index " + std::to_string(g) + " outside 0..127");
    return g;
}

bool time_code_is_shorter(std::span<const int> gains, std::span<const int> previous) {
    return !previous.empty() &&
           time_rice_bits(gains, previous, best_time_rice_param(gains, previous)) < gain_code_bits(gains);
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
    for (std::size_t b = 1; b < gains.size(); ++b) put_rice(out, zigzag(gains[b] - gains[b - 1]), k);
}

void read_gains(BitReader& in, std::span<int> gains) {
    if (!in.get_bit()) {
        for (int& g : gains) g = 0;
        return;
    }
    const int k = static_cast<int>(in.get(kRiceParamBits));
    gains[0] = static_cast<int>(in.get(kGainIndexBits));
    for (std::size_t b = 1; b < gains.size(); ++b) gains[b] = checked_gain(gains[b - 1] + unzigzag(get_rice(in, k)));
}

int predicted_gain_code_bits(std::span<const int> gains, std::span<const int> previous) {
    if (previous.empty()) return gain_code_bits(gains);
    const int by_time = time_rice_bits(gains, previous, best_time_rice_param(gains, previous));
    return 1 + std::min(by_time, gain_code_bits(gains));
}

// [time flag] then either the code above or: Rice parameter k; zigzag deltas
// to the previous frame's gains, Rice(k).
void write_predicted_gains(BitWriter& out, std::span<const int> gains, std::span<const int> previous) {
    const bool by_time = time_code_is_shorter(gains, previous);
    if (!previous.empty()) out.put_bit(by_time);
    if (!by_time) return write_gains(out, gains);
    const int k = best_time_rice_param(gains, previous);
    out.put(static_cast<uint32_t>(k), kRiceParamBits);
    for (std::size_t b = 0; b < gains.size(); ++b) put_rice(out, zigzag(gains[b] - previous[b]), k);
}

void read_predicted_gains(BitReader& in, std::span<int> gains, std::span<const int> previous) {
    if (previous.empty() || !in.get_bit()) return read_gains(in, gains);
    const int k = static_cast<int>(in.get(kRiceParamBits));
    for (std::size_t b = 0; b < gains.size(); ++b) gains[b] = checked_gain(previous[b] + unzigzag(get_rice(in, k)));
}

std::size_t mdct_max_payload_bytes(const Params& p, int channels) {
    const std::size_t frames = static_cast<std::size_t>(p.frame_size / p.block);
    const std::size_t bands = static_cast<std::size_t>(mdct_bands(p.block, p.tune).count());
    // With the best Rice parameter the gains never take more than with k = 3.
    const std::size_t worst_gains = 1 + kRiceParamBits + kGainIndexBits + (bands - 1) * ((254 >> 3) + 1 + 3);
    const bool perceptual = p.tune == Tune::perceptual;
    // tune=perceptual: a stereo frame's repeat flag; per channel the TNS filter and the time-prediction flag.
    const std::size_t stereo_flags = channels == 2 ? 1 + bands + (perceptual ? 1 : 0) : 0;
    const std::size_t perceptual_side = perceptual ? 1 + kTnsOrder * kTnsIndexBits + 1 : 0;
    const std::size_t bits =
        kBudgetBits + frames * (stereo_flags + static_cast<std::size_t>(channels) *
                                                   (perceptual_side + worst_gains + kMaxBandBits * static_cast<std::size_t>(p.block)));
    return (bits + 7) / 8;
}

double mdct_lowest_bitrate(const Params& p, int channels) {
    const double bands = mdct_bands(p.block, p.tune).count();
    const double per_packet = kPacketOverheadBits + kBudgetBits;
    const double perceptual_side = p.tune == Tune::perceptual ? 2.0 : 0.0;  // TNS and time-prediction flags
    const double per_frame = channels * (perceptual_side + 1 + kRiceParamBits + kGainIndexBits + 2.0 * (bands - 1));
    return p.sample_rate * (per_packet / p.frame_size + per_frame / p.block);
}

}  // namespace tq::turbo
