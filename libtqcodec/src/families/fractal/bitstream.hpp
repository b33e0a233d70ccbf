// fractal: what encoder and decoder must agree on beyond the parameters: the
// range tiling of a packet, the domain pool of each range size, the
// quantizers of s, o and the packet scale, and the packet syntax (BITSTREAM.md).
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
struct OffsetQuantizer {
    OffsetQuantizer(const Params& p, float peak);
    int code(double o) const;
    float value(int code) const { return levels[static_cast<std::size_t>(code)]; }
    bool valid(int code) const { return code >= 0 && code <= 2 * half; }
    int half;
    double range;
    std::vector<float> levels;

private:
    double expand(double u) const;
};

// The packet peak: code 0 = the channel is silent, else 2^((code - 192) / 8).
inline constexpr int kPeakBias = 192;
int peak_code(float peak);
float peak_value(int code);

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

}  // namespace tq::fractal
