// rvq family: the C++ pipeline against PyTorch's golden vectors, the entropy
// coding and rate rule, the codec's framing (lengths, delay, streaming) against
// one pass over the whole input, bitrate reduction bit for bit, hostile
// payloads, model identity, setup errors and threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "api/stream_header.hpp"
#include "core/error.hpp"
#include "families/rvq/bitstream.hpp"
#include "families/rvq/decoder.hpp"
#include "families/rvq/encoder.hpp"
#include "families/rvq/model.hpp"
#include "families/rvq/params.hpp"
#include "families/rvq/reduce.hpp"
#include "nn/safetensors.hpp"
#include "nn/spectral_head.hpp"
#include "family_harness.hpp"
#include "test_support.hpp"

namespace {

using namespace tq::rvq;
using tq::nn::SafeTensors;
using tq::nn::Tensor;
using tqtest::relative_error;

// A build without the model file has no rvq family: nothing here can run.
class ModelPresent : public ::testing::Environment {
public:
    void SetUp() override {
        if (!tq_family_available(TQ_FAMILY_RVQ))
            GTEST_SKIP() << "no rvq model in this build (libtqcodec/models/rvq-24k.safetensors)";
    }
};
const auto* const kModelPresent = ::testing::AddGlobalTestEnvironment(new ModelPresent);

// The dev clips (4 s, 24 kHz mono) the stftae tests use too.
std::vector<float> clip(const std::string& name) {
    return tqtest::read_wav_samples(tqtest::test_data_dir("stftae") / name);
}

bool all_finite(std::span<const float> x) {
    return std::all_of(x.begin(), x.end(), [](float v) { return std::isfinite(v); });
}

// The decoder's whole-sequence output, as rvq_model.decode() gives it: spectra of
// every frame overlap-added, the first kHopsPerFrame - 1 (partial) hops dropped.
std::vector<float> offline_decode(const Tensor& quantized) {
    return tq::nn::offline_synthesis(model().decode(quantized), kFftSize, kHop, kOlaGain);
}

// ---- golden vectors ------------------------------------------------------------------------

class Golden : public ::testing::Test {
protected:
    void SetUp() override {
        golden_ = std::make_unique<SafeTensors>(SafeTensors::load(tqtest::test_data_dir("rvq") / "golden.safetensors"));
        const std::string made_with = golden_->meta_string("model_sha256");
        const std::string ours = tq::to_hex(model().sha256());
        if (made_with != ours && std::getenv(kModelEnvironment))
            GTEST_SKIP() << kModelEnvironment << " loads model " << ours.substr(0, 8) << ", the golden vectors are "
                         << "for " << made_with.substr(0, 8);
        ASSERT_EQ(made_with, ours) << "golden.safetensors was made with another model: rerun tools/train/export_rvq.py";
    }
    const Tensor& get(const std::string& name) const { return golden_->get(name); }

    // The golden indices [16, T] as FrameIndices.
    FrameIndices golden_indices() const {
        const Tensor& t = get("indices");
        const size_t frames = t.dim(1);
        FrameIndices out(frames * kCodebooks);
        for (size_t k = 0; k < static_cast<size_t>(kCodebooks); ++k)
            for (size_t f = 0; f < frames; ++f) out[f * kCodebooks + k] = static_cast<uint16_t>(t.data()[k * frames + f]);
        return out;
    }

    std::unique_ptr<SafeTensors> golden_;
};

TEST_F(Golden, LatentsMatchPyTorch) {
    const Tensor latents = model().encode(get("audio").values());
    ASSERT_EQ(latents.shape(), get("latents").shape());
    EXPECT_LT(relative_error(latents.values(), get("latents").values()), 1e-4);
}

TEST_F(Golden, IndicesOfEveryStageMatchPyTorch) {
    const FrameIndices want = golden_indices();
    const FrameIndices got = model().quantize(get("latents"));
    ASSERT_EQ(got.size(), want.size());
    size_t same = 0;
    for (size_t i = 0; i < got.size(); ++i) same += got[i] == want[i];
    EXPECT_EQ(same, got.size()) << "of " << got.size() << " indices";
}

TEST_F(Golden, QuantizedLatentsMatchPyTorchForAllAndFourCodebooks) {
    const FrameIndices indices = golden_indices();
    const size_t frames = indices.size() / kCodebooks;
    for (int k : {kCodebooks, 4}) {
        const Tensor q = model().dequantize(indices, std::vector<int>(frames, k));
        const Tensor& want = get(k == kCodebooks ? "quantized" : "quantized_k4");
        ASSERT_EQ(q.shape(), want.shape());
        EXPECT_LT(relative_error(q.values(), want.values()), 1e-4) << k << " codebooks";
    }
}

TEST_F(Golden, DecodedAudioMatchesPyTorch) {
    for (const char* name : {"quantized", "quantized_k4"}) {
        const std::vector<float> out = offline_decode(get(name));
        const Tensor& want = get(std::string(name) == "quantized" ? "decoded" : "decoded_k4");
        EXPECT_LT(relative_error(out, want.values()), 1e-4) << name;
    }
}

TEST(RvqModel, EmbeddedModelIsTheOneLoaded) {
    if (std::getenv(kModelEnvironment)) GTEST_SKIP() << kModelEnvironment << " overrides the embedded model";
    EXPECT_EQ(model().sha256(), tq::sha256(embedded_model_bytes()));
    for (int k = 0; k < kCodebooks; ++k) {
        EXPECT_EQ(model().cumulative(k).front(), 0u);
        EXPECT_EQ(model().cumulative(k).back(), kFrequencyTotal);
    }
}

void expect_model_rejected(const std::string& key, const std::string& edited, const std::string& fragment) {
    std::vector<uint8_t> bytes(embedded_model_bytes().begin(), embedded_model_bytes().end());
    auto at = std::search(bytes.begin(), bytes.end(), key.begin(), key.end());
    ASSERT_NE(at, bytes.end()) << key;
    ASSERT_EQ(key.size(), edited.size());
    std::copy(edited.begin(), edited.end(), at);
    try {
        Model::parse(bytes, "edited model");
        ADD_FAILURE() << "a model with " << edited << " was accepted";
    } catch (const tq::Error& e) {
        EXPECT_EQ(e.code(), TQ_ERR_MODEL);
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
}

TEST(RvqModel, ModelWithOtherConstantsIsRefusedNamingTheFirstMismatch) {
    expect_model_rejected("\"rvq.hop\":\"320\"", "\"rvq.hop\":\"321\"", "rvq.hop is 321");
    expect_model_rejected("\"rvq.decoder_context\":\"34\"", "\"rvq.decoder_context\":\"35\"",
                          "rvq.decoder_context is 35");
    expect_model_rejected("\"rvq.ola_gain\":\"1.5\"", "\"rvq.ola_gain\":\"1.6\"", "rvq.ola_gain is 1.6");
}

// ---- entropy coding ------------------------------------------------------------------------

Codes random_codes(int frames, int channels, std::mt19937& rng) {
    Codes codes(frames, channels);
    codes.units = frames * kCodebooks;
    std::uniform_int_distribution<int> any(0, kCodebookSize - 1);
    for (auto& i : codes.indices) i = static_cast<uint16_t>(any(rng));
    return codes;
}

TEST(RvqEntropy, EveryUnitCountRoundTripsExactly) {
    std::mt19937 rng(5);
    for (int frames : {1, 7, kMaxFrames}) {
        for (int channels : {1, 2}) {
            const Codes codes = random_codes(frames, channels, rng);
            for (int units : {0, 1, frames, frames + 3 % frames, 5 * frames - 1, codes.units}) {
                const std::vector<uint8_t> payload = write_payload(codes, units);
                EXPECT_LE(payload.size(), max_payload_bytes(channels));
                const Codes back = read_payload(payload, frames, channels);
                ASSERT_EQ(back.units, units);
                for (int c = 0; c < channels; ++c)
                    for (int f = 0; f < frames; ++f) {
                        ASSERT_EQ(back.codebooks(f), codes.codebooks(f) * 0 + units / frames + (f < units % frames));
                        for (int k = 0; k < back.codebooks(f); ++k) ASSERT_EQ(back.at(c, f, k), codes.at(c, f, k));
                    }
            }
        }
    }
}

TEST(RvqEntropy, FittedPayloadIsTheLongestPrefixWithinBudget) {
    std::mt19937 rng(8);
    const Codes codes = random_codes(100, 1, rng);
    for (long budget : {-5L, 0L, 3L, 40L, 333L, 1000L, 100000L}) {
        const std::vector<uint8_t> payload = fitted_payload(codes, budget);
        const int units = read_payload(payload, 100, 1).units;
        if (units > 0) {
            EXPECT_LE(static_cast<long>(payload.size()), budget);
        }
        if (units < codes.units) {
            EXPECT_GT(static_cast<long>(write_payload(codes, units + 1).size()), budget);
        }
    }
}

TEST(RvqEntropy, FrequentIndicesCostLessThanTenBits) {
    Codes codes(kMaxFrames, 1);
    codes.units = codes.frames * kCodebooks;
    for (int k = 0; k < kCodebooks; ++k) {  // every frame takes codebook k's most frequent index
        const std::span<const uint32_t> cum = model().cumulative(k);
        uint16_t best = 0;
        for (uint16_t i = 1; i < kCodebookSize; ++i)
            if (cum[i + 1u] - cum[i] > cum[best + 1u] - cum[best]) best = i;
        for (int f = 0; f < codes.frames; ++f) codes.at(0, f, k) = best;
    }
    const double bits = 8.0 * static_cast<double>(write_payload(codes, codes.units).size());
    EXPECT_LT(bits, 10.0 * codes.units) << "the static tables must beat log2(1024) bits on likely indices";
}

// ---- codec --------------------------------------------------------------------------------

using tqtest::Coded;
using tqtest::mono;
using tqtest::Planes;

constexpr tqtest::FamilyHarness kHarness(TQ_FAMILY_RVQ, kSampleRate, kFrameSize, kDelay);

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

// Joined over the stream: every frame's indices and how many codebooks it carries.
struct StreamCodes {
    FrameIndices indices;
    std::vector<int> counts;
};

StreamCodes stream_codes(const Coded& coded) {
    StreamCodes all;
    for (size_t p = 0; p < coded.payloads.size(); ++p) {
        const Codes codes = read_payload(coded.payloads[p], kMaxFrames, 1);
        const std::span<const uint16_t> ch = codes.channel(0);
        all.indices.insert(all.indices.end(), ch.begin(), ch.end());
        for (int f = 0; f < codes.frames; ++f) all.counts.push_back(codes.codebooks(f));
    }
    return all;
}

TEST(RvqCodec, DecodedLengthIsInputPlusDelay) {
    for (int length : {1, 319, 960, 961, 5000, kFrameSize, kFrameSize + 1, kFrameSize + 4321}) {
        const Coded coded = encode_all(mono(tqtest::gaussian(static_cast<size_t>(length), 0.1f, 9)), 6000);
        EXPECT_EQ(coded.samples.back(), kDelay) << "the flush packet";
        const Planes out = decode_all(coded, 1);
        EXPECT_EQ(out[0].size(), static_cast<size_t>(length + kDelay)) << "input of " << length;
        EXPECT_TRUE(all_finite(out[0]));
    }
}

TEST(RvqCodec, CApiDrainsTheDelayAtFlush) {
    tqtest::Codec codec(TQ_FAMILY_RVQ, kSampleRate, 1, "", 3000);
    ASSERT_TRUE(codec.created) << tq_last_error_message();
    EXPECT_EQ(tq_encoder_delay(codec.enc.p), kDelay);
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
}

// The codec, packet by packet, against the model run once over the whole input:
// the same indices (the encoder sees enough context on both sides of a packet) and
// the same audio (the decoder keeps kDecoderContext frames of history).
TEST(RvqCodec, StreamingEqualsOnePassOverTheWholeInput) {
    std::vector<float> x = clip("speech_24k.wav");
    const std::vector<float> music = clip("music_24k.wav");
    x.insert(x.end(), music.begin(), music.begin() + 50000);  // 2 packets and a short one
    const Coded coded = encode_all(mono(x), 0, "codebooks=16");
    const StreamCodes codes = stream_codes(coded);
    const size_t frames = codes.counts.size();

    std::vector<float> padded = x;
    padded.resize((frames + kEncoderContextHops) * kHop, 0.0f);
    const FrameIndices direct = model().quantize(model().encode(padded));
    size_t same = 0;
    for (size_t i = 0; i < codes.indices.size(); ++i) same += codes.indices[i] == direct[i];
    EXPECT_GE(same, codes.indices.size() - codes.indices.size() / 2000) << "of " << codes.indices.size();

    const Planes out = decode_all(coded, 1);
    // Before the first complete hop: the preroll and the three partial hops, silent.
    std::vector<float> want(kDelay, 0.0f);
    const std::vector<float> body = offline_decode(model().dequantize(codes.indices, codes.counts));
    want.insert(want.end(), body.begin(), body.end());
    ASSERT_GE(want.size(), out[0].size());
    want.resize(out[0].size());
    EXPECT_LT(relative_error(out[0], want), 1e-5);
}

// Input hop h first reaches the output at hop h + kDelayHops at the earliest,
// with no unused look-ahead: the delay is exact.
TEST(RvqCodec, InputHopFirstChangesTheOutputOneDelayLater) {
    constexpr int kBurstHop = 400;
    std::vector<float> silence(2 * kFrameSize, 0.0f), burst = silence;
    for (int i = 0; i < kHop; ++i)
        burst[static_cast<size_t>(kBurstHop * kHop + i)] = 0.5f * std::sin(0.3f * static_cast<float>(i));
    const Planes quiet = decode_all(encode_all(mono(silence), 0, "codebooks=16"), 1);
    const Planes loud = decode_all(encode_all(mono(burst), 0, "codebooks=16"), 1);
    size_t first_change = 0;
    while (first_change < quiet[0].size() && quiet[0][first_change] == loud[0][first_change]) ++first_change;
    // The encoder reaches kEncoderLookahead samples back: hop h changes latents h-3 .. h+2.
    EXPECT_GE(first_change, static_cast<size_t>((kBurstHop - kEncoderContextHops) * kHop + kDelay - 3 * kHop));
    EXPECT_LT(first_change, static_cast<size_t>((kBurstHop + 1) * kHop + kDelay));
}

// File bytes (payloads, per-packet overhead and the reserve for header and trailer)
// land within 10 % of every target rate on the dev clips, or below it with every codebook.
TEST(RvqCodec, RateControlMeetsEveryTargetWithinTenPercent) {
    for (const char* name : {"speech_24k.wav", "music_24k.wav"}) {
        const std::vector<float> x = clip(name);
        for (int bitrate : {1500, 3000, 6000, 12000}) {
            const Coded coded = encode_all(mono(x), bitrate);
            double bytes = 231;  // header, tags and trailer of a tqc file (bitstream.cpp)
            bool all_codebooks = true;
            for (size_t p = 0; p < coded.payloads.size(); ++p) {
                bytes += static_cast<double>(coded.payloads[p].size()) + tq::kPacketOverheadBytes + 1;
                const Codes codes = read_payload(coded.payloads[p], kMaxFrames, 1);
                all_codebooks = all_codebooks && codes.units == codes.frames * kCodebooks;
            }
            const double target = bitrate * static_cast<double>(x.size()) / kSampleRate / 8.0;
            std::printf("rvq %s at %5d b/s: %6.0f bytes, %+5.1f %% of the target\n", name, bitrate, bytes,
                        100.0 * (bytes / target - 1.0));
            EXPECT_LE(bytes, 1.1 * target) << name << " " << bitrate;
            // The development model's indices are so predictable that all 16 codebooks cost ~1 kbit/s.
            if (!all_codebooks) {
                EXPECT_GE(bytes, 0.9 * target) << name << " " << bitrate;
            }
        }
    }
}

TEST(RvqCodec, StereoLrCodesEachChannelLikeMono) {
    const Planes x{clip("speech_24k.wav"), clip("music_24k.wav")};
    const Planes both = decode_all(encode_all(x, 0, "stereo=lr,codebooks=3"), 2);
    for (size_t c = 0; c < 2; ++c)
        EXPECT_EQ(both[c], decode_all(encode_all(mono(x[c]), 0, "codebooks=3"), 1)[0]) << "channel " << c;
}

// ---- bitrate reduction ---------------------------------------------------------------------

Coded reduced(const Coded& source, int bitrate, int codebooks) {
    Reducer reducer(stream_info(1), source.params, bitrate, codebooks);
    Coded out{source.params, {}, source.samples};
    for (size_t p = 0; p < source.payloads.size(); ++p)
        out.payloads.push_back(reducer.reduce(source.payloads[p], source.samples[p], p + 1 == source.payloads.size()));
    return out;
}

TEST(RvqReduce, ReducedStreamIsByteIdenticalToADirectEncode) {
    for (const char* name : {"speech_24k.wav", "music_24k.wav"}) {
        std::vector<float> x = clip(name);
        x.insert(x.end(), x.begin(), x.begin() + 30000);
        const Coded high = encode_all(mono(x), 12000);
        for (int bitrate : {6000, 3000, 1500, 1000}) {
            const Coded direct = encode_all(mono(x), bitrate);
            EXPECT_EQ(reduced(high, bitrate, 0).payloads, direct.payloads) << name << " 12000 -> " << bitrate;
        }
        EXPECT_EQ(reduced(encode_all(mono(x), 3000), 1500, 0).payloads, encode_all(mono(x), 1500).payloads) << name;
        EXPECT_EQ(reduced(high, 0, 2).payloads, encode_all(mono(x), 0, "codebooks=2").payloads) << name;
    }
}

TEST(RvqReduce, DecoderLayerLimitEqualsAReducedStream) {
    const Coded full = encode_all(mono(clip("music_24k.wav")), 0, "codebooks=16");
    EXPECT_EQ(decode_all(full, 1, 4), decode_all(reduced(full, 0, 4), 1));
    EXPECT_NE(decode_all(full, 1, 4), decode_all(full, 1));
}

TEST(RvqReduce, StreamOfAnotherModelOrBadTargetIsRefused) {
    const Coded coded = encode_all(mono(tqtest::gaussian(1000, 0.1f, 1)), 3000);
    EXPECT_THROW(Reducer(stream_info(1), coded.params, 3000, 2), tq::Error);
    EXPECT_THROW(Reducer(stream_info(1), coded.params, 100, 0), tq::Error);
    std::vector<uint8_t> other = coded.params;
    other[1] ^= 1;
    try {
        Reducer(stream_info(1), other, 3000, 0);
        ADD_FAILURE() << "accepted";
    } catch (const tq::Error& e) {
        EXPECT_EQ(e.code(), TQ_ERR_MODEL);
    }
}

// ---- hostile payloads ----------------------------------------------------------------------

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

std::vector<uint8_t> speech_packet() { return encode_all(mono(clip("speech_24k.wav")), 6000).payloads[0]; }

TEST(RvqHostile, CountsOutOfRangeAreCorrupt) {
    std::vector<float> out;
    ASSERT_EQ(try_decode(speech_packet(), kFrameSize, out), TQ_OK);
    // 301 frames for a packet of 300 hops; 17 codebooks per frame; absurd varints.
    EXPECT_EQ(try_decode(std::vector<uint8_t>{0xad, 0x02, 0x00}, kFrameSize, out), TQ_ERR_CORRUPT);
    EXPECT_EQ(try_decode(std::vector<uint8_t>{0x01, 0x11}, kFrameSize, out), TQ_ERR_CORRUPT);
    EXPECT_EQ(try_decode(std::vector<uint8_t>{0x01, 0x01}, 1, out), TQ_OK);
    EXPECT_EQ(try_decode(std::vector<uint8_t>{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00},
                         kFrameSize, out),
              TQ_ERR_CORRUPT);
    EXPECT_EQ(try_decode({}, kFrameSize, out), TQ_ERR_CORRUPT);
}

TEST(RvqHostile, TrailingBytesAreCorrupt) {
    std::vector<uint8_t> payload = speech_packet();
    payload.insert(payload.end(), 64, 0x5a);
    std::vector<float> out;
    EXPECT_EQ(try_decode(payload, kFrameSize, out), TQ_ERR_CORRUPT);
}

TEST(RvqHostile, SampleCountsOutsideTheFrameAreCorrupt) {
    const std::vector<uint8_t> payload = speech_packet();
    std::vector<float> out;
    EXPECT_EQ(try_decode(payload, 0, out), TQ_ERR_CORRUPT);
    EXPECT_EQ(try_decode(payload, kFrameSize + 1, out), TQ_ERR_CORRUPT);
    EXPECT_EQ(try_decode(payload, 1 << 30, out), TQ_ERR_CORRUPT);
}

TEST(RvqHostile, TruncatedAndRandomPayloadsNeverCrash) {
    const std::vector<uint8_t> payload = speech_packet();
    std::vector<float> out;
    for (size_t size : {size_t{1}, size_t{2}, payload.size() / 3, payload.size() - 1}) {
        const int rc = try_decode(std::span(payload).first(size), kFrameSize, out);
        EXPECT_TRUE(rc == TQ_OK || rc == TQ_ERR_CORRUPT) << size;
        EXPECT_TRUE(all_finite(out));
    }
    std::mt19937 rng(17);
    for (int round = 0; round < 12; ++round) {
        std::vector<uint8_t> junk(std::uniform_int_distribution<size_t>(0, 3000)(rng));
        for (auto& b : junk) b = static_cast<uint8_t>(rng());
        const int samples = std::uniform_int_distribution<int>(1, kFrameSize)(rng);
        if (junk.size() >= 2 && round % 2 == 0) {  // plausible counts, random symbols
            junk[0] = static_cast<uint8_t>(std::min(samples / kHop, 127));
            junk[1] = static_cast<uint8_t>(rng() % 128);
        }
        const int rc = try_decode(junk, samples, out);
        EXPECT_TRUE(rc == TQ_OK || rc == TQ_ERR_CORRUPT) << round;
        EXPECT_TRUE(all_finite(out)) << round;
    }
}

TEST(RvqHostile, DamagedPacketLeavesTheDecoderUsableAndConcealKeepsItInStep) {
    std::vector<float> x = clip("speech_24k.wav");
    x.insert(x.end(), x.begin(), x.end());
    const Coded coded = encode_all(mono(x), 3000);
    const auto dec = make_decoder(stream_info(1), coded.params);
    std::vector<float> out(kFrameSize);
    float* plane = out.data();
    dec->decode(coded.payloads[0], {&plane, 1, kFrameSize});
    std::vector<uint8_t> bad = coded.payloads[1];
    bad.insert(bad.end(), 64, 0x77);
    EXPECT_THROW(dec->decode(bad, {&plane, 1, kFrameSize}), tq::Error);
    dec->conceal({&plane, 1, kFrameSize});
    EXPECT_TRUE(all_finite(out));
    dec->decode(coded.payloads[2], {&plane, 1, coded.samples[2]});
    EXPECT_TRUE(all_finite(out));
    dec->reset();
    dec->decode(coded.payloads[1], {&plane, 1, kFrameSize});  // after a seek
    EXPECT_TRUE(all_finite(out));
}

// ---- stream header and setup ---------------------------------------------------------------

TEST(RvqParams, StreamFromAnotherModelIsRefused) {
    std::vector<uint8_t> params = encoder(1, 6000)->params();
    ASSERT_EQ(params.size(), kParamsSize);
    params[1] ^= 0xff;
    const std::vector<uint8_t> header = tq::write_stream_header({stream_info(1), params});
    tq_decoder* dec = nullptr;
    EXPECT_EQ(tq_decoder_create(header.data(), header.size(), &dec), TQ_ERR_MODEL);
    EXPECT_TRUE(tqtest::last_error_mentions("stream was encoded with rvq model")) << tq_last_error_message();
    EXPECT_EQ(dec, nullptr);
}

TEST(RvqParams, DamagedParametersAreCorrupt) {
    const std::vector<uint8_t> good = encoder(2, 6000, "stereo=lr")->params();
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
    bad[0] = 2;
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

int create(int rate, int bitrate, const char* options = "") {
    return tqtest::encoder_create_status(TQ_FAMILY_RVQ, rate, bitrate, options);
}

TEST(RvqSetup, OnlyTwentyFourKilohertzAndTheBitrateRangeAreAccepted) {
    const int* rates = tq_family_sample_rates(TQ_FAMILY_RVQ);
    ASSERT_NE(rates, nullptr);
    EXPECT_EQ(rates[0], kSampleRate);
    EXPECT_EQ(rates[1], 0);
    EXPECT_EQ(create(44100, 0), TQ_ERR_UNSUPPORTED);
    for (int bitrate : {999, 32001})
        EXPECT_EQ(create(kSampleRate, bitrate), TQ_ERR_INVALID_ARGUMENT) << bitrate;
    EXPECT_EQ(create(kSampleRate, 1500), TQ_OK);
    EXPECT_EQ(create(kSampleRate, 0, "codebooks=17"), TQ_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(tq_family_available(TQ_FAMILY_RVQ), 1);
}

TEST(RvqSetup, LayerLimitIsRvqOnly) {
    tqtest::Codec rvq(TQ_FAMILY_RVQ, kSampleRate, 1, "", 3000);
    ASSERT_TRUE(rvq.created);
    EXPECT_EQ(tq_decoder_limit_layers(rvq.dec.p, 4), TQ_OK);
    EXPECT_EQ(tq_decoder_limit_layers(rvq.dec.p, -1), TQ_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(tq_decoder_limit_layers(nullptr, 1), TQ_ERR_INVALID_ARGUMENT);
    tqtest::Codec turbo(TQ_FAMILY_TURBO, 48000, 1, "");
    ASSERT_TRUE(turbo.created);
    EXPECT_EQ(tq_decoder_limit_layers(turbo.dec.p, 4), TQ_ERR_UNSUPPORTED);
}

TEST(RvqSetup, FixedCodebooksAreUsedForEveryFrame) {
    const Coded coded = encode_all(mono(clip("music_24k.wav")), 0, "codebooks=5");
    for (const auto& payload : coded.payloads) {
        const Codes codes = read_payload(payload, kMaxFrames, 1);
        EXPECT_EQ(codes.units, 5 * codes.frames);
    }
}

// ---- threads -------------------------------------------------------------------------------

TEST(RvqThreads, TwoEncodersInThreadsMatchSequentialRuns) {
    const Planes speech = mono(clip("speech_24k.wav")), music = mono(clip("music_24k.wav"));
    const Coded a = encode_all(speech, 6000), b = encode_all(music, 1500);
    Coded a2, b2;
    std::thread ta([&] { a2 = encode_all(speech, 6000); });
    std::thread tb([&] { b2 = encode_all(music, 1500); });
    ta.join();
    tb.join();
    EXPECT_EQ(a.payloads, a2.payloads);
    EXPECT_EQ(b.payloads, b2.payloads);
    Planes da, db;
    std::thread tc([&] { da = decode_all(a, 1); });
    std::thread td([&] { db = decode_all(b, 1); });
    tc.join();
    td.join();
    EXPECT_EQ(da, decode_all(a, 1));
    EXPECT_EQ(db, decode_all(b, 1));
}

}  // namespace
