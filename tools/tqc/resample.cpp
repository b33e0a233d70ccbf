#include "resample.hpp"

#include <algorithm>
#include <cmath>

#include <soxr.h>

#include "cli.hpp"

namespace tqc::cli {
namespace {

const soxr_io_spec_t kFloatIo = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
const soxr_quality_spec_t kHighQuality = soxr_quality_spec(SOXR_HQ, 0);

uint64_t resampled_length(uint64_t frames, double ratio) {
    return static_cast<uint64_t>(std::llround(static_cast<double>(frames) * ratio));
}

}  // namespace

std::vector<float> resample(const std::vector<float>& interleaved, int channels, int from_rate, int to_rate) {
    if (from_rate == to_rate) return interleaved;
    const auto ch = static_cast<size_t>(channels);
    const size_t in_frames = interleaved.size() / ch;
    const auto out_frames = static_cast<size_t>(resampled_length(in_frames, static_cast<double>(to_rate) / from_rate));
    std::vector<float> out(out_frames * ch);
    size_t done = 0;
    soxr_error_t err = soxr_oneshot(from_rate, to_rate, static_cast<unsigned>(channels), interleaved.data(),
                                    in_frames, nullptr, out.data(), out_frames, &done, &kFloatIo, &kHighQuality, nullptr);
    if (err) throw Failure("resample", err);
    out.resize(done * ch);
    return out;
}

int coded_rate(tq_family family, int input_rate) {
    const int* rates = tq_family_sample_rates(family);
    if (!rates || rates[0] == 0) return input_rate;
    int highest = 0;
    for (const int* r = rates; *r; ++r) {
        if (*r >= input_rate) return *r;
        highest = *r;
    }
    return highest;
}

AudioInfo coded_info(const AudioInfo& in, tq_family family) {
    AudioInfo coded = in;
    coded.sample_rate = coded_rate(family, in.sample_rate);
    if (in.frames >= 0)
        coded.frames = static_cast<int64_t>(resampled_length(static_cast<uint64_t>(in.frames),
                                                             static_cast<double>(coded.sample_rate) / in.sample_rate));
    return coded;
}

StreamResampler::StreamResampler(int channels, int from_rate, int to_rate)
    : channels_(static_cast<size_t>(channels)), ratio_(static_cast<double>(to_rate) / from_rate) {
    soxr_error_t err = nullptr;
    soxr_ = soxr_create(from_rate, to_rate, static_cast<unsigned>(channels), &err, &kFloatIo, &kHighQuality, nullptr);
    if (err) throw Failure("resample", err);
}

StreamResampler::~StreamResampler() { soxr_delete(soxr_); }

const std::vector<float>& StreamResampler::push(const float* in, size_t frames) {
    in_frames_ += frames;
    return drain(in, frames);
}

const std::vector<float>& StreamResampler::finish() { return drain(nullptr, 0); }

// Feeds `frames` frames (or, with in == nullptr, the end of the input) through soxr until it is
// consumed (or soxr has nothing left); the output is capped at, and at the end padded to, the
// length the whole input resamples to.
const std::vector<float>& StreamResampler::drain(const float* in, size_t frames) {
    const uint64_t target = resampled_length(in_frames_, ratio_);
    const bool ending = in == nullptr;
    out_.clear();
    std::vector<float> block((static_cast<size_t>(static_cast<double>(frames) * ratio_) + 4096) * channels_);
    for (;;) {
        size_t used = 0, made = 0;
        soxr_error_t err = soxr_process(soxr_, in, frames, &used, block.data(), block.size() / channels_, &made);
        if (err) throw Failure("resample", err);
        const auto keep = static_cast<size_t>(std::min<uint64_t>(made, target - std::min(target, out_frames_)));
        out_.insert(out_.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(keep * channels_));
        out_frames_ += keep;
        if (ending ? made == 0 : used == frames) break;
        in += used * channels_;
        frames -= used;
    }
    if (ending && out_frames_ < target) {
        out_.resize(out_.size() + static_cast<size_t>(target - out_frames_) * channels_, 0.0f);
        out_frames_ = target;
    }
    return out_;
}

}  // namespace tqc::cli
