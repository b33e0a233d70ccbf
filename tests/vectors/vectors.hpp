// Reference vectors (the idea of libopus's run_vectors.sh): committed .tqc
// streams and what they decode to, so that a change to a decoder, or to an
// encoder and its decoder together, cannot pass unnoticed.
//
// tests/data/vectors/ holds, for each vector NAME: NAME.tqc, NAME.wav (the
// decoded PCM as 16-bit WAV) and one line of vectors.txt: NAME, the SHA-256 of
// the decoded float32 samples, and how the vector was made. "Decoded" means
// every packet's tq_decode() output, interleaved and in order, the encoder
// delay included. make_vectors.cpp writes them (regenerate.sh);
// test_vectors.cpp checks them. Only the public API is used. Streams of earlier
// format versions move to tests/data/vectors-legacy/ (same layout, never
// regenerated) when a format changes, so old files keep decoding as they did.
#pragma once

#include <openssl/evp.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tqcodec/container.h"
#include "tqcodec/tqcodec.h"

namespace tqvectors {

struct Decoded {
    std::vector<float> pcm;  // interleaved
    int channels = 0;
    int sample_rate = 0;
};

inline void require(bool ok, const std::string& what) {
    if (!ok) throw std::runtime_error(what);
}

// Every packet of an intact .tqc file, decoded.
inline Decoded decode_file(const std::filesystem::path& path) {
    tq_file_reader* reader = nullptr;
    tq_decoder* decoder = nullptr;
    struct Cleanup {
        tq_file_reader*& r;
        tq_decoder*& d;
        ~Cleanup() {
            tq_decoder_destroy(d);
            tq_file_reader_destroy(r);
        }
    } cleanup{reader, decoder};

    require(tq_file_reader_open(path.c_str(), &reader) == TQ_OK, path.string() + ": " + tq_last_error_message());
    tq_file_info info;
    require(tq_file_reader_info(reader, &info) == TQ_OK, "tq_file_reader_info");
    require(tq_decoder_create(info.stream_header, info.stream_header_size, &decoder) == TQ_OK,
            path.string() + ": " + tq_last_error_message());
    Decoded out{{}, info.channels, info.sample_rate};
    const int frame = tq_decoder_frame_size(decoder);
    std::vector<float> buffer(static_cast<size_t>(frame) * static_cast<size_t>(info.channels));
    const uint8_t* packet;
    size_t size;
    int rc;
    while ((rc = tq_file_reader_next_packet(reader, &packet, &size, nullptr)) == 1) {
        int got = 0;
        require(tq_decode(decoder, packet, size, buffer.data(), frame, &got) == TQ_OK,
                path.string() + ": " + tq_decoder_error_message(decoder));
        out.pcm.insert(out.pcm.end(), buffer.begin(), buffer.begin() + got * info.channels);
    }
    require(rc == 0, path.string() + ": " + tq_file_reader_error_message(reader));
    require(tq_file_reader_damage_count(reader) == 0 && tq_file_reader_checksum_ok(reader) == 1,
            path.string() + ": the file is damaged");
    return out;
}

// SHA-256 of the samples as little-endian float32, in lower-case hex.
inline std::string pcm_sha256(const std::vector<float>& pcm) {
    static_assert(sizeof(float) == 4);
    std::vector<unsigned char> bytes(pcm.size() * 4);
    for (size_t i = 0; i < pcm.size(); ++i) {
        uint32_t bits;
        std::memcpy(&bits, &pcm[i], 4);
        for (int b = 0; b < 4; ++b) bytes[4 * i + static_cast<size_t>(b)] = static_cast<unsigned char>(bits >> (8 * b));
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    require(EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) == 1, "EVP_Digest");
    std::string hex;
    char two[3];
    for (unsigned int i = 0; i < length; ++i) {
        std::snprintf(two, sizeof two, "%02x", digest[i]);
        hex += two;
    }
    return hex;
}

// A sample as the 16-bit reference stores it (and read_wav_samples reads it back: / 32768).
inline int16_t to_pcm16(float x) {
    const float scaled = x * 32768.0f;
    if (!(scaled > -32768.0f)) return -32768;  // NaN too
    if (scaled >= 32767.0f) return 32767;
    return static_cast<int16_t>(std::lrint(scaled));
}

// The decoded reference: a 16-bit PCM WAV.
inline void write_wav16(const std::filesystem::path& path, const Decoded& d) {
    std::ofstream out(path, std::ios::binary);
    auto le = [&](uint32_t v, int bytes) {
        for (int b = 0; b < bytes; ++b) out.put(static_cast<char>(v >> (8 * b)));
    };
    const auto data_bytes = static_cast<uint32_t>(d.pcm.size() * 2);
    const auto channels = static_cast<uint32_t>(d.channels), rate = static_cast<uint32_t>(d.sample_rate);
    out.write("RIFF", 4);
    le(36 + data_bytes, 4);
    out.write("WAVEfmt ", 8);
    le(16, 4);
    le(1, 2);  // PCM
    le(channels, 2);
    le(rate, 4);
    le(rate * channels * 2, 4);
    le(channels * 2, 2);
    le(16, 2);
    out.write("data", 4);
    le(data_bytes, 4);
    for (float x : d.pcm) le(static_cast<uint16_t>(to_pcm16(x)), 2);
    require(out.good(), path.string() + ": write failed");
}

}  // namespace tqvectors
