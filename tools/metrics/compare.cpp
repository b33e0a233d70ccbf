// compare(): alignment, overlap, per-channel metrics averaged.
#include <cmath>
#include <string>

#include "core/error.hpp"
#include "metrics/metrics.hpp"

namespace tqm {
namespace {

std::vector<float> channel_mix(const AudioView& a) {
    std::vector<float> mono(a.frames, 0.0f);
    const auto ch = static_cast<size_t>(a.channels);
    for (size_t i = 0; i < a.frames; ++i) {
        float sum = 0;
        for (size_t c = 0; c < ch; ++c) sum += a.samples[i * ch + c];
        mono[i] = sum / static_cast<float>(ch);
    }
    return mono;
}

std::vector<float> channel_slice(const AudioView& a, size_t channel, size_t start, size_t length) {
    std::vector<float> out(length);
    const auto ch = static_cast<size_t>(a.channels);
    for (size_t i = 0; i < length; ++i) out[i] = a.samples[(start + i) * ch + channel];
    return out;
}

// Mean of the values that are defined; NaN if none is.
class Average {
public:
    void add(double v) {
        if (std::isnan(v)) return;
        sum_ += v;
        ++count_;
    }
    double value() const { return count_ ? sum_ / count_ : std::nan(""); }

private:
    double sum_ = 0;
    int count_ = 0;
};

void check_compatible(const AudioView& ref, const AudioView& dec) {
    tq::require(ref.channels >= 1 && ref.channels == dec.channels, TQ_ERR_INVALID_ARGUMENT,
                "channel counts differ (" + std::to_string(ref.channels) + " vs " +
                    std::to_string(dec.channels) + ")");
    tq::require(ref.sample_rate > 0 && ref.sample_rate == dec.sample_rate, TQ_ERR_INVALID_ARGUMENT,
                "sample rates differ (" + std::to_string(ref.sample_rate) + " vs " +
                    std::to_string(dec.sample_rate) + " Hz)");
}

int64_t find_delay(const AudioView& ref, const AudioView& dec, const CompareOptions& options) {
    if (!options.align) return 0;
    const auto max_lag = static_cast<int64_t>(std::llround(options.max_delay_seconds * ref.sample_rate));
    return estimate_delay(channel_mix(ref), channel_mix(dec), max_lag);
}

}  // namespace

Report compare(const AudioView& ref, const AudioView& dec, const CompareOptions& options) {
    check_compatible(ref, dec);
    Report r;
    r.channels = ref.channels;
    r.sample_rate = ref.sample_rate;
    r.delay = find_delay(ref, dec, options);
    const size_t ref_start = r.delay < 0 ? static_cast<size_t>(-r.delay) : 0;
    const size_t dec_start = r.delay > 0 ? static_cast<size_t>(r.delay) : 0;
    tq::require(ref_start < ref.frames && dec_start < dec.frames, TQ_ERR_INVALID_ARGUMENT,
                "the signals do not overlap");
    r.overlap_frames = std::min(ref.frames - ref_start, dec.frames - dec_start);

    Average snr, seg, sisdr, lsd, mel;
    for (size_t c = 0; c < static_cast<size_t>(ref.channels); ++c) {
        const std::vector<float> x = channel_slice(ref, c, ref_start, r.overlap_frames);
        const std::vector<float> y = channel_slice(dec, c, dec_start, r.overlap_frames);
        snr.add(snr_db(x, y));
        seg.add(segmental_snr_db(x, y, ref.sample_rate));
        sisdr.add(si_sdr_db(x, y));
        lsd.add(log_spectral_distance_db(x, y, ref.sample_rate));
        mel.add(mel_distance(x, y, ref.sample_rate));
    }
    r.snr_db = snr.value();
    r.segmental_snr_db = seg.value();
    r.si_sdr_db = sisdr.value();
    r.lsd_db = lsd.value();
    r.mel_distance = mel.value();
    return r;
}

}  // namespace tqm
