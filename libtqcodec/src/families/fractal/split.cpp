#include "families/fractal/split.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace tq::fractal {

FitTable::FitTable(const Params& p, int length, Spares<RangeFits>* spares)
    : min_range_(p.min_range),
      zero_s_(ScaleQuantizer(p).zero_code()),
      spares_(spares) {
    offsets_.push_back(0);
    for (int size = p.min_range; size <= p.max_range; size *= 2) {
        offsets_.push_back(offsets_.back() + static_cast<std::size_t>(length / size));
        bits_.push_back({fractal::leaf_bits(size, false, length, p), fractal::leaf_bits(size, true, length, p)});
    }
    if (spares_) ranges_ = spares_->take(ranges());
    ranges_.assign(ranges(), RangeFits{});
}

FitTable::~FitTable() {
    if (spares_) spares_->give(std::move(ranges_));
}

std::size_t FitTable::index(int size) const {
    return static_cast<std::size_t>(std::countr_zero(static_cast<unsigned>(size / min_range_)));
}

int FitTable::leaf_bits(Span r, const Fit& fit) const {
    return fit.s_code == zero_s_ ? bits(r.size).flat : bits(r.size).mapped;
}

int max_floor(const Params& p) {
    if (floor_bits(p) == 0) return 0;
    return std::min(kMaxFloor, std::countr_zero(static_cast<unsigned>(p.max_range / p.min_range)));
}

LeafCosts::LeafCosts(const FitTable& fits, double inherited_residual, bool coarse, Spares<Leaf>* spares)
    : fits_(fits), coarse_(coarse), spares_(spares) {
    const int saved_bits = coarse ? 1 : 0;  // each leaf has one o code
    if (spares_) leaves_ = spares_->take(fits.ranges());
    leaves_.clear();
    leaves_.reserve(fits.ranges());
    for (int size = fits.min_range(); size <= fits.max_range(); size *= 2) {
        const SizeBits& bits = fits.bits(size);
        for (const RangeFits& range : fits.level(size)) {
            const Fit& mapped = range.mapped_on(coarse);
            Leaf leaf{range.flat_on(coarse).err, std::numeric_limits<double>::infinity(),
                      static_cast<int16_t>(bits.flat - saved_bits),
                      static_cast<int16_t>(fits.leaf_bits({0, size}, mapped) - saved_bits)};
            if (range.map != RangeFits::Map::none)
                leaf.mapped_err = range.map == RangeFits::Map::inherited ? inherited_residual * mapped.err : mapped.err;
            leaves_.push_back(leaf);
        }
    }
}

LeafCosts::~LeafCosts() {
    if (spares_) spares_->give(std::move(leaves_));
}

RdTree::RdTree(const LeafCosts& costs, const std::vector<Span>& tops, double lambda, Floors floors,
               Spares<Node>* spares)
    : fits_(costs.fits()), coarse_(costs.coarse()), costs_(costs), tops_(tops), floors_(floors), spares_(spares) {
    const std::size_t above = fits_.ranges() - fits_.offset(1);
    for (auto [levels, size] : {std::pair{&leaves_, fits_.ranges()}, {&above_, above}, {&spare_, above}}) {
        if (spares_) *levels = spares_->take(size);
        levels->resize(size);
    }
    decide(lambda);
}

RdTree::~RdTree() {
    if (!spares_) return;
    for (Levels* levels : {&leaves_, &above_, &spare_}) spares_->give(std::move(*levels));
}

void RdTree::decide(double lambda) {
    if (lambda == lambda_) return;
    lambda_ = lambda;
    const std::vector<LeafCosts::Leaf>& leaves = costs_.leaves();
    for (std::size_t i = 0; i < leaves.size(); ++i) leaves_[i] = leaf_node(leaves[i], lambda);
    for (int split_floor = floors_.least; split_floor <= floors_.most; ++split_floor) {
        decide_above(split_floor, lambda, spare_);
        double cost = 0.0;
        for (const Span& top : tops_) cost += node_in(spare_, split_floor, top).cost;
        if (split_floor == floors_.least || cost < cost_) {
            std::swap(above_, spare_);
            floor_ = split_floor;
            cost_ = cost;
        }
    }
    distortion_ = 0.0;
    bits_ = 0;
    for (const Span& top : tops_) {
        distortion_ += node(top).err;
        bits_ += node(top).bits;
    }
}

void RdTree::decide_above(int split_floor, double lambda, Levels& above) const {
    for (std::size_t k = static_cast<std::size_t>(split_floor) + 1; k < fits_.levels(); ++k) {
        const Node* halves = k - 1 > static_cast<std::size_t>(split_floor) ? above.data() + above_index(k - 1)
                                                                          : leaves_.data() + fits_.offset(k - 1);
        const Node* leaves = leaves_.data() + fits_.offset(k);
        Node* nodes = above.data() + above_index(k);
        const std::size_t count = fits_.offset(k + 1) - fits_.offset(k);
        for (std::size_t i = 0; i < count; ++i) {
            Node node = leaves[i];
            node.cost += lambda * kSplitFlagBits;
            node.bits += kSplitFlagBits;
            const Node& first = halves[2 * i];
            const Node& second = halves[2 * i + 1];
            const double split_cost = first.cost + second.cost + lambda * kSplitFlagBits;
            if (split_cost < node.cost)
                node = {split_cost, first.err + second.err, first.bits + second.bits + kSplitFlagBits, Choice::halves};
            nodes[i] = node;
        }
    }
}

const RdTree::Node& RdTree::node_in(const Levels& above, int split_floor, Span r) const {
    const std::size_t k = fits_.index(r.size), i = static_cast<std::size_t>(r.pos / r.size);
    return k > static_cast<std::size_t>(split_floor) ? above[above_index(k) + i] : leaves_[fits_.offset(k) + i];
}

RdTree::Node RdTree::leaf_node(const LeafCosts::Leaf& leaf, double lambda) {
    const double flat = leaf.flat_err + lambda * leaf.flat_bits;
    const double mapped = leaf.mapped_err + lambda * leaf.mapped_bits;  // infinite without a map
    if (mapped < flat) return {mapped, leaf.mapped_err, leaf.mapped_bits, Choice::mapped};
    return {flat, leaf.flat_err, leaf.flat_bits, Choice::flat};
}

LeafCodes RdTree::leaf(Span r) const {
    const RangeFits& fits = fits_.at(r);
    const Fit& f = node(r).choice == Choice::mapped ? fits.mapped_on(coarse_) : fits.flat_on(coarse_);
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
