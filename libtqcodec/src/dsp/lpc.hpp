// Linear prediction: autocorrelation, Levinson–Durbin recursion to reflection
// coefficients, and the step-up from reflection to direct-form coefficients.
#pragma once

#include <span>
#include <vector>

namespace tq::dsp {

// r[0..order] of x (no window, no bias correction).
std::vector<double> autocorrelation(std::span<const float> x, int order);

// Reflection coefficients k[0..order) that minimise the forward prediction
// error of a process with autocorrelation r (r.size() = order + 1), and the
// prediction gain r[0] / error (1 when r[0] is 0: nothing to predict).
struct Reflection {
    std::vector<double> k;
    double prediction_gain = 1.0;
};
Reflection levinson_durbin(std::span<const double> r);

// Direct-form predictor a[0..order) of the reflection coefficients k:
// x[i] is predicted by -sum_j a[j] x[i-1-j] (the analysis filter is
// 1 + sum_j a[j] z^-(j+1)). Stable (minimum phase) whenever every |k| < 1.
std::vector<float> reflection_to_direct(std::span<const float> k);

}  // namespace tq::dsp
