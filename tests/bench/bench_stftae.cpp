// Speed of the stftae family on one core: encode and decode of 10 s of
// 24 kHz mono through the C ABI at 12 and 24 kb/s, reported as
// "audio_seconds=N/s" (N x real time). The network's cost does not depend on
// the content; rate control codes a packet about 7 times (bisection on the step).
#include "bench_support.hpp"

namespace {

constexpr int kRate = 24000;
constexpr int kSeconds = 10;  // one packet per second

void BM_StftaeEncode(benchmark::State& state) {
    tqbench::time_encode(state,
                         tqbench::CodecSetup(TQ_FAMILY_STFTAE, kRate, 1, kSeconds, "", static_cast<int>(state.range(0))));
}

void BM_StftaeDecode(benchmark::State& state) {
    tqbench::time_decode(state,
                         tqbench::CodecSetup(TQ_FAMILY_STFTAE, kRate, 1, kSeconds, "", static_cast<int>(state.range(0))));
}

void codec_args(benchmark::internal::Benchmark* b) {
    b->ArgNames({"bitrate"});
    b->Arg(12000)->Arg(24000);
    b->Unit(benchmark::kMillisecond);
}
BENCHMARK(BM_StftaeEncode)->Apply(codec_args);
BENCHMARK(BM_StftaeDecode)->Apply(codec_args);

}  // namespace

BENCHMARK_MAIN();
