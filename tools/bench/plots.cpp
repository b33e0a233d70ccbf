// SVG plots of a benchmark: quality vs actual bitrate (one per metric and content class) and
// encode/decode speed bars; an index.html shows them all.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "bench/report.hpp"
#include "bench/svg.hpp"
#include "tqc/cli.hpp"

namespace tqb {
namespace {

struct Metric {
    const char* key;
    const char* label;
    double Summary::*value;
    bool speech_only;
};

constexpr Metric kMetrics[] = {
    {"snr", "SNR (dB)", &Summary::snr, false},
    {"si_sdr", "SI-SDR (dB)", &Summary::si_sdr, false},
    {"mel", "multi-scale log-mel distance (lower is better)", &Summary::mel, false},
    {"lsd", "log-spectral distance (dB, lower is better)", &Summary::lsd, false},
    {"stoi", "STOI", &Summary::stoi, true},
};

void save(const std::filesystem::path& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary);
    out << content;
    if (!out.flush()) throw tqc::cli::Failure(path.string(), "cannot write");
}

svg::LineChart rate_chart(const Metric& m, ContentClass content, const std::vector<Summary>& summaries,
                          const std::vector<Codec>& codecs) {
    svg::LineChart chart;
    chart.title = std::string(m.label) + " vs bitrate: " + class_name(content);
    chart.x_label = "actual bitrate (kbit/s, log scale); means over the class, where every clip coded";
    chart.y_label = m.label;
    chart.log_x = true;
    for (const Codec& codec : codecs) {
        if (codec.lossless) continue;  // one point far to the right: it would flatten every curve
        svg::Series series{codec.label, {}, codec.is_anchor};
        for (const Summary& s : summaries)
            if (s.content == content && s.codec == codec.label && s.coded == s.clips && std::isfinite(s.*m.value) && s.kbps > 0)
                series.points.push_back({s.kbps, s.*m.value});
        // Partly coded rates (some clips below the family's lowest rate) would average other clips.
        if (!series.points.empty()) chart.series.push_back(series);
    }
    return chart;
}

// Speed over all classes: total clip seconds / total CPU seconds per codec and rate.
svg::BarChart speed_chart(const std::vector<Summary>& summaries) {
    svg::BarChart chart;
    chart.title = "Coding speed (x real time per core; all clips)";
    chart.value_label = "x real time (log scale); anchors: whole ffmpeg process CPU time";
    chart.log_values = true;
    chart.bars = {{"encode", {}}, {"decode", {}}};
    std::vector<std::pair<std::string, int>> keys;
    for (const Summary& s : summaries)
        if (std::find(keys.begin(), keys.end(), std::pair{s.codec, s.nominal_bps}) == keys.end()) keys.emplace_back(s.codec, s.nominal_bps);
    for (const auto& [codec, rate] : keys) {
        double seconds = 0, enc = 0, dec = 0;
        for (const Summary& s : summaries)
            if (s.codec == codec && s.nominal_bps == rate) seconds += s.clip_seconds, enc += s.encode_cpu_seconds, dec += s.decode_cpu_seconds;
        chart.categories.push_back(codec + " " + rate_label(rate));
        chart.bars[0].values.push_back(enc > 0 ? seconds / enc : std::nan(""));
        chart.bars[1].values.push_back(dec > 0 ? seconds / dec : std::nan(""));
    }
    return chart;
}

std::string index_html(const std::vector<std::string>& images) {
    std::string html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>tqc bench</title></head><body>\n"
                       "<h1>tqc bench</h1>\n<p>Numbers: results.csv, results.json, table.txt.</p>\n";
    for (const std::string& f : images) html += "<p><img src=\"" + f + "\" alt=\"" + f + "\"></p>\n";
    return html + "</body></html>\n";
}

}  // namespace

std::vector<std::string> write_plots(const std::string& dir, const std::vector<Summary>& summaries, const std::vector<Codec>& codecs) {
    const std::filesystem::path d(dir);
    std::vector<std::string> files;
    for (ContentClass content : kAllClasses)
        for (const Metric& m : kMetrics) {
            if (m.speech_only && content != ContentClass::speech) continue;
            const svg::LineChart chart = rate_chart(m, content, summaries, codecs);
            if (chart.series.empty()) continue;
            const std::string name = std::string(class_name(content)) + "_" + m.key + ".svg";
            save(d / name, svg::render(chart));
            files.push_back(name);
        }
    if (!summaries.empty()) {
        save(d / "speed.svg", svg::render(speed_chart(summaries)));
        files.push_back("speed.svg");
    }
    save(d / "index.html", index_html(files));
    files.push_back("index.html");
    return files;
}

}  // namespace tqb
