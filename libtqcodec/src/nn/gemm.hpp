// Matrix products on OpenBLAS.
//
// Threading: OpenBLAS runs single-threaded here by default (set once, on first
// use). The library gets its parallelism from independent handles, one per
// thread; OpenBLAS's own thread pool on top of that would oversubscribe the
// cores and, in the pthreads build, serialise concurrent callers on its lock.
// A tool that runs one handle on a many-core machine may raise the count with
// set_gemm_threads(). Calling sgemm from several threads at once is safe.
// The setting is OpenBLAS's, so process-wide: an application that uses
// OpenBLAS itself shares it (OpenBLAS 0.3.21 has no per-thread setting).
#pragma once

#include <cstddef>

namespace tq::nn {

// C[m×n] = A[m×k] · B[k×n] (+ C when accumulate), all row-major with the given
// leading dimensions; transpose_a reads A stored as [k×m].
struct GemmArgs {
    size_t m, n, k;
    const float* a;
    size_t lda;
    const float* b;
    size_t ldb;
    float* c;
    size_t ldc;
    bool transpose_a = false;
    bool accumulate = false;
};
void sgemm(const GemmArgs& args);

// Threads OpenBLAS may use for one product (>= 1); process-wide.
void set_gemm_threads(int threads);

}  // namespace tq::nn
