// Writes the reference vectors (vectors.hpp says what they are) from clips of
// samples/: each recipe's .tqc stream, its decoded 16-bit WAV and its line of
// vectors.txt. Run it through regenerate.sh, deliberately: new vectors say the
// decoders now decode the old streams differently.
//
// Usage: make_vectors SAMPLES_DIR OUT_DIR
#include <sndfile.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <vector>

#include "vectors.hpp"

namespace {

using tqvectors::require;

struct Recipe {
    const char* name;
    const char* source;  // in SAMPLES_DIR
    double start;        // seconds into the source
    int frames;          // samples per channel
    tq_family family;
    int bitrate;
    const char* options;
};

// Short clips, each mode and channel layout of the families coded in C++ alone
// (stftae and rvq check their networks against PyTorch's golden vectors).
const Recipe kRecipes[] = {
    {"turbo_time_mono", "speech_16k_mono.flac", 0.5, 4800, TQ_FAMILY_TURBO, 0, "bits=4,block=256"},
    {"turbo_time_stereo", "breakbeat_44k_stereo.flac", 0.3, 2048, TQ_FAMILY_TURBO, 0,
     "bits=3,block=1024,residual=1,seed=12345"},
    {"turbo_mdct_mono", "speech_16k_mono.flac", 0.5, 4800, TQ_FAMILY_TURBO, 32000, "mode=mdct"},
    {"turbo_mdct_stereo", "breakbeat_44k_stereo.flac", 0.3, 2048, TQ_FAMILY_TURBO, 96000,
     "mode=mdct,block=256,noise_fill=1"},
    {"fractal_mono", "speech_16k_mono.flac", 0.5, 4800, TQ_FAMILY_FRACTAL, 0, "packet=4096"},
    {"fractal_stereo", "breakbeat_44k_stereo.flac", 0.3, 2048, TQ_FAMILY_FRACTAL, 0,
     "packet=4096,min_range=4,max_range=64,s_bits=6,o_bits=9"},
};

struct Clip {
    std::vector<float> pcm;
    int channels;
    int sample_rate;
};

Clip read_clip(const std::string& path, double start, int frames) {
    SF_INFO info{};
    SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
    require(f != nullptr, path + ": " + sf_strerror(nullptr));
    Clip clip{std::vector<float>(static_cast<size_t>(frames) * static_cast<size_t>(info.channels)), info.channels,
              info.samplerate};
    const bool ok = sf_seek(f, static_cast<sf_count_t>(start * info.samplerate), SEEK_SET) >= 0 &&
                    sf_readf_float(f, clip.pcm.data(), frames) == frames;
    sf_close(f);
    require(ok, path + ": too short for the recipe");
    return clip;
}

void check(int rc, const std::string& what) { require(rc == TQ_OK, what + ": " + tq_last_error_message()); }

// Encodes the clip into OUT/NAME.tqc.
void write_stream(const Recipe& r, const Clip& clip, const std::string& path) {
    const tq_encoder_config config{r.family, clip.sample_rate, clip.channels, r.bitrate, r.options};
    tq_encoder* enc = nullptr;
    check(tq_encoder_create(&config, &enc), r.name);
    const uint8_t* header;
    size_t header_size;
    check(tq_encoder_stream_header(enc, &header, &header_size), r.name);
    const char* tags[] = {"title", r.name, nullptr};
    tq_file_writer* writer = nullptr;
    check(tq_file_writer_create(path.c_str(), header, header_size, 16, static_cast<uint64_t>(r.frames), tags, &writer),
          path);
    const int frame = tq_encoder_frame_size(enc);
    std::vector<uint8_t> packet(tq_encoder_max_packet_size(enc));
    uint64_t first = 0;
    size_t size = 0;
    auto write = [&] {
        if (!size) return;
        require(tq_file_writer_write_packet(writer, first, packet.data(), size) == TQ_OK,
                tq_file_writer_error_message(writer));
        first += static_cast<uint64_t>(tq_packet_samples(packet.data(), size));
    };
    for (int pos = 0; pos < r.frames; pos += frame) {
        const float* at = clip.pcm.data() + static_cast<size_t>(pos) * static_cast<size_t>(clip.channels);
        require(tq_encode(enc, at, std::min(frame, r.frames - pos), packet.data(), packet.size(), &size) == TQ_OK,
                tq_encoder_error_message(enc));
        write();
    }
    do {
        require(tq_encoder_flush(enc, packet.data(), packet.size(), &size) == TQ_OK, tq_encoder_error_message(enc));
        write();
    } while (size);
    require(tq_file_writer_finish(writer, first) == TQ_OK, tq_file_writer_error_message(writer));
    tq_file_writer_destroy(writer);
    tq_encoder_destroy(enc);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s SAMPLES_DIR OUT_DIR\n", argv[0]);
        return 2;
    }
    const std::filesystem::path samples = argv[1], out = argv[2];
    try {
        std::ofstream manifest(out / "vectors.txt");
        manifest << "# Reference vectors, written by tests/vectors/regenerate.sh (see tests/vectors/vectors.hpp).\n"
                    "# name  sha256 of the decoded float32 samples  recipe\n";
        for (const Recipe& r : kRecipes) {
            const Clip clip = read_clip(samples / r.source, r.start, r.frames);
            const std::filesystem::path stream = out / (std::string(r.name) + ".tqc");
            write_stream(r, clip, stream);
            const tqvectors::Decoded decoded = tqvectors::decode_file(stream);
            tqvectors::write_wav16(out / (std::string(r.name) + ".wav"), decoded);
            manifest << r.name << "  " << tqvectors::pcm_sha256(decoded.pcm) << "  " << tq_family_name(r.family)
                     << " -b " << r.bitrate << " -O '" << r.options << "', " << r.frames << " samples of " << r.source
                     << " from " << r.start << " s\n";
            std::printf("%-18s %6zu bytes, decodes to %zu samples per channel\n", r.name,
                        static_cast<size_t>(std::filesystem::file_size(stream)),
                        decoded.pcm.size() / static_cast<size_t>(decoded.channels));
        }
        require(manifest.good(), "cannot write vectors.txt");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "make_vectors: %s\n", e.what());
        return 1;
    }
    return 0;
}
