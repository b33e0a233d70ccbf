#include "families/stftae/encoder.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.hpp"
#include "families/stftae/bitstream.hpp"
#include "families/stftae/model.hpp"
#include "families/stftae/transform.hpp"

namespace tq::stftae {

namespace {

// One coded channel: the input samples later latents still need, from
// sample start_ on (samples before 0 are silence), and the next latent due.
class LatentStream {
public:
    LatentStream() : samples_(static_cast<size_t>(-first_sample(kFirstLatent)), 0.0f) {}

    void append(const float* x, int count) {
        for (int i = 0; i < count; ++i) samples_.push_back(std::isfinite(x[i]) ? x[i] : 0.0f);
    }

    // The next `count` latents [kLatentChannels, count]; input they need past
    // what was appended is silence (the end of the stream).
    nn::Tensor take(int count, Analysis& analysis, const Model& model) {
        if (count == 0) return nn::Tensor({static_cast<size_t>(kLatentChannels), 0});
        const long end = sample_index((next_ + count + kEncoderContext) * kHop);
        if (static_cast<long>(samples_.size()) < end) samples_.resize(static_cast<size_t>(end), 0.0f);
        const size_t frames = static_cast<size_t>(count + 2 * kEncoderContext);
        const nn::Tensor latents = model.encode(analysis.features(samples_, 0, frames));
        next_ += count;
        const long drop = sample_index(first_sample(next_));
        samples_.erase(samples_.begin(), samples_.begin() + drop);
        start_ = first_sample(next_);
        return latents;
    }

private:
    // The first sample latent j depends on: the start of feature frame j - 4, which covers hops j-7 .. j-4.
    static long first_sample(long latent) { return (latent - kEncoderContext - (kHopsPerFrame - 1)) * kHop; }
    long sample_index(long sample) const { return sample - start_; }

    std::vector<float> samples_;
    long start_ = first_sample(kFirstLatent);
    long next_ = kFirstLatent;
};

class Encoder final : public FamilyEncoder {
public:
    Encoder(const Params& p, int channels)
        : p_(p), channels_(channels), model_(model()), streams_(static_cast<size_t>(channels)) {}

    int frame_size() const override { return kFrameSize; }
    int delay() const override { return kDelay; }
    size_t max_payload_size() const override { return max_payload_bytes(kFrameSize / kHop + 1, channels_); }
    std::vector<uint8_t> params() const override { return serialize_params(p_); }

    std::vector<uint8_t> encode(const PlanarIn& pcm) override {
        sequence_.begin(pcm.samples, kFrameSize, "stftae");
        const std::vector<std::vector<float>> coded = coded_channels(pcm, p_.stereo);
        for (size_t c = 0; c < coded.size(); ++c) streams_[c].append(coded[c].data(), pcm.samples);
        return code_packet(pcm.samples);
    }

    // The last kDelay samples of the delayed stream, from the input's silent continuation.
    std::vector<uint8_t> flush(int& samples) override {
        samples = 0;
        if (!sequence_.tail_due()) return {};
        samples = kDelay;
        return code_packet(kDelay);
    }

private:
    std::vector<uint8_t> code_packet(int samples) {
        const int frames = schedule_.latents_for(samples);
        schedule_.advance(samples);
        std::vector<nn::Tensor> latents;
        for (LatentStream& s : streams_) latents.push_back(s.take(frames, analysis_, model_));
        if (p_.step >= 0) return write_payload(quantized(latents, frames, p_.step));
        return fitted_payload(latents, frames, payload_budget_bytes(p_.bitrate, samples, kSampleRate));
    }

    // The smallest step index (finest step) whose payload fits; payloads shrink as k grows.
    std::vector<uint8_t> fitted_payload(const std::vector<nn::Tensor>& latents, int frames, double budget) const {
        std::map<int, std::vector<uint8_t>> tried;
        auto payload = [&](int k) -> const std::vector<uint8_t>& {
            auto it = tried.find(k);
            if (it == tried.end()) it = tried.emplace(k, write_payload(quantized(latents, frames, k))).first;
            return it->second;
        };
        int lo = 0, hi = kStepCount - 1;
        while (lo < hi) {
            const int mid = (lo + hi) / 2;
            if (static_cast<double>(payload(mid).size()) <= budget) hi = mid;
            else lo = mid + 1;
        }
        return payload(lo);
    }

    LatentCodes quantized(const std::vector<nn::Tensor>& latents, int frames, int k) const {
        LatentCodes codes;
        codes.frames = frames;
        codes.channels = channels_;
        codes.step = k;
        codes.q.resize(static_cast<size_t>(frames) * static_cast<size_t>(channels_) * kLatentChannels);
        const double step = step_size(k);
        const std::span<const float> scale = model_.latent_scale();
        for (int c = 0; c < channels_; ++c) {
            const float* x = latents[static_cast<size_t>(c)].data();
            for (int d = 0; d < kLatentChannels; ++d)
                for (int f = 0; f < frames; ++f)
                    codes.at(f, c, d) = quantize(x[d * frames + f], scale[static_cast<size_t>(d)], step);
        }
        return codes;
    }

    Params p_;
    int channels_;
    const Model& model_;
    Analysis analysis_;
    std::vector<LatentStream> streams_;
    Schedule schedule_;
    PacketSequence sequence_;
};

}  // namespace

std::unique_ptr<FamilyEncoder> make_encoder(const EncoderSetup& setup) {
    return make_encoder(params_from_setup(setup), setup.channels);
}

std::unique_ptr<FamilyEncoder> make_encoder(const Params& params, int channels) {
    return std::make_unique<Encoder>(params, channels);
}

}  // namespace tq::stftae
