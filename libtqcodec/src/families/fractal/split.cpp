#include "families/fractal/split.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace tq::fractal {

FitTable::FitTable(const Params& p, int length) : min_range_(p.min_range), zero_s_(ScaleQuantizer(p).zero_code()) {
    for (int size = p.min_range; size <= p.max_range; size *= 2) {
        levels_.emplace_back(static_cast<std::size_t>(length / size));
        bits_.push_back({fractal::leaf_bits(size, false, length, p), fractal::leaf_bits(size, true, length, p),
                         split_flag_bits(size, p)});
    }
}

std::size_t FitTable::index(int size) const {
    return static_cast<std::size_t>(std::countr_zero(static_cast<unsigned>(size / min_range_)));
}

int FitTable::leaf_bits(Span r, const Fit& fit) const {
    return fit.s_code == zero_s_ ? bits(r.size).flat : bits(r.size).mapped;
}

RdTree::RdTree(const FitTable& fits, double lambda, double inherited_residual)
    : fits_(fits), lambda_(lambda), inherited_residual_(inherited_residual) {
    for (int size = fits.min_range(); size <= fits.max_range(); size *= 2)
        choices_.emplace_back(fits.level(size).size(), Choice::flat);
}

double RdTree::decide(Span r) {
    const Decided d = decide_node(r);
    distortion_ += d.err;
    return d.cost;
}

RdTree::Decided RdTree::decide_node(Span r) {
    const RangeFits& fits = fits_.at(r);
    const double flag = lambda_ * fits_.bits(r.size).flag;
    Choice best = Choice::flat;
    Decided cost{fits.flat.err + lambda_ * fits_.leaf_bits(r, fits.flat) + flag, fits.flat.err};
    if (fits.map != RangeFits::Map::none) {
        const double err = fits.map == RangeFits::Map::inherited ? inherited_residual_ * fits.mapped.err : fits.mapped.err;
        const double mapped = err + lambda_ * fits_.leaf_bits(r, fits.mapped) + flag;
        if (mapped < cost.cost) {
            cost = {mapped, err};
            best = Choice::mapped;
        }
    }
    if (r.size > fits_.min_range()) {
        const Decided first = decide_node({r.pos, r.size / 2});
        const Decided second = decide_node({r.pos + r.size / 2, r.size / 2});
        if (first.cost + second.cost + flag < cost.cost) {
            cost = {first.cost + second.cost + flag, first.err + second.err};
            best = Choice::halves;
        }
    }
    choice(r) = best;
    return cost;
}

LeafCodes RdTree::leaf(Span r) const {
    const RangeFits& fits = fits_.at(r);
    const Fit& f = choice(r) == Choice::mapped ? fits.mapped : fits.flat;
    return {f.s_code, f.domain, f.flip, f.o_code};
}

double lambda_for_budget(const std::function<double(double)>& bits, double budget, double guess, double lo, double hi,
                         double precision) {
    constexpr double kStep = 4.0;
    // A bracket: bits(fails) > budget >= bits(fits), found by stepping from the guess.
    double fails = std::clamp(guess, lo, hi), fits = fails;
    if (bits(fits) <= budget) {
        while (fails > lo) {
            fits = fails;
            fails = std::max(lo, fails / kStep);
            if (bits(fails) > budget) break;
        }
        if (!(bits(fails) > budget)) return lo;
    } else {
        while (fits < hi) {
            fails = fits;
            fits = std::min(hi, fits * kStep);
            if (bits(fits) <= budget) break;
        }
        if (bits(fits) > budget) return hi;
    }
    double log_fails = std::log(fails), log_fits = std::log(fits);
    const double log_precision = std::log(precision);
    while (log_fits - log_fails > log_precision) {
        const double mid = 0.5 * (log_fails + log_fits);
        (bits(std::exp(mid)) > budget ? log_fails : log_fits) = mid;
    }
    return std::exp(log_fits);
}

}  // namespace tq::fractal
