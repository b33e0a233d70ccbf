#include "dsp/lpc.hpp"

#include <cstddef>

namespace tq::dsp {

std::vector<double> autocorrelation(std::span<const float> x, int order) {
    std::vector<double> r(static_cast<std::size_t>(order) + 1, 0.0);
    for (std::size_t lag = 0; lag < r.size(); ++lag)
        for (std::size_t i = lag; i < x.size(); ++i) r[lag] += static_cast<double>(x[i]) * x[i - lag];
    return r;
}

Reflection levinson_durbin(std::span<const double> r) {
    const std::size_t order = r.size() - 1;
    Reflection out;
    out.k.assign(order, 0.0);
    if (!(r[0] > 0.0)) return out;
    std::vector<double> a(order + 1, 0.0), prev(order + 1, 0.0);
    a[0] = 1.0;
    double error = r[0];
    for (std::size_t m = 1; m <= order; ++m) {
        double acc = r[m];
        for (std::size_t j = 1; j < m; ++j) acc += a[j] * r[m - j];
        const double k = -acc / error;
        out.k[m - 1] = k;
        prev = a;
        for (std::size_t j = 1; j < m; ++j) a[j] = prev[j] + k * prev[m - j];
        a[m] = k;
        error *= 1.0 - k * k;
        if (!(error > 0.0)) break;
    }
    out.prediction_gain = error > 0.0 ? r[0] / error : 1.0;
    return out;
}

std::vector<float> reflection_to_direct(std::span<const float> k) {
    std::vector<float> a(k.size(), 0.0f), prev(k.size(), 0.0f);
    for (std::size_t m = 0; m < k.size(); ++m) {
        prev = a;
        for (std::size_t j = 0; j < m; ++j) a[j] = prev[j] + k[m] * prev[m - 1 - j];
        a[m] = k[m];
    }
    return a;
}

}  // namespace tq::dsp
