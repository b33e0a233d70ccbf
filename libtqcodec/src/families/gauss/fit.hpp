// gauss: the fitter. From a packet's target log-magnitude it builds a Model:
// the floor from low quantiles of the target, Gaussians added in stages at
// the largest peaks of the (mel-weighted, time-smoothed) residual, with
// half-height extents along time and frequency as their first scales, Adam
// with analytic gradients on all fields (model.hpp) between stages, fill
// rounds with lower thresholds until the count is reached, then a prune of
// the Gaussians that contribute little. Deterministic for any thread count.
#pragma once

#include <span>

#include "families/gauss/model.hpp"

namespace tq::gauss {

struct FitSettings {
    int max_gaussians = 200;
    int iterations = 96;  // Adam steps of the main stages in all (fill rounds add up to half)
    int stages = 4;
    int threads = 1;
};

// target [frames][kBins], finite. The Gaussians come back ordered by their
// importance (the energy a^2 sigma1 sigma2 of their contribution), largest first.
Model fit(std::span<const float> target, int frames, const FitSettings& settings);

// A few Adam steps on `m` as it stands (geometry and amplitudes, floor), e.g.
// after pruning; `geometry` = false keeps the Gaussians' positions, scales and
// angles fixed (only amplitudes and floor move).
void refine(Model& m, std::span<const float> target, int iterations, int threads, bool geometry);

// Sorts by importance, largest first.
void order_by_importance(Model& m);

// Keeps the parameters inside the bounds the quantizer codes.
void clamp(Gaussian& g, int frames);

}  // namespace tq::gauss
