#include "resample.hpp"

#include <cmath>

#include <soxr.h>

#include "cli.hpp"

namespace tqc::cli {

std::vector<float> resample(const std::vector<float>& interleaved, int channels, int from_rate, int to_rate) {
    if (from_rate == to_rate) return interleaved;
    const auto ch = static_cast<size_t>(channels);
    const size_t in_frames = interleaved.size() / ch;
    const auto out_frames = static_cast<size_t>(
        std::llround(static_cast<double>(in_frames) * to_rate / from_rate));
    std::vector<float> out(out_frames * ch);
    size_t done = 0;
    const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
    soxr_error_t err = soxr_oneshot(from_rate, to_rate, static_cast<unsigned>(channels), interleaved.data(),
                                    in_frames, nullptr, out.data(), out_frames, &done, &io, &quality, nullptr);
    if (err) throw Failure("resample", err);
    out.resize(done * ch);
    return out;
}

}  // namespace tqc::cli
