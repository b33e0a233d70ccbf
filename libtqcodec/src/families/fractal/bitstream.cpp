#include "families/fractal/bitstream.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

#include "core/error.hpp"

namespace tq::fractal {

int padded_length(int samples, const Params& p) { return (samples + p.min_range - 1) / p.min_range * p.min_range; }

std::vector<Span> top_ranges(int length, const Params& p) {
    std::vector<Span> out;
    int pos = 0;
    for (int size = p.max_range; size >= p.min_range; size /= 2)
        for (; length - pos >= size; pos += size) out.push_back({pos, size});
    return out;
}

DomainPool domain_pool(int length, int size, const Params& p) {
    const int step = std::max(1, size / p.domain_divisor);
    const int count = length >= 2 * size ? (length - 2 * size) / step + 1 : 0;
    const int bits = count <= 1 ? 0 : static_cast<int>(std::bit_width(static_cast<unsigned>(count - 1)));
    return {step, count, bits};
}

ScaleQuantizer::ScaleQuantizer(const Params& p)
    : half((1 << (p.scale_bits - 1)) - 1), limit(p.scale_limit()) {}

int ScaleQuantizer::code(double s) const {
    const long c = std::lround(std::clamp(s / limit, -1.0, 1.0) * half);
    return static_cast<int>(c) + half;
}

float ScaleQuantizer::value(int c) const { return static_cast<float>(limit * (c - half) / half); }

OffsetLevels::OffsetLevels(const Params& p, int bits, float peak)
    : half((1 << (bits - 1)) - 1), range((1.0 + p.scale_limit()) * peak) {
    levels.resize(static_cast<std::size_t>(2 * half + 1));
    for (int c = 0; c <= 2 * half; ++c) levels[static_cast<std::size_t>(c)] = static_cast<float>(expand((c - half) / static_cast<double>(half)));
}

double OffsetLevels::expand(double u) const {
    return std::copysign(range * std::expm1(std::fabs(u) * std::log1p(kOffsetMu)) / kOffsetMu, u);
}

OffsetQuantizer::OffsetQuantizer(const Params& p, float peak) : OffsetQuantizer(p, p.offset_bits, peak) {}

OffsetQuantizer::OffsetQuantizer(const Params& p, int bits, float peak)
    : OffsetLevels(p, bits, peak), cells_per_unit_(kCells / (2.0 * range)) {
    first_in_cell_.resize(kCells);
    for (int cell = 0, c = 0; cell < kCells; ++cell) {
        const double start = -range + cell / cells_per_unit_;
        while (c < 2 * half && static_cast<double>(levels[static_cast<std::size_t>(c)]) < start) ++c;
        first_in_cell_[static_cast<std::size_t>(cell)] = c;
    }
}

int OffsetQuantizer::code(double o) const {
    // The first level at or above o (they rise with the code), from its cell's
    // first level; the steps back cover rounding at a cell's edge (and o below
    // the grid). A NaN stays in cell 0 and gets code 0.
    const double at = (o + range) * cells_per_unit_;
    const int cell = at >= 0.0 ? static_cast<int>(std::min(at, static_cast<double>(kCells - 1))) : 0;
    const int last = 2 * half;
    int c = first_in_cell_[static_cast<std::size_t>(cell)];
    while (c <= last && static_cast<double>(levels[static_cast<std::size_t>(c)]) < o) ++c;
    while (c > 0 && !(static_cast<double>(levels[static_cast<std::size_t>(c - 1)]) < o)) --c;
    // The nearer of it and the level below.
    const auto level = [&](int code) { return levels[static_cast<std::size_t>(code)]; };
    if (c > last || (c > 0 && o - level(c - 1) <= level(c) - o)) --c;
    return c;
}

int peak_code(float peak) {
    if (!(peak > 0.0f)) return 0;
    const double c = std::ceil(8.0 * std::log2(static_cast<double>(peak))) + kPeakBias;
    return static_cast<int>(std::clamp(c, 1.0, 255.0));
}

float peak_value(int code) { return static_cast<float>(std::exp2((code - kPeakBias) / 8.0)); }

int floor_bits(const Params& p) { return p.version >= 2 ? kFloorBits : 0; }

int coarse_offsets_bits(const Params& p) { return p.version >= 3 ? kCoarseOffsetsBits : 0; }

int offset_bits(const Params& p, bool coarse) { return p.offset_bits - (coarse ? 1 : 0); }

namespace {

// The split tree of a top range, walked alike by reader and writer: a range
// larger than `smallest` (the channel's floor) starts with a flag, set when its
// two halves follow in its place; split(r) reads or writes that flag, leaf(r)
// the range's codes.
template <class Split, class Leaf>
void walk_tree(Span r, int smallest, Split& split, Leaf& leaf) {
    if (r.size > smallest && split(r)) {
        walk_tree({r.pos, r.size / 2}, smallest, split, leaf);
        walk_tree({r.pos + r.size / 2, r.size / 2}, smallest, split, leaf);
        return;
    }
    leaf(r);
}

struct LeafReader {
    BitReader& in;
    const Params& p;
    int length;
    int o_bits;
    ScaleQuantizer scale;
    OffsetLevels offset;
    std::vector<Map>& maps;

    void operator()(Span r) {
        const DomainPool pool = domain_pool(length, r.size, p);
        Map m{r.pos, r.size, 0, false, 0.0f, 0.0f};
        if (pool.count > 0) {
            const int s = static_cast<int>(in.get(p.scale_bits));
            require_intact(scale.valid(s), "fractal packet: s code " + std::to_string(s) + " out of range");
            m.s = scale.value(s);
            if (s != scale.zero_code()) {
                const int d = static_cast<int>(in.get(pool.index_bits));
                require_intact(d < pool.count, "fractal packet: domain " + std::to_string(d) + " of " +
                                                   std::to_string(pool.count) + " for range size " +
                                                   std::to_string(r.size));
                m.domain_pos = d * pool.step;
                m.flip = in.get_bit();
            }
        }
        const int o = static_cast<int>(in.get(o_bits));
        require_intact(offset.valid(o), "fractal packet: o code " + std::to_string(o) + " out of range");
        m.o = offset.value(o);
        maps.push_back(m);
    }
};

}  // namespace

std::vector<Map> read_channel(BitReader& in, int length, const Params& p) {
    std::vector<Map> maps;
    const int peak = static_cast<int>(in.get(kPeakBits));
    if (peak == 0) return maps;
    const int smallest = p.min_range << in.get(floor_bits(p));
    const int o_bits = offset_bits(p, in.get(coarse_offsets_bits(p)) != 0);
    LeafReader leaf{in, p, length, o_bits, ScaleQuantizer(p), OffsetLevels(p, o_bits, peak_value(peak)), maps};
    auto split = [&](Span) { return in.get_bit(); };
    for (const Span& top : top_ranges(length, p)) {
        const bool silent = in.get_bit();
        if (!silent) walk_tree(top, smallest, split, leaf);
    }
    return maps;
}

namespace {

// Stands in for a BitWriter where only the number of bits matters.
struct BitCounter {
    std::size_t bits = 0;
    void put(uint32_t, int n) { bits += static_cast<std::size_t>(n); }
    void put_bit(bool) { ++bits; }
};

// The mirror of LeafReader, writing to a BitWriter or a BitCounter.
template <class Out>
struct LeafWriter {
    Out& out;
    const Params& p;
    int length;
    const SplitTree& tree;
    int zero_s = ScaleQuantizer(p).zero_code();

    void operator()(Span r) {
        const DomainPool pool = domain_pool(length, r.size, p);
        const LeafCodes codes = tree.leaf(r);
        if (pool.count > 0) {
            out.put(static_cast<uint32_t>(codes.s_code), p.scale_bits);
            if (codes.s_code != zero_s) {
                out.put(static_cast<uint32_t>(codes.domain), pool.index_bits);
                out.put_bit(codes.flip);
            }
        }
        out.put(static_cast<uint32_t>(codes.o_code), offset_bits(p, tree.coarse_offsets()));
    }
};

}  // namespace

int leaf_bits(int size, bool mapped, int length, const Params& p) {
    const DomainPool pool = domain_pool(length, size, p);
    if (pool.count == 0) return p.offset_bits;
    return p.scale_bits + (mapped ? pool.index_bits + 1 : 0) + p.offset_bits;
}

namespace {

template <class Out>
void put_channel(Out& out, const ChannelCodes& channel, int length, const Params& p) {
    out.put(static_cast<uint32_t>(channel.peak_code), kPeakBits);
    if (channel.peak_code == 0) return;
    const int split_floor = channel.tree.floor();
    require(split_floor >= 0 && split_floor <= (p.version >= 2 ? kMaxFloor : 0), TQ_ERR_INTERNAL,
            "fractal: split floor " + std::to_string(split_floor) + " in a version " + std::to_string(p.version) +
                " stream");
    out.put(static_cast<uint32_t>(split_floor), floor_bits(p));
    require(!channel.tree.coarse_offsets() || p.version >= 3, TQ_ERR_INTERNAL,
            "fractal: coarse offsets in a version " + std::to_string(p.version) + " stream");
    out.put(channel.tree.coarse_offsets() ? 1u : 0u, coarse_offsets_bits(p));
    LeafWriter<Out> leaf{out, p, length, channel.tree};
    auto split = [&](Span r) {
        const bool divide = channel.tree.split(r);
        out.put_bit(divide);
        return divide;
    };
    const std::vector<Span> tops = top_ranges(length, p);
    for (std::size_t t = 0; t < tops.size(); ++t) {
        out.put_bit(channel.silent[t]);
        if (!channel.silent[t]) walk_tree(tops[t], p.min_range << split_floor, split, leaf);
    }
}

}  // namespace

void write_channel(BitWriter& out, const ChannelCodes& channel, int length, const Params& p) {
    put_channel(out, channel, length, p);
}

std::size_t channel_bits(const ChannelCodes& channel, int length, const Params& p) {
    BitCounter counter;
    put_channel(counter, channel, length, p);
    return counter.bits;
}

}  // namespace tq::fractal
