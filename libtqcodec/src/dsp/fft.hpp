// Real FFTs on FFTW3f. FFTW's planner is not thread-safe, so plans are
// created (FFTW_ESTIMATE) and cached behind one mutex; executing a plan on new arrays is
// thread-safe, so every RealFft owns its own SIMD-aligned buffers.
#pragma once

#include <complex>
#include <cstddef>
#include <memory>
#include <span>

namespace tq::dsp {

struct FftwFree {
    void operator()(void* p) const;
};

class RealFft {
public:
    explicit RealFft(size_t n);
    size_t size() const { return n_; }
    size_t bins() const { return n_ / 2 + 1; }

    // Time-domain buffer of size() floats, and spectrum buffer of bins() values.
    std::span<float> time() { return {time_.get(), n_}; }
    std::span<std::complex<float>> spectrum() { return {spec_.get(), bins()}; }

    void forward();  // time() -> spectrum()
    void inverse();  // spectrum() -> time(), unnormalised (scaled by size())

private:
    size_t n_;
    std::unique_ptr<float, FftwFree> time_;
    std::unique_ptr<std::complex<float>, FftwFree> spec_;
    void* forward_plan_;
    void* inverse_plan_;
};

// The smallest 2^a 3^b 5^c >= n (sizes FFTW transforms fast).
size_t fast_fft_size(size_t n);

}  // namespace tq::dsp
