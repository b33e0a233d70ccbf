#include "families/turbo/bands.hpp"

#include <algorithm>
#include <cmath>
#include <span>

namespace tq::turbo {
namespace {

struct BandGroup {
    int count;
    int width;  // at n = 1024
};

constexpr BandGroup kMseGroupsAt1024[] = {{8, 4}, {4, 8}, {4, 16}, {4, 32}, {2, 128}, {2, 256}};
// tune=perceptual: the top half-octaves in 8 bands each, so that noise-filled
// and energy-kept bands follow the spectral envelope up there too.
constexpr BandGroup kPerceptualGroupsAt1024[] = {{8, 4}, {4, 8}, {4, 16}, {4, 32}, {8, 32}, {8, 64}};

constexpr float kQuarterOctaves[kGainStepsPerOctave] = {1.0f, 1.1892071150027210f, 1.4142135623730951f,
                                                        1.6817928305074290f};

}  // namespace

// Each group keeps its share of the spectrum; below n = 1024 a group whose
// bands would shrink under one coefficient gets fewer, one-coefficient-wide bands.
BandLayout mdct_bands(int n, Tune tune) {
    BandLayout layout;
    int offset = 0;
    const std::span<const BandGroup> groups =
        tune == Tune::perceptual ? std::span<const BandGroup>(kPerceptualGroupsAt1024) : kMseGroupsAt1024;
    for (const BandGroup& g : groups) {
        const int total = g.count * g.width * n / 1024;
        const int width = std::max(1, g.width * n / 1024);
        for (int i = 0; i < total / width; ++i) {
            layout.offset.push_back(offset);
            layout.width.push_back(width);
            offset += width;
        }
    }
    return layout;
}

float gain_value(int index) {
    const int e = index - kGainUnity;
    const int octave = e >= 0 ? e / kGainStepsPerOctave : -((-e + kGainStepsPerOctave - 1) / kGainStepsPerOctave);
    return std::ldexp(kQuarterOctaves[e - octave * kGainStepsPerOctave], octave);
}

int nearest_gain_index(double rms) {
    if (!(rms > 0.0)) return 0;
    const double steps = std::round(kGainStepsPerOctave * std::log2(rms)) + kGainUnity;
    if (steps < 1.0) return 0;
    return static_cast<int>(std::min(steps, static_cast<double>(kGainMaxIndex)));
}

}  // namespace tq::turbo
