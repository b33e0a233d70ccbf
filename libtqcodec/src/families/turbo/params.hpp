// turbo: the option schema, the coding parameters, and the family part of the
// stream header (serialised / parsed with validation). Byte layout: BITSTREAM.md.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "families/family.hpp"

namespace tq::turbo {

inline constexpr int kMinBlock = 64;
inline constexpr int kMaxBlock = 4096;
inline constexpr int kDefaultBlock = 512;
inline constexpr int kMinBits = 1;
inline constexpr int kMaxBits = 8;
inline constexpr int kDefaultBits = 4;
inline constexpr uint32_t kDefaultSeed = 0x2545F491u;
inline constexpr uint32_t kMaxSeed = 0x7FFFFFFFu;
// Frames hold a whole number of blocks, about this many samples.
inline constexpr int kTargetFrame = 4096;
// tune=perceptual: frames per packet (at 44.1 kHz, 186 ms): the gains of all but
// the first are coded as changes from the frame before, and the packet's bit
// budget is shared by more frames.
inline constexpr int kPerceptualFramesPerPacket = 8;
// Largest frame a decoder accepts from a stream header (bounds its tables).
inline constexpr int kMaxFrame = 16384;
// Version of the family parameter bytes.
inline constexpr uint8_t kParamsVersion = 1;
inline constexpr std::size_t kParamsSize = 8;
// mdct mode: average bits per sample when neither `bits` nor a bitrate is given.
inline constexpr int kMdctDefaultBits = 2;
// Flags byte of the parameters (BITSTREAM.md section 2).
inline constexpr uint8_t kFlagResidual = 1;
inline constexpr uint8_t kFlagMdct = 2;
inline constexpr uint8_t kFlagNoiseFill = 4;
inline constexpr uint8_t kFlagPerceptual = 8;

enum class Mode { time = 0, mdct = 1 };
// mdct mode: what the coder minimises (BITSTREAM.md section 9).
enum class Tune { mse = 0, perceptual = 1 };

struct Params {
    Mode mode = Mode::time;
    int block = kDefaultBlock;  // samples per block (transform size), power of two; mdct: coefficients per frame
    int bits = kDefaultBits;    // Lloyd-Max index bits per coefficient
    bool residual = false;      // one half-cell refinement bit per coefficient
    uint32_t seed = kDefaultSeed;
    int frame_size = kTargetFrame;  // samples per channel per packet, a multiple of block
    bool noise_fill = false;        // mdct: bands without bits decode as noise at the band gain
    Tune tune = Tune::mse;          // mdct only
    // Encoder only (not in the stream header), mdct mode: the rate target.
    int bitrate = 0;     // bits per second of the whole stream, or 0: `bits` per sample on average
    int sample_rate = 0;

    int code_bits() const { return bits + (residual ? 1 : 0); }
    int blocks_per_frame() const { return frame_size / block; }
};

// The option schema: block, bits, residual, seed, mode, noise_fill, tune.
std::span<const tq_option_info> option_schema();

// Parameters for an encoder: options, with `bits` derived from the bitrate
// when one is given and `bits` is not. Throws TQ_ERR_INVALID_ARGUMENT.
Params params_from_setup(const EncoderSetup& setup);

// Estimated size of the coded stream in bits per second (payload, block
// headers and kPacketOverheadBytes per packet).
double estimated_bitrate(const Params& params, int sample_rate, int channels);

// mdct mode: the frame (coefficient count) for a sample rate: 1024 at 44.1/48 kHz,
// scaled by the nearest power of two of rate / 44100 (256 at 8 kHz, 512 at 16 kHz).
int default_mdct_size(int sample_rate);

// Largest payload of one packet in bytes.
std::size_t max_payload_bytes(const Params& params, int channels);

std::vector<uint8_t> serialize_params(const Params& params);
// Validates every field against itself and the generic header (frame size a
// multiple of block, at most kMaxFrame). Throws TQ_ERR_CORRUPT.
Params parse_params(std::span<const uint8_t> bytes, const StreamInfo& info);

}  // namespace tq::turbo
