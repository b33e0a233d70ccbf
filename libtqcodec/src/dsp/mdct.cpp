#include "dsp/mdct.hpp"

#include <cmath>
#include <numbers>
#include <string>

#include "core/error.hpp"

namespace tq::dsp {
namespace {

// Modified Bessel function of the first kind, order 0 (power series).
double bessel_i0(double x) {
    double sum = 1.0, term = 1.0;
    for (int k = 1; k < 200 && term > 1e-17 * sum; ++k) {
        term *= (x / (2.0 * k)) * (x / (2.0 * k));
        sum += term;
    }
    return sum;
}

std::vector<float> sine_window(std::size_t n) {
    std::vector<float> w(2 * n);
    for (std::size_t i = 0; i < 2 * n; ++i)
        w[i] = static_cast<float>(std::sin(std::numbers::pi * (static_cast<double>(i) + 0.5) / (2.0 * static_cast<double>(n))));
    return w;
}

std::vector<float> kbd_window(std::size_t n, double alpha) {
    std::vector<double> cumulative(n + 1);
    double total = 0.0;
    for (std::size_t j = 0; j <= n; ++j) {
        const double r = 2.0 * static_cast<double>(j) / static_cast<double>(n) - 1.0;
        total += bessel_i0(std::numbers::pi * alpha * std::sqrt(1.0 - r * r));
        cumulative[j] = total;
    }
    std::vector<float> w(2 * n);
    for (std::size_t i = 0; i < n; ++i) {
        w[i] = static_cast<float>(std::sqrt(cumulative[i] / total));
        w[2 * n - 1 - i] = w[i];
    }
    return w;
}

}  // namespace

std::vector<float> mdct_window(MdctWindow shape, std::size_t n, double kbd_alpha) {
    return shape == MdctWindow::kbd ? kbd_window(n, kbd_alpha) : sine_window(n);
}

Mdct::Mdct(std::size_t n, MdctWindow window)
    : n_((n >= 2 && n % 2 == 0 && n <= (std::size_t{1} << 16))
             ? n
             : throw Error(TQ_ERR_INTERNAL, "mdct: size " + std::to_string(n) + " is not even in 2..65536")),
      window_(mdct_window(window, n)),
      pre_twiddle_(n / 2),
      post_twiddle_(n / 2),
      folded_(n),
      re_(n / 2),
      im_(n / 2) {
    const double dn = static_cast<double>(n);
    for (std::size_t k = 0; k < n / 2; ++k) {
        const double kd = static_cast<double>(k);
        pre_twiddle_[k] = std::polar(1.0f, static_cast<float>(-std::numbers::pi * (kd + 0.25) / dn));
        post_twiddle_[k] = std::polar(static_cast<float>(std::sqrt(2.0 / dn)), static_cast<float>(-std::numbers::pi * kd / dn));
    }
}

// With c[i] = x[2i] + j x[n-1-2i] pre-twiddled by e^{-j pi (i + 1/4) / n} and
// transformed by an n/2-point FFT, y[k] = Z[k] e^{-j pi k / n} holds the even
// outputs in its real part and the odd ones, mirrored, in its imaginary part.
void Mdct::dct4(float* x) {
    const std::size_t m = n_ / 2;
    float* re = re_.time().data();
    float* im = im_.time().data();
    for (std::size_t i = 0; i < m; ++i) {
        const std::complex<float> c = std::complex<float>(x[2 * i], x[n_ - 1 - 2 * i]) * pre_twiddle_[i];
        re[i] = c.real();
        im[i] = c.imag();
    }
    re_.forward();
    im_.forward();
    const std::complex<float>* a = re_.spectrum().data();
    const std::complex<float>* b = im_.spectrum().data();
    const std::complex<float> j(0.0f, 1.0f);
    for (std::size_t k = 0; k < m; ++k) {
        // FFT of (re + j im) from the two half spectra (conjugate symmetry above m/2).
        const std::complex<float> z = k <= m / 2 ? a[k] + j * b[k] : std::conj(a[m - k]) + j * std::conj(b[m - k]);
        const std::complex<float> y = z * post_twiddle_[k];
        x[2 * k] = y.real();
        x[n_ - 1 - 2 * k] = -y.imag();
    }
}

// Quarters a b c d of the windowed frame fold into (-c_r - d, a - b_r).
void Mdct::forward(const float* in, float* out) {
    const std::size_t h = n_ / 2;
    const float* w = window_.data();
    for (std::size_t i = 0; i < h; ++i) {
        const std::size_t c = 3 * h - 1 - i, d = 3 * h + i;
        out[i] = -w[c] * in[c] - w[d] * in[d];
        const std::size_t a = i, b = n_ - 1 - i;
        out[h + i] = w[a] * in[a] - w[b] * in[b];
    }
    dct4(out);
}

// The transpose of the fold: (u2, -u2_r, -u1_r, -u1), windowed.
void Mdct::inverse(const float* in, float* out) {
    const std::size_t h = n_ / 2;
    float* u = folded_.data();
    for (std::size_t i = 0; i < n_; ++i) u[i] = in[i];
    dct4(u);
    const float* w = window_.data();
    for (std::size_t i = 0; i < h; ++i) {
        out[i] = w[i] * u[h + i];
        out[n_ - 1 - i] = -w[n_ - 1 - i] * u[h + i];
        out[n_ + i] = -w[n_ + i] * u[h - 1 - i];
        out[2 * n_ - 1 - i] = -w[2 * n_ - 1 - i] * u[h - 1 - i];
    }
}

}  // namespace tq::dsp
