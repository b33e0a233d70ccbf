// Shared by the family benchmarks: an encoder/decoder pair with a few frames
// of test signal already coded, and the timing loops of tq_encode and
// tq_decode, reported as "audio_seconds=N/s" (N x real time on one core).
#pragma once

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tqcodec/tqcodec.h"

namespace tqbench {

// Noise plus a few tones: coders' speed does not depend on content beyond
// silence (faster) and, for fractal, how deeply it splits (this splits deeply).
inline std::vector<float> test_signal(std::size_t frames, int channels) {
    std::mt19937 rng(1);
    std::normal_distribution<float> nd(0.0f, 0.05f);
    std::vector<float> v(frames * static_cast<std::size_t>(channels));
    for (std::size_t i = 0; i < v.size(); ++i) {
        const auto t = static_cast<float>(i / static_cast<std::size_t>(channels));
        v[i] = nd(rng) + 0.3f * std::sin(0.031f * t) + 0.1f * std::sin(0.2f * t);
    }
    return v;
}

struct CodecSetup {
    tq_encoder* enc = nullptr;
    tq_decoder* dec = nullptr;
    int rate, channels, frames, frame = 0;
    std::vector<float> pcm;
    std::vector<std::vector<uint8_t>> packets;

    CodecSetup(tq_family family, int sample_rate, int channel_count, int frame_count, const std::string& options,
               int bitrate = 0)
        : rate(sample_rate), channels(channel_count), frames(frame_count) {
        tq_encoder_config c;
        tq_encoder_config_init(&c, family);
        c.sample_rate = rate;
        c.channels = channels;
        c.bitrate = bitrate;
        c.options = options.c_str();
        if (tq_encoder_create(&c, &enc) != TQ_OK) return;
        const uint8_t* h;
        size_t size;
        if (tq_encoder_stream_header(enc, &h, &size) != TQ_OK || tq_decoder_create(h, size, &dec) != TQ_OK) return;
        frame = tq_encoder_frame_size(enc);
        pcm = test_signal(static_cast<std::size_t>(frame) * static_cast<std::size_t>(frames), channels);
        std::vector<uint8_t> packet(tq_encoder_max_packet_size(enc));
        for (int f = 0; f < frames; ++f) {
            size_t n = 0;
            if (tq_encode(enc, frame_pcm(f), frame, packet.data(), packet.size(), &n) != TQ_OK) return;
            packets.emplace_back(packet.begin(), packet.begin() + static_cast<long>(n));
        }
    }
    CodecSetup(const CodecSetup&) = delete;
    CodecSetup& operator=(const CodecSetup&) = delete;
    ~CodecSetup() {
        tq_encoder_destroy(enc);
        tq_decoder_destroy(dec);
    }

    bool ok() const { return static_cast<int>(packets.size()) == frames; }
    const float* frame_pcm(int f) const {
        return pcm.data() + static_cast<std::size_t>(f) * static_cast<std::size_t>(frame) * static_cast<std::size_t>(channels);
    }
};

inline void report_speed(benchmark::State& state, const CodecSetup& s) {
    state.counters["audio_seconds"] =
        benchmark::Counter(static_cast<double>(s.frame) / s.rate, benchmark::Counter::kIsIterationInvariantRate);
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * s.frame * s.channels);
}

// Times tq_encode over the setup's frames, round and round.
inline void time_encode(benchmark::State& state, const CodecSetup& s) {
    if (!s.ok()) return state.SkipWithError("cannot create the codec");
    std::vector<uint8_t> packet(tq_encoder_max_packet_size(s.enc));
    int f = 0;
    for (auto _ : state) {
        size_t n = 0;
        const int rc = tq_encode(s.enc, s.frame_pcm(f % s.frames), s.frame, packet.data(), packet.size(), &n);
        benchmark::DoNotOptimize(rc);
        benchmark::DoNotOptimize(packet.data());
        ++f;
    }
    report_speed(state, s);
}

// Times tq_decode over the setup's packets, round and round.
inline void time_decode(benchmark::State& state, const CodecSetup& s) {
    if (!s.ok()) return state.SkipWithError("cannot create the codec");
    std::vector<float> out(static_cast<std::size_t>(s.frame) * static_cast<std::size_t>(s.channels));
    int f = 0;
    for (auto _ : state) {
        const auto& p = s.packets[static_cast<std::size_t>(f % s.frames)];
        int got = 0;
        const int rc = tq_decode(s.dec, p.data(), p.size(), out.data(), s.frame, &got);
        benchmark::DoNotOptimize(rc);
        benchmark::DoNotOptimize(out.data());
        ++f;
    }
    report_speed(state, s);
}

}  // namespace tqbench
