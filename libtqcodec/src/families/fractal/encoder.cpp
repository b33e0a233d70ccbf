#include "families/fractal/encoder.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <thread>

#include "core/bitio.hpp"
#include "families/fractal/bitstream.hpp"
#include "families/fractal/search.hpp"

namespace tq::fractal {
namespace {

constexpr double kSilenceHysteresisDb = 3.0;

// One channel of one packet: its padded samples, every top range's silence
// flag and the fits of the ranges searched so far.
struct ChannelPlan {
    std::vector<float> signal;
    int peak_code = 0;
    double power = 0.0;                  // mean square of the channel
    std::vector<bool> silent;            // per top range
    std::vector<std::vector<Fit>> fits;  // [level][pos / size], level 0 = min_range
};

int level_of(int size, const Params& p) { return std::countr_zero(static_cast<unsigned>(size / p.min_range)); }

// The split tree a threshold gives: a range is split while its squared error
// per sample is above the threshold and its halves have been searched.
class ThresholdTree final : public SplitTree {
public:
    ThresholdTree(const Params& p, const ChannelPlan& plan, double threshold)
        : p_(p), plan_(plan), threshold_(threshold) {}

    bool split(Span r) const override {
        return fit(r).err > threshold_ * r.size && fit({r.pos, r.size / 2}).searched;
    }
    LeafCodes leaf(Span r) const override {
        const Fit& f = fit(r);
        return {f.s_code, f.domain, f.flip, f.o_code};
    }

private:
    const Fit& fit(Span r) const {
        return plan_.fits[static_cast<std::size_t>(level_of(r.size, p_))][static_cast<std::size_t>(r.pos / r.size)];
    }

    const Params& p_;
    const ChannelPlan& plan_;
    double threshold_;
};

class Encoder final : public FamilyEncoder {
public:
    Encoder(const Params& p, int channels)
        : p_(p), channels_(channels), threads_(thread_count(p)), silent_state_(static_cast<std::size_t>(channels)) {}

    int frame_size() const override { return p_.packet; }
    size_t max_payload_size() const override { return max_payload_bytes(p_, channels_); }
    std::vector<uint8_t> params() const override { return serialize_params(p_); }

    std::vector<uint8_t> encode(const PlanarIn& pcm) override {
        const int length = padded_length(pcm.samples, p_);
        const std::vector<Span> tops = top_ranges(length, p_);
        std::vector<ChannelPlan> plans;
        for (int c = 0; c < channels_; ++c) plans.push_back(prepare_channel(pcm.data[c], pcm.samples, length, tops, c));
        const std::vector<double> thresholds = search_levels(plans, tops, length, pcm.samples);
        return write_packet(plans, length, thresholds);
    }

private:
    static int thread_count(const Params& p) {
        if (p.threads > 0) return p.threads;
        return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    }

    ChannelPlan prepare_channel(const float* in, int samples, int length, const std::vector<Span>& tops, int channel) {
        ChannelPlan plan;
        plan.signal.assign(static_cast<std::size_t>(length), 0.0f);
        float peak = 0.0f;
        double energy = 0.0;
        for (int i = 0; i < samples; ++i) {
            const float v = std::isfinite(in[i]) ? in[i] : 0.0f;
            plan.signal[static_cast<std::size_t>(i)] = v;
            peak = std::max(peak, std::fabs(v));
            energy += static_cast<double>(v) * v;
        }
        plan.peak_code = peak_code(peak);
        plan.power = energy / samples;
        for (int size = p_.min_range; size <= p_.max_range; size *= 2)
            plan.fits.emplace_back(static_cast<std::size_t>(length / size));
        if (plan.peak_code == 0) {
            silent_state_[static_cast<std::size_t>(channel)] = true;
            return plan;
        }
        mark_silence(tops, channel, plan);
        return plan;
    }

    void mark_silence(const std::vector<Span>& tops, int channel, ChannelPlan& plan) {
        bool state = silent_state_[static_cast<std::size_t>(channel)];
        for (const Span& top : tops) {
            double e = 0.0;
            for (int i = top.pos; i < top.pos + top.size; ++i)
                e += static_cast<double>(plan.signal[static_cast<std::size_t>(i)]) * plan.signal[static_cast<std::size_t>(i)];
            const double db = 10.0 * std::log10(e / top.size + 1e-30);
            state = db < p_.silence_db + (state ? kSilenceHysteresisDb : 0.0);
            plan.silent.push_back(state);
        }
        silent_state_[static_cast<std::size_t>(channel)] = state;
    }

    // Searches the range sizes from the largest down. A range's halves are
    // searched only if it would split at the threshold known so far; with a
    // bitrate that threshold only rises as smaller ranges become available,
    // so no range the final threshold splits is left unsearched.
    std::vector<double> search_levels(std::vector<ChannelPlan>& plans, const std::vector<Span>& tops, int length,
                                      int samples) const {
        std::vector<double> thresholds = quality_thresholds(plans);
        for (int size = p_.max_range; size >= p_.min_range; size /= 2) {
            for (std::size_t c = 0; c < plans.size(); ++c) search_level(plans[c], tops, size, thresholds[c]);
            if (p_.bitrate > 0) thresholds.assign(plans.size(), rate_threshold(plans, length, samples));
        }
        return thresholds;
    }

    void search_level(ChannelPlan& plan, const std::vector<Span>& tops, int size, double threshold) const {
        if (plan.peak_code == 0) return;
        std::vector<int> positions;
        for (std::size_t t = 0; t < tops.size(); ++t)
            if (!plan.silent[t] && tops[t].size == size) positions.push_back(tops[t].pos);
        if (size < p_.max_range) {
            const auto& parents = plan.fits[static_cast<std::size_t>(level_of(2 * size, p_))];
            for (std::size_t i = 0; i < parents.size(); ++i)
                if (parents[i].searched && parents[i].err > threshold * 2 * size) {
                    positions.push_back(static_cast<int>(i) * 2 * size);
                    positions.push_back(static_cast<int>(i) * 2 * size + size);
                }
        }
        if (positions.empty()) return;
        const SearchContext ctx{p_, plan.signal, ScaleQuantizer(p_), OffsetQuantizer(p_, peak_value(plan.peak_code)),
                                threads_};
        const std::vector<Fit> found = fit_ranges(ctx, size, positions);
        auto& level = plan.fits[static_cast<std::size_t>(level_of(size, p_))];
        for (std::size_t i = 0; i < positions.size(); ++i)
            level[static_cast<std::size_t>(positions[i] / size)] = found[i];
    }

    std::vector<double> quality_thresholds(const std::vector<ChannelPlan>& plans) const {
        if (p_.bitrate > 0) return std::vector<double>(plans.size(), 0.0);
        const double ratio = std::pow(10.0, -(3.0 + 40.0 * p_.quality) / 10.0);
        std::vector<double> out;
        for (const ChannelPlan& plan : plans) out.push_back(plan.power * ratio);
        return out;
    }

    double packet_bits(const std::vector<ChannelPlan>& plans, int length, double threshold) const {
        std::size_t bits = 0;
        for (const ChannelPlan& plan : plans) {
            const ThresholdTree tree(p_, plan, threshold);
            bits += channel_bits({plan.peak_code, plan.silent, tree}, length, p_);
        }
        return static_cast<double>(bits);
    }

    // The smallest threshold whose packet fits the bitrate (bits fall as it rises).
    double rate_threshold(const std::vector<ChannelPlan>& plans, int length, int samples) const {
        const double budget = 8.0 * payload_budget_bytes(p_.bitrate, samples, p_.sample_rate);
        double lo = std::log(1e-16), hi = std::log(1e4);
        for (int i = 0; i < 48; ++i) {
            const double mid = 0.5 * (lo + hi);
            (packet_bits(plans, length, std::exp(mid)) > budget ? lo : hi) = mid;
        }
        return std::exp(hi);
    }

    std::vector<uint8_t> write_packet(const std::vector<ChannelPlan>& plans, int length,
                                      const std::vector<double>& thresholds) const {
        BitWriter out;
        for (std::size_t c = 0; c < plans.size(); ++c) {
            const ThresholdTree tree(p_, plans[c], thresholds[c]);
            write_channel(out, {plans[c].peak_code, plans[c].silent, tree}, length, p_);
        }
        return out.finish();
    }

    Params p_;
    int channels_;
    int threads_;
    std::vector<bool> silent_state_;
};

}  // namespace

std::unique_ptr<FamilyEncoder> make_encoder(const EncoderSetup& setup) {
    return make_encoder(params_from_setup(setup), setup.channels);
}

std::unique_ptr<FamilyEncoder> make_encoder(const Params& params, int channels) {
    return std::make_unique<Encoder>(params, channels);
}

}  // namespace tq::fractal
