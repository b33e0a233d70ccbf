#include "families/stftae/model.hpp"

#include <cmath>

#include "core/error.hpp"
#include "families/model_stream.hpp"
#include "families/stftae/transform.hpp"
#include "nn/builder.hpp"
#include "nn/safetensors.hpp"
#include "nn/spectral_head.hpp"

// Defined by the generated assembly file (src/nn/embed_model.py) that .incbin's the model.
extern "C" const uint8_t stftae_model_begin[];
extern "C" const uint8_t stftae_model_end[];

namespace tq::stftae {
namespace {

// Version 1 files predate the key: they say nothing of it.
void check_version(const nn::SafeTensors& file) {
    const std::string version = file.has_meta("stftae.version") ? file.meta_string("stftae.version") : "1";
    require(version == std::to_string(kModelVersion), TQ_ERR_MODEL,
            file.source() + ": stftae model version " + version + ", this library runs only version " +
                std::to_string(kModelVersion) + " (" + std::to_string(kFeaturePlanes) + " feature planes, " +
                std::to_string(kLatentChannels) +
                " latent channels): export the model again with tools/train/export_stftae.py");
}

void check_framing(const nn::SafeTensors& file) {
    check_version(file);
    file.require_meta_int("stftae.feature_planes", kFeaturePlanes);
    file.require_meta_int("stftae.sample_rate", kSampleRate);
    file.require_meta_int("stftae.n_fft", kFftSize);
    file.require_meta_int("stftae.hop", kHop);
    file.require_meta_int("stftae.latent_channels", kLatentChannels);
    file.require_meta_int("stftae.enc2d_channels", kEnc2dChannels);
    file.require_meta_int("stftae.enc2d_bins", kEnc2dBins);
    file.require_meta_int("stftae.encoder_context", kEncoderContext);
    file.require_meta_int("stftae.decoder_context", kDecoderContext);
    file.require_meta_float("stftae.log_floor", kLogFloor);
    file.require_meta_float("stftae.compression", kCompression);
    file.require_meta_float("stftae.max_log_magnitude", kMaxLogMagnitude);
    file.require_meta_float("stftae.ola_gain", kOlaGain);
}

std::vector<float> positive_scale(const nn::SafeTensors& file) {
    const nn::Tensor& t = file.get("latent.scale", {static_cast<size_t>(kLatentChannels)});
    std::vector<float> scale(t.values().begin(), t.values().end());
    for (float s : scale)
        require(std::isfinite(s) && s > 0.0f, TQ_ERR_MODEL,
                file.source() + ": latent.scale holds " + std::to_string(s) + ", every entry must be positive");
    return scale;
}

}  // namespace

std::shared_ptr<const Model> Model::parse(std::span<const uint8_t> bytes, const std::string& source) {
    const nn::SafeTensors file = nn::SafeTensors::parse(bytes, source);
    check_framing(file);
    auto m = std::make_shared<Model>();
    m->enc2d_ = nn::build_sequential(file, "enc2d");
    m->enc1d_ = nn::build_sequential(file, "enc1d");
    m->dec_ = nn::build_sequential(file, "dec");
    m->latent_scale_ = positive_scale(file);
    m->identify(bytes, file);

    // The features of an all-zero signal long enough for one latent.
    const std::vector<float> zeros(static_cast<size_t>(kFftSize + 2 * kEncoderContext * kHop), 0.0f);
    const nn::Tensor silence = m->encode(offline_features(zeros));
    require_model_shape(silence, {static_cast<size_t>(kLatentChannels), 1}, "the encoder", source);
    m->silence_latent_.assign(silence.values().begin(), silence.values().end());

    const nn::Tensor history({static_cast<size_t>(kLatentChannels), static_cast<size_t>(kDecoderContext + 1)});
    require_model_shape(m->dec_->forward(history), {static_cast<size_t>(3 * kBins), 1}, "the decoder", source);
    return m;
}

nn::Tensor Model::encode(const nn::Tensor& features) const {
    const size_t frames = features.dim(1);
    const nn::Tensor planes =
        enc2d_->forward(features.reshaped({static_cast<size_t>(kFeaturePlanes), static_cast<size_t>(kBins), frames}));
    require(planes.rank() == 3 && planes.dim(0) == kEnc2dChannels && planes.dim(1) == kEnc2dBins, TQ_ERR_MODEL,
            source() + ": enc2d gives " + nn::to_string(planes.shape()) + ", expected [" +
                std::to_string(kEnc2dChannels) + ", " + std::to_string(kEnc2dBins) + ", frames]");
    // torch's flatten(1, 2): channel-major, which is already the memory order.
    return enc1d_->forward(planes.reshaped({static_cast<size_t>(kEnc2dChannels * kEnc2dBins), planes.dim(2)}));
}

std::vector<std::complex<float>> Model::decode(const nn::Tensor& latents) const {
    return nn::head_to_spectra(dec_->forward(latents), kBins, kMaxLogMagnitude);
}

const Model& model() {
    // A throwing initializer leaves the static uninitialized: the next call tries again.
    static const std::shared_ptr<const Model> loaded =
        load_model<Model>(kModelEnvironment, embedded_model_bytes(), "stftae");
    return *loaded;
}

std::span<const uint8_t> embedded_model_bytes() {
    return {stftae_model_begin, static_cast<size_t>(stftae_model_end - stftae_model_begin)};
}

}  // namespace tq::stftae
