// fractal: what encoder and decoder must agree on beyond the parameters: the
// range tiling of a packet, the domain pool of each range size, the
// quantizers of s, o and the packet scale, and the packet syntax (BITSTREAM.md):
// its writer beside its reader, so the two cannot drift apart.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/bitio.hpp"
#include "families/fractal/params.hpp"

namespace tq::fractal {

struct Span {
    int pos;
    int size;
};

// Samples the maps of a packet of `samples` cover: a multiple of min_range.
int padded_length(int samples, const Params& p);
// Top-level ranges tiling [0, length): max_range blocks, then the remainder in
// decreasing powers of two. Every range of size R (also after splitting)
// starts at a multiple of R.
std::vector<Span> top_ranges(int length, const Params& p);

// The domains for ranges of `size`: windows of 2*size samples starting every
// `step`, decimated by 2 (pair averages), each also time-reversed.
struct DomainPool {
    int step;
    int count;  // windows that fit in the packet (0: ranges of this size have s = 0)
    int index_bits;
};
DomainPool domain_pool(int length, int size, const Params& p);

// s: 2^bits - 1 uniform levels over [-s_max, s_max], the middle code is 0.
struct ScaleQuantizer {
    explicit ScaleQuantizer(const Params& p);
    int zero_code() const { return half; }
    int code(double s) const;
    float value(int code) const;
    bool valid(int code) const { return code >= 0 && code <= 2 * half; }
    int half;
    double limit;
};

// o: 2^bits - 1 levels over +-(1+s_max) * peak, mu-law spaced: offsets are
// mostly small next to the packet peak (quiet passages, zero-mean audio), and
// a uniform grid fine enough for them wastes bits on the loud ones.
inline constexpr double kOffsetMu = 32.0;
struct OffsetLevels {
    // A grid of `bits` bits (o_bits, or a version 3 channel's coarse grid: offset_bits(p, true)).
    OffsetLevels(const Params& p, int bits, float peak);
    float value(int code) const { return levels[static_cast<std::size_t>(code)]; }
    bool valid(int code) const { return code >= 0 && code <= 2 * half; }
    int half;
    double range;
    std::vector<float> levels;

private:
    double expand(double u) const;
};

// The encoder's side of the grid: the code of the level nearest an offset.
struct OffsetQuantizer : OffsetLevels {
    OffsetQuantizer(const Params& p, float peak);
    OffsetQuantizer(const Params& p, int bits, float peak);
    int code(double o) const;

private:
    // code() starts from a table over kCells equal cells of [-range, range]:
    // each cell's first level at or above its start; fine enough that where
    // the levels crowd (near 0, where most offsets are) a cell holds about one.
    static constexpr int kCells = 16384;
    std::vector<int> first_in_cell_;
    double cells_per_unit_;
};

// The packet peak: code 0 = the channel is silent, else 2^((code - 192) / 8).
inline constexpr int kPeakBits = 8;
inline constexpr int kPeakBias = 192;
int peak_code(float peak);
float peak_value(int code);

inline constexpr int kSplitFlagBits = 1;
// A channel's split floor (version 2): ranges of min_range << floor are not split.
inline constexpr int kFloorBits = 2;
inline constexpr int kMaxFloor = (1 << kFloorBits) - 1;
// The bits a coded channel spends on its floor in a stream of these parameters.
int floor_bits(const Params& p);
// A channel's offset grid (version 3): o_bits, or one bit coarser when its flag is set.
inline constexpr int kCoarseOffsetsBits = 1;
// The bits a coded channel spends on that flag in a stream of these parameters.
int coarse_offsets_bits(const Params& p);
// The width of a channel's o codes.
int offset_bits(const Params& p, bool coarse);

// One stored affine map: range[i] = s * domain[i] + o, where domain is the
// decimated window at domain_pos, read backwards when flipped.
struct Map {
    int pos;
    int size;
    int domain_pos;
    bool flip;
    float s;
    float o;
};

// Parses one channel of a packet; throws TQ_ERR_CORRUPT on invalid codes.
std::vector<Map> read_channel(BitReader& in, int length, const Params& p);

// What a packet stores for a range that is not split: the codes read_channel
// turns into a Map.
struct LeafCodes {
    int s_code;
    int domain;  // index in the pool of the range's size; stored only if s_code is not the zero code
    bool flip;
    int o_code;
};

// The encoder's split tree of one channel, asked range by range as the writer
// walks the syntax.
class SplitTree {
public:
    // Ranges of min_range << floor() and smaller are never split (0 in version 1).
    virtual int floor() const = 0;
    // Whether range r (larger than the floor's size) is coded as its two halves.
    virtual bool split(Span r) const = 0;
    // Whether the o codes are on the coarse grid (version 3; false before).
    virtual bool coarse_offsets() const = 0;
    virtual LeafCodes leaf(Span r) const = 0;

protected:
    ~SplitTree() = default;
};

// One channel of a packet as the encoder decided it.
struct ChannelCodes {
    int peak_code;                    // 0: the channel is silent and nothing else is written
    const std::vector<bool>& silent;  // per top range, in top_ranges order
    const SplitTree& tree;
};

// What one range costs in a packet of `length`, as write_channel writes it:
// the split flag (ranges above the floor's size), and a leaf's s code, domain index
// and flip (only when s is not zero, `mapped`) and o code. For the encoder's
// rate-distortion decisions; the packet's bits are counted by channel_bits.
int leaf_bits(int size, bool mapped, int length, const Params& p);

// Writes one channel of a packet: what read_channel parses.
void write_channel(BitWriter& out, const ChannelCodes& channel, int length, const Params& p);
// The bits write_channel would write (rate control), from the same walk.
std::size_t channel_bits(const ChannelCodes& channel, int length, const Params& p);

}  // namespace tq::fractal
