// Sample-rate conversion through libsoxr (high quality): whole signals for comparing files of
// different rates, and streams for feeding a family that codes fixed rates.
#pragma once

#include <cstdint>
#include <vector>

#include "audio_io.hpp"
#include "tqcodec/tqcodec.h"

struct soxr;

namespace tqc::cli {

// Resamples interleaved float audio; the output has round(frames * to / from) frames and no delay.
std::vector<float> resample(const std::vector<float>& interleaved, int channels, int from_rate, int to_rate);

// The rate `family` codes input of `input_rate` at: the input rate if the family accepts it, else
// the lowest accepted rate above it, else the highest (tq_family_sample_rates).
int coded_rate(tq_family family, int input_rate);
// `in` as `family` codes it: at coded_rate(), with the frame count resampled alike.
AudioInfo coded_info(const AudioInfo& in, tq_family family);

// Streaming resampler with no delay: the outputs of push() and finish() together hold
// round(total input frames * to / from) frames.
class StreamResampler {
public:
    StreamResampler(int channels, int from_rate, int to_rate);
    ~StreamResampler();
    StreamResampler(const StreamResampler&) = delete;
    StreamResampler& operator=(const StreamResampler&) = delete;

    // Resamples `frames` interleaved frames; returns what is ready (valid until the next call).
    const std::vector<float>& push(const float* in, size_t frames);
    // The rest of the output at the end of the input.
    const std::vector<float>& finish();

private:
    const std::vector<float>& drain(const float* in, size_t frames);

    soxr* soxr_ = nullptr;
    size_t channels_;
    double ratio_;
    uint64_t in_frames_ = 0, out_frames_ = 0;
    std::vector<float> out_;
};

}  // namespace tqc::cli
