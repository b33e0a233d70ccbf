#include "families/turbo/allocation.hpp"

#include <queue>
#include <utility>

#include "families/turbo/bands.hpp"

namespace tq::turbo {
namespace {

// 64 x log2 of the Lloyd-Max MSE drop from b to b+1 bits (BITSTREAM.md 8.3).
constexpr int kStepGain[kMaxBandBits] = {-42, -130, -230, -340, -458, -580, -705, -832};

// 64 x log2(gain^2) = 32 x gain index (+ a constant that cancels).
int priority(const AllocationUnit& unit, int bits) { return 32 * unit.gain_index + unit.bias + kStepGain[bits]; }

struct Step {
    int priority;
    int unit;
    bool operator<(const Step& o) const {  // std::priority_queue pops the largest
        return priority != o.priority ? priority < o.priority : unit > o.unit;
    }
};

}  // namespace

std::span<const int> step_gain_table() { return kStepGain; }

std::vector<uint8_t> allocate_bits(std::span<const AllocationUnit> units, long budget) {
    std::vector<uint8_t> bits(units.size(), 0);
    std::vector<Step> initial;
    for (std::size_t u = 0; u < units.size(); ++u)
        if (units[u].gain_index > 0) initial.push_back({priority(units[u], 0), static_cast<int>(u)});
    std::priority_queue<Step> queue(std::less<Step>(), std::move(initial));
    while (!queue.empty() && budget > 0) {
        const int u = queue.top().unit;
        queue.pop();
        const AllocationUnit& unit = units[static_cast<std::size_t>(u)];
        if (unit.width > budget) continue;
        budget -= unit.width;
        const int b = ++bits[static_cast<std::size_t>(u)];
        if (b < kMaxBandBits) queue.push({priority(unit, b), u});
    }
    return bits;
}

}  // namespace tq::turbo
