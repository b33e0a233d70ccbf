// tqc compare [--json] [--max-delay SECONDS] [--no-align] REF DEC
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "audio_io.hpp"
#include "cli.hpp"
#include "commands.hpp"
#include "core/error.hpp"
#include "metrics/metrics.hpp"
#include "resample.hpp"

namespace tqc::cli {
namespace {

constexpr const char* kUsage =
    "usage: tqc compare [--json] [--max-delay SECONDS] [--no-align] REF DEC\n"
    "\n"
    "Measures DEC against REF: SNR, segmental SNR (20 ms frames, each clamped to [-10, 35] dB),\n"
    "SI-SDR, log-spectral distance and DAC's multi-scale mel distance. The integer delay of DEC\n"
    "is found by cross-correlation and both are compared on their overlap; DEC is resampled to\n"
    "REF's rate if they differ. Channel counts must match. Multichannel values are per-channel\n"
    "averages. Identical signals give 200 dB (the cap); undefined values print as n/a.\n"
    "\n"
    "  --json               print one JSON object (undefined values are null)\n"
    "  --max-delay SECONDS  search delays up to this many seconds either way (default 1)\n"
    "  --no-align           compare sample by sample from the start\n";

constexpr OptionSpec kSpecs[] = {{"json", 0, false}, {"max-delay", 0, true}, {"no-align", 0, false}};

std::string number(double v, int decimals, const char* unit) {
    return std::isnan(v) ? "n/a" : format_fixed(v, decimals) + unit;
}

nlohmann::ordered_json number_json(double v) { return std::isnan(v) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v); }

struct Inputs {
    Audio ref, dec;
    int dec_original_rate = 0;
};

Inputs load(const std::string& ref_path, const std::string& dec_path) {
    Inputs in{read_audio(ref_path), read_audio(dec_path), 0};
    in.dec_original_rate = in.dec.info.sample_rate;
    if (in.ref.info.channels != in.dec.info.channels)
        throw Failure("compare", "channel counts differ: " + ref_path + " has " + std::to_string(in.ref.info.channels) +
                                     ", " + dec_path + " has " + std::to_string(in.dec.info.channels));
    if (in.dec.info.sample_rate != in.ref.info.sample_rate) {
        in.dec.samples = resample(in.dec.samples, in.dec.info.channels, in.dec.info.sample_rate, in.ref.info.sample_rate);
        in.dec.info.sample_rate = in.ref.info.sample_rate;
    }
    return in;
}

tqm::AudioView view(const Audio& a) { return {a.samples.data(), a.frames(), a.info.channels, a.info.sample_rate}; }

void print_text(const Inputs& in, const tqm::Report& r) {
    const double ms = 1000.0 * static_cast<double>(r.delay) / r.sample_rate;
    if (in.dec_original_rate != r.sample_rate)
        std::printf("resampled       DEC from %d Hz to %d Hz\n", in.dec_original_rate, r.sample_rate);
    std::printf("delay           %lld samples (%s ms; > 0: DEC is late)\n", static_cast<long long>(r.delay),
                format_fixed(ms, 3).c_str());
    std::printf("overlap         %zu samples per channel (%s s), %d channel(s), %d Hz\n", r.overlap_frames,
                format_fixed(static_cast<double>(r.overlap_frames) / r.sample_rate, 3).c_str(), r.channels,
                r.sample_rate);
    std::printf("SNR             %s\n", number(r.snr_db, 2, " dB").c_str());
    std::printf("segmental SNR   %s\n", number(r.segmental_snr_db, 2, " dB").c_str());
    std::printf("SI-SDR          %s\n", number(r.si_sdr_db, 2, " dB").c_str());
    std::printf("LSD             %s\n", number(r.lsd_db, 3, " dB").c_str());
    std::printf("mel distance    %s\n", number(r.mel_distance, 4, "").c_str());
}

nlohmann::ordered_json to_json(const Inputs& in, const tqm::Report& r) {
    return {{"delay_samples", r.delay},
            {"delay_ms", 1000.0 * static_cast<double>(r.delay) / r.sample_rate},
            {"overlap_samples", r.overlap_frames},
            {"channels", r.channels},
            {"sample_rate", r.sample_rate},
            {"dec_original_sample_rate", in.dec_original_rate},
            {"snr_db", number_json(r.snr_db)},
            {"segmental_snr_db", number_json(r.segmental_snr_db)},
            {"si_sdr_db", number_json(r.si_sdr_db)},
            {"lsd_db", number_json(r.lsd_db)},
            {"mel_distance", number_json(r.mel_distance)}};
}

}  // namespace

int cmd_compare(std::span<char* const> args) {
    const Args a = parse_args("compare", args, kSpecs);
    if (a.has("help")) return std::fputs(kUsage, stdout), kExitOk;
    a.require_positional("compare", {"REF", "DEC"});
    tqm::CompareOptions options;
    options.align = !a.has("no-align");
    if (auto d = a.last("max-delay")) options.max_delay_seconds = parse_seconds("compare: --max-delay", *d);

    const Inputs in = load(a.positional()[0], a.positional()[1]);
    tqm::Report r;
    try {
        r = tqm::compare(view(in.ref), view(in.dec), options);
    } catch (const tq::Error& e) {
        throw Failure("compare", e.what());
    }
    if (a.has("json")) std::printf("%s\n", to_json(in, r).dump(2).c_str());
    else print_text(in, r);
    return kExitOk;
}

}  // namespace tqc::cli
