// Phase reconstruction from STFT magnitude alone: phase gradient heuristic
// integration (PGHI; Prusa, Balazs, Sondergaard, TASLP 2017) in its streaming
// form (Prusa, Holighaus 2017), frame after frame.
// fast_griffin_lim() refines a block's phases by a fixed number of iterations.
//
// Framing: frame j is the DFT of fft_size samples starting at j * hop,
// windowed by a periodic Hann window (dsp/stft.hpp); the Hann window is
// treated as a Gaussian of time-frequency ratio lambda = 0.25645 * fft_size^2.
// With s = log|X| (natural log), phase relative to the window centre grows per
// hop by hop*M/lambda * ds/dm + 2*pi*hop*m/M and per bin by -lambda/(hop*M) * ds/dn;
// the DFT phase adds pi*m (the window centre is fft_size/2 samples in).
//
// Deterministic: the same frames in the same blocks give the same phases on
// every run (a fixed heap order, and a seeded PRNG for the random phases).
#pragma once

#include <cstddef>
#include <complex>
#include <cstdint>
#include <span>
#include <vector>

#include "core/prng.hpp"

namespace tq::dsp {

class PhaseReconstructor {
public:
    // fft_size even, hop dividing it; bins = fft_size / 2 + 1.
    PhaseReconstructor(std::size_t fft_size, std::size_t hop, uint64_t seed = 0x9a055);

    std::size_t bins() const { return bins_; }

    // Phases for `frames` frames of log-magnitudes [frame][bin] that follow the
    // frames of earlier calls (since reset()). Bins with noise[i] != 0 (noise may
    // be empty) and bins more than `tolerance` nats below the frame's largest
    // get uniformly random phases and are not integrated from. The time
    // derivative uses centred differences inside the block and the previous
    // call's last frame; the block's last frame uses a one-sided difference.
    // Writes the DFT phases (window starting at the frame start) to phase.
    void integrate(std::span<const float> logmag, std::size_t frames, std::span<const uint8_t> noise,
                   std::span<float> phase, float tolerance = 10.0f);

    void reset();

    // Replaces the phases of the last frame integrated (DFT phases, as integrate() writes
    // them), e.g. after griffin_lim() refined them, so the next block continues from those.
    void set_last_phases(std::span<const float> phase);

private:
    std::size_t fft_size_, hop_, bins_;
    double lambda_;
    Xoshiro256 rng_;
    uint64_t seed_;
    bool have_prev_ = false;
    std::vector<float> prev_logmag_, prev_phase_, prev_tgrad_;  // centre-referenced phase of the last frame
    std::vector<uint8_t> prev_valid_;
};

// Fast Griffin-Lim (Perraudin, Balazs, Sondergaard 2013; alpha 0.99) over one block
// of `context` + `frames` spectra [frame][bin] (frame j windows samples j*hop ..
// j*hop + fft_size of the block's signal, periodic Hann analysis and synthesis):
// `iterations` rounds of inverse STFT (normalised by the window-square sum at each
// sample), forward STFT and the magnitudes put back. The first `context` frames (the
// previous block's last ones) never change; `magnitude` holds the other frames'.
// Bounded and deterministic: 2 * iterations * (context + frames) FFTs.
void fast_griffin_lim(std::span<std::complex<float>> spectra, std::span<const float> magnitude, std::size_t context,
                      std::size_t frames, std::size_t fft_size, std::size_t hop, int iterations);

}  // namespace tq::dsp
