// turbo: the payload bit layout and the two things a decoder must reproduce
// bit-exactly from the stream header alone: the block scale grid and the
// pseudo-random sign vectors. Documented in BITSTREAM.md.
//
// Payload of one packet (MSB-first bit packing, like tq::BitWriter):
//   for each block of the packet, for each channel:
//     scale   8 bits   0 = silent block (nothing else follows), 1..248 = scale
//                      2^((scale-216)/8); 249..255 reserved (corrupt)
//     variant 1 bit    which of the two sign vectors rotated this block
//     codes   block x (bits + residual) bits, one code per transform coefficient
//   zero bits to the next byte boundary (nothing else may follow)
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/bitio.hpp"
#include "families/turbo/params.hpp"

namespace tq::turbo {

inline constexpr int kScaleBits = 8;
inline constexpr int kScaleSilent = 0;
inline constexpr int kScaleUnity = 216;      // scale index of 1.0
inline constexpr int kScaleMaxIndex = 248;   // scale 2^4; above: reserved
inline constexpr int kScaleStepsPerOctave = 8;
inline constexpr int kVariants = 2;

// 2^((index - kScaleUnity) / 8) for index 1..kScaleMaxIndex, computed exactly
// the same everywhere (a table of eight float constants and ldexp).
float scale_value(int index);
// The grid index nearest (in log2) to `rms` > 0, clamped to 1..kScaleMaxIndex.
int nearest_scale_index(double rms);

// Fills out[0..n) with the +-1 sign vector of (seed, channel, block index within
// the packet, variant). n is a multiple of 64. Definition: BITSTREAM.md.
void make_signs(uint32_t seed, int channel, int block_in_packet, int variant, float* out, int n);

// Every sign vector a packet uses, [channel][block in packet][variant][block]:
// frame_size * channels * 2 floats (at most 1 MiB with kMaxFrame).
class SignTable {
public:
    SignTable(const Params& params, int channels);
    const float* get(int channel, int block_in_packet, int variant) const {
        return signs_.data() + offset(channel, block_in_packet, variant);
    }

private:
    std::size_t offset(int channel, int block_in_packet, int variant) const {
        const std::size_t i = (static_cast<std::size_t>(channel) * blocks_ + static_cast<std::size_t>(block_in_packet)) *
                                  kVariants + static_cast<std::size_t>(variant);
        return i * block_;
    }

    std::size_t block_, blocks_;
    std::vector<float> signs_;
};

// The reconstruction levels (for N(0,1)) that codes index: the b-bit Lloyd-Max
// levels, or with `residual` the 2^(b+1) half-cell centroids (code = 2 x
// Lloyd-Max index + refinement bit), in double as tabulated.
std::span<const double> code_levels(const Params& params);

class PayloadWriter {
public:
    void silent_block() { bits_.put(kScaleSilent, kScaleBits); }
    void block(int scale_index, int variant, const uint16_t* codes, int n, int code_bits);
    std::vector<uint8_t> finish() { return bits_.finish(); }

private:
    BitWriter bits_;
};

// Reads the payload written by PayloadWriter. Every malformed input throws
// tq::Error(TQ_ERR_CORRUPT): running out of bits, a reserved scale index,
// nonzero padding or bytes after the last block.
class PayloadReader {
public:
    explicit PayloadReader(std::span<const uint8_t> payload) : bits_(payload, "turbo payload") {}
    // Returns the scale index; for a coded block (index != 0) also sets
    // `variant` and reads n codes of code_bits bits each into `codes`.
    int block(int& variant, uint16_t* codes, int n, int code_bits);
    // Checks that only zero padding (< 8 bits) is left.
    void finish();

private:
    BitReader bits_;
    std::size_t blocks_read_ = 0;
};

}  // namespace tq::turbo
