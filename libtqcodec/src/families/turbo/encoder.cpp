#include "families/turbo/encoder.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include "dsp/fwht.hpp"
#include "dsp/lloyd_max.hpp"
#include "families/turbo/bitstream.hpp"
#include "families/turbo/mdct_coder.hpp"

namespace tq::turbo {
namespace {

// How far (in 1/8-octave grid steps) the scale search may walk away from the
// block RMS. Gaussian-like blocks stop after one step each way; spiky ones
// (energy in a few coefficients) walk further up.
constexpr int kMaxScaleSteps = 24;

class Encoder final : public FamilyEncoder {
public:
    Encoder(const Params& p, int channels)
        : p_(p),
          channels_(channels),
          signs_(p, channels),
          quantizer_(code_levels(p)),
          x_(static_cast<std::size_t>(p.block)),
          y_(static_cast<std::size_t>(p.block)) {
        for (auto& c : codes_) c.resize(static_cast<std::size_t>(p.block));
    }

    int frame_size() const override { return p_.frame_size; }
    size_t max_payload_size() const override { return max_payload_bytes(p_, channels_); }
    std::vector<uint8_t> params() const override { return serialize_params(p_); }

    std::vector<uint8_t> encode(const PlanarIn& pcm) override {
        const int n = p_.block;
        const int blocks = (pcm.samples + n - 1) / n;
        PayloadWriter out;
        for (int b = 0; b < blocks; ++b) {
            const int start = b * n;
            const int count = std::min(n, pcm.samples - start);
            for (int c = 0; c < channels_; ++c) code_block(pcm.data[c] + start, count, c, b, out);
        }
        return out.finish();
    }

private:
    // Sum over the block of (y - gain * level(q(y / gain)))^2, codes -> `codes`.
    float evaluate(const float* y, float gain, uint16_t* codes) const {
        const float inv = 1.0f / gain;
        const float* lv = quantizer_.levels();
        const std::size_t n = static_cast<std::size_t>(p_.block);
        float err = 0.0f;
        for (std::size_t k = 0; k < n; ++k) {
            const int q = quantizer_.quantize(y[k] * inv);
            codes[k] = static_cast<uint16_t>(q);
            const float d = y[k] - gain * lv[q];
            err += d * d;
        }
        return err;
    }

    void code_block(const float* in, int count, int channel, int block, PayloadWriter& out) {
        const std::size_t n = static_cast<std::size_t>(p_.block);
        float* x = x_.data();
        std::memcpy(x, in, sizeof(float) * static_cast<std::size_t>(count));
        std::fill(x + count, x + n, 0.0f);
        double energy = 0.0;
        for (std::size_t k = 0; k < n; ++k) energy += static_cast<double>(x[k]) * x[k];
        if (!std::isfinite(energy)) {  // NaN or inf in the input: code them as 0
            energy = 0.0;
            for (std::size_t k = 0; k < n; ++k) {
                if (!std::isfinite(x[k])) x[k] = 0.0f;
                energy += static_cast<double>(x[k]) * x[k];
            }
        }
        if (energy == 0.0) {
            out.silent_block();
            return;
        }

        // y = H_unscaled D x = sqrt(n) * (orthonormal coefficients); the
        // coefficient scale s becomes the gain s * sqrt(n) in this domain.
        const float sqrt_n = std::sqrt(static_cast<float>(n));
        const int start = nearest_scale_index(std::sqrt(energy / static_cast<double>(n)));
        uint16_t* best = codes_[0].data();
        uint16_t* cand = codes_[1].data();
        uint16_t* scratch = codes_[2].data();
        float best_err = 0.0f;
        int best_scale = 0, best_variant = 0;
        float* y = y_.data();
        for (int v = 0; v < kVariants; ++v) {
            const float* s = signs_.get(channel, block, v);
            for (std::size_t k = 0; k < n; ++k) y[k] = x[k] * s[k];
            dsp::fwht_unscaled(y, n);

            // Walk the scale grid from the RMS towards lower actual error.
            auto eval = [&](int index) { return evaluate(y, scale_value(index) * sqrt_n, scratch); };
            int scale = start;
            float err = eval(scale);
            std::swap(cand, scratch);
            for (int dir : {+1, -1}) {
                bool moved = false;
                for (int step = 0; step < kMaxScaleSteps; ++step) {
                    const int next = scale + dir;
                    if (next < 1 || next > kScaleMaxIndex) break;
                    const float e = eval(next);
                    if (!(e < err)) break;
                    err = e;
                    scale = next;
                    std::swap(cand, scratch);
                    moved = true;
                }
                if (moved) break;  // error is (near) unimodal in the scale: no need to look the other way
            }
            if (v == 0 || err < best_err) {
                best_err = err;
                best_scale = scale;
                best_variant = v;
                std::swap(best, cand);
            }
        }
        // Silence beats a code whose error exceeds the block's own energy.
        if (!(static_cast<double>(best_err) < energy * static_cast<double>(n))) {
            out.silent_block();
            return;
        }
        out.block(best_scale, best_variant, best, p_.block, p_.code_bits());
    }

    Params p_;
    int channels_;
    SignTable signs_;
    dsp::ScalarQuantizer quantizer_;
    std::vector<float> x_, y_;
    std::vector<uint16_t> codes_[3];
};

}  // namespace

std::unique_ptr<FamilyEncoder> make_encoder(const Params& params, int channels) {
    if (params.mode == Mode::mdct) return make_mdct_encoder(params, channels);
    return std::make_unique<Encoder>(params, channels);
}

std::unique_ptr<FamilyEncoder> make_encoder(const EncoderSetup& setup) {
    return make_encoder(params_from_setup(setup), setup.channels);
}

}  // namespace tq::turbo
