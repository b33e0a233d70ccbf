// Time-domain metrics: SNR, segmental SNR, SI-SDR.
#include "metrics/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"

namespace tqm {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void require_same_length(std::span<const float> a, std::span<const float> b) {
    tq::require(a.size() == b.size(), TQ_ERR_INVALID_ARGUMENT, "metrics: signals differ in length");
}

struct Energies {
    double signal = 0;
    double error = 0;
};

Energies energies(std::span<const float> ref, std::span<const float> dec) {
    Energies e;
    for (size_t i = 0; i < ref.size(); ++i) {
        const double r = ref[i], d = dec[i];
        e.signal += r * r;
        e.error += (r - d) * (r - d);
    }
    return e;
}

double mean(std::span<const float> x) {
    double sum = 0;
    for (float v : x) sum += v;
    return x.empty() ? 0.0 : sum / static_cast<double>(x.size());
}

}  // namespace

double ratio_db(double signal_energy, double noise_energy) {
    if (!(signal_energy > 0)) return kNaN;
    if (!(noise_energy > 0)) return kMaxDb;
    return std::min(kMaxDb, 10.0 * std::log10(signal_energy / noise_energy));
}

double snr_db(std::span<const float> ref, std::span<const float> dec) {
    require_same_length(ref, dec);
    Energies e = energies(ref, dec);
    return ratio_db(e.signal, e.error);
}

double segmental_snr_db(std::span<const float> ref, std::span<const float> dec, int sample_rate) {
    require_same_length(ref, dec);
    const size_t frame = std::max<size_t>(1, static_cast<size_t>(std::lround(kSegFrameSeconds * sample_rate)));
    const size_t count = ref.size() < frame ? 1 : ref.size() / frame;
    const size_t len = std::min(frame, ref.size());
    double sum = 0;
    size_t used = 0;
    for (size_t f = 0; f < count && len > 0; ++f) {
        Energies e = energies(ref.subspan(f * frame, len), dec.subspan(f * frame, len));
        if (e.signal / static_cast<double>(len) < kSegSilenceMeanSquare) continue;
        sum += std::clamp(ratio_db(e.signal, e.error), kSegMinDb, kSegMaxDb);
        ++used;
    }
    return used ? sum / static_cast<double>(used) : kNaN;
}

double si_sdr_db(std::span<const float> ref, std::span<const float> dec) {
    require_same_length(ref, dec);
    const double mr = mean(ref), md = mean(dec);
    double ss = 0, sd = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
        const double s = ref[i] - mr, d = dec[i] - md;
        ss += s * s;
        sd += s * d;
    }
    if (!(ss > 0)) return kNaN;
    const double alpha = sd / ss;
    double target = 0, noise = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
        const double t = alpha * (ref[i] - mr), d = dec[i] - md;
        target += t * t;
        noise += (d - t) * (d - t);
    }
    if (!(target > 0)) return noise > 0 ? -kMaxDb : kNaN;
    return std::max(-kMaxDb, ratio_db(target, noise));
}

}  // namespace tqm
