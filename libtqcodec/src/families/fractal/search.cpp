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
#include <cmath>
#include <map>
#include <exception>
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
    // For exhaustive search, vectorised across domains: sample i of every window, and per window
    // mean, 1 / variance (0 for flat windows) and variance.
    std::vector<float> columns;  // size x pool.count
    std::vector<float> mean, inverse_variance, variance_f;

    Domains(std::span<const float> x, int range_size, const Params& p)
        : size(range_size), pool(domain_pool(static_cast<int>(x.size()), range_size, p)) {
        samples.resize(static_cast<std::size_t>(pool.count) * static_cast<std::size_t>(size));
        sums.resize(static_cast<std::size_t>(pool.count));
        variance.resize(static_cast<std::size_t>(pool.count));
        for (int k = 0; k < pool.count; ++k) {
            const float* w = x.data() + static_cast<std::ptrdiff_t>(k) * pool.step;
            float* d = window(k);
            for (int i = 0; i < size; ++i) d[i] = 0.5f * (w[2 * i] + w[2 * i + 1]);
            const Sums s = sums_of(d, size);
            sums[static_cast<std::size_t>(k)] = s;
            variance[static_cast<std::size_t>(k)] = std::max(s.squares - s.sum * s.sum / size, 0.0);
        }
    }

    void prepare_columns() {
        const std::size_t n = static_cast<std::size_t>(pool.count);
        columns.resize(n * static_cast<std::size_t>(size));
        mean.resize(n);
        inverse_variance.resize(n);
        variance_f.resize(n);
        for (std::size_t k = 0; k < n; ++k) {
            const float* d = window(static_cast<int>(k));
            for (std::size_t i = 0; i < static_cast<std::size_t>(size); ++i) columns[i * n + k] = d[i];
            mean[k] = static_cast<float>(sums[k].sum / size);
            variance_f[k] = static_cast<float>(variance[k]);
            inverse_variance[k] = variance[k] > 1e-20 ? static_cast<float>(1.0 / variance[k]) : 0.0f;
        }
    }
    const float* column(int i) const { return columns.data() + static_cast<std::ptrdiff_t>(i) * pool.count; }
    float* window(int k) { return samples.data() + static_cast<std::ptrdiff_t>(k) * size; }
    const float* window(int k) const { return samples.data() + static_cast<std::ptrdiff_t>(k) * size; }
};

struct Range {
    std::vector<float> forward;
    std::vector<float> reversed;  // dot(reversed, D) = dot(forward, flipped D)
    Sums sums;
    double variance;
};

Range range_at(std::span<const float> x, int pos, int size) {
    Range r;
    r.forward.assign(x.begin() + pos, x.begin() + pos + size);
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
    f.o_code = ctx.offset.code((r.sum - s * d.sum) / n);
    const double o = ctx.offset.value(f.o_code);
    f.err = r.squares + s * s * d.squares + n * o * o - 2.0 * s * rd - 2.0 * o * r.sum + 2.0 * s * o * d.sum;
    f.err = std::max(f.err, 0.0);
    return f;
}

Fit offset_only_fit(const SearchContext& ctx, const Sums& r, int n) {
    return quantized_fit(ctx, r, Sums{}, 0.0, n);
}

// A domain of the pool, read forwards or backwards.
struct Candidate {
    int domain;
    bool flip;
};

double candidate_dot(const Range& r, const Domains& doms, Candidate c) {
    return dot(c.flip ? r.reversed.data() : r.forward.data(), doms.window(c.domain), doms.size);
}

void score_exactly(const SearchContext& ctx, const Range& r, const Domains& doms, Candidate c, Fit& best) {
    const double rd = candidate_dot(r, doms, c);
    Fit f = quantized_fit(ctx, r.sums, doms.sums[static_cast<std::size_t>(c.domain)], rd, doms.size);
    if (f.err < best.err) {
        f.domain = c.domain;
        f.flip = c.flip;
        best = f;
    }
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

    void score(const SearchContext& ctx, const Range& r, const Domains& doms, Fit& best) const {
        for (int i = 0; i < count_; ++i) score_exactly(ctx, r, doms, best_[i], best);
    }

private:
    int count_ = 0;
    double err_[kKeep] = {};
    Candidate best_[kKeep] = {};
};

// The scans below are most of the encoder's time: built for AVX2+FMA as well
// as the baseline, chosen at load time. Not under ThreadSanitizer, which
// instruments the ifunc resolver that runs before its runtime starts (a crash
// while the program loads).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
#define TQ_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define TQ_VECTOR_CLONES
#endif

// forward += a * column, backward += b * column.
TQ_VECTOR_CLONES void accumulate(const float* column, float a, float b, float* forward, float* backward,
                                 std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) {
        forward[k] += a * column[k];
        backward[k] += b * column[k];
    }
}

// The clamped-s error (less the range variance) of every domain against the
// range's correlations `dots`, into `scores`; loops vectorise across domains.
TQ_VECTOR_CLONES void score_all(const Domains& doms, const Range& r, const float* dots, float s_max, float* scores) {
    const float range_mean = static_cast<float>(r.sums.sum / doms.size);
    const float size = static_cast<float>(doms.size);
    for (int k = 0; k < doms.pool.count; ++k) {
        const float cov = dots[k] - size * range_mean * doms.mean[static_cast<std::size_t>(k)];
        const float s = std::clamp(cov * doms.inverse_variance[static_cast<std::size_t>(k)], -s_max, s_max);
        scores[k] = s * (s * doms.variance_f[static_cast<std::size_t>(k)] - 2.0f * cov);
    }
}

Fit exhaustive_fit(const SearchContext& ctx, const Range& r, const Domains& doms) {
    const std::size_t n = static_cast<std::size_t>(doms.pool.count);
    thread_local std::vector<float> forward, backward, score_f, score_b;
    forward.assign(n, 0.0f);
    backward.assign(n, 0.0f);
    score_f.resize(n);
    score_b.resize(n);
    for (int i = 0; i < doms.size; ++i) {
        const float a = r.forward[static_cast<std::size_t>(i)], b = r.reversed[static_cast<std::size_t>(i)];
        accumulate(doms.column(i), a, b, forward.data(), backward.data(), n);
    }
    const float s_max = static_cast<float>(ctx.scale.limit);
    score_all(doms, r, forward.data(), s_max, score_f.data());
    score_all(doms, r, backward.data(), s_max, score_b.data());
    Shortlist list;
    for (std::size_t k = 0; k < n; ++k) {
        list.offer_score(score_f[k], {static_cast<int>(k), false});
        list.offer_score(score_b[k], {static_cast<int>(k), true});
    }
    Fit best = offset_only_fit(ctx, r.sums, doms.size);
    list.score(ctx, r, doms, best);
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

    Fit fit(const SearchContext& ctx, const Range& r, const Domains& doms) const {
        Fit best = offset_only_fit(ctx, r.sums, doms.size);
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

std::vector<Fit> fit_ranges(const SearchContext& ctx, int size, std::span<const int> positions) {
    const int count = static_cast<int>(positions.size());
    std::vector<Fit> fits(positions.size());
    Domains doms(ctx.signal, size, ctx.p);
    std::unique_ptr<DomainIndex> index;
    if (use_hnsw(ctx.p, doms.pool.count))
        index = std::make_unique<DomainIndex>(doms, ctx.p.candidates);
    else
        doms.prepare_columns();
    parallel_for(count, ctx.threads, [&](int i) {
        const Range r = range_at(ctx.signal, positions[static_cast<std::size_t>(i)], size);
        fits[static_cast<std::size_t>(i)] = index ? index->fit(ctx, r, doms) : exhaustive_fit(ctx, r, doms);
        fits[static_cast<std::size_t>(i)].searched = true;
    });
    return fits;
}

}  // namespace tq::fractal
