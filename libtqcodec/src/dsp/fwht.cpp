#include "dsp/fwht.hpp"

#include <cmath>
#include <string>

#include "core/error.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tq::dsp {
namespace {

// Stages h = 1 and h = 2 together: a 4-point WHT on every group of 4.
// [a b c d] -> [a+b+c+d, a-b+c-d, a+b-c-d, a-b-c+d]
void first_two_stages(float* x, std::size_t n) {
#if defined(__SSE2__)
    const __m128 neg_odd = _mm_castsi128_ps(_mm_set_epi32(INT32_MIN, 0, INT32_MIN, 0));   // [+ - + -]
    const __m128 neg_high = _mm_castsi128_ps(_mm_set_epi32(INT32_MIN, INT32_MIN, 0, 0));  // [+ + - -]
    for (std::size_t i = 0; i < n; i += 4) {
        __m128 v = _mm_loadu_ps(x + i);                                   // a b c d
        __m128 lo = _mm_shuffle_ps(v, v, _MM_SHUFFLE(2, 2, 0, 0));        // a a c c
        __m128 hi = _mm_shuffle_ps(v, v, _MM_SHUFFLE(3, 3, 1, 1));        // b b d d
        v = _mm_add_ps(lo, _mm_xor_ps(hi, neg_odd));                      // a+b a-b c+d c-d
        lo = _mm_shuffle_ps(v, v, _MM_SHUFFLE(1, 0, 1, 0));               // p q p q
        hi = _mm_shuffle_ps(v, v, _MM_SHUFFLE(3, 2, 3, 2));               // r s r s
        _mm_storeu_ps(x + i, _mm_add_ps(lo, _mm_xor_ps(hi, neg_high)));   // p+r q+s p-r q-s
    }
#else
    for (std::size_t i = 0; i < n; i += 4) {
        const float a = x[i], b = x[i + 1], c = x[i + 2], d = x[i + 3];
        const float p = a + b, q = a - b, r = c + d, s = c - d;
        x[i] = p + r;
        x[i + 1] = q + s;
        x[i + 2] = p - r;
        x[i + 3] = q - s;
    }
#endif
}

// Stages h and 2h together (radix 4) on four disjoint streams of length h.
// (restrict on parameters: GCC then vectorizes without run-time alias checks.)
inline void butterfly4(float* __restrict p0, float* __restrict p1, float* __restrict p2, float* __restrict p3,
                       std::size_t h) {
    for (std::size_t j = 0; j < h; ++j) {
        const float a = p0[j], b = p1[j], c = p2[j], d = p3[j];
        const float s0 = a + b, d0 = a - b, s1 = c + d, d1 = c - d;
        p0[j] = s0 + s1;
        p1[j] = d0 + d1;
        p2[j] = s0 - s1;
        p3[j] = d0 - d1;
    }
}

inline void butterfly2(float* __restrict p0, float* __restrict p1, std::size_t h) {
    for (std::size_t j = 0; j < h; ++j) {
        const float a = p0[j], b = p1[j];
        p0[j] = a + b;
        p1[j] = a - b;
    }
}

void radix4_pass(float* x, std::size_t n, std::size_t h) {
    for (std::size_t base = 0; base < n; base += 4 * h)
        butterfly4(x + base, x + base + h, x + base + 2 * h, x + base + 3 * h, h);
}

void radix2_pass(float* x, std::size_t n, std::size_t h) {
    for (std::size_t base = 0; base < n; base += 2 * h) butterfly2(x + base, x + base + h, h);
}

void scale(float* x, std::size_t n, float s) {
    for (std::size_t i = 0; i < n; ++i) x[i] *= s;
}

}  // namespace

bool fwht_size_ok(std::size_t n) {
    return n >= kFwhtMinSize && n <= kFwhtMaxSize && (n & (n - 1)) == 0;
}

void fwht_unscaled(float* x, std::size_t n) {
    if (!fwht_size_ok(n))  // (no eager message building on the hot path)
        fail(TQ_ERR_INTERNAL, "fwht: size " + std::to_string(n) + " is not a power of two in 1..65536");
    if (n < 4) {
        if (n == 2) radix2_pass(x, n, 1);
        return;
    }
    first_two_stages(x, n);
    std::size_t h = 4;
    for (; 4 * h <= n; h *= 4) radix4_pass(x, n, h);
    if (h < n) radix2_pass(x, n, h);
}

void fwht(float* x, std::size_t n) {
    fwht_unscaled(x, n);
    scale(x, n, static_cast<float>(1.0 / std::sqrt(static_cast<double>(n))));
}

}  // namespace tq::dsp
