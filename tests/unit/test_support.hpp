// Helpers shared by the C ABI tests: self-freeing handles, test signals, SNR,
// and an encoder/decoder pair that codes a whole signal packet by packet.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "tqcodec/tqcodec.h"

namespace tqtest {

struct Encoder {
    tq_encoder* p = nullptr;
    ~Encoder() { tq_encoder_destroy(p); }
};

struct Decoder {
    tq_decoder* p = nullptr;
    ~Decoder() { tq_decoder_destroy(p); }
};

inline bool last_error_mentions(const std::string& text) {
    return std::string(tq_last_error_message()).find(text) != std::string::npos;
}

// The committed test data of one area: $TQ_TEST_DATA/<area> (meson sets it), else tests/data/<area>.
inline std::filesystem::path test_data_dir(const std::string& area) {
    const char* root = std::getenv("TQ_TEST_DATA");
    return std::filesystem::path(root ? root : "tests/data") / area;
}

inline std::vector<uint8_t> read_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A 16-bit PCM WAV's samples (all channels interleaved) as floats in [-1, 1).
inline std::vector<float> read_wav_samples(const std::filesystem::path& path) {
    const std::vector<uint8_t> bytes = read_bytes(path);
    auto u32 = [&](std::size_t at) {
        uint32_t v;
        std::memcpy(&v, bytes.data() + at, 4);
        return v;
    };
    for (std::size_t at = 12; at + 8 <= bytes.size(); at += 8 + std::size_t{u32(at + 4)}) {
        if (std::memcmp(bytes.data() + at, "data", 4) != 0) continue;
        const std::size_t count = std::min<std::size_t>(u32(at + 4), bytes.size() - at - 8) / 2;
        std::vector<float> out(count);
        for (std::size_t i = 0; i < count; ++i) {
            int16_t s;
            std::memcpy(&s, bytes.data() + at + 8 + 2 * i, 2);
            out[i] = static_cast<float>(s) / 32768.0f;
        }
        return out;
    }
    ADD_FAILURE() << path << " has no data chunk";
    return {};
}

// tq_encoder_create's result for a mono encoder of `family` (destroyed again).
inline int encoder_create_status(tq_family family, int rate, int bitrate, const char* options = "") {
    tq_encoder_config cfg;
    tq_encoder_config_init(&cfg, family);
    cfg.sample_rate = rate;
    cfg.channels = 1;
    cfg.bitrate = bitrate;
    cfg.options = options;
    tq_encoder* enc = nullptr;
    const int rc = tq_encoder_create(&cfg, &enc);
    tq_encoder_destroy(enc);
    return rc;
}

// max |got - want| / max |want|
inline double relative_error(std::span<const float> got, std::span<const float> want) {
    EXPECT_EQ(got.size(), want.size());
    double diff = 0, scale = 0;
    for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
        diff = std::max(diff, std::fabs(static_cast<double>(got[i]) - want[i]));
        scale = std::max(scale, std::fabs(static_cast<double>(want[i])));
    }
    return diff / std::max(scale, 1e-30);
}

inline double snr_db(const std::vector<float>& ref, const std::vector<float>& out) {
    double s = 0, n = 0;
    for (std::size_t i = 0; i < ref.size(); ++i) {
        s += static_cast<double>(ref[i]) * ref[i];
        const double d = static_cast<double>(ref[i]) - out[i];
        n += d * d;
    }
    return 10.0 * std::log10(s / n);
}

// Pseudo-noise in [-0.5, 0.5) that numpy reproduces exactly (reference values in
// the metric tests were computed from it).
inline std::vector<double> lcg_noise(uint64_t seed, std::size_t n) {
    std::vector<double> out(n);
    for (auto& v : out) {
        seed = (seed * 1103515245 + 12345) % (uint64_t{1} << 31);
        v = static_cast<double>(seed) / static_cast<double>(uint64_t{1} << 31) - 0.5;
    }
    return out;
}

inline std::vector<float> gaussian(std::size_t n, float sigma, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> nd(0.0f, sigma);
    std::vector<float> v(n);
    for (auto& x : v) x = nd(rng);
    return v;
}

// One encoder + decoder pair of a family; run() codes a whole interleaved
// signal frame by frame and decodes each packet back.
struct Codec {
    Codec(tq_family family, int rate, int channel_count, const std::string& options, int bitrate = 0)
        : channels(channel_count) {
        tq_encoder_config c;
        tq_encoder_config_init(&c, family);
        c.sample_rate = rate;
        c.channels = channel_count;
        c.bitrate = bitrate;
        c.options = options.c_str();
        created = tq_encoder_create(&c, &enc.p) == TQ_OK;
        if (!created) return;
        const uint8_t* h;
        size_t size;
        EXPECT_EQ(tq_encoder_stream_header(enc.p, &h, &size), TQ_OK);
        header.assign(h, h + size);
        EXPECT_EQ(tq_decoder_create(h, size, &dec.p), TQ_OK) << tq_last_error_message();
        frame = tq_encoder_frame_size(enc.p);
    }

    std::vector<uint8_t> encode(const float* pcm, int samples) {
        std::vector<uint8_t> packet(tq_encoder_max_packet_size(enc.p));
        size_t size = 0;
        EXPECT_EQ(tq_encode(enc.p, pcm, samples, packet.data(), packet.size(), &size), TQ_OK)
            << tq_encoder_error_message(enc.p);
        packet.resize(size);
        return packet;
    }

    std::vector<float> decode(const std::vector<uint8_t>& packet, int expected) {
        std::vector<float> out(static_cast<std::size_t>(frame) * static_cast<std::size_t>(channels));
        int got = 0;
        EXPECT_EQ(tq_decode(dec.p, packet.data(), packet.size(), out.data(), frame, &got), TQ_OK)
            << tq_decoder_error_message(dec.p);
        EXPECT_EQ(got, expected);
        out.resize(static_cast<std::size_t>(got) * static_cast<std::size_t>(channels));
        return out;
    }

    std::vector<float> run(const std::vector<float>& pcm) {
        const int total = static_cast<int>(pcm.size()) / channels;
        std::vector<float> out;
        bytes = 0;
        packets.clear();
        for (int pos = 0; pos < total; pos += frame) {
            const int n = std::min(frame, total - pos);
            auto packet = encode(pcm.data() + static_cast<std::size_t>(pos) * static_cast<std::size_t>(channels), n);
            const auto part = decode(packet, n);
            out.insert(out.end(), part.begin(), part.end());
            bytes += packet.size();
            packets.push_back(std::move(packet));
        }
        return out;
    }

    double bits_per_sample(std::size_t samples) const {
        return 8.0 * static_cast<double>(bytes) / static_cast<double>(samples);
    }

    int channels;
    bool created = false;
    Encoder enc;
    Decoder dec;
    std::vector<uint8_t> header;
    int frame = 0;
    std::size_t bytes = 0;
    std::vector<std::vector<uint8_t>> packets;
};

}  // namespace tqtest
