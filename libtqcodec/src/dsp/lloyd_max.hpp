// Exact Lloyd-Max (minimum-MSE) scalar quantizers for the unit Gaussian,
// 1..8 bits (2..256 levels), plus a fast nearest-level quantizer.
//
// The tables are computed, not sampled: the Lloyd conditions (levels =
// Gaussian centroids of their cells, thresholds = midpoints of neighbouring
// levels) are solved on the N(0,1) density using closed forms,
//     centroid of [a,b] = (phi(a) - phi(b)) / (Phi(b) - Phi(a)),   Phi via erfc,
// in double precision: Newton steps on the Lloyd fixed-point equation, then
// plain Lloyd sweeps until no level moves by more than 1e-13. Each table is
// built once per process, on first use, thread-safely (std::call_once).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace tq::dsp {

// Nearest-level quantizer for an ascending set of reconstruction levels; the
// decision thresholds are the midpoints between neighbouring levels.
// quantize() is O(1): a uniform-grid look-up table (cells at most half as wide
// as the narrowest decision interval) plus one compare that fixes up the cell
// holding a threshold. Any float, including +-inf and NaN, maps to a valid index.
class ScalarQuantizer {
public:
    ScalarQuantizer() = default;
    // 2..65535 strictly ascending levels.
    explicit ScalarQuantizer(std::span<const double> levels);

    int size() const { return static_cast<int>(levels_.size()); }
    float level(int i) const { return levels_[static_cast<std::size_t>(i)]; }
    const float* levels() const { return levels_.data(); }
    // size()-1 decision thresholds (threshold i separates level i and i+1).
    std::span<const float> thresholds() const { return {thresholds_.data(), levels_.size() - 1}; }

    int quantize(float x) const {
        float f = (x - lo_) * inv_width_;
        f = f > 0.0f ? f : 0.0f;  // also maps NaN to cell 0
        f = f < last_cell_ ? f : last_cell_;
        int i = lut_[static_cast<std::size_t>(f)];
        i += x > thresholds_[static_cast<std::size_t>(i)] ? 1 : 0;
        return i;
    }

private:
    std::vector<float> levels_;
    std::vector<float> thresholds_;  // plus a +inf sentinel
    std::vector<uint16_t> lut_;      // cell -> lowest level index a value in the cell can have
    float lo_ = 0.0f;
    float inv_width_ = 1.0f;
    float last_cell_ = 0.0f;
};

struct LloydMaxTable {
    int bits = 0;
    int levels = 0;                      // 2^bits
    std::vector<double> level;           // `levels` reconstruction levels, ascending, odd-symmetric
    std::vector<double> threshold;       // levels-1 decision thresholds (midpoints of levels)
    std::vector<double> probability;     // P(X in cell i)
    double mse = 0.0;                    // E[(X - Q(X))^2] for X ~ N(0,1), exact integral
    // Residual refinement: cell i split at its level y_i into [t_i, y_i] and
    // [y_i, t_{i+1}] (t_0 = -inf, t_L = +inf); half_centroid[2i] and
    // half_centroid[2i+1] are the Gaussian centroids of the lower and upper half.
    std::vector<double> half_centroid;   // 2 * levels, ascending
    double half_mse = 0.0;               // MSE when coding the half and reconstructing at its centroid
    int iterations = 0;                  // Lloyd iterations it took to converge
    ScalarQuantizer quantizer;           // nearest level (= the Lloyd-Max cell)

    int quantize(float x) const { return quantizer.quantize(x); }
};

inline constexpr int kLloydMaxMinBits = 1;
inline constexpr int kLloydMaxMaxBits = 8;

// The b-bit table, 1 <= b <= 8 (else throws tq::Error(TQ_ERR_INTERNAL)).
const LloydMaxTable& lloyd_max(int bits);

// Closed forms for the standard normal, exposed for the tests.
double gaussian_pdf(double x);
// P(X > x), accurate in the upper tail.
double gaussian_tail(double x);
// E[X | a < X < b]; a may be -inf, b may be +inf.
double gaussian_centroid(double a, double b);
// E[(X - c)^2 ; a < X < b] (unnormalised: the cell's contribution to the MSE).
double gaussian_cell_error(double a, double b, double c);

}  // namespace tq::dsp
