#include "families/stftae/model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "core/error.hpp"
#include "families/stftae/transform.hpp"
#include "nn/builder.hpp"
#include "nn/safetensors.hpp"

// Defined by the generated assembly file (embed_model.py) that .incbin's the model.
extern "C" const uint8_t stftae_model_begin[];
extern "C" const uint8_t stftae_model_end[];

namespace tq::stftae {
namespace {

void check_int(const nn::SafeTensors& file, const std::string& key, int expected) {
    const int64_t value = file.meta_int(key);
    require(value == expected, TQ_ERR_MODEL,
            file.source() + ": " + key + " is " + std::to_string(value) + ", this library supports only " +
                std::to_string(expected));
}

void check_float(const nn::SafeTensors& file, const std::string& key, float expected) {
    const double value = file.meta_float(key);
    require(std::fabs(value - expected) <= 1e-6 * std::fabs(expected), TQ_ERR_MODEL,
            file.source() + ": " + key + " is " + file.meta_string(key) + ", this library supports only " +
                std::to_string(expected));
}

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
    check_int(file, "stftae.feature_planes", kFeaturePlanes);
    check_int(file, "stftae.sample_rate", kSampleRate);
    check_int(file, "stftae.n_fft", kFftSize);
    check_int(file, "stftae.hop", kHop);
    check_int(file, "stftae.latent_channels", kLatentChannels);
    check_int(file, "stftae.enc2d_channels", kEnc2dChannels);
    check_int(file, "stftae.enc2d_bins", kEnc2dBins);
    check_int(file, "stftae.encoder_context", kEncoderContext);
    check_int(file, "stftae.decoder_context", kDecoderContext);
    check_float(file, "stftae.log_floor", kLogFloor);
    check_float(file, "stftae.compression", kCompression);
    check_float(file, "stftae.max_log_magnitude", kMaxLogMagnitude);
    check_float(file, "stftae.ola_gain", kOlaGain);
}

std::vector<float> positive_scale(const nn::SafeTensors& file) {
    const nn::Tensor& t = file.get("latent.scale", {static_cast<size_t>(kLatentChannels)});
    std::vector<float> scale(t.values().begin(), t.values().end());
    for (float s : scale)
        require(std::isfinite(s) && s > 0.0f, TQ_ERR_MODEL,
                file.source() + ": latent.scale holds " + std::to_string(s) + ", every entry must be positive");
    return scale;
}

void require_shape(const nn::Tensor& t, const nn::Shape& expected, const std::string& what,
                   const std::string& source) {
    require(t.shape() == expected, TQ_ERR_MODEL,
            source + ": " + what + " gives " + nn::to_string(t.shape()) + ", expected " + nn::to_string(expected));
}

std::shared_ptr<const Model> load_model() {
    if (const char* path = std::getenv(kModelEnvironment); path && *path)
        return Model::parse(nn::SafeTensors::read_file(path), std::string(path) + " (" + kModelEnvironment + ")");
    return Model::parse(embedded_model_bytes(), "embedded stftae model");
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
    m->sha256_ = tq::sha256(bytes);
    m->source_ = source;
    if (file.has_meta("training.note")) m->training_note_ = file.meta_string("training.note");

    // The features of an all-zero signal long enough for one latent.
    const std::vector<float> zeros(static_cast<size_t>(kFftSize + 2 * kEncoderContext * kHop), 0.0f);
    const nn::Tensor silence = m->encode(offline_features(zeros));
    require_shape(silence, {static_cast<size_t>(kLatentChannels), 1}, "the encoder", source);
    m->silence_latent_.assign(silence.values().begin(), silence.values().end());

    const nn::Tensor history({static_cast<size_t>(kLatentChannels), static_cast<size_t>(kDecoderContext + 1)});
    require_shape(m->dec_->forward(history), {static_cast<size_t>(3 * kBins), 1}, "the decoder", source);
    return m;
}

nn::Tensor Model::encode(const nn::Tensor& features) const {
    const size_t frames = features.dim(1);
    const nn::Tensor planes =
        enc2d_->forward(features.reshaped({static_cast<size_t>(kFeaturePlanes), static_cast<size_t>(kBins), frames}));
    require(planes.rank() == 3 && planes.dim(0) == kEnc2dChannels && planes.dim(1) == kEnc2dBins, TQ_ERR_MODEL,
            source_ + ": enc2d gives " + nn::to_string(planes.shape()) + ", expected [" +
                std::to_string(kEnc2dChannels) + ", " + std::to_string(kEnc2dBins) + ", frames]");
    // torch's flatten(1, 2): channel-major, which is already the memory order.
    return enc1d_->forward(planes.reshaped({static_cast<size_t>(kEnc2dChannels * kEnc2dBins), planes.dim(2)}));
}

std::vector<std::complex<float>> Model::decode(const nn::Tensor& latents) const {
    const nn::Tensor out = dec_->forward(latents);
    const size_t frames = out.dim(1);
    std::vector<std::complex<float>> spectra(frames * kBins);
    const float* lm = out.data();
    const float* re = lm + kBins * frames;
    const float* im = re + kBins * frames;
    for (size_t b = 0; b < static_cast<size_t>(kBins); ++b)
        for (size_t t = 0; t < frames; ++t) {
            const size_t i = b * frames + t;
            const double norm = std::sqrt(static_cast<double>(re[i]) * re[i] + static_cast<double>(im[i]) * im[i] + 1e-8);
            const double gain = std::exp(std::min(lm[i], kMaxLogMagnitude)) / norm;
            const std::complex<float> v(static_cast<float>(gain * re[i]), static_cast<float>(gain * im[i]));
            // A hostile packet can drive the network to inf; such bins are silenced.
            spectra[t * kBins + b] = std::isfinite(v.real()) && std::isfinite(v.imag()) ? v : 0.0f;
        }
    return spectra;
}

const Model& model() {
    // A throwing initializer leaves the static uninitialized: the next call tries again.
    static const std::shared_ptr<const Model> loaded = load_model();
    return *loaded;
}

std::span<const uint8_t> embedded_model_bytes() {
    return {stftae_model_begin, static_cast<size_t>(stftae_model_end - stftae_model_begin)};
}

}  // namespace tq::stftae
