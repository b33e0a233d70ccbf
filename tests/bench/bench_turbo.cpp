// Speed of the turbo family on one core: encode and decode of 44.1 kHz stereo
// through the C ABI, reported as "audio_seconds=N/s": seconds of audio coded per CPU
// second, i.e. N x real time,
// plus the building blocks (FWHT, MDCT, Lloyd-Max quantize). mode=mdct runs at
// a bitrate; the setup's packets are then coded in sequence, as in a stream.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "dsp/fwht.hpp"
#include "dsp/lloyd_max.hpp"
#include "dsp/mdct.hpp"
#include "bench_support.hpp"
#include "tqcodec/tqcodec.h"

namespace {

constexpr int kRate = 44100;
constexpr int kChannels = 2;

// 16 frames (~1.5 s) of 44.1 kHz stereo, coded in sequence as in a stream.
tqbench::CodecSetup turbo(const std::string& options, int bitrate = 0) {
    return tqbench::CodecSetup(TQ_FAMILY_TURBO, kRate, kChannels, 16, options, bitrate);
}

std::string options_for(const benchmark::State& state) {
    return "block=" + std::to_string(state.range(0)) + ",bits=" + std::to_string(state.range(1)) +
           ",residual=" + std::to_string(state.range(2));
}

void BM_TurboEncode(benchmark::State& state) { tqbench::time_encode(state, turbo(options_for(state))); }
void BM_TurboDecode(benchmark::State& state) { tqbench::time_decode(state, turbo(options_for(state))); }

// block, bits, residual
void codec_args(benchmark::internal::Benchmark* b) {
    b->ArgNames({"block", "bits", "residual"});
    b->Args({512, 4, 0})->Args({512, 6, 1})->Args({512, 1, 0})->Args({512, 8, 1});
    b->Args({64, 4, 0})->Args({4096, 4, 0});
}
BENCHMARK(BM_TurboEncode)->Apply(codec_args);
BENCHMARK(BM_TurboDecode)->Apply(codec_args);

// mode=mdct at a bitrate (b/s): MDCT, gains, allocation and shape codes.
void BM_TurboMdctEncode(benchmark::State& state) {
    tqbench::time_encode(state, turbo("mode=mdct", static_cast<int>(state.range(0))));
}
void BM_TurboMdctDecode(benchmark::State& state) {
    tqbench::time_decode(state, turbo("mode=mdct", static_cast<int>(state.range(0))));
}

void mdct_args(benchmark::internal::Benchmark* b) {
    b->ArgName("bitrate")->Arg(32000)->Arg(128000)->Arg(256000);
}
BENCHMARK(BM_TurboMdctEncode)->Apply(mdct_args);
BENCHMARK(BM_TurboMdctDecode)->Apply(mdct_args);

// tune=perceptual adds TNS, the time-predicted gains and the energy scaling.
void BM_TurboPerceptualEncode(benchmark::State& state) {
    tqbench::time_encode(state, turbo("mode=mdct,tune=perceptual", static_cast<int>(state.range(0))));
}
void BM_TurboPerceptualDecode(benchmark::State& state) {
    tqbench::time_decode(state, turbo("mode=mdct,tune=perceptual", static_cast<int>(state.range(0))));
}
BENCHMARK(BM_TurboPerceptualEncode)->Apply(mdct_args);
BENCHMARK(BM_TurboPerceptualDecode)->Apply(mdct_args);

void BM_Mdct(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    tq::dsp::Mdct mdct(n);
    std::vector<float> x = tqbench::test_signal(2 * n, 1), coef(n);
    for (auto _ : state) {
        mdct.forward(x.data(), coef.data());
        benchmark::DoNotOptimize(coef.data());
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Mdct)->Arg(256)->Arg(1024)->Arg(4096);

void BM_Fwht(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    std::vector<float> x = tqbench::test_signal(n, 1);
    for (auto _ : state) {
        tq::dsp::fwht(x.data(), n);
        benchmark::DoNotOptimize(x.data());
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Fwht)->RangeMultiplier(4)->Range(64, 4096);

void BM_LloydMaxQuantize(benchmark::State& state) {
    const auto& table = tq::dsp::lloyd_max(static_cast<int>(state.range(0)));
    std::vector<float> x = tqbench::test_signal(4096, 1);
    for (auto& v : x) v *= 8.0f;
    std::vector<uint16_t> codes(x.size());
    for (auto _ : state) {
        for (std::size_t i = 0; i < x.size(); ++i) codes[i] = static_cast<uint16_t>(table.quantize(x[i]));
        benchmark::DoNotOptimize(codes.data());
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 4096);
}
BENCHMARK(BM_LloydMaxQuantize)->DenseRange(1, 8, 7)->Arg(4);

}  // namespace

BENCHMARK_MAIN();
