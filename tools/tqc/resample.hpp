// Sample-rate conversion through libsoxr (high quality), for comparing files of different rates.
#pragma once

#include <vector>

namespace tqc::cli {

// Resamples interleaved float audio; the output has round(frames * to / from) frames and no delay.
std::vector<float> resample(const std::vector<float>& interleaved, int channels, int from_rate, int to_rate);

}  // namespace tqc::cli
