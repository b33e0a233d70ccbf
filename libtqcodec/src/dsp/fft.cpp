#include "dsp/fft.hpp"

#include "dsp/fftw_planner.hpp"

#include <fftw3.h>

#include <mutex>
#include <new>
#include <utility>

namespace tq::dsp {

std::mutex& fftw_planner_mutex() {
    static std::mutex mutex;
    return mutex;
}

namespace {

// Plans live for the whole process (cached_plan): one pair per size.
struct PlanPair {
    fftwf_plan forward;
    fftwf_plan inverse;
};

PlanPair make_plans(size_t n) {
    float* t = fftwf_alloc_real(n);
    fftwf_complex* s = fftwf_alloc_complex(n / 2 + 1);
    if (!t || !s) throw std::bad_alloc();
    const int len = static_cast<int>(n);
    PlanPair p{fftwf_plan_dft_r2c_1d(len, t, s, FFTW_ESTIMATE),
               fftwf_plan_dft_c2r_1d(len, s, t, FFTW_ESTIMATE)};
    fftwf_free(t);
    fftwf_free(s);
    if (!p.forward || !p.inverse) throw std::bad_alloc();
    return p;
}


}  // namespace

void FftwFree::operator()(void* p) const { fftwf_free(p); }

RealFft::RealFft(size_t n)
    : n_(n),
      time_(fftw_checked(fftwf_alloc_real(n))),
      spec_(reinterpret_cast<std::complex<float>*>(fftw_checked(fftwf_alloc_complex(n / 2 + 1)))) {
    PlanPair p = cached_plan<make_plans>(n);
    forward_plan_ = p.forward;
    inverse_plan_ = p.inverse;
}

void RealFft::forward() {
    fftwf_execute_dft_r2c(static_cast<fftwf_plan>(forward_plan_), time_.get(),
                          reinterpret_cast<fftwf_complex*>(spec_.get()));
}

void RealFft::inverse() {
    fftwf_execute_dft_c2r(static_cast<fftwf_plan>(inverse_plan_),
                          reinterpret_cast<fftwf_complex*>(spec_.get()), time_.get());
}

size_t fast_fft_size(size_t n) {
    size_t best = 1;
    while (best < n) best *= 2;
    for (size_t p5 = 1; p5 < best; p5 *= 5)
        for (size_t p35 = p5; p35 < best; p35 *= 3) {
            size_t v = p35;
            while (v < n) v *= 2;
            if (v < best) best = v;
        }
    return best;
}

}  // namespace tq::dsp
