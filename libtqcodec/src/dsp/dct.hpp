// Orthonormal DCT-II on FFTW3f (REDFT10). Plans are created once per size
// behind a mutex (FFTW's planner is not thread-safe); each Dct2 owns aligned
// buffers, so instances run concurrently.
#pragma once

#include <cstddef>
#include <memory>
#include <span>

#include "dsp/fft.hpp"

namespace tq::dsp {

class Dct2 {
public:
    explicit Dct2(size_t n);
    size_t size() const { return n_; }
    std::span<float> input() { return {in_.get(), n_}; }
    std::span<const float> output() const { return {out_.get(), n_}; }
    // input() -> output(), orthonormal: X_k = c_k sum_n x_n cos(pi (n + 1/2) k / N).
    void forward();

private:
    size_t n_;
    std::unique_ptr<float, FftwFree> in_;
    std::unique_ptr<float, FftwFree> out_;
    void* plan_;
    float dc_gain_;
    float ac_gain_;
};

}  // namespace tq::dsp
