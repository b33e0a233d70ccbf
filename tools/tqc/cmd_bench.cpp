// tqc bench [CORPUS_DIR] [--families LIST|all] [--rates LIST] [--anchors LIST|none] [--report DIR]
//           [--json] [-j N] [--ffmpeg PATH] [--clips LIST] [-O FAMILY:K=V,...]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "bench/child.hpp"
#include "bench/coding.hpp"
#include "bench/plan.hpp"
#include "bench/progress.hpp"
#include "bench/report.hpp"
#include "bench/runner.hpp"
#include "cli.hpp"
#include "commands.hpp"

namespace tqc::cli {
namespace {

constexpr const char* kUsage =
    "usage: tqc bench [CORPUS_DIR] [--families LIST|all] [--rates LIST] [--anchors LIST|none]\n"
    "                 [--report DIR] [--json] [-j N] [--ffmpeg PATH] [--clips LIST]\n"
    "                 [-O FAMILY:K=V,...]\n"
    "\n"
    "Rate-distortion and speed benchmark. Every clip of the corpus is coded by every codec at\n"
    "every rate, decoded and measured against the original: actual bitrate (encoded file size),\n"
    "SNR, segmental SNR, SI-SDR, LSD, multi-scale mel distance, STOI (speech clips), encode and\n"
    "decode speed (x real time per core, CPU time) and peak memory of the coding process.\n"
    "Prints averages per content class (clip name prefix sp/mu/ot = speech/music/other).\n"
    "\n"
    "  CORPUS_DIR           .flac/.wav/.ogg clips (default: $TQC_CORPUS, else ../shared/corpus/dev\n"
    "                       beside the repository, else <build>/corpus from scripts/make-corpus.sh)\n"
    "  --families LIST      library families, comma-separated, or all (default all); families\n"
    "                       this build lacks are skipped with a note; a family with mode=mdct\n"
    "                       also runs as <family>-mdct, and one with tune=perceptual as\n"
    "                       <family>-perceptual\n"
    "  --rates LIST         target bitrates (default 6k,12k,24k,48k,96k)\n"
    "  --anchors LIST       ffmpeg anchors: opus,mp3,vorbis,flac or none (default all four);\n"
    "                       a missing encoder is an error (exit 1)\n"
    "  --ffmpeg PATH        ffmpeg for the anchors (default <build>/ffmpeg/bin/ffmpeg)\n"
    "  --report DIR         write results.csv, results.json, table.txt, SVG plots, index.html\n"
    "  --json               print results JSON on stdout instead of the table\n"
    "  -j, --jobs N         clips coded in parallel (default: number of cores)\n"
    "  --clips LIST         only clips whose name contains one of these strings\n"
    "  -O, --options FAMILY:K=V,...  family options for every job of FAMILY (repeatable),\n"
    "                       e.g. -O fractal:min_range=4; shown in the codec's label\n"
    "\n"
    "Nothing is cached: every run codes everything again. See docs/bench.md.\n";

constexpr OptionSpec kSpecs[] = {{"families", 0, true}, {"rates", 0, true}, {"anchors", 0, true}, {"report", 0, true},
                                 {"json", 0, false},    {"jobs", 'j', true}, {"ffmpeg", 0, true},  {"clips", 0, true},
                                 {"options", 'O', true}};

std::vector<int> parse_rates(const std::string& text) {
    std::vector<int> rates;
    for (const std::string& r : tqb::split_list(text)) rates.push_back(parse_bitrate(r));
    if (rates.empty()) throw UsageError("bench: --rates needs at least one bitrate");
    return rates;
}

struct Plan {
    std::vector<tqb::Clip> clips;
    std::vector<tqb::Codec> codecs;
    std::vector<int> rates;
    std::vector<tqb::Job> jobs;
    tqb::RunInfo info;
};

Plan make_plan(const Args& a) {
    Plan p;
    if (a.positional().size() > 1) throw UsageError("bench: unexpected argument '" + a.positional()[1] + "'");
    p.info.corpus = tqb::find_corpus(a.positional().empty() ? "" : a.positional()[0]);
    p.clips = tqb::list_clips(p.info.corpus, tqb::split_list(a.last("clips").value_or("")));
    p.codecs = tqb::library_codecs(a.last("families").value_or("all"), p.info.notes);
    tqb::apply_family_options(p.codecs, a.all("options"));
    for (tqb::Codec& c : tqb::anchor_codecs(a.last("anchors").value_or("opus,mp3,vorbis,flac"))) p.codecs.push_back(c);
    if (p.codecs.empty()) throw Failure("bench", "nothing to measure: no available family and no anchor");
    p.rates = parse_rates(a.last("rates").value_or("6k,12k,24k,48k,96k"));
    p.info.ffmpeg = a.last("ffmpeg").value_or(
        std::filesystem::path(tqb::executable_dir() + "/../ffmpeg/bin/ffmpeg").lexically_normal().string());
    p.info.threads = parse_jobs(a, "bench");
    p.jobs = tqb::make_jobs(p.clips, p.codecs, p.rates);
    return p;
}

void print_plan(const Plan& p) {
    std::string codecs;
    for (const auto& c : p.codecs) codecs += (codecs.empty() ? "" : ", ") + c.label;
    std::fprintf(stderr, "tqc bench: %zu clips from %s; codecs: %s; %zu jobs on %d threads\n", p.clips.size(),
                 p.info.corpus.c_str(), codecs.c_str(), p.jobs.size(), p.info.threads);
    for (const auto& n : p.info.notes) std::fprintf(stderr, "tqc bench: note: %s\n", n.c_str());
}

std::string speed_note(int threads) {
    const unsigned cores = std::thread::hardware_concurrency();
    return "xRT = clip seconds / CPU seconds, i.e. x real time per core (library: every thread of the job during the "
           "tq_encode/tq_decode calls; anchors: the whole ffmpeg process, one thread); " + std::to_string(threads) + " jobs ran in parallel on " + std::to_string(cores) +
           " cores, so shared caches and memory bandwidth may slow each a little; MiB = peak RSS of the coding process";
}

}  // namespace

int cmd_bench(std::span<char* const> args) {
    // Internal child modes (see bench/coding.hpp, bench/child.hpp).
    if (!args.empty() && std::string_view(args[0]) == "--library-job") return tqb::run_library_job(args.subspan(1));
    if (!args.empty() && std::string_view(args[0]) == "--measure-exec")
        return tqb::run_measure_exec({args.begin() + 1, args.end()});
    const Args a = parse_args("bench", args, kSpecs);
    if (a.has("help")) return std::fputs(kUsage, stdout), kExitOk;
    Plan p = make_plan(a);
    bool anchors = false;
    for (const auto& c : p.codecs) anchors |= c.is_anchor;
    if (!anchors) p.info.ffmpeg.clear();
    tqb::require_anchor_encoders(p.info.ffmpeg, p.codecs);
    print_plan(p);

    tqb::WorkDir work("tqc-bench");
    const auto start = std::chrono::steady_clock::now();
    const std::vector<tqb::Result> results = tqb::run_jobs(p.jobs, {p.info.ffmpeg, work.path(), p.info.threads});
    p.info.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    p.info.notes.push_back(speed_note(p.info.threads));
    const std::vector<tqb::Summary> summaries = tqb::summarise(results, p.codecs, p.rates);

    if (a.has("json")) std::printf("%s\n", tqb::to_json(p.info, results, summaries).dump(2).c_str());
    else std::printf("%s%s", tqb::format_table(summaries).c_str(), tqb::format_notes(p.info).c_str());
    if (auto dir = a.last("report")) {
        const auto files = tqb::write_report(*dir, p.info, results, summaries, p.codecs);
        std::fprintf(stderr, "tqc bench: wrote %zu files to %s (open index.html)\n", files.size(), dir->c_str());
    }
    return kExitOk;
}

}  // namespace tqc::cli
