// Quality metrics of decoded audio against a reference (tqc compare, tqc bench, tests).
//
// Conventions, the same for every metric:
//  - Signals are float PCM in [-1, 1]. Mono functions take one channel as a span;
//    both spans must have the same length (compare() aligns and trims first).
//  - Every ratio in dB is capped at kMaxDb: identical signals (zero error energy) give
//    exactly kMaxDb (200 dB), far above anything float32 rounding produces (~150 dB), so
//    "identical" stays a number in tables and JSON.
//  - A metric that is undefined (a silent reference, or no frame to measure) is NaN.
//  - Multichannel (compare()): every metric is computed per channel on the aligned
//    overlap and the defined (non-NaN) channel values are averaged (dB values averaged).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace tqm {

inline constexpr double kMaxDb = 200.0;

// 10*log10(signal/noise) clamped to at most kMaxDb; NaN when signal energy is 0.
double ratio_db(double signal_energy, double noise_energy);

// SNR = 10 log10(sum ref^2 / sum (ref - dec)^2).
double snr_db(std::span<const float> ref, std::span<const float> dec);

// Segmental SNR: mean over non-overlapping 20 ms frames of the frame SNR, each clamped to
// [-10, 35] dB (the conventional bounds). Frames whose reference RMS is below -60 dBFS
// (mean square < 1e-6) are skipped as silence; NaN if every frame is silent. A signal
// shorter than one frame is measured as one frame; a trailing partial frame is dropped.
inline constexpr double kSegFrameSeconds = 0.020;
inline constexpr double kSegMinDb = -10.0;
inline constexpr double kSegMaxDb = 35.0;
inline constexpr double kSegSilenceMeanSquare = 1e-6;
double segmental_snr_db(std::span<const float> ref, std::span<const float> dec, int sample_rate);

// SI-SDR (Le Roux et al. 2019), zero-mean: s = ref - mean, d = dec - mean,
// target = (<d,s>/<s,s>) s, SI-SDR = 10 log10(|target|^2 / |d - target|^2).
double si_sdr_db(std::span<const float> ref, std::span<const float> dec);

// Log-spectral distance in dB: periodic-Hann STFT with window N = the power of two nearest
// 40 ms (2048 at 44.1/48 kHz, 512 at 16 kHz), hop N/4, no padding (frames fully inside the
// signal; one zero-padded frame if shorter). Power P = |X|^2 / sum(w^2) + 1e-10 (-100 dB floor).
// Per frame: sqrt(mean over bins of (10 log10 P_ref - 10 log10 P_dec)^2); result: mean over frames.
inline constexpr double kLsdPowerFloor = 1e-10;
int lsd_window_length(int sample_rate);
double log_spectral_distance_db(std::span<const float> ref, std::span<const float> dec, int sample_rate);

// Multi-scale log-mel distance as DAC reports it (descript-audio-codec conf/base.yml with
// audiotools' MelSpectrogramLoss): windows 32..2048, hop = window/4, periodic Hann,
// centred STFT with reflect padding (torch.stft center=True), magnitude (pow 1), librosa
// Slaney mel filterbank (fmin 0, fmax sr/2, Slaney area normalisation) with
// 5, 10, ..., 320 bands; per scale the mean over bands and frames of
// |log10(max(mel_ref, 1e-5)) - log10(max(mel_dec, 1e-5))|; summed over the 7 scales.
struct MelScale {
    int window;
    int mels;
};
inline constexpr MelScale kDacMelScales[] = {{32, 5},    {64, 10},   {128, 20},  {256, 40},
                                             {512, 80},  {1024, 160}, {2048, 320}};
inline constexpr double kMelClampEps = 1e-5;
double mel_distance(std::span<const float> ref, std::span<const float> dec, int sample_rate);
// One scale of the above (exposed for tests).
double mel_distance_scale(std::span<const float> ref, std::span<const float> dec, int sample_rate,
                          MelScale scale);
// librosa.filters.mel(sr, n_fft, n_mels) with htk=False, norm='slaney': n_mels rows of
// n_fft/2+1 weights (row-major).
std::vector<double> slaney_mel_filterbank(int sample_rate, int n_fft, int n_mels);

// Integer delay d (samples) that maximises sum_n ref[n] * dec[n + d] over |d| <= max_lag
// (FFT cross-correlation). d > 0: the decoded signal is late. Ties and silence give 0.
// Only the first `max_window` samples of each signal take part (bounds time and memory).
int64_t estimate_delay(std::span<const float> ref, std::span<const float> dec, int64_t max_lag,
                       size_t max_window = 60 * 48000);

// Interleaved audio, read-only.
struct AudioView {
    const float* samples;
    size_t frames;
    int channels;
    int sample_rate;
};

struct CompareOptions {
    bool align = true;
    double max_delay_seconds = 1.0;
};

struct Report {
    int64_t delay = 0;          // samples, > 0 when the decoded signal is late
    size_t overlap_frames = 0;  // samples per channel compared
    int channels = 0;
    int sample_rate = 0;
    double snr_db = 0;
    double segmental_snr_db = 0;
    double si_sdr_db = 0;
    double lsd_db = 0;
    double mel_distance = 0;
};

// Aligns (delay estimated on the channel mix), trims both to the overlap and computes every
// metric per channel, averaged. Both must have the same rate and channel count (throws
// tq::Error(TQ_ERR_INVALID_ARGUMENT) otherwise, or when the overlap is empty).
Report compare(const AudioView& ref, const AudioView& dec, const CompareOptions& options = {});

}  // namespace tqm
