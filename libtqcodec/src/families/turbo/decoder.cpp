#include "families/turbo/decoder.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "core/error.hpp"
#include "dsp/fwht.hpp"
#include "families/turbo/bitstream.hpp"
#include "families/turbo/mdct_coder.hpp"

namespace tq::turbo {
namespace {

class Decoder final : public FamilyDecoder {
public:
    Decoder(const Params& p, int channels)
        : p_(p),
          channels_(channels),
          signs_(p, channels),
          y_(static_cast<std::size_t>(p.block)),
          codes_(static_cast<std::size_t>(p.block)) {
        const auto levels = code_levels(p);
        levels_.assign(levels.begin(), levels.end());  // double -> float, exactly as the encoder's quantizer
    }

    void decode(std::span<const uint8_t> payload, const PlanarOut& out) override {
        if (out.channels != channels_ || out.samples < 1 || out.samples > p_.frame_size)
            fail(TQ_ERR_CORRUPT, "turbo: packet of " + std::to_string(out.samples) + " samples outside 1.." +
                                     std::to_string(p_.frame_size));
        const int n = p_.block;
        const int blocks = (out.samples + n - 1) / n;
        const float inv_sqrt_n = 1.0f / std::sqrt(static_cast<float>(n));
        const int max_code = static_cast<int>(levels_.size()) - 1;
        PayloadReader in(payload);
        float* y = y_.data();
        uint16_t* codes = codes_.data();
        for (int b = 0; b < blocks; ++b) {
            const int start = b * n;
            const int count = std::min(n, out.samples - start);
            for (int c = 0; c < channels_; ++c) {
                float* dst = out.data[c] + start;
                int variant = 0;
                const int scale = in.block(variant, codes, n, p_.code_bits());
                if (scale == kScaleSilent) {
                    std::fill(dst, dst + count, 0.0f);
                    continue;
                }
                // Orthonormal inverse: x = D H (s * level) / sqrt(n).
                const float gain = scale_value(scale) * inv_sqrt_n;
                const float* lv = levels_.data();
                for (std::size_t k = 0; k < static_cast<std::size_t>(n); ++k)
                    y[k] = gain * lv[std::min<int>(codes[k], max_code)];
                dsp::fwht_unscaled(y, static_cast<std::size_t>(n));
                const float* s = signs_.get(c, b, variant);
                for (int k = 0; k < count; ++k) dst[k] = y[k] * s[k];
            }
        }
        in.finish();
    }

private:
    Params p_;
    int channels_;
    SignTable signs_;
    std::vector<float> levels_;
    std::vector<float> y_;
    std::vector<uint16_t> codes_;
};

}  // namespace

std::unique_ptr<FamilyDecoder> make_decoder(const Params& params, int channels) {
    if (params.mode == Mode::mdct) return make_mdct_decoder(params, channels);
    return std::make_unique<Decoder>(params, channels);
}

std::unique_ptr<FamilyDecoder> make_decoder(const StreamInfo& info, std::span<const uint8_t> params) {
    return make_decoder(parse_params(params, info), info.channels);
}

}  // namespace tq::turbo
