#include "families/turbo/tns.hpp"

#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include "dsp/lpc.hpp"

namespace tq::turbo {
namespace {

constexpr int kIndexMin = -(1 << (kTnsIndexBits - 1));
constexpr int kIndexMax = (1 << (kTnsIndexBits - 1)) - 1;
// Reflection coefficients are quantized uniformly in arcsin (as AAC does).
// Below this the filter's bits buy too little shaping (AAC's threshold too).
constexpr double kMinPredictionGain = 1.4;
constexpr double kIndexPerRadian = ((1 << (kTnsIndexBits - 1)) - 0.5) / (M_PI / 2);

std::vector<float> predictor(const TnsFilter& filter) {
    std::array<float, kTnsOrder> k{};
    for (int i = 0; i < kTnsOrder; ++i)
        k[static_cast<std::size_t>(i)] = static_cast<float>(std::sin(filter.index[static_cast<std::size_t>(i)] / kIndexPerRadian));
    return dsp::reflection_to_direct(k);
}

// Over [tns_start(n), n): the prediction-error filter x + sum_j a[j] x[i-1-j]
// (FIR, on the inputs), or its inverse y = x - sum_j a[j] y[i-1-j] (all-pole,
// on the outputs).
void run_filter(const TnsFilter& filter, float* x, int n, bool inverse) {
    if (!filter.active) return;
    const std::vector<float> a = predictor(filter);
    std::array<float, kTnsOrder> past{};  // the last inputs (FIR) or outputs (all-pole), newest first
    for (int i = tns_start(n); i < n; ++i) {
        float prediction = 0.0f;
        for (int j = 0; j < kTnsOrder; ++j) prediction += a[static_cast<std::size_t>(j)] * past[static_cast<std::size_t>(j)];
        const float in = x[i];
        x[i] = inverse ? in - prediction : in + prediction;
        std::copy_backward(past.begin(), past.end() - 1, past.end());
        past[0] = inverse ? x[i] : in;
    }
}

}  // namespace

int tns_start(int n) { return n / 8; }

TnsFilter tns_choose(const float* x, int n) {
    const int start = tns_start(n);
    const std::vector<double> r = dsp::autocorrelation({x + start, static_cast<std::size_t>(n - start)}, kTnsOrder);
    const dsp::Reflection refl = dsp::levinson_durbin(r);
    TnsFilter filter;
    if (!(refl.prediction_gain > kMinPredictionGain)) return filter;
    for (int i = 0; i < kTnsOrder; ++i) {
        const double k = std::clamp(refl.k[static_cast<std::size_t>(i)], -1.0, 1.0);
        filter.index[static_cast<std::size_t>(i)] =
            std::clamp(static_cast<int>(std::lround(std::asin(k) * kIndexPerRadian)), kIndexMin, kIndexMax);
    }
    filter.active = std::any_of(filter.index.begin(), filter.index.end(), [](int i) { return i != 0; });
    return filter;
}

void tns_whiten(const TnsFilter& filter, float* x, int n) { run_filter(filter, x, n, false); }

void tns_shape(const TnsFilter& filter, float* x, int n) { run_filter(filter, x, n, true); }

int tns_bits(const TnsFilter& filter) { return 1 + (filter.active ? kTnsOrder * kTnsIndexBits : 0); }

void write_tns(BitWriter& out, const TnsFilter& filter) {
    out.put_bit(filter.active);
    if (!filter.active) return;
    for (int i : filter.index) out.put(static_cast<uint32_t>(i - kIndexMin), kTnsIndexBits);
}

TnsFilter read_tns(BitReader& in) {
    TnsFilter filter;
    filter.active = in.get_bit();
    if (!filter.active) return filter;
    for (int& i : filter.index) i = static_cast<int>(in.get(kTnsIndexBits)) + kIndexMin;
    return filter;
}

}  // namespace tq::turbo
