// Audio files through libsndfile: WAV, FLAC, OGG (anything libsndfile reads) in, WAV out.
// Samples are float in [-1, 1], interleaved.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <sndfile.h>

namespace tqc::cli {

struct AudioInfo {
    int sample_rate = 0;
    int channels = 0;
    int64_t frames = -1;  // samples per channel; -1 when unknown (pipes)
    int source_bits = 0;  // integer PCM bit depth, 0 for float or lossy sources
};

// Reads an audio file ("-" = standard input) a block at a time.
class AudioReader {
public:
    explicit AudioReader(const std::string& path);
    ~AudioReader();
    AudioReader(const AudioReader&) = delete;
    AudioReader& operator=(const AudioReader&) = delete;

    const AudioInfo& info() const { return info_; }
    const std::string& path() const { return path_; }
    // Reads up to `frames` frames into `out`; returns the frames read, 0 at the end.
    size_t read(float* out, size_t frames);

private:
    std::string path_;
    SNDFILE* file_ = nullptr;
    AudioInfo info_;
};

struct Audio {
    AudioInfo info;
    std::vector<float> samples;  // interleaved
    size_t frames() const { return info.channels ? samples.size() / static_cast<size_t>(info.channels) : 0; }
};

// Reads a whole file. Throws Failure("<path>", why).
Audio read_audio(const std::string& path);

// Writes a WAV file: 16-bit PCM (rounded, clipped: 16-bit sources round-trip exactly) or
// 32-bit float.
class WavWriter {
public:
    WavWriter(const std::string& path, int sample_rate, int channels, bool float32);
    ~WavWriter();
    WavWriter(const WavWriter&) = delete;
    WavWriter& operator=(const WavWriter&) = delete;

    void write(const float* interleaved, size_t frames);
    void close();  // flushes and closes; throws on error

private:
    std::string path_;
    SNDFILE* file_ = nullptr;
    int channels_;
    bool float32_;
    std::vector<short> scratch_;
};

}  // namespace tqc::cli
