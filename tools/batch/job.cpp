// tqc batch: one file, encoded by "tqc encode" (and decoded by "tqc decode" and measured with
// the benchmark's measure()) in child processes, described by a JSON record.
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>

#include "batch/batch.hpp"
#include "bench/child.hpp"
#include "bench/runner.hpp"
#include "tqc/audio_io.hpp"
#include "tqc/cli.hpp"

namespace tqbatch {
namespace fs = std::filesystem;

namespace {

// Removes what an encode killed before its rename left beside `output` ("<output>.tmp-XXXXXX").
void remove_temporaries(const std::string& output) {
    const fs::path dir = fs::path(output).parent_path();
    const std::string prefix = fs::path(output).filename().string() + ".tmp-";
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().filename().string().starts_with(prefix)) fs::remove(e.path(), ec);
}

struct Timed {
    tqb::ChildResult child;
    double wall_seconds = 0;
};

Timed run_tool(std::vector<std::string> argv, const std::string& prefix) {
    argv.insert(argv.begin(), "/proc/self/exe");
    const auto start = std::chrono::steady_clock::now();
    Timed t{tqb::run_measured(argv, prefix), 0};
    t.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (t.child.exit_code != 0) {
        std::string why = tqb::last_line(t.child.err);
        if (why.starts_with("tqc: ")) why = why.substr(5);
        throw std::runtime_error(why.empty() ? "exit status " + std::to_string(t.child.exit_code) : why);
    }
    return t;
}

Json number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

Json timing(const Timed& t, double seconds) {
    return {{"cpu_seconds", t.child.cpu_seconds}, {"wall_seconds", t.wall_seconds},
            {"xrt", number(seconds / t.child.cpu_seconds)}, {"peak_mib", t.child.peak_mib}};
}

}  // namespace

Json run_item(const Item& item, const JobContext& context) {
    static std::atomic<unsigned> serial{0};
    const Settings& s = context.settings;
    Json record = {{"tqc_batch", 1},
                   {"file", item.relative},
                   {"status", "failed"},
                   {"settings", {{"family", s.family}, {"bitrate", s.bitrate}, {"options", s.options}}}};
    std::error_code ec;
    fs::remove(item.record, ec);  // the old record no longer describes what is on disk
    remove_temporaries(item.output);
    try {
        const uint64_t source_bytes = fs::file_size(item.source);
        record["source"] = {{"bytes", source_bytes}, {"sha256", file_sha256(item.source)}};
        fs::create_directories(fs::path(item.output).parent_path());
        const std::string prefix = context.work_dir + "/" + std::to_string(serial++);

        std::vector<std::string> argv = {"encode", "-q", "-c", s.family};
        if (s.bitrate) argv.insert(argv.end(), {"-b", std::to_string(s.bitrate)});
        if (!s.options.empty()) argv.insert(argv.end(), {"-O", s.options});
        argv.insert(argv.end(), {item.source, item.output});
        const Timed encoded = run_tool(argv, prefix);

        const std::string stem = fs::path(item.relative).stem().string();
        const tqb::Clip clip{stem, item.source, tqb::class_from_name(stem)};
        const tqb::Codec codec{s.family, false, {}, s.options, {}, false};
        tqb::Result r;
        r.job = {&clip, &codec, s.bitrate};
        r.coded.bytes = fs::file_size(item.output);
        r.coded.encode_seconds = encoded.child.cpu_seconds;
        std::optional<Timed> decoded;
        if (s.measure) {
            r.coded.decoded_path = prefix + ".wav";
            decoded = run_tool({"decode", "--float", item.output, r.coded.decoded_path}, prefix);
            r.coded.decode_seconds = decoded->child.cpu_seconds;
            tqb::measure(r);
            fs::remove(r.coded.decoded_path, ec);
        } else {
            const tqc::cli::AudioReader in(item.source);
            r.sample_rate = in.info().sample_rate;
            r.channels = in.info().channels;
            r.seconds = static_cast<double>(std::max<int64_t>(0, in.info().frames)) / r.sample_rate;
            r.actual_kbps = static_cast<double>(r.coded.bytes) * 8 / r.seconds / 1000;
        }
        record["source"]["sample_rate"] = r.sample_rate;
        record["source"]["channels"] = r.channels;
        record["source"]["seconds"] = r.seconds;
        record["status"] = "ok";
        record["output"] = fs::path(item.relative).replace_extension(".tqc").generic_string();
        record["bytes"] = r.coded.bytes;
        record["kbps"] = number(r.actual_kbps);
        record["encode"] = timing(encoded, r.seconds);
        if (decoded) {
            record["decode"] = timing(*decoded, r.seconds);
            record["metrics"] = {{"snr", number(r.metrics.snr_db)},         {"segmental_snr", number(r.metrics.segmental_snr_db)},
                                 {"si_sdr", number(r.metrics.si_sdr_db)},   {"lsd", number(r.metrics.lsd_db)},
                                 {"mel", number(r.metrics.mel_distance)},   {"stoi", number(r.stoi)},
                                 {"delay", r.metrics.delay}};
        }
    } catch (const std::exception& e) {
        record["status"] = "failed";
        record["error"] = e.what();
        fs::remove(item.output, ec);  // no output without a record saying it is good
        remove_temporaries(item.output);
    }
    return record;
}

}  // namespace tqbatch
