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

RdTree::RdTree(const FitTable& fits, double lambda, double inherited_residual) : fits_(fits) {
    for (int size = fits.min_range(); size <= fits.max_range(); size *= 2) {
        const std::vector<RangeFits>& level = fits.level(size);
        std::vector<Node> nodes;
        nodes.reserve(level.size());
        const SizeBits& bits = fits.bits(size);
        for (std::size_t i = 0; i < level.size(); ++i) {
            Node node = leaf_node(level[i], bits, lambda, inherited_residual);
            if (size > fits.min_range()) {
                const Node& first = nodes_.back()[2 * i];
                const Node& second = nodes_.back()[2 * i + 1];
                const double halves = first.cost + second.cost + lambda * bits.flag;
                if (halves < node.cost)
                    node = {halves, first.err + second.err, first.bits + second.bits + bits.flag, Choice::halves};
            }
            nodes.push_back(node);
        }
        nodes_.push_back(std::move(nodes));
    }
}

RdTree::Node RdTree::leaf_node(const RangeFits& fits, const SizeBits& bits, double lambda,
                               double inherited_residual) const {
    const int flat_bits = bits.flat + bits.flag;
    Node best{fits.flat.err + lambda * flat_bits, fits.flat.err, flat_bits, Choice::flat};
    if (fits.map == RangeFits::Map::none) return best;
    const double err = fits.map == RangeFits::Map::inherited ? inherited_residual * fits.mapped.err : fits.mapped.err;
    const int mapped_bits = (fits.mapped.s_code == fits_.zero_s() ? bits.flat : bits.mapped) + bits.flag;
    if (err + lambda * mapped_bits < best.cost) best = {err + lambda * mapped_bits, err, mapped_bits, Choice::mapped};
    return best;
}

double RdTree::code(Span r) {
    const Node& n = node(r);
    distortion_ += n.err;
    bits_ += n.bits;
    return n.cost;
}

LeafCodes RdTree::leaf(Span r) const {
    const RangeFits& fits = fits_.at(r);
    const Fit& f = node(r).choice == Choice::mapped ? fits.mapped : fits.flat;
    return {f.s_code, f.domain, f.flip, f.o_code};
}

double lambda_for_budget(const std::function<double(double)>& bits, double budget, double guess, double lo, double hi,
                         double precision) {
    const auto over = [&](double lambda) { return bits(lambda) - budget; };  // > 0: does not fit
    // A bracket, over(fails) > 0 >= over(fits), by steps from the guess that
    // grow (x4, x16, x256, ...) so that lo or hi is soon reached.
    double fails = std::clamp(guess, lo, hi), fits = fails;
    double over_fails = over(fails), over_fits = over_fails;
    if (over_fits <= 0) {
        for (double step = 4.0; over_fails <= 0; step *= step) {
            if (fails == lo) return lo;
            fits = fails;
            over_fits = over_fails;
            fails = std::max(lo, fails / step);
            over_fails = over(fails);
        }
    } else {
        for (double step = 4.0; over_fits > 0; step *= step) {
            if (fits == hi) return hi;
            fails = fits;
            over_fails = over_fits;
            fits = std::min(hi, fits * step);
            over_fits = over(fits);
        }
    }
    // Regula falsi on log λ, bits(λ) being smooth at the scale of a packet's
    // thousands of ranges; Illinois: an end kept twice in a row counts half.
    double a = std::log(fails), b = std::log(fits);
    int kept = 0;  // the end kept last time: -1 a, +1 b
    while (b - a > std::log(precision)) {
        double x = (a * over_fits - b * over_fails) / (over_fits - over_fails);
        if (!(x > a + 0.01 * (b - a) && x < b - 0.01 * (b - a))) x = 0.5 * (a + b);
        const double over_x = over(std::exp(x));
        if (over_x > 0) {
            a = x;
            over_fails = over_x;
            if (kept > 0) over_fits *= 0.5;
            kept = 1;
        } else {
            b = x;
            over_fits = over_x;
            if (kept < 0) over_fails *= 0.5;
            kept = -1;
        }
    }
    return std::exp(b);
}

}  // namespace tq::fractal
