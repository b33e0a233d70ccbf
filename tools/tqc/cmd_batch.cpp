// tqc batch -c FAMILY [-b RATE] [-O K=V,...] [--measure] [-j N] [--shard I/N] IN_DIR OUT_DIR
// tqc batch --merge OUT_DIR
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <unistd.h>

#include "batch/batch.hpp"
#include "bench/child.hpp"
#include "bench/progress.hpp"
#include "bench/runner.hpp"
#include "cli.hpp"
#include "codec.hpp"
#include "commands.hpp"

namespace tqc::cli {
namespace {

constexpr const char* kUsage =
    "usage: tqc batch -c FAMILY [-b RATE] [-O K=V,...] [--measure] [-j N] [--shard I/N] IN_DIR OUT_DIR\n"
    "       tqc batch --merge OUT_DIR\n"
    "\n"
    "Encodes every audio file under IN_DIR (.flac, .wav, .ogg, recursively) into the same tree\n"
    "under OUT_DIR (sub/x.flac -> OUT_DIR/sub/x.tqc, the same file 'tqc encode' writes), with a\n"
    "record OUT_DIR/sub/x.tqc.json: source size and SHA-256, settings, bytes, kbit/s, CPU and wall\n"
    "times, x real time, peak memory, and with --measure the quality metrics of 'tqc compare'.\n"
    "\n"
    "  -c, --codec FAMILY     family to encode with (see 'tqc families')\n"
    "  -b, --bitrate RATE     target bitrate: 96k, 96000 (default: the family's options)\n"
    "  -O, --options K=V,...  family options (repeatable)\n"
    "  --measure              decode each file back and measure it against its source\n"
    "                         (SNR, segmental SNR, SI-SDR, LSD, mel distance; STOI for sp* files)\n"
    "  -j, --jobs N           files coded in parallel (default: number of cores)\n"
    "  --shard I/N            only this machine's share: the files whose path hashes to shard I\n"
    "                         of N (1 <= I <= N); N machines with I = 1..N cover every file once\n"
    "  --merge                rebuild OUT_DIR/batch-summary.json from every record under OUT_DIR\n"
    "                         (after copying the shards' output trees into one)\n"
    "\n"
    "Outputs and records appear only when complete (written beside, then renamed). A rerun skips\n"
    "every file whose record says ok with the same settings, whose output has the recorded size\n"
    "and whose source still has the recorded size and SHA-256; anything else is encoded again.\n"
    "SIGINT or SIGTERM lets the files in progress finish (a second one aborts them) and stops.\n"
    "At the end: OUT_DIR/batch-summary.json (batch-summary.shard-I-of-N.json for a shard) and a\n"
    "table on stdout. A failed file is listed and the batch goes on.\n"
    "Exit status: 0 all files ok, 1 some failed, 130 interrupted, 2 bad usage. See docs/batch.md.\n";

constexpr OptionSpec kSpecs[] = {{"codec", 'c', true}, {"bitrate", 'b', true}, {"options", 'O', true},
                                 {"measure", 0, false}, {"jobs", 'j', true},   {"shard", 0, true},
                                 {"merge", 0, false}};

constexpr int kExitInterrupted = 130;

std::atomic<bool> g_stop{false};

void on_signal(int) {
    g_stop = true;
    static const char kMessage[] = "\ntqc batch: stopping after the files in progress (again to abort them)\n";
    [[maybe_unused]] const auto n = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
}

// SIGINT/SIGTERM set g_stop once; the handler resets itself, so a second signal kills.
class StopOnSignal {
public:
    StopOnSignal() {
        struct sigaction sa {};
        sa.sa_handler = on_signal;
        sa.sa_flags = SA_RESTART | SA_RESETHAND;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &old_int_);
        sigaction(SIGTERM, &sa, &old_term_);
    }
    ~StopOnSignal() {
        sigaction(SIGINT, &old_int_, nullptr);
        sigaction(SIGTERM, &old_term_, nullptr);
    }

private:
    struct sigaction old_int_ {}, old_term_ {};
};

tqbatch::Settings settings_from(const Args& a) {
    a.require_positional("batch", {"IN_DIR", "OUT_DIR"});
    const auto codec = a.last("codec");
    if (!codec) throw UsageError("batch: missing -c FAMILY (see 'tqc families')");
    tqbatch::Settings s;
    const tq_family family = family_from_name(*codec);
    if (!tq_family_available(family)) throw Failure("batch", "family " + *codec + " is not implemented in this build");
    s.family = tq_family_name(family);
    if (auto b = a.last("bitrate")) s.bitrate = parse_bitrate(*b);
    for (const auto& o : a.all("options")) s.options += (s.options.empty() ? "" : ",") + o;
    s.measure = a.has("measure");
    return s;
}

std::string summary_name(const std::optional<tqbatch::Shard>& shard) {
    if (!shard) return "batch-summary.json";
    return "batch-summary.shard-" + std::to_string(shard->index) + "-of-" + std::to_string(shard->count) + ".json";
}

void write_summary(const std::string& path, const tqbatch::Json& summary) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    tqbatch::write_record(path, summary);
}

int exit_status(const tqbatch::Json& summary) { return summary["total"]["failed"].get<int>() ? kExitFailure : kExitOk; }

int merge(const Args& a) {
    if (a.positional().size() != 1) throw UsageError("batch --merge: expected OUT_DIR alone");
    const std::string out_dir = a.positional()[0];
    const std::vector<tqbatch::Json> records = tqbatch::read_records(out_dir);
    if (records.empty()) throw Failure(out_dir, "no tqc batch records (*.tqc.json) under it");
    tqbatch::Json summary = tqbatch::summarise(records);
    summary["run"] = {{"merged_records", records.size()}};
    const std::string path = (std::filesystem::path(out_dir) / summary_name(std::nullopt)).string();
    write_summary(path, summary);
    std::printf("%s", tqbatch::format_summary(summary).c_str());
    std::fprintf(stderr, "tqc batch: merged %zu records; summary in %s\n", records.size(), path.c_str());
    return exit_status(summary);
}

}  // namespace

int cmd_batch(std::span<char* const> args) {
    const Args a = parse_args("batch", args, kSpecs);
    if (a.has("help")) return std::fputs(kUsage, stdout), kExitOk;
    if (a.has("merge")) return merge(a);
    const tqbatch::Settings settings = settings_from(a);
    const std::string in_dir = a.positional()[0], out_dir = a.positional()[1];
    std::optional<tqbatch::Shard> shard;
    if (auto s = a.last("shard")) shard = tqbatch::parse_shard(*s);
    const int jobs = parse_jobs(a, "batch");
    const std::vector<tqbatch::Item> items = tqbatch::list_items(in_dir, out_dir, shard.value_or(tqbatch::Shard{}));
    std::filesystem::create_directories(out_dir);

    StopOnSignal signals;
    const auto start = std::chrono::steady_clock::now();
    // Records of the files already done (checked in parallel: hashing reads every source).
    std::vector<tqbatch::Json> records(items.size());
    tqb::run_parallel(items.size(), jobs, [&](size_t i) { records[i] = tqbatch::done_record(items[i], settings); },
                      [] { return g_stop.load(); });
    std::vector<size_t> todo;
    for (size_t i = 0; i < items.size(); ++i)
        if (records[i].is_null()) todo.push_back(i);
    const size_t skipped = items.size() - todo.size();
    std::fprintf(stderr, "tqc batch: %zu files%s under %s; %zu already done; encoding %zu with %s on %d threads\n",
                 items.size(), shard ? (" (shard " + std::to_string(shard->index) + "/" + std::to_string(shard->count) + ")").c_str() : "",
                 in_dir.c_str(), skipped, todo.size(), settings.family.c_str(), jobs);

    tqb::WorkDir work("tqc-batch");
    const tqbatch::JobContext context{settings, work.path()};
    std::atomic<size_t> encoded{0}, interrupted{0};
    tqb::Progress progress(todo.size(), "tqc batch");
    tqb::run_parallel(
        todo.size(), jobs,
        [&](size_t k) {
            const tqbatch::Item& item = items[todo[k]];
            tqbatch::Json record = tqbatch::run_item(item, context);
            const bool ok = record["status"] == "ok";
            if (!ok && g_stop) {  // most likely killed by the same Ctrl-C: not a result
                ++interrupted;
                progress.job_done(item.relative, "interrupted");
                return;
            }
            tqbatch::write_record(item.record, record);
            ++encoded;
            progress.job_done(item.relative, ok ? format_fixed(record["kbps"].is_number() ? record["kbps"].get<double>() : 0, 1) + " kbit/s"
                                                : "FAILED: " + record.value("error", ""));
            records[todo[k]] = std::move(record);
        },
        [] { return g_stop.load(); });
    progress.finish();

    std::vector<tqbatch::Json> present;
    for (tqbatch::Json& r : records)
        if (!r.is_null()) present.push_back(r);
    tqbatch::Json summary = tqbatch::summarise(present);
    const size_t not_done = items.size() - present.size();
    summary["run"] = {{"in_dir", in_dir},
                      {"files", items.size()},
                      {"skipped", skipped},
                      {"encoded", encoded.load()},
                      {"not_done", not_done},
                      {"interrupted", g_stop.load()},
                      {"jobs", jobs},
                      {"wall_seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()}};
    if (shard) summary["run"]["shard"] = std::to_string(shard->index) + "/" + std::to_string(shard->count);
    const std::string path = (std::filesystem::path(out_dir) / summary_name(shard)).string();
    write_summary(path, summary);
    std::printf("%s", tqbatch::format_summary(summary).c_str());
    std::fprintf(stderr, "tqc batch: %zu encoded, %zu already done, %d failed%s; summary in %s\n", encoded.load(), skipped,
                 summary["total"]["failed"].get<int>(),
                 not_done ? (", " + std::to_string(not_done) + " not done (rerun to finish)").c_str() : "", path.c_str());
    if (g_stop) return kExitInterrupted;
    return exit_status(summary);
}

}  // namespace tqc::cli
