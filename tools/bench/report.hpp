// Benchmark results out: averages per content class x codec x rate, the terminal table,
// results.csv, results.json and the SVG plots.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/runner.hpp"

namespace tqb {

// Means over the clips of one class that coded successfully (NaN-valued metrics left out).
struct Summary {
    ContentClass content{};
    std::string codec;
    int nominal_bps = 0;
    int clips = 0;  // clips attempted
    int coded = 0;  // clips that coded and were measured
    double kbps = 0, snr = 0, segmental_snr = 0, si_sdr = 0, lsd = 0, mel = 0, stoi = 0;
    double encode_xrt = 0, decode_xrt = 0;  // total clip seconds / total CPU seconds
    double peak_mib = 0;                    // largest peak of the class
    double clip_seconds = 0, encode_cpu_seconds = 0, decode_cpu_seconds = 0;  // totals behind the xRT
};

struct RunInfo {
    std::string corpus, ffmpeg;
    int threads = 1;
    double wall_seconds = 0;
    std::vector<std::string> notes;
};

// In class, codec (as listed) and rate order; only combinations that have jobs.
std::vector<Summary> summarise(const std::vector<Result>& results, const std::vector<Codec>& codecs,
                               const std::vector<int>& rates);

std::string format_table(const std::vector<Summary>& summaries);
// The run's notes (skipped families, how speed was measured), one "note: ..." line each.
std::string format_notes(const RunInfo& info);
std::string format_csv(const std::vector<Result>& results);
nlohmann::ordered_json to_json(const RunInfo& info, const std::vector<Result>& results, const std::vector<Summary>& summaries);

// results.csv, results.json and the SVGs (plots.cpp) into `dir` (created if needed); returns the files written.
std::vector<std::string> write_report(const std::string& dir, const RunInfo& info, const std::vector<Result>& results,
                                      const std::vector<Summary>& summaries, const std::vector<Codec>& codecs);

// Plots (plots.cpp): quality vs bitrate per metric and class, and speed bars; returns file names.
std::vector<std::string> write_plots(const std::string& dir, const std::vector<Summary>& summaries, const std::vector<Codec>& codecs);

}  // namespace tqb
