#include "fuzz_seeds.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace tqfuzz {
namespace {

[[noreturn]] void die(const char* what, const std::string& detail) {
    std::fprintf(stderr, "fuzz seeds: %s: %s\n", what, detail.c_str());
    std::exit(1);
}

// One full frame and a short packet after it.
constexpr int kFullAndShort = -1;

// Turbo, both modes: every block size 64..4096, bits 1..8, residual, noise
// fill, bitrate-driven bits, and the frame size classes 4096 (time mode and
// mdct up to block 1024), 8192 and 16384 (mdct, blocks 2048 and 4096).
const StreamShape kTurbo[] = {
    {TQ_FAMILY_TURBO, 44100, 1, "block=64,bits=8", 0, kFullAndShort},
    {TQ_FAMILY_TURBO, 48000, 2, "block=128,bits=4,residual=1", 0, 700},
    {TQ_FAMILY_TURBO, 16000, 3, "block=256,bits=2,seed=7", 0, 600},
    {TQ_FAMILY_TURBO, 8000, 4, "block=512,bits=1", 0, 900},
    {TQ_FAMILY_TURBO, 96000, 5, "block=1024,bits=3,residual=1", 0, 1100},
    {TQ_FAMILY_TURBO, 22050, 6, "block=2048,bits=1", 0, 2100},
    {TQ_FAMILY_TURBO, 192000, 7, "block=4096,bits=1,residual=1", 0, 500},
    {TQ_FAMILY_TURBO, 44100, 8, "block=256", 480000, 300},
    {TQ_FAMILY_TURBO, 8000, 1, "mode=mdct", 0, kFullAndShort},
    {TQ_FAMILY_TURBO, 16000, 2, "mode=mdct,noise_fill=1", 0, kFullAndShort},
    {TQ_FAMILY_TURBO, 44100, 2, "mode=mdct,bits=3", 0, 1500},
    {TQ_FAMILY_TURBO, 48000, 8, "mode=mdct", 96000, 1000},
    {TQ_FAMILY_TURBO, 96000, 3, "mode=mdct,noise_fill=1", 0, kFullAndShort},
    {TQ_FAMILY_TURBO, 192000, 1, "mode=mdct", 0, kFullAndShort},
    {TQ_FAMILY_TURBO, 44100, 4, "mode=mdct,block=64,bits=1", 0, 2000},
    {TQ_FAMILY_TURBO, 32000, 6, "mode=mdct,block=4096,bits=1,noise_fill=1", 0, 3000},
    {TQ_FAMILY_TURBO, 22050, 5, "mode=mdct,block=128,bits=8", 0, 800},
    {TQ_FAMILY_TURBO, 11025, 7, "mode=mdct,block=2048", 24000, 1200},
};

// Fractal: packet (frame) sizes 4096..65536 and the ends of every stored parameter.
const StreamShape kFractal[] = {
    {TQ_FAMILY_FRACTAL, 44100, 1, "packet=4096,quality=0.3", 0, kFullAndShort},
    {TQ_FAMILY_FRACTAL, 48000, 2, "packet=8192,min_range=4,max_range=64,s_bits=3,o_bits=4", 0, 3000},
    {TQ_FAMILY_FRACTAL, 22050, 3, "packet=16384,domain_step=16,s_bits=8,o_bits=12,s_max=0.988", 0, 2500},
    {TQ_FAMILY_FRACTAL, 8000, 4, "packet=32768,min_range=1024,max_range=1024,iterations=1,tolerance=8", 0, 2048},
    {TQ_FAMILY_FRACTAL, 96000, 5, "packet=65536,quality=1,s_max=0.5,iterations=255,tolerance=30", 0, 1500},
    {TQ_FAMILY_FRACTAL, 16000, 6, "packet=4096,search=hnsw,silence_db=-20", 0, 1200},
    {TQ_FAMILY_FRACTAL, 32000, 7, "packet=4096,min_range=16,max_range=512,domain_step=2", 0, 1000},
    {TQ_FAMILY_FRACTAL, 44100, 8, "packet=4096", 64000, 800},
};

// The neural families and gauss code 24 kHz in packets of a whole second or
// more; short streams (one short packet and the delayed tail) fit the budgets.
const StreamShape kStftae[] = {
    {TQ_FAMILY_STFTAE, 24000, 1, "", 0, 700},
    {TQ_FAMILY_STFTAE, 24000, 2, "stereo=ms", 6000, 500},
    {TQ_FAMILY_STFTAE, 24000, 2, "stereo=lr", 48000, 500},
    {TQ_FAMILY_STFTAE, 24000, 3, "step=0", 0, 300},
    {TQ_FAMILY_STFTAE, 24000, 4, "step=255", 0, 300},
    {TQ_FAMILY_STFTAE, 24000, 5, "step=128", 0, 250},
    {TQ_FAMILY_STFTAE, 24000, 6, "", 12000, 240},
    {TQ_FAMILY_STFTAE, 24000, 7, "stereo=lr", 0, 200},
    {TQ_FAMILY_STFTAE, 24000, 8, "", 0, 100},
};

const StreamShape kRvq[] = {
    {TQ_FAMILY_RVQ, 24000, 1, "", 0, 640},
    {TQ_FAMILY_RVQ, 24000, 2, "stereo=ms,codebooks=1", 0, 320},
    {TQ_FAMILY_RVQ, 24000, 2, "stereo=lr,codebooks=16", 0, 320},
    {TQ_FAMILY_RVQ, 24000, 3, "", 1000, 320},
    {TQ_FAMILY_RVQ, 24000, 4, "", 32000, 300},
    {TQ_FAMILY_RVQ, 24000, 5, "codebooks=8", 0, 200},
    {TQ_FAMILY_RVQ, 24000, 8, "", 0, 100},
};

const StreamShape kGauss[] = {
    {TQ_FAMILY_GAUSS, 24000, 1, "iterations=8", 0, 600},
    {TQ_FAMILY_GAUSS, 24000, 2, "stereo=ms,iterations=8", 4000, 500},
    {TQ_FAMILY_GAUSS, 24000, 2, "stereo=lr,iterations=8", 32000, 500},
    {TQ_FAMILY_GAUSS, 24000, 3, "iterations=8", 0, 400},
    {TQ_FAMILY_GAUSS, 24000, 5, "iterations=8", 0, 300},
    {TQ_FAMILY_GAUSS, 24000, 8, "iterations=8,threads=2", 24000, 200},
};

template <size_t N>
std::vector<StreamShape> shapes(const StreamShape (&table)[N]) {
    return {table, table + N};
}

}  // namespace

std::string StreamShape::name() const {
    std::string n = std::string(tq_family_name(family)) + "-" + std::to_string(sample_rate) + "hz-" +
                    std::to_string(channels) + "ch";
    if (*options) n += std::string("-") + options;
    if (bitrate) n.append("-").append(std::to_string(bitrate)).append("bps");  // piecewise: g++ 12 -Wrestrict false positive
    std::replace(n.begin(), n.end(), ',', '-');
    std::erase(n, '=');
    return n;
}

std::vector<StreamShape> stream_shapes(int family) {
    switch (family) {
        case TQ_FAMILY_TURBO: return shapes(kTurbo);
        case TQ_FAMILY_FRACTAL: return shapes(kFractal);
        case TQ_FAMILY_STFTAE: return shapes(kStftae);
        case TQ_FAMILY_RVQ: return tq_family_available(TQ_FAMILY_RVQ) ? shapes(kRvq) : std::vector<StreamShape>{};
        case TQ_FAMILY_GAUSS: return shapes(kGauss);
        default: {
            std::vector<StreamShape> one_each;
            for (int f = TQ_FAMILY_FIRST; f <= TQ_FAMILY_LAST; ++f)
                for (const StreamShape& s : stream_shapes(f)) {
                    if (s.channels <= 2) {
                        one_each.push_back(s);
                        break;
                    }
                }
            return one_each;
        }
    }
}

std::vector<float> test_signal(int samples, int channels, int rate) {
    std::vector<float> pcm(static_cast<size_t>(samples) * static_cast<size_t>(channels));
    uint32_t noise = 1;
    for (int i = 0; i < samples; ++i) {
        const double t = static_cast<double>(i) / rate;
        for (int c = 0; c < channels; ++c) {
            noise = noise * 1664525u + 1013904223u;
            const double chirp = 0.5 * std::sin(2 * M_PI * (100 + 3000 * t) * (c + 1) * t);
            const double hiss = (noise >> 8) / 16777216.0 - 0.5;
            // channel 0 a chirp, channel 1 noise, the others mixes; the last third of every channel silent
            const double v = c == 0 ? chirp : c == 1 ? hiss : 0.5 * (chirp + hiss);
            pcm[static_cast<size_t>(i) * static_cast<size_t>(channels) + static_cast<size_t>(c)] =
                3 * i < 2 * samples ? static_cast<float>(v) : 0.0f;
        }
    }
    return pcm;
}

namespace {

tq_encoder* create_encoder(const StreamShape& shape) {
    tq_encoder_config config;
    tq_encoder_config_init(&config, shape.family);
    config.sample_rate = shape.sample_rate;
    config.channels = shape.channels;
    config.bitrate = shape.bitrate;
    config.options = shape.options;
    tq_encoder* enc = nullptr;
    if (tq_encoder_create(&config, &enc) != TQ_OK)
        die("tq_encoder_create", shape.name() + ": " + tq_last_error_message());
    return enc;
}

Bytes stream_header_of(const tq_encoder* enc) {
    const uint8_t* header = nullptr;
    size_t header_size = 0;
    if (tq_encoder_stream_header(enc, &header, &header_size) != TQ_OK) die("tq_encoder_stream_header", "");
    return {header, header + header_size};
}

}  // namespace

Bytes stream_header(const StreamShape& shape) {
    tq_encoder* enc = create_encoder(shape);
    Bytes header = stream_header_of(enc);
    tq_encoder_destroy(enc);
    return header;
}

EncodedStream encode_test_stream(const StreamShape& shape) {
    tq_encoder* enc = create_encoder(shape);
    EncodedStream out;
    out.stream_header = stream_header_of(enc);
    out.frame_size = tq_encoder_frame_size(enc);

    const int total = shape.samples == kFullAndShort ? out.frame_size + 100 : shape.samples;
    const std::vector<float> pcm = test_signal(total, shape.channels, shape.sample_rate);
    std::vector<uint8_t> packet(tq_encoder_max_packet_size(enc));
    size_t size = 0;
    for (int done = 0; done < total; done += out.frame_size) {
        const int n = std::min(out.frame_size, total - done);
        const float* frame = pcm.data() + static_cast<size_t>(done) * static_cast<size_t>(shape.channels);
        if (tq_encode(enc, frame, n, packet.data(), packet.size(), &size) != TQ_OK)
            die("tq_encode", shape.name() + ": " + tq_encoder_error_message(enc));
        if (size > 0) out.packets.emplace_back(packet.begin(), packet.begin() + static_cast<long>(size));
    }
    while (tq_encoder_flush(enc, packet.data(), packet.size(), &size) == TQ_OK && size > 0)
        out.packets.emplace_back(packet.begin(), packet.begin() + static_cast<long>(size));
    tq_encoder_destroy(enc);
    return out;
}

}  // namespace tqfuzz
