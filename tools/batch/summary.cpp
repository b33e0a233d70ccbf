// tqc batch: the summary of a set of records (one run, a shard, or merged shards).
#include <cmath>
#include <map>

#include "batch/batch.hpp"
#include "bench/progress.hpp"
#include "tqc/cli.hpp"

namespace tqbatch {
namespace {

constexpr const char* kMetrics[] = {"snr", "segmental_snr", "si_sdr", "lsd", "mel", "stoi"};

double get(const Json& j, const char* a, const char* b = nullptr) {
    const Json* v = j.contains(a) ? &j.at(a) : nullptr;
    if (v && b) v = v->is_object() && v->contains(b) ? &v->at(b) : nullptr;
    return v && v->is_number() ? v->get<double>() : std::nan("");
}

struct Totals {
    int files = 0, ok = 0, failed = 0, measured = 0;
    uint64_t bytes = 0;
    double seconds = 0, encode_cpu = 0, decode_cpu = 0, decode_seconds = 0;
    std::map<std::string, std::pair<double, int>> metric_sums;  // name -> (sum, count)

    void add(const Json& r) {
        ++files;
        if (r.value("status", "") != "ok") {
            ++failed;
            return;
        }
        ++ok;
        bytes += r.value("bytes", uint64_t{0});
        const double sec = get(r, "source", "seconds");
        if (std::isfinite(sec)) seconds += sec;
        if (const double cpu = get(r, "encode", "cpu_seconds"); std::isfinite(cpu)) encode_cpu += cpu;
        if (!r.contains("metrics")) return;
        ++measured;
        if (const double cpu = get(r, "decode", "cpu_seconds"); std::isfinite(cpu)) decode_cpu += cpu, decode_seconds += sec;
        for (const char* m : kMetrics)
            if (const double v = get(r, "metrics", m); std::isfinite(v)) metric_sums[m].first += v, ++metric_sums[m].second;
    }

    Json to_json() const {
        Json j = {{"files", files}, {"ok", ok}, {"failed", failed}, {"measured", measured},
                  {"source_seconds", seconds}, {"bytes", bytes}};
        j["kbps"] = seconds > 0 ? Json(static_cast<double>(bytes) * 8 / seconds / 1000) : Json(nullptr);
        if (measured) {
            Json mean = Json::object();
            for (const char* m : kMetrics) {
                const auto it = metric_sums.find(m);
                mean[m] = it != metric_sums.end() ? Json(it->second.first / it->second.second) : Json(nullptr);
            }
            j["mean"] = mean;
        }
        Json speed = {{"encode_cpu_seconds", encode_cpu},
                      {"encode_xrt", encode_cpu > 0 ? Json(seconds / encode_cpu) : Json(nullptr)}};
        if (measured)
            speed["decode_cpu_seconds"] = decode_cpu,
            speed["decode_xrt"] = decode_cpu > 0 ? Json(decode_seconds / decode_cpu) : Json(nullptr);
        j["speed"] = speed;
        return j;
    }
};

std::string group_of(const std::string& file) {
    const size_t slash = file.find('/');
    return slash == std::string::npos ? "." : file.substr(0, slash);
}

}  // namespace

Json summarise(const std::vector<Json>& records) {
    Totals all;
    std::map<std::string, Totals> groups;
    Json failures = Json::array();
    std::map<std::string, int> settings_seen;
    for (const Json& r : records) {
        all.add(r);
        groups[group_of(r.value("file", ""))].add(r);
        if (r.value("status", "") != "ok") failures.push_back({{"file", r.value("file", "")}, {"error", r.value("error", "")}});
        if (r.contains("settings")) ++settings_seen[r["settings"].dump()];
    }
    Json summary = {{"tqc_batch_summary", 1}};
    if (settings_seen.size() == 1) summary["settings"] = Json::parse(settings_seen.begin()->first);
    else summary["settings"] = "mixed";  // records of runs with different settings
    summary["total"] = all.to_json();
    Json by_group = Json::object();
    for (const auto& [name, t] : groups) by_group[name] = t.to_json();
    summary["groups"] = by_group;
    summary["failures"] = failures;
    return summary;
}

std::string format_summary(const Json& summary) {
    const auto cell = [](const Json& j, const char* key, int decimals) {
        return j.contains(key) && j[key].is_number() ? tqc::cli::format_fixed(j[key].get<double>(), decimals) : std::string("-");
    };
    char line[256];
    std::string out;
    std::snprintf(line, sizeof line, "%-16s %6s %6s %6s %9s %9s %8s %7s %7s %8s %8s\n", "folder", "files", "ok", "failed",
                  "seconds", "MiB", "kbit/s", "SNR", "mel", "enc xRT", "dec xRT");
    out += line;
    const auto row = [&](const std::string& name, const Json& t) {
        const Json mean = t.value("mean", Json::object());
        const Json speed = t.value("speed", Json::object());
        std::snprintf(line, sizeof line, "%-16.16s %6d %6d %6d %9.1f %9.2f %8s %7s %7s %8s %8s\n", name.c_str(),
                      t.value("files", 0), t.value("ok", 0), t.value("failed", 0), t.value("source_seconds", 0.0),
                      static_cast<double>(t.value("bytes", uint64_t{0})) / 1048576.0, cell(t, "kbps", 1).c_str(),
                      cell(mean, "snr", 2).c_str(), cell(mean, "mel", 3).c_str(), cell(speed, "encode_xrt", 1).c_str(),
                      cell(speed, "decode_xrt", 1).c_str());
        out += line;
    };
    const Json& groups = summary.at("groups");
    if (groups.size() > 1)
        for (const auto& [name, t] : groups.items()) row(name, t);
    row("all", summary.at("total"));
    for (const Json& f : summary.at("failures"))
        out += "FAILED: " + f.value("file", "") + ": " + f.value("error", "") + "\n";
    return out;
}

}  // namespace tqbatch
