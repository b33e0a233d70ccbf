#include "families/gauss/encoder.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "dsp/fft.hpp"
#include "dsp/stft.hpp"
#include "families/gauss/bitstream.hpp"
#include "families/gauss/fit.hpp"
#include "families/gauss/model.hpp"

namespace tq::gauss {

bool uses_mid_side(const Params& params, int channels) { return channels == 2 && params.stereo == Stereo::mid_side; }

namespace {

// Below about 140 dB under a full-scale sine (|X| = kFftSize / 4 = e^4.85), or 13 nats (113 dB) under
// the packet's peak, nothing matters; a floor this deep keeps silences silent (log-mel distances notice).
constexpr float kAbsoluteFloor = -11.0f;
constexpr float kRelativeRange = 13.0f;

}  // namespace

std::vector<float> analysis_target(std::span<const float> x, int frames) {
    static thread_local dsp::RealFft fft(kFftSize);
    static const std::vector<float> window = dsp::periodic_hann(kFftSize);
    std::vector<float> out(static_cast<size_t>(frames) * kBins);
    float top = kAbsoluteFloor;
    for (int j = 0; j < frames; ++j) {
        const auto spec = dsp::windowed_spectrum(fft, x, window, static_cast<size_t>(j) * kHop);
        for (int f = 0; f < kBins; ++f) {
            const float v = std::log(std::max(std::abs(spec[static_cast<size_t>(f)]), 1e-12f));
            out[static_cast<size_t>(j) * kBins + f] = v;
            top = std::max(top, v);
        }
    }
    {  // ln of the RMS over frames j-1, j, j+1 (the packet's edge frames repeat themselves)
        const float k = 1.0f / 3;
        std::vector<float> sm(out.size());
        for (int j = 0; j < frames; ++j)
            for (int f = 0; f < kBins; ++f) {
                const size_t i = static_cast<size_t>(j) * kBins + f;
                const float a = out[j > 0 ? i - kBins : i], b = out[j + 1 < frames ? i + kBins : i];
                const double p = k * std::exp(2.0 * a) + (1 - 2 * k) * std::exp(2.0 * out[i]) + k * std::exp(2.0 * b);
                sm[i] = static_cast<float>(0.5 * std::log(p));
            }
        out.swap(sm);
    }
    const float low = std::max(kAbsoluteFloor, top - kRelativeRange);
    for (float& v : out) v = std::max(v, low);
    return out;
}

namespace {

class Encoder final : public FamilyEncoder {
public:
    Encoder(const Params& p, int channels)
        : p_(p), channels_(channels), buffers_(static_cast<size_t>(channels)), budget_(p.bitrate, kSampleRate) {
        for (auto& b : buffers_) b.assign(kDelay, 0.0f);  // frame 0 starts kDelay samples before the stream
    }

    int frame_size() const override { return kFrameSize; }
    int delay() const override { return kDelay; }
    size_t max_payload_size() const override { return max_payload_bytes(kFramesPerPacket + 4, channels_); }
    std::vector<uint8_t> params() const override { return serialize_params(p_); }

    std::vector<uint8_t> encode(const PlanarIn& pcm) override {
        sequence_.begin(pcm.samples, kFrameSize, "gauss");
        append(pcm);
        return code_packet(pcm.samples);
    }

    std::vector<uint8_t> flush(int& samples) override {
        samples = 0;
        if (!sequence_.tail_due()) return {};
        samples = kDelay;
        return code_packet(kDelay);
    }

private:
    void append(const PlanarIn& pcm) {
        auto clean = [](float v) { return std::isfinite(v) ? std::clamp(v, -4.0f, 4.0f) : 0.0f; };
        for (int i = 0; i < pcm.samples; ++i) {
            if (uses_mid_side(p_, channels_)) {
                const float l = clean(pcm.data[0][i]), r = clean(pcm.data[1][i]);
                buffers_[0].push_back(0.5f * (l + r));
                buffers_[1].push_back(0.5f * (l - r));
            } else {
                for (int c = 0; c < channels_; ++c) buffers_[static_cast<size_t>(c)].push_back(clean(pcm.data[c][i]));
            }
        }
    }

    std::vector<uint8_t> code_packet(int samples) {
        const int frames = schedule_.frames_for(samples);
        schedule_.advance(samples);
        const double budget = budget_.next(samples);
        std::vector<std::vector<uint8_t>> sections;
        size_t used = 0;
        for (int c = 0; c < channels_; ++c) {
            std::vector<float>& buf = buffers_[static_cast<size_t>(c)];
            const size_t need = static_cast<size_t>(frames) * kHop + (kFftSize - kHop);
            if (buf.size() < need) buf.resize(need, 0.0f);
            const std::vector<float> target = analysis_target(buf, frames);
            buf.erase(buf.begin(), buf.begin() + static_cast<long>(static_cast<size_t>(frames) * kHop));
            const int left = channels_ - c;
            const double share = (budget - static_cast<double>(used)) / left - (left > 1 ? 2.0 : 0.0);
            sections.push_back(code_channel(target, frames, share));
            used += sections.back().size() + (left > 1 ? 2 : 0);
        }
        std::vector<uint8_t> payload = write_payload(sections);
        budget_.spent(samples, payload.size());
        return payload;
    }

    std::vector<uint8_t> section(const Model& m, size_t count) const {
        Model k = m;
        k.gaussians.resize(std::min(count, k.gaussians.size()));
        return write_channel(quantize(k));
    }

    // The longest prefix whose quantized boxes stay within the decoder's coverage bound.
    static size_t coverage_count(const Model& m) {
        Model q = dequantize(quantize(m));
        const long bound = kMaxCoverage * m.frames * kBins;
        long cells = 0;
        for (size_t i = 0; i < q.gaussians.size(); ++i) {
            Model one;
            one.frames = q.frames;
            one.gaussians = {q.gaussians[i]};
            cells += coverage(one);
            if (cells > bound) return i;
        }
        return q.gaussians.size();
    }

    // The largest prefix (by importance) of m's Gaussians whose section fits `budget`.
    size_t fitting_count(const Model& m, double budget) const {
        size_t lo = 0, hi = m.gaussians.size();
        if (static_cast<double>(section(m, hi).size()) <= budget) return hi;
        while (lo < hi) {
            const size_t mid = (lo + hi + 1) / 2;
            if (static_cast<double>(section(m, mid).size()) <= budget) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    std::vector<uint8_t> code_channel(const std::vector<float>& target, int frames, double budget) {
        if (frames == 0) return {};
        FitSettings s;
        s.iterations = p_.iterations;
        s.threads = p_.threads;
        const double base = static_cast<double>(section(fit_floor(target, frames), 0).size());
        const double room = std::max(0.0, budget - base);
        s.max_gaussians = static_cast<int>(std::clamp(room / bytes_per_gaussian_ * 1.15, 0.0,
                                                      std::min(double(kMaxGaussians), 8.0 * frames)));
        Model m = fit(target, frames, s);
        m.gaussians.resize(coverage_count(m));
        size_t k = fitting_count(m, budget);
        if (k < m.gaussians.size()) {
            m.gaussians.resize(k);
            refine(m, target, std::max(4, p_.iterations / 8), p_.threads, true);
            order_by_importance(m);
            m.gaussians.resize(coverage_count(m));
            k = fitting_count(m, budget);
        }
        std::vector<uint8_t> out = section(m, k);
        if (k >= 8) {
            const double per = (static_cast<double>(out.size()) - base) / static_cast<double>(k);
            bytes_per_gaussian_ = std::clamp(0.7 * bytes_per_gaussian_ + 0.3 * per, 1.5, 8.0);
        }
        return out;
    }

    static Model fit_floor(const std::vector<float>& target, int frames) {
        FitSettings s;
        s.max_gaussians = 0;
        s.iterations = 0;
        return fit(target, frames, s);
    }

    Params p_;
    int channels_;
    std::vector<std::vector<float>> buffers_;  // from the first sample of the next frame on
    Schedule schedule_;
    CarriedBudget budget_;
    double bytes_per_gaussian_ = 3.5;
    PacketSequence sequence_;
};

}  // namespace

std::unique_ptr<FamilyEncoder> make_encoder(const EncoderSetup& setup) {
    return make_encoder(params_from_setup(setup), setup.channels);
}

std::unique_ptr<FamilyEncoder> make_encoder(const Params& params, int channels) {
    return std::make_unique<Encoder>(params, channels);
}

}  // namespace tq::gauss
