// FFTW's planner is one global and not thread-safe (executing a plan is): every
// plan this library makes is created under this one lock, whatever its kind.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <new>

namespace tq::dsp {

std::mutex& fftw_planner_mutex();

// The plan Make(n) builds for size n, made once per process under the planner
// lock; each plan-making function has its own cache. The cache is never
// destroyed: a thread still transforming during exit keeps valid plans, and
// the plans stay reachable, so LeakSanitizer does not report them as leaks
// (a static map would free its nodes at exit and orphan every plan).
template <auto Make>
auto cached_plan(std::size_t n) {
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    static auto& cache = *new std::map<std::size_t, decltype(Make(n))>;
    auto it = cache.find(n);
    if (it == cache.end()) it = cache.emplace(n, Make(n)).first;
    return it->second;
}

// An FFTW allocation, or std::bad_alloc.
template <class T>
T* fftw_checked(T* p) {
    if (!p) throw std::bad_alloc();
    return p;
}

}  // namespace tq::dsp
