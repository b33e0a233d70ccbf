// rvq: the model (encoder and decoder layer stacks, 16 codebooks with their
// projections, the entropy tables) and its framing constants, which must match
// tools/train/rvq_model.py. The weights are embedded in the library at build
// time; TQCODEC_RVQ_MODEL=path loads another file instead. Loaded once per process.
#pragma once

#include <array>
#include <complex>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "families/model_stream.hpp"
#include "nn/conv.hpp"
#include "nn/layer.hpp"
#include "nn/tensor.hpp"

namespace tq::rvq {

inline constexpr int kModelVersion = 1;
inline constexpr int kSampleRate = 24000;
inline constexpr int kHop = 320;  // samples per latent frame: 75 frames/s
inline constexpr int kFftSize = 4 * kHop;
inline constexpr int kBins = kFftSize / 2 + 1;
inline constexpr int kHopsPerFrame = kFftSize / kHop;
inline constexpr int kLatentChannels = 256;
inline constexpr int kCodebooks = 16;
inline constexpr int kCodebookSize = 1024;
inline constexpr int kCodeDim = 8;
inline constexpr int kDecoderContext = 34;    // decoder frame t depends on latent frames t-34 .. t
inline constexpr int kEncoderLookahead = 708;  // samples past frame t's own hop that change latent t
inline constexpr int kEncoderLookback = 716;   // samples before frame t's hop that change latent t
inline constexpr uint32_t kFrequencyTotal = 1u << 16;
inline constexpr float kMaxLogMagnitude = 8.0f;
inline constexpr float kOlaGain = 1.5f;

inline constexpr const char* kModelEnvironment = "TQCODEC_RVQ_MODEL";

// Indices of one channel's frames, frame after frame, kCodebooks per frame.
using FrameIndices = std::vector<uint16_t>;

class Model : public ModelIdentity {
public:
    // Parses a model file and checks it against the constants above; `source`
    // names it in errors. Throws tq::Error(TQ_ERR_MODEL).
    static std::shared_ptr<const Model> parse(std::span<const uint8_t> bytes, const std::string& source);

    // Audio of a multiple of kHop samples -> latents [kLatentChannels, samples / kHop]
    // (every layer zero-padded at both ends, as in training).
    nn::Tensor encode(std::span<const float> audio) const;
    // Latents [kLatentChannels, F] -> the indices of all kCodebooks stages per frame.
    FrameIndices quantize(const nn::Tensor& latents) const;
    // The decoder input: per frame the sum of the first counts[f] stages' projected codewords.
    nn::Tensor dequantize(std::span<const uint16_t> indices, std::span<const int> counts) const;
    // Decoder input [kLatentChannels, F] (the first frames being the context) -> F spectra of kBins bins.
    std::vector<std::complex<float>> decode(const nn::Tensor& quantized) const;

    // Codebook k's static entropy table: cumulative frequencies, kCodebookSize + 1
    // entries from 0 to kFrequencyTotal, strictly increasing.
    std::span<const uint32_t> cumulative(int codebook) const;


private:
    struct Codebook {
        std::optional<nn::Conv1d> project_in, project_out;
        std::vector<float> transposed;  // codewords [kCodeDim][kCodebookSize]
        std::vector<float> codewords;   // [kCodebookSize][kCodeDim]
        std::vector<float> norms;       // squared length of each codeword
    };
    void nearest(const Codebook& book, const nn::Tensor& z, std::span<uint16_t> indices) const;

    std::unique_ptr<nn::Sequential> encoder_, decoder_;
    std::vector<Codebook> codebooks_;
    std::vector<uint32_t> cumulative_;  // kCodebooks x (kCodebookSize + 1)
};

// The process-wide model: the file TQCODEC_RVQ_MODEL names, else the embedded one.
// Thread-safe; throws tq::Error(TQ_ERR_MODEL) (again on every call) if it cannot be loaded.
const Model& model();

// The bytes embedded at build time (none when the build had no model file).
std::span<const uint8_t> embedded_model_bytes();
// Whether a model can be loaded at all: embedded, or named by TQCODEC_RVQ_MODEL.
bool model_available();

}  // namespace tq::rvq
