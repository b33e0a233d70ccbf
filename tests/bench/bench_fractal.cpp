// Speed of the fractal family on one core (threads=1): encode and decode of
// 44.1 kHz mono through the C ABI at 1, 2 and 4 bits per sample, reported as
// "audio_seconds=N/s" (N x real time). The encoder's cost follows the rate
// (smaller ranges are searched only when needed), so noise plus tones, which
// splits deeply, is close to the worst case.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "tqcodec/tqcodec.h"

namespace {

constexpr int kRate = 44100;
constexpr int kFrames = 3;

std::vector<float> test_signal(std::size_t samples) {
    std::mt19937 rng(1);
    std::normal_distribution<float> nd(0.0f, 0.05f);
    std::vector<float> v(samples);
    for (std::size_t i = 0; i < samples; ++i)
        v[i] = nd(rng) + 0.3f * std::sin(0.031f * static_cast<float>(i)) + 0.1f * std::sin(0.2f * static_cast<float>(i));
    return v;
}

struct Setup {
    tq_encoder* enc = nullptr;
    tq_decoder* dec = nullptr;
    int frame = 0;
    std::vector<float> pcm;
    std::vector<std::vector<uint8_t>> packets;

    Setup(const std::string& options, int bitrate) {
        tq_encoder_config c;
        tq_encoder_config_init(&c, TQ_FAMILY_FRACTAL);
        c.sample_rate = kRate;
        c.channels = 1;
        c.bitrate = bitrate;
        c.options = options.c_str();
        if (tq_encoder_create(&c, &enc) != TQ_OK) return;
        const uint8_t* h;
        size_t size;
        if (tq_encoder_stream_header(enc, &h, &size) != TQ_OK || tq_decoder_create(h, size, &dec) != TQ_OK) return;
        frame = tq_encoder_frame_size(enc);
        pcm = test_signal(static_cast<std::size_t>(frame) * kFrames);
        std::vector<uint8_t> packet(tq_encoder_max_packet_size(enc));
        for (int f = 0; f < kFrames; ++f) {
            size_t n = 0;
            if (tq_encode(enc, pcm.data() + static_cast<std::size_t>(f) * frame, frame, packet.data(), packet.size(), &n) !=
                TQ_OK)
                return;
            packets.emplace_back(packet.begin(), packet.begin() + static_cast<long>(n));
        }
    }
    ~Setup() {
        tq_encoder_destroy(enc);
        tq_decoder_destroy(dec);
    }
    bool ok() const { return packets.size() == kFrames; }
    double seconds_per_frame() const { return static_cast<double>(frame) / kRate; }
};

std::string options_for(const benchmark::State& state) {
    return std::string("threads=1,search=") + (state.range(1) ? "hnsw" : "brute");
}

int bitrate_for(const benchmark::State& state) { return static_cast<int>(state.range(0)) * kRate; }

void BM_FractalEncode(benchmark::State& state) {
    Setup s(options_for(state), bitrate_for(state));
    if (!s.ok()) return state.SkipWithError("cannot create the codec");
    std::vector<uint8_t> packet(tq_encoder_max_packet_size(s.enc));
    std::size_t f = 0;
    for (auto _ : state) {
        size_t n = 0;
        const int rc = tq_encode(s.enc, s.pcm.data() + (f % kFrames) * static_cast<std::size_t>(s.frame), s.frame,
                                 packet.data(), packet.size(), &n);
        benchmark::DoNotOptimize(rc);
        benchmark::DoNotOptimize(packet.data());
        ++f;
    }
    state.counters["audio_seconds"] =
        benchmark::Counter(s.seconds_per_frame(), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_FractalDecode(benchmark::State& state) {
    Setup s(options_for(state), bitrate_for(state));
    if (!s.ok()) return state.SkipWithError("cannot create the codec");
    std::vector<float> out(static_cast<std::size_t>(s.frame));
    std::size_t f = 0;
    for (auto _ : state) {
        const auto& p = s.packets[f % kFrames];
        int got = 0;
        const int rc = tq_decode(s.dec, p.data(), p.size(), out.data(), s.frame, &got);
        benchmark::DoNotOptimize(rc);
        benchmark::DoNotOptimize(out.data());
        ++f;
    }
    state.counters["audio_seconds"] =
        benchmark::Counter(s.seconds_per_frame(), benchmark::Counter::kIsIterationInvariantRate);
}

// bits per sample, hnsw (0: exhaustive)
void codec_args(benchmark::internal::Benchmark* b) {
    b->ArgNames({"bits_per_sample", "hnsw"});
    b->Args({1, 0})->Args({2, 0})->Args({4, 0})->Args({2, 1});
    b->Unit(benchmark::kMillisecond);
}
BENCHMARK(BM_FractalEncode)->Apply(codec_args);
BENCHMARK(BM_FractalDecode)->Apply(codec_args);

}  // namespace

BENCHMARK_MAIN();
