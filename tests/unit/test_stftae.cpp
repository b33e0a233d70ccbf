// stftae family: the C++ pipeline against PyTorch's golden vectors, the
// entropy coder, the codec's framing (lengths, delay, budget) against a direct
// float pipeline, hostile payloads, model identity, setup errors and threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "api/stream_header.hpp"
#include "core/error.hpp"
#include "families/stftae/bitstream.hpp"
#include "families/stftae/decoder.hpp"
#include "families/stftae/encoder.hpp"
#include "families/stftae/model.hpp"
#include "families/stftae/params.hpp"
#include "families/stftae/transform.hpp"
#include "dsp/stft.hpp"
#include "metrics/metrics.hpp"
#include "nn/safetensors.hpp"
#include "nn/spectral_head.hpp"
#include "family_harness.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using namespace tq::stftae;
using tq::nn::SafeTensors;
using tq::nn::Tensor;

// Multi-scale mel distance (DAC) the trained model must stay under on the held-out clips at
// 24 kb/s: the version 1 model measured 1.57 (speech) and 1.45 (music), its untrained one 6.4 and 5.0;
// the version 2 development model (a few steps on noise) 2.51 and 2.51.
constexpr double kQualityFloorMelDistance = 1.9;

fs::path data_dir() { return tqtest::test_data_dir("stftae"); }

// 16-bit PCM mono WAV -> floats in [-1, 1).
std::vector<float> read_wav(const std::string& name) {
    const std::vector<uint8_t> bytes = tqtest::read_bytes(data_dir() / name);
    EXPECT_GT(bytes.size(), 44u) << name;
    auto u32 = [&](size_t at) {
        uint32_t v;
        std::memcpy(&v, bytes.data() + at, 4);
        return v;
    };
    for (size_t at = 12; at + 8 <= bytes.size(); at += 8 + u32(at + 4)) {
        if (std::memcmp(bytes.data() + at, "data", 4) != 0) continue;
        const size_t count = std::min<size_t>(u32(at + 4), bytes.size() - at - 8) / 2;
        std::vector<float> out(count);
        for (size_t i = 0; i < count; ++i) {
            int16_t s;
            std::memcpy(&s, bytes.data() + at + 8 + 2 * i, 2);
            out[i] = static_cast<float>(s) / 32768.0f;
        }
        return out;
    }
    ADD_FAILURE() << name << " has no data chunk";
    return {};
}

using tqtest::relative_error;

bool all_finite(std::span<const float> x) {
    return std::all_of(x.begin(), x.end(), [](float v) { return std::isfinite(v); });
}

// ---- golden vectors ------------------------------------------------------------------------

class Golden : public ::testing::Test {
protected:
    void SetUp() override {
        golden_ = std::make_unique<SafeTensors>(SafeTensors::load(data_dir() / "golden.safetensors"));
        const std::string made_with = golden_->meta_string("model_sha256");
        const std::string ours = tq::to_hex(model().sha256());
        // export_stftae.py writes the model and its golden vectors together: only a model swapped in
        // through the environment may differ, and then there is nothing to compare.
        if (made_with != ours && std::getenv(kModelEnvironment))
            GTEST_SKIP() << kModelEnvironment << " loads model " << ours.substr(0, 8) << ", the golden vectors are "
                         << "for " << made_with.substr(0, 8);
        ASSERT_EQ(made_with, ours)
            << "golden.safetensors was made with another model: rerun tools/train/export_stftae.py";
    }
    const Tensor& get(const std::string& name) const { return golden_->get(name); }

    // [kBins, K] re and im -> K spectra of kBins bins.
    std::vector<std::complex<float>> golden_spectra() const {
        const Tensor& re = get("spectrum_re");
        const Tensor& im = get("spectrum_im");
        const size_t frames = re.dim(1);
        std::vector<std::complex<float>> out(frames * kBins);
        for (size_t b = 0; b < static_cast<size_t>(kBins); ++b)
            for (size_t t = 0; t < frames; ++t)
                out[t * kBins + b] = {re.data()[b * frames + t], im.data()[b * frames + t]};
        return out;
    }

    std::unique_ptr<SafeTensors> golden_;
};

// Log-magnitudes of bins near the floor (|X| ~ 1e-5 next to a peak of ~100) are
// ill-conditioned: float32 rounding in the window and the FFT moves them by up to
// 0.1, and even numpy's float64 FFT differs from the golden's by 0.04 there (its
// window is float32 Hann). So the log plane is compared as magnitudes (relative to
// the largest), and as logs only within 60 dB of each frame's peak. The compressed
// planes (|X|^0.3 e^{i arg X}) carry the phase, which is just as ill-conditioned
// there (1.3e-3 of the largest value on the held-out speech): they too are compared
// within 60 dB of the peak. The latents, which see every bin, must still match.
TEST_F(Golden, FeaturesMatchPyTorch) {
    const Tensor features = offline_features(get("audio").values());
    const Tensor& want = get("features");
    ASSERT_EQ(features.shape(), want.shape());
    ASSERT_EQ(want.dim(0), static_cast<size_t>(kFeaturePlanes * kBins));
    std::vector<float> got_magnitude, want_magnitude, got_log, want_log, got_compressed, want_compressed;
    const size_t frames = want.dim(1);
    const size_t plane = static_cast<size_t>(kBins) * frames;
    for (size_t t = 0; t < frames; ++t) {
        float peak = 0.0f;
        for (size_t b = 0; b < static_cast<size_t>(kBins); ++b) peak = std::max(peak, want.data()[b * frames + t]);
        for (size_t b = 0; b < static_cast<size_t>(kBins); ++b) {
            const size_t i = b * frames + t;
            got_magnitude.push_back(std::exp(features.data()[i]));
            want_magnitude.push_back(std::exp(want.data()[i]));
            if (want.data()[i] < peak - std::log(1000.0f)) continue;
            got_log.push_back(features.data()[i]);
            want_log.push_back(want.data()[i]);
            for (size_t p : {plane, 2 * plane}) {
                got_compressed.push_back(features.data()[p + i]);
                want_compressed.push_back(want.data()[p + i]);
            }
        }
    }
    EXPECT_LT(relative_error(got_magnitude, want_magnitude), 1e-4);
    EXPECT_LT(relative_error(got_log, want_log), 1e-4);
    EXPECT_LT(relative_error(got_compressed, want_compressed), 1e-4) << "compressed re and im planes";
}

TEST_F(Golden, LatentsMatchPyTorch) {
    const Tensor latents = model().encode(get("features"));
    ASSERT_EQ(latents.shape(), get("latents").shape());
    EXPECT_LT(relative_error(latents.values(), get("latents").values()), 1e-4);
}

TEST_F(Golden, SpectrumMatchesPyTorch) {
    const std::vector<std::complex<float>> spectra = model().decode(get("latents"));
    const std::vector<std::complex<float>> want = golden_spectra();
    ASSERT_EQ(spectra.size(), want.size());
    std::vector<float> got_parts, want_parts;
    for (size_t i = 0; i < want.size(); ++i) {
        got_parts.insert(got_parts.end(), {spectra[i].real(), spectra[i].imag()});
        want_parts.insert(want_parts.end(), {want[i].real(), want[i].imag()});
    }
    EXPECT_LT(relative_error(got_parts, want_parts), 1e-4);
}

TEST_F(Golden, SynthesisMatchesPyTorch) {
    const std::vector<float> synth = tq::nn::offline_synthesis(golden_spectra(), kFftSize, kHop, kOlaGain);
    EXPECT_LT(relative_error(synth, get("synth").values()), 1e-4);
}

TEST_F(Golden, SilenceLatentMatchesPyTorch) {
    EXPECT_LT(relative_error(model().silence_latent(), get("silence_latent").values()), 1e-4);
}

TEST(StftaeModel, EmbeddedModelIsTheOneLoaded) {
    if (std::getenv(kModelEnvironment)) GTEST_SKIP() << kModelEnvironment << " overrides the embedded model";
    EXPECT_EQ(model().sha256(), tq::sha256(embedded_model_bytes()));
    EXPECT_EQ(model().latent_scale().size(), static_cast<size_t>(kLatentChannels));
}

// The embedded model's bytes with the metadata text `from` replaced by `to` (same length:
// the safetensors header keeps its size), parsed; returns the TQ_ERR_MODEL message.
std::string refusal_of_edited_model(const std::string& from, const std::string& to) {
    std::vector<uint8_t> bytes(embedded_model_bytes().begin(), embedded_model_bytes().end());
    EXPECT_EQ(from.size(), to.size());
    const auto at = std::search(bytes.begin(), bytes.end(), from.begin(), from.end());
    if (at == bytes.end()) return "no " + from + " in the model";
    std::copy(to.begin(), to.end(), at);
    try {
        Model::parse(bytes, "edited model");
        return "accepted";
    } catch (const tq::Error& e) {
        EXPECT_EQ(e.code(), TQ_ERR_MODEL) << e.what();
        return e.what();
    }
}

TEST(StftaeModel, ModelWithOtherFramingIsRefused) {
    const std::string why = refusal_of_edited_model("\"stftae.hop\":\"240\"", "\"stftae.hop\":\"241\"");
    EXPECT_NE(why.find("stftae.hop"), std::string::npos) << why;
    const std::string planes =
        refusal_of_edited_model("\"stftae.feature_planes\":\"3\"", "\"stftae.feature_planes\":\"1\"");
    EXPECT_NE(planes.find("stftae.feature_planes"), std::string::npos) << planes;
}

// A version 1 file has no stftae.version key; renaming the key makes one.
TEST(StftaeModel, VersionOneModelIsRefusedByName) {
    const std::string why = refusal_of_edited_model("\"stftae.version\"", "\"stftae.vers1on\"");
    EXPECT_NE(why.find("stftae model version 1, this library runs only version 2"), std::string::npos) << why;
    EXPECT_NE(why.find("export_stftae.py"), std::string::npos) << why;
    const std::string three = refusal_of_edited_model("\"stftae.version\":\"2\"", "\"stftae.version\":\"3\"");
    EXPECT_NE(three.find("stftae model version 3"), std::string::npos) << three;
}

// Overlap-add of the (complex) analysis spectra gives the input back three hops late:
// synthesis frame j stands for the samples analysis frame j covered.
TEST(StftaeTransform, OverlapAddOfAnalysisSpectraRebuildsTheInput) {
    const std::vector<float> x = tqtest::gaussian(40 * kHop, 0.2f, 3);
    std::vector<float> padded(3 * kHop, 0.0f);
    padded.insert(padded.end(), x.begin(), x.end());
    tq::dsp::RealFft fft(kFftSize);
    const std::vector<float> window = tq::dsp::periodic_hann(kFftSize);
    tq::nn::OverlapAdd ola(kFftSize, kHop, kOlaGain);
    std::vector<float> out(x.size());
    for (size_t j = 0; j + kHopsPerFrame <= padded.size() / kHop; ++j) {
        const auto spectrum = tq::dsp::windowed_spectrum(fft, padded, window, j * kHop);
        std::vector<std::complex<float>> copy(spectrum.begin(), spectrum.end());
        ola.push(copy, std::span(out).subspan(j * kHop, kHop));
    }
    // Hops before the first complete one (the first three) are partial.
    const size_t done = out.size() - 3 * kHop;
    EXPECT_LT(relative_error(std::span(out).subspan(3 * kHop, done - 3 * kHop),
                             std::span(x).subspan(0, done - 3 * kHop)),
              1e-5);
}

// ---- entropy coding ------------------------------------------------------------------------

LatentCodes random_codes(int frames, int channels, int step, const std::function<int32_t()>& draw) {
    LatentCodes codes;
    codes.frames = frames;
    codes.channels = channels;
    codes.step = step;
    codes.q.resize(static_cast<size_t>(frames * channels * kLatentChannels));
    for (auto& q : codes.q) q = draw();
    return codes;
}

void expect_round_trip(const LatentCodes& codes) {
    const std::vector<uint8_t> payload = write_payload(codes);
    EXPECT_LE(payload.size(), max_payload_bytes(codes.frames, codes.channels));
    const LatentCodes back = read_payload(payload, codes.frames, codes.channels);
    EXPECT_EQ(back.step, codes.step);
    EXPECT_EQ(back.q, codes.q);
}

TEST(StftaeEntropy, RandomSkewedAndZeroBlocksRoundTripExactly) {
    std::mt19937 rng(5);
    std::uniform_int_distribution<int32_t> wide(-kMaxMagnitude, kMaxMagnitude);
    std::geometric_distribution<int32_t> small(0.6);
    std::uniform_int_distribution<int> coin(0, 999);
    for (int round = 0; round < 4; ++round) {
        const int frames = 1 + round * 33, channels = 1 + round % 3;
        expect_round_trip(random_codes(frames, channels, round * 40, [&] { return wide(rng); }));
        expect_round_trip(random_codes(frames, channels, 127, [&] {
            const int32_t m = coin(rng) == 0 ? kMaxMagnitude : small(rng);
            return coin(rng) < 500 ? -m : m;
        }));
        expect_round_trip(random_codes(frames, channels, 0, [] { return 0; }));
    }
}

TEST(StftaeEntropy, SilentBlockCostsAFewBytes) {
    const std::vector<uint8_t> payload = write_payload(random_codes(100, 2, 64, [] { return 0; }));
    EXPECT_LT(payload.size(), 40u);
}

TEST(StftaeEntropy, QuantizerClampsAndRoundsSymmetrically) {
    EXPECT_EQ(step_size(kStepBias), 1.0);
    EXPECT_EQ(step_size(kStepBias + kStepsPerOctave), 2.0);
    EXPECT_EQ(quantize(2.6f, 1.0f, 1.0), 3);
    EXPECT_EQ(quantize(-2.6f, 1.0f, 1.0), -3);
    EXPECT_EQ(quantize(1e9f, 1.0f, 1.0), kMaxMagnitude);
    EXPECT_EQ(quantize(std::nanf(""), 1.0f, 1.0), 0);
    EXPECT_FLOAT_EQ(dequantize(-3, 0.5f, 2.0), -3.0f);
}

// ---- codec --------------------------------------------------------------------------------

using tqtest::Coded;
using tqtest::mono;
using tqtest::Planes;

constexpr tqtest::FamilyHarness kHarness(TQ_FAMILY_STFTAE, kSampleRate, kFrameSize, kDelay);

auto encoder(int channels, int bitrate, const std::string& options = "") {
    return kHarness.encoder(channels, bitrate, options);
}
tq::StreamInfo stream_info(int channels) { return kHarness.stream_info(channels); }
Coded encode_all(const Planes& pcm, int bitrate, const std::string& options = "") {
    return kHarness.encode_all(pcm, bitrate, options);
}
Planes decode_all(const Coded& coded, int channels, int max_layers = 0) {
    return kHarness.decode_all(coded, channels, max_layers);
}

std::vector<float> first(const std::vector<float>& x, size_t n) { return {x.begin(), x.begin() + static_cast<long>(n)}; }

TEST(StftaeCodec, DecodedLengthIsInputPlusDelay) {
    for (int length : {1, 239, 240, 5000, kFrameSize, kFrameSize + 1, 2 * kFrameSize + 4321}) {
        const Coded coded = encode_all(mono(tqtest::gaussian(static_cast<size_t>(length), 0.1f, 9)), 24000);
        EXPECT_EQ(coded.samples.back(), kDelay) << "the flush packet";
        const Planes out = decode_all(coded, 1);
        EXPECT_EQ(out[0].size(), static_cast<size_t>(length + kDelay)) << "input of " << length;
        EXPECT_TRUE(all_finite(out[0]));
    }
}

TEST(StftaeCodec, CApiDrainsTheDelayAtFlush) {
    tqtest::Codec codec(TQ_FAMILY_STFTAE, kSampleRate, 1, "", 12000);
    ASSERT_TRUE(codec.created) << tq_last_error_message();
    EXPECT_EQ(tq_encoder_delay(codec.enc.p), kDelay);
    EXPECT_EQ(tq_decoder_delay(codec.dec.p), kDelay);
    const std::vector<float> x = tqtest::gaussian(30000, 0.1f, 4);
    std::vector<float> out = codec.run(x);
    std::vector<uint8_t> packet(tq_encoder_max_packet_size(codec.enc.p));
    size_t size = 0;
    ASSERT_EQ(tq_encoder_flush(codec.enc.p, packet.data(), packet.size(), &size), TQ_OK);
    packet.resize(size);
    EXPECT_EQ(tq_packet_samples(packet.data(), packet.size()), kDelay);
    const std::vector<float> tail = codec.decode(packet, kDelay);
    out.insert(out.end(), tail.begin(), tail.end());
    EXPECT_EQ(out.size(), x.size() + kDelay);
    packet.resize(tq_encoder_max_packet_size(codec.enc.p));
    ASSERT_EQ(tq_encoder_flush(codec.enc.p, packet.data(), packet.size(), &size), TQ_OK);
    EXPECT_EQ(size, 0u);
}

// The latents a stream of `packets` carries, from the first (j = kFirstLatent) on.
int total_latents(const std::vector<int>& samples) {
    Schedule schedule;
    int total = 0;
    for (int s : samples) {
        total += schedule.latents_for(s);
        schedule.advance(s);
    }
    return total;
}

// The same model run once over the whole input (x after 11 silent hops, so that
// offline frame f is the codec's frame f - 8), quantized as the packets say.
struct DirectPipeline {
    explicit DirectPipeline(const std::vector<float>& x, const Coded& coded)
        : latents(total_latents(coded.samples)) {
        const int lead = -(kFirstLatent - kEncoderContext - (kHopsPerFrame - 1));
        std::vector<float> padded(static_cast<size_t>(lead * kHop), 0.0f);
        padded.insert(padded.end(), x.begin(), x.end());
        padded.resize(static_cast<size_t>((latents + 2 * kEncoderContext - 1) * kHop + kFftSize), 0.0f);
        encoded = model().encode(offline_features(padded));
    }

    // The codec's packets' q against the direct latents quantized with each packet's step; returns mismatches.
    int compare_quantized(const Coded& coded) {
        Schedule schedule;
        int j = 0, mismatches = 0;
        decoded_latents.clear();
        for (size_t p = 0; p < coded.payloads.size(); ++p) {
            const int frames = schedule.latents_for(coded.samples[p]);
            schedule.advance(coded.samples[p]);
            const LatentCodes codes = read_payload(coded.payloads[p], frames, 1);
            const double step = step_size(codes.step);
            for (int f = 0; f < frames; ++f, ++j)
                for (int d = 0; d < kLatentChannels; ++d) {
                    const float scale = model().latent_scale()[static_cast<size_t>(d)];
                    const float direct = encoded.data()[static_cast<size_t>(d * latents + j)];
                    mismatches += quantize(direct, scale, step) != codes.at(f, 0, d);
                    decoded_latents.push_back(dequantize(codes.at(f, 0, d), scale, step));
                }
        }
        return mismatches;
    }

    // Decoded latents after kDecoderContext silence latents, decoded and overlap-added in one go.
    std::vector<float> synthesis() const {
        const size_t frames = static_cast<size_t>(kDecoderContext + latents);
        Tensor input({static_cast<size_t>(kLatentChannels), frames});
        for (size_t f = 0; f < frames; ++f)
            for (size_t d = 0; d < static_cast<size_t>(kLatentChannels); ++d)
                input.data()[d * frames + f] =
                    f < static_cast<size_t>(kDecoderContext)
                        ? model().silence_latent()[d]
                        : decoded_latents[(f - kDecoderContext) * kLatentChannels + d];
        const std::vector<std::complex<float>> spectra = model().decode(input);
        tq::nn::OverlapAdd ola(kFftSize, kHop, kOlaGain);
        std::vector<float> out(static_cast<size_t>(latents) * kHop);
        for (size_t f = 0; f < static_cast<size_t>(latents); ++f)
            ola.push(std::span(spectra).subspan(f * kBins, kBins), std::span(out).subspan(f * kHop, kHop));
        return out;
    }

    int latents;
    Tensor encoded;
    std::vector<float> decoded_latents;
};

struct ClipRate {
    const char* clip;
    int bitrate;
};

class StftaeClips : public ::testing::TestWithParam<ClipRate> {};

TEST_P(StftaeClips, DecoderEqualsTheDirectFloatPipelineWithinBudget) {
    const std::vector<float> x = read_wav(GetParam().clip);
    ASSERT_FALSE(x.empty());
    const int bitrate = GetParam().bitrate;
    const Coded coded = encode_all(mono(x), bitrate);
    const double budget = bitrate / 8.0 - tq::kPacketOverheadBytes;
    // Within the budget, and within 10 % of it: one step index changes the rate by ~1/8 bit per value.
    for (size_t p = 0; p < coded.payloads.size(); ++p)
        if (coded.samples[p] == kFrameSize) {
            EXPECT_LE(static_cast<double>(coded.payloads[p].size()), budget) << p;
            EXPECT_GT(static_cast<double>(coded.payloads[p].size()), 0.9 * budget) << p;
        }
    const Planes out = decode_all(coded, 1);
    ASSERT_EQ(out[0].size(), x.size() + kDelay);

    DirectPipeline direct(x, coded);
    EXPECT_LE(direct.compare_quantized(coded), direct.latents * kLatentChannels / 1000)
        << "latents quantized differently from one pass over the whole input";
    const std::vector<float> want = first(direct.synthesis(), out[0].size());
    EXPECT_LT(relative_error(out[0], want), 1e-5);
}

// 6k and 48k: the ends of the range, which 64 latents per hop must reach within 10 %.
INSTANTIATE_TEST_SUITE_P(Clips, StftaeClips,
                         ::testing::Values(ClipRate{"speech_24k.wav", 6000}, ClipRate{"speech_24k.wav", 12000},
                                           ClipRate{"speech_24k.wav", 24000}, ClipRate{"speech_24k.wav", 48000},
                                           ClipRate{"music_24k.wav", 6000}, ClipRate{"music_24k.wav", 12000},
                                           ClipRate{"music_24k.wav", 24000}, ClipRate{"music_24k.wav", 48000}),
                         [](const ::testing::TestParamInfo<ClipRate>& param) {
                             return std::string(param.param.clip).substr(0, 5) + "_" +
                                    std::to_string(param.param.bitrate);
                         });

TEST(StftaeCodec, QualityFloor) {
    for (const char* clip : {"speech_24k.wav", "music_24k.wav"}) {
        const std::vector<float> x = read_wav(clip);
        const Planes out = decode_all(encode_all(mono(x), 24000), 1);
        const std::span<const float> aligned = std::span(out[0]).subspan(kDelay, x.size());
        const double distance = tqm::mel_distance(x, aligned, kSampleRate);
        std::printf("stftae %s at 24000 b/s (model %s): mel distance %.3f\n", clip, tq::to_hex(model().sha256()).substr(0, 8).c_str(),
                    distance);
        EXPECT_LT(distance, kQualityFloorMelDistance) << clip;
    }
}

// The decoder invents its phase, so the waveforms need not correlate at the exact delay; their
// energy envelopes (RMS per hop) must line up at kDelayHops.
std::vector<double> hop_envelope(const std::vector<float>& x) {
    std::vector<double> env(x.size() / kHop);
    for (size_t h = 0; h < env.size(); ++h) {
        double e = 0;
        for (int i = 0; i < kHop; ++i) e += static_cast<double>(x[h * kHop + static_cast<size_t>(i)]) * x[h * kHop + static_cast<size_t>(i)];
        env[h] = std::sqrt(e / kHop);
    }
    return env;
}

TEST(StftaeCodec, OutputEnvelopeFollowsTheInputOneDelayLater) {
    if (model().training_note() == "untrained")
        GTEST_SKIP() << "the untrained model's output does not resemble its input";
    const std::vector<float> x = read_wav("speech_24k.wav");
    const std::vector<double> in = hop_envelope(x), out = hop_envelope(decode_all(encode_all(mono(x), 24000), 1)[0]);
    int best_lag = -1;
    double best = -1.0;
    for (int lag = 0; lag <= 3 * kDelayHops; ++lag) {
        double dot = 0, norm = 0;
        for (size_t h = 0; h + static_cast<size_t>(lag) < out.size() && h < in.size(); ++h) {
            dot += in[h] * out[h + static_cast<size_t>(lag)];
            norm += out[h + static_cast<size_t>(lag)] * out[h + static_cast<size_t>(lag)];
        }
        const double score = dot / std::sqrt(norm + 1e-30);
        if (score > best) best = score, best_lag = lag;
    }
    EXPECT_EQ(best_lag, kDelayHops);
}

// Input hop h first reaches output hop h: the decoder's output is the input
// delayed by exactly kDelay, with no unused look-ahead.
TEST(StftaeCodec, InputHopFirstChangesTheOutputOneDelayLater) {
    constexpr int kBurstHop = 150;
    std::vector<float> silence(3 * kFrameSize, 0.0f), burst = silence;
    for (int i = 0; i < kHop; ++i) burst[static_cast<size_t>(kBurstHop * kHop + i)] = 0.5f * std::sin(0.3f * static_cast<float>(i));
    const Planes quiet = decode_all(encode_all(mono(silence), 0, "step=0"), 1);
    const Planes loud = decode_all(encode_all(mono(burst), 0, "step=0"), 1);
    size_t first_change = 0;
    while (first_change < quiet[0].size() && quiet[0][first_change] == loud[0][first_change]) ++first_change;
    EXPECT_GE(first_change, static_cast<size_t>(kBurstHop * kHop));
    EXPECT_LT(first_change, static_cast<size_t>((kBurstHop + 1) * kHop));
}

TEST(StftaeCodec, StereoLrCodesEachChannelLikeMono) {
    const Planes x{read_wav("speech_24k.wav"), read_wav("music_24k.wav")};
    const Planes both = decode_all(encode_all(x, 0, "stereo=lr,step=120"), 2);
    for (size_t c = 0; c < 2; ++c)
        EXPECT_EQ(both[c], decode_all(encode_all(mono(x[c]), 0, "step=120"), 1)[0]) << "channel " << c;
}

TEST(StftaeCodec, StereoMsCodesMidAndSide) {
    const Planes x{read_wav("speech_24k.wav"), read_wav("music_24k.wav")};
    std::vector<float> mid(x[0].size()), side(x[0].size());
    for (size_t i = 0; i < mid.size(); ++i) {
        mid[i] = 0.5f * (x[0][i] + x[1][i]);
        side[i] = 0.5f * (x[0][i] - x[1][i]);
    }
    const Planes both = decode_all(encode_all(x, 0, "step=120"), 2);
    const std::vector<float> m = decode_all(encode_all(mono(mid), 0, "step=120"), 1)[0];
    const std::vector<float> s = decode_all(encode_all(mono(side), 0, "step=120"), 1)[0];
    ASSERT_EQ(both[0].size(), m.size());
    for (size_t i = 0; i < m.size(); ++i) {
        ASSERT_EQ(both[0][i], m[i] + s[i]) << i;
        ASSERT_EQ(both[1][i], m[i] - s[i]) << i;
    }
}

// ---- hostile payloads ----------------------------------------------------------------------

// Decodes one payload on a fresh decoder: TQ_OK, or the error code it threw.
int try_decode(std::span<const uint8_t> payload, int samples, std::vector<float>& out) {
    Params p;
    p.model_sha256 = model().sha256();
    const auto dec = make_decoder(p, 1);
    out.assign(static_cast<size_t>(std::clamp(samples, 0, kFrameSize)), 0.0f);
    float* plane = out.data();
    try {
        dec->decode(payload, {&plane, 1, samples});
        return TQ_OK;
    } catch (const tq::Error& e) {
        return e.code();
    }
}

std::vector<uint8_t> speech_packet() {
    const std::vector<float> x = read_wav("speech_24k.wav");
    return encode_all(mono(first(x, kFrameSize)), 24000).payloads[0];
}

TEST(StftaeHostile, EveryStepIndexDecodesAndAnEmptyPayloadIsCorrupt) {
    std::vector<uint8_t> payload = speech_packet();
    std::vector<float> out;
    for (int k : {0, kStepCount - 1}) {
        payload[0] = static_cast<uint8_t>(k);
        EXPECT_EQ(try_decode(payload, kFrameSize, out), TQ_OK) << "step index " << k;
        for (float v : out) ASSERT_TRUE(std::isfinite(v)) << "step index " << k;
    }
    EXPECT_EQ(try_decode({}, kFrameSize, out), TQ_ERR_CORRUPT);
}

TEST(StftaeHostile, TrailingBytesAreCorrupt) {
    std::vector<uint8_t> payload = speech_packet();
    payload.insert(payload.end(), 8, 0x5a);
    std::vector<float> out;
    EXPECT_EQ(try_decode(payload, kFrameSize, out), TQ_ERR_CORRUPT);
}

TEST(StftaeHostile, SampleCountsOutsideTheFrameAreCorrupt) {
    const std::vector<uint8_t> payload = speech_packet();
    std::vector<float> out;
    EXPECT_EQ(try_decode(payload, 0, out), TQ_ERR_CORRUPT);
    EXPECT_EQ(try_decode(payload, kFrameSize + 1, out), TQ_ERR_CORRUPT);
    EXPECT_EQ(try_decode(payload, 1 << 30, out), TQ_ERR_CORRUPT);

    tqtest::Codec codec(TQ_FAMILY_STFTAE, kSampleRate, 1, "", 24000);
    ASSERT_TRUE(codec.created);
    std::vector<uint8_t> packet{0x80, 0x80, 0x80, 0x80, 0x04};  // LEB128 2^30 samples
    packet.insert(packet.end(), payload.begin(), payload.end());
    std::vector<float> pcm(kFrameSize);
    int got = 0;
    EXPECT_EQ(tq_decode(codec.dec.p, packet.data(), packet.size(), pcm.data(), kFrameSize, &got), TQ_ERR_CORRUPT);
}

TEST(StftaeHostile, TruncatedAndRandomPayloadsNeverCrash) {
    const std::vector<uint8_t> payload = speech_packet();
    std::vector<float> out;
    for (size_t size : {size_t{1}, size_t{2}, payload.size() / 3, payload.size() - 1}) {
        const int rc = try_decode(std::span(payload).first(size), kFrameSize, out);
        EXPECT_TRUE(rc == TQ_OK || rc == TQ_ERR_CORRUPT) << size;
        EXPECT_TRUE(all_finite(out));
    }
    std::mt19937 rng(17);
    for (int round = 0; round < 24; ++round) {
        std::vector<uint8_t> junk(std::uniform_int_distribution<size_t>(0, 4000)(rng));
        for (auto& b : junk) b = static_cast<uint8_t>(rng());
        if (!junk.empty() && round % 2 == 0) junk[0] = static_cast<uint8_t>(junk[0] % kStepCount);
        const int samples = std::uniform_int_distribution<int>(1, kFrameSize)(rng);
        const int rc = try_decode(junk, samples, out);
        EXPECT_TRUE(rc == TQ_OK || rc == TQ_ERR_CORRUPT) << round;
        EXPECT_TRUE(all_finite(out)) << round;
    }
}

// After a short packet the decoder holds up to a hop of finished samples; a packet
// asking for no more than those carries no latents.
TEST(StftaeHostile, PacketOfAlreadyFinishedSamplesCarriesNoLatents) {
    Params p;
    p.model_sha256 = model().sha256();
    const auto dec = make_decoder(p, 1);
    const Coded coded = encode_all(mono(tqtest::gaussian(100, 0.1f, 2)), 24000);
    std::vector<float> out(100);
    float* plane = out.data();
    dec->decode(coded.payloads[0], {&plane, 1, 100});
    const std::vector<uint8_t> with_symbols{64, 1, 2, 3, 4, 5, 6, 7, 8};
    EXPECT_THROW(dec->decode(with_symbols, {&plane, 1, 140}), tq::Error);
    out.assign(140, 0.0f);
    plane = out.data();
    const std::vector<uint8_t> step_only{64};
    dec->decode(step_only, {&plane, 1, 140});
    EXPECT_TRUE(all_finite(out));
}

TEST(StftaeHostile, ConcealKeepsTheDecoderInStep) {
    kHarness.expect_conceal_keeps_decoder_in_step(encode_all(mono(read_wav("speech_24k.wav")), 24000));
}

// ---- stream header -------------------------------------------------------------------------

// Creates a decoder for a stream with these parameters, directly and through the C ABI;
// both must fail with TQ_ERR_MODEL. Returns the message.
std::string model_refusal(const std::vector<uint8_t>& params) {
    std::string why = "accepted";
    try {
        make_decoder(stream_info(1), params);
    } catch (const tq::Error& e) {
        EXPECT_EQ(e.code(), TQ_ERR_MODEL) << e.what();
        why = e.what();
    }
    const std::vector<uint8_t> header = tq::write_stream_header({stream_info(1), params});
    tq_decoder* dec = nullptr;
    EXPECT_EQ(tq_decoder_create(header.data(), header.size(), &dec), TQ_ERR_MODEL);
    EXPECT_EQ(dec, nullptr);
    return why;
}

TEST(StftaeParams, StreamFromAnotherModelIsRefused) {
    std::vector<uint8_t> params = encoder(1, 24000)->params();
    ASSERT_EQ(params.size(), kParamsSize);
    params[1] ^= 0xff;
    const std::string why = model_refusal(params);
    EXPECT_NE(why.find("stream was encoded with stftae model"), std::string::npos) << why;
    EXPECT_NE(why.find(tq::to_hex(model().sha256()).substr(0, 8)), std::string::npos) << why;
}

// Streams of the version 1 model (32 latents) say parameter version 1: intact, but not ours.
TEST(StftaeParams, StreamOfTheVersionOneModelIsRefusedByName) {
    std::vector<uint8_t> params = encoder(1, 24000)->params();
    ASSERT_EQ(params[0], 2);
    params[0] = 1;
    const std::string why = model_refusal(params);
    EXPECT_NE(why.find("made for the version 1 stftae model"), std::string::npos) << why;
}

TEST(StftaeParams, DamagedParametersAreCorrupt) {
    const std::vector<uint8_t> good = encoder(2, 24000, "stereo=lr")->params();
    EXPECT_EQ(parse_params(good, stream_info(2)).stereo, tq::Stereo::left_right);
    auto expect_corrupt = [](std::vector<uint8_t> bytes, const tq::StreamInfo& info) {
        try {
            parse_params(bytes, info);
            ADD_FAILURE() << "accepted";
        } catch (const tq::Error& e) {
            EXPECT_EQ(e.code(), TQ_ERR_CORRUPT) << e.what();
        }
    };
    std::vector<uint8_t> bad = good;
    bad[0] = kParamsVersion + 1;
    expect_corrupt(bad, stream_info(2));
    bad[0] = 0;
    expect_corrupt(bad, stream_info(2));
    bad = good;
    bad.back() = 2;
    expect_corrupt(bad, stream_info(2));
    expect_corrupt({good.begin(), good.end() - 1}, stream_info(2));
    tq::StreamInfo other = stream_info(2);
    other.frame_size = 4096;
    expect_corrupt(good, other);
    other = stream_info(2);
    other.delay = 0;
    expect_corrupt(good, other);
}

// ---- setup ---------------------------------------------------------------------------------

int create(int rate, int bitrate, const char* options = "") {
    return tqtest::encoder_create_status(TQ_FAMILY_STFTAE, rate, bitrate, options);
}

TEST(StftaeSetup, OnlyTwentyFourKilohertzIsAccepted) {
    const int* rates = tq_family_sample_rates(TQ_FAMILY_STFTAE);
    ASSERT_NE(rates, nullptr);
    EXPECT_EQ(rates[0], kSampleRate);
    EXPECT_EQ(rates[1], 0);
    EXPECT_EQ(create(44100, 0), TQ_ERR_UNSUPPORTED);
    EXPECT_TRUE(tqtest::last_error_mentions("resample the input (44100 Hz) to 24000 Hz")) << tq_last_error_message();
    EXPECT_EQ(create(kSampleRate, 0), TQ_OK);
}

TEST(StftaeSetup, BitrateOutsideTheRangeIsRefused) {
    for (int bitrate : {5999, 48001, 128000}) {
        EXPECT_EQ(create(kSampleRate, bitrate), TQ_ERR_INVALID_ARGUMENT) << bitrate;
        EXPECT_TRUE(tqtest::last_error_mentions("outside 6000..48000")) << tq_last_error_message();
    }
    EXPECT_EQ(create(kSampleRate, 6000), TQ_OK);
    EXPECT_EQ(create(kSampleRate, 48000), TQ_OK);
    EXPECT_EQ(create(kSampleRate, 0, "step=256"), TQ_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(create(kSampleRate, 0, "stereo=xy"), TQ_ERR_INVALID_ARGUMENT);
}

TEST(StftaeSetup, FixedStepIsUsedForEveryPacket) {
    const Coded coded = encode_all(mono(read_wav("music_24k.wav")), 6000, "step=70");
    for (const auto& payload : coded.payloads) EXPECT_EQ(payload[0], 70);
}

TEST(StftaeSetup, LowerBitrateGivesCoarserSteps) {
    const Planes x = mono(read_wav("speech_24k.wav"));
    const Coded low = encode_all(x, 6000), high = encode_all(x, 48000);
    EXPECT_GT(low.payloads[1][0], high.payloads[1][0]);
    EXPECT_LT(high.payloads[1].size(), 48000 / 8);
    EXPECT_LE(static_cast<int>(low.payloads[1].size()), 6000 / 8 - tq::kPacketOverheadBytes);
}

// ---- threads -------------------------------------------------------------------------------

TEST(StftaeThreads, TwoEncodersInThreadsMatchSequentialRuns) {
    const Planes speech = mono(read_wav("speech_24k.wav")), music = mono(read_wav("music_24k.wav"));
    const Coded a = encode_all(speech, 24000), b = encode_all(music, 12000);
    Coded a2, b2;
    std::thread ta([&] { a2 = encode_all(speech, 24000); });
    std::thread tb([&] { b2 = encode_all(music, 12000); });
    ta.join();
    tb.join();
    EXPECT_EQ(a.payloads, a2.payloads);
    EXPECT_EQ(b.payloads, b2.payloads);
}

}  // namespace
