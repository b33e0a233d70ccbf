#include "dsp/pghi.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <queue>
#include <stdexcept>

#include "dsp/fft.hpp"
#include "dsp/stft.hpp"

namespace tq::dsp {
namespace {

constexpr double kPi = std::numbers::pi;

// Wraps to [-pi, pi) so phases stay small however long the stream runs.
float wrap(double x) { return static_cast<float>(x - 2.0 * kPi * std::floor((x + kPi) / (2.0 * kPi))); }

}  // namespace

PhaseReconstructor::PhaseReconstructor(std::size_t fft_size, std::size_t hop, uint64_t seed)
    : fft_size_(fft_size), hop_(hop), bins_(fft_size / 2 + 1), lambda_(0.25645 * double(fft_size) * double(fft_size)),
      rng_(seed), seed_(seed) {
    if (fft_size < 4 || fft_size % 2 != 0 || hop == 0 || fft_size % hop != 0)
        throw std::invalid_argument("PhaseReconstructor: fft_size must be even and a multiple of hop");
    reset();
}

void PhaseReconstructor::reset() {
    rng_ = Xoshiro256(seed_);
    have_prev_ = false;
    prev_logmag_.assign(bins_, 0.0f);
    prev_phase_.assign(bins_, 0.0f);
    prev_tgrad_.assign(bins_, 0.0f);
    prev_valid_.assign(bins_, 0);
}

void PhaseReconstructor::integrate(std::span<const float> logmag, std::size_t frames, std::span<const uint8_t> noise,
                                   std::span<float> phase, float tolerance) {
    const std::size_t B = bins_;
    const double M = double(fft_size_), a = double(hop_);
    const double tscale = a * M / lambda_, fscale = -lambda_ / (a * M);
    std::vector<float> tgrad(B), fgrad(B), cur(B);
    std::vector<uint8_t> valid(B), done(B);
    using Entry = std::pair<float, int>;  // (log-magnitude, bin; bins of the previous frame are -1 - bin)
    std::priority_queue<Entry> heap;
    for (std::size_t j = 0; j < frames; ++j) {
        const float* s = logmag.data() + j * B;
        const float* sp = j > 0 ? s - B : (have_prev_ ? prev_logmag_.data() : nullptr);
        const float* sn = j + 1 < frames ? s + B : nullptr;
        float top = -INFINITY;
        for (std::size_t m = 0; m < B; ++m) top = std::max(top, s[m]);
        for (std::size_t m = 0; m < B; ++m) {
            double dn = 0.0;
            if (sp && sn) dn = 0.5 * (double(sn[m]) - double(sp[m]));
            else if (sn) dn = double(sn[m]) - double(s[m]);
            else if (sp) dn = double(s[m]) - double(sp[m]);
            double dm;
            if (m == 0) dm = double(s[1]) - double(s[0]);
            else if (m + 1 == B) dm = double(s[m]) - double(s[m - 1]);
            else dm = 0.5 * (double(s[m + 1]) - double(s[m - 1]));
            tgrad[m] = static_cast<float>(tscale * dm + 2.0 * kPi * a * double(m) / M);
            fgrad[m] = static_cast<float>(fscale * dn);
            valid[m] = (noise.empty() || noise[j * B + m] == 0) && std::isfinite(s[m]) && s[m] >= top - tolerance;
            done[m] = 0;
        }
        // Random phases first (a fixed number of draws per frame keeps the PRNG in step).
        for (std::size_t m = 0; m < B; ++m) {
            const double u = double(rng_.next() >> 11) * (1.0 / 9007199254740992.0);
            if (!valid[m]) cur[m] = static_cast<float>(2.0 * kPi * u - kPi);
        }
        heap = {};
        if (have_prev_ || j > 0)
            for (std::size_t m = 0; m < B; ++m)
                if (prev_valid_[m]) heap.emplace(prev_logmag_[m], -1 - int(m));
        std::size_t remaining = 0;
        for (std::size_t m = 0; m < B; ++m) remaining += valid[m];
        auto from_time = [&](std::size_t m) {
            cur[m] = wrap(double(prev_phase_[m]) + 0.5 * (double(prev_tgrad_[m]) + double(tgrad[m])));
            done[m] = 1;
            --remaining;
            heap.emplace(s[m], int(m));
        };
        while (remaining > 0) {
            if (heap.empty()) {  // start a new island at the largest bin left
                std::size_t best = B;
                for (std::size_t m = 0; m < B; ++m)
                    if (valid[m] && !done[m] && (best == B || s[m] > s[best])) best = m;
                if (have_prev_ || j > 0) from_time(best);
                else {
                    cur[best] = 0.0f;
                    done[best] = 1;
                    --remaining;
                    heap.emplace(s[best], int(best));
                }
                continue;
            }
            const auto [value, id] = heap.top();
            heap.pop();
            if (id < 0) {
                const auto m = std::size_t(-1 - id);
                if (valid[m] && !done[m]) from_time(m);
                continue;
            }
            const auto m = std::size_t(id);
            for (int step : {-1, 1}) {
                const long k = long(m) + step;
                if (k < 0 || k >= long(B)) continue;
                const auto kk = std::size_t(k);
                if (!valid[kk] || done[kk]) continue;
                cur[kk] = wrap(double(cur[m]) + step * 0.5 * (double(fgrad[m]) + double(fgrad[kk])));
                done[kk] = 1;
                --remaining;
                heap.emplace(s[kk], k);
            }
        }
        for (std::size_t m = 0; m < B; ++m) {
            phase[j * B + m] = wrap(double(cur[m]) + kPi * double(m));
            prev_logmag_[m] = s[m];
            prev_phase_[m] = cur[m];
            prev_tgrad_[m] = tgrad[m];
            prev_valid_[m] = valid[m];
        }
        have_prev_ = true;
    }
}

void PhaseReconstructor::set_last_phases(std::span<const float> phase) {
    for (std::size_t m = 0; m < bins_ && m < phase.size(); ++m) prev_phase_[m] = wrap(double(phase[m]) - kPi * double(m));
}

void fast_griffin_lim(std::span<std::complex<float>> spectra, std::span<const float> magnitude, std::size_t context,
                      std::size_t frames, std::size_t fft_size, std::size_t hop, int iterations) {
    if (iterations <= 0 || frames == 0) return;
    const std::size_t bins = fft_size / 2 + 1, total = context + frames;
    const std::size_t length = (total - 1) * hop + fft_size;
    const std::vector<float> window = periodic_hann(fft_size);
    std::vector<float> norm(length, 0.0f);
    for (std::size_t j = 0; j < total; ++j)
        for (std::size_t i = 0; i < fft_size; ++i) norm[j * hop + i] += window[i] * window[i];
    for (float& v : norm) v = 1.0f / (std::max(v, 1e-3f) * static_cast<float>(fft_size));
    RealFft fft(fft_size);
    std::vector<float> x(length);
    std::vector<std::complex<float>> t(spectra.begin(), spectra.end()), previous = t;
    constexpr float kAlpha = 0.99f;
    for (int it = 0; it < iterations; ++it) {
        std::fill(x.begin(), x.end(), 0.0f);
        for (std::size_t j = 0; j < total; ++j) {
            std::copy_n(t.begin() + static_cast<long>(j * bins), bins, fft.spectrum().begin());
            fft.inverse();
            for (std::size_t i = 0; i < fft_size; ++i) x[j * hop + i] += fft.time()[i] * window[i];
        }
        for (std::size_t i = 0; i < length; ++i) x[i] *= norm[i];
        for (std::size_t j = context; j < total; ++j) {
            const auto spec = windowed_spectrum(fft, x, window, j * hop);
            const float* mag = magnitude.data() + (j - context) * bins;
            for (std::size_t m = 0; m < bins; ++m) {
                const std::complex<float> v = spec[m];
                const float a = std::abs(v);
                const std::complex<float> c = a > 0.0f ? v * (mag[m] / a) : std::complex<float>(mag[m], 0.0f);
                const std::size_t k = j * bins + m;
                t[k] = c + kAlpha * (c - previous[k]);
                previous[k] = c;
            }
        }
    }
    std::copy(previous.begin() + static_cast<long>(context * bins), previous.end(),
              spectra.begin() + static_cast<long>(context * bins));
}

}  // namespace tq::dsp
