#include "dsp/dct.hpp"

#include "dsp/fftw_planner.hpp"

#include <fftw3.h>

#include <cmath>
#include <new>

namespace tq::dsp {
namespace {


fftwf_plan make_plan(size_t n) {
    float* in = fftwf_alloc_real(n);
    float* out = fftwf_alloc_real(n);
    if (!in || !out) throw std::bad_alloc();
    fftwf_plan plan = fftwf_plan_r2r_1d(static_cast<int>(n), in, out, FFTW_REDFT10, FFTW_ESTIMATE);
    fftwf_free(in);
    fftwf_free(out);
    if (!plan) throw std::bad_alloc();
    return plan;
}


}  // namespace

Dct2::Dct2(size_t n)
    : n_(n),
      in_(fftw_checked(fftwf_alloc_real(n))),
      out_(fftw_checked(fftwf_alloc_real(n))),
      plan_(cached_plan<make_plan>(n)),
      // FFTW's REDFT10 is 2 sum x_n cos(...): unnormalised.
      dc_gain_(static_cast<float>(std::sqrt(1.0 / (4.0 * static_cast<double>(n))))),
      ac_gain_(static_cast<float>(std::sqrt(1.0 / (2.0 * static_cast<double>(n))))) {}

void Dct2::forward() {
    fftwf_execute_r2r(static_cast<fftwf_plan>(plan_), in_.get(), out_.get());
    float* out = out_.get();
    out[0] *= dc_gain_;
    for (size_t k = 1; k < n_; ++k) out[k] *= ac_gain_;
}

}  // namespace tq::dsp
