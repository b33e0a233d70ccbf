// fractal encoder: the split tree of one channel by rate and distortion. A
// range is coded as whichever costs least of a constant (s = 0), its best
// domain map, or its two halves, where a coding costs its squared error plus
// λ times its bits (a Lagrangian); one λ serves every range of a packet, so a
// bit goes where it removes the most error, at whatever range size that is.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "families/fractal/bitstream.hpp"
#include "families/fractal/params.hpp"
#include "families/fractal/search.hpp"

namespace tq::fractal {

// What the encoder knows of one range: its best constant map, and a domain
// map: the best of the pool once searched, else the half of its parent's map
// (search.hpp: half_maps) where the parent has one. In a version 3 stream,
// the same on the channel's coarse offset grid too.
struct RangeFits {
    enum class Map : uint8_t { none, inherited, searched };
    Fit flat;
    Fit mapped;
    Fit coarse_flat;
    Fit coarse_mapped;
    Map map = Map::none;

    const Fit& flat_on(bool coarse) const { return coarse ? coarse_flat : flat; }
    const Fit& mapped_on(bool coarse) const { return coarse ? coarse_mapped : mapped; }
};

// What a range of one size costs in bits (bitstream.hpp): as a constant and as
// a domain map (its split flag aside).
struct SizeBits {
    int flat;
    int mapped;
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

// The split floors a stream of these parameters allows: 0..max_floor(p).
int max_floor(const Params& p);

// What the rate–distortion tree reads of every range of one channel: the
// errors and bits of its constant and of its domain map, compactly, so that
// the trees at the many λ of a rate search read a third of the FitTable's
// bytes. Inherited maps count with `inherited_residual` of their error.
// `coarse`: the fits on the coarse offset grid (a bit less per leaf).
class LeafCosts {
public:
    struct Leaf {
        double flat_err;
        double mapped_err;  // infinity: no map known
        int16_t flat_bits;
        int16_t mapped_bits;
    };
    explicit LeafCosts(const FitTable& fits, double inherited_residual = 1.0, bool coarse = false);
    const FitTable& fits() const { return fits_; }
    bool coarse() const { return coarse_; }
    const std::vector<Leaf>& level(std::size_t k) const { return levels_[k]; }
    std::size_t levels() const { return levels_.size(); }

private:
    const FitTable& fits_;
    bool coarse_;
    std::vector<std::vector<Leaf>> levels_;  // as FitTable's
};

// The cheapest coding of one channel's coded top ranges `tops` at one λ
// (squared error per bit): every range as a constant, as its domain map or as
// its two halves, decided for all sizes at once from the smallest up, at
// whichever split floor in `floors` costs least (ranges of min_range << floor
// are not split and pay no flag: a channel whose leaves are all large does not
// pay a flag for each). To plan which ranges to search, `costs` may count
// inherited maps with part of their error: what a search of those ranges is
// expected to leave.
class RdTree final : public SplitTree {
public:
    struct Floors {
        int least;
        int most;
    };
    RdTree(const LeafCosts& costs, const std::vector<Span>& tops, double lambda, Floors floors);

    // Of the top ranges as decided: error + λ·bits, the error, and the bits (split flags included).
    double cost() const { return cost_; }
    double distortion() const { return distortion_; }
    long bits() const { return bits_; }

    int floor() const override { return floor_; }
    bool split(Span r) const override { return node(r).choice == Choice::halves; }
    bool coarse_offsets() const override { return coarse_; }
    LeafCodes leaf(Span r) const override;

private:
    enum class Choice : uint8_t { flat, mapped, halves };
    struct Node {
        double cost;
        double err;
        int bits;
        Choice choice;
    };
    using Levels = std::vector<std::vector<Node>>;  // as FitTable's levels

    static Node leaf_node(const LeafCosts::Leaf& leaf, double lambda);
    // The nodes of the levels above `split_floor` into `above`.
    void decide_above(int split_floor, double lambda, Levels& above) const;
    const Node& node_in(const Levels& above, int split_floor, Span r) const;
    const Node& node(Span r) const { return node_in(above_, floor_, r); }

    const FitTable& fits_;
    bool coarse_;
    Levels leaves_;  // every range coded as a leaf, without a split flag
    Levels above_;   // the levels above the floor, as decided
    int floor_ = 0;
    double cost_ = 0.0;
    double distortion_ = 0.0;
    long bits_ = 0;
};

// λ for a bit budget: the smallest λ in [lo, hi] whose packet, bits(λ), fits
// `budget`, to a ratio of `precision` (steps from `guess` to a bracket, then
// regula falsi on log λ); bits must not rise with λ. hi if none fits.
double lambda_for_budget(const std::function<double(double)>& bits, double budget, double guess, double lo, double hi,
                         double precision);

}  // namespace tq::fractal
