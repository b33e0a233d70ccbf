#include "families/rvq/decoder.hpp"

#include <algorithm>
#include <string>

#include "core/error.hpp"
#include "families/rvq/bitstream.hpp"
#include "families/rvq/model.hpp"
#include "nn/spectral_head.hpp"

namespace tq::rvq {
namespace {

// One coded channel: the decoder inputs the next frames look back on, the
// overlap-add tail and the samples finished but not emitted yet.
class SynthesisStream {
public:
    explicit SynthesisStream(const Model& model) : model_(model), ola_(kFftSize, kHop, kOlaGain) {}

    void reset() {
        history_ = nn::Tensor({kLatentChannels, 0});
        ola_.reset();
        ready_.clear();
        decoded_ = 0;
    }

    // Decodes the frames of `input` [kLatentChannels, F]; each finishes one hop.
    void decode(const nn::Tensor& input) {
        const size_t frames = input.dim(1);
        if (frames == 0) return;
        const nn::Tensor window = concat(history_, input);
        const std::vector<std::complex<float>> spectra = model_.decode(window);
        const size_t first = ready_.size(), skip = window.dim(1) - frames;
        ready_.resize(first + frames * kHop);
        for (size_t f = 0; f < frames; ++f) {
            const std::span<float> hop = std::span(ready_).subspan(first + f * kHop, kHop);
            ola_.push(std::span(spectra).subspan((skip + f) * kBins, kBins), hop);
            // The first frames finish hops before the stream (partial sums): silence.
            if (decoded_++ < kHopsPerFrame - 1) std::fill(hop.begin(), hop.end(), 0.0f);
        }
        const size_t keep = std::min<size_t>(window.dim(1), kDecoderContext);
        history_ = tail(window, keep);
    }

    size_t ready() const { return ready_.size(); }

    // Writes `samples` samples: zeros first if fewer are ready (the stream start).
    void emit(float* out, size_t samples) {
        const size_t have = std::min(samples, ready_.size()), zeros = samples - have;
        std::fill_n(out, zeros, 0.0f);
        std::copy_n(ready_.begin(), have, out + zeros);
        ready_.erase(ready_.begin(), ready_.begin() + static_cast<long>(have));
    }

private:
    static nn::Tensor concat(const nn::Tensor& a, const nn::Tensor& b) {
        const size_t n = a.dim(1) + b.dim(1);
        nn::Tensor out({kLatentChannels, n});
        for (size_t c = 0; c < kLatentChannels; ++c) {
            std::copy_n(a.data() + c * a.dim(1), a.dim(1), out.data() + c * n);
            std::copy_n(b.data() + c * b.dim(1), b.dim(1), out.data() + c * n + a.dim(1));
        }
        return out;
    }

    static nn::Tensor tail(const nn::Tensor& t, size_t count) {
        nn::Tensor out({kLatentChannels, count});
        for (size_t c = 0; c < kLatentChannels; ++c)
            std::copy_n(t.data() + c * t.dim(1) + t.dim(1) - count, count, out.data() + c * count);
        return out;
    }

    const Model& model_;
    nn::Tensor history_{nn::Shape{kLatentChannels, 0}};
    nn::OverlapAdd ola_;
    std::vector<float> ready_;
    int decoded_ = 0;
};

class Decoder final : public FamilyDecoder {
public:
    Decoder(const Params& p, int channels) : p_(p), channels_(channels), model_(model()) {
        for (int c = 0; c < channels; ++c) streams_.emplace_back(model_);
    }

    void decode(std::span<const uint8_t> payload, const PlanarOut& out) override {
        check_samples(out.samples);
        const Codes codes = read_payload(payload, frames_needed(out.samples), channels_);
        std::vector<int> counts(static_cast<size_t>(codes.frames));
        for (int f = 0; f < codes.frames; ++f) counts[static_cast<size_t>(f)] = std::min(codes.codebooks(f), max_codebooks_);
        for (int c = 0; c < channels_; ++c)
            streams_[static_cast<size_t>(c)].decode(model_.dequantize(codes.channel(c), counts));
        finish(out);
    }

    // A lost packet decodes as frames without codebooks: the state stays in step.
    void conceal(const PlanarOut& out) override {
        check_samples(out.samples);
        const int frames = frames_needed(out.samples);
        const std::vector<uint16_t> none(static_cast<size_t>(frames) * kCodebooks, 0);
        const std::vector<int> counts(static_cast<size_t>(frames), 0);
        for (SynthesisStream& s : streams_) s.decode(model_.dequantize(none, counts));
        finish(out);
    }

    void reset() override {
        for (SynthesisStream& s : streams_) s.reset();
    }

    bool limit_layers(int layers) override {
        max_codebooks_ = layers > 0 ? std::min(layers, kCodebooks) : kCodebooks;
        return true;
    }

private:
    static void check_samples(int samples) {
        require_intact(samples >= 1 && samples <= kFrameSize, "rvq packet: " + std::to_string(samples) +
                                                                  " samples, frame is " + std::to_string(kFrameSize));
    }

    // The frames that finish `samples` samples after those already finished.
    int frames_needed(int samples) const {
        const auto ready = static_cast<int>(streams_[0].ready());
        return samples > ready ? (samples - ready + kHop - 1) / kHop : 0;
    }

    void finish(const PlanarOut& out) {
        for (int c = 0; c < channels_; ++c)
            streams_[static_cast<size_t>(c)].emit(out.data[c], static_cast<size_t>(out.samples));
        restore_channels(out, p_.stereo);
    }

    Params p_;
    int channels_;
    const Model& model_;
    std::vector<SynthesisStream> streams_;
    int max_codebooks_ = kCodebooks;
};

}  // namespace

std::unique_ptr<FamilyDecoder> make_decoder(const StreamInfo& info, std::span<const uint8_t> params) {
    return make_decoder(parse_params_for_model(params, info), info.channels);
}

std::unique_ptr<FamilyDecoder> make_decoder(const Params& params, int channels) {
    return std::make_unique<Decoder>(params, channels);
}

}  // namespace tq::rvq
