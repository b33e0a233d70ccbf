#include "bench/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "bench/progress.hpp"
#include "tqc/cli.hpp"

namespace tqb {
namespace {

using tqc::cli::format_fixed;

class Mean {
public:
    void add(double v) {
        if (std::isfinite(v)) sum_ += v, ++n_;
    }
    double value() const { return n_ ? sum_ / n_ : std::nan(""); }

private:
    double sum_ = 0;
    int n_ = 0;
};

struct Accumulator {
    Summary s;
    Mean kbps, snr, seg, sisdr, lsd, mel, stoi;
    double seconds = 0, encode_seconds = 0, decode_seconds = 0;

    void add(const Result& r) {
        ++s.clips;
        if (!r.coded.ok) return;
        ++s.coded;
        kbps.add(r.actual_kbps), snr.add(r.metrics.snr_db), seg.add(r.metrics.segmental_snr_db);
        sisdr.add(r.metrics.si_sdr_db), lsd.add(r.metrics.lsd_db), mel.add(r.metrics.mel_distance), stoi.add(r.stoi);
        seconds += r.seconds, encode_seconds += r.coded.encode_seconds, decode_seconds += r.coded.decode_seconds;
        s.peak_mib = std::max(s.peak_mib, r.coded.peak_mib);
    }
    Summary done() {
        s.kbps = kbps.value(), s.snr = snr.value(), s.segmental_snr = seg.value(), s.si_sdr = sisdr.value();
        s.lsd = lsd.value(), s.mel = mel.value(), s.stoi = stoi.value();
        s.encode_xrt = encode_seconds > 0 ? seconds / encode_seconds : std::nan("");
        s.decode_xrt = decode_seconds > 0 ? seconds / decode_seconds : std::nan("");
        s.clip_seconds = seconds, s.encode_cpu_seconds = encode_seconds, s.decode_cpu_seconds = decode_seconds;
        return s;
    }
};

std::string cell(double v, int decimals) { return std::isfinite(v) ? format_fixed(v, decimals) : "-"; }

nlohmann::ordered_json number(double v) { return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr); }

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

void write_file(const std::filesystem::path& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary);
    out << content;
    if (!out.flush()) throw tqc::cli::Failure(path.string(), "cannot write");
}

}  // namespace

std::vector<Summary> summarise(const std::vector<Result>& results, const std::vector<Codec>& codecs, const std::vector<int>& rates) {
    std::vector<Summary> out;
    for (ContentClass content : kAllClasses)
        for (const Codec& codec : codecs)
            for (int rate : codec.lossless ? std::vector<int>{0} : rates) {
                Accumulator acc;
                acc.s.content = content, acc.s.codec = codec.label, acc.s.nominal_bps = rate;
                for (const Result& r : results)
                    if (r.job.clip->content == content && r.job.codec == &codec && r.job.nominal_bps == rate) acc.add(r);
                if (acc.s.clips) out.push_back(acc.done());
            }
    return out;
}

std::string format_table(const std::vector<Summary>& summaries) {
    std::string out;
    char line[512];
    int width = 12;  // the codec column fits the longest label, e.g. "fractal[min_range=4]"
    for (const Summary& s : summaries) width = std::max(width, static_cast<int>(std::min<size_t>(s.codec.size(), 160)));
    const std::string format = "%-" + std::to_string(width) + "s %8s %8s %5s %7s %7s %7s %6s %6s %6s %8s %8s %6s\n";
    const char* head = format.c_str();
    for (ContentClass content : kAllClasses) {
        bool first = true;
        for (const Summary& s : summaries) {
            if (s.content != content) continue;
            if (first) {
                out += std::string("\n") + class_name(content) + "\n";
                std::snprintf(line, sizeof line, head, "codec", "target", "kbit/s", "n", "SNR", "segSNR", "SI-SDR", "LSD",
                              "mel", "STOI", "enc xRT", "dec xRT", "MiB");
                out += line;
                first = false;
            }
            const std::string n = std::to_string(s.coded) + "/" + std::to_string(s.clips);
            std::snprintf(line, sizeof line, head, s.codec.c_str(), rate_label(s.nominal_bps).c_str(), cell(s.kbps, 1).c_str(),
                          n.c_str(), cell(s.snr, 2).c_str(), cell(s.segmental_snr, 2).c_str(), cell(s.si_sdr, 2).c_str(),
                          cell(s.lsd, 2).c_str(), cell(s.mel, 3).c_str(), cell(s.stoi, 3).c_str(),
                          cell(s.encode_xrt, 1).c_str(), cell(s.decode_xrt, 1).c_str(), cell(s.coded ? s.peak_mib : NAN, 1).c_str());
            out += line;
        }
    }
    return out;
}

std::string format_notes(const RunInfo& info) {
    std::string out = "\n";
    for (const std::string& n : info.notes) out += "note: " + n + "\n";
    return out;
}

std::string format_csv(const std::vector<Result>& results) {
    std::string out =
        "clip,class,codec,target_kbps,coded_kbps,actual_kbps,bytes,seconds,sample_rate,channels,delay_samples,snr_db,"
        "segmental_snr_db,si_sdr_db,lsd_db,mel_distance,stoi,encode_xrt,decode_xrt,encode_cpu_s,decode_cpu_s,peak_mib,status,note\n";
    for (const Result& r : results) {
        const bool ok = r.coded.ok;
        auto v = [&](double x, int d) { return ok && std::isfinite(x) ? format_fixed(x, d) : std::string(); };
        out += csv_field(r.job.clip->name) + "," + class_name(r.job.clip->content) + "," + csv_field(r.job.codec->label) + "," +
               (r.job.nominal_bps ? format_fixed(r.job.nominal_bps / 1000.0, 1) : "") + "," +
               (r.coded.coded_bps ? format_fixed(r.coded.coded_bps / 1000.0, 1) : "") + "," + v(r.actual_kbps, 3) + "," +
               (ok ? std::to_string(r.coded.bytes) : "") + "," + v(r.seconds, 3) + "," + (ok ? std::to_string(r.sample_rate) : "") +
               "," + (ok ? std::to_string(r.channels) : "") + "," + (ok ? std::to_string(r.metrics.delay) : "") + "," +
               v(r.metrics.snr_db, 3) + "," + v(r.metrics.segmental_snr_db, 3) + "," + v(r.metrics.si_sdr_db, 3) + "," +
               v(r.metrics.lsd_db, 3) + "," + v(r.metrics.mel_distance, 4) + "," + v(r.stoi, 4) + "," + v(r.encode_xrt, 2) + "," +
               v(r.decode_xrt, 2) + "," + v(r.coded.encode_seconds, 4) + "," + v(r.coded.decode_seconds, 4) + "," +
               (r.coded.peak_mib > 0 ? format_fixed(r.coded.peak_mib, 1) : "") + "," + (ok ? "ok" : "skipped") + "," + csv_field(r.coded.note) + "\n";
    }
    return out;
}

nlohmann::ordered_json to_json(const RunInfo& info, const std::vector<Result>& results, const std::vector<Summary>& summaries) {
    nlohmann::ordered_json j;
    j["tool"] = tqc::cli::version_line();
    j["corpus"] = info.corpus;
    j["ffmpeg"] = info.ffmpeg;
    j["threads"] = info.threads;
    j["wall_seconds"] = info.wall_seconds;
    j["notes"] = info.notes;
    j["results"] = nlohmann::ordered_json::array();
    for (const Result& r : results) {
        const bool ok = r.coded.ok;
        j["results"].push_back({{"clip", r.job.clip->name}, {"class", class_name(r.job.clip->content)}, {"codec", r.job.codec->label},
                                {"target_bps", r.job.nominal_bps}, {"coded_bps", r.coded.coded_bps}, {"status", ok ? "ok" : "skipped"},
                                {"note", r.coded.note}, {"bytes", r.coded.bytes}, {"seconds", number(r.seconds)},
                                {"sample_rate", r.sample_rate}, {"channels", r.channels}, {"actual_kbps", number(ok ? r.actual_kbps : NAN)},
                                {"delay_samples", r.metrics.delay}, {"snr_db", number(ok ? r.metrics.snr_db : NAN)},
                                {"segmental_snr_db", number(ok ? r.metrics.segmental_snr_db : NAN)},
                                {"si_sdr_db", number(ok ? r.metrics.si_sdr_db : NAN)}, {"lsd_db", number(ok ? r.metrics.lsd_db : NAN)},
                                {"mel_distance", number(ok ? r.metrics.mel_distance : NAN)}, {"stoi", number(r.stoi)},
                                {"encode_xrt", number(ok ? r.encode_xrt : NAN)}, {"decode_xrt", number(ok ? r.decode_xrt : NAN)},
                                {"encode_cpu_seconds", r.coded.encode_seconds}, {"decode_cpu_seconds", r.coded.decode_seconds},
                                {"peak_mib", r.coded.peak_mib}});
    }
    j["summary"] = nlohmann::ordered_json::array();
    for (const Summary& s : summaries)
        j["summary"].push_back({{"class", class_name(s.content)}, {"codec", s.codec}, {"target_bps", s.nominal_bps}, {"clips", s.clips},
                                {"coded", s.coded}, {"actual_kbps", number(s.kbps)}, {"snr_db", number(s.snr)},
                                {"segmental_snr_db", number(s.segmental_snr)}, {"si_sdr_db", number(s.si_sdr)}, {"lsd_db", number(s.lsd)},
                                {"mel_distance", number(s.mel)}, {"stoi", number(s.stoi)}, {"encode_xrt", number(s.encode_xrt)},
                                {"decode_xrt", number(s.decode_xrt)}, {"peak_mib", s.peak_mib}});
    return j;
}

std::vector<std::string> write_report(const std::string& dir, const RunInfo& info, const std::vector<Result>& results,
                                      const std::vector<Summary>& summaries, const std::vector<Codec>& codecs) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw tqc::cli::Failure(dir, ec.message());
    const std::filesystem::path d(dir);
    write_file(d / "results.csv", format_csv(results));
    write_file(d / "results.json", to_json(info, results, summaries).dump(2) + "\n");
    write_file(d / "table.txt", format_table(summaries) + format_notes(info));
    std::vector<std::string> files = {"results.csv", "results.json", "table.txt"};
    for (const std::string& f : write_plots(dir, summaries, codecs)) files.push_back(f);
    return files;
}

}  // namespace tqb
