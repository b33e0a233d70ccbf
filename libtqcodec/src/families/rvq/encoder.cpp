#include "families/rvq/encoder.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "families/rvq/bitstream.hpp"
#include "families/rvq/model.hpp"

namespace tq::rvq {
namespace {

// One coded channel: the input samples later frames still need, from sample
// start_ on (a multiple of kHop; there is nothing before sample 0), and the next frame due.
class LatentStream {
public:
    void append(const float* x, int count) {
        for (int i = 0; i < count; ++i) samples_.push_back(std::isfinite(x[i]) ? x[i] : 0.0f);
    }

    // The latents of the next `count` frames [kLatentChannels, count], from the encoder
    // run over them plus kEncoderContextHops on each side; input past what was
    // appended is silence (the end of the stream).
    nn::Tensor take(int count, const Model& model) {
        const long first = window_start(next_), end = (next_ + count + kEncoderContextHops) * long{kHop};
        if (static_cast<long>(samples_.size()) < end - start_) samples_.resize(static_cast<size_t>(end - start_), 0.0f);
        const nn::Tensor all = model.encode(std::span(samples_).subspan(static_cast<size_t>(first - start_),
                                                                        static_cast<size_t>(end - first)));
        const nn::Tensor latents = columns(all, static_cast<size_t>(next_ - first / kHop), static_cast<size_t>(count));
        next_ += count;
        const long keep = window_start(next_);
        samples_.erase(samples_.begin(), samples_.begin() + (keep - start_));
        start_ = keep;
        return latents;
    }

private:
    static long window_start(long frame) { return std::max(0L, (frame - kEncoderContextHops) * long{kHop}); }

    static nn::Tensor columns(const nn::Tensor& t, size_t first, size_t count) {
        nn::Tensor out({t.dim(0), count});
        for (size_t r = 0; r < t.dim(0); ++r)
            std::copy_n(t.data() + r * t.dim(1) + first, count, out.data() + r * count);
        return out;
    }

    std::vector<float> samples_;
    long start_ = 0;
    long next_ = 0;
};

class Encoder final : public FamilyEncoder {
public:
    Encoder(const Params& p, int channels)
        : p_(p), channels_(channels), model_(model()), streams_(static_cast<size_t>(channels)), rate_(p.bitrate) {}

    int frame_size() const override { return kFrameSize; }
    int delay() const override { return kDelay; }
    size_t max_payload_size() const override { return max_payload_bytes(channels_); }
    std::vector<uint8_t> params() const override { return serialize_params(p_); }

    std::vector<uint8_t> encode(const PlanarIn& pcm) override {
        sequence_.begin(pcm.samples, kFrameSize, "rvq");
        const std::vector<std::vector<float>> coded = coded_channels(pcm, p_.stereo);
        for (size_t c = 0; c < coded.size(); ++c) streams_[c].append(coded[c].data(), pcm.samples);
        return code_packet(pcm.samples, false);
    }

    // The last kDelay samples of the delayed stream, from the input's silent continuation.
    std::vector<uint8_t> flush(int& samples) override {
        samples = 0;
        if (!sequence_.tail_due()) return {};
        samples = kDelay;
        return code_packet(kDelay, true);
    }

private:
    std::vector<uint8_t> code_packet(int samples, bool last) {
        const int frames = schedule_.frames_for(samples);
        schedule_.advance(samples);
        Codes codes(frames, channels_);
        codes.units = frames * kCodebooks;
        for (int c = 0; c < channels_ && frames > 0; ++c) {
            const FrameIndices indices = model_.quantize(streams_[static_cast<size_t>(c)].take(frames, model_));
            std::copy(indices.begin(), indices.end(),
                      codes.indices.begin() + static_cast<long>(c) * frames * kCodebooks);
        }
        std::vector<uint8_t> payload = p_.codebooks > 0 ? write_payload(codes, p_.codebooks * frames)
                                                        : fitted_payload(codes, rate_.budget(samples, last));
        rate_.account(samples, payload.size(), last);
        return payload;
    }

    Params p_;
    int channels_;
    const Model& model_;
    std::vector<LatentStream> streams_;
    Schedule schedule_;
    RateControl rate_;
    PacketSequence sequence_;
};

}  // namespace

std::unique_ptr<FamilyEncoder> make_encoder(const EncoderSetup& setup) {
    return make_encoder(params_from_setup(setup), setup.channels);
}

std::unique_ptr<FamilyEncoder> make_encoder(const Params& params, int channels) {
    return std::make_unique<Encoder>(params, channels);
}

}  // namespace tq::rvq
