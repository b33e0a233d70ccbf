// FFTW's planner is one global and not thread-safe (executing a plan is): every
// plan this library makes is created under this one lock, whatever its kind.
#pragma once

#include <mutex>
#include <new>

namespace tq::dsp {

std::mutex& fftw_planner_mutex();

// An FFTW allocation, or std::bad_alloc.
template <class T>
T* fftw_checked(T* p) {
    if (!p) throw std::bad_alloc();
    return p;
}

}  // namespace tq::dsp
