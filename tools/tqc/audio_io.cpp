#include "audio_io.hpp"

#include <algorithm>
#include <cmath>

#include "cli.hpp"

namespace tqc::cli {
namespace {

int bits_of(int format) {
    switch (format & SF_FORMAT_SUBMASK) {
        case SF_FORMAT_PCM_S8:
        case SF_FORMAT_PCM_U8: return 8;
        case SF_FORMAT_PCM_16: return 16;
        case SF_FORMAT_PCM_24: return 24;
        case SF_FORMAT_PCM_32: return 32;
        default: return 0;
    }
}

std::string display_name(const std::string& path) { return path == "-" ? "<stdin>" : path; }

short to_pcm16(float v) {
    const float scaled = std::nearbyint(v * 32768.0f);
    return static_cast<short>(std::clamp(scaled, -32768.0f, 32767.0f));
}

}  // namespace

AudioReader::AudioReader(const std::string& path) : path_(path) {
    SF_INFO sf{};
    file_ = sf_open(path.c_str(), SFM_READ, &sf);  // libsndfile reads "-" as stdin
    if (!file_) throw Failure(display_name(path), std::string("cannot read audio: ") + sf_strerror(nullptr));
    info_.sample_rate = sf.samplerate;
    info_.channels = sf.channels;
    info_.frames = sf.frames > 0 && sf.frames < SF_COUNT_MAX ? sf.frames : -1;
    info_.source_bits = bits_of(sf.format);
    if (sf.channels < 1 || sf.samplerate < 1) {
        sf_close(file_);
        throw Failure(display_name(path), "audio has no channels or no sample rate");
    }
}

AudioReader::~AudioReader() {
    if (file_) sf_close(file_);
}

size_t AudioReader::read(float* out, size_t frames) {
    sf_count_t got = sf_readf_float(file_, out, static_cast<sf_count_t>(frames));
    if (got < 0 || (got == 0 && sf_error(file_) != SF_ERR_NO_ERROR))
        throw Failure(display_name(path_), std::string("read error: ") + sf_strerror(file_));
    return static_cast<size_t>(got);
}

Audio read_audio(const std::string& path) {
    AudioReader reader(path);
    Audio audio{reader.info(), {}};
    const auto ch = static_cast<size_t>(audio.info.channels);
    constexpr size_t kBlock = 65536;
    if (audio.info.frames > 0) audio.samples.reserve(static_cast<size_t>(audio.info.frames) * ch);
    std::vector<float> block(kBlock * ch);
    while (size_t got = reader.read(block.data(), kBlock))
        audio.samples.insert(audio.samples.end(), block.begin(), block.begin() + static_cast<long>(got * ch));
    audio.info.frames = static_cast<int64_t>(audio.frames());
    return audio;
}

WavWriter::WavWriter(const std::string& path, int sample_rate, int channels, bool float32)
    : path_(path), channels_(channels), float32_(float32) {
    SF_INFO sf{};
    sf.samplerate = sample_rate;
    sf.channels = channels;
    sf.format = SF_FORMAT_WAV | (float32 ? SF_FORMAT_FLOAT : SF_FORMAT_PCM_16);
    file_ = sf_open(path.c_str(), SFM_WRITE, &sf);
    if (!file_) throw Failure(path, std::string("cannot write WAV: ") + sf_strerror(nullptr));
}

WavWriter::~WavWriter() {
    if (file_) sf_close(file_);
}

void WavWriter::write(const float* interleaved, size_t frames) {
    const size_t n = frames * static_cast<size_t>(channels_);
    sf_count_t done = 0;
    if (float32_) {
        done = sf_writef_float(file_, interleaved, static_cast<sf_count_t>(frames));
    } else {
        scratch_.resize(n);
        std::transform(interleaved, interleaved + n, scratch_.begin(), to_pcm16);
        done = sf_writef_short(file_, scratch_.data(), static_cast<sf_count_t>(frames));
    }
    if (done != static_cast<sf_count_t>(frames)) throw Failure(path_, std::string("write error: ") + sf_strerror(file_));
}

void WavWriter::close() {
    SNDFILE* f = file_;
    file_ = nullptr;
    if (f && sf_close(f) != 0) throw Failure(path_, "cannot close the WAV file");
}

}  // namespace tqc::cli
