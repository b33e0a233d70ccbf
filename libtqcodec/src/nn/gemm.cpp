#include "nn/gemm.hpp"

#include <cblas.h>

#include <algorithm>
#include <climits>
#include <mutex>

#include "core/error.hpp"

namespace tq::nn {
namespace {

std::once_flag single_threaded_default;

void ensure_default_threads() {
    std::call_once(single_threaded_default, [] { openblas_set_num_threads(1); });
}

blasint blas_int(size_t v) {
    require(v <= static_cast<size_t>(INT_MAX), TQ_ERR_UNSUPPORTED, "matrix dimension too large for BLAS");
    return static_cast<blasint>(v);
}

}  // namespace

void set_gemm_threads(int threads) {
    require(threads >= 1, TQ_ERR_INVALID_ARGUMENT, "gemm thread count must be >= 1");
    ensure_default_threads();
    openblas_set_num_threads(threads);
}

void sgemm(const GemmArgs& g) {
    ensure_default_threads();
    if (g.m == 0 || g.n == 0) return;
    if (g.k == 0) {  // BLAS rejects a zero leading dimension; the product is empty
        if (!g.accumulate) {
            for (size_t i = 0; i < g.m; ++i) std::fill_n(g.c + i * g.ldc, g.n, 0.0f);
        }
        return;
    }
    cblas_sgemm(CblasRowMajor, g.transpose_a ? CblasTrans : CblasNoTrans, CblasNoTrans, blas_int(g.m),
                blas_int(g.n), blas_int(g.k), 1.0f, g.a, blas_int(g.lda), g.b, blas_int(g.ldb),
                g.accumulate ? 1.0f : 0.0f, g.c, blas_int(g.ldc));
}

}  // namespace tq::nn
