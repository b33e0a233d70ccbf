#include "fuzz_seeds.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "tqcodec/tqcodec.h"

namespace tqfuzz {
namespace {

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "fuzz seeds: %s: %s\n", what, tq_last_error_message());
    std::exit(1);
}

std::vector<float> test_signal(int samples, int rate) {
    std::vector<float> pcm(static_cast<size_t>(samples) * 2);
    uint32_t noise = 1;
    for (int i = 0; i < samples; ++i) {
        const double t = static_cast<double>(i) / rate;
        noise = noise * 1664525u + 1013904223u;
        pcm[2 * static_cast<size_t>(i)] = static_cast<float>(0.5 * std::sin(2 * M_PI * (100 + 3000 * t) * t));
        pcm[2 * static_cast<size_t>(i) + 1] = static_cast<float>((noise >> 8) / 16777216.0 - 0.5);
    }
    return pcm;
}

}  // namespace

EncodedStream encode_test_stream(int family, int rate, const char* options, double seconds) {
    tq_encoder_config config;
    tq_encoder_config_init(&config, static_cast<tq_family>(family));
    config.sample_rate = rate;
    config.options = options;
    tq_encoder* enc = nullptr;
    if (tq_encoder_create(&config, &enc) != TQ_OK) die("tq_encoder_create");

    EncodedStream out;
    const uint8_t* header = nullptr;
    size_t header_size = 0;
    if (tq_encoder_stream_header(enc, &header, &header_size) != TQ_OK) die("tq_encoder_stream_header");
    out.stream_header.assign(header, header + header_size);
    out.frame_size = tq_encoder_frame_size(enc);

    const int total = static_cast<int>(seconds * rate);
    const std::vector<float> pcm = test_signal(total, rate);
    std::vector<uint8_t> packet(tq_encoder_max_packet_size(enc));
    size_t size = 0;
    for (int done = 0; done < total; done += out.frame_size) {
        const int n = std::min(out.frame_size, total - done);
        if (tq_encode(enc, pcm.data() + 2 * static_cast<size_t>(done), n, packet.data(), packet.size(), &size) != TQ_OK)
            die("tq_encode");
        out.packets.emplace_back(packet.begin(), packet.begin() + static_cast<long>(size));
    }
    while (tq_encoder_flush(enc, packet.data(), packet.size(), &size) == TQ_OK && size > 0)
        out.packets.emplace_back(packet.begin(), packet.begin() + static_cast<long>(size));
    tq_encoder_destroy(enc);
    return out;
}

}  // namespace tqfuzz
