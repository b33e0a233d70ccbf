// The threading promise of tqcodec.h under load: eight threads, each with its
// own encoders and decoders of every family and mode, start at once on cold
// process-wide caches (FFTW plans, Lloyd-Max tables, models) and must get
// exactly the result one thread gets alone. Built with ThreadSanitizer
// (scripts/sanitize.sh tsan), any data race fails the run.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"
#include "tqcodec/tqcodec.h"

namespace {

constexpr unsigned kThreads = 8;
constexpr unsigned kSignals = 2;  // thread t codes signal t % kSignals

struct Config {
    const char* label;
    tq_family family;
    int sample_rate;
    int channels;
    int bitrate;
    const char* options;
    int frames;  // packets of input (the last one short)
};

// Small inputs: under ThreadSanitizer every thread codes all of them, and the neural
// networks are slow there (rvq's 2.7 packets took 25 s of one core; now 2/3 of one).
const Config kConfigs[] = {
    {"turbo time", TQ_FAMILY_TURBO, 44100, 2, 0, "bits=4,block=256,residual=1", 6},
    {"turbo mdct", TQ_FAMILY_TURBO, 48000, 2, 96000, "mode=mdct,noise_fill=1", 6},
    {"fractal", TQ_FAMILY_FRACTAL, 16000, 1, 24000, "packet=4096,max_range=64,threads=2", 2},
    {"stftae", TQ_FAMILY_STFTAE, 24000, 2, 12000, "", 1},
    {"rvq", TQ_FAMILY_RVQ, 24000, 1, 6000, "", 1},
    {"gauss", TQ_FAMILY_GAUSS, 24000, 1, 8000, "iterations=8,threads=2", 2},
};

// A chord with noise, different for every seed.
std::vector<float> test_signal(std::size_t samples, int channels, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> noise(-0.05f, 0.05f);
    std::vector<float> pcm(samples * static_cast<std::size_t>(channels));
    const float f = 0.01f + 0.002f * static_cast<float>(seed % 7);
    for (std::size_t i = 0; i < samples; ++i)
        for (int c = 0; c < channels; ++c) {
            const float t = static_cast<float>(i);
            pcm[i * static_cast<std::size_t>(channels) + static_cast<std::size_t>(c)] =
                0.3f * std::sin(f * t) + 0.2f * std::sin((2.5f + static_cast<float>(c)) * f * t) + noise(rng);
        }
    return pcm;
}

// Every packet of `config` coding `pcm`, the flush packets included.
std::vector<std::vector<uint8_t>> encode(const Config& config, tq_encoder* enc, const std::vector<float>& pcm) {
    const int frame = tq_encoder_frame_size(enc);
    const int total = static_cast<int>(pcm.size()) / config.channels;
    std::vector<uint8_t> packet(tq_encoder_max_packet_size(enc));
    std::vector<std::vector<uint8_t>> packets;
    size_t size = 0;
    for (int pos = 0; pos < total; pos += frame) {
        const float* at = pcm.data() + static_cast<std::size_t>(pos) * static_cast<std::size_t>(config.channels);
        EXPECT_EQ(tq_encode(enc, at, std::min(frame, total - pos), packet.data(), packet.size(), &size), TQ_OK)
            << config.label << ": " << tq_encoder_error_message(enc);
        if (size) packets.emplace_back(packet.begin(), packet.begin() + static_cast<long>(size));
    }
    do {
        EXPECT_EQ(tq_encoder_flush(enc, packet.data(), packet.size(), &size), TQ_OK) << config.label;
        if (size) packets.emplace_back(packet.begin(), packet.begin() + static_cast<long>(size));
    } while (size);
    return packets;
}

// Decodes every packet, conceals one lost packet and resets once on the way,
// so the state the decoder carries between packets is exercised too.
std::vector<float> decode(const Config& config, tq_decoder* dec, const std::vector<std::vector<uint8_t>>& packets) {
    const int frame = tq_decoder_frame_size(dec);
    std::vector<float> out, part(static_cast<std::size_t>(frame) * static_cast<std::size_t>(config.channels));
    for (std::size_t p = 0; p < packets.size(); ++p) {
        int got = 0;
        const bool lost = p == 1;
        EXPECT_EQ(tq_decode(dec, lost ? nullptr : packets[p].data(), packets[p].size(), part.data(), frame, &got),
                  TQ_OK)
            << config.label << ": " << tq_decoder_error_message(dec);
        out.insert(out.end(), part.begin(), part.begin() + got * config.channels);
        if (!lost) {
            EXPECT_EQ(tq_packet_samples(packets[p].data(), packets[p].size()), got) << config.label;
        }
        if (p == 2) {
            EXPECT_EQ(tq_decoder_reset(dec), TQ_OK);
        }
    }
    return out;
}

std::vector<float> round_trip(const Config& config, unsigned seed) {
    const tq_encoder_config c{config.family, config.sample_rate, config.channels, config.bitrate, config.options};
    tqtest::Encoder enc;
    tqtest::Decoder dec;
    if (tq_encoder_create(&c, &enc.p) != TQ_OK) {
        ADD_FAILURE() << config.label << ": " << tq_last_error_message();
        return {};
    }
    const uint8_t* header;
    size_t header_size;
    EXPECT_EQ(tq_encoder_stream_header(enc.p, &header, &header_size), TQ_OK);
    EXPECT_EQ(tq_decoder_create(header, header_size, &dec.p), TQ_OK) << config.label;
    const int frame = tq_encoder_frame_size(enc.p);
    const auto samples = static_cast<std::size_t>(frame) * static_cast<std::size_t>(config.frames) -
                         static_cast<std::size_t>(frame / 3);
    const auto packets = encode(config, enc.p, test_signal(samples, config.channels, seed));
    return dec.p ? decode(config, dec.p, packets) : std::vector<float>{};
}

using Results = std::vector<std::vector<float>>;  // per config

Results every_family(unsigned seed) {
    Results results;
    for (const Config& config : kConfigs) results.push_back(round_trip(config, seed));
    return results;
}

TEST(Threads, EightThreadsOfEveryFamilyGiveTheSingleThreadResult) {
    // Threads first, so they race for the caches no call has filled yet.
    std::vector<Results> parallel(kThreads);
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < kThreads; ++t)
        threads.emplace_back([&parallel, t] { parallel[t] = every_family(t % kSignals); });
    for (auto& t : threads) t.join();

    for (unsigned signal = 0; signal < kSignals; ++signal) {
        const Results alone = every_family(signal);
        for (std::size_t i = 0; i < std::size(kConfigs); ++i) {
            EXPECT_FALSE(alone[i].empty()) << kConfigs[i].label;
            for (unsigned t = signal; t < kThreads; t += kSignals)
                EXPECT_EQ(parallel[t][i], alone[i]) << kConfigs[i].label << ", thread " << t;
        }
    }
}

}  // namespace
