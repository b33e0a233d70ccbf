// Speed of the fractal family on one core (threads=1): encode and decode of
// 44.1 kHz mono through the C ABI at 1, 2 and 4 bits per sample, reported as
// "audio_seconds=N/s" (N x real time). The encoder's cost follows the rate
// (smaller ranges are searched only when needed), so noise plus tones, which
// splits deeply, is close to the worst case.
#include <string>

#include "bench_support.hpp"

namespace {

constexpr int kRate = 44100;

std::string options_for(const benchmark::State& state) {
    return std::string("threads=1,search=") + (state.range(1) ? "hnsw" : "brute");
}

int bitrate_for(const benchmark::State& state) { return static_cast<int>(state.range(0)) * kRate; }

void BM_FractalEncode(benchmark::State& state) {
    tqbench::time_encode(state, tqbench::CodecSetup(TQ_FAMILY_FRACTAL, kRate, 1, 3, options_for(state), bitrate_for(state)));
}

void BM_FractalDecode(benchmark::State& state) {
    tqbench::time_decode(state, tqbench::CodecSetup(TQ_FAMILY_FRACTAL, kRate, 1, 3, options_for(state), bitrate_for(state)));
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
