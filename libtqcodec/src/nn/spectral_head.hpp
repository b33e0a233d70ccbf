// What the neural families' decoders share after their networks
// (tools/train/spectral.py: head_to_spectrum, overlap_add): the spectral head
// turns network output into complex spectra, and a streaming inverse STFT
// overlap-adds them, for any FFT size and hop.
#pragma once

#include <complex>
#include <cstddef>
#include <span>
#include <vector>

#include "dsp/fft.hpp"
#include "nn/tensor.hpp"

namespace tq::nn {

// Network output [3 * bins, frames]: log-magnitude (clamped at max_log_magnitude),
// unnormalised re and im -> spectrum exp(logmag) * (re, im) / sqrt(re² + im² + 1e-8),
// as `frames` spectra of `bins` bins one after the other. Non-finite bins (a
// hostile stream can drive a network to inf) become 0.
std::vector<std::complex<float>> head_to_spectra(const Tensor& out, size_t bins, float max_log_magnitude);

// Streaming overlap-add: inverse real FFT of n_fft points, periodic Hann window,
// frames every `hop` samples, sum divided by `gain`. Every frame pushed completes
// the oldest hop it overlaps (frame j covers hops j - n_fft/hop + 1 .. j).
class OverlapAdd {
public:
    OverlapAdd(size_t n_fft, size_t hop, float gain);
    // Adds one spectrum of n_fft / 2 + 1 bins; writes the `hop` samples it completes to `finished`.
    void push(std::span<const std::complex<float>> spectrum, std::span<float> finished);
    void reset();

    size_t hop() const { return hop_; }

private:
    dsp::RealFft fft_;
    size_t hop_;
    std::vector<float> window_;  // periodic Hann with irfft's 1/n_fft and 1/gain folded in
    std::vector<float> tail_;    // partial sums of the n_fft - hop samples after the last finished hop
};

// The whole-signal overlap_add (a model's synthesize()): `spectra`, frames of
// n_fft / 2 + 1 bins one after the other, overlap-added from silence; the first
// n_fft / hop - 1 hops, which lack the frames before the first one, are dropped.
std::vector<float> offline_synthesis(std::span<const std::complex<float>> spectra, size_t n_fft, size_t hop,
                                     float gain);

}  // namespace tq::nn
