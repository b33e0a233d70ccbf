// The turbo family end to end through the C ABI (tqcodec.h), plus a few looks
// inside (sign vectors, parameters) where the public API cannot reach.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iostream>
#include <numbers>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "dsp/lloyd_max.hpp"
#include "families/turbo/allocation.hpp"
#include "families/turbo/bands.hpp"
#include "families/turbo/bitstream.hpp"
#include "families/turbo/mdct_payload.hpp"
#include "families/turbo/params.hpp"
#include "families/turbo/tns.hpp"
#include "test_support.hpp"
#include "tqcodec/tqcodec.h"

namespace {

using tqtest::Decoder;
using tqtest::Encoder;
using tqtest::last_error_mentions;

using tqtest::gaussian;
using tqtest::snr_db;

struct Codec : tqtest::Codec {
    Codec(int rate, int channel_count, const std::string& options, int bitrate = 0)
        : tqtest::Codec(TQ_FAMILY_TURBO, rate, channel_count, options, bitrate) {}
};

std::string opts(int bits, bool residual, int block = 512) {
    return "bits=" + std::to_string(bits) + ",residual=" + (residual ? "1" : "0") + ",block=" + std::to_string(block);
}

/* ---- rate and distortion on Gaussian noise ---- */

TEST(Turbo, GaussianNoiseSnrMatchesTheLloydMaxTheory) {
    const auto pcm = gaussian(4096 * 22 * 2, 0.1f, 1);  // about 2 s of 44.1 kHz stereo, whole frames
    for (int bits = 1; bits <= 8; ++bits) {
        Codec codec(44100, 2, opts(bits, false));
        ASSERT_TRUE(codec.created);
        const double snr = snr_db(pcm, codec.run(pcm));
        const double theory = -10.0 * std::log10(tq::dsp::lloyd_max(bits).mse);
        const double rate = codec.bits_per_sample(pcm.size());
        std::cout << "  bits=" << bits << " residual=0: SNR " << snr << " dB (Lloyd-Max " << theory << " dB), "
                  << rate << " payload bits/sample\n";
        // Choosing the sign vector and the scale by analysis-by-synthesis
        // gains up to ~0.6 dB over the nominal table.
        EXPECT_GT(snr, theory - 0.1) << bits;
        EXPECT_LT(snr, theory + 0.8) << bits;
        // bits per coefficient + (8-bit scale + 1 variant bit) per block and
        // channel + the 2-byte sample-count prefix per packet of 2 x 4096 samples.
        EXPECT_DOUBLE_EQ(rate, bits + 9.0 / 512 + 16.0 / 8192) << bits;
    }
}

TEST(Turbo, ResidualBitImprovesSnrAboutAsMuchAsAnotherIndexBit) {
    const auto pcm = gaussian(4096 * 22 * 2, 0.1f, 2);
    double snr_plain[10] = {}, snr_residual[10] = {};
    for (int bits = 1; bits <= 8; ++bits) {
        Codec plain(44100, 2, opts(bits, false)), refined(44100, 2, opts(bits, true));
        snr_plain[bits] = snr_db(pcm, plain.run(pcm));
        snr_residual[bits] = snr_db(pcm, refined.run(pcm));
        const double theory = -10.0 * std::log10(tq::dsp::lloyd_max(bits).half_mse);
        std::cout << "  bits=" << bits << " residual=1: SNR " << snr_residual[bits] << " dB (half-cell theory "
                  << theory << " dB; residual=0: " << snr_plain[bits] << " dB), "
                  << refined.bits_per_sample(pcm.size()) << " payload bits/sample\n";
        EXPECT_GT(snr_residual[bits], snr_plain[bits] + 4.5) << bits;
        EXPECT_GT(snr_residual[bits], theory - 0.1) << bits;
        EXPECT_DOUBLE_EQ(refined.bits_per_sample(pcm.size()), plain.bits_per_sample(pcm.size()) + 1.0);
    }
    // The same bit spent on the index (bits+1, no residual) does as well, within
    // a tenth of a dB either way (theory: 0.02-0.2 dB better; see BITSTREAM.md).
    for (int bits = 1; bits < 8; ++bits) EXPECT_NEAR(snr_plain[bits + 1], snr_residual[bits], 0.2) << bits;
}

TEST(Turbo, EveryBlockSizeRoundTrips) {
    const auto pcm = gaussian(20000, 0.3f, 3);
    for (int block = 64; block <= 4096; block *= 2) {
        Codec codec(44100, 1, opts(5, false, block));
        ASSERT_TRUE(codec.created);
        EXPECT_EQ(codec.frame, 4096);
        EXPECT_GT(snr_db(pcm, codec.run(pcm)), 25.5) << block;
    }
}

/* ---- channels, lengths, rates ---- */

TEST(Turbo, StereoAndEightChannelsKeepTheirChannelsApart) {
    for (int channels : {2, 8}) {
        const int total = 3 * 4096 + 100;
        std::vector<float> pcm(static_cast<std::size_t>(total) * channels);
        for (int i = 0; i < total; ++i)
            for (int c = 0; c < channels; ++c)
                pcm[static_cast<std::size_t>(i * channels + c)] =
                    (0.1f + 0.1f * static_cast<float>(c)) * std::sin(0.01f * static_cast<float>((c + 1) * i));
        Codec codec(48000, channels, opts(6, false));
        ASSERT_TRUE(codec.created);
        const auto out = codec.run(pcm);
        for (int c = 0; c < channels; ++c) {
            std::vector<float> ref, dec;
            for (int i = 0; i < total; ++i) {
                ref.push_back(pcm[static_cast<std::size_t>(i * channels + c)]);
                dec.push_back(out[static_cast<std::size_t>(i * channels + c)]);
            }
            EXPECT_GT(snr_db(ref, dec), 31.0) << channels << " channels, channel " << c;
        }
    }
}

TEST(Turbo, OddLengthsDecodeToTheirOwnLength) {
    for (int total : {1, 2, 63, 64, 65, 511, 513, 4095, 4096, 4097, 10007}) {
        const auto pcm = gaussian(static_cast<std::size_t>(total) * 2, 0.2f, static_cast<unsigned>(total));
        Codec codec(44100, 2, opts(4, false));
        const auto out = codec.run(pcm);  // checks every packet's decoded length
        ASSERT_EQ(out.size(), pcm.size());
        for (float v : out) ASSERT_NE(v, -99.0f);  // every sample was written
        if (total >= 64) {
            EXPECT_GT(snr_db(pcm, out), 18.5) << total;
        }
        // A short last packet codes only the blocks it needs.
        const int last = total - (static_cast<int>(codec.packets.size()) - 1) * 4096;
        const int blocks = (last + 511) / 512;
        EXPECT_EQ(codec.packets.back().size(),
                  static_cast<std::size_t>((blocks * 2 * (9 + 512 * 4) + 7) / 8 + (last < 128 ? 1 : 2)))
            << total;
    }
}

TEST(Turbo, SampleRateEdges) {
    for (int rate : {8000, 11025, 192000}) {
        const auto pcm = gaussian(static_cast<std::size_t>(rate / 2), 0.1f, static_cast<unsigned>(rate));
        Codec codec(rate, 1, opts(4, false));
        ASSERT_TRUE(codec.created) << tq_last_error_message();
        EXPECT_EQ(tq_decoder_sample_rate(codec.dec.p), rate);
        EXPECT_GT(snr_db(pcm, codec.run(pcm)), 20.0) << rate;
    }
}

/* ---- special signals ---- */

TEST(Turbo, SilenceDecodesToExactZerosInTinyPackets) {
    std::vector<float> pcm(4096 * 2 * 3 + 2 * 700, 0.0f);
    Codec codec(44100, 2, opts(8, true));
    const auto out = codec.run(pcm);
    for (float v : out) ASSERT_EQ(v, 0.0f);
    // 1 byte (scale index 0) per block and channel, plus the 2-byte sample count.
    EXPECT_EQ(codec.packets[0].size(), 8u * 2u + 2u);
    EXPECT_EQ(codec.packets.back().size(), 2u * 2u + 2u);

    // Silence in one channel only, and a silent block between loud ones.
    std::vector<float> mixed(4096 * 2, 0.0f);
    for (int i = 0; i < 4096; ++i)
        if (i < 512 || i >= 1024) mixed[static_cast<std::size_t>(2 * i)] = 0.5f * std::sin(0.05f * static_cast<float>(i));
    const auto out2 = codec.run(mixed);
    for (int i = 0; i < 4096; ++i) {
        EXPECT_EQ(out2[static_cast<std::size_t>(2 * i + 1)], 0.0f);
        if (i >= 512 && i < 1024) {
            EXPECT_EQ(out2[static_cast<std::size_t>(2 * i)], 0.0f);
        }
    }
}

TEST(Turbo, FullScaleSquareWavesStayClean) {
    for (int period : {2, 4, 8, 64, 100, 512, 1000}) {
        std::vector<float> pcm(4096 * 4);
        for (std::size_t i = 0; i < pcm.size(); ++i) pcm[i] = (i % static_cast<std::size_t>(period)) < static_cast<std::size_t>(period / 2) ? 1.0f : -1.0f;
        Codec codec(44100, 1, opts(4, false));
        const double snr = snr_db(pcm, codec.run(pcm));
        EXPECT_GT(snr, 19.5) << "period " << period;
    }
}

// The seed's failure case: a block equal to its own sign vector rotates into
// one spike that a Gaussian quantizer flattens. The second sign vector (chosen
// by analysis-by-synthesis) codes it like any other block.
TEST(Turbo, BlockEqualToItsSignVectorIsCodedWell) {
    constexpr int kBlock = 512, kChannels = 2;
    for (int variant = 0; variant < tq::turbo::kVariants; ++variant) {
        for (int bits : {2, 4, 6}) {
            std::vector<float> pcm(4096 * kChannels);
            std::vector<float> signs(kBlock);
            for (int c = 0; c < kChannels; ++c)
                for (int b = 0; b < 4096 / kBlock; ++b) {
                    tq::turbo::make_signs(tq::turbo::kDefaultSeed, c, b, variant, signs.data(), kBlock);
                    for (int k = 0; k < kBlock; ++k)
                        pcm[static_cast<std::size_t>((b * kBlock + k) * kChannels + c)] = signs[static_cast<std::size_t>(k)];
                }
            Codec codec(44100, kChannels, opts(bits, false, kBlock));
            const double snr = snr_db(pcm, codec.run(pcm));
            const double theory = -10.0 * std::log10(tq::dsp::lloyd_max(bits).mse);
            EXPECT_GT(snr, theory - 0.5) << "variant " << variant << ", bits " << bits;
        }
    }
}

// Both sign vectors at once: half the energy becomes a spike in either
// rotation. No longer Gaussian, but the scale search keeps it usable.
TEST(Turbo, SumOfBothSignVectorsDegradesGracefully) {
    constexpr int kBlock = 512;
    std::vector<float> pcm(4096), s0(kBlock), s1(kBlock);
    for (int b = 0; b < 4096 / kBlock; ++b) {
        tq::turbo::make_signs(tq::turbo::kDefaultSeed, 0, b, 0, s0.data(), kBlock);
        tq::turbo::make_signs(tq::turbo::kDefaultSeed, 0, b, 1, s1.data(), kBlock);
        for (int k = 0; k < kBlock; ++k)
            pcm[static_cast<std::size_t>(b * kBlock + k)] = 0.5f * (s0[static_cast<std::size_t>(k)] + s1[static_cast<std::size_t>(k)]);
    }
    Codec codec(44100, 1, opts(6, false, kBlock));
    const double snr = snr_db(pcm, codec.run(pcm));
    std::cout << "  s0+s1 block, bits=6: SNR " << snr << " dB\n";
    EXPECT_GT(snr, 12.0);
}

TEST(Turbo, ImpulsesAndTinySignals) {
    std::vector<float> pcm(4096 * 2, 0.0f);
    pcm[100] = 1.0f;     // one impulse in a block
    pcm[3001] = -0.5f;
    for (std::size_t i = 4096; i < pcm.size(); ++i) pcm[i] = 1e-7f * std::sin(0.1f * static_cast<float>(i));
    Codec codec(44100, 1, opts(4, false));
    const auto out = codec.run(pcm);
    EXPECT_GT(snr_db(std::vector<float>(pcm.begin(), pcm.begin() + 4096), std::vector<float>(out.begin(), out.begin() + 4096)), 19.5);
    EXPECT_GT(snr_db(std::vector<float>(pcm.begin() + 4096, pcm.end()), std::vector<float>(out.begin() + 4096, out.end())), 19.5);
}

TEST(Turbo, NonFiniteAndHugeInputNeverBreaksTheCodec) {
    std::vector<float> pcm = gaussian(4096, 0.1f, 9);
    pcm[5] = std::numeric_limits<float>::quiet_NaN();
    pcm[600] = std::numeric_limits<float>::infinity();
    pcm[1200] = -std::numeric_limits<float>::infinity();
    for (std::size_t i = 2048; i < 2560; ++i) pcm[i] = 1e6f;
    Codec codec(44100, 1, opts(4, false));
    const auto out = codec.run(pcm);
    for (float v : out) EXPECT_TRUE(std::isfinite(v));
}

/* ---- options and bitrate ---- */

TEST(Turbo, OptionSchemaListsEveryOptionWithHelp) {
    const char* names[] = {"block", "bits", "residual", "seed", "mode", "noise_fill", "tune"};
    ASSERT_EQ(tq_family_option_count(TQ_FAMILY_TURBO), 7);
    for (int i = 0; i < 7; ++i) {
        const tq_option_info* o = tq_family_option(TQ_FAMILY_TURBO, i);
        ASSERT_NE(o, nullptr);
        EXPECT_STREQ(o->name, names[i]);
        EXPECT_GT(std::strlen(o->help), 20u);
    }
    EXPECT_EQ(tq_family_option(TQ_FAMILY_TURBO, 0)->type, TQ_OPTION_POW2);
    EXPECT_EQ(tq_family_option(TQ_FAMILY_TURBO, 2)->type, TQ_OPTION_BOOL);
    const tq_option_info* mode = tq_family_option(TQ_FAMILY_TURBO, 4);
    EXPECT_EQ(mode->type, TQ_OPTION_ENUM);
    EXPECT_STREQ(mode->choices, "time|mdct");
    EXPECT_EQ(mode->default_value, 0.0);
}

TEST(Turbo, InvalidOptionsFailNamingTheKey) {
    const std::pair<const char*, const char*> bad[] = {
        {"no_such_key=1", "no_such_key"}, {"bits=9", "bits"},         {"bits=0", "bits"},
        {"bits=4.5", "bits"},             {"block=100", "block"},     {"block=8192", "block"},
        {"block=32", "block"},            {"residual=2", "residual"}, {"seed=-1", "seed"},
        {"seed=2147483648", "seed"},      {"bits=4,bits=5", "bits"},  {"bits", "bits"},
        {"mode=freq", "mode"},            {"mode=2", "mode"},         {"mode=mdct,residual=1", "residual"},
        {"noise_fill=1", "noise_fill"},
    };
    for (const auto& [options, key] : bad) {
        Encoder e;
        tq_encoder_config c;
        tq_encoder_config_init(&c, TQ_FAMILY_TURBO);
        c.options = options;
        EXPECT_EQ(tq_encoder_create(&c, &e.p), TQ_ERR_INVALID_ARGUMENT) << options;
        EXPECT_EQ(e.p, nullptr);
        EXPECT_TRUE(last_error_mentions(key)) << options << ": " << tq_last_error_message();
    }
}

TEST(Turbo, BitrateChoosesTheLargestBitsThatFit) {
    // 44.1 kHz stereo: each index bit costs 88.2 kb/s.
    for (int bits = 1; bits <= 8; ++bits) {
        tq::turbo::Params p;
        p.bits = bits;
        const double needed = tq::turbo::estimated_bitrate(p, 44100, 2);
        for (int bitrate : {static_cast<int>(std::ceil(needed)), static_cast<int>(needed + 80000)}) {
            Codec codec(44100, 2, "", bitrate);
            ASSERT_TRUE(codec.created) << bitrate;
            const auto pcm = gaussian(4096 * 2 * 4, 0.1f, 4);
            codec.run(pcm);
            const double actual = 8.0 * static_cast<double>(codec.bytes + 25 * codec.packets.size()) /
                                  (static_cast<double>(pcm.size()) / 2 / 44100);
            EXPECT_LE(actual, bitrate * 1.001) << bits;
            EXPECT_EQ(codec.packets[0].size(), static_cast<std::size_t>((8 * 2 * (9 + 512 * bits) + 7) / 8 + 2))
                << "bitrate " << bitrate;
        }
    }
    // Explicit bits win over the bitrate; residual is counted in the estimate.
    Codec explicit_bits(44100, 2, "bits=3", 1000000);
    std::vector<float> pcm = gaussian(4096 * 2, 0.1f, 5);
    explicit_bits.run(pcm);
    EXPECT_EQ(explicit_bits.packets[0].size(), static_cast<std::size_t>((8 * 2 * (9 + 512 * 3) + 7) / 8 + 2));
    Codec with_residual(44100, 2, "residual=1", 400000);  // 4.5 b/s: bits=3 + residual
    with_residual.run(pcm);
    EXPECT_EQ(with_residual.packets[0].size(), static_cast<std::size_t>((8 * 2 * (9 + 512 * 4) + 7) / 8 + 2));
    // Above 8 bits' worth: 8 bits. Below 1 bit's worth: a clear error.
    Codec huge(8000, 1, "", 10000000);
    huge.run(pcm);  // mono: 2 frames
    EXPECT_EQ(huge.packets[0].size(), static_cast<std::size_t>((8 * (9 + 512 * 8) + 7) / 8 + 2));
    Encoder e;
    tq_encoder_config c;
    tq_encoder_config_init(&c, TQ_FAMILY_TURBO);
    c.bitrate = 24000;
    EXPECT_EQ(tq_encoder_create(&c, &e.p), TQ_ERR_INVALID_ARGUMENT);
    EXPECT_TRUE(last_error_mentions("bitrate")) << tq_last_error_message();
}

/* ---- hostile input ---- */

// A decoder fed hostile packets: each test checks it fails cleanly and then
// decodes the good packet exactly as before.
class HostileBase : public ::testing::Test {
protected:
    HostileBase(const std::string& options, int bitrate, uint32_t seed)
        : codec{44100, 2, options, bitrate}, pcm(gaussian(4096 * 2, 0.2f, seed)) {}
    void SetUp() override {
        packet = codec.encode(pcm.data(), 4096);
        reference = decode(packet);
    }
    int decode_rc(const std::vector<uint8_t>& p, std::vector<float>* out = nullptr) {
        std::vector<float> buffer(static_cast<std::size_t>(codec.frame) * 2, 0.0f);
        int got = 0;
        int rc = tq_decode(codec.dec.p, p.data(), p.size(), buffer.data(), codec.frame, &got);
        if (out) *out = buffer;
        return rc;
    }
    // Resets first, so modes with state across packets decode the same way every time.
    std::vector<float> decode(const std::vector<uint8_t>& p) {
        EXPECT_EQ(tq_decoder_reset(codec.dec.p), TQ_OK);
        std::vector<float> out;
        EXPECT_EQ(decode_rc(p, &out), TQ_OK) << tq_decoder_error_message(codec.dec.p);
        return out;
    }
    void expect_still_works() {
        EXPECT_EQ(decode(packet), reference);  // bit-exact, as before the bad packet
    }
    void expect_random_bytes_and_bit_flips_never_crash(uint32_t seed) {
        std::mt19937 rng(seed);
        int corrupt = 0;
        for (int trial = 0; trial < 2000; ++trial) {
            std::vector<uint8_t> junk(rng() % 5000);
            for (auto& b : junk) b = static_cast<uint8_t>(rng());
            if (trial % 3 == 0 && junk.size() >= 2) {  // a plausible prefix makes it reach the payload parser
                junk[0] = 0x80;
                junk[1] = 0x20;
            }
            const int rc = decode_rc(junk);
            ASSERT_TRUE(rc == TQ_OK || rc == TQ_ERR_CORRUPT) << rc;
            corrupt += rc == TQ_ERR_CORRUPT;
        }
        EXPECT_GT(corrupt, 1990);
        // Bit flips in a valid packet decode (to something) or fail cleanly.
        for (int trial = 0; trial < 500; ++trial) {
            auto flipped = packet;
            flipped[rng() % flipped.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
            const int rc = decode_rc(flipped);
            ASSERT_TRUE(rc == TQ_OK || rc == TQ_ERR_CORRUPT);
        }
        expect_still_works();
    }
    Codec codec;
    std::vector<float> pcm, reference;
    std::vector<uint8_t> packet;
};

class Hostile : public HostileBase {
protected:
    Hostile() : HostileBase(opts(4, false), 0, 11) {}
};

TEST_F(Hostile, TruncatedPacketsAreCorrupt) {
    const uint8_t nothing = 0;
    int got = 0;
    std::vector<float> buffer(4096 * 2);
    EXPECT_EQ(tq_decode(codec.dec.p, &nothing, 0, buffer.data(), 4096, &got), TQ_ERR_CORRUPT);
    for (std::size_t size = 1; size < packet.size(); size += (size < 64 ? 1 : 97)) {
        std::vector<uint8_t> cut(packet.begin(), packet.begin() + static_cast<long>(size));
        EXPECT_EQ(decode_rc(cut), TQ_ERR_CORRUPT) << size;
    }
    std::vector<uint8_t> cut(packet.begin(), packet.end() - 1);
    EXPECT_EQ(decode_rc(cut), TQ_ERR_CORRUPT);
    EXPECT_NE(std::string(tq_decoder_error_message(codec.dec.p)).find("ends early"), std::string::npos);
    expect_still_works();
}

TEST_F(Hostile, ExtraBytesAreCorrupt) {
    for (int extra : {0x00, 0x5a}) {
        auto longer = packet;
        longer.push_back(static_cast<uint8_t>(extra));
        EXPECT_EQ(decode_rc(longer), TQ_ERR_CORRUPT);
        EXPECT_NE(std::string(tq_decoder_error_message(codec.dec.p)).find("after the last block"), std::string::npos);
    }
    expect_still_works();
}

TEST_F(Hostile, ReservedScaleIndexIsCorrupt) {
    for (int scale : {249, 250, 255}) {
        auto bad = packet;
        bad[2] = static_cast<uint8_t>(scale);  // after the 2-byte sample-count prefix: block 0's scale
        EXPECT_EQ(decode_rc(bad), TQ_ERR_CORRUPT) << int(scale);
        EXPECT_NE(std::string(tq_decoder_error_message(codec.dec.p)).find("scale"), std::string::npos);
    }
    expect_still_works();
}

TEST_F(Hostile, NonzeroPaddingIsCorrupt) {
    // A packet of 1 sample: 9 + 512*4 bits per channel, 2 channels -> 4114 bits, 6 bits of padding.
    const float one[2] = {0.25f, -0.25f};
    auto p = codec.encode(one, 1);
    ASSERT_EQ(decode_rc(p), TQ_OK);
    p.back() |= 1;
    EXPECT_EQ(decode_rc(p), TQ_ERR_CORRUPT);
    expect_still_works();
}

TEST_F(Hostile, RandomBytesAndBitFlipsNeverCrash) { expect_random_bytes_and_bit_flips_never_crash(99); }

TEST(Turbo, HostileStreamHeaderParamsAreRejected) {
    Codec codec(44100, 2, opts(4, false));
    const auto& good = codec.header;
    // Generic header: magic(4) version channels... frame size u32 at 12, params length u16 at 20, params at 22.
    ASSERT_EQ(good.size(), 22u + tq::turbo::kParamsSize);
    auto with_params = [&](std::vector<uint8_t> params) {
        std::vector<uint8_t> h(good.begin(), good.begin() + 20);
        h.push_back(static_cast<uint8_t>(params.size()));
        h.push_back(static_cast<uint8_t>(params.size() >> 8));
        h.insert(h.end(), params.begin(), params.end());
        return h;
    };
    const std::vector<uint8_t> params(good.begin() + 22, good.end());
    auto mutate = [&](std::size_t at, uint8_t value) {
        auto p = params;
        p[at] = value;
        return with_params(p);
    };
    auto with_frame = [&](uint32_t frame) {
        auto h = good;
        for (int i = 0; i < 4; ++i) h[12 + static_cast<std::size_t>(i)] = static_cast<uint8_t>(frame >> (8 * i));
        return h;
    };
    std::vector<uint8_t> longer = params;
    longer.push_back(0);
    const std::vector<std::pair<std::vector<uint8_t>, const char*>> bad = {
        {mutate(0, 2), "version"},          {mutate(1, 5), "block"},           {mutate(1, 13), "block"},
        {mutate(2, 0), "bits"},             {mutate(2, 9), "bits"},            {mutate(3, 8), "flags"},
        {mutate(3, 4), "flags"},            {mutate(3, 2), "bits"},            {mutate(3, 3), "flags"},
        {mutate(7, 0x80), "seed"},          {with_params({}), "truncated"},    {with_params(longer), "bytes"},
        {with_params(std::vector<uint8_t>(params.begin(), params.end() - 1)), "truncated"},
        {with_frame(4000), "frame size"},   {with_frame(256), "frame size"},   {with_frame(32768), "frame size"},
    };
    for (const auto& [header, what] : bad) {
        Decoder d;
        EXPECT_EQ(tq_decoder_create(header.data(), header.size(), &d.p), TQ_ERR_CORRUPT) << what;
        EXPECT_EQ(d.p, nullptr);
        EXPECT_TRUE(last_error_mentions(what)) << what << ": " << tq_last_error_message();
    }
    // A larger frame that is a multiple of the block is fine.
    Decoder ok;
    const auto h = with_frame(8192);
    EXPECT_EQ(tq_decoder_create(h.data(), h.size(), &ok.p), TQ_OK);
}

/* ---- the stream header itself ---- */

TEST(Turbo, ParamsRoundTripThroughTheStreamHeader) {
    tq::turbo::Params p;
    p.block = 2048;
    p.bits = 7;
    p.residual = true;
    p.seed = 123456789;
    const auto bytes = tq::turbo::serialize_params(p);
    ASSERT_EQ(bytes.size(), tq::turbo::kParamsSize);
    tq::StreamInfo info{TQ_FAMILY_TURBO, 44100, 2, 4096, 0};
    const auto q = tq::turbo::parse_params(bytes, info);
    EXPECT_EQ(q.block, 2048);
    EXPECT_EQ(q.bits, 7);
    EXPECT_TRUE(q.residual);
    EXPECT_EQ(q.seed, 123456789u);
    EXPECT_EQ(q.frame_size, 4096);
}

TEST(Turbo, ScaleGridIsExactPowersOfTwoToTheEighth) {
    EXPECT_EQ(tq::turbo::scale_value(tq::turbo::kScaleUnity), 1.0f);
    EXPECT_EQ(tq::turbo::scale_value(tq::turbo::kScaleUnity + 8), 2.0f);
    EXPECT_EQ(tq::turbo::scale_value(tq::turbo::kScaleUnity - 16), 0.25f);
    EXPECT_EQ(tq::turbo::scale_value(tq::turbo::kScaleMaxIndex), 16.0f);
    for (int i = 1; i <= tq::turbo::kScaleMaxIndex; ++i) {
        EXPECT_NEAR(std::log2(tq::turbo::scale_value(i)), (i - tq::turbo::kScaleUnity) / 8.0, 1e-6);
        EXPECT_EQ(tq::turbo::nearest_scale_index(tq::turbo::scale_value(i)), i);
    }
    EXPECT_EQ(tq::turbo::nearest_scale_index(1e-30), 1);
    EXPECT_EQ(tq::turbo::nearest_scale_index(1e30), tq::turbo::kScaleMaxIndex);
}

/* ---- determinism and independence ---- */

TEST(Turbo, EncodingIsDeterministicAndPacketsAreIndependent) {
    const auto pcm = gaussian(4096 * 2 * 3, 0.2f, 12);
    Codec a(44100, 2, opts(5, true)), b(44100, 2, opts(5, true));
    const auto out_a = a.run(pcm);
    const auto out_b = b.run(pcm);
    EXPECT_EQ(a.header, b.header);
    ASSERT_EQ(a.packets.size(), b.packets.size());
    for (std::size_t i = 0; i < a.packets.size(); ++i) EXPECT_EQ(a.packets[i], b.packets[i]) << i;
    EXPECT_EQ(out_a, out_b);
    // Decoding the last packet first, after a reset, gives the same samples.
    Decoder d;
    ASSERT_EQ(tq_decoder_create(a.header.data(), a.header.size(), &d.p), TQ_OK);
    std::vector<float> out(4096 * 2);
    int got = 0;
    ASSERT_EQ(tq_decode(d.p, a.packets[2].data(), a.packets[2].size(), out.data(), 4096, &got), TQ_OK);
    EXPECT_TRUE(std::equal(out.begin(), out.end(), out_a.begin() + 2 * 4096 * 2));
    // Another seed: other bytes, same quality.
    Codec c(44100, 2, opts(5, true) + ",seed=7");
    const auto out_c = c.run(pcm);
    EXPECT_NE(c.packets[0], a.packets[0]);
    EXPECT_NEAR(snr_db(pcm, out_c), snr_db(pcm, out_a), 0.3);
}

TEST(Turbo, SignVectorsDependOnEveryPartOfTheirKey) {
    std::vector<float> base(512), other(512);
    tq::turbo::make_signs(1, 0, 0, 0, base.data(), 512);
    for (float s : base) EXPECT_TRUE(s == 1.0f || s == -1.0f);
    int plus = 0;
    for (float s : base) plus += s > 0;
    EXPECT_GT(plus, 200);
    EXPECT_LT(plus, 312);
    const int keys[][4] = {{2, 0, 0, 0}, {1, 1, 0, 0}, {1, 0, 1, 0}, {1, 0, 0, 1}};
    for (const auto& k : keys) {
        tq::turbo::make_signs(static_cast<uint32_t>(k[0]), k[1], k[2], k[3], other.data(), 512);
        EXPECT_NE(base, other);
    }
}

TEST(Turbo, PacketsNeverExceedTheAnnouncedMaximum) {
    for (int bits : {1, 8}) {
        Codec codec(44100, 8, opts(bits, true, 64));
        const auto pcm = gaussian(4096 * 8, 1.0f, 13);
        codec.run(pcm);
        EXPECT_LE(codec.packets[0].size(), tq_encoder_max_packet_size(codec.enc.p));
    }
}

/* ---- mdct mode ---- */

// A whole stream through the C ABI: every frame, then the flush, every packet
// decoded in order, the delay dropped.
struct Stream {
    std::vector<float> out;  // decoded, delay dropped, as long as decoded
    std::vector<std::vector<uint8_t>> packets;
    std::vector<int> samples;  // per packet
    std::size_t bytes = 0;
    int delay = 0;
};

Stream code_stream(Codec& codec, const std::vector<float>& pcm) {
    Stream s;
    const int ch = codec.channels;
    const int total = static_cast<int>(pcm.size()) / ch;
    for (int pos = 0; pos < total; pos += codec.frame) {
        const int n = std::min(codec.frame, total - pos);
        s.packets.push_back(codec.encode(pcm.data() + static_cast<std::size_t>(pos) * ch, n));
        s.samples.push_back(n);
    }
    std::vector<uint8_t> tail(tq_encoder_max_packet_size(codec.enc.p));
    size_t size = 0;
    EXPECT_EQ(tq_encoder_flush(codec.enc.p, tail.data(), tail.size(), &size), TQ_OK);
    if (size) {
        tail.resize(size);
        s.packets.push_back(tail);
        s.samples.push_back(tq_decoder_delay(codec.dec.p));
        EXPECT_EQ(tq_encoder_flush(codec.enc.p, tail.data(), tail.size(), &size), TQ_OK);
        EXPECT_EQ(size, 0u) << "a second flush returns nothing";
    }
    s.delay = tq_decoder_delay(codec.dec.p);
    std::vector<float> decoded;
    std::vector<float> buffer(static_cast<std::size_t>(codec.frame) * ch);
    for (const auto& p : s.packets) {
        int got = 0;
        EXPECT_EQ(tq_decode(codec.dec.p, p.data(), p.size(), buffer.data(), codec.frame, &got), TQ_OK)
            << tq_decoder_error_message(codec.dec.p);
        decoded.insert(decoded.end(), buffer.begin(), buffer.begin() + static_cast<long>(got) * ch);
        s.bytes += p.size();
    }
    const std::size_t skip = std::min(decoded.size(), static_cast<std::size_t>(s.delay) * ch);
    s.out.assign(decoded.begin() + static_cast<long>(skip), decoded.end());
    return s;
}

std::vector<float> tones(std::size_t frames, int channels, int rate) {
    std::vector<float> v(frames * static_cast<std::size_t>(channels));
    const double f[] = {220.0, 331.0, 440.0, 1250.0, 3020.0};
    for (std::size_t i = 0; i < frames; ++i)
        for (int c = 0; c < channels; ++c) {
            double x = 0.0;
            for (int k = 0; k < 5; ++k)
                x += 0.08 / (k + 1) * std::sin(2.0 * std::numbers::pi * f[k] * (1.0 + 0.01 * c) * static_cast<double>(i) / rate + k);
            v[i * static_cast<std::size_t>(channels) + static_cast<std::size_t>(c)] = static_cast<float>(x);
        }
    return v;
}

double stream_bitrate(const Stream& s, std::size_t frames, int rate) {
    // payload + prefix as coded, plus 25 bytes of .tqc framing and a 16-byte index entry per packet.
    return 8.0 * static_cast<double>(s.bytes + 41 * s.packets.size()) / (static_cast<double>(frames) / rate);
}

TEST(TurboMdct, DecodesToExactlyTheInputLengthAfterTheDelay) {
    struct Case {
        int rate, channels, frames;
    };
    const Case cases[] = {{44100, 2, 4096 * 3},     {44100, 2, 4096 * 3 + 1000}, {44100, 1, 700},
                          {44100, 2, 1},            {48000, 2, 1024 * 5 + 1023}, {16000, 1, 16000},
                          {8000, 1, 8000 + 17},     {96000, 3, 9000}};
    for (const Case& c : cases) {
        Codec codec(c.rate, c.channels, "mode=mdct,bits=4");
        ASSERT_TRUE(codec.created);
        EXPECT_EQ(tq_encoder_delay(codec.enc.p), tq::turbo::default_mdct_size(c.rate));
        const auto pcm = gaussian(static_cast<std::size_t>(c.frames) * c.channels, 0.1f, 21);
        const Stream s = code_stream(codec, pcm);
        ASSERT_EQ(s.out.size(), pcm.size()) << c.rate << " " << c.frames;
        EXPECT_GT(snr_db(pcm, s.out), 18.0) << c.rate << " " << c.frames;
    }
    EXPECT_EQ(tq::turbo::default_mdct_size(44100), 1024);
    EXPECT_EQ(tq::turbo::default_mdct_size(8000), 256);
    EXPECT_EQ(tq::turbo::default_mdct_size(16000), 512);
    EXPECT_EQ(tq::turbo::default_mdct_size(192000), 4096);
}

TEST(TurboMdct, NothingEncodedFlushesNothing) {
    Codec codec(44100, 2, "mode=mdct");
    std::vector<uint8_t> p(tq_encoder_max_packet_size(codec.enc.p));
    size_t size = 1;
    EXPECT_EQ(tq_encoder_flush(codec.enc.p, p.data(), p.size(), &size), TQ_OK);
    EXPECT_EQ(size, 0u);
}

TEST(TurboMdct, OnlyTheLastPacketMayBeShort) {
    Codec codec(44100, 1, "mode=mdct");
    const auto pcm = gaussian(5000, 0.1f, 22);
    codec.encode(pcm.data(), 100);
    std::vector<uint8_t> p(tq_encoder_max_packet_size(codec.enc.p));
    size_t size = 0;
    EXPECT_EQ(tq_encode(codec.enc.p, pcm.data(), 4096, p.data(), p.size(), &size), TQ_ERR_INVALID_ARGUMENT);
}

TEST(TurboMdct, BitrateIsWithinFivePercentOfTheTarget) {
    const int rate = 44100;
    const std::size_t frames = static_cast<std::size_t>(rate) * 4;
    for (int bitrate : {32000, 64000, 128000, 256000}) {
        for (int signal = 0; signal < 2; ++signal) {
            Codec codec(rate, 2, "mode=mdct", bitrate);
            ASSERT_TRUE(codec.created) << tq_last_error_message();
            const auto pcm = signal == 0 ? gaussian(frames * 2, 0.1f, 23) : tones(frames, 2, rate);
            const Stream s = code_stream(codec, pcm);
            const double actual = stream_bitrate(s, frames, rate);
            EXPECT_NEAR(actual / bitrate, 1.0, 0.05) << bitrate << (signal ? " tones" : " noise");
            std::cout << "[ mdct ] " << (signal ? "tones" : "noise") << " target " << bitrate << " b/s: "
                      << static_cast<long>(actual) << " b/s, SNR " << snr_db(pcm, s.out) << " dB\n";
        }
    }
}

TEST(TurboMdct, BitsSetTheAverageBitsPerSampleWithoutABitrate) {
    for (int bits : {1, 2, 4}) {
        Codec codec(44100, 2, "mode=mdct,bits=" + std::to_string(bits));
        const auto pcm = gaussian(4096 * 2 * 8, 0.1f, 24);
        const Stream s = code_stream(codec, pcm);
        // The flush packet codes the delay's worth of samples too.
        const double coded = static_cast<double>(pcm.size() + 2u * static_cast<std::size_t>(s.delay));
        const double payload_bits = 8.0 * static_cast<double>(s.bytes - 2 * s.packets.size()) / coded;
        EXPECT_NEAR(payload_bits, bits, 0.03 * bits) << bits;
    }
}

TEST(TurboMdct, AllocationSpendsTheBudgetAndFavoursLoudBands) {
    std::mt19937 rng(25);
    const auto layout = tq::turbo::mdct_bands(1024, tq::turbo::Tune::mse);
    std::vector<tq::turbo::AllocationUnit> units;
    for (int f = 0; f < 8; ++f)
        for (int b = 0; b < layout.count(); ++b)
            units.push_back({static_cast<int>(20 + rng() % 80), layout.width[static_cast<std::size_t>(b)]});
    for (long budget : {0L, 3L, 1000L, 20000L, 60000L}) {
        const auto bits = tq::turbo::allocate_bits(units, budget);
        long spent = 0;
        for (std::size_t u = 0; u < units.size(); ++u) spent += static_cast<long>(bits[u]) * units[u].width;
        EXPECT_LE(spent, budget);
        EXPECT_GE(spent, budget - 3) << budget;  // the 4-wide bands fill what wider steps leave
    }
    // 12 dB louder (8 gain steps) = 2 more bits, as reverse water-filling says.
    const tq::turbo::AllocationUnit pair[] = {{60, 16}, {68, 16}};
    const auto bits = tq::turbo::allocate_bits(pair, 16 * 8);
    EXPECT_EQ(bits[1] - bits[0], 2);
    // Silent bands get nothing; nothing beyond 8 bits.
    const tq::turbo::AllocationUnit silent[] = {{0, 4}, {90, 4}};
    const auto capped = tq::turbo::allocate_bits(silent, 1000);
    EXPECT_EQ(capped[0], 0);
    EXPECT_EQ(capped[1], 8);
}

TEST(TurboMdct, StepGainTableIsTheLloydMaxMseDrop) {
    const auto table = tq::turbo::step_gain_table();
    ASSERT_EQ(table.size(), 8u);
    for (int b = 0; b < 8; ++b) {
        const double before = b == 0 ? 1.0 : tq::dsp::lloyd_max(b).mse;
        const double drop = before - tq::dsp::lloyd_max(b + 1).mse;
        EXPECT_NEAR(table[static_cast<std::size_t>(b)], 64.0 * std::log2(drop), 0.55) << b;
    }
}

TEST(TurboMdct, BandsArePowersOfTwoCoveringTheFrame) {
    for (int n = 64; n <= 4096; n *= 2) {
        const auto layout = tq::turbo::mdct_bands(n, tq::turbo::Tune::mse);
        int next = 0;
        for (int b = 0; b < layout.count(); ++b) {
            EXPECT_EQ(layout.offset[static_cast<std::size_t>(b)], next);
            const int w = layout.width[static_cast<std::size_t>(b)];
            EXPECT_EQ(w & (w - 1), 0) << n;
            next += w;
        }
        EXPECT_EQ(next, n);
    }
    EXPECT_EQ(tq::turbo::mdct_bands(1024, tq::turbo::Tune::mse).count(), 24);
}

TEST(TurboMdct, GainGridIsExactQuarterOctaves) {
    EXPECT_EQ(tq::turbo::gain_value(tq::turbo::kGainUnity), 1.0f);
    EXPECT_EQ(tq::turbo::gain_value(tq::turbo::kGainUnity + 4), 2.0f);
    for (int i = 1; i <= tq::turbo::kGainMaxIndex; ++i)
        EXPECT_EQ(tq::turbo::nearest_gain_index(tq::turbo::gain_value(i)), i);
    EXPECT_EQ(tq::turbo::nearest_gain_index(0.0), 0);
    EXPECT_EQ(tq::turbo::nearest_gain_index(1e-12), 0);
    EXPECT_EQ(tq::turbo::nearest_gain_index(1e30), tq::turbo::kGainMaxIndex);
}

TEST(TurboMdct, BeatsTimeModeByTenDecibelsOnTonesAtTheSameRate) {
    const auto pcm = tones(44100 * 2, 2, 44100);
    Codec time(44100, 2, "bits=2");
    time.run(pcm);
    const double time_snr = snr_db(pcm, time.run(pcm));
    const double time_rate = 8.0 * static_cast<double>(time.bytes + 41 * time.packets.size()) / 2.0;
    Codec mdct(44100, 2, "mode=mdct", static_cast<int>(time_rate));
    const Stream s = code_stream(mdct, pcm);
    const double mdct_rate = stream_bitrate(s, 44100 * 2, 44100);
    EXPECT_LE(mdct_rate, time_rate * 1.03);  // the flush packet codes 1024 more samples
    EXPECT_GT(snr_db(pcm, s.out), time_snr + 10.0);
    std::cout << "[ mdct ] tones at " << static_cast<long>(time_rate) << " b/s: time " << time_snr << " dB, mdct "
              << snr_db(pcm, s.out) << " dB\n";
}

TEST(TurboMdct, SilenceDecodesToExactZerosInSmallPackets) {
    Codec codec(44100, 2, "mode=mdct", 128000);
    const std::vector<float> pcm(4096 * 2 * 3, 0.0f);
    const Stream s = code_stream(codec, pcm);
    for (float v : s.out) ASSERT_EQ(v, 0.0f);
    for (const auto& p : s.packets) EXPECT_LE(p.size(), 2u + 5u);  // prefix, budget, per frame a stereo bit and a bit per channel
}

TEST(TurboMdct, MidSideCodesCorrelatedStereoAsOneChannel) {
    const std::size_t frames = 44100 * 2;
    const auto mono = gaussian(frames, 0.1f, 31);
    const auto other = gaussian(frames, 0.1f, 32);
    std::vector<float> same(frames * 2), opposite(frames * 2), independent(frames * 2);
    for (std::size_t i = 0; i < frames; ++i) {
        same[2 * i] = same[2 * i + 1] = mono[i];
        opposite[2 * i] = mono[i];
        opposite[2 * i + 1] = -mono[i];
        independent[2 * i] = mono[i];
        independent[2 * i + 1] = other[i];
    }
    auto snr_at = [](const std::vector<float>& pcm, std::vector<float>* out = nullptr) {
        Codec codec(44100, 2, "mode=mdct", 128000);
        const Stream s = code_stream(codec, pcm);
        if (out) *out = s.out;
        return snr_db(pcm, s.out);
    };
    std::vector<float> out;
    const double snr_same = snr_at(same, &out);
    for (std::size_t i = 0; i < frames; ++i) ASSERT_EQ(out[2 * i], out[2 * i + 1]) << i;  // side is exactly silent
    const double snr_opposite = snr_at(opposite), snr_independent = snr_at(independent);
    EXPECT_GT(snr_same, snr_independent + 2.5);
    EXPECT_NEAR(snr_opposite, snr_same, 0.3);
    std::cout << "[ mdct ] noise at 128 kb/s: L=R " << snr_same << " dB, L=-R " << snr_opposite << " dB, independent "
              << snr_independent << " dB\n";
}

TEST(TurboMdct, NonFiniteAndHugeInputNeverBreaksTheCodec) {
    auto pcm = gaussian(4096 * 3, 0.1f, 26);
    pcm[5] = std::numeric_limits<float>::quiet_NaN();
    pcm[600] = std::numeric_limits<float>::infinity();
    for (std::size_t i = 2048; i < 2560; ++i) pcm[i] = 1e6f;
    Codec codec(44100, 1, "mode=mdct", 64000);
    const Stream s = code_stream(codec, pcm);
    ASSERT_EQ(s.out.size(), pcm.size());
    for (float v : s.out) EXPECT_TRUE(std::isfinite(v));
}

TEST(TurboMdct, ResetAfterASeekSpoilsOnlyTheFirstFrame) {
    const int n = 1024;
    const auto pcm = tones(4096 * 4, 1, 44100);
    Codec codec(44100, 1, "mode=mdct,bits=3");
    const Stream s = code_stream(codec, pcm);
    std::vector<float> seq;  // sequential decode, delay kept
    {
        Decoder d;
        ASSERT_EQ(tq_decoder_create(codec.header.data(), codec.header.size(), &d.p), TQ_OK);
        std::vector<float> buf(4096);
        for (const auto& p : s.packets) {
            int got = 0;
            ASSERT_EQ(tq_decode(d.p, p.data(), p.size(), buf.data(), 4096, &got), TQ_OK);
            seq.insert(seq.end(), buf.begin(), buf.begin() + got);
        }
    }
    // Decode packet 1, then "seek" to packet 3: reset, decode 3.
    std::vector<float> buf(4096);
    int got = 0;
    ASSERT_EQ(tq_decode(codec.dec.p, s.packets[1].data(), s.packets[1].size(), buf.data(), 4096, &got), TQ_OK);
    ASSERT_EQ(tq_decoder_reset(codec.dec.p), TQ_OK);
    ASSERT_EQ(tq_decode(codec.dec.p, s.packets[3].data(), s.packets[3].size(), buf.data(), 4096, &got), TQ_OK);
    ASSERT_EQ(got, 4096);
    EXPECT_TRUE(std::equal(buf.begin() + n, buf.end(), seq.begin() + 3 * 4096 + n));
    EXPECT_FALSE(std::equal(buf.begin(), buf.begin() + n, seq.begin() + 3 * 4096));
    // A fresh decoder starting at packet 3 gives the same samples as the reset one.
    Decoder fresh;
    ASSERT_EQ(tq_decoder_create(codec.header.data(), codec.header.size(), &fresh.p), TQ_OK);
    std::vector<float> buf2(4096);
    ASSERT_EQ(tq_decode(fresh.p, s.packets[3].data(), s.packets[3].size(), buf2.data(), 4096, &got), TQ_OK);
    EXPECT_EQ(buf, buf2);
}

TEST(TurboMdct, LostPacketFadesOutAndKeepsTheStreamInStep) {
    const int n = 1024;
    const auto pcm = tones(4096 * 5, 1, 44100);
    Codec codec(44100, 1, "mode=mdct,bits=3");
    const Stream s = code_stream(codec, pcm);
    auto decode_all = [&](int lost) {
        Decoder d;
        EXPECT_EQ(tq_decoder_create(codec.header.data(), codec.header.size(), &d.p), TQ_OK);
        std::vector<float> out, buf(4096);
        for (std::size_t i = 0; i < s.packets.size(); ++i) {
            const bool drop = static_cast<int>(i) == lost;
            int got = 0;
            EXPECT_EQ(tq_decode(d.p, drop ? nullptr : s.packets[i].data(), s.packets[i].size(), buf.data(), 4096, &got),
                      TQ_OK);
            out.insert(out.end(), buf.begin(), buf.begin() + got);
        }
        return out;
    };
    const std::vector<float> whole = decode_all(-1), gap = decode_all(2);
    ASSERT_EQ(gap.size(), whole.size());
    const auto at = [](const std::vector<float>& v, int i) { return v.begin() + i; };
    // The lost packet: the last good frame's overlap fades out, then silence.
    EXPECT_GT(std::inner_product(at(gap, 2 * 4096), at(gap, 2 * 4096 + n), at(gap, 2 * 4096), 0.0), 0.0);
    EXPECT_TRUE(std::all_of(at(gap, 2 * 4096 + n), at(gap, 3 * 4096), [](float v) { return v == 0.0f; }));
    // Everything before the gap, and after the next packet's first frame, is untouched.
    EXPECT_TRUE(std::equal(gap.begin(), at(gap, 2 * 4096), whole.begin()));
    EXPECT_TRUE(std::equal(at(gap, 3 * 4096 + n), gap.end(), at(whole, 3 * 4096 + n)));
}

TEST(TurboMdct, NoiseFillTradesSnrForBandEnergy) {
    const auto pcm = gaussian(4096 * 2 * 4, 0.1f, 27);
    double energy[2], snr[2];
    for (int fill = 0; fill < 2; ++fill) {
        Codec codec(44100, 2, std::string("mode=mdct,noise_fill=") + (fill ? "1" : "0"), 48000);
        const Stream s = code_stream(codec, pcm);
        double e = 0.0;
        for (float v : s.out) e += static_cast<double>(v) * v;
        energy[fill] = e;
        snr[fill] = snr_db(pcm, s.out);
    }
    double ref = 0.0;
    for (float v : pcm) ref += static_cast<double>(v) * v;
    EXPECT_GT(energy[1], energy[0]);
    EXPECT_GT(energy[1] / ref, 0.75);  // coded bands lose energy (Lloyd-Max shrinks), filled ones keep it
    EXPECT_LT(snr[1], snr[0]);
    std::cout << "[ mdct ] noise at 48 kb/s: SNR " << snr[0] << " dB (zeros), " << snr[1] << " dB (noise fill); energy "
              << energy[0] / ref << " / " << energy[1] / ref << " of the input\n";
}

TEST(TurboMdct, ParamsRoundTripAndTimeModeBytesAreUnchanged) {
    const auto time_bytes = tq::turbo::serialize_params(tq::turbo::Params{});
    EXPECT_EQ(time_bytes, (std::vector<uint8_t>{0x01, 0x09, 0x04, 0x00, 0x91, 0xF4, 0x45, 0x25}));
    tq::turbo::Params p;
    p.mode = tq::turbo::Mode::mdct;
    p.block = 1024;
    p.noise_fill = true;
    const auto bytes = tq::turbo::serialize_params(p);
    EXPECT_EQ(bytes, (std::vector<uint8_t>{0x01, 0x0A, 0x00, 0x06, 0x91, 0xF4, 0x45, 0x25}));
    tq::StreamInfo info{TQ_FAMILY_TURBO, 44100, 2, 4096, 1024};
    const auto q = tq::turbo::parse_params(bytes, info);
    EXPECT_EQ(q.mode, tq::turbo::Mode::mdct);
    EXPECT_EQ(q.block, 1024);
    EXPECT_TRUE(q.noise_fill);
}

TEST(TurboMdct, BitrateBelowTheGainsAloneFails) {
    Encoder e;
    tq_encoder_config c;
    tq_encoder_config_init(&c, TQ_FAMILY_TURBO);
    c.options = "mode=mdct";
    c.bitrate = 4000;
    EXPECT_EQ(tq_encoder_create(&c, &e.p), TQ_ERR_INVALID_ARGUMENT);
    EXPECT_TRUE(last_error_mentions("bitrate")) << tq_last_error_message();
}

class HostileMdct : public HostileBase {
protected:
    HostileMdct() : HostileBase("mode=mdct", 128000, 28) {}
};

TEST_F(HostileMdct, TruncatedPacketsAreCorrupt) {
    for (std::size_t size = 1; size < packet.size(); size += (size < 64 ? 1 : 37)) {
        std::vector<uint8_t> cut(packet.begin(), packet.begin() + static_cast<long>(size));
        EXPECT_EQ(decode_rc(cut), TQ_ERR_CORRUPT) << size;
    }
    expect_still_works();
}

TEST_F(HostileMdct, ExtraBytesAndPaddingAreCorrupt) {
    auto longer = packet;
    longer.push_back(0);
    EXPECT_EQ(decode_rc(longer), TQ_ERR_CORRUPT);
    const float one[2] = {0.25f, -0.25f};
    auto p = codec.encode(one, 1);
    ASSERT_EQ(decode_rc(p), TQ_OK);
    // Find a packet with padding bits: flip the last bit, which is padding unless the codes end on a byte.
    p.back() ^= 1;
    const int rc = decode_rc(p);
    EXPECT_TRUE(rc == TQ_ERR_CORRUPT || rc == TQ_OK);
    expect_still_works();
}

TEST_F(HostileMdct, BudgetAboveTheMaximumIsCorrupt) {
    auto bad = packet;
    bad[2] = 0xFF;  // budget field: first 21 bits after the prefix
    bad[3] = 0xFF;
    EXPECT_EQ(decode_rc(bad), TQ_ERR_CORRUPT);
    EXPECT_NE(std::string(tq_decoder_error_message(codec.dec.p)).find("budget"), std::string::npos);
    expect_still_works();
}

TEST_F(HostileMdct, RandomBytesAndBitFlipsNeverCrash) { expect_random_bytes_and_bit_flips_never_crash(29); }

TEST(TurboMdct, PacketsNeverExceedTheAnnouncedMaximum) {
    for (int bits : {1, 8}) {
        Codec codec(44100, 8, "mode=mdct,block=64,bits=" + std::to_string(bits));
        const auto pcm = gaussian(4096 * 8 * 2, 1.0f, 30);
        const Stream s = code_stream(codec, pcm);
        for (const auto& p : s.packets) EXPECT_LE(p.size(), tq_encoder_max_packet_size(codec.enc.p));
    }
}

TEST(TurboMdct, EncodingIsDeterministic) {
    const auto pcm = tones(4096 * 3, 2, 44100);
    Codec a(44100, 2, "mode=mdct", 96000), b(44100, 2, "mode=mdct", 96000);
    const Stream sa = code_stream(a, pcm), sb = code_stream(b, pcm);
    EXPECT_EQ(a.header, b.header);
    EXPECT_EQ(sa.packets, sb.packets);
    EXPECT_EQ(sa.out, sb.out);
}

/* ---- mdct mode, tune=perceptual ---- */

constexpr const char* kPerceptual = "mode=mdct,tune=perceptual";

TEST(TurboPerceptual, DecodesToExactlyTheInputLengthAfterTheDelay) {
    struct Case {
        int rate, channels, frames;
    };
    const Case cases[] = {{44100, 2, 8192 * 2 + 1000}, {44100, 1, 700}, {48000, 2, 1},
                          {16000, 1, 16000},           {8000, 1, 8017}, {96000, 3, 9000}};
    for (const Case& c : cases) {
        Codec codec(c.rate, c.channels, kPerceptual, 32000 * c.channels);
        ASSERT_TRUE(codec.created) << tq_last_error_message();
        const auto pcm = gaussian(static_cast<std::size_t>(c.frames) * c.channels, 0.1f, 41);
        const Stream s = code_stream(codec, pcm);
        ASSERT_EQ(s.out.size(), pcm.size()) << c.rate << " " << c.frames;
        for (float v : s.out) ASSERT_TRUE(std::isfinite(v));
    }
}

TEST(TurboPerceptual, PacketsHoldEightFramesUpToTheLargestFrame) {
    Codec codec(44100, 2, kPerceptual, 64000);
    EXPECT_EQ(codec.frame, 8 * 1024);
    Codec big(44100, 1, std::string(kPerceptual) + ",block=4096", 64000);
    EXPECT_EQ(big.frame, tq::turbo::kMaxFrame);
}

TEST(TurboPerceptual, BitrateIsWithinTwoPercentOfTheTarget) {
    const int rate = 44100;
    const std::size_t frames = static_cast<std::size_t>(rate) * 6;
    for (int bitrate : {32000, 64000, 128000}) {
        for (int signal = 0; signal < 2; ++signal) {
            Codec codec(rate, 2, kPerceptual, bitrate);
            ASSERT_TRUE(codec.created) << tq_last_error_message();
            const auto pcm = signal == 0 ? gaussian(frames * 2, 0.1f, 42) : tones(frames, 2, rate);
            const Stream s = code_stream(codec, pcm);
            const double actual = stream_bitrate(s, frames, rate);
            EXPECT_NEAR(actual / bitrate, 1.0, 0.02) << bitrate << (signal ? " tones" : " noise");
        }
    }
}

// Lloyd-Max shrinks every band it codes and mse leaves bands without bits
// silent; perceptual keeps coded bands at their coded energy and fills the rest.
TEST(TurboPerceptual, KeepsTheSignalEnergyWhereMseLosesIt) {
    const auto pcm = gaussian(8192 * 2 * 3, 0.1f, 43);
    auto energy_ratio = [&](const std::string& options) {
        Codec codec(44100, 2, options, 32000);
        const Stream s = code_stream(codec, pcm);
        return std::inner_product(s.out.begin(), s.out.end(), s.out.begin(), 0.0) /
               std::inner_product(pcm.begin(), pcm.end(), pcm.begin(), 0.0);
    };
    const double mse = energy_ratio("mode=mdct"), perceptual = energy_ratio(kPerceptual);
    EXPECT_LT(mse, 0.3);
    EXPECT_GT(perceptual, 0.6);  // most bands are filled at this rate, 2 dB below their gain
    EXPECT_LT(perceptual, 1.1);
    std::cout << "[ perceptual ] noise at 32 kb/s keeps " << perceptual << " of the input energy (mse: " << mse << ")\n";
}

// A click in the middle of a frame: the noise TNS shapes stays near the click
// instead of spreading over the whole window before it (pre-echo).
TEST(TurboPerceptual, TnsKeepsTheNoiseOfAClickNearTheClick) {
    std::vector<float> pcm(8192 * 3, 0.0f);
    std::mt19937 rng(44);
    std::normal_distribution<float> g(0.0f, 1e-4f);
    for (float& v : pcm) v = g(rng);
    pcm[8192 + 600] = 0.9f;
    auto pre_echo = [&](const std::string& options) {
        Codec codec(44100, 1, options, 24000);
        const Stream s = code_stream(codec, pcm);
        EXPECT_EQ(s.out.size(), pcm.size());
        double before = 0.0;  // the window before the click, less the 2 ms beside it
        for (std::size_t i = 8192 + 600 - 2048; i < 8192 + 600 - 88; ++i) before += static_cast<double>(s.out[i]) * s.out[i];
        return before;
    };
    const double perceptual = pre_echo(kPerceptual), filled = pre_echo("mode=mdct,noise_fill=1");
    EXPECT_LT(perceptual, 0.5 * filled);
    std::cout << "[ perceptual ] pre-echo energy before a click: " << perceptual << " (mse with noise fill: " << filled
              << ")\n";
}

TEST(TurboPerceptual, SilenceDecodesToExactZerosInSmallPackets) {
    Codec codec(44100, 2, kPerceptual, 128000);
    const std::vector<float> pcm(8192 * 2 * 2, 0.0f);
    const Stream s = code_stream(codec, pcm);
    for (float v : s.out) ASSERT_EQ(v, 0.0f);
    // prefix, budget, per frame a stereo bit and per channel a TNS bit, a time-prediction bit and a gains bit
    for (const auto& p : s.packets) EXPECT_LE(p.size(), 2u + (21u + 8u * (1u + 2u * 3u) + 7u) / 8u);
}

TEST(TurboPerceptual, NonFiniteAndHugeInputNeverBreaksTheCodec) {
    auto pcm = gaussian(8192 * 2, 0.1f, 45);
    pcm[5] = std::numeric_limits<float>::quiet_NaN();
    pcm[600] = -std::numeric_limits<float>::infinity();
    for (std::size_t i = 2048; i < 2560; ++i) pcm[i] = 1e6f;
    Codec codec(44100, 1, kPerceptual, 64000);
    const Stream s = code_stream(codec, pcm);
    ASSERT_EQ(s.out.size(), pcm.size());
    for (float v : s.out) EXPECT_TRUE(std::isfinite(v));
}

TEST(TurboPerceptual, PacketsNeverExceedTheAnnouncedMaximum) {
    for (int channels : {2, 8})
        for (int bits : {1, 8}) {
            Codec codec(44100, channels, std::string(kPerceptual) + ",block=64,bits=" + std::to_string(bits));
            const auto pcm = gaussian(4096 * 8 * static_cast<std::size_t>(channels), 1.0f, 46);
            const Stream s = code_stream(codec, pcm);
            for (const auto& p : s.packets) EXPECT_LE(p.size(), tq_encoder_max_packet_size(codec.enc.p));
        }
}

TEST(TurboPerceptual, EncodingIsDeterministic) {
    const auto pcm = tones(8192 * 3, 2, 44100);
    Codec a(44100, 2, kPerceptual, 96000), b(44100, 2, kPerceptual, 96000);
    const Stream sa = code_stream(a, pcm), sb = code_stream(b, pcm);
    EXPECT_EQ(sa.packets, sb.packets);
    EXPECT_EQ(sa.out, sb.out);
}

TEST(TurboPerceptual, OptionsAndParamsFlags) {
    for (const char* bad : {"tune=perceptual", "mode=mdct,tune=perceptual,noise_fill=1", "mode=mdct,tune=loud"}) {
        Encoder e;
        tq_encoder_config c;
        tq_encoder_config_init(&c, TQ_FAMILY_TURBO);
        c.options = bad;
        EXPECT_EQ(tq_encoder_create(&c, &e.p), TQ_ERR_INVALID_ARGUMENT) << bad;
    }
    tq::turbo::Params p;
    p.mode = tq::turbo::Mode::mdct;
    p.block = 1024;
    p.tune = tq::turbo::Tune::perceptual;
    auto bytes = tq::turbo::serialize_params(p);
    EXPECT_EQ(bytes[3], tq::turbo::kFlagMdct | tq::turbo::kFlagPerceptual);
    const tq::StreamInfo info{TQ_FAMILY_TURBO, 44100, 2, 8192, 1024};
    EXPECT_EQ(tq::turbo::parse_params(bytes, info).tune, tq::turbo::Tune::perceptual);
    bytes[3] |= tq::turbo::kFlagNoiseFill;  // noise fill is implied: both flags at once are not a stream we write
    EXPECT_THROW(tq::turbo::parse_params(bytes, info), tq::Error);
    bytes[3] = tq::turbo::kFlagPerceptual;  // time mode has no tune
    bytes[2] = 4;
    EXPECT_THROW(tq::turbo::parse_params(bytes, info), tq::Error);
}

TEST(TurboPerceptual, PredictedGainsRoundTripInTheBitsTheyCount) {
    std::mt19937 rng(47);
    for (int trial = 0; trial < 200; ++trial) {
        std::vector<int> previous(36), gains(36);
        for (int& g : previous) g = static_cast<int>(rng() % 128);
        for (std::size_t b = 0; b < gains.size(); ++b)  // half the trials change little from frame to frame
            gains[b] = trial % 2 ? static_cast<int>(rng() % 128)
                                 : std::clamp(previous[b] + static_cast<int>(rng() % 5) - 2, 0, 127);
        for (const std::vector<int>& before : {std::vector<int>{}, previous}) {
            tq::BitWriter out;
            tq::turbo::write_predicted_gains(out, gains, before);
            EXPECT_EQ(static_cast<int>(out.bit_count()), tq::turbo::predicted_gain_code_bits(gains, before));
            const auto bytes = out.finish();
            tq::BitReader in(bytes, "test");
            std::vector<int> read(gains.size());
            tq::turbo::read_predicted_gains(in, read, before);
            EXPECT_EQ(read, gains);
        }
    }
}

TEST(TurboPerceptual, TnsShapeUndoesWhitenAndSkipsNoise) {
    const int n = 1024;
    std::vector<float> click(n);  // the MDCT of a click is a cosine across frequency: predictable
    for (int i = 0; i < n; ++i) click[static_cast<std::size_t>(i)] = std::cos(0.3f * static_cast<float>(i));
    const tq::turbo::TnsFilter filter = tq::turbo::tns_choose(click.data(), n);
    EXPECT_TRUE(filter.active);
    std::vector<float> x = click;
    tq::turbo::tns_whiten(filter, x.data(), n);
    double residual = 0.0, energy = 0.0;
    for (int i = tq::turbo::tns_start(n); i < n; ++i) {
        residual += static_cast<double>(x[static_cast<std::size_t>(i)]) * x[static_cast<std::size_t>(i)];
        energy += static_cast<double>(click[static_cast<std::size_t>(i)]) * click[static_cast<std::size_t>(i)];
    }
    EXPECT_LT(residual, 0.1 * energy);
    tq::turbo::tns_shape(filter, x.data(), n);
    for (int i = 0; i < n; ++i) EXPECT_NEAR(x[static_cast<std::size_t>(i)], click[static_cast<std::size_t>(i)], 1e-3f) << i;
    const auto noise = gaussian(static_cast<std::size_t>(n), 1.0f, 48);
    EXPECT_FALSE(tq::turbo::tns_choose(noise.data(), n).active);
}

class HostilePerceptual : public HostileBase {
protected:
    HostilePerceptual() : HostileBase(kPerceptual, 64000, 49) {}
};

TEST_F(HostilePerceptual, TruncatedPacketsAreCorrupt) {
    for (std::size_t size = 1; size < packet.size(); size += (size < 64 ? 1 : 37)) {
        std::vector<uint8_t> cut(packet.begin(), packet.begin() + static_cast<long>(size));
        EXPECT_EQ(decode_rc(cut), TQ_ERR_CORRUPT) << size;
    }
    expect_still_works();
}

TEST_F(HostilePerceptual, RandomBytesAndBitFlipsNeverCrash) { expect_random_bytes_and_bit_flips_never_crash(50); }

}  // namespace
