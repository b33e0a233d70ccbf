// Speed of the turbo family on one core: encode and decode of 44.1 kHz stereo
// through the C ABI, reported as "audio_seconds=N/s": seconds of audio coded per CPU
// second, i.e. N x real time,
// plus the building blocks (FWHT, MDCT, Lloyd-Max quantize). mode=mdct runs at
// a bitrate; the Setup's packets are then coded in sequence, as in a stream.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "dsp/fwht.hpp"
#include "dsp/lloyd_max.hpp"
#include "dsp/mdct.hpp"
#include "tqcodec/tqcodec.h"

namespace {

constexpr int kRate = 44100;
constexpr int kChannels = 2;

std::vector<float> test_signal(std::size_t samples) {
    // Noise plus a few tones: the coder's speed does not depend on content
    // beyond silence, which would be faster.
    std::mt19937 rng(1);
    std::normal_distribution<float> nd(0.0f, 0.05f);
    std::vector<float> v(samples);
    for (std::size_t i = 0; i < samples; ++i)
        v[i] = nd(rng) + 0.3f * std::sin(0.031f * static_cast<float>(i / kChannels)) +
               0.1f * std::sin(0.2f * static_cast<float>(i / kChannels));
    return v;
}

struct Setup {
    tq_encoder* enc = nullptr;
    tq_decoder* dec = nullptr;
    int frame = 0;
    std::vector<float> pcm;
    std::vector<std::vector<uint8_t>> packets;

    explicit Setup(const std::string& options, int bitrate = 0) {
        tq_encoder_config c;
        tq_encoder_config_init(&c, TQ_FAMILY_TURBO);
        c.sample_rate = kRate;
        c.channels = kChannels;
        c.bitrate = bitrate;
        c.options = options.c_str();
        if (tq_encoder_create(&c, &enc) != TQ_OK) return;
        const uint8_t* h;
        size_t size;
        if (tq_encoder_stream_header(enc, &h, &size) != TQ_OK || tq_decoder_create(h, size, &dec) != TQ_OK) return;
        frame = tq_encoder_frame_size(enc);
        pcm = test_signal(static_cast<std::size_t>(frame) * kChannels * 16);  // 16 frames, ~1.5 s
        std::vector<uint8_t> packet(tq_encoder_max_packet_size(enc));
        for (int f = 0; f < 16; ++f) {
            size_t n = 0;
            if (tq_encode(enc, pcm.data() + static_cast<std::size_t>(f) * frame * kChannels, frame, packet.data(),
                          packet.size(), &n) != TQ_OK)
                return;
            packets.emplace_back(packet.begin(), packet.begin() + static_cast<long>(n));
        }
    }
    Setup(const Setup&) = delete;
    Setup& operator=(const Setup&) = delete;
    ~Setup() {
        tq_encoder_destroy(enc);
        tq_decoder_destroy(dec);
    }
    bool ok() const { return packets.size() == 16; }
    double seconds_per_frame() const { return static_cast<double>(frame) / kRate; }
};

void report_speed(benchmark::State& state, const Setup& s) {
    state.counters["audio_seconds"] = benchmark::Counter(s.seconds_per_frame(), benchmark::Counter::kIsIterationInvariantRate);
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * s.frame * kChannels);
}

std::string options_for(const benchmark::State& state) {
    return "block=" + std::to_string(state.range(0)) + ",bits=" + std::to_string(state.range(1)) +
           ",residual=" + std::to_string(state.range(2));
}

// Times tq_encode over the setup's 16 frames, round and round.
void time_encode(benchmark::State& state, const Setup& s) {
    if (!s.ok()) return state.SkipWithError("cannot create the codec");
    std::vector<uint8_t> packet(tq_encoder_max_packet_size(s.enc));
    std::size_t f = 0;
    for (auto _ : state) {
        size_t n = 0;
        const int rc = tq_encode(s.enc, s.pcm.data() + (f % 16) * static_cast<std::size_t>(s.frame) * kChannels, s.frame,
                                 packet.data(), packet.size(), &n);
        benchmark::DoNotOptimize(rc);
        benchmark::DoNotOptimize(packet.data());
        ++f;
    }
    report_speed(state, s);
}

// Times tq_decode over the setup's 16 packets, round and round.
void time_decode(benchmark::State& state, const Setup& s) {
    if (!s.ok()) return state.SkipWithError("cannot create the codec");
    std::vector<float> out(static_cast<std::size_t>(s.frame) * kChannels);
    std::size_t f = 0;
    for (auto _ : state) {
        const auto& p = s.packets[f % 16];
        int got = 0;
        const int rc = tq_decode(s.dec, p.data(), p.size(), out.data(), s.frame, &got);
        benchmark::DoNotOptimize(rc);
        benchmark::DoNotOptimize(out.data());
        ++f;
    }
    report_speed(state, s);
}

void BM_TurboEncode(benchmark::State& state) { time_encode(state, Setup(options_for(state))); }
void BM_TurboDecode(benchmark::State& state) { time_decode(state, Setup(options_for(state))); }

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
    time_encode(state, Setup("mode=mdct", static_cast<int>(state.range(0))));
}
void BM_TurboMdctDecode(benchmark::State& state) {
    time_decode(state, Setup("mode=mdct", static_cast<int>(state.range(0))));
}

void mdct_args(benchmark::internal::Benchmark* b) {
    b->ArgName("bitrate")->Arg(32000)->Arg(128000)->Arg(256000);
}
BENCHMARK(BM_TurboMdctEncode)->Apply(mdct_args);
BENCHMARK(BM_TurboMdctDecode)->Apply(mdct_args);

void BM_Mdct(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    tq::dsp::Mdct mdct(n);
    std::vector<float> x = test_signal(2 * n), coef(n);
    for (auto _ : state) {
        mdct.forward(x.data(), coef.data());
        benchmark::DoNotOptimize(coef.data());
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Mdct)->Arg(256)->Arg(1024)->Arg(4096);

void BM_Fwht(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    std::vector<float> x = test_signal(n);
    for (auto _ : state) {
        tq::dsp::fwht(x.data(), n);
        benchmark::DoNotOptimize(x.data());
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Fwht)->RangeMultiplier(4)->Range(64, 4096);

void BM_LloydMaxQuantize(benchmark::State& state) {
    const auto& table = tq::dsp::lloyd_max(static_cast<int>(state.range(0)));
    std::vector<float> x = test_signal(4096);
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
