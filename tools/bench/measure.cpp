// One job: code the clip, then measure the decoded audio against it.
#include <cmath>
#include <filesystem>

#include "bench/runner.hpp"
#include "metrics/stoi.hpp"
#include "tqc/audio_io.hpp"
#include "tqc/resample.hpp"

namespace tqb {
namespace {

tqm::AudioView view(const tqc::cli::Audio& a) { return {a.samples.data(), a.frames(), a.info.channels, a.info.sample_rate}; }

std::vector<float> channel(const tqc::cli::Audio& a, size_t c, size_t start, size_t length) {
    const auto ch = static_cast<size_t>(a.info.channels);
    std::vector<float> out(length);
    for (size_t i = 0; i < length; ++i) out[i] = a.samples[(start + i) * ch + c];
    return out;
}

// Per-channel STOI on the overlap compare() aligned, averaged.
double aligned_stoi(const tqc::cli::Audio& ref, const tqc::cli::Audio& dec, const tqm::Report& r) {
    const size_t ref_start = r.delay < 0 ? static_cast<size_t>(-r.delay) : 0;
    const size_t dec_start = r.delay > 0 ? static_cast<size_t>(r.delay) : 0;
    double sum = 0;
    int count = 0;
    for (size_t c = 0; c < static_cast<size_t>(ref.info.channels); ++c) {
        const double d = tqm::stoi(channel(ref, c, ref_start, r.overlap_frames), channel(dec, c, dec_start, r.overlap_frames),
                                   ref.info.sample_rate);
        if (!std::isnan(d)) sum += d, ++count;
    }
    return count ? sum / count : std::nan("");
}

std::string job_prefix(const Job& job, const RunSettings& s) {
    return s.work_dir + "/" + job.clip->name + "." + job.codec->label + "." + std::to_string(job.nominal_bps);
}

}  // namespace

void measure(Result& r) {
    const tqc::cli::Audio ref = tqc::cli::read_audio(r.job.clip->path);
    tqc::cli::Audio dec = tqc::cli::read_audio(r.coded.decoded_path);
    r.sample_rate = ref.info.sample_rate;
    r.channels = ref.info.channels;
    r.seconds = static_cast<double>(ref.frames()) / ref.info.sample_rate;
    if (dec.info.sample_rate != ref.info.sample_rate) {
        dec.samples = tqc::cli::resample(dec.samples, dec.info.channels, dec.info.sample_rate, ref.info.sample_rate);
        dec.info.sample_rate = ref.info.sample_rate;
    }
    r.actual_kbps = static_cast<double>(r.coded.bytes) * 8 / r.seconds / 1000;
    r.encode_xrt = r.seconds / r.coded.encode_seconds;
    r.decode_xrt = r.seconds / r.coded.decode_seconds;
    // A library codec's output is aligned by construction (the job trims the exact encoder delay
    // the stream header states), so no delay is searched: for a family that reconstructs its phase
    // (gauss) the waveform cross-correlation has no true peak and a spurious one, seconds away,
    // would be measured instead. Anchors are aligned by cross-correlation as tqc compare does.
    tqm::CompareOptions options;
    options.align = r.job.codec->is_anchor;
    r.metrics = tqm::compare(view(ref), view(dec), options);
    r.stoi = r.job.clip->content == ContentClass::speech ? aligned_stoi(ref, dec, r.metrics) : std::nan("");
}

Result run_job(const Job& job, const RunSettings& s) {
    Result r;
    r.job = job;
    r.stoi = std::nan("");
    const std::string prefix = job_prefix(job, s);
    try {
        r.coded = job.codec->is_anchor ? code_with_anchor(job, s.ffmpeg, prefix) : code_with_library(job, prefix);
        if (r.coded.ok) measure(r);
    } catch (const std::exception& e) {
        r.coded.ok = false;
        r.coded.note = std::string("failed: ") + e.what();
    }
    std::error_code ec;
    std::filesystem::remove(r.coded.decoded_path, ec);
    return r;
}

}  // namespace tqb
