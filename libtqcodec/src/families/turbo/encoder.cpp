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
        best_codes_ = codes_[0].data();
        cand_codes_ = codes_[1].data();
        scratch_codes_ = codes_[2].data();
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

    struct Choice {
        float error = 0.0f;
        int scale = 0;
        int variant = 0;
    };

    void code_block(const float* in, int count, int channel, int block, PayloadWriter& out) {
        const double energy = load_block(in, count);
        if (energy == 0.0) return out.silent_block();
        const int start = nearest_scale_index(std::sqrt(energy / p_.block));
        Choice best;
        for (int v = 0; v < kVariants; ++v) {
            rotate(signs_.get(channel, block, v));
            Choice c = search_scale(start);
            c.variant = v;
            if (v == 0 || c.error < best.error) {
                best = c;
                std::swap(best_codes_, cand_codes_);
            }
        }
        // Silence beats a code whose error exceeds the block's own energy
        // (errors are in the unscaled FWHT domain: n times the sample domain).
        if (!(static_cast<double>(best.error) < energy * p_.block)) return out.silent_block();
        out.block(best.scale, best.variant, best_codes_, p_.block, p_.code_bits());
    }

    // Copies a block into x_, zero-padding a short last block and coding
    // non-finite input as 0. Returns its energy.
    double load_block(const float* in, int count) {
        const std::size_t n = static_cast<std::size_t>(p_.block);
        float* x = x_.data();
        std::memcpy(x, in, sizeof(float) * static_cast<std::size_t>(count));
        std::fill(x + count, x + n, 0.0f);
        double energy = 0.0;
        for (std::size_t k = 0; k < n; ++k) {
            if (!std::isfinite(x[k])) x[k] = 0.0f;
            energy += static_cast<double>(x[k]) * x[k];
        }
        return energy;
    }

    // y_ = H_unscaled D x_: sqrt(n) times the orthonormal coefficients.
    void rotate(const float* signs) {
        const std::size_t n = static_cast<std::size_t>(p_.block);
        for (std::size_t k = 0; k < n; ++k) y_[k] = x_[k] * signs[k];
        dsp::fwht_unscaled(y_.data(), n);
    }

    // Walks the scale grid from `start` towards lower actual error; the codes
    // of the result are left in cand_codes_.
    Choice search_scale(int start) {
        const float sqrt_n = std::sqrt(static_cast<float>(p_.block));
        auto error_at = [&](int index) { return evaluate(y_.data(), scale_value(index) * sqrt_n, scratch_codes_); };
        Choice c{error_at(start), start, 0};
        std::swap(cand_codes_, scratch_codes_);
        for (int dir : {+1, -1}) {
            bool moved = false;
            for (int step = 0; step < kMaxScaleSteps; ++step) {
                const int next = c.scale + dir;
                if (next < 1 || next > kScaleMaxIndex) break;
                const float e = error_at(next);
                if (!(e < c.error)) break;
                c.error = e;
                c.scale = next;
                std::swap(cand_codes_, scratch_codes_);
                moved = true;
            }
            if (moved) break;  // error is (near) unimodal in the scale: no need to look the other way
        }
        return c;
    }

    Params p_;
    int channels_;
    SignTable signs_;
    dsp::ScalarQuantizer quantizer_;
    std::vector<float> x_, y_;
    std::vector<uint16_t> codes_[3];
    // Three rotating code buffers: the best so far, the search's current
    // candidate, and the one being evaluated.
    uint16_t* best_codes_;
    uint16_t* cand_codes_;
    uint16_t* scratch_codes_;
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
