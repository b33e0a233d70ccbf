#include "families/stftae/decoder.hpp"

#include <algorithm>
#include <string>

#include "core/error.hpp"
#include "families/stftae/bitstream.hpp"
#include "families/stftae/model.hpp"
#include "nn/spectral_head.hpp"

namespace tq::stftae {
namespace {

// One coded channel: the latents the next frames look back on, the
// overlap-add tail and the samples finished but not emitted yet.
class SynthesisStream {
public:
    explicit SynthesisStream(const Model& model) : model_(model) { reset(); }

    void reset() {
        history_.clear();
        for (int i = 0; i < kDecoderContext; ++i)
            history_.insert(history_.end(), model_.silence_latent().begin(), model_.silence_latent().end());
        ola_.reset();
        ready_.clear();
    }

    // Decodes `frames` latent frames given frame after frame (kLatentChannels values each).
    void decode(std::span<const float> latents, int frames) {
        if (frames == 0) return;  // the packet's samples were all finished already
        history_.insert(history_.end(), latents.begin(), latents.end());
        const std::vector<std::complex<float>> spectra = model_.decode(history_tensor());
        history_.erase(history_.begin(), history_.end() - kDecoderContext * kLatentChannels);
        const size_t first = ready_.size();
        ready_.resize(first + static_cast<size_t>(frames) * kHop);
        for (size_t f = 0; f < static_cast<size_t>(frames); ++f)
            ola_.push(std::span(spectra).subspan(f * kBins, kBins),
                      std::span(ready_).subspan(first + f * kHop, kHop));
    }

    void emit(float* out, int samples) {
        std::copy_n(ready_.begin(), samples, out);
        ready_.erase(ready_.begin(), ready_.begin() + samples);
    }

private:
    // history_ is frame-major; the network wants [kLatentChannels, frames].
    nn::Tensor history_tensor() const {
        const size_t frames = history_.size() / kLatentChannels;
        nn::Tensor t({static_cast<size_t>(kLatentChannels), frames});
        for (size_t f = 0; f < frames; ++f)
            for (size_t d = 0; d < static_cast<size_t>(kLatentChannels); ++d)
                t.data()[d * frames + f] = history_[f * kLatentChannels + d];
        return t;
    }

    const Model& model_;
    std::vector<float> history_;
    nn::OverlapAdd ola_{kFftSize, kHop, kOlaGain};
    std::vector<float> ready_;
};

class Decoder final : public FamilyDecoder {
public:
    Decoder(const Params& p, int channels) : p_(p), channels_(channels), model_(model()) {
        for (int c = 0; c < channels; ++c) streams_.emplace_back(model_);
    }

    void decode(std::span<const uint8_t> payload, const PlanarOut& out) override {
        check_samples(out.samples);
        const int frames = schedule_.latents_for(out.samples);
        const LatentCodes codes = read_payload(payload, frames, channels_);
        const double step = step_size(codes.step);
        const std::span<const float> scale = model_.latent_scale();
        std::vector<float> latents(static_cast<size_t>(frames) * kLatentChannels);
        for (int c = 0; c < channels_; ++c) {
            for (int f = 0; f < frames; ++f)
                for (int d = 0; d < kLatentChannels; ++d)
                    latents[static_cast<size_t>(f * kLatentChannels + d)] =
                        dequantize(codes.at(f, c, d), scale[static_cast<size_t>(d)], step);
            streams_[static_cast<size_t>(c)].decode(latents, frames);
        }
        finish(out);
    }

    // A lost packet decodes as silence latents: the output fades out, the state stays in step.
    void conceal(const PlanarOut& out) override {
        check_samples(out.samples);
        const int frames = schedule_.latents_for(out.samples);
        std::vector<float> latents;
        for (int f = 0; f < frames; ++f)
            latents.insert(latents.end(), model_.silence_latent().begin(), model_.silence_latent().end());
        for (SynthesisStream& s : streams_) s.decode(latents, frames);
        finish(out);
    }

    void reset() override {
        for (SynthesisStream& s : streams_) s.reset();
        schedule_.reset();
    }

private:
    static void check_samples(int samples) {
        require_intact(samples >= 1 && samples <= kFrameSize, "stftae packet: " + std::to_string(samples) +
                                                                  " samples, frame is " + std::to_string(kFrameSize));
    }

    void finish(const PlanarOut& out) {
        for (int c = 0; c < channels_; ++c) streams_[static_cast<size_t>(c)].emit(out.data[c], out.samples);
        schedule_.advance(out.samples);
        restore_channels(out, p_.stereo);
    }

    Params p_;
    int channels_;
    const Model& model_;
    std::vector<SynthesisStream> streams_;
    Schedule schedule_;
};

}  // namespace

std::unique_ptr<FamilyDecoder> make_decoder(const StreamInfo& info, std::span<const uint8_t> params) {
    return make_decoder(parse_params_for_model(params, info), info.channels);
}

std::unique_ptr<FamilyDecoder> make_decoder(const Params& params, int channels) {
    return std::make_unique<Decoder>(params, channels);
}

}  // namespace tq::stftae
