#include "families/fractal/search.hpp"

// hnswlib 0.6.2 (Debian 12) prefetches one neighbour past the end of a full link
// list in its SSE path (nmslib/hnswlib#107; the fix, #459, is not merged): a
// harmless read for the CPU, a heap-buffer-overflow for AddressSanitizer. Under
// ASan, hnswlib takes its plain path.
#if defined(__SANITIZE_ADDRESS__)
#define NO_MANUAL_VECTORIZATION
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_MANUAL_VECTORIZATION
#endif
#endif
#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>

#include "dsp/dct.hpp"

namespace tq::fractal {

void parallel_for(int count, int threads, const std::function<void(int)>& body) {
    const int workers = std::clamp(threads, 1, std::max(1, count));
    if (workers == 1) {
        for (int i = 0; i < count; ++i) body(i);
        return;
    }
    std::mutex error_mutex;
    std::exception_ptr error;
    {
        std::vector<std::jthread> pool;
        for (int w = 0; w < workers; ++w)
            pool.emplace_back([&, w] {
                try {
                    for (int i = w; i < count; i += workers) body(i);
                } catch (...) {
                    std::lock_guard<std::mutex> lock(error_mutex);
                    if (!error) error = std::current_exception();
                }
            });
    }
    if (error) std::rethrow_exception(error);
}

bool use_hnsw(const Params& p, int domains) {
    // `auto` is exhaustive: on the dev corpus (2-core x86-64) the vectorised
    // scan was faster than building and querying the index at every pool size
    // the options allow (up to 65536 windows), for the same SNR.
    return p.search == Search::hnsw && domains > 0;
}

namespace {

constexpr int kMaxEmbedding = 16;

struct Sums {
    double sum = 0.0;
    double squares = 0.0;
};

Sums sums_of(const float* v, int n) {
    Sums s;
    for (int i = 0; i < n; ++i) {
        s.sum += v[i];
        s.squares += static_cast<double>(v[i]) * v[i];
    }
    return s;
}

// A window of 2 * size samples decimated to `size` by pair averages.
void decimate(const float* window, int size, float* out) {
    for (int i = 0; i < size; ++i) out[i] = 0.5f * (window[2 * i] + window[2 * i + 1]);
}

float dot(const float* a, const float* b, int n) {
    float acc = 0.0f;
    for (int i = 0; i < n; ++i) acc += a[i] * b[i];
    return acc;
}

// The decimated windows of one range size, stored contiguously.
struct Domains {
    int size;
    DomainPool pool;
    std::vector<float> samples;  // pool.count x size
    std::vector<Sums> sums;
    std::vector<double> variance;  // size x variance: squared norm of the zero-mean window

    Domains(std::span<const float> x, int range_size, const Params& p)
        : size(range_size), pool(domain_pool(static_cast<int>(x.size()), range_size, p)) {
        samples.resize(static_cast<std::size_t>(pool.count) * static_cast<std::size_t>(size));
        sums.resize(static_cast<std::size_t>(pool.count));
        variance.resize(static_cast<std::size_t>(pool.count));
        for (int k = 0; k < pool.count; ++k) {
            float* d = window(k);
            decimate(x.data() + static_cast<std::ptrdiff_t>(k) * pool.step, size, d);
            const Sums s = sums_of(d, size);
            sums[static_cast<std::size_t>(k)] = s;
            variance[static_cast<std::size_t>(k)] = std::max(s.squares - s.sum * s.sum / size, 0.0);
        }
    }

    float* window(int k) { return samples.data() + static_cast<std::ptrdiff_t>(k) * size; }
    const float* window(int k) const { return samples.data() + static_cast<std::ptrdiff_t>(k) * size; }
};

// A range of the signal, also reversed: dot(reversed, D) = dot(forward, flipped D).
struct Range {
    std::span<const float> forward;
    std::vector<float> reversed;
    Sums sums;
    double variance;
};

Range range_at(std::span<const float> x, int pos, int size) {
    Range r;
    r.forward = x.subspan(static_cast<std::size_t>(pos), static_cast<std::size_t>(size));
    r.reversed.assign(r.forward.rbegin(), r.forward.rend());
    r.sums = sums_of(r.forward.data(), size);
    r.variance = std::max(r.sums.squares - r.sums.sum * r.sums.sum / size, 0.0);
    return r;
}

// The quantized least-squares map r ~ s*D + o and its exact squared error.
Fit quantized_fit(const SearchContext& ctx, const Sums& r, const Sums& d, double rd, int n) {
    const double var_d = d.squares - d.sum * d.sum / n;
    const double cov = rd - r.sum * d.sum / n;
    const double s_ls = var_d > 1e-20 ? cov / var_d : 0.0;
    Fit f;
    f.s_code = ctx.scale.code(s_ls);
    const double s = ctx.scale.value(f.s_code);
    f.o_exact = (r.sum - s * d.sum) / n;
    f.o_code = ctx.offset.code(f.o_exact);
    const double o = ctx.offset.value(f.o_code);
    f.err = r.squares + s * s * d.squares + n * o * o - 2.0 * s * rd - 2.0 * o * r.sum + 2.0 * s * o * d.sum;
    f.err = std::max(f.err, 0.0);
    return f;
}

Fit offset_only_fit(const SearchContext& ctx, const Sums& r, int n) {
    return quantized_fit(ctx, r, Sums{}, 0.0, n);
}

}  // namespace

Fit regrid(const Fit& f, const OffsetQuantizer& from, const OffsetQuantizer& to, int n) {
    // The error is a parabola in o about o_exact, for f's s.
    Fit g = f;
    g.o_code = to.code(f.o_exact);
    const double was = from.value(f.o_code) - f.o_exact, now = to.value(g.o_code) - f.o_exact;
    g.err = std::max(f.err + n * (now * now - was * was), 0.0);
    return g;
}

namespace {

// A domain of the pool, read forwards or backwards.
struct Candidate {
    int domain;
    bool flip;
};

double candidate_dot(const Range& r, const Domains& doms, Candidate c) {
    return dot(c.flip ? r.reversed.data() : r.forward.data(), doms.window(c.domain), doms.size);
}

// The offset-only map, the start of every range's search (on both grids).
BestMaps offset_only_maps(const SearchContext& ctx, const Sums& r, int n) {
    const Fit f = offset_only_fit(ctx, r, n);
    return {f, ctx.coarse ? regrid(f, ctx.offset, *ctx.coarse, n) : Fit{}};
}

void score_exactly(const SearchContext& ctx, const Range& r, const Domains& doms, Candidate c, BestMaps& best) {
    const double rd = candidate_dot(r, doms, c);
    Fit f = quantized_fit(ctx, r.sums, doms.sums[static_cast<std::size_t>(c.domain)], rd, doms.size);
    f.domain = c.domain;
    f.flip = c.flip;
    if (ctx.coarse) {
        const Fit g = regrid(f, ctx.offset, *ctx.coarse, doms.size);
        if (g.err < best.coarse.err) best.coarse = g;
    }
    if (f.err < best.fine.err) best.fine = f;
}

// Ranks candidates by the error of the best unquantized s within +-s_max (no
// rounding), keeping the few best for exact scoring.
class Shortlist {
public:
    static constexpr int kKeep = 4;

    void offer(const Range& r, const Domains& doms, Candidate c, double s_max) {
        const double var_d = doms.variance[static_cast<std::size_t>(c.domain)];
        if (var_d <= 1e-20) return;
        const double cov = candidate_dot(r, doms, c) - r.sums.sum * doms.sums[static_cast<std::size_t>(c.domain)].sum / doms.size;
        const double s = std::clamp(cov / var_d, -s_max, s_max);
        offer_score(s * (s * var_d - 2.0 * cov), c);
    }

    // It takes no score above this (nor, once full, one equal to it).
    float bound() const {
        return count_ == kKeep ? static_cast<float>(err_[kKeep - 1]) : std::numeric_limits<float>::infinity();
    }

    void offer_score(double err, Candidate c) {
        if (count_ == kKeep && err >= err_[kKeep - 1]) return;
        int i = std::min(count_, kKeep - 1);
        for (; i > 0 && err_[i - 1] > err; --i) {
            err_[i] = err_[i - 1];
            best_[i] = best_[i - 1];
        }
        err_[i] = err;
        best_[i] = c;
        count_ = std::min(count_ + 1, kKeep);
    }

    void score(const SearchContext& ctx, const Range& r, const Domains& doms, BestMaps& best) const {
        for (int i = 0; i < count_; ++i) score_exactly(ctx, r, doms, best_[i], best);
    }

    // The candidates' windows, each read forwards and backwards.
    void score_both_directions(const SearchContext& ctx, const Range& r, const Domains& doms, BestMaps& best) const {
        for (int i = 0; i < count_; ++i)
            for (const bool flip : {false, true}) score_exactly(ctx, r, doms, {best_[i].domain, flip}, best);
    }

private:
    int count_ = 0;
    double err_[kKeep] = {};
    Candidate best_[kKeep] = {};
};

// The exhaustive scan is most of the encoder's time. It works on the pool
// packed in groups of kLanes windows, one vector per sample position, so that
// a group's correlations with a range stay in registers; built for AVX-512 and
// AVX2+FMA as well as the baseline, chosen at load time.
//
// Both directions come from one pass over a folded window: with the range's
// even and odd parts about its centre (e, o) and the window's (sums and
// differences of mirrored samples), forward = E + O and backward = E - O. A
// window's error with the best s within +-s_max falls as |cov| grows, so its
// better direction is the one of |E| + |O|: the scan ranks windows by that,
// and the few it keeps are scored exactly both ways (a superset of the pairs
// a scan of each direction would keep).
//
// Not under ThreadSanitizer, which instruments the ifunc resolver that runs
// before its runtime starts (a crash while the program loads).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
#define TQ_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define TQ_VECTOR_CLONES
#endif

// Vectors of kLanes floats, read from and written to float arrays (aligned and
// aliased like float).
constexpr int kLanes = 16;
typedef float Lanes __attribute__((vector_size(kLanes * sizeof(float)), aligned(alignof(float)), may_alias));
typedef std::int32_t LaneBits __attribute__((vector_size(kLanes * sizeof(float)), aligned(alignof(float)), may_alias));

// The least of a vector's lanes, halving it twice.
[[gnu::always_inline]] inline float least_of(Lanes v) {
    static_assert(kLanes == 16);
    typedef float Half __attribute__((vector_size(kLanes / 2 * sizeof(float))));
    typedef float Quarter __attribute__((vector_size(kLanes / 4 * sizeof(float))));
    const Half low = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7);
    const Half high = __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    const Half half = low < high ? low : high;
    const Quarter first = __builtin_shufflevector(half, half, 0, 1, 2, 3);
    const Quarter second = __builtin_shufflevector(half, half, 4, 5, 6, 7);
    const Quarter quarter = first < second ? first : second;
    return std::min(std::min(quarter[0], quarter[1]), std::min(quarter[2], quarter[3]));
}

// Groups of kRun vectors share one least score: a shortlisted window lies in
// a run whose least is among the kKeep smallest, so only those runs are read
// again (shortlist_runs).
constexpr int kRun = 8;
constexpr int kRunWindows = kRun * kLanes;

// The kKeep least of the values offered.
class KLeast {
public:
    KLeast() { least_.fill(std::numeric_limits<float>::infinity()); }
    void offer(float v) {
        if (!(v < least_.back())) return;
        std::size_t i = least_.size() - 1;
        for (; i > 0 && least_[i - 1] > v; --i) least_[i] = least_[i - 1];
        least_[i] = v;
    }
    float kth() const { return least_.back(); }  // infinity until kKeep were offered

private:
    std::array<float, Shortlist::kKeep> least_;
};

// The least score (error less the range's variance, clamped s) any window of
// `variance` can reach against a range of `range_variance`: by Cauchy-Schwarz
// |cov| <= sqrt(range_variance * variance), and |s| <= s_max.
float least_possible(float variance, float range_variance, float s_max) {
    if (s_max * s_max * variance >= range_variance) return -range_variance;
    return s_max * s_max * variance - 2.0f * s_max * std::sqrt(range_variance * variance);
}

// v folded about its centre: the sums of its mirrored samples, then their
// differences (size is even: a power of two).
void fold(const float* v, int size, float* out) {
    const int half = size / 2;
    for (int i = 0; i < half; ++i) {
        out[i] = v[i] + v[size - 1 - i];
        out[half + i] = v[i] - v[size - 1 - i];
    }
}

// The pool ordered loudest window first, packed in groups of kLanes windows:
// a range is scored against runs of windows ever quieter, and stops where not
// even the loudest window of a run can reach the kKeep-th least run score so
// far (which only falls).
struct PackedPool {
    int count;   // windows
    int groups;  // ceil(count / kLanes); the padding windows are flat and never offered
    std::vector<int> domain;              // [group][lane]: the window's index in the pool
    std::vector<float> samples;           // [group][i][lane]: the folded window less its mean (fold())
    std::vector<float> inverse_variance;  // [group][lane], 0 for flat windows
    std::vector<float> reach;             // [group][lane]: s_max x variance, the largest |cov| s can follow
    std::vector<float> variance;          // [group][lane]

    PackedPool(const Domains& doms, double s_max)
        : count(doms.pool.count),
          groups((count + kLanes - 1) / kLanes),
          domain(static_cast<std::size_t>(count)),
          samples(static_cast<std::size_t>(groups * doms.size * kLanes), 0.0f),
          inverse_variance(static_cast<std::size_t>(groups * kLanes), 0.0f),
          reach(static_cast<std::size_t>(groups * kLanes), 0.0f),
          variance(static_cast<std::size_t>(groups * kLanes), 0.0f) {
        for (int k = 0; k < count; ++k) domain[static_cast<std::size_t>(k)] = k;
        std::stable_sort(domain.begin(), domain.end(), [&](int x, int y) {
            return doms.variance[static_cast<std::size_t>(x)] > doms.variance[static_cast<std::size_t>(y)];
        });
        const std::size_t size = static_cast<std::size_t>(doms.size);
        std::vector<float> centred(size), folded(size);
        for (std::size_t k = 0; k < static_cast<std::size_t>(count); ++k) {
            const std::size_t g = k / kLanes, lane = k % kLanes, d = static_cast<std::size_t>(domain[k]);
            const float* window = doms.window(static_cast<int>(d));
            const float mean = static_cast<float>(doms.sums[d].sum / doms.size);
            for (std::size_t i = 0; i < size; ++i) centred[i] = window[i] - mean;
            fold(centred.data(), doms.size, folded.data());
            for (std::size_t i = 0; i < size; ++i) samples[(g * size + i) * kLanes + lane] = folded[i];
            variance[k] = static_cast<float>(doms.variance[d]);
            reach[k] = static_cast<float>(s_max * doms.variance[d]);
            inverse_variance[k] = doms.variance[d] > 1e-20 ? static_cast<float>(1.0 / doms.variance[d]) : 0.0f;
        }
    }
    int runs() const { return (groups + kRun - 1) / kRun; }
};

// What score_pool writes for one range: per window the error (less the
// range's variance) of the best unquantized s within +-s_max in its better
// direction, and per run the least of those, for the runs it scores.
struct PoolScores {
    float* windows;
    float* least;
};

// score_pool for ranges of kSize samples, or of `size` when kSize is 0: a
// known size unrolls the loop over the samples and keeps the range in registers.
template <int kSize>
[[gnu::always_inline]] inline int score_runs(const PackedPool& pool, int size, const float* even, const float* odd,
                                             float range_variance, float s_max, const PoolScores& out) {
    if constexpr (kSize > 0) size = kSize;
    const int half = size / 2;
    const Lanes* samples = reinterpret_cast<const Lanes*>(pool.samples.data());
    const Lanes* inverse_variance = reinterpret_cast<const Lanes*>(pool.inverse_variance.data());
    const Lanes* reach_of = reinterpret_cast<const Lanes*>(pool.reach.data());
    Lanes* scores = reinterpret_cast<Lanes*>(out.windows);
    const Lanes zero = {};
    KLeast runs_least;
    int run = 0;
    for (; run * kRun < pool.groups; ++run) {
        const float loudest = pool.variance[static_cast<std::size_t>(run * kRunWindows)];
        if (least_possible(loudest, range_variance, s_max) > runs_least.kth()) break;
        Lanes least = zero + std::numeric_limits<float>::infinity();
        for (int g = run * kRun; g < std::min((run + 1) * kRun, pool.groups); ++g) {
            const Lanes* sums = samples + static_cast<std::ptrdiff_t>(g) * size;
            const Lanes* differences = sums + half;
            // Two partial sums each, so the chains of multiply-adds are half as long
            // (half is even: range sizes are powers of two from 4).
            Lanes e0 = zero, e1 = zero, o0 = zero, o1 = zero;
            for (int i = 0; i < half; i += 2) {
                e0 += even[i] * sums[i];
                o0 += odd[i] * differences[i];
                e1 += even[i + 1] * sums[i + 1];
                o1 += odd[i + 1] * differences[i + 1];
            }
            // |cov| of the better direction (|E| + |O|: the sign bits cleared), and the
            // |s| x variance that follows it within s_max.
            const LaneBits e = reinterpret_cast<LaneBits>(e0 + e1) & 0x7fffffff;
            const LaneBits o = reinterpret_cast<LaneBits>(o0 + o1) & 0x7fffffff;
            const Lanes cov = reinterpret_cast<Lanes>(e) + reinterpret_cast<Lanes>(o), reach = reach_of[g];
            const Lanes followed = cov < reach ? cov : reach;
            const Lanes score = followed * inverse_variance[g] * (followed - 2.0f * cov);
            scores[g] = score;
            least = score < least ? score : least;
        }
        float l = least[0];
        for (int j = 1; j < kLanes; ++j) l = std::min(l, least[j]);
        out.least[run] = l;
        runs_least.offer(l);
    }
    return run;
}

// Scores one range against the pool (even and odd: the zero-mean range
// folded, halved); returns how many runs it scored.
TQ_VECTOR_CLONES int score_pool(const PackedPool& pool, int size, const float* even, const float* odd,
                                float range_variance, float s_max, const PoolScores& out) {
    switch (size) {
        case 4: return score_runs<4>(pool, size, even, odd, range_variance, s_max, out);
        case 8: return score_runs<8>(pool, size, even, odd, range_variance, s_max, out);
        case 16: return score_runs<16>(pool, size, even, odd, range_variance, s_max, out);
        default: return score_runs<0>(pool, size, even, odd, range_variance, s_max, out);
    }
}

// Offers `list`, in the pool's order, the windows scoring at most `threshold`
// in the runs whose least does (the few with the best windows), skipping the
// runs and groups of kLanes windows with none the list would still take.
TQ_VECTOR_CLONES void shortlist_runs(const PackedPool& pool, const PoolScores& scores, int runs, float threshold,
                                     Shortlist& list) {
    const Lanes* groups = reinterpret_cast<const Lanes*>(scores.windows);
    for (int run = 0; run < runs; ++run) {
        if (!(scores.least[run] <= std::min(threshold, list.bound()))) continue;
        for (int g = run * kRun; g < std::min((run + 1) * kRun, pool.groups); ++g) {
            const float limit = std::min(threshold, list.bound());
            if (!(least_of(groups[g]) <= limit)) continue;
            for (int k = g * kLanes; k < std::min((g + 1) * kLanes, pool.count); ++k) {
                const float score = scores.windows[k];
                if (score <= limit) list.offer_score(score, {pool.domain[static_cast<std::size_t>(k)], false});
            }
        }
    }
}

BestMaps exhaustive_fit(const SearchContext& ctx, const Range& r, const Domains& doms, const PackedPool& pool) {
    const float mean = static_cast<float>(r.sums.sum / doms.size);
    thread_local std::vector<float> centred, folded, least, scores;
    centred.resize(r.forward.size());
    folded.resize(r.forward.size());
    for (std::size_t i = 0; i < centred.size(); ++i) centred[i] = 0.5f * (r.forward[i] - mean);
    fold(centred.data(), doms.size, folded.data());
    scores.resize(static_cast<std::size_t>(pool.groups) * kLanes);
    least.resize(static_cast<std::size_t>(pool.runs()));
    const int scored = score_pool(pool, doms.size, folded.data(), folded.data() + doms.size / 2,
                                  static_cast<float>(r.variance), static_cast<float>(ctx.scale.limit),
                                  {scores.data(), least.data()});
    KLeast runs_least;
    for (int run = 0; run < scored; ++run) runs_least.offer(least[static_cast<std::size_t>(run)]);
    const float threshold = runs_least.kth();
    Shortlist list;
    shortlist_runs(pool, {scores.data(), least.data()}, scored, threshold, list);
    BestMaps best = offset_only_maps(ctx, r.sums, doms.size);
    list.score_both_directions(ctx, r, doms, best);
    return best;
}

// DCT-II of the zero-mean, unit-norm block without its DC: the first
// coefficients of the shape, so inner products approximate correlations.
class Embedder {
public:
    explicit Embedder(int size) : dct_(static_cast<std::size_t>(size)), dims_(std::min(size - 1, kMaxEmbedding)) {}
    int dims() const { return dims_; }

    void embed(const float* v, const Sums& s, float* out) {
        const int n = static_cast<int>(dct_.size());
        const double mean = s.sum / n;
        const double norm = std::sqrt(std::max(s.squares - s.sum * mean, 0.0));
        const float inv = norm > 1e-12 ? static_cast<float>(1.0 / norm) : 0.0f;
        auto in = dct_.input();
        for (int i = 0; i < n; ++i) in[static_cast<std::size_t>(i)] = (v[i] - static_cast<float>(mean)) * inv;
        dct_.forward();
        auto y = dct_.output();
        for (int k = 0; k < dims_; ++k) out[k] = y[static_cast<std::size_t>(k + 1)];
    }

private:
    dsp::Dct2 dct_;
    int dims_;
};

// Correlation alone would favour quiet domains that need |s| above s_max, or
// loud ones whose s rounds to nothing; so the pool is split into 6 dB bands of
// domain norm and a range searches only the bands its useful s values reach.
int norm_band(double variance) { return static_cast<int>(std::floor(0.5 * std::log2(variance))); }

// One norm band: an inner-product HNSW index of its embeddings (label 2k +
// flip; time reversal flips the sign of the odd DCT coefficients), or a plain
// list when it is small.
class Band {
public:
    static constexpr std::size_t kSmall = 256;

    Band(const Domains& doms, std::vector<int> members, Embedder& embedder, int candidates)
        : members_(std::move(members)) {
        if (2 * members_.size() <= kSmall) return;
        const int dims = embedder.dims();
        space_ = std::make_unique<hnswlib::InnerProductSpace>(static_cast<std::size_t>(dims));
        index_ = std::make_unique<hnswlib::HierarchicalNSW<float>>(space_.get(), 2 * members_.size(), 8, 32);
        std::vector<float> e(static_cast<std::size_t>(dims));
        for (int k : members_) {
            embedder.embed(doms.window(k), doms.sums[static_cast<std::size_t>(k)], e.data());
            index_->addPoint(e.data(), static_cast<hnswlib::labeltype>(2 * k));
            for (int j = 0; j < dims; j += 2) e[static_cast<std::size_t>(j)] = -e[static_cast<std::size_t>(j)];
            index_->addPoint(e.data(), static_cast<hnswlib::labeltype>(2 * k + 1));
        }
        index_->setEf(static_cast<std::size_t>(std::max(2 * candidates, 16)));
    }

    // Offers the band's best matches of `query` (the range embedding) and of its negation.
    void search(const Range& r, const Domains& doms, std::vector<float>& query, int candidates, double s_max,
                Shortlist& list) const {
        if (!index_) {
            for (int k : members_) {
                list.offer(r, doms, {k, false}, s_max);
                list.offer(r, doms, {k, true}, s_max);
            }
            return;
        }
        for (int sign = 0; sign < 2; ++sign) {
            auto found = index_->searchKnn(query.data(), static_cast<std::size_t>(candidates));
            for (; !found.empty(); found.pop()) {
                const auto label = found.top().second;
                list.offer(r, doms, {static_cast<int>(label / 2), (label & 1) != 0}, s_max);
            }
            for (auto& q : query) q = -q;  // negative s: the most anti-correlated domains
        }
    }

private:
    std::vector<int> members_;
    std::unique_ptr<hnswlib::InnerProductSpace> space_;
    std::unique_ptr<hnswlib::HierarchicalNSW<float>> index_;
};

class DomainIndex {
public:
    DomainIndex(const Domains& doms, int candidates) : embedder_(doms.size) {
        std::map<int, std::vector<int>> members;
        for (int k = 0; k < doms.pool.count; ++k) {
            const double v = doms.variance[static_cast<std::size_t>(k)];
            if (v > 1e-20) members[norm_band(v)].push_back(k);
        }
        for (auto& [band, list] : members) bands_.emplace(band, Band(doms, std::move(list), embedder_, candidates));
    }

    BestMaps fit(const SearchContext& ctx, const Range& r, const Domains& doms) const {
        BestMaps best = offset_only_maps(ctx, r.sums, doms.size);
        if (r.variance <= 1e-20) return best;
        thread_local std::vector<float> query;
        query.resize(static_cast<std::size_t>(embedder_.dims()));
        thread_local std::map<int, std::unique_ptr<Embedder>> embedders;  // one DCT plan lookup per size and thread
        auto& embedder = embedders[doms.size];
        if (!embedder) embedder = std::make_unique<Embedder>(doms.size);
        embedder->embed(r.forward.data(), r.sums, query.data());
        // Useful domain norms: from s_max down to a few s quantizer steps.
        const double norm = std::sqrt(r.variance), s_max = ctx.scale.limit;
        const int lowest = norm_band(0.5 * norm * norm / (s_max * s_max));
        const int highest = norm_band(norm * norm * ctx.scale.half * ctx.scale.half / (4.0 * s_max * s_max));
        Shortlist list;
        for (auto it = bands_.lower_bound(lowest); it != bands_.end() && it->first <= highest; ++it)
            it->second.search(r, doms, query, ctx.p.candidates, s_max, list);
        list.score(ctx, r, doms, best);
        return best;
    }

private:
    Embedder embedder_;
    std::map<int, Band> bands_;
};

}  // namespace

std::array<Fit, 2> half_maps(const SearchContext& ctx, Span r, const Fit& map) {
    const int half = r.size / 2, length = static_cast<int>(ctx.signal.size());
    const DomainPool whole = domain_pool(length, r.size, ctx.p), part = domain_pool(length, half, ctx.p);
    const int start = map.domain * whole.step;
    const int windows[2] = {start / part.step, (start + r.size) / part.step};
    std::array<Fit, 2> fits;
    for (int h = 0; h < 2; ++h) {
        const Candidate c{windows[map.flip ? 1 - h : h], map.flip};
        const Range range = range_at(ctx.signal, r.pos + h * half, half);
        if (c.domain >= part.count) {  // the parent had no domain (a packet too short for a pool)
            fits[static_cast<std::size_t>(h)] = offset_only_fit(ctx, range.sums, half);
            continue;
        }
        std::vector<float> d(static_cast<std::size_t>(half));
        decimate(ctx.signal.data() + static_cast<std::ptrdiff_t>(c.domain) * part.step, half, d.data());
        const double rd = dot(c.flip ? range.reversed.data() : range.forward.data(), d.data(), half);
        fits[static_cast<std::size_t>(h)] = quantized_fit(ctx, range.sums, sums_of(d.data(), half), rd, half);
        fits[static_cast<std::size_t>(h)].domain = c.domain;
        fits[static_cast<std::size_t>(h)].flip = c.flip;
    }
    return fits;
}

std::vector<Fit> flat_fits(const SearchContext& ctx, int size, std::span<const int> positions) {
    std::vector<Fit> fits;
    fits.reserve(positions.size());
    for (int pos : positions) fits.push_back(offset_only_fit(ctx, sums_of(ctx.signal.data() + pos, size), size));
    return fits;
}

std::vector<BestMaps> best_maps(const SearchContext& ctx, int size, std::span<const int> positions) {
    const int count = static_cast<int>(positions.size());
    std::vector<BestMaps> fits(positions.size());
    const Domains doms(ctx.signal, size, ctx.p);
    std::unique_ptr<DomainIndex> index;
    std::unique_ptr<PackedPool> pool;
    if (use_hnsw(ctx.p, doms.pool.count))
        index = std::make_unique<DomainIndex>(doms, ctx.p.candidates);
    else
        pool = std::make_unique<PackedPool>(doms, ctx.scale.limit);
    parallel_for(count, ctx.threads, [&](int i) {
        const Range r = range_at(ctx.signal, positions[static_cast<std::size_t>(i)], size);
        fits[static_cast<std::size_t>(i)] = index ? index->fit(ctx, r, doms) : exhaustive_fit(ctx, r, doms, *pool);
    });
    return fits;
}

}  // namespace tq::fractal
