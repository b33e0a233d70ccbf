// The fractal family: the IFS decoder's convergence and exactness, and round
// trips, options and hostile packets through the C ABI (tqcodec.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <iostream>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "api/stream_header.hpp"
#include "core/bitio.hpp"
#include "core/error.hpp"
#include "dsp/dct.hpp"
#include "families/fractal/bitstream.hpp"
#include "families/fractal/decoder.hpp"
#include "families/fractal/encoder.hpp"
#include "families/fractal/params.hpp"
#include "families/fractal/search.hpp"
#include "families/fractal/split.hpp"
#include "families/packet_budget.hpp"
#include "test_support.hpp"
#include "tqc_framing.hpp"
#include "tqcodec/tqcodec.h"

namespace {

using tqtest::Decoder;
using tqtest::Encoder;
using tqtest::gaussian;
using tqtest::last_error_mentions;
using tqtest::snr_db;

/* ---- test signals (44.1 kHz) ---- */

// Voiced segments (a 120-180 Hz pulse train shaped by two resonances) between pauses.
std::vector<float> speech_like(std::size_t n) {
    std::vector<float> v(n, 0.0f);
    double phase = 0.0, y1 = 0.0, y2 = 0.0, z1 = 0.0, z2 = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / 44100.0;
        const bool voiced = std::fmod(t, 0.5) < 0.35;
        phase += (150.0 + 30.0 * std::sin(2.0 * M_PI * 2.0 * t)) / 44100.0;
        double pulse = 0.0;
        if (phase >= 1.0) {
            phase -= 1.0;
            pulse = voiced ? 1.0 : 0.0;
        }
        const double a = pulse + 1.9 * 0.97 * std::cos(2 * M_PI * 700 / 44100.0) * y1 - 0.97 * 0.97 * y2;
        y2 = y1;
        y1 = a;
        const double b = a + 1.9 * 0.95 * std::cos(2 * M_PI * 1800 / 44100.0) * z1 - 0.95 * 0.95 * z2;
        z2 = z1;
        z1 = b;
        v[i] = static_cast<float>(0.002 * b);
    }
    return v;
}

// Notes of a few harmonics with decaying envelopes.
std::vector<float> music_like(std::size_t n) {
    const double notes[] = {220.0, 277.2, 329.6, 440.0, 392.0, 293.7};
    std::vector<float> v(n, 0.0f);
    for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / 44100.0;
        const int note = static_cast<int>(t / 0.25) % 6;
        const double since = std::fmod(t, 0.25);
        double s = 0.0;
        for (int h = 1; h <= 4; ++h) s += std::sin(2 * M_PI * notes[note] * h * t) / h;
        v[i] = static_cast<float>(0.3 * std::exp(-6.0 * since) * s);
    }
    return v;
}

std::vector<float> interleave(const std::vector<std::vector<float>>& planes) {
    std::vector<float> out;
    for (std::size_t i = 0; i < planes[0].size(); ++i)
        for (const auto& p : planes) out.push_back(p[i]);
    return out;
}

std::vector<float> channel(const std::vector<float>& pcm, int channels, int c) {
    std::vector<float> out;
    for (std::size_t i = static_cast<std::size_t>(c); i < pcm.size(); i += static_cast<std::size_t>(channels))
        out.push_back(pcm[i]);
    return out;
}

/* ---- C ABI round trips ---- */

struct Codec : tqtest::Codec {
    Codec(int channel_count, const std::string& options, int bitrate = 0, int rate = 44100)
        : tqtest::Codec(TQ_FAMILY_FRACTAL, rate, channel_count, options, bitrate) {}
};

void expect_round_trip(const char* name, const std::vector<float>& pcm, int bitrate, double min_snr) {
    Codec codec(1, "", bitrate);
    ASSERT_TRUE(codec.created) << tq_last_error_message();
    const auto out = codec.run(pcm);
    ASSERT_EQ(out.size(), pcm.size());
    const double snr = snr_db(pcm, out), rate = codec.bits_per_sample(pcm.size());
    std::cout << "  " << name << " at " << bitrate << " b/s: SNR " << snr << " dB, " << rate << " bits/sample\n";
    EXPECT_GT(snr, min_snr) << name;
    EXPECT_LT(rate, 16.0) << name;  // smaller than 16-bit PCM
    EXPECT_LT(rate, 1.02 * bitrate / 44100.0) << name;
}

TEST(Fractal, SpeechLikeRoundTripsAtTwoBitsPerSample) {
    expect_round_trip("speech-like", speech_like(44100), 88200, 10.0);
}

TEST(Fractal, MusicLikeRoundTripsAtTwoBitsPerSample) {
    expect_round_trip("music-like", music_like(44100), 88200, 15.0);
}

TEST(Fractal, NoiseRoundTripsWithPositiveSnr) {
    expect_round_trip("noise", gaussian(32768, 0.1f, 7), 176400, 3.0);
}

TEST(Fractal, MoreBitsGiveMoreSnr) {
    for (const auto& pcm : {gaussian(32768, 0.1f, 3), music_like(32768)}) {
        double last = -100.0;
        for (int bitrate : {44100, 88200, 176400}) {
            Codec codec(1, "", bitrate);
            const double snr = snr_db(pcm, codec.run(pcm));
            std::cout << "  " << bitrate << " b/s: " << snr << " dB\n";
            EXPECT_GT(snr, last + 1.0) << bitrate;
            last = snr;
        }
    }
}

TEST(Fractal, QualityOptionSetsTheThresholdDirectly) {
    const auto pcm = music_like(32768);
    Codec low(1, "quality=0.1"), high(1, "quality=0.9", 44100);  // quality overrides the bitrate
    const double snr_low = snr_db(pcm, low.run(pcm)), snr_high = snr_db(pcm, high.run(pcm));
    EXPECT_GT(snr_high, snr_low + 5.0);
    EXPECT_GT(high.bytes, low.bytes);
}

TEST(Fractal, SilenceDecodesToExactZerosInAFewBytes) {
    const std::vector<float> pcm(2 * 20000, 0.0f);
    Codec codec(2, "");
    const auto out = codec.run(pcm);
    for (float v : out) ASSERT_EQ(v, 0.0f);
    for (const auto& p : codec.packets) EXPECT_LE(p.size(), 8u);
}

TEST(Fractal, QuietPassagesCostOneFlagPerTopRange) {
    auto pcm = music_like(16384);
    for (std::size_t i = 4096; i < 12288; ++i) pcm[i] = 1e-6f * std::sin(0.1f * static_cast<float>(i));
    Codec codec(1, "quality=0.8");
    const auto out = codec.run(pcm);
    for (std::size_t i = 4096; i < 12288; ++i) ASSERT_EQ(out[i], 0.0f) << i;
    EXPECT_GT(snr_db(std::vector<float>(pcm.begin(), pcm.begin() + 4096),
                     std::vector<float>(out.begin(), out.begin() + 4096)),
              15.0);
}

TEST(Fractal, StereoChannelsStayApartAndOddLengthsKeepTheirLength) {
    for (int total : {1, 7, 100, 4097, 16384, 16385, 40000}) {
        const auto left = music_like(static_cast<std::size_t>(total));
        auto right = speech_like(static_cast<std::size_t>(total));
        const auto pcm = interleave({left, right});
        Codec codec(2, "quality=0.9");
        const auto out = codec.run(pcm);
        ASSERT_EQ(out.size(), pcm.size()) << total;
        if (total >= 4096) {
            EXPECT_GT(snr_db(left, channel(out, 2, 0)), 20.0) << total;
            EXPECT_GT(snr_db(right, channel(out, 2, 1)), 10.0) << total;
        }
    }
}

TEST(Fractal, NonFiniteInputIsCodedAsZero) {
    auto pcm = music_like(8192);
    pcm[100] = NAN;
    pcm[200] = INFINITY;
    Codec codec(1, "");
    for (float v : codec.run(pcm)) ASSERT_TRUE(std::isfinite(v));
}

TEST(Fractal, OutputDoesNotDependOnThreadsOrSearchRuns) {
    const auto pcm = music_like(40000);
    Codec one(1, "threads=1"), two(1, "threads=2"), four(1, "threads=4");
    const auto a = one.run(pcm), b = two.run(pcm), c = four.run(pcm);
    EXPECT_EQ(one.packets, two.packets);
    EXPECT_EQ(one.packets, four.packets);
    EXPECT_EQ(a, b);
    EXPECT_EQ(a, c);
    Codec again(1, "threads=1");
    EXPECT_EQ(again.run(pcm), a);
}

TEST(Fractal, HnswSearchComesCloseToExhaustiveSearch) {
    const auto pcm = music_like(16384);
    Codec brute(1, "search=brute,quality=0.6"), hnsw(1, "search=hnsw,quality=0.6");
    const double snr_brute = snr_db(pcm, brute.run(pcm)), snr_hnsw = snr_db(pcm, hnsw.run(pcm));
    std::cout << "  brute: " << snr_brute << " dB in " << brute.bytes << " bytes; hnsw: " << snr_hnsw << " dB in "
              << hnsw.bytes << " bytes\n";
    // Worse matches split more: compare bytes and SNR together.
    EXPECT_LT(hnsw.bytes, 1.3 * static_cast<double>(brute.bytes));
    EXPECT_GT(snr_hnsw, snr_brute - 3.0);
}

/* ---- the domain search ---- */

// The exact error of r ~ s * d + o with s and o quantized as the encoder does (in double), o on `grid`.
double quantized_error(const tq::fractal::SearchContext& ctx, const tq::fractal::OffsetQuantizer& grid,
                       const std::vector<double>& r, const std::vector<double>& d) {
    const double n = static_cast<double>(r.size());
    double rs = 0, ds = 0, rd = 0, dd = 0, rr = 0;
    for (std::size_t i = 0; i < r.size(); ++i) {
        rs += r[i];
        ds += d[i];
        rd += r[i] * d[i];
        dd += d[i] * d[i];
        rr += r[i] * r[i];
    }
    const double var_d = dd - ds * ds / n;
    const double s = ctx.scale.value(ctx.scale.code(var_d > 1e-20 ? (rd - rs * ds / n) / var_d : 0.0));
    const double o = grid.value(grid.code((rs - s * ds) / n));
    return std::max(rr + s * s * dd + n * o * o - 2 * s * rd - 2 * o * rs + 2 * s * o * ds, 0.0);
}

// A naive search over every window of the pool, both directions: the pair
// whose least-squares s (clamped to +-s_max, not rounded) leaves the least
// error, and its exact quantized errors (o on the fine and the coarse grid).
// The vectorised scan keeps the 4 best windows by that measure and scores
// them exactly, so it can only do better (up to its single-precision
// correlations: 1e-5 of the range's energy).
std::pair<double, double> naive_best_pair_errors(const tq::fractal::SearchContext& ctx, int pos, int size) {
    const auto pool = tq::fractal::domain_pool(static_cast<int>(ctx.signal.size()), size, ctx.p);
    std::vector<double> r(ctx.signal.begin() + pos, ctx.signal.begin() + pos + size);
    double best_score = INFINITY;
    std::pair<double, double> best_errors;
    for (int k = 0; k < pool.count; ++k)
        for (const bool flip : {false, true}) {
            std::vector<double> d(static_cast<std::size_t>(size));
            for (int i = 0; i < size; ++i) {
                const float* w = ctx.signal.data() + k * pool.step + 2 * (flip ? size - 1 - i : i);
                d[static_cast<std::size_t>(i)] = 0.5 * (static_cast<double>(w[0]) + w[1]);
            }
            double rm = 0, dm = 0;
            for (int i = 0; i < size; ++i) {
                rm += r[static_cast<std::size_t>(i)] / size;
                dm += d[static_cast<std::size_t>(i)] / size;
            }
            double cov = 0, var = 0;
            for (int i = 0; i < size; ++i) {
                cov += (r[static_cast<std::size_t>(i)] - rm) * (d[static_cast<std::size_t>(i)] - dm);
                var += (d[static_cast<std::size_t>(i)] - dm) * (d[static_cast<std::size_t>(i)] - dm);
            }
            if (var <= 1e-20) continue;
            const double s = std::clamp(cov / var, -ctx.scale.limit, ctx.scale.limit);
            const double score = s * (s * var - 2 * cov);
            if (score < best_score)
                best_score = score,
                best_errors = {quantized_error(ctx, ctx.offset, r, d), quantized_error(ctx, *ctx.coarse, r, d)};
        }
    return best_errors;
}

TEST(FractalSearch, ExhaustiveScanFindsAtLeastTheBestMapOfANaiveSearch) {
    tq::fractal::Params p;
    p.packet = 4096;
    const std::vector<float> x = music_like(p.packet);
    std::vector<float> noisy = gaussian(static_cast<std::size_t>(p.packet), 0.05f, 3);
    for (std::size_t i = 0; i < noisy.size(); ++i) noisy[i] += x[i];
    for (const std::vector<float>* signal : std::array<const std::vector<float>*, 2>{&x, &noisy}) {
        const tq::fractal::OffsetQuantizer fine(p, 1.0f), coarse(p, p.offset_bits - 1, 1.0f);
        const tq::fractal::SearchContext ctx{p, *signal, tq::fractal::ScaleQuantizer(p), fine, 1, &coarse};
        for (int size : {4, 8, 16, 32, 64}) {  // the unrolled sizes and the general loop
            std::vector<int> positions;
            const int stride = p.packet / 24 / size * size + size;  // about 24 ranges over the packet
            for (int pos = 0; pos + size <= p.packet; pos += stride) positions.push_back(pos);
            const std::vector<tq::fractal::BestMaps> fits = tq::fractal::best_maps(ctx, size, positions);
            for (std::size_t i = 0; i < positions.size(); ++i) {
                const auto [naive, naive_coarse] = naive_best_pair_errors(ctx, positions[i], size);
                double energy = 0.0;
                for (int k = 0; k < size; ++k)
                    energy += std::pow((*signal)[static_cast<std::size_t>(positions[i] + k)], 2);
                EXPECT_LE(fits[i].fine.err, naive + 1e-5 * energy) << "size " << size << " at " << positions[i];
                EXPECT_LE(fits[i].coarse.err, naive_coarse + 1e-5 * energy)
                    << "size " << size << " at " << positions[i];
            }
        }
    }
}

// A range that is exactly a reversed, scaled and shifted domain window is found.
TEST(FractalSearch, AReversedWindowIsFoundExactly) {
    tq::fractal::Params p;
    p.packet = 4096;
    std::vector<float> x = gaussian(static_cast<std::size_t>(p.packet), 0.2f, 5);
    const int size = 16, window = 40 * size, pos = 3000;  // window: a multiple of the pool's step
    const tq::fractal::ScaleQuantizer scale(p);
    const tq::fractal::OffsetQuantizer offset(p, 1.0f);
    const float s = scale.value(scale.zero_code() + 10), o = offset.value(offset.half + 20);  // representable
    for (int i = 0; i < size; ++i) {
        const float* w = x.data() + window + 2 * (size - 1 - i);
        x[static_cast<std::size_t>(pos + i)] = s * 0.5f * (w[0] + w[1]) + o;
    }
    const tq::fractal::SearchContext ctx{p, x, scale, offset, 1};
    const std::vector<int> positions{pos};
    const tq::fractal::Fit fit = tq::fractal::best_maps(ctx, size, positions)[0].fine;
    EXPECT_EQ(fit.domain * tq::fractal::domain_pool(p.packet, size, p).step, window);
    EXPECT_TRUE(fit.flip);
    EXPECT_LT(fit.err, 1e-4);
}

/* ---- rate control and split decisions ---- */

// Bits per sample of a .tqc file holding the codec's packets, with the file's
// own bytes as tqc encode writes them (the estimate the rate control reserves).
double file_bits_per_sample(const Codec& codec, std::size_t samples) {
    const std::size_t framing = codec.packets.size() * tqc::format::kPacketFileCost +
                                static_cast<std::size_t>(tq::file_bytes_estimate(tq::fractal::kParamsSize));
    return 8.0 * static_cast<double>(codec.bytes + framing) / static_cast<double>(samples);
}

// Within 2 % of the bitrate, or of the most the encoder spends on the signal
// (quality=1: every split and map that lowers the error), if that is less.
TEST(FractalRate, FileSizeLandsWithinTwoPercentOfTheBitrate) {
    const std::pair<const char*, std::vector<float>> signals[] = {
        {"speech-like", speech_like(80000)}, {"music-like", music_like(80000)}, {"noise", gaussian(80000, 0.1f, 9)}};
    for (const auto& [name, pcm] : signals) {
        Codec best(1, "quality=1");
        best.run(pcm);
        const double most = file_bits_per_sample(best, pcm.size());
        for (int bits : {1, 2, 3, 4}) {
            Codec codec(1, "", bits * 44100);
            codec.run(pcm);
            const double reached = file_bits_per_sample(codec, pcm.size());
            std::cout << "  " << name << ": " << bits << " bits/sample asked, " << reached << " reached (most "
                      << most << ")\n";
            EXPECT_NEAR(reached, std::min<double>(bits, most), 0.02 * bits) << name;
        }
    }
}

// A mixture whose parts want different range sizes: pauses, voiced speech, tones, a noise burst.
std::vector<float> mixed_signal(std::size_t n) {
    auto pcm = speech_like(n);
    const auto tones = music_like(n), noise = gaussian(n, 0.05f, 11);
    for (std::size_t i = 0; i < n; ++i) {
        if (i >= n / 3 && i < 2 * n / 3) pcm[i] = tones[i];
        if (i >= 2 * n / 3 && i < 3 * n / 4) pcm[i] += noise[i];
    }
    return pcm;
}

TEST(FractalRate, SplitDecisionsBeatEveryUniformRangeSizeAtItsOwnSize) {
    const auto pcm = mixed_signal(65536);
    for (int size : {8, 16, 32, 64}) {
        const std::string fixed = "min_range=" + std::to_string(size) + ",max_range=" + std::to_string(size);
        Codec uniform(1, fixed + ",quality=1");
        const double snr_uniform = snr_db(pcm, uniform.run(pcm));
        const double bits = file_bits_per_sample(uniform, pcm.size());
        Codec decided(1, "", static_cast<int>(bits * 44100));
        const double snr_decided = snr_db(pcm, decided.run(pcm));
        const double decided_bits = file_bits_per_sample(decided, pcm.size());
        std::cout << "  every range " << size << ": " << snr_uniform << " dB at " << bits
                  << " bits/sample; sizes decided: " << snr_decided << " dB at " << decided_bits << "\n";
        EXPECT_LT(decided_bits, 1.001 * bits) << size;
        EXPECT_GT(snr_decided, snr_uniform) << size;
    }
}

/* ---- the split tree (split.hpp) ---- */

using tq::fractal::FitTable;
using tq::fractal::LeafCosts;
using tq::fractal::RangeFits;
using tq::fractal::RdTree;
using tq::fractal::Span;

tq::fractal::Params split_params() {
    tq::fractal::Params p;
    p.packet = 4096;
    p.min_range = 4;
    p.max_range = 64;
    return p;
}

// Every range of a 4096-sample channel searched, with random errors: its map
// no worse than its constant, and some maps with s = 0 (as cheap as a constant);
// on the coarse offset grid, the same with larger errors.
FitTable random_fits(const tq::fractal::Params& p, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const int zero = tq::fractal::ScaleQuantizer(p).zero_code();
    FitTable fits(p, 4096);
    for (int size = p.min_range; size <= p.max_range; size *= 2)
        for (RangeFits& f : fits.level(size)) {
            f.flat = {size * unit(rng), zero, 60, 0, false};
            f.mapped = {f.flat.err * unit(rng), rng() % 4 == 0 ? zero : 20, 61, 0, (rng() & 1) != 0};
            f.coarse_flat = {f.flat.err * (1 + unit(rng)), zero, 30, 0, false};
            f.coarse_mapped = {f.mapped.err * (1 + unit(rng)), f.mapped.s_code, 31, 0, f.mapped.flip};
            f.map = RangeFits::Map::searched;
        }
    return fits;
}

// The cost, error + lambda * bits, of the tree that `split` draws (leaves coded their cheaper way).
double cost_of(const FitTable& fits, Span r, double lambda, const std::function<bool(Span)>& split) {
    const double flag = r.size > fits.min_range() ? lambda * tq::fractal::kSplitFlagBits : 0.0;
    if (r.size > fits.min_range() && split(r))
        return flag + cost_of(fits, {r.pos, r.size / 2}, lambda, split) +
               cost_of(fits, {r.pos + r.size / 2, r.size / 2}, lambda, split);
    const RangeFits& f = fits.at(r);
    return flag + std::min(f.flat.err + lambda * fits.leaf_bits(r, f.flat),
                           f.mapped.err + lambda * fits.leaf_bits(r, f.mapped));
}

TEST(FractalSplit, TreeCostIsItsErrorPlusLambdaTimesTheBitsItWrites) {
    const auto p = split_params();
    const FitTable fits = random_fits(p, 1);
    const auto tops = tq::fractal::top_ranges(4096, p);
    const std::vector<bool> coded(tops.size(), false);
    for (double lambda : {1e-3, 0.05, 1.0}) {
        for (const bool coarse : {false, true}) {
            const RdTree tree(LeafCosts(fits, 1.0, coarse), tops, lambda, {0, 0});
            const double cost = tree.cost();
            const std::size_t packet_bits = tq::fractal::channel_bits({200, coded, tree}, 4096, p);
            const long tree_bits = static_cast<long>(packet_bits - tq::fractal::kPeakBits - tq::fractal::floor_bits(p) -
                                                     tq::fractal::coarse_offsets_bits(p) - tops.size());
            EXPECT_EQ(tree.bits(), tree_bits) << lambda;
            EXPECT_NEAR(cost, tree.distortion() + lambda * static_cast<double>(tree_bits), 1e-9 * cost) << lambda;
        }
    }
}

// A fit moved to another offset grid: its error with o rounded there instead (o_exact is the least-squares o).
TEST(FractalSearch, RegridMovesTheErrorByTheRoundingDifference) {
    const auto p = split_params();
    const tq::fractal::OffsetQuantizer fine(p, 1.0f), coarse(p, p.offset_bits - 1, 1.0f);
    tq::fractal::Fit f;
    f.o_exact = 0.123;
    f.o_code = fine.code(f.o_exact);
    const int n = 16;
    const double residual = 0.5;  // the error with o exact
    f.err = residual + n * std::pow(fine.value(f.o_code) - f.o_exact, 2);
    const tq::fractal::Fit g = tq::fractal::regrid(f, fine, coarse, n);
    EXPECT_EQ(g.o_code, coarse.code(f.o_exact));
    EXPECT_NEAR(g.err, residual + n * std::pow(coarse.value(g.o_code) - f.o_exact, 2), 1e-12);
}

TEST(FractalSplit, TreeCostsNoMoreThanAnyOtherTree) {
    const auto p = split_params();
    const auto tops = tq::fractal::top_ranges(4096, p);
    std::mt19937 rng(7);
    for (unsigned seed = 1; seed <= 5; ++seed) {
        const FitTable fits = random_fits(p, seed);
        for (double lambda : {1e-3, 0.05, 1.0}) {
            const double decided = RdTree(LeafCosts(fits), tops, lambda, {0, 0}).cost();
            for (int size = p.min_range; size <= p.max_range; size *= 2) {
                double uniform = 0.0;
                for (const Span& top : tops) uniform += cost_of(fits, top, lambda, [&](Span r) { return r.size > size; });
                EXPECT_LE(decided, uniform * (1.0 + 1e-12)) << "every range " << size << ", lambda " << lambda;
            }
            for (int draw = 0; draw < 20; ++draw) {
                double other = 0.0;
                for (const Span& top : tops) other += cost_of(fits, top, lambda, [&](Span) { return (rng() & 1) != 0; });
                EXPECT_LE(decided, other * (1.0 + 1e-12)) << "random tree, lambda " << lambda;
            }
        }
    }
}

TEST(FractalSplit, AFloorSavesTheSplitFlagsOfRangesNeverSplit) {
    const auto p = split_params();
    const auto tops = tq::fractal::top_ranges(4096, p);
    const std::vector<bool> coded(tops.size(), false);
    FitTable fits = random_fits(p, 3);
    for (int size = p.min_range; size < 16; size *= 2)  // ranges below 16 gain nothing on their parents
        for (RangeFits& f : fits.level(size)) f.flat.err = f.mapped.err = 1e3;
    ASSERT_EQ(tq::fractal::max_floor(p), 3);
    for (double lambda : {1e-3, 0.05}) {
        double least = 0.0;
        for (int split_floor = 0; split_floor <= 3; ++split_floor) {
            const RdTree tree(LeafCosts(fits), tops, lambda, {split_floor, split_floor});
            const double cost = tree.cost();
            const std::size_t bits = tq::fractal::channel_bits({200, coded, tree}, 4096, p);
            const std::size_t framing = tq::fractal::kPeakBits + tq::fractal::kFloorBits +
                                        tq::fractal::kCoarseOffsetsBits + tops.size();
            EXPECT_EQ(tree.bits(), static_cast<long>(bits - framing)) << "floor " << split_floor;
            least = split_floor == 0 ? cost : std::min(least, cost);
        }
        const RdTree best(LeafCosts(fits), tops, lambda, {0, tq::fractal::max_floor(p)});
        EXPECT_EQ(best.floor(), 2) << lambda;  // ranges of 16 are leaves and pay no flag
        EXPECT_NEAR(best.cost(), least, 1e-9 * least);
        EXPECT_NEAR(best.distortion() + lambda * static_cast<double>(best.bits()), least, 1e-9 * least);
    }
    auto v1 = p;
    v1.version = 1;
    EXPECT_EQ(tq::fractal::max_floor(v1), 0);
}

// Every range of the tops down to min_range, each after its parent.
std::vector<Span> ranges_under(const std::vector<Span>& tops, int min_range) {
    std::vector<Span> ranges(tops);
    for (std::size_t i = 0; i < ranges.size(); ++i)
        if (ranges[i].size > min_range) {
            const Span r = ranges[i];
            ranges.push_back({r.pos, r.size / 2});
            ranges.push_back({r.pos + r.size / 2, r.size / 2});
        }
    return ranges;
}

// A rate search decides one tree at many λ: decided again in its own memory,
// or in memory a tree gone left with its decisions, it is the tree made at that λ.
TEST(FractalSplit, ATreeDecidedAgainIsTheTreeMadeAtThatLambda) {
    const auto p = split_params();
    const auto tops = tq::fractal::top_ranges(4096, p);
    const FitTable fits = random_fits(p, 5);
    const LeafCosts costs(fits);
    const RdTree::Floors floors{0, tq::fractal::max_floor(p)};
    tq::fractal::Spares<RdTree::Node> spares(3);
    { const RdTree gone(costs, tops, 1.0, floors, &spares); }
    RdTree again(costs, tops, 1e-3, floors, &spares);
    for (double lambda : {0.05, 1e-4, 1.0, 0.05}) {
        again.decide(lambda);
        const RdTree fresh(costs, tops, lambda, floors);
        EXPECT_EQ(again.cost(), fresh.cost()) << lambda;
        EXPECT_EQ(again.distortion(), fresh.distortion()) << lambda;
        EXPECT_EQ(again.bits(), fresh.bits()) << lambda;
        EXPECT_EQ(again.floor(), fresh.floor()) << lambda;
        for (const Span& r : ranges_under(tops, p.min_range)) {
            ASSERT_EQ(again.split(r), fresh.split(r)) << lambda << " at " << r.pos << "+" << r.size;
            const tq::fractal::LeafCodes a = again.leaf(r), b = fresh.leaf(r);
            ASSERT_EQ(std::tie(a.s_code, a.domain, a.flip, a.o_code), std::tie(b.s_code, b.domain, b.flip, b.o_code));
        }
    }
}

// The memory of a fit table gone (the last packet's) serves the next: it starts empty all the same.
TEST(FractalSplit, AFitTableInSpareMemoryStartsEmpty) {
    const auto p = split_params();
    tq::fractal::Spares<RangeFits> spares(1);
    {
        FitTable gone(p, 4096, &spares);
        for (int size = p.min_range; size <= p.max_range; size *= 2)
            for (RangeFits& f : gone.level(size)) {
                f.flat.err = 1.0;
                f.map = RangeFits::Map::searched;
            }
    }
    const FitTable table(p, 2048, &spares);  // a shorter, last packet
    for (int size = p.min_range; size <= p.max_range; size *= 2) {
        ASSERT_EQ(table.level(size).size(), static_cast<std::size_t>(2048 / size));
        for (const RangeFits& f : table.level(size)) {
            ASSERT_EQ(f.map, RangeFits::Map::none) << size;
            ASSERT_EQ(f.flat.err, 0.0) << size;
        }
    }
}

TEST(FractalSplit, LambdaForABudgetIsTheSmallestThatFitsFromAnyGuess) {
    int calls = 0;
    const auto bits = [&](double lambda) {
        ++calls;
        return std::floor(1e6 / (1.0 + lambda));  // falls as lambda rises
    };
    for (double budget : {2e5, 5e5, 9e5})
        for (double guess : {1e-9, 0.01, 3.0, 1e6}) {
            calls = 0;
            const double lambda = tq::fractal::lambda_for_budget(bits, budget, guess, 1e-9, 1e6, 1.001);
            EXPECT_LT(calls, 40) << budget << " from " << guess;
            EXPECT_LE(bits(lambda), budget) << budget << " from " << guess;
            EXPECT_GT(bits(lambda / 1.001), budget) << budget << " from " << guess;
        }
    for (double guess : {1e-9, 3.0, 1e6}) {
        EXPECT_EQ(tq::fractal::lambda_for_budget(bits, 2e6, guess, 1e-9, 1e6, 1.001), 1e-9);  // everything fits
        EXPECT_EQ(tq::fractal::lambda_for_budget(bits, -1.0, guess, 1e-9, 1e6, 1.001), 1e6);  // nothing does
    }
}

/* ---- the IFS decoder ---- */

tq::fractal::Params test_params() {
    tq::fractal::Params p;
    p.packet = 4096;
    p.min_range = 64;
    p.max_range = 64;
    p.scale_limit_code = 192;  // s_max = 0.75
    return p;
}

std::vector<tq::fractal::Map> random_maps(const tq::fractal::Params& p, int length, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> s(-static_cast<float>(p.scale_limit()), static_cast<float>(p.scale_limit()));
    std::uniform_real_distribution<float> o(-0.5f, 0.5f);
    std::vector<tq::fractal::Map> maps;
    for (const auto& r : tq::fractal::top_ranges(length, p)) {
        const auto pool = tq::fractal::domain_pool(length, r.size, p);
        const int k = static_cast<int>(rng() % static_cast<unsigned>(pool.count));
        maps.push_back({r.pos, r.size, k * pool.step, (rng() & 1) != 0, s(rng), o(rng)});
    }
    return maps;
}

TEST(FractalIfs, RandomContractiveMapsConvergeToOneFixedPointFromAnyStart) {
    const auto p = test_params();
    for (unsigned seed = 1; seed <= 20; ++seed) {
        const auto maps = random_maps(p, 4096, seed);
        std::vector<float> from_zero(4096, 0.0f);
        auto from_noise = gaussian(4096, 1.0f, seed);
        const int iterations = tq::fractal::iterate_maps(maps, from_zero, 255, 1e-6);
        EXPECT_LT(iterations, 255) << seed;
        tq::fractal::iterate_maps(maps, from_noise, 255, 1e-6);
        for (std::size_t i = 0; i < from_zero.size(); ++i) ASSERT_NEAR(from_zero[i], from_noise[i], 1e-4f) << seed;
        // A fixed point: one more pass changes nothing beyond the tolerance.
        auto again = from_zero;
        EXPECT_EQ(tq::fractal::iterate_maps(maps, again, 1, 1e-5), 1);
        for (std::size_t i = 0; i < again.size(); ++i) ASSERT_NEAR(again[i], from_zero[i], 1e-5f);
    }
}

// Maps whose fixed point the encoder can represent exactly: range 0 is a
// constant c on the o grid of its own peak (|c| is the packet peak, as
// |s| < 1 and o = 0 elsewhere), every other range s*domain with s on the s grid.
float representable_constant(const tq::fractal::Params& p) {
    const int code = tq::fractal::peak_code(0.25f);
    const tq::fractal::OffsetQuantizer offset(p, tq::fractal::peak_value(code));
    float c = 0.0f;
    for (float level : offset.levels)
        if (level <= 0.25f && tq::fractal::peak_code(level) == code) c = std::max(c, level);
    return c;
}

std::vector<tq::fractal::Map> representable_maps(const tq::fractal::Params& p, unsigned seed) {
    std::mt19937 rng(seed);
    const tq::fractal::ScaleQuantizer scale(p);
    std::vector<tq::fractal::Map> maps;
    for (const auto& r : tq::fractal::top_ranges(4096, p)) {
        const auto pool = tq::fractal::domain_pool(4096, r.size, p);
        int code = scale.zero_code();
        while (code == scale.zero_code()) code = static_cast<int>(rng() % static_cast<unsigned>(2 * scale.half + 1));
        const int k = static_cast<int>(rng() % static_cast<unsigned>(pool.count));
        maps.push_back({r.pos, r.size, k * pool.step, (rng() & 1) != 0, scale.value(code), 0.0f});
    }
    maps[0] = {0, 64, 0, false, 0.0f, representable_constant(p)};
    return maps;
}

TEST(FractalIfs, AFixedPointOfRepresentableMapsIsRecoveredExactly) {
    auto p = test_params();
    p.offset_bits = 7;
    ASSERT_GT(representable_constant(p), 0.2f);
    for (unsigned seed = 1; seed <= 3; ++seed) {
        std::vector<float> signal(4096, 0.0f);
        tq::fractal::iterate_maps(representable_maps(p, seed), signal, 255, 0.0);
        Codec codec(1,
                    "packet=4096,min_range=64,max_range=64,s_max=0.75,o_bits=7,quality=1,search=brute,"
                    "silence_db=-140,tolerance=26,iterations=255");
        const auto out = codec.run(signal);
        const double snr = snr_db(signal, out);
        std::cout << "  seed " << seed << ": SNR " << snr << " dB\n";
        EXPECT_GT(snr, 80.0) << seed;
    }
}

/* ---- options and stream header ---- */

int create_with(const std::string& options, int bitrate = 0) {
    tq_encoder_config c;
    tq_encoder_config_init(&c, TQ_FAMILY_FRACTAL);
    c.sample_rate = 44100;
    c.channels = 1;
    c.bitrate = bitrate;
    c.options = options.c_str();
    Encoder e;
    return tq_encoder_create(&c, &e.p);
}

TEST(FractalOptions, InvalidOptionsAreRejectedNamingTheKey) {
    const char* bad[] = {"min_range=64,max_range=32", "min_range=3",  "max_range=2048", "packet=5000",
                         "packet=2048",               "s_max=1",      "s_max=0.2",      "s_bits=9",
                         "o_bits=3",                  "quality=1.5",  "iterations=0",   "tolerance=40",
                         "domain_step=3",             "search=fast",  "threads=-1",     "candidates=0"};
    for (const char* o : bad) {
        EXPECT_EQ(create_with(o), TQ_ERR_INVALID_ARGUMENT) << o;
        const std::string text(o);
        const std::string key = text.substr(0, text.find('='));
        EXPECT_TRUE(last_error_mentions(key)) << o << ": " << tq_last_error_message();
    }
    EXPECT_EQ(create_with("packet=65536,min_range=4,max_range=1024,domain_step=16,s_bits=8,o_bits=12"), TQ_OK);
}

TEST(FractalOptions, ParametersRoundTripAndBadOnesAreCorrupt) {
    tq::fractal::Params p;
    p.min_range = 16;
    p.max_range = 512;
    p.domain_divisor = 4;
    p.scale_bits = 6;
    p.offset_bits = 9;
    const tq::StreamInfo info{TQ_FAMILY_FRACTAL, 44100, 1, 16384, 0};
    const auto bytes = tq::fractal::serialize_params(p);
    EXPECT_EQ(bytes.size(), tq::fractal::kParamsSize);
    const auto back = tq::fractal::parse_params(bytes, info);
    EXPECT_EQ(back.min_range, 16);
    EXPECT_EQ(back.max_range, 512);
    EXPECT_EQ(back.domain_divisor, 4);
    EXPECT_EQ(back.scale_bits, 6);
    EXPECT_EQ(back.offset_bits, 9);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        auto low = bytes, high = bytes;
        low[i] = 0x00;
        high[i] = 0xFF;
        bool rejected = false;
        for (const auto& broken : {low, high}) {
            try {
                tq::fractal::parse_params(broken, info);
            } catch (const tq::Error& e) {
                EXPECT_EQ(e.code(), TQ_ERR_CORRUPT);
                rejected = true;
            }
        }
        EXPECT_TRUE(rejected) << "byte " << i;
    }
    auto longer = bytes;
    longer.push_back(0);
    EXPECT_THROW(tq::fractal::parse_params(longer, info), tq::Error);
    auto odd_frame = info;
    odd_frame.frame_size = 10000;
    EXPECT_THROW(tq::fractal::parse_params(bytes, odd_frame), tq::Error);
}

// Version 1 streams (no split floor in their packets) still decode, and an
// encoder given version 1 writes them.
TEST(FractalOptions, EveryStreamVersionRoundTrips) {
    tq::fractal::Params p;
    p.packet = 4096;
    p.bitrate = 2 * 44100;
    p.sample_rate = 44100;
    const tq::StreamInfo info{TQ_FAMILY_FRACTAL, 44100, 1, 4096, 0};
    const auto signal = music_like(4096);
    for (int version : {1, 2, 3}) {
        p.version = version;
        const auto bytes = tq::fractal::serialize_params(p);
        EXPECT_EQ(bytes[0], version);
        EXPECT_EQ(tq::fractal::parse_params(bytes, info).version, version);
        auto encoder = tq::fractal::make_encoder(p, 1);
        const float* planes[] = {signal.data()};
        const auto payload = encoder->encode({planes, 1, 4096});
        auto decoder = tq::fractal::make_decoder(info, bytes);
        std::vector<float> out(4096);
        float* out_planes[] = {out.data()};
        decoder->decode(payload, {out_planes, 1, 4096});
        EXPECT_GT(snr_db(signal, out), 15.0) << "version " << version;
    }
    auto newer = tq::fractal::serialize_params(p);
    newer[0] = tq::fractal::kParamsVersion + 1;
    EXPECT_THROW(tq::fractal::parse_params(newer, info), tq::Error);
}

/* ---- hostile packets ---- */

// A packet of one 4096-sample mono channel, min = max range 64: 64 top ranges,
// 125 domains (7 index bits) each, on the coarse offset grid (o codes of 7
// bits in a stream of o_bits 8). `first` writes the first range's leaf.
std::vector<uint8_t> crafted_packet(int peak, const std::function<void(tq::BitWriter&)>& first) {
    const auto p = test_params();
    tq::BitWriter w;
    w.put(static_cast<uint32_t>(peak), 8);
    w.put(0, tq::fractal::kFloorBits);
    w.put(1, tq::fractal::kCoarseOffsetsBits);
    w.put_bit(false);
    first(w);
    for (int t = 1; t < 64; ++t) w.put_bit(true);  // silent
    std::vector<uint8_t> packet;
    tq::write_packet_prefix(packet, 4096);
    const auto body = w.finish();
    packet.insert(packet.end(), body.begin(), body.end());
    (void)p;
    return packet;
}

TEST(FractalHostile, BadPacketsAreCorruptAndTheDecoderStaysUsable) {
    Codec codec(1, "packet=4096,min_range=64,max_range=64,s_max=0.75");
    ASSERT_TRUE(codec.created);
    const auto signal = music_like(4096);
    const auto good = codec.encode(signal.data(), 4096);
    const auto reference = codec.decode(good, 4096);

    std::vector<std::pair<const char*, std::vector<uint8_t>>> bad;
    bad.push_back({"domain out of range", crafted_packet(176, [](tq::BitWriter& w) {
                       w.put(20, 5);   // s != 0
                       w.put(127, 7);  // domain 127 of 125
                       w.put_bit(false);
                       w.put(63, 7);
                   })});
    bad.push_back({"invalid s code", crafted_packet(176, [](tq::BitWriter& w) {
                       w.put(31, 5);
                       w.put(0, 7);
                       w.put_bit(false);
                       w.put(63, 7);
                   })});
    bad.push_back({"invalid o code", crafted_packet(176, [](tq::BitWriter& w) {
                       w.put(15, 5);  // s = 0: no domain
                       w.put(127, 7);
                   })});
    auto junk = good;
    junk.insert(junk.end(), 100000, 0xAB);  // an absurd payload length
    bad.push_back({"trailing junk", junk});
    auto truncated = good;
    truncated.resize(good.size() / 2);
    bad.push_back({"truncated", truncated});
    std::vector<uint8_t> huge_count;
    tq::write_packet_prefix(huge_count, 1 << 19);  // more samples than the frame
    huge_count.push_back(0);
    bad.push_back({"sample count above the frame", huge_count});

    std::vector<float> out(4096);
    for (const auto& [name, packet] : bad) {
        int got = -1;
        EXPECT_EQ(tq_decode(codec.dec.p, packet.data(), packet.size(), out.data(), 4096, &got), TQ_ERR_CORRUPT)
            << name;
        EXPECT_EQ(codec.decode(good, 4096), reference) << "after " << name;
    }
}

TEST(FractalSyntax, ACoarseChannelReadsSevenBitOffsetsOnTheSevenBitGrid) {
    Codec codec(1, "packet=4096,min_range=64,max_range=64,s_max=0.75");  // o_bits 8
    ASSERT_TRUE(codec.created);
    auto p = test_params();
    p.offset_bits = 8;
    const tq::fractal::OffsetQuantizer coarse(p, 7, tq::fractal::peak_value(176));
    const auto packet = crafted_packet(176, [](tq::BitWriter& w) {
        w.put(15, 5);  // s = 0: no domain
        w.put(100, 7);
    });
    const auto out = codec.decode(packet, 4096);
    ASSERT_EQ(out.size(), 4096u);
    for (int i = 0; i < 64; ++i) EXPECT_EQ(out[static_cast<std::size_t>(i)], coarse.value(100)) << i;
    EXPECT_NE(coarse.value(100), tq::fractal::OffsetQuantizer(p, tq::fractal::peak_value(176)).value(100));
}

TEST(FractalHostile, RandomPayloadsNeverCrash) {
    Codec codec(2, "packet=4096,min_range=8,max_range=256");
    ASSERT_TRUE(codec.created);
    std::mt19937 rng(5);
    std::vector<float> out(2 * 4096);
    int ok = 0;
    for (int i = 0; i < 500; ++i) {
        std::vector<uint8_t> packet;
        tq::write_packet_prefix(packet, 1 + static_cast<int>(rng() % 4096));
        const std::size_t n = rng() % 3000;
        for (std::size_t k = 0; k < n; ++k) packet.push_back(static_cast<uint8_t>(rng()));
        int got = 0;
        const int rc = tq_decode(codec.dec.p, packet.data(), packet.size(), out.data(), 4096, &got);
        ASSERT_TRUE(rc == TQ_OK || rc == TQ_ERR_CORRUPT) << rc;
        ok += rc == TQ_OK;
        for (int k = 0; rc == TQ_OK && k < 2 * got; ++k) ASSERT_TRUE(std::isfinite(out[static_cast<std::size_t>(k)]));
    }
    std::cout << "  " << ok << " of 500 random payloads happened to be valid\n";
}

/* ---- the DCT behind the search embeddings ---- */

TEST(FractalDct, OrthonormalDctTwoMatchesItsDefinition) {
    for (std::size_t n : {4u, 8u, 15u, 64u}) {
        tq::dsp::Dct2 dct(n);
        const auto x = gaussian(n, 1.0f, static_cast<unsigned>(n));
        std::copy(x.begin(), x.end(), dct.input().begin());
        dct.forward();
        double energy_in = 0.0, energy_out = 0.0;
        for (std::size_t k = 0; k < n; ++k) {
            double want = 0.0;
            for (std::size_t i = 0; i < n; ++i)
                want += x[i] * std::cos(M_PI * (static_cast<double>(i) + 0.5) * static_cast<double>(k) / static_cast<double>(n));
            want *= std::sqrt((k == 0 ? 1.0 : 2.0) / static_cast<double>(n));
            EXPECT_NEAR(dct.output()[k], want, 1e-4) << n << " " << k;
            energy_in += static_cast<double>(x[k]) * x[k];
            energy_out += static_cast<double>(dct.output()[k]) * dct.output()[k];
        }
        EXPECT_NEAR(energy_out, energy_in, 1e-4 * energy_in) << n;
    }
}

}  // namespace
