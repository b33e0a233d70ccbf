// stftae: the model (three layer stacks and the latent scale) and its framing
// constants, which must match tools/train/stftae_model.py. The weights are
// embedded in the library at build time; TQCODEC_STFTAE_MODEL=path loads
// another file instead (experiments). Loaded once per process.
#pragma once

#include <complex>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "families/model_stream.hpp"
#include "nn/layer.hpp"
#include "nn/tensor.hpp"

namespace tq::stftae {

inline constexpr int kSampleRate = 24000;
inline constexpr int kFftSize = 960;
inline constexpr int kHop = 240;
inline constexpr int kBins = kFftSize / 2 + 1;
inline constexpr int kHopsPerFrame = kFftSize / kHop;
inline constexpr int kModelVersion = 2;  // stftae.version; version 1 files (no such key) are refused
inline constexpr int kFeaturePlanes = 3;  // log-magnitude, compressed re, compressed im
inline constexpr int kLatentChannels = 64;
inline constexpr int kEnc2dChannels = 32;
inline constexpr int kEnc2dBins = 31;
inline constexpr int kEncoderContext = 4;  // latent j sees feature frames j-4 .. j+4
inline constexpr int kDecoderContext = 8;  // STFT frame j comes from latents j-8 .. j
inline constexpr float kLogFloor = 1e-5f;
inline constexpr float kCompression = 0.3f;  // compressed planes: |X|^0.3 e^{i arg X}
inline constexpr float kMaxLogMagnitude = 8.0f;
inline constexpr float kOlaGain = 1.5f;  // periodic Hann^2 summed over the 4 overlapping frames

inline constexpr const char* kModelEnvironment = "TQCODEC_STFTAE_MODEL";

class Model : public ModelIdentity {
public:
    // Parses a model file and checks it against the constants above; `source`
    // names it in errors. Throws tq::Error(TQ_ERR_MODEL).
    static std::shared_ptr<const Model> parse(std::span<const uint8_t> bytes, const std::string& source);

    // Feature frames [kFeaturePlanes * kBins, T] (plane-major, transform.hpp)
    // -> latents [kLatentChannels, T - 2 * kEncoderContext].
    nn::Tensor encode(const nn::Tensor& features) const;
    // Latents [kLatentChannels, K] -> K - kDecoderContext spectra of kBins bins, frame after frame.
    std::vector<std::complex<float>> decode(const nn::Tensor& latents) const;

    std::span<const float> latent_scale() const { return latent_scale_; }
    // The encoder's latent for the features of silence: what precedes a stream.
    std::span<const float> silence_latent() const { return silence_latent_; }

private:
    std::unique_ptr<nn::Sequential> enc2d_, enc1d_, dec_;
    std::vector<float> latent_scale_;
    std::vector<float> silence_latent_;
};

// The process-wide model: the file TQCODEC_STFTAE_MODEL names, else the embedded one.
// Thread-safe; throws tq::Error(TQ_ERR_MODEL) (again on every call) if it cannot be loaded.
const Model& model();

// The bytes embedded at build time.
std::span<const uint8_t> embedded_model_bytes();

}  // namespace tq::stftae
