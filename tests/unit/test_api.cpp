// Calls every C ABI function with bad arguments, in the spirit of libopus's
// test_opus_api.c: each must fail with a code and a message, never crash.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"
#include "tqcodec/tqcodec.h"

namespace {

using tqtest::Decoder;
using tqtest::Encoder;
using tqtest::last_error_mentions;

tq_encoder_config turbo_config(int rate = 44100, int channels = 2, const char* options = nullptr) {
    tq_encoder_config c;
    tq_encoder_config_init(&c, TQ_FAMILY_TURBO);
    c.sample_rate = rate;
    c.channels = channels;
    c.options = options;
    return c;
}

TEST(Api, VersionMatchesTheHeader) {
    EXPECT_EQ(tq_version(), static_cast<unsigned>(TQ_VERSION_INT));
    EXPECT_STREQ(tq_version_string(), TQ_VERSION_STRING);
}

TEST(Api, EveryErrorCodeHasADescription) {
    for (int code : {TQ_OK, TQ_ERR_INVALID_ARGUMENT, TQ_ERR_UNSUPPORTED, TQ_ERR_NO_MEMORY, TQ_ERR_CORRUPT,
                     TQ_ERR_BUFFER_TOO_SMALL, TQ_ERR_MODEL, TQ_ERR_INTERNAL})
        EXPECT_STRNE(tq_strerror(code), "unknown error") << code;
    EXPECT_STREQ(tq_strerror(-12345), "unknown error");
}

TEST(Api, FamiliesHaveStableNamesAndIds) {
    const char* names[] = {"turbo", "fractal", "stftae", "rvq", "gauss"};
    for (int id = TQ_FAMILY_FIRST; id <= TQ_FAMILY_LAST; ++id) {
        auto family = static_cast<tq_family>(id);
        EXPECT_STREQ(tq_family_name(family), names[id - 1]);
        EXPECT_NE(tq_family_description(family), nullptr);
        tq_family found;
        ASSERT_EQ(tq_family_from_name(names[id - 1], &found), TQ_OK);
        EXPECT_EQ(found, family);
    }
    EXPECT_EQ(tq_family_name(static_cast<tq_family>(0)), nullptr);
    EXPECT_EQ(tq_family_name(static_cast<tq_family>(6)), nullptr);
    tq_family found;
    EXPECT_EQ(tq_family_from_name("mp3", &found), TQ_ERR_INVALID_ARGUMENT);
    EXPECT_TRUE(last_error_mentions("unknown family 'mp3'"));
    EXPECT_EQ(tq_family_from_name(nullptr, &found), TQ_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(tq_family_available(TQ_FAMILY_TURBO), 1);
}

TEST(Api, SampleRateListsAreZeroTerminatedAndAscending) {
    EXPECT_EQ(tq_family_sample_rates(TQ_FAMILY_TURBO), nullptr);  // any rate
    EXPECT_EQ(tq_family_sample_rates(static_cast<tq_family>(0)), nullptr);
    for (int id = TQ_FAMILY_FIRST; id <= TQ_FAMILY_LAST; ++id) {
        const int* rates = tq_family_sample_rates(static_cast<tq_family>(id));
        for (int i = 0; rates && rates[i] != 0; ++i) {
            EXPECT_GE(rates[i], 8000);
            if (i > 0) {
                EXPECT_GT(rates[i], rates[i - 1]);
            }
        }
    }
}

TEST(Api, OptionSchemaIsEnumerable) {
    int n = tq_family_option_count(TQ_FAMILY_TURBO);
    ASSERT_GT(n, 0);
    for (int i = 0; i < n; ++i) {
        const tq_option_info* o = tq_family_option(TQ_FAMILY_TURBO, i);
        ASSERT_NE(o, nullptr);
        EXPECT_GT(std::strlen(o->name), 0u);
        EXPECT_GT(std::strlen(o->help), 0u);
        EXPECT_LE(o->min_value, o->default_value);
        EXPECT_LE(o->default_value, o->max_value);
    }
    EXPECT_EQ(tq_family_option(TQ_FAMILY_TURBO, n), nullptr);
    EXPECT_EQ(tq_family_option(TQ_FAMILY_TURBO, -1), nullptr);
    EXPECT_EQ(tq_family_option_count(static_cast<tq_family>(7)), 0);
}

TEST(Api, EncoderCreateRejectsBadConfigurations) {
    Encoder e;
    EXPECT_EQ(tq_encoder_create(nullptr, &e.p), TQ_ERR_INVALID_ARGUMENT);
    auto c = turbo_config();
    EXPECT_EQ(tq_encoder_create(&c, nullptr), TQ_ERR_INVALID_ARGUMENT);
    for (int rate : {0, 7999, 192001, -44100}) {
        c = turbo_config(rate);
        EXPECT_EQ(tq_encoder_create(&c, &e.p), TQ_ERR_INVALID_ARGUMENT) << rate;
        EXPECT_EQ(e.p, nullptr);
        EXPECT_TRUE(last_error_mentions("sample rate"));
    }
    for (int channels : {0, 9, -1}) {
        c = turbo_config(44100, channels);
        EXPECT_EQ(tq_encoder_create(&c, &e.p), TQ_ERR_INVALID_ARGUMENT) << channels;
        EXPECT_TRUE(last_error_mentions("channel count"));
    }
    c = turbo_config();
    c.bitrate = -1;
    EXPECT_EQ(tq_encoder_create(&c, &e.p), TQ_ERR_INVALID_ARGUMENT);
    c = turbo_config();
    c.family = static_cast<tq_family>(7);
    EXPECT_EQ(tq_encoder_create(&c, &e.p), TQ_ERR_INVALID_ARGUMENT);
}

TEST(Api, UnknownOptionFailsWithTheKeyInTheMessage) {
    Encoder e;
    auto c = turbo_config(44100, 2, "no_such_option=1");
    EXPECT_EQ(tq_encoder_create(&c, &e.p), TQ_ERR_INVALID_ARGUMENT);
    EXPECT_TRUE(last_error_mentions("no_such_option")) << tq_last_error_message();
}

TEST(Api, UnimplementedFamiliesFailWithAClearMessage) {
    for (int id = TQ_FAMILY_FIRST; id <= TQ_FAMILY_LAST; ++id) {
        auto family = static_cast<tq_family>(id);
        if (tq_family_available(family)) continue;
        tq_encoder_config c;
        tq_encoder_config_init(&c, family);
        Encoder e;
        EXPECT_EQ(tq_encoder_create(&c, &e.p), TQ_ERR_UNSUPPORTED);
        EXPECT_TRUE(last_error_mentions("not implemented")) << tq_last_error_message();
    }
}

TEST(Api, SuccessfulCallClearsTheThreadMessage) {
    Encoder bad, good;
    auto c = turbo_config(1);
    ASSERT_NE(tq_encoder_create(&c, &bad.p), TQ_OK);
    EXPECT_STRNE(tq_last_error_message(), "");
    c = turbo_config();
    ASSERT_EQ(tq_encoder_create(&c, &good.p), TQ_OK);
    EXPECT_STREQ(tq_last_error_message(), "");
}

TEST(Api, EncodeRejectsBadArgumentsAndKeepsWorking) {
    Encoder e;
    auto c = turbo_config(44100, 1);
    ASSERT_EQ(tq_encoder_create(&c, &e.p), TQ_OK);
    const int frame = tq_encoder_frame_size(e.p);
    ASSERT_GT(frame, 0);
    std::vector<float> pcm(static_cast<size_t>(frame), 0.25f);
    std::vector<uint8_t> packet(tq_encoder_max_packet_size(e.p));
    size_t size = 0;
    EXPECT_EQ(tq_encode(nullptr, pcm.data(), frame, packet.data(), packet.size(), &size), TQ_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(tq_encode(e.p, nullptr, frame, packet.data(), packet.size(), &size), TQ_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(tq_encode(e.p, pcm.data(), 0, packet.data(), packet.size(), &size), TQ_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(tq_encode(e.p, pcm.data(), frame + 1, packet.data(), packet.size(), &size),
              TQ_ERR_INVALID_ARGUMENT);
    EXPECT_STRNE(tq_encoder_error_message(e.p), "");
    EXPECT_EQ(tq_encode(e.p, pcm.data(), frame, packet.data(), 1, &size), TQ_ERR_BUFFER_TOO_SMALL);
    EXPECT_EQ(tq_encode(e.p, pcm.data(), frame, packet.data(), packet.size(), &size), TQ_OK);
    EXPECT_GT(size, 0u);
    EXPECT_LE(size, packet.size());
    EXPECT_STREQ(tq_encoder_error_message(e.p), "");
    EXPECT_EQ(tq_encoder_flush(e.p, packet.data(), packet.size(), &size), TQ_OK);
    EXPECT_EQ(size, 0u);
}

TEST(Api, AccessorsTolerateNullHandles) {
    EXPECT_EQ(tq_encoder_frame_size(nullptr), 0);
    EXPECT_EQ(tq_encoder_max_packet_size(nullptr), 0u);
    EXPECT_EQ(tq_decoder_channels(nullptr), 0);
    EXPECT_STREQ(tq_encoder_error_message(nullptr), "");
    EXPECT_EQ(tq_decoder_reset(nullptr), TQ_ERR_INVALID_ARGUMENT);
    tq_encoder_destroy(nullptr);
    tq_decoder_destroy(nullptr);
    const uint8_t* data;
    size_t size;
    EXPECT_EQ(tq_encoder_stream_header(nullptr, &data, &size), TQ_ERR_INVALID_ARGUMENT);
}

TEST(Api, DecoderCreateRejectsGarbageHeaders) {
    Decoder d;
    const uint8_t junk[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23};
    EXPECT_EQ(tq_decoder_create(junk, sizeof junk, &d.p), TQ_ERR_CORRUPT);
    EXPECT_EQ(d.p, nullptr);
    EXPECT_TRUE(last_error_mentions("stream header"));
    EXPECT_EQ(tq_decoder_create(nullptr, 10, &d.p), TQ_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(tq_decoder_create(junk, 0, &d.p), TQ_ERR_CORRUPT);
}

class RoundTrip : public ::testing::Test {
protected:
    void SetUp() override {
        auto c = turbo_config(48000, 2);
        ASSERT_EQ(tq_encoder_create(&c, &enc.p), TQ_OK);
        const uint8_t* header;
        size_t size;
        ASSERT_EQ(tq_encoder_stream_header(enc.p, &header, &size), TQ_OK);
        ASSERT_EQ(tq_decoder_create(header, size, &dec.p), TQ_OK);
        frame = tq_encoder_frame_size(enc.p);
    }
    std::vector<uint8_t> encode(int samples) {
        std::vector<float> pcm(static_cast<size_t>(samples) * 2);
        for (size_t i = 0; i < pcm.size(); ++i) pcm[i] = 0.5f * std::sin(0.01f * static_cast<float>(i));
        std::vector<uint8_t> packet(tq_encoder_max_packet_size(enc.p));
        size_t size = 0;
        EXPECT_EQ(tq_encode(enc.p, pcm.data(), samples, packet.data(), packet.size(), &size), TQ_OK);
        packet.resize(size);
        return packet;
    }
    Encoder enc;
    Decoder dec;
    int frame = 0;
};

TEST_F(RoundTrip, DecoderReportsTheStreamParameters) {
    EXPECT_EQ(tq_decoder_family(dec.p), TQ_FAMILY_TURBO);
    EXPECT_EQ(tq_decoder_sample_rate(dec.p), 48000);
    EXPECT_EQ(tq_decoder_channels(dec.p), 2);
    EXPECT_EQ(tq_decoder_frame_size(dec.p), frame);
    EXPECT_EQ(tq_decoder_delay(dec.p), tq_encoder_delay(enc.p));
}

TEST_F(RoundTrip, ShortLastPacketDecodesToItsOwnLength) {
    auto packet = encode(frame / 2 + 3);
    std::vector<float> out(static_cast<size_t>(frame) * 2);
    int got = 0;
    ASSERT_EQ(tq_decode(dec.p, packet.data(), packet.size(), out.data(), frame, &got), TQ_OK);
    EXPECT_EQ(got, frame / 2 + 3);
}

TEST_F(RoundTrip, TooSmallOutputBufferIsReportedNotOverrun) {
    auto packet = encode(frame);
    std::vector<float> out(static_cast<size_t>(frame) * 2 + 2, 7.0f);
    int got = -1;
    EXPECT_EQ(tq_decode(dec.p, packet.data(), packet.size(), out.data(), frame - 1, &got),
              TQ_ERR_BUFFER_TOO_SMALL);
    EXPECT_EQ(got, 0);
    EXPECT_EQ(out[0], 7.0f);  // nothing written on failure
}

TEST_F(RoundTrip, NullPacketConcealsOneFrameOfSilence) {
    std::vector<float> out(static_cast<size_t>(frame) * 2, 1.0f);
    int got = 0;
    ASSERT_EQ(tq_decode(dec.p, nullptr, 0, out.data(), frame, &got), TQ_OK);
    EXPECT_EQ(got, frame);
    for (float v : out) ASSERT_EQ(v, 0.0f);
}

TEST_F(RoundTrip, CorruptPacketFailsAndTheDecoderStaysUsable) {
    auto packet = encode(frame);
    std::vector<float> out(static_cast<size_t>(frame) * 2);
    int got = 0;
    std::vector<uint8_t> truncated(packet.begin(), packet.begin() + static_cast<long>(packet.size() / 2));
    EXPECT_EQ(tq_decode(dec.p, truncated.data(), truncated.size(), out.data(), frame, &got), TQ_ERR_CORRUPT);
    EXPECT_STRNE(tq_decoder_error_message(dec.p), "");
    EXPECT_EQ(tq_decode(dec.p, packet.data(), 0, out.data(), frame, &got), TQ_ERR_CORRUPT);
    ASSERT_EQ(tq_decoder_reset(dec.p), TQ_OK);
    EXPECT_EQ(tq_decode(dec.p, packet.data(), packet.size(), out.data(), frame, &got), TQ_OK);
    EXPECT_EQ(got, frame);
}

TEST_F(RoundTrip, PlanarAndInterleavedDecodesAgree) {
    auto packet = encode(frame);
    std::vector<float> inter(static_cast<size_t>(frame) * 2);
    std::vector<float> left(static_cast<size_t>(frame)), right(static_cast<size_t>(frame));
    float* planes[] = {left.data(), right.data()};
    int got = 0;
    ASSERT_EQ(tq_decode(dec.p, packet.data(), packet.size(), inter.data(), frame, &got), TQ_OK);
    ASSERT_EQ(tq_decode_planar(dec.p, packet.data(), packet.size(), planes, frame, &got), TQ_OK);
    for (int i = 0; i < frame; ++i) {
        ASSERT_EQ(inter[2 * static_cast<size_t>(i)], left[static_cast<size_t>(i)]);
        ASSERT_EQ(inter[2 * static_cast<size_t>(i) + 1], right[static_cast<size_t>(i)]);
    }
}

// The threading promise of tqcodec.h: handles share nothing mutable, so six
// encoder/decoder pairs in six threads give exactly the single-thread result.
std::vector<float> encode_decode(const char* options) {
    tq_encoder_config c = turbo_config(44100, 2, options);
    Encoder enc;
    Decoder dec;
    EXPECT_EQ(tq_encoder_create(&c, &enc.p), TQ_OK);
    const uint8_t* header;
    size_t header_size;
    EXPECT_EQ(tq_encoder_stream_header(enc.p, &header, &header_size), TQ_OK);
    EXPECT_EQ(tq_decoder_create(header, header_size, &dec.p), TQ_OK);
    const int frame = tq_encoder_frame_size(enc.p);
    std::vector<float> in(static_cast<size_t>(frame) * 2), out(in.size()), all;
    std::vector<uint8_t> packet(tq_encoder_max_packet_size(enc.p));
    for (int f = 0; f < 20; ++f) {
        for (size_t i = 0; i < in.size(); ++i)
            in[i] = 0.4f * std::sin(0.003f * static_cast<float>(i + static_cast<size_t>(f) * in.size()));
        size_t size = 0;
        int got = 0;
        EXPECT_EQ(tq_encode(enc.p, in.data(), frame, packet.data(), packet.size(), &size), TQ_OK);
        EXPECT_EQ(tq_decode(dec.p, packet.data(), size, out.data(), frame, &got), TQ_OK);
        all.insert(all.end(), out.begin(), out.end());
    }
    return all;
}

TEST(Api, HandlesInParallelThreadsGiveTheSingleThreadResult) {
    const char* options[] = {"bits=3",          "bits=6,residual=1", "block=64,bits=2", "block=4096,bits=8",
                             "mode=mdct,bits=2", "mode=mdct,tune=perceptual,bits=2"};
    constexpr size_t kCount = std::size(options);
    std::vector<std::vector<float>> expected, parallel(kCount);
    for (const char* o : options) expected.push_back(encode_decode(o));
    std::vector<std::thread> threads;
    for (size_t t = 0; t < kCount; ++t) threads.emplace_back([&, t] { parallel[t] = encode_decode(options[t]); });
    for (auto& t : threads) t.join();
    for (size_t t = 0; t < kCount; ++t) EXPECT_EQ(parallel[t], expected[t]) << options[t];
}

}  // namespace
