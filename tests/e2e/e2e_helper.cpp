// Test helper for the tqc end-to-end scripts (not installed):
//   e2e_helper gen KIND OUT.wav|OUT.flac RATE CHANNELS FRAMES [float]   KIND: sine, noise, chirp, silence
//   e2e_helper wavinfo FILE                  prints "RATE CHANNELS FRAMES"
//   e2e_helper flip FILE OFFSET              XORs the byte at OFFSET with 0xFF
//   e2e_helper flip-packet FILE.tqc INDEX    flips the last payload byte of packet INDEX (0-based);
//                                            prints the packet's sequence number
#include <sndfile.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "tqc_container.hpp"

namespace {

int die(const std::string& why) {
    std::fprintf(stderr, "e2e_helper: %s\n", why.c_str());
    return 1;
}

float sample(const std::string& kind, size_t i, int ch, int rate, std::mt19937& rng) {
    const double t = static_cast<double>(i) / rate;
    if (kind == "sine") return static_cast<float>(0.5 * std::sin(2 * std::numbers::pi * (440.0 + 110.0 * ch) * t));
    if (kind == "noise") return std::normal_distribution<float>(0.0f, 0.2f)(rng);
    if (kind == "chirp") return static_cast<float>(0.5 * std::sin(2 * std::numbers::pi * (100.0 + 2000.0 * t) * t));
    return 0.0f;
}

int gen(int argc, char** argv) {
    if (argc < 7) return die("gen KIND OUT RATE CHANNELS FRAMES [float]");
    const std::string kind = argv[2];
    if (kind != "sine" && kind != "noise" && kind != "chirp" && kind != "silence") return die("unknown kind " + kind);
    SF_INFO info{};
    info.samplerate = std::atoi(argv[4]);
    info.channels = std::atoi(argv[5]);
    const size_t frames = std::strtoull(argv[6], nullptr, 10);
    const std::string out = argv[3];
    const bool flac = out.size() > 5 && out.substr(out.size() - 5) == ".flac";
    info.format = flac ? SF_FORMAT_FLAC | SF_FORMAT_PCM_16
                       : SF_FORMAT_WAV | (argc > 7 && std::string(argv[7]) == "float" ? SF_FORMAT_FLOAT : SF_FORMAT_PCM_16);
    std::vector<float> pcm(frames * static_cast<size_t>(info.channels));
    std::mt19937 rng(1234);
    for (size_t i = 0; i < frames; ++i)
        for (int c = 0; c < info.channels; ++c)
            pcm[i * static_cast<size_t>(info.channels) + static_cast<size_t>(c)] = sample(kind, i, c, info.samplerate, rng);
    SNDFILE* f = sf_open(argv[3], SFM_WRITE, &info);
    if (!f) return die(sf_strerror(nullptr));
    sf_command(f, SFC_SET_CLIPPING, nullptr, SF_TRUE);
    sf_writef_float(f, pcm.data(), static_cast<sf_count_t>(frames));
    sf_close(f);
    return 0;
}

int wavinfo(int argc, char** argv) {
    if (argc < 3) return die("wavinfo FILE");
    SF_INFO info{};
    SNDFILE* f = sf_open(argv[2], SFM_READ, &info);
    if (!f) return die(sf_strerror(nullptr));
    std::printf("%d %d %lld\n", info.samplerate, info.channels, static_cast<long long>(info.frames));
    sf_close(f);
    return 0;
}

int flip_at(const std::string& path, long long offset) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    if (!f) return die("cannot open " + path);
    f.seekg(offset);
    char c = 0;
    if (!f.get(c)) return die("offset past the end");
    f.seekp(offset);
    f.put(static_cast<char>(c ^ 0xFF));
    return f ? 0 : die("write failed");
}

int flip(int argc, char** argv) {
    if (argc < 4) return die("flip FILE OFFSET");
    return flip_at(argv[2], std::atoll(argv[3]));
}

int flip_packet(int argc, char** argv) {
    if (argc < 4) return die("flip-packet FILE INDEX");
    const size_t index = std::strtoull(argv[3], nullptr, 10);
    auto reader = tqc::Reader::open_file(argv[2]);
    std::vector<tqc::Packet> packets;
    while (auto p = reader->next_packet()) packets.push_back(std::move(*p));
    if (index + 1 >= packets.size()) return die("not enough packets");
    // The last payload byte: the packet's CRC32 (4 bytes) ends right before the next sync word.
    const long long target = static_cast<long long>(packets[index + 1].offset) - 5;
    std::printf("%u\n", packets[index].sequence);
    return flip_at(argv[2], target);
}

}  // namespace

int main(int argc, char** argv) {
    const std::string cmd = argc > 1 ? argv[1] : "";
    try {
        if (cmd == "gen") return gen(argc, argv);
        if (cmd == "wavinfo") return wavinfo(argc, argv);
        if (cmd == "flip") return flip(argc, argv);
        if (cmd == "flip-packet") return flip_packet(argc, argv);
    } catch (const std::exception& e) {
        return die(e.what());
    }
    return die("usage: e2e_helper gen|wavinfo|flip|flip-packet ...");
}
