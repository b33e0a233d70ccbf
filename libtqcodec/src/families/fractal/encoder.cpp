#include "families/fractal/encoder.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <span>
#include <thread>

#include "core/bitio.hpp"
#include "families/fractal/bitstream.hpp"
#include "families/fractal/search.hpp"
#include "families/fractal/split.hpp"
#include "families/packet_budget.hpp"

namespace tq::fractal {
namespace {

constexpr double kSilenceHysteresisDb = 3.0;
// The search plans with halves whose maps leave this much of their parent's error.
constexpr double kHalvesResidual = 0.1;
// λ is searched in this range (squared error per bit; samples are within +-1).
constexpr double kLeastLambda = 1e-30;
constexpr double kMostLambda = 1e4;
// The precision of λ (a ratio) when planning the search, and for the packet.
constexpr double kPlanPrecision = 1.25;
constexpr double kRatePrecision = 1.001;
// The plans for the halves of sizes up to this times min_range fit λ to the budget.
constexpr int kFittedPlans = 4;
// From a bitrate of kSearchedInFullFrom bits per sample per channel, ranges of
// kSearchedInFull times min_range and larger are all searched, not planned: a
// range of any size costs about as much to search (its pool shrinks as it
// grows), so these are few, and a plan that misses some costs more than their
// search (mu07_piano at 1 bit/sample: +0.8 dB for 9 % more time). Below, where
// most leaves are large, it would double the time for under 0.1 dB.
constexpr int kSearchedInFull = 4;
constexpr double kSearchedInFullFrom = 0.75;
// At most this many rounds of searching the leaves a packet's tree takes unsearched.
constexpr int kLeafRounds = 3;
// The file's own bytes, reserved from the first packets' budgets (packet_budget.hpp):
// part of the rate rule, so every bitrate-coded file changes if it does.
constexpr long kFileBytes = file_bytes_estimate(kParamsSize);
static_assert(kFileBytes == 206, "fractal's rate rule's file reserve changed: every bitrate-coded file will");

// The most a packet's search holds at once of each channel: leaf costs (two
// sets, on both offset grids), and levels of trees (3 a tree; a tree on each
// grid and the one a rate search decides again).
constexpr std::size_t kLeafCostsPerChannel = 4;
constexpr std::size_t kTreeLevelsPerChannel = 9;

// One channel of one packet: its padded samples, every top range's silence
// flag and the fits of its ranges.
struct ChannelPlan {
    std::vector<float> signal;
    int peak_code = 0;
    double power = 0.0;        // mean square of the channel
    std::vector<bool> silent;  // per top range
    FitTable fits;
    std::optional<OffsetQuantizer> offset;  // a coded channel: its offset grid
    std::optional<OffsetQuantizer> coarse;  // and in version 3 its coarse one
};

// What the trees read of one channel's fits: on its fine offset grid, and on
// its coarse one where the stream has a choice (version 3).
struct ChannelCosts {
    LeafCosts fine;
    std::optional<LeafCosts> coarse;
};

class Encoder final : public FamilyEncoder {
public:
    Encoder(const Params& p, int channels)
        : p_(p),
          channels_(channels),
          threads_(thread_count(p)),
          silent_state_(static_cast<std::size_t>(channels)),
          search_in_full_(p.bitrate == 0 ||
                          p.bitrate >= kSearchedInFullFrom * static_cast<double>(p.sample_rate) * channels),
          budget_(p.bitrate, p.sample_rate, kFileBytes),
          spare_fits_(static_cast<std::size_t>(channels)),
          spare_leaves_(kLeafCostsPerChannel * static_cast<std::size_t>(channels)),
          spare_nodes_(kTreeLevelsPerChannel * static_cast<std::size_t>(channels)) {}

    int frame_size() const override { return p_.packet; }
    size_t max_payload_size() const override { return max_payload_bytes(p_, channels_); }
    std::vector<uint8_t> params() const override { return serialize_params(p_); }

    std::vector<uint8_t> encode(const PlanarIn& pcm) override {
        const int length = padded_length(pcm.samples, p_);
        Packet packet{top_ranges(length, p_), length, pcm.samples, {}, {}};
        for (int c = 0; c < channels_; ++c) {
            packet.plans.push_back(prepare_channel(pcm.data[c], pcm.samples, length, packet.tops, c));
            packet.coded_tops.push_back(coded_tops(packet, static_cast<std::size_t>(c)));
        }
        const double lambda = search(packet);
        const std::vector<ChannelCosts> costs = leaf_costs(packet);
        std::vector<uint8_t> payload =
            write_packet(packet, p_.bitrate > 0 ? trees_at_rate(packet, costs, lambda) : decide(packet, costs, lambda));
        budget_.spent(pcm.samples, payload.size());
        return payload;
    }

private:
    // One packet being encoded.
    struct Packet {
        std::vector<Span> tops;
        int length;
        int samples;
        std::vector<ChannelPlan> plans;
        std::vector<std::vector<Span>> coded_tops;  // per channel: the top ranges not silent
        long framing_bits = 0;  // of the packet besides its trees' bits
    };

    static int thread_count(const Params& p) {
        if (p.threads > 0) return p.threads;
        return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    }

    ChannelPlan prepare_channel(const float* in, int samples, int length, const std::vector<Span>& tops, int channel) {
        ChannelPlan plan{std::vector<float>(static_cast<std::size_t>(length), 0.0f), 0, 0.0, {},
                         FitTable(p_, length, &spare_fits_), {}, {}};
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
        if (plan.peak_code == 0) {
            silent_state_[static_cast<std::size_t>(channel)] = true;
            return plan;
        }
        plan.offset.emplace(p_, peak_value(plan.peak_code));
        if (coarse_offsets_bits(p_) > 0) plan.coarse.emplace(p_, offset_bits(p_, true), peak_value(plan.peak_code));
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

    // Searches the range sizes from the largest down and returns the final λ.
    // The halves of a range are searched only where a plan at an estimate of
    // λ splits the range, counting the halves of its map with kHalvesResidual
    // of their error, as a search would improve them. The estimate is the
    // last packet's λ, fitted to this packet's budget with what is known for
    // the last sizes planned (where most of the search is). Then the leaves
    // the packet's tree takes unsearched are searched, until it takes none
    // (better maps can lower λ and so split more). The caller fits λ to the
    // rate once more, with the final fits.
    double search(Packet& packet) {
        const bool to_rate = p_.bitrate > 0;
        double lambda = to_rate ? first_guess(packet) : quality_lambda(packet.plans);
        std::vector<std::vector<int>> planned(packet.plans.size());
        for (ChannelPlan& plan : packet.plans) fit_constants(plan, packet.tops);
        packet.framing_bits = framing_bits(packet);
        for (int size = p_.max_range; size >= p_.min_range; size /= 2) {
            for (std::size_t c = 0; c < packet.plans.size(); ++c) {
                search_ranges(packet.plans[c], size, with_tops(packet, c, size, planned[c]));
                planned[c].clear();
            }
            if (size == p_.min_range) break;
            if (search_in_full_ && size / 2 >= kSearchedInFull * p_.min_range) {
                for (std::size_t c = 0; c < packet.plans.size(); ++c) planned[c] = all_ranges(packet, c, size / 2);
                continue;
            }
            if (to_rate && (last_lambda_ == 0.0 || size <= kFittedPlans * p_.min_range))
                lambda = rate_lambda(packet, leaf_costs(packet), lambda, kPlanPrecision).lambda;
            const std::vector<RdTree> plan = decide(packet, leaf_costs(packet, kHalvesResidual), lambda);
            for (std::size_t c = 0; c < packet.plans.size(); ++c)
                walk_coded(packet, c, [&](Span r) {
                    if (r.size < size || !plan[c].split(r)) return false;
                    if (r.size > size) return true;
                    planned[c].insert(planned[c].end(), {r.pos, r.pos + size / 2});
                    return false;
                });
        }
        for (int round = 0; round < kLeafRounds; ++round) {
            const std::vector<ChannelCosts> costs = leaf_costs(packet);
            if (to_rate) lambda = rate_lambda(packet, costs, lambda, kPlanPrecision).lambda;
            if (!search_unsearched_leaves(packet, decide(packet, costs, lambda))) break;
        }
        return lambda;
    }

    // Calls visit(r) for the coded top ranges of channel c, then for the halves of every r it returns true for.
    void walk_coded(const Packet& packet, std::size_t c, const std::function<bool(Span)>& visit) const {
        const ChannelPlan& plan = packet.plans[c];
        if (plan.peak_code == 0) return;
        const std::function<void(Span)> walk = [&](Span r) {
            if (!visit(r)) return;
            walk({r.pos, r.size / 2});
            walk({r.pos + r.size / 2, r.size / 2});
        };
        for (std::size_t t = 0; t < packet.tops.size(); ++t)
            if (!plan.silent[t]) walk(packet.tops[t]);
    }

    // The top ranges of channel c that are coded (not silent).
    std::vector<Span> coded_tops(const Packet& packet, std::size_t c) const {
        std::vector<Span> tops;
        walk_coded(packet, c, [&](Span top) {
            tops.push_back(top);
            return false;
        });
        return tops;
    }

    // The positions of every range of `size` inside the coded top ranges of channel c that are larger.
    std::vector<int> all_ranges(const Packet& packet, std::size_t c, int size) const {
        std::vector<int> positions;
        walk_coded(packet, c, [&](Span r) {
            if (r.size == 2 * size) positions.insert(positions.end(), {r.pos, r.pos + size});
            return r.size > 2 * size;
        });
        return positions;
    }

    // `positions` and the coded top ranges of `size` in channel c.
    std::vector<int> with_tops(const Packet& packet, std::size_t c, int size, std::vector<int> positions) const {
        const ChannelPlan& plan = packet.plans[c];
        for (std::size_t t = 0; t < packet.tops.size(); ++t)
            if (plan.peak_code != 0 && !plan.silent[t] && packet.tops[t].size == size) positions.push_back(packet.tops[t].pos);
        return positions;
    }

    // Searches the leaves of `trees` not searched yet; returns whether there were any.
    bool search_unsearched_leaves(Packet& packet, const std::vector<RdTree>& trees) const {
        bool any = false;
        for (std::size_t c = 0; c < packet.plans.size(); ++c) {
            std::vector<std::vector<int>> leaves(static_cast<std::size_t>(p_.max_range + 1));
            walk_coded(packet, c, [&](Span r) {
                if (r.size > p_.min_range && trees[c].split(r)) return true;
                if (packet.plans[c].fits.at(r).map != RangeFits::Map::searched)
                    leaves[static_cast<std::size_t>(r.size)].push_back(r.pos);
                return false;
            });
            for (int size = p_.min_range; size <= p_.max_range; size *= 2) {
                if (leaves[static_cast<std::size_t>(size)].empty()) continue;
                search_ranges(packet.plans[c], size, leaves[static_cast<std::size_t>(size)]);
                any = true;
            }
        }
        return any;
    }

    // Where the search for λ starts: the last packet's, or a guess from the packet's power.
    double first_guess(const Packet& packet) const {
        return last_lambda_ > 0.0 ? last_lambda_ : std::max(1e-3 * power_of(packet.plans), kLeastLambda);
    }

    static double power_of(const std::vector<ChannelPlan>& plans) {
        double power = 0.0;
        for (const ChannelPlan& plan : plans) power = std::max(power, plan.power);
        return power;
    }

    SearchContext context(const ChannelPlan& plan) const {
        return {p_, plan.signal, ScaleQuantizer(p_), *plan.offset, threads_, plan.coarse ? &*plan.coarse : nullptr};
    }

    // The best constant map of every range of every size inside the coded top ranges.
    void fit_constants(ChannelPlan& plan, const std::vector<Span>& tops) const {
        if (plan.peak_code == 0) return;
        for (int size = p_.max_range; size >= p_.min_range; size /= 2) {
            std::vector<int> positions;
            for (std::size_t t = 0; t < tops.size(); ++t)
                if (!plan.silent[t] && tops[t].size >= size)
                    for (int pos = tops[t].pos; pos < tops[t].pos + tops[t].size; pos += size) positions.push_back(pos);
            const SearchContext ctx = context(plan);
            const std::vector<Fit> flat = flat_fits(ctx, size, positions);
            const std::span<RangeFits> level = plan.fits.level(size);
            for (std::size_t i = 0; i < positions.size(); ++i) {
                RangeFits& fits = level[static_cast<std::size_t>(positions[i] / size)];
                fits.flat = flat[i];
                if (ctx.coarse) fits.coarse_flat = regrid(flat[i], ctx.offset, *ctx.coarse, size);
            }
        }
    }

    // Searches the ranges of `size` at `positions`, and gives the halves of
    // each the halves of its map where they are not searched themselves.
    void search_ranges(ChannelPlan& plan, int size, const std::vector<int>& positions) const {
        if (positions.empty()) return;
        const SearchContext ctx = context(plan);
        const std::vector<BestMaps> mapped = best_maps(ctx, size, positions);
        const std::span<RangeFits> level = plan.fits.level(size);
        for (std::size_t i = 0; i < positions.size(); ++i) {
            RangeFits& fits = level[static_cast<std::size_t>(positions[i] / size)];
            fits.mapped = mapped[i].fine;
            fits.coarse_mapped = mapped[i].coarse;
            fits.map = RangeFits::Map::searched;
            if (size == p_.min_range) continue;
            const std::array<Fit, 2> maps = half_maps(ctx, {positions[i], size}, mapped[i].fine);
            for (std::size_t h = 0; h < 2; ++h) {
                RangeFits& half = plan.fits.level(size / 2)[static_cast<std::size_t>(positions[i] / size) * 2 + h];
                if (half.map == RangeFits::Map::searched) continue;
                half.mapped = maps[h];
                if (ctx.coarse) half.coarse_mapped = regrid(maps[h], ctx.offset, *ctx.coarse, size / 2);
                half.map = RangeFits::Map::inherited;
            }
        }
    }

    // quality=q: a bit must remove (1 - q) times 3 + 40q dB below the packet's
    // power per sample; at q = 1 anything that lowers the error is coded.
    double quality_lambda(const std::vector<ChannelPlan>& plans) const {
        return (1.0 - p_.quality) * power_of(plans) * std::pow(10.0, -(3.0 + 40.0 * p_.quality) / 10.0);
    }

    // What the trees read of each channel's fits, for as many λ as wanted.
    std::vector<ChannelCosts> leaf_costs(const Packet& packet, double inherited_residual = 1.0) const {
        std::vector<ChannelCosts> costs;
        for (const ChannelPlan& plan : packet.plans) {
            ChannelCosts& channel =
                costs.emplace_back(ChannelCosts{LeafCosts(plan.fits, inherited_residual, false, &spare_leaves_), {}});
            if (plan.coarse) channel.coarse.emplace(plan.fits, inherited_residual, true, &spare_leaves_);
        }
        return costs;
    }

    // Each channel's cheapest tree at λ, on whichever offset grid costs less,
    // or on the grids `coarse` gives (per channel: the coarse one).
    std::vector<RdTree> decide(const Packet& packet, const std::vector<ChannelCosts>& costs, double lambda,
                               const std::vector<bool>* coarse = nullptr) const {
        const RdTree::Floors floors{0, max_floor(p_)};
        std::vector<RdTree> trees;
        for (std::size_t c = 0; c < packet.plans.size(); ++c) {
            const bool choice = costs[c].coarse && (!coarse || (*coarse)[c]);
            if (coarse || !choice) {
                trees.emplace_back(choice ? *costs[c].coarse : costs[c].fine, packet.coded_tops[c], lambda, floors,
                                   &spare_nodes_);
                continue;
            }
            RdTree fine(costs[c].fine, packet.coded_tops[c], lambda, floors, &spare_nodes_);
            RdTree on_coarse(*costs[c].coarse, packet.coded_tops[c], lambda, floors, &spare_nodes_);
            trees.push_back(on_coarse.cost() < fine.cost() ? std::move(on_coarse) : std::move(fine));
        }
        return trees;
    }

    static std::vector<bool> grids_of(const std::vector<RdTree>& trees) {
        std::vector<bool> coarse;
        for (const RdTree& tree : trees) coarse.push_back(tree.coarse_offsets());
        return coarse;
    }

    // The bits of the packet the trees make, from the trees' own and the
    // framing around them (peak codes, silence flags), which λ does not change.
    static double packet_bits(const Packet& packet, const std::vector<RdTree>& trees) {
        long bits = packet.framing_bits;
        for (const RdTree& tree : trees) bits += tree.bits();
        return static_cast<double>(bits);
    }

    long framing_bits(const Packet& packet) const {
        const std::vector<RdTree> trees = decide(packet, leaf_costs(packet), 1.0);
        long bits = 0;
        for (std::size_t c = 0; c < packet.plans.size(); ++c) {
            const ChannelPlan& plan = packet.plans[c];
            bits += static_cast<long>(channel_bits({plan.peak_code, plan.silent, trees[c]}, packet.length, p_)) -
                    trees[c].bits();
        }
        return bits;
    }

    // The trees that fit the bitrate, searched from λ = guess; their λ starts the next packet's search.
    std::vector<RdTree> trees_at_rate(const Packet& packet, const std::vector<ChannelCosts>& costs, double guess) {
        const FittedRate rate = rate_lambda(packet, costs, guess, kRatePrecision);
        last_lambda_ = rate.lambda;
        return decide(packet, costs, rate.lambda, &rate.coarse);
    }

    struct FittedRate {
        double lambda;
        std::vector<bool> coarse;  // per channel: its offset grid
    };

    // The λ that fits the bitrate with the fits `costs` holds, searched from
    // `guess`, and the offset grids it was searched with: each channel's
    // cheaper grid at the guess, fixed while λ is searched (a channel that
    // changes grid moves by a bit per leaf, a step the search would straddle),
    // then once more if the λ found prefers other grids.
    FittedRate rate_lambda(const Packet& packet, const std::vector<ChannelCosts>& costs, double guess,
                           double precision) const {
        const double budget = 8.0 * budget_.next(packet.samples);
        std::vector<RdTree> trees = decide(packet, costs, guess);
        FittedRate rate{guess, grids_of(trees)};
        for (int search = 0;; ++search) {
            auto bits = [&](double lambda) {
                for (RdTree& tree : trees) tree.decide(lambda);
                return packet_bits(packet, trees);
            };
            rate.lambda = lambda_for_budget(bits, budget, rate.lambda, kLeastLambda, kMostLambda, precision);
            if (search == 1) return rate;
            trees = decide(packet, costs, rate.lambda);
            std::vector<bool> preferred = grids_of(trees);
            if (preferred == rate.coarse) return rate;
            rate.coarse = std::move(preferred);
        }
    }

    std::vector<uint8_t> write_packet(const Packet& packet, const std::vector<RdTree>& trees) const {
        BitWriter out;
        for (std::size_t c = 0; c < packet.plans.size(); ++c)
            write_channel(out, {packet.plans[c].peak_code, packet.plans[c].silent, trees[c]}, packet.length, p_);
        return out.finish();
    }

    Params p_;
    int channels_;
    int threads_;
    std::vector<bool> silent_state_;
    bool search_in_full_;  // the larger ranges, not only those planned
    CarriedBudget budget_;
    double last_lambda_ = 0.0;  // the previous packet's
    // The memory of its packets' fit tables, leaf costs and trees gone, for
    // the next ones: as many as a packet holds at once (split.hpp).
    Spares<RangeFits> spare_fits_;
    mutable Spares<LeafCosts::Leaf> spare_leaves_;
    mutable Spares<RdTree::Node> spare_nodes_;
};

}  // namespace

std::unique_ptr<FamilyEncoder> make_encoder(const EncoderSetup& setup) {
    return make_encoder(params_from_setup(setup), setup.channels);
}

std::unique_ptr<FamilyEncoder> make_encoder(const Params& params, int channels) {
    return std::make_unique<Encoder>(params, channels);
}

}  // namespace tq::fractal
