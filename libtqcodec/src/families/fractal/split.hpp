// fractal encoder: the split tree of one channel by rate and distortion. A
// range is coded as whichever costs least of a constant (s = 0), its best
// domain map, or its two halves, where a coding costs its squared error plus
// λ times its bits (a Lagrangian); one λ serves every range of a packet, so a
// bit goes where it removes the most error, at whatever range size that is.
#pragma once

#include <cstdint>
#include <functional>
#include <iterator>
#include <limits>
#include <span>
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

// The memory of fit tables, leaf costs and trees gone, kept for the next
// ones, up to `most` at a time: an encoder makes hundreds of trees a packet,
// and fresh memory for each (the heap grown, trimmed and grown again: page
// faults) took about as long as deciding them.
template <class T>
class Spares {
public:
    explicit Spares(std::size_t most) : most_(most) {}
    // A vector kept with room for `size` elements, or a new one.
    std::vector<T> take(std::size_t size) {
        for (auto it = kept_.rbegin(); it != kept_.rend(); ++it)
            if (it->capacity() >= size) {
                std::vector<T> v = std::move(*it);
                kept_.erase(std::next(it).base());
                return v;
            }
        return {};
    }
    void give(std::vector<T>&& v) {
        if (v.capacity() > 0 && kept_.size() < most_) kept_.push_back(std::move(v));
    }

private:
    std::size_t most_;
    std::vector<std::vector<T>> kept_;
};

// The fits of every range of one channel, sizes min_range..max_range, in one
// array: the ranges of each size in order, the smallest size first.
class FitTable {
public:
    FitTable(const Params& p, int length, Spares<RangeFits>* spares = nullptr);
    FitTable(FitTable&&) noexcept = default;
    ~FitTable();
    int min_range() const { return min_range_; }
    int max_range() const { return min_range_ << (static_cast<int>(levels()) - 1); }
    std::size_t index(int size) const;  // of the level of ranges of `size`
    std::size_t levels() const { return offsets_.size() - 1; }
    std::size_t offset(std::size_t k) const { return offsets_[k]; }  // where level k starts
    std::size_t ranges() const { return offsets_.back(); }            // of every level
    std::span<RangeFits> level(int size) { return std::span(ranges_).subspan(offset(index(size)), count(size)); }
    std::span<const RangeFits> level(int size) const {
        return std::span(ranges_).subspan(offset(index(size)), count(size));
    }
    const RangeFits& at(Span r) const { return level(r.size)[static_cast<std::size_t>(r.pos / r.size)]; }
    const SizeBits& bits(int size) const { return bits_[index(size)]; }
    // The bits of r's leaf coding `fit` (a domain map costs no more than a constant when its s is 0).
    int leaf_bits(Span r, const Fit& fit) const;
    int zero_s() const { return zero_s_; }

private:
    std::size_t count(int size) const { return offset(index(size) + 1) - offset(index(size)); }

    int min_range_;
    int zero_s_;
    Spares<RangeFits>* spares_;
    std::vector<RangeFits> ranges_;
    std::vector<std::size_t> offsets_;  // levels() + 1
    std::vector<SizeBits> bits_;
};

// The split floors a stream of these parameters allows: 0..max_floor(p).
int max_floor(const Params& p);

// What the rate–distortion tree reads of every range of one channel: the
// errors and bits of its constant and of its domain map, compactly, so that
// the trees at the many λ of a rate search read a third of the FitTable's
// bytes. Inherited maps count with `inherited_residual` of their error.
// `coarse`: the fits on the coarse offset grid (a bit less per leaf).
// `spares`: where its memory comes from and goes back to (optional).
class LeafCosts {
public:
    struct Leaf {
        double flat_err;
        double mapped_err;  // infinity: no map known
        int16_t flat_bits;
        int16_t mapped_bits;
    };
    explicit LeafCosts(const FitTable& fits, double inherited_residual = 1.0, bool coarse = false,
                       Spares<Leaf>* spares = nullptr);
    LeafCosts(LeafCosts&&) noexcept = default;
    ~LeafCosts();
    const FitTable& fits() const { return fits_; }
    bool coarse() const { return coarse_; }
    const std::vector<Leaf>& leaves() const { return leaves_; }  // every level's, at FitTable's offsets

private:
    const FitTable& fits_;
    bool coarse_;
    Spares<Leaf>* spares_;
    std::vector<Leaf> leaves_;
};

// The cheapest coding of one channel's coded top ranges `tops` at one λ
// (squared error per bit): every range as a constant, as its domain map or as
// its two halves, decided for all sizes at once from the smallest up, at
// whichever split floor in `floors` costs least (ranges of min_range << floor
// are not split and pay no flag: a channel whose leaves are all large does not
// pay a flag for each). To plan which ranges to search, `costs` may count
// inherited maps with part of their error: what a search of those ranges is
// expected to leave. It decides from `costs` and `tops` (when made, and in
// decide()); what it decided reads the FitTable behind `costs`.
class RdTree final : public SplitTree {
public:
    struct Floors {
        int least;
        int most;
    };
    // A range as decided.
    enum class Choice : uint8_t { flat, mapped, halves };
    struct Node {
        double cost;
        double err;
        int bits;
        Choice choice;
    };

    RdTree(const LeafCosts& costs, const std::vector<Span>& tops, double lambda, Floors floors,
           Spares<Node>* spares = nullptr);
    RdTree(RdTree&&) noexcept = default;
    ~RdTree();

    // Decides the tree again at another λ in its own memory (a rate search decides at many).
    void decide(double lambda);

    // Of the top ranges as decided: error + λ·bits, the error, and the bits (split flags included).
    double cost() const { return cost_; }
    double distortion() const { return distortion_; }
    long bits() const { return bits_; }

    int floor() const override { return floor_; }
    bool split(Span r) const override { return node(r).choice == Choice::halves; }
    bool coarse_offsets() const override { return coarse_; }
    LeafCodes leaf(Span r) const override;

private:
    // Nodes of every level at FitTable's offsets (leaves_), or of the levels
    // from 1 up, at those offsets less offset(1) (above: level 0 is never split).
    using Levels = std::vector<Node>;
    std::size_t above_index(std::size_t k) const { return fits_.offset(k) - fits_.offset(1); }

    static Node leaf_node(const LeafCosts::Leaf& leaf, double lambda);
    // The nodes of the levels above `split_floor` into `above`.
    void decide_above(int split_floor, double lambda, Levels& above) const;
    const Node& node_in(const Levels& above, int split_floor, Span r) const;
    const Node& node(Span r) const { return node_in(above_, floor_, r); }

    const FitTable& fits_;
    bool coarse_;
    const LeafCosts& costs_;
    const std::vector<Span>& tops_;
    Floors floors_;
    Spares<Node>* spares_;
    Levels leaves_;  // every range coded as a leaf, without a split flag
    Levels above_;   // the levels above the floor, as decided
    Levels spare_;   // the levels above another floor, while deciding
    double lambda_ = std::numeric_limits<double>::quiet_NaN();  // decided at
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
