// gauss family: the model's analytic gradient against finite differences,
// the fitter, the quantizer and payload syntax (round trips, bounds), the
// PGHI phase reconstruction, the codec's framing (lengths, delay) and rate
// control, hostile payloads, and determinism across thread counts.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "core/range_coder.hpp"
#include "dsp/fft.hpp"
#include "dsp/pghi.hpp"
#include "dsp/stft.hpp"
#include "families/gauss/bitstream.hpp"
#include "families/gauss/decoder.hpp"
#include "families/gauss/encoder.hpp"
#include "families/gauss/fit.hpp"
#include "families/gauss/model.hpp"
#include "families/gauss/params.hpp"
#include "nn/spectral_head.hpp"
#include "family_harness.hpp"
#include "test_support.hpp"

namespace {

using namespace tq::gauss;
using tqtest::Planes;
constexpr double kPi = std::numbers::pi;

bool all_finite(std::span<const float> x) {
    return std::all_of(x.begin(), x.end(), [](float v) { return std::isfinite(v); });
}

// A test signal with what the model is for: a steady harmonic tone, a glide, a
// noise burst and silence (24 kHz).
std::vector<float> synthetic(size_t n, unsigned seed = 3) {
    std::vector<float> x(n);
    std::mt19937 rng(seed);
    std::normal_distribution<float> noise(0.0f, 1.0f);
    double glide_phase = 0;
    for (size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / kSampleRate;
        double v = 0;
        for (int h = 1; h <= 5; ++h) v += 0.15 / h * std::sin(2 * kPi * 220.0 * h * t);
        const double f = 600.0 + 1500.0 * std::fmod(t, 1.5);
        glide_phase += 2 * kPi * f / kSampleRate;
        v += 0.1 * std::sin(glide_phase);
        if (std::fmod(t, 1.0) > 0.6 && std::fmod(t, 1.0) < 0.7) v += 0.05 * noise(rng);
        x[i] = static_cast<float>(v);
    }
    return x;
}

// ---- model: rendering and gradients ------------------------------------------------------

Model small_model(int frames, unsigned seed) {
    Model m;
    m.frames = frames;
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    for (int i = 0; i < 6; ++i) {
        Gaussian g;
        g.t = 4.0f + u(rng) * static_cast<float>(frames - 8);
        g.f = 10.0f + u(rng) * 200.0f;
        g.u1 = 0.5f + 2.0f * u(rng);
        g.u2 = 0.2f + 1.5f * u(rng);
        g.theta = (u(rng) - 0.5f) * 2.5f;
        g.a = 0.5f + 3.0f * u(rng);
        m.gaussians.push_back(g);
    }
    m.floor.resize(static_cast<size_t>(floor_times(frames)) * kFloorBands);
    for (float& v : m.floor) v = -3.0f + 2.0f * u(rng);
    return m;
}

double loss(const Model& m, const std::vector<float>& target) {
    std::vector<float> out(target.size());
    render(m, out, 1);
    double s = 0;
    for (size_t i = 0; i < out.size(); ++i) s += double(out[i] - target[i]) * double(out[i] - target[i]);
    return s;
}

TEST(GaussModel, AnalyticGradientMatchesFiniteDifferences) {
    const int frames = 40;
    const Model truth = small_model(frames, 1);
    std::vector<float> target(static_cast<size_t>(frames) * kBins);
    render(truth, target, 1);
    Model m = small_model(frames, 2);
    std::vector<float> out(target.size()), residual(target.size());
    render(m, out, 1);
    for (size_t i = 0; i < out.size(); ++i) residual[i] = out[i] - target[i];
    Gradient g;
    gradient(m, residual, g, 1);
    const float h = 3e-4f;
    for (size_t i = 0; i < m.gaussians.size(); ++i)
        for (int k = 0; k < 6; ++k) {
            auto field = [&](Model& mm) -> float& {
                Gaussian& x = mm.gaussians[i];
                float* f[] = {&x.t, &x.f, &x.u1, &x.u2, &x.theta, &x.a};
                return *f[k];
            };
            Model plus = m, minus = m;
            field(plus) += h;
            field(minus) -= h;
            const double fd = (loss(plus, target) - loss(minus, target)) / (2.0 * h);
            const double an = g.gaussians[i][static_cast<size_t>(k)];
            // The kernel's cut at 3 sigma is continuous but not smooth: a few cells cross it.
            EXPECT_NEAR(an, fd, 0.02 * std::abs(fd) + 0.05) << "Gaussian " << i << " field " << k;
        }
    for (size_t k = 0; k < m.floor.size(); k += 7) {
        Model plus = m, minus = m;
        plus.floor[k] += h;
        minus.floor[k] -= h;
        const double fd = (loss(plus, target) - loss(minus, target)) / (2.0 * h);
        EXPECT_NEAR(g.floor[k], fd, 0.01 * std::abs(fd) + 0.05) << "floor knot " << k;
    }
}

TEST(GaussModel, RenderingIsTheSameForAnyThreadCount) {
    const Model m = small_model(kFramesPerPacket, 5);
    std::vector<float> one(static_cast<size_t>(kFramesPerPacket) * kBins), four(one.size());
    render(m, one, 1);
    render(m, four, 4);
    EXPECT_EQ(one, four);
    Gradient g1, g4;
    gradient(m, one, g1, 1);
    gradient(m, one, g4, 3);
    EXPECT_EQ(g1.gaussians, g4.gaussians);
    EXPECT_EQ(g1.floor, g4.floor);
}

TEST(GaussModel, FootprintCoversTheThreeSigmaEllipse) {
    Gaussian g{50.0f, 100.0f, 3.0f, 0.0f, 0.6f, 1.0f};
    const Footprint p = footprint(g, kFramesPerPacket);
    Model m;
    m.frames = kFramesPerPacket;
    m.gaussians = {g};
    m.floor.assign(static_cast<size_t>(floor_times(m.frames)) * kFloorBands, 0.0f);
    std::vector<float> out(static_cast<size_t>(m.frames) * kBins);
    render(m, out, 1);
    for (int t = 0; t < m.frames; ++t)
        for (int f = 0; f < kBins; ++f)
            if (out[static_cast<size_t>(t) * kBins + f] != 0.0f) {
                EXPECT_TRUE(t >= p.t0 && t <= p.t1 && f >= p.f0 && f <= p.f1) << t << "," << f;
            }
}

// ---- fitter ------------------------------------------------------------------------------

TEST(GaussFit, FitLowersTheErrorAndMoreGaussiansHelp) {
    const std::vector<float> x = synthetic(kFrameSize + kFftSize);
    const std::vector<float> target = analysis_target(x, kFramesPerPacket);
    double previous = 1e300;
    for (int n : {0, 40, 200}) {
        FitSettings s;
        s.max_gaussians = n;
        s.iterations = 64;
        const Model m = fit(target, kFramesPerPacket, s);
        const double mse = loss(m, target) / static_cast<double>(target.size());
        EXPECT_LT(mse, previous) << n << " Gaussians";
        previous = mse;
    }
    EXPECT_LT(previous, 0.5);
}

TEST(GaussFit, SameModelForAnyThreadCount) {
    const std::vector<float> target = analysis_target(synthetic(kFrameSize + kFftSize), kFramesPerPacket);
    FitSettings s;
    s.max_gaussians = 120;
    s.iterations = 24;
    const Model a = fit(target, kFramesPerPacket, s);
    s.threads = 3;
    const Model b = fit(target, kFramesPerPacket, s);
    EXPECT_EQ(write_channel(quantize(a)), write_channel(quantize(b)));
    ASSERT_EQ(a.gaussians.size(), b.gaussians.size());
    for (size_t i = 0; i < a.gaussians.size(); ++i) EXPECT_EQ(a.gaussians[i].a, b.gaussians[i].a);
}

// ---- quantizer and payload ---------------------------------------------------------------

QModel random_qmodel(int frames, int count, unsigned seed) {
    std::mt19937 rng(seed);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    QModel q;
    q.frames = frames;
    for (int i = 0; i < count; ++i)
        q.gaussians.push_back({pick(0, 2 * (frames - 1)), pick(0, kBinLevels - 1), pick(0, kScaleLevels - 1),
                               pick(0, kScaleLevels - 1), pick(0, kAngleLevels - 1), pick(0, kAmpLevels - 1)});
    for (int i = 0; i < floor_times(frames) * kFloorBands; ++i)
        q.floor.push_back(pick(kFloorMin, kFloorMin + kFloorLevels - 1));
    return q;
}

void sort_q(std::vector<QGaussian>& g) {
    std::sort(g.begin(), g.end(), [](const QGaussian& a, const QGaussian& b) {
        return std::tie(a.t, a.f, a.u1, a.u2, a.theta, a.a) < std::tie(b.t, b.f, b.u1, b.u2, b.theta, b.a);
    });
}

TEST(GaussBitstream, ChannelSectionsRoundTripExactly) {
    for (int frames : {1, 3, 17, kFramesPerPacket}) {
        for (int count : {0, 1, 50, 900}) {
            QModel q = random_qmodel(frames, count, static_cast<unsigned>(frames * 1000 + count));
            const std::vector<uint8_t> bytes = write_channel(q);
            EXPECT_LE(bytes.size(), max_payload_bytes(frames, 1));
            QModel r = read_channel(bytes, frames);
            sort_q(q.gaussians);
            EXPECT_TRUE(r.gaussians == q.gaussians) << frames << " frames, " << count;
            EXPECT_EQ(r.floor, q.floor);
        }
    }
}

TEST(GaussBitstream, QuantizerInvertsWithinHalfAStep) {
    std::mt19937 rng(4);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    for (int i = 0; i < 1000; ++i) {
        Gaussian g{u(rng) * 191.0f, u(rng) * 256.0f, -1.0f + 7.0f * u(rng), -1.0f + 7.0f * u(rng),
                   static_cast<float>((u(rng) - 0.5) * kPi * 0.999), u(rng) * kMaxAmplitude};
        const Gaussian r = dequantize(quantize(g, kFramesPerPacket));
        EXPECT_NEAR(r.t, g.t, 0.25f + 1e-4f);
        EXPECT_NEAR(r.f, g.f, 0.25f + 1e-4f);
        EXPECT_NEAR(r.u1, g.u1, 0.125f + 1e-4f);
        EXPECT_NEAR(r.u2, g.u2, 0.125f + 1e-4f);
        const float dth = std::remainder(r.theta - g.theta, static_cast<float>(kPi));
        EXPECT_LE(std::abs(dth), static_cast<float>(kPi / 32) + 1e-4f);
        EXPECT_NEAR(r.a, g.a, kAmpStep / 2 + 1e-4f);
    }
}

TEST(GaussBitstream, PayloadSplitsIntoChannelSections) {
    const std::vector<std::vector<uint8_t>> sections{{1, 2, 3}, {}, std::vector<uint8_t>(300, 7)};
    const std::vector<uint8_t> payload = write_payload(sections);
    const auto parts = split_payload(payload, 3);
    ASSERT_EQ(parts.size(), 3u);
    for (size_t c = 0; c < 3; ++c) EXPECT_TRUE(std::equal(parts[c].begin(), parts[c].end(), sections[c].begin(), sections[c].end()));
    EXPECT_THROW(split_payload(std::vector<uint8_t>{200, 1}, 2), tq::Error);
}

// ---- phase reconstruction ----------------------------------------------------------------

// STFT (frame j windows x[j*hop, j*hop + N)) then PGHI from the magnitude alone, then overlap-add.
TEST(GaussPghi, ReconstructsASineAndAChirpFromMagnitudes) {
    const std::vector<float> x = synthetic(3 * kSampleRate);
    const int frames = static_cast<int>((x.size() - kFftSize) / kHop);
    const std::vector<float> window = tq::dsp::periodic_hann(kFftSize);
    tq::dsp::RealFft fft(kFftSize);
    std::vector<float> logmag(static_cast<size_t>(frames) * kBins), mag(logmag.size());
    for (int j = 0; j < frames; ++j) {
        const auto s = tq::dsp::windowed_spectrum(fft, x, window, static_cast<size_t>(j) * kHop);
        for (int f = 0; f < kBins; ++f) {
            mag[static_cast<size_t>(j) * kBins + f] = std::abs(s[static_cast<size_t>(f)]);
            logmag[static_cast<size_t>(j) * kBins + f] = std::log(std::abs(s[static_cast<size_t>(f)]) + 1e-9f);
        }
    }
    // In two blocks, to check continuity between calls.
    tq::dsp::PhaseReconstructor pghi(kFftSize, kHop);
    std::vector<float> phase(logmag.size());
    const size_t half = static_cast<size_t>(frames / 2) * kBins;
    pghi.integrate(std::span(logmag).first(half), static_cast<size_t>(frames / 2), {}, std::span(phase).first(half));
    pghi.integrate(std::span(logmag).subspan(half), static_cast<size_t>(frames - frames / 2), {},
                   std::span(phase).subspan(half));
    tq::nn::OverlapAdd ola(kFftSize, kHop, 1.5f);
    std::vector<float> y(static_cast<size_t>(frames) * kHop);
    std::vector<std::complex<float>> spec(kBins);
    for (int j = 0; j < frames; ++j) {
        for (int f = 0; f < kBins; ++f)
            spec[static_cast<size_t>(f)] =
                std::polar(mag[static_cast<size_t>(j) * kBins + f], phase[static_cast<size_t>(j) * kBins + f]);
        ola.push(spec, std::span(y).subspan(static_cast<size_t>(j) * kHop, kHop));
    }
    // y[i] is x[i - 3 hops]: compare magnitude spectra (phase-blind) of the middle part.
    double num = 0, den = 0;
    for (int j = 8; j < frames - 8; ++j) {
        const auto s = tq::dsp::windowed_spectrum(fft, y, window, static_cast<size_t>(j + 3) * kHop);
        for (int f = 0; f < kBins; ++f) {
            const double a = std::abs(s[static_cast<size_t>(f)]), b = mag[static_cast<size_t>(j) * kBins + f];
            num += (a - b) * (a - b);
            den += b * b;
        }
    }
    const double sc = std::sqrt(num / den);  // spectral convergence
    std::printf("  PGHI spectral convergence %.3f\n", sc);
    EXPECT_LT(sc, 0.35);
}

// Spectral convergence (dB) of the STFT of the overlap-added block against the magnitudes.
double block_convergence(const std::vector<std::complex<float>>& spectra, const std::vector<float>& mag, size_t frames) {
    std::vector<float> x((frames - 1) * kHop + kFftSize, 0.0f);
    const std::vector<float> window = tq::dsp::periodic_hann(kFftSize);
    tq::dsp::RealFft fft(kFftSize);
    for (size_t j = 0; j < frames; ++j) {
        std::copy_n(spectra.begin() + static_cast<long>(j * kBins), kBins, fft.spectrum().begin());
        fft.inverse();
        for (size_t i = 0; i < kFftSize; ++i) x[j * kHop + i] += fft.time()[i] * window[i] / (1.5f * kFftSize);
    }
    double num = 0, den = 0;
    for (size_t j = 4; j + 4 < frames; ++j) {
        const auto s = tq::dsp::windowed_spectrum(fft, x, window, j * kHop);
        for (size_t f = 0; f < kBins; ++f) {
            const double d = std::abs(s[f]) - mag[j * kBins + f];
            num += d * d;
            den += double(mag[j * kBins + f]) * mag[j * kBins + f];
        }
    }
    return 10 * std::log10(num / den);
}

TEST(GaussPghi, GriffinLimImprovesConsistencyAndKeepsTheContext) {
    const std::vector<float> x = synthetic(kSampleRate);
    const size_t frames = (x.size() - kFftSize) / kHop, context = 3;
    const std::vector<float> window = tq::dsp::periodic_hann(kFftSize);
    tq::dsp::RealFft fft(kFftSize);
    std::vector<float> mag(frames * kBins), logmag(mag.size()), phase(mag.size());
    for (size_t j = 0; j < frames; ++j) {
        const auto s = tq::dsp::windowed_spectrum(fft, x, window, j * kHop);
        for (size_t f = 0; f < kBins; ++f) {
            mag[j * kBins + f] = std::abs(s[f]);
            logmag[j * kBins + f] = std::log(std::abs(s[f]) + 1e-9f);
        }
    }
    tq::dsp::PhaseReconstructor pghi(kFftSize, kHop);
    pghi.integrate(logmag, frames, {}, phase);
    std::vector<std::complex<float>> spectra(mag.size());
    for (size_t i = 0; i < mag.size(); ++i) spectra[i] = std::polar(mag[i], phase[i]);
    const double before = block_convergence(spectra, mag, frames);
    std::vector<std::complex<float>> refined = spectra;
    tq::dsp::fast_griffin_lim(refined, std::span(mag).subspan(context * kBins), context, frames - context, kFftSize,
                              kHop, 8);
    const double after = block_convergence(refined, mag, frames);
    std::printf("  spectral convergence %.1f dB after PGHI, %.1f dB after 8 Griffin-Lim iterations\n", before, after);
    EXPECT_LT(after, before - 1.0);
    EXPECT_TRUE(std::equal(refined.begin(), refined.begin() + static_cast<long>(context * kBins), spectra.begin()));
    for (size_t i = context * kBins; i < mag.size(); ++i) EXPECT_NEAR(std::abs(refined[i]), mag[i], 1e-3f * (1 + mag[i]));
}

// ---- codec -------------------------------------------------------------------------------

using tqtest::Coded;

constexpr tqtest::FamilyHarness kHarness(TQ_FAMILY_GAUSS, kSampleRate, kFrameSize, kDelay);

tq::StreamInfo stream_info(int channels) { return kHarness.stream_info(channels); }
Coded encode_all(const Planes& pcm, int bitrate, const std::string& options = "") {
    return kHarness.encode_all(pcm, bitrate, options);
}
Planes decode_all(const Coded& coded, int channels) { return kHarness.decode_all(coded, channels); }

TEST(GaussCodec, DecodedLengthIsInputPlusDelay) {
    for (int length : {1, 127, 128, 5000, kFrameSize, kFrameSize + 1, 2 * kFrameSize + 4321}) {
        const Coded coded = encode_all({synthetic(static_cast<size_t>(length))}, 8000, "iterations=16");
        EXPECT_EQ(coded.samples.back(), kDelay) << "the flush packet";
        const Planes out = decode_all(coded, 1);
        EXPECT_EQ(out[0].size(), static_cast<size_t>(length + kDelay)) << "input of " << length;
        EXPECT_TRUE(all_finite(out[0]));
    }
}

// Spectral distance of the decoded signal (one delay later) to the input, in nats of log-magnitude.
double log_spectral_error(const std::vector<float>& x, const std::vector<float>& y) {
    const std::vector<float> window = tq::dsp::periodic_hann(kFftSize);
    tq::dsp::RealFft fa(kFftSize), fb(kFftSize);
    double s = 0;
    size_t n = 0;
    for (size_t start = kFftSize; start + kFftSize + kDelay < x.size(); start += kHop) {
        const auto a = tq::dsp::windowed_spectrum(fa, x, window, start);
        const auto b = tq::dsp::windowed_spectrum(fb, y, window, start + kDelay);
        for (int f = 0; f < kBins; ++f) {
            const double la = std::log(std::abs(a[static_cast<size_t>(f)]) + 1e-2);
            const double lb = std::log(std::abs(b[static_cast<size_t>(f)]) + 1e-2);
            s += (la - lb) * (la - lb);
            ++n;
        }
    }
    return std::sqrt(s / static_cast<double>(n));
}

TEST(GaussCodec, RateFollowsTheBitrateAndQualityImproves) {
    const std::vector<float> x = synthetic(4 * kSampleRate);
    double previous = 1e300, lowest_rate = 0;
    for (int bitrate : {4000, 8000, 16000, 32000}) {
        const Coded coded = encode_all({x}, bitrate);
        size_t bytes = 0;
        for (const auto& p : coded.payloads) bytes += p.size() + tq::kPacketOverheadBytes;
        const double duration = static_cast<double>(x.size()) / kSampleRate;
        const double rate = 8.0 * static_cast<double>(bytes) / duration;
        const double err = log_spectral_error(x, decode_all(coded, 1)[0]);
        std::printf("  %5d b/s: %7.0f b/s (file bytes), log-spectral error %.3f\n", bitrate, rate, err);
        EXPECT_LT(rate, 1.10 * bitrate);
        // This simple signal is modelled well from 4k on: neighbouring rates may trade places
        // by a little, the trend must hold.
        EXPECT_LT(err, previous + 0.03) << bitrate;
        if (bitrate == 4000) lowest_rate = err;
        if (bitrate == 32000) {
            EXPECT_LT(err, lowest_rate + 0.01);
        }
        previous = err;
    }
}

TEST(GaussCodec, StereoMsAndLrDecode) {
    const std::vector<float> l = synthetic(kFrameSize, 1), r = synthetic(kFrameSize, 2);
    for (const char* mode : {"stereo=ms", "stereo=lr"}) {
        const Coded coded = encode_all({l, r}, 16000, std::string(mode) + ",iterations=16");
        const Planes out = decode_all(coded, 2);
        EXPECT_EQ(out[1].size(), l.size() + kDelay);
        EXPECT_TRUE(all_finite(out[0]) && all_finite(out[1]));
    }
}

// ---- hostile payloads --------------------------------------------------------------------

int try_decode(std::span<const uint8_t> payload, int samples, std::vector<float>& out, int channels = 1) {
    const auto dec = make_decoder(Params{}, channels);
    out.assign(static_cast<size_t>(std::clamp(samples, 0, kFrameSize)) * static_cast<size_t>(channels), 0.0f);
    std::vector<float*> planes;
    for (int c = 0; c < channels; ++c) planes.push_back(out.data() + static_cast<size_t>(c) * static_cast<size_t>(std::clamp(samples, 0, kFrameSize)));
    try {
        dec->decode(payload, {planes.data(), channels, samples});
        return TQ_OK;
    } catch (const tq::Error& e) {
        return e.code();
    }
}

std::vector<uint8_t> good_packet() {
    return encode_all({synthetic(kFrameSize)}, 8000, "iterations=16").payloads[0];
}

TEST(GaussHostile, ExtremeScalesAndAmplitudesDecodeFinite) {
    for (int scale : {0, kScaleLevels - 1})
        for (int amp : {0, kAmpLevels - 1}) {
            QModel q = random_qmodel(kFramesPerPacket, 40, 9);
            for (auto& g : q.gaussians) g.u1 = g.u2 = scale, g.a = amp;
            for (int& v : q.floor) v = kFloorMin + kFloorLevels - 1;  // the loudest floor
            std::vector<float> out;
            EXPECT_EQ(try_decode(write_channel(q), kFrameSize, out), TQ_OK);
            EXPECT_TRUE(all_finite(out)) << scale << " " << amp;
            EXPECT_LT(*std::max_element(out.begin(), out.end()), 1e4f);
        }
}

TEST(GaussHostile, CoveragePastTheBoundIsCorrupt) {
    // Every Gaussian of scale 64 covers the whole packet: 100 of them is past kMaxCoverage.
    QModel q = random_qmodel(kFramesPerPacket, 100, 10);
    for (auto& g : q.gaussians) g.u1 = g.u2 = kScaleLevels - 1;
    std::vector<float> out;
    EXPECT_EQ(try_decode(write_channel(q), kFrameSize, out), TQ_ERR_CORRUPT);
    EXPECT_GT(coverage(dequantize(q)), kMaxCoverage * kFramesPerPacket * kBins);
}

TEST(GaussHostile, CountPastTheBoundIsCorrupt) {
    tq::RangeEncoder enc;
    // A floor of zeros (first symbol then deltas), then a count of kMaxGaussians + 1.
    tq::AdaptiveModel first(kFloorLevels), delta(2 * kFloorLevels - 1), len(14);
    enc.encode(first, -kFloorMin);
    for (int i = 1; i < floor_times(kFramesPerPacket) * kFloorBands; ++i) enc.encode(delta, kFloorLevels - 1);
    const uint32_t count = kMaxGaussians + 1;
    enc.encode(len, 13);
    enc.encode_bits(count & 0xfff, 12);
    std::vector<float> out;
    EXPECT_EQ(try_decode(enc.finish(), kFrameSize, out), TQ_ERR_CORRUPT);
}

TEST(GaussHostile, TimePastThePacketIsCorrupt) {
    QModel q = random_qmodel(kFramesPerPacket, 3, 4);
    q.gaussians[2].t = 2 * (kFramesPerPacket - 1);
    const std::vector<uint8_t> bytes = write_channel(q);
    std::vector<float> out;
    EXPECT_EQ(try_decode(bytes, kFrameSize, out), TQ_OK);
    // The same section read as a shorter packet puts that Gaussian past its end.
    EXPECT_EQ(try_decode(bytes, 100 * kHop, out), TQ_ERR_CORRUPT);
}

TEST(GaussHostile, TrailingBytesAndBadSampleCountsAreCorrupt) {
    std::vector<uint8_t> payload = good_packet();
    std::vector<float> out;
    EXPECT_EQ(try_decode(payload, kFrameSize, out), TQ_OK);
    EXPECT_EQ(try_decode(payload, 0, out), TQ_ERR_CORRUPT);
    EXPECT_EQ(try_decode(payload, kFrameSize + 1, out), TQ_ERR_CORRUPT);
    payload.insert(payload.end(), 8, 0x5a);
    EXPECT_EQ(try_decode(payload, kFrameSize, out), TQ_ERR_CORRUPT);
}

TEST(GaussHostile, TruncatedAndRandomPayloadsNeverCrashAndTheNextPacketDecodes) {
    const Coded coded = encode_all({synthetic(2 * kFrameSize)}, 8000, "iterations=16");
    const auto dec = make_decoder(stream_info(1), coded.params);
    std::vector<float> out(kFrameSize);
    float* plane = out.data();
    std::mt19937 rng(17);
    for (int round = 0; round < 16; ++round) {
        std::vector<uint8_t> junk(std::uniform_int_distribution<size_t>(0, 3000)(rng));
        for (auto& b : junk) b = static_cast<uint8_t>(rng());
        if (round < 4) junk.assign(coded.payloads[0].begin(), coded.payloads[0].begin() + static_cast<long>(coded.payloads[0].size() * round / 4));
        try {
            dec->decode(junk, {&plane, 1, kFrameSize});
        } catch (const tq::Error& e) {
            EXPECT_EQ(e.code(), TQ_ERR_CORRUPT);
        }
        EXPECT_TRUE(all_finite(out)) << round;
    }
    // The decoder still decodes good packets after a reset, exactly as a fresh one.
    dec->reset();
    const Planes fresh = decode_all(coded, 1);
    std::vector<float> again;
    for (size_t p = 0; p < coded.payloads.size(); ++p) {
        std::vector<float> part(static_cast<size_t>(coded.samples[p]));
        float* pp = part.data();
        dec->decode(coded.payloads[p], {&pp, 1, coded.samples[p]});
        again.insert(again.end(), part.begin(), part.end());
    }
    EXPECT_EQ(again, fresh[0]);
}

TEST(GaussHostile, ConcealKeepsTheDecoderInStep) {
    kHarness.expect_conceal_keeps_decoder_in_step(encode_all({synthetic(3 * kFrameSize)}, 8000, "iterations=16"));
}

TEST(GaussParams, DamagedParametersAreCorrupt) {
    const std::vector<uint8_t> good = serialize_params(Params{});
    EXPECT_NO_THROW(make_decoder(stream_info(1), good));
    for (const std::vector<uint8_t>& bad : std::vector<std::vector<uint8_t>>{{}, {2, 0}, {1, 2}, {1, 0, 0}})
        EXPECT_THROW(make_decoder(stream_info(1), bad), tq::Error);
    tq::StreamInfo other = stream_info(1);
    other.sample_rate = 48000;
    EXPECT_THROW(make_decoder(other, good), tq::Error);
    other = stream_info(1);
    other.delay = 0;
    EXPECT_THROW(make_decoder(other, good), tq::Error);
}

TEST(GaussSetup, OnlyTwentyFourKilohertzAndBitratesInRange) {
    for (int rate : {16000, 44100}) {
        tqtest::Codec codec(TQ_FAMILY_GAUSS, rate, 1, "", 8000);
        EXPECT_FALSE(codec.created) << rate;
    }
    for (int bitrate : {3999, 32001}) {
        tqtest::Codec codec(TQ_FAMILY_GAUSS, kSampleRate, 1, "", bitrate);
        EXPECT_FALSE(codec.created) << bitrate;
    }
    tqtest::Codec codec(TQ_FAMILY_GAUSS, kSampleRate, 1, "", 8000);
    EXPECT_TRUE(codec.created) << tq_last_error_message();
}

// ---- threads -----------------------------------------------------------------------------

TEST(GaussThreads, FitterThreadsGiveTheSameStream) {
    const Planes x{synthetic(kFrameSize + 5000)};
    const Coded one = encode_all(x, 16000, "iterations=24");
    const Coded three = encode_all(x, 16000, "iterations=24,threads=3");
    EXPECT_EQ(one.payloads, three.payloads);
}

TEST(GaussThreads, TwoEncodersInThreadsMatchSequentialRuns) {
    const Planes a{synthetic(kFrameSize, 1)}, b{synthetic(kFrameSize, 2)};
    const Coded a1 = encode_all(a, 8000, "iterations=16"), b1 = encode_all(b, 16000, "iterations=16");
    Coded a2, b2;
    std::thread ta([&] { a2 = encode_all(a, 8000, "iterations=16"); });
    std::thread tb([&] { b2 = encode_all(b, 16000, "iterations=16"); });
    ta.join();
    tb.join();
    EXPECT_EQ(a1.payloads, a2.payloads);
    EXPECT_EQ(b1.payloads, b2.payloads);
}

}  // namespace
