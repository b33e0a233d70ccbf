#include "families/gauss/decoder.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <string>

#include "core/error.hpp"
#include "dsp/pghi.hpp"
#include "families/gauss/bitstream.hpp"
#include "families/gauss/encoder.hpp"
#include "families/gauss/model.hpp"
#include "nn/spectral_head.hpp"

namespace tq::gauss {
namespace {

// Cells where the Gaussians add less than this (nats) to the floor are noise: random phase.
constexpr float kNoiseBelow = 0.5f;
// The fit models the mean of ln|X|, which for noise (Rayleigh |X|) lies about
// gamma/2 = 0.29 nats below ln of the RMS (less after the encoder's 3-frame power average);
// noise cells get kNoiseBias back (measured on a few dev excerpts: 0.4 best without Griffin-Lim,
// 0.1 with it, 0..0.6 tried).
constexpr float kNoiseBias = 0.1f;
// No decoded magnitude exceeds e^kMaxLog (a full-scale sine is e^4.85).
constexpr float kMaxLog = 8.0f;
// Periodic Hann at hop kFftSize / 4: the window-square sum is 1.5.
constexpr float kOlaGain = 1.5f;
// The frames before a packet that overlap its first (frame j covers hops j-3 .. j).
constexpr size_t kContext = kFftSize / kHop - 1;
// Fast Griffin-Lim iterations after PGHI, over each packet with the previous packet's last
// kContext frames fixed (1..16 tried on dev excerpts: 1-2 lower the mel distance by ~0.2, more
// do not help).
constexpr int kGriffinLimIterations = 2;

class Synthesis {
public:
    Synthesis() : pghi_(kFftSize, kHop), ola_(kFftSize, kHop, kOlaGain), context_(kContext * kBins) {}

    void reset() {
        pghi_.reset();
        ola_.reset();
        ready_.clear();
        std::fill(context_.begin(), context_.end(), std::complex<float>{});
    }

    void decode(const Model& m) {
        const int frames = m.frames;
        if (frames == 0) return;
        const size_t cells = static_cast<size_t>(frames) * kBins;
        std::vector<float> logmag(cells), part(cells), phase(cells);
        render(m, logmag, 1, part);
        std::vector<uint8_t> noise(cells);
        for (size_t i = 0; i < cells; ++i) {
            logmag[i] = std::min(logmag[i], kMaxLog);
            noise[i] = part[i] < kNoiseBelow;
            if (noise[i]) logmag[i] += kNoiseBias;
        }
        pghi_.integrate(logmag, static_cast<size_t>(frames), noise, phase);
        // The block: the previous packet's last kContext spectra, then this packet's.
        std::vector<std::complex<float>> block(context_);
        block.resize(context_.size() + cells);
        std::vector<float> magnitude(cells);
        for (size_t i = 0; i < cells; ++i) {
            magnitude[i] = std::exp(logmag[i]);
            block[context_.size() + i] = std::polar(magnitude[i], phase[i]);
        }
        dsp::fast_griffin_lim(block, magnitude, kContext, static_cast<size_t>(frames), kFftSize, kHop, kGriffinLimIterations);
        std::vector<float> last(kBins);
        for (int f = 0; f < kBins; ++f) last[static_cast<size_t>(f)] = std::arg(block[block.size() - kBins + static_cast<size_t>(f)]);
        pghi_.set_last_phases(last);
        std::copy(block.end() - static_cast<long>(context_.size()), block.end(), context_.begin());
        const size_t first = ready_.size();
        ready_.resize(first + static_cast<size_t>(frames) * kHop);
        std::vector<std::complex<float>> spectrum(kBins);
        for (int j = 0; j < frames; ++j) {
            std::copy_n(block.begin() + static_cast<long>((kContext + static_cast<size_t>(j)) * kBins), kBins, spectrum.begin());
            spectrum[0] = std::real(spectrum[0]);
            spectrum[kBins - 1] = std::real(spectrum[kBins - 1]);
            ola_.push(spectrum, std::span(ready_).subspan(first + static_cast<size_t>(j) * kHop, kHop));
        }
    }

    void emit(float* out, int samples) {
        std::copy_n(ready_.begin(), samples, out);
        ready_.erase(ready_.begin(), ready_.begin() + samples);
    }

private:
    dsp::PhaseReconstructor pghi_;
    nn::OverlapAdd ola_;
    std::vector<float> ready_;
    std::vector<std::complex<float>> context_;  // the last kContext spectra decoded
};

class Decoder final : public FamilyDecoder {
public:
    Decoder(const Params& p, int channels) : p_(p), channels_(channels), streams_(static_cast<size_t>(channels)) {}

    void decode(std::span<const uint8_t> payload, const PlanarOut& out) override {
        check_samples(out.samples);
        const int frames = schedule_.frames_for(out.samples);
        const auto sections = split_payload(payload, channels_);
        std::vector<Model> models;
        for (int c = 0; c < channels_; ++c) {
            if (frames == 0) {
                require_intact(sections[static_cast<size_t>(c)].empty(), "gauss packet: bytes in a packet of no frames");
                models.emplace_back();
                continue;
            }
            models.push_back(dequantize(read_channel(sections[static_cast<size_t>(c)], frames)));
            const long cells = coverage(models.back()), bound = kMaxCoverage * frames * kBins;
            require_intact(cells <= bound, "gauss packet: the Gaussians cover " + std::to_string(cells) +
                                               " cells, at most " + std::to_string(bound));
        }
        for (int c = 0; c < channels_; ++c) streams_[static_cast<size_t>(c)].decode(models[static_cast<size_t>(c)]);
        finish(out);
    }

    // A lost packet decodes as near silence (floor at -30 nats, random phases): the state stays in step.
    void conceal(const PlanarOut& out) override {
        check_samples(out.samples);
        Model m;
        m.frames = schedule_.frames_for(out.samples);
        m.floor.assign(static_cast<size_t>(floor_times(m.frames)) * kFloorBands, -30.0f);
        for (Synthesis& s : streams_) s.decode(m);
        finish(out);
    }

    void reset() override {
        for (Synthesis& s : streams_) s.reset();
        schedule_.reset();
    }

private:
    static void check_samples(int samples) {
        require_intact(samples >= 1 && samples <= kFrameSize, "gauss packet: " + std::to_string(samples) +
                                                                  " samples, frame is " + std::to_string(kFrameSize));
    }

    void finish(const PlanarOut& out) {
        for (int c = 0; c < channels_; ++c) streams_[static_cast<size_t>(c)].emit(out.data[c], out.samples);
        schedule_.advance(out.samples);
        if (!uses_mid_side(p_, channels_)) return;
        for (int i = 0; i < out.samples; ++i) {
            const float mid = out.data[0][i], side = out.data[1][i];
            out.data[0][i] = mid + side;
            out.data[1][i] = mid - side;
        }
    }

    Params p_;
    int channels_;
    std::vector<Synthesis> streams_;
    Schedule schedule_;
};

}  // namespace

std::unique_ptr<FamilyDecoder> make_decoder(const StreamInfo& info, std::span<const uint8_t> params) {
    return make_decoder(parse_params(params, info), info.channels);
}

std::unique_ptr<FamilyDecoder> make_decoder(const Params& params, int channels) {
    return std::make_unique<Decoder>(params, channels);
}

}  // namespace tq::gauss
