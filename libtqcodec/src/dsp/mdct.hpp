// Modified discrete cosine transform with 50% overlap (TDAC), orthonormal.
//
// A frame of 2n windowed samples gives n coefficients; inverse() returns 2n
// windowed samples that, overlap-added with hop n, reconstruct the input
// exactly (Princen-Bradley windows: sine or Kaiser-Bessel-derived). Scaled by
// sqrt(2/n) both ways, so the lapped transform is orthogonal: the
// coefficients of all frames carry the signal's energy.
//
// Computed as a fold (2n -> n) and a DCT-IV, the DCT-IV through an
// n/2-point complex FFT built from two real FFTs of the dsp/fft wrapper.
#pragma once

#include <complex>
#include <cstddef>
#include <vector>

#include "dsp/fft.hpp"

namespace tq::dsp {

enum class MdctWindow { sine, kbd };

// The 2n-point window: w[i]^2 + w[i+n]^2 = 1 and w[i] = w[2n-1-i].
// kbd_alpha is the Kaiser alpha of the KBD window (4 as in AAC).
std::vector<float> mdct_window(MdctWindow shape, std::size_t n, double kbd_alpha = 4.0);

class Mdct {
public:
    // n coefficients per frame: even, 2..65536 (throws TQ_ERR_INTERNAL otherwise).
    explicit Mdct(std::size_t n, MdctWindow window = MdctWindow::sine);
    std::size_t size() const { return n_; }
    const std::vector<float>& window() const { return window_; }

    // out[0..n) <- MDCT of the windowed in[0..2n).
    void forward(const float* in, float* out);
    // out[0..2n) <- windowed inverse MDCT of in[0..n), to overlap-add with hop n.
    void inverse(const float* in, float* out);

private:
    // x[0..n) <- sqrt(2/n) * DCT-IV of x.
    void dct4(float* x);

    std::size_t n_;
    std::vector<float> window_;
    std::vector<std::complex<float>> pre_twiddle_, post_twiddle_;
    std::vector<float> folded_;
    RealFft re_, im_;
};

}  // namespace tq::dsp
