// fractal encoder: the split tree of one channel by rate and distortion. A
// range is coded as whichever costs least of a constant (s = 0), its best
// domain map, or its two halves, where a coding costs its squared error plus
// λ times its bits (a Lagrangian); one λ serves every range of a packet, so a
// bit goes where it removes the most error, at whatever range size that is.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "families/fractal/bitstream.hpp"
#include "families/fractal/params.hpp"
#include "families/fractal/search.hpp"

namespace tq::fractal {

// What the encoder knows of one range: its best constant map, and a domain
// map: the best of the pool once searched, else the half of its parent's map
// (search.hpp: half_maps) where the parent has one.
struct RangeFits {
    enum class Map : uint8_t { none, inherited, searched };
    Fit flat;
    Fit mapped;
    Map map = Map::none;
};

// What a range of one size costs in bits (bitstream.hpp): as a constant, as a
// domain map, and its split flag.
struct SizeBits {
    int flat;
    int mapped;
    int flag;
};

// The fits of every range of one channel, sizes min_range..max_range.
class FitTable {
public:
    FitTable(const Params& p, int length);
    int min_range() const { return min_range_; }
    int max_range() const { return min_range_ << (static_cast<int>(levels_.size()) - 1); }
    std::size_t index(int size) const;  // of the level of ranges of `size`
    std::vector<RangeFits>& level(int size) { return levels_[index(size)]; }
    const std::vector<RangeFits>& level(int size) const { return levels_[index(size)]; }
    const RangeFits& at(Span r) const { return level(r.size)[static_cast<std::size_t>(r.pos / r.size)]; }
    const SizeBits& bits(int size) const { return bits_[index(size)]; }
    // The bits of r's leaf coding `fit` (a domain map costs no more than a constant when its s is 0).
    int leaf_bits(Span r, const Fit& fit) const;
    int zero_s() const { return zero_s_; }

private:
    int min_range_;
    int zero_s_;
    std::vector<std::vector<RangeFits>> levels_;  // [log2(size / min_range)][pos / size]
    std::vector<SizeBits> bits_;
};

// The cheapest coding of every range at one λ (squared error per bit),
// decided for all sizes at once from the smallest up. To plan which ranges to
// search, inherited maps may be counted with `inherited_residual` of their
// error: what a search of those ranges is expected to leave.
class RdTree final : public SplitTree {
public:
    RdTree(const FitTable& fits, double lambda, double inherited_residual = 1.0);

    // Codes top range r as decided: returns its cost, error + λ·bits, and
    // counts its error and bits (split flags included) in the totals.
    double code(Span r);
    double distortion() const { return distortion_; }
    long bits() const { return bits_; }

    bool split(Span r) const override { return node(r).choice == Choice::halves; }
    LeafCodes leaf(Span r) const override;

private:
    enum class Choice : uint8_t { flat, mapped, halves };
    struct Node {
        double cost;
        double err;
        int bits;
        Choice choice;
    };

    Node leaf_node(const RangeFits& fits, const SizeBits& bits, double lambda, double inherited_residual) const;
    const Node& node(Span r) const { return nodes_[fits_.index(r.size)][static_cast<std::size_t>(r.pos / r.size)]; }

    const FitTable& fits_;
    std::vector<std::vector<Node>> nodes_;  // as FitTable's levels
    double distortion_ = 0.0;
    long bits_ = 0;
};

// λ for a bit budget: the smallest λ in [lo, hi] whose packet, bits(λ), fits
// `budget`, to a ratio of `precision` (steps from `guess` to a bracket, then
// regula falsi on log λ); bits must not rise with λ. hi if none fits.
double lambda_for_budget(const std::function<double(double)>& bits, double budget, double guess, double lo, double hi,
                         double precision);

}  // namespace tq::fractal
