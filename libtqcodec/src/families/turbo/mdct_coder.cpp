#include "families/turbo/mdct_coder.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

#include "core/bitio.hpp"
#include "core/error.hpp"
#include "core/prng.hpp"
#include "dsp/mdct.hpp"
#include "families/turbo/allocation.hpp"
#include "families/turbo/band_shape.hpp"
#include "families/turbo/bands.hpp"
#include "families/turbo/bitstream.hpp"
#include "families/turbo/mdct_payload.hpp"
#include "families/turbo/tns.hpp"

namespace tq::turbo {
namespace {

// Sign vectors of mdct mode: variant 2 of the time mode's key (BITSTREAM.md 8.4).
constexpr int kMdctSignVariant = 2;

int frames_for(int samples, int n) { return (samples + n - 1) / n; }

constexpr float kPerceptualFillLevel = 0.8f;
constexpr int kMostBitsEnergyKept = 2;

// tune=perceptual allocation (BITSTREAM.md section 9.3). MSE weighs a band's
// squared error alone, which starves quiet and high bands: here the error is
// weighed by gain^-1 (noise may grow as the square root of the band energy,
// not in proportion to it) and by frequency^-1 (one octave lower: twice the
// weight). In the allocator's units, 64 x log2 of the weight.
int perceptual_gain_bias(int gain_index) { return -16 * gain_index; }

std::vector<int> perceptual_band_bias(const BandLayout& bands, int n) {
    std::vector<int> bias;
    for (int b = 0; b < bands.count(); ++b) {
        const int centre_x2 = 2 * bands.offset[b] + bands.width[b];  // twice the centre, in coefficients
        bias.push_back(64 * (std::countl_zero(static_cast<unsigned>(centre_x2)) - std::countl_zero(static_cast<unsigned>(2 * n))));
    }
    return bias;
}

// What encoder and decoder share: layout, per-channel signs, one packet's
// gains, allocation and coefficients ([frame][channel][...]).
class PacketModel {
public:
    PacketModel(const Params& p, int channels)
        : n_(p.block),
          channels_(channels),
          perceptual_(p.tune == Tune::perceptual),
          bands_(mdct_bands(p.block, p.tune)),
          shapes_(p.block) {
        if (perceptual_) band_bias_ = perceptual_band_bias(bands_, n_);
        signs_.resize(static_cast<std::size_t>(channels * n_));
        for (int c = 0; c < channels; ++c) make_signs(p.seed, c, 0, kMdctSignVariant, signs(c), n_);
        const std::size_t max_frames = static_cast<std::size_t>(p.frame_size / n_);
        gains_.resize(max_frames * static_cast<std::size_t>(channels * bands_.count()));
        coefs_.resize(max_frames * static_cast<std::size_t>(channels * n_));
        codes_.resize(static_cast<std::size_t>(n_));
        mid_side_.resize(max_frames * static_cast<std::size_t>(bands_.count()));
        tns_.resize(max_frames * static_cast<std::size_t>(channels));
    }

protected:
    bool stereo() const { return channels_ == 2; }
    uint8_t* mid_side(int f) { return mid_side_.data() + f * bands_.count(); }

    // (L, R) <-> ((L+R)/sqrt2, (L-R)/sqrt2) on the flagged bands of frame f:
    // orthonormal, so the allocation's squared-error model holds in either.
    void rotate_stereo(int f) {
        const float h = 0.70710678118654752f;
        for (int b = 0; b < bands_.count(); ++b) {
            if (!mid_side(f)[b]) continue;
            float* l = coefs(f, 0) + bands_.offset[b];
            float* r = coefs(f, 1) + bands_.offset[b];
            for (int i = 0; i < bands_.width[b]; ++i) {
                const float a = l[i], d = r[i];
                l[i] = h * (a + d);
                r[i] = h * (a - d);
            }
        }
    }

    // Per frame: one bit, and if it is set one mid/side flag per band;
    // tune=perceptual after the first frame: between the two, one bit for
    // "the flags of the frame before".
    bool any_mid_side(int f) {
        return std::any_of(mid_side(f), mid_side(f) + bands_.count(), [](uint8_t m) { return m != 0; });
    }
    bool may_repeat_stereo(int f) const { return perceptual_ && f > 0; }
    bool repeats_stereo(int f) {
        return may_repeat_stereo(f) && std::equal(mid_side(f), mid_side(f) + bands_.count(), mid_side(f - 1));
    }
    int stereo_bits(int f) {
        if (!stereo()) return 0;
        if (!any_mid_side(f)) return 1;
        return 1 + (may_repeat_stereo(f) ? 1 : 0) + (repeats_stereo(f) ? 0 : bands_.count());
    }
    void write_stereo(BitWriter& out, int f) {
        if (!stereo()) return;
        const bool any = any_mid_side(f);
        out.put_bit(any);
        if (!any) return;
        if (may_repeat_stereo(f)) out.put_bit(repeats_stereo(f));
        if (repeats_stereo(f)) return;
        for (int b = 0; b < bands_.count(); ++b) out.put_bit(mid_side(f)[b] != 0);
    }
    void read_stereo(BitReader& in, int f) {
        if (!stereo()) return;
        const bool any = in.get_bit();
        if (any && may_repeat_stereo(f) && in.get_bit()) {
            std::copy(mid_side(f - 1), mid_side(f - 1) + bands_.count(), mid_side(f));
            return;
        }
        for (int b = 0; b < bands_.count(); ++b) mid_side(f)[b] = any && in.get_bit() ? 1 : 0;
    }

    float* signs(int c) { return signs_.data() + c * n_; }
    TnsFilter& tns(int f, int c) { return tns_[static_cast<std::size_t>(f * channels_ + c)]; }
    int tns_bits_of(int f, int c) { return perceptual_ ? tns_bits(tns(f, c)) : 0; }

    // The gains of frame f and channel c: the mse code, or (tune=perceptual) the
    // code that may predict them from the frame before in the packet.
    std::span<const int> previous_gains(int f, int c) { return f > 0 ? gains_of(f - 1, c) : std::span<const int>{}; }
    int gain_bits_of(int f, int c) {
        return perceptual_ ? predicted_gain_code_bits(gains_of(f, c), previous_gains(f, c)) : gain_code_bits(gains_of(f, c));
    }
    void write_gains_of(BitWriter& out, int f, int c) {
        if (perceptual_) return write_predicted_gains(out, gains_of(f, c), previous_gains(f, c));
        write_gains(out, gains_of(f, c));
    }
    void read_gains_of(BitReader& in, int f, int c) {
        if (perceptual_) return read_predicted_gains(in, gains_of(f, c), previous_gains(f, c));
        read_gains(in, gains_of(f, c));
    }
    int* gains(int f, int c) { return gains_.data() + (f * channels_ + c) * bands_.count(); }
    float* coefs(int f, int c) { return coefs_.data() + (f * channels_ + c) * n_; }
    std::span<int> gains_of(int f, int c) { return {gains(f, c), static_cast<std::size_t>(bands_.count())}; }

    std::vector<AllocationUnit> units(int frames) const {
        std::vector<AllocationUnit> u;
        const std::size_t bands = static_cast<std::size_t>(bands_.count());
        for (std::size_t i = 0; i < static_cast<std::size_t>(frames * channels_) * bands; ++i) {
            const int g = gains_[i];
            const int bias = perceptual_ ? perceptual_gain_bias(g) + band_bias_[i % bands] : 0;
            u.push_back({g, bands_.width[i % bands], bias});
        }
        return u;
    }
    long max_budget(int frames) const { return static_cast<long>(kMaxBandBits) * frames * channels_ * n_; }

    int n_, channels_;
    bool perceptual_;
    BandLayout bands_;
    std::vector<int> band_bias_;  // tune=perceptual: allocation bias of each band
    BandShapeCoder shapes_;
    std::vector<float> signs_;
    std::vector<int> gains_;
    std::vector<float> coefs_;
    std::vector<uint16_t> codes_;
    std::vector<uint8_t> mid_side_;  // [frame][band]: coded as mid/side (stereo only)
    std::vector<TnsFilter> tns_;     // [frame][channel], tune=perceptual
};

class MdctEncoder final : public FamilyEncoder, private PacketModel {
public:
    MdctEncoder(const Params& p, int channels)
        : PacketModel(p, channels),
          p_(p),
          mdct_(static_cast<std::size_t>(p.block)),
          history_(static_cast<std::size_t>(channels * p.block), 0.0f),
          window_(static_cast<std::size_t>(2 * p.block)) {}

    int frame_size() const override { return p_.frame_size; }
    int delay() const override { return n_; }
    size_t max_payload_size() const override { return mdct_max_payload_bytes(p_, channels_); }
    std::vector<uint8_t> params() const override { return serialize_params(p_); }

    std::vector<uint8_t> encode(const PlanarIn& pcm) override {
        sequence_.begin(pcm.samples, p_.frame_size, "turbo mdct");
        const int frames = frames_for(pcm.samples, n_);
        for (int f = 0; f < frames; ++f)
            for (int c = 0; c < channels_; ++c) transform(pcm.data[c], f * n_, pcm.samples, f, c);
        return code_packet(frames);
    }

    // The last n samples of the delayed stream: one more frame over the
    // history and silence.
    std::vector<uint8_t> flush(int& samples) override {
        samples = 0;
        if (!sequence_.tail_due()) return {};
        for (int c = 0; c < channels_; ++c) transform(nullptr, 0, 0, 0, c);
        samples = n_;
        return code_packet(1);
    }

private:
    // Frame f of channel c: the channel's history followed by samples
    // [start, start + n) of `in` (zero past `available`; NaN/inf become 0).
    void transform(const float* in, int start, int available, int f, int c) {
        float* hist = history_.data() + c * n_;
        float* w = window_.data();
        std::copy(hist, hist + n_, w);
        for (int i = 0; i < n_; ++i) {
            const float v = start + i < available ? in[start + i] : 0.0f;
            w[n_ + i] = std::isfinite(v) ? v : 0.0f;
        }
        std::copy(w + n_, w + 2 * n_, hist);
        mdct_.forward(w, coefs(f, c));
    }

    // Mid/side where it lowers the product of the two channels' band energies:
    // at a given rate the squared error goes with that product (high-rate theory).
    // tune=perceptual keeps the frame before's flags when the bits they would
    // cost, w/2 x |log2 of the product ratio| per band they get wrong, are fewer
    // than the flags' own.
    void choose_mid_side(int f) {
        std::vector<double> cost_if_wrong(static_cast<std::size_t>(bands_.count()));
        for (int b = 0; b < bands_.count(); ++b) {
            const float* l = coefs(f, 0) + bands_.offset[b];
            const float* r = coefs(f, 1) + bands_.offset[b];
            double el = 0.0, er = 0.0, em = 0.0, es = 0.0;
            for (int i = 0; i < bands_.width[b]; ++i) {
                el += static_cast<double>(l[i]) * l[i];
                er += static_cast<double>(r[i]) * r[i];
                const double m = 0.5 * (static_cast<double>(l[i]) + r[i]), s = 0.5 * (static_cast<double>(l[i]) - r[i]);
                em += 2.0 * m * m;
                es += 2.0 * s * s;
            }
            const double floor = 1e-6 * (el + er) + 1e-30;
            const double product_ms = (em + floor) * (es + floor), product_lr = 0.8 * (el + floor) * (er + floor);
            mid_side(f)[b] = product_ms < product_lr ? 1 : 0;
            cost_if_wrong[static_cast<std::size_t>(b)] = 0.5 * bands_.width[b] * std::abs(std::log2(product_ms / product_lr));
        }
        if (may_repeat_stereo(f) && any_mid_side(f - 1)) {
            double cost = 0.0;
            for (int b = 0; b < bands_.count(); ++b)
                if (mid_side(f)[b] != mid_side(f - 1)[b]) cost += cost_if_wrong[static_cast<std::size_t>(b)];
            if (cost < bands_.count()) std::copy(mid_side(f - 1), mid_side(f - 1) + bands_.count(), mid_side(f));
        }
        rotate_stereo(f);
    }

    void apply_tns(int frames) {
        for (int f = 0; f < frames; ++f)
            for (int c = 0; c < channels_; ++c) {
                tns(f, c) = tns_choose(coefs(f, c), n_);
                tns_whiten(tns(f, c), coefs(f, c), n_);
            }
    }

    void quantize_gains(int frames) {
        for (int f = 0; f < frames; ++f)
            for (int c = 0; c < channels_; ++c)
                for (int b = 0; b < bands_.count(); ++b) {
                    const float* x = coefs(f, c) + bands_.offset[b];
                    double energy = 0.0;
                    for (int i = 0; i < bands_.width[b]; ++i) energy += static_cast<double>(x[i]) * x[i];
                    gains(f, c)[b] = nearest_gain_index(std::sqrt(energy / bands_.width[b]));
                }
    }

    double target_bits(int samples) const {
        if (p_.bitrate > 0) return 8.0 * payload_budget_bytes(p_.bitrate, samples, p_.sample_rate);
        return static_cast<double>(p_.bits) * samples * channels_;
    }

    // A short last packet gets the budget of all the frames it codes.
    std::vector<uint8_t> code_packet(int frames) {
        for (int f = 0; f < frames && stereo(); ++f) choose_mid_side(f);
        if (perceptual_) apply_tns(frames);
        quantize_gains(frames);
        long gain_bits = 0;
        for (int f = 0; f < frames; ++f) {
            gain_bits += stereo_bits(f);
            for (int c = 0; c < channels_; ++c) gain_bits += tns_bits_of(f, c) + gain_bits_of(f, c);
        }
        credit_ += target_bits(frames * n_);
        const long budget = std::clamp(static_cast<long>(std::floor(credit_)) - kBudgetBits - gain_bits, 0L,
                                       max_budget(frames));
        const std::vector<uint8_t> bits = allocate_bits(units(frames), budget);

        BitWriter out;
        out.put(static_cast<uint32_t>(budget), kBudgetBits);
        for (int f = 0; f < frames; ++f) {
            write_stereo(out, f);
            for (int c = 0; c < channels_; ++c) {
                if (perceptual_) write_tns(out, tns(f, c));
                write_gains_of(out, f, c);
            }
        }
        write_shapes(out, frames, bits);
        std::vector<uint8_t> payload = out.finish();
        settle_credit(payload.size());
        return payload;
    }

    void write_shapes(BitWriter& out, int frames, const std::vector<uint8_t>& bits) {
        std::size_t unit = 0;
        for (int f = 0; f < frames; ++f)
            for (int c = 0; c < channels_; ++c)
                for (int b = 0; b < bands_.count(); ++b, ++unit) {
                    const int k = bits[unit];
                    if (k == 0) continue;
                    const int off = bands_.offset[b], w = bands_.width[b];
                    shapes_.encode(coefs(f, c) + off, w, gain_value(gains(f, c)[b]), k, signs(c) + off, codes_.data());
                    for (int i = 0; i < w; ++i) out.put(codes_[static_cast<std::size_t>(i)], k);
                }
    }

    // Carries what a packet under- or overspent into the next ones, bounded by
    // one frame's worth so that silence does not bank bits for a later burst.
    void settle_credit(std::size_t payload_bytes) {
        credit_ -= 8.0 * static_cast<double>(payload_bytes);
        const double bound = std::max(target_bits(p_.frame_size), 0.0);
        credit_ = std::clamp(credit_, -bound, bound);
    }

    Params p_;
    dsp::Mdct mdct_;
    std::vector<float> history_, window_;
    double credit_ = 0.0;
    PacketSequence sequence_;
};

class MdctDecoder final : public FamilyDecoder, private PacketModel {
public:
    MdctDecoder(const Params& p, int channels)
        : PacketModel(p, channels),
          p_(p),
          mdct_(static_cast<std::size_t>(p.block)),
          overlap_(static_cast<std::size_t>(channels * p.block), 0.0f),
          frame_(static_cast<std::size_t>(2 * p.block)),
          ready_(static_cast<std::size_t>(channels), std::vector<float>()),
          noise_(p.seed) {}

    void decode(std::span<const uint8_t> payload, const PlanarOut& out) override {
        if (out.channels != channels_ || out.samples < 1 || out.samples > p_.frame_size)
            fail(TQ_ERR_CORRUPT, "turbo: packet of " + std::to_string(out.samples) + " samples outside 1.." +
                                     std::to_string(p_.frame_size));
        const int frames = frames_for(out.samples, n_);
        parse(payload, frames);  // throws before any state changes
        if (p_.noise_fill || perceptual_) fill_empty_bands(frames);
        for (int f = 0; f < frames && perceptual_; ++f)
            for (int c = 0; c < channels_; ++c) tns_shape(tns(f, c), coefs(f, c), n_);
        for (int f = 0; f < frames && stereo(); ++f) rotate_stereo(f);
        synthesize_packet(frames, out);
    }

    // A lost packet decodes as frames of zero spectrum: the last good frame's
    // overlap fades out and the overlap and output queues stay in step.
    void conceal(const PlanarOut& out) override {
        const int frames = frames_for(std::min(out.samples, p_.frame_size), n_);
        for (int f = 0; f < frames; ++f)
            for (int c = 0; c < channels_; ++c) std::fill(coefs(f, c), coefs(f, c) + n_, 0.0f);
        synthesize_packet(frames, out);
    }

    void reset() override {
        std::fill(overlap_.begin(), overlap_.end(), 0.0f);
        for (auto& r : ready_) r.clear();
        noise_ = Xoshiro256(p_.seed);
    }

private:
    void parse(std::span<const uint8_t> payload, int frames) {
        BitReader in(payload, "turbo mdct payload");
        const long budget = static_cast<long>(in.get(kBudgetBits));
        require_intact(budget <= max_budget(frames), "turbo mdct payload: budget " + std::to_string(budget) +
                                                         " above " + std::to_string(max_budget(frames)) + " bits");
        for (int f = 0; f < frames; ++f) {
            read_stereo(in, f);
            for (int c = 0; c < channels_; ++c) {
                if (perceptual_) tns(f, c) = read_tns(in);
                read_gains_of(in, f, c);
            }
        }
        bits_ = allocate_bits(units(frames), budget);
        read_shapes(in, frames);
        const std::size_t left = in.bits_left();
        if (left >= 8)
            fail(TQ_ERR_CORRUPT, "turbo mdct payload: " + std::to_string(left / 8) + " bytes after the last band");
        if (left > 0 && in.get(static_cast<int>(left)) != 0) fail(TQ_ERR_CORRUPT, "turbo mdct payload: nonzero padding bits");
    }

    void read_shapes(BitReader& in, int frames) {
        std::size_t unit = 0;
        for (int f = 0; f < frames; ++f)
            for (int c = 0; c < channels_; ++c)
                for (int b = 0; b < bands_.count(); ++b, ++unit) {
                    const int off = bands_.offset[b], w = bands_.width[b], k = bits_[unit];
                    float* x = coefs(f, c) + off;
                    if (k == 0) {
                        std::fill(x, x + w, 0.0f);
                        continue;
                    }
                    for (int i = 0; i < w; ++i) codes_[static_cast<std::size_t>(i)] = static_cast<uint16_t>(in.get(k));
                    shapes_.decode(codes_.data(), w, gain_value(gains(f, c)[b]), k, signs(c) + off, x);
                    if (perceptual_ && k <= kMostBitsEnergyKept) keep_energy(x, w, gain_value(gains(f, c)[b]));
                }
    }

    // Lloyd-Max reconstruction shrinks a band towards zero (by 2 dB at one bit
    // per coefficient, 0.5 dB at two); tune=perceptual scales such bands back to
    // the coded energy, width x gain^2. Not above two bits: there the shrink is
    // smaller than the gain grid's half step, and scaling to the quantized gain
    // would cap the SNR near 26 dB.
    static void keep_energy(float* x, int width, float gain) {
        float energy = 0.0f;
        for (int i = 0; i < width; ++i) energy += x[i] * x[i];
        if (!(energy > 0.0f)) return;
        const float scale = gain * std::sqrt(static_cast<float>(width) / energy);
        for (int i = 0; i < width; ++i) x[i] *= scale;
    }

    // Bands with a gain but no bits become +-gain noise (after parsing, so a
    // corrupt packet leaves the noise generator as it was).
    void fill_empty_bands(int frames) {
        std::size_t unit = 0;
        for (int f = 0; f < frames; ++f)
            for (int c = 0; c < channels_; ++c)
                for (int b = 0; b < bands_.count(); ++b, ++unit) {
                    const int g = gains(f, c)[b];
                    if (bits_[unit] == 0 && g > 0) fill_band(coefs(f, c), b, gain_value(g));
                }
    }

    // tune=perceptual fills 2 dB below the band gain: a band the allocator left
    // without bits is mostly one with peaks and valleys, and flat noise at its
    // full energy lifts the valleys more than a log-spectral ear forgives.
    void fill_band(float* frame, int b, float gain) {
        fill_noise(frame + bands_.offset[b], bands_.width[b], perceptual_ ? kPerceptualFillLevel * gain : gain);
    }

    void fill_noise(float* x, int width, float gain) {
        for (int i = 0; i < width; i += 64) {
            const uint64_t word = noise_.next();
            for (int j = 0; j < 64 && i + j < width; ++j) x[i + j] = (word >> j) & 1u ? -gain : gain;
        }
    }

    void synthesize_packet(int frames, const PlanarOut& out) {
        for (int f = 0; f < frames; ++f)
            for (int c = 0; c < channels_; ++c) synthesize(f, c);
        for (int c = 0; c < channels_; ++c) {
            auto& r = ready_[static_cast<std::size_t>(c)];
            std::copy(r.begin(), r.begin() + out.samples, out.data[c]);
            r.erase(r.begin(), r.begin() + out.samples);
        }
    }

    void synthesize(int f, int c) {
        mdct_.inverse(coefs(f, c), frame_.data());
        float* ov = overlap_.data() + c * n_;
        auto& r = ready_[static_cast<std::size_t>(c)];
        for (int i = 0; i < n_; ++i) r.push_back(ov[i] + frame_[static_cast<std::size_t>(i)]);
        std::copy(frame_.begin() + n_, frame_.end(), ov);
    }

    Params p_;
    dsp::Mdct mdct_;
    std::vector<float> overlap_, frame_;
    std::vector<uint8_t> bits_;              // the packet's allocation, per unit
    std::vector<std::vector<float>> ready_;  // finished samples not yet output, per channel
    Xoshiro256 noise_;
};

}  // namespace

std::unique_ptr<FamilyEncoder> make_mdct_encoder(const Params& params, int channels) {
    return std::make_unique<MdctEncoder>(params, channels);
}

std::unique_ptr<FamilyDecoder> make_mdct_decoder(const Params& params, int channels) {
    return std::make_unique<MdctDecoder>(params, channels);
}

}  // namespace tq::turbo
