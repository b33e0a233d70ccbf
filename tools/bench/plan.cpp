#include "bench/plan.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "tqc/cli.hpp"

namespace tqb {
namespace fs = std::filesystem;
using tqc::cli::Failure;
using tqc::cli::UsageError;

const char* class_name(ContentClass c) {
    switch (c) {
        case ContentClass::speech: return "speech";
        case ContentClass::music: return "music";
        case ContentClass::other: return "other";
    }
    return "other";
}

ContentClass class_from_name(const std::string& name) {
    if (name.starts_with("sp")) return ContentClass::speech;
    if (name.starts_with("mu")) return ContentClass::music;
    return ContentClass::other;
}

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t end = std::min(text.find(',', start), text.size());
        if (end > start) out.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

bool is_audio_file(const std::string& path) {
    const std::string ext = fs::path(path).extension().string();
    return ext == ".flac" || ext == ".wav" || ext == ".ogg";
}

namespace {

bool passes(const std::string& name, const std::vector<std::string>& filters) {
    if (filters.empty()) return true;
    return std::any_of(filters.begin(), filters.end(),
                       [&](const std::string& f) { return name.find(f) != std::string::npos; });
}

bool has_audio(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return false;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (is_audio_file(e.path().string())) return true;
    return false;
}

}  // namespace

std::vector<Clip> list_clips(const std::string& dir, const std::vector<std::string>& filters) {
    std::vector<Clip> clips;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        const std::string name = e.path().stem().string();
        if (e.is_regular_file() && is_audio_file(e.path().string()) && passes(name, filters))
            clips.push_back({name, e.path().string(), class_from_name(name)});
    }
    if (ec) throw Failure(dir, ec.message());
    if (clips.empty()) throw Failure(dir, "no audio clips (.flac, .wav, .ogg) to benchmark");
    std::sort(clips.begin(), clips.end(), [](const Clip& a, const Clip& b) { return a.name < b.name; });
    return clips;
}

std::string executable_dir() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string(".") : exe.parent_path().string();
}

std::string find_corpus(const std::string& given) {
    if (!given.empty()) return given;
    if (const char* env = std::getenv("TQC_CORPUS"); env && *env) return env;
    const fs::path exe_dir = executable_dir();  // <build>/tools
    for (const fs::path& candidate : {exe_dir / "../../../shared/corpus/dev", exe_dir / "../corpus"})
        if (has_audio(candidate)) return fs::weakly_canonical(candidate).string();
    throw Failure("bench", "no corpus found: give CORPUS_DIR, set TQC_CORPUS, or build one with scripts/make-corpus.sh");
}

namespace {

// True if the enum option `name` of family f has the choice `choice`.
bool offers_choice(tq_family f, const std::string& name, const std::string& choice) {
    for (int i = 0; i < tq_family_option_count(f); ++i) {
        const tq_option_info* o = tq_family_option(f, i);
        if (!o || o->name != name || o->type != TQ_OPTION_ENUM || !o->choices) continue;
        std::string choices = "|";  // built piecewise: g++ 12 -Wrestrict false positive
        choices.append(o->choices).append("|");
        if (choices.find("|" + choice + "|") != std::string::npos) return true;
    }
    return false;
}

std::vector<std::string> family_names(const std::string& list) {
    if (list != "all") return split_list(list);
    std::vector<std::string> names;
    for (int id = TQ_FAMILY_FIRST; id <= TQ_FAMILY_LAST; ++id) names.emplace_back(tq_family_name(static_cast<tq_family>(id)));
    return names;
}

}  // namespace

std::vector<Codec> library_codecs(const std::string& list, std::vector<std::string>& notes) {
    std::vector<Codec> codecs;
    for (const std::string& name : family_names(list)) {
        tq_family f{};
        if (tq_family_from_name(name.c_str(), &f) != TQ_OK) throw UsageError("bench: unknown family '" + name + "' (see 'tqc families')");
        if (!tq_family_available(f)) {
            notes.push_back("family " + name + " is not implemented in this build: skipped");
            continue;
        }
        codecs.push_back({name, false, f, "", {}, false});
        if (!offers_choice(f, "mode", "mdct")) continue;
        codecs.push_back({name + "-mdct", false, f, "mode=mdct", {}, false});
        if (offers_choice(f, "tune", "perceptual"))
            codecs.push_back({name + "-perceptual", false, f, "mode=mdct,tune=perceptual", {}, false});
    }
    return codecs;
}

namespace {

// Fails with the library's own message if `options` do not suit `family`.
void check_family_options(tq_family family, const std::string& options) {
    tq_encoder_config config;
    tq_encoder_config_init(&config, family);
    config.options = options.c_str();
    tq_encoder* enc = nullptr;
    const int rc = tq_encoder_create(&config, &enc);
    tq_encoder_destroy(enc);
    if (rc == TQ_ERR_INVALID_ARGUMENT) throw UsageError(std::string("bench --options: ") + tq_last_error_message());
}

}  // namespace

void apply_family_options(std::vector<Codec>& codecs, const std::vector<std::string>& specs) {
    for (const std::string& spec : specs) {
        const size_t colon = spec.find(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size())
            throw UsageError("bench --options: expected FAMILY:key=value,..., got '" + spec + "'");
        const std::string family = spec.substr(0, colon), options = spec.substr(colon + 1);
        bool used = false;
        for (Codec& c : codecs) {
            if (c.is_anchor || family != tq_family_name(c.family)) continue;
            c.options += (c.options.empty() ? "" : ",") + options;
            c.label += "[" + options + "]";
            check_family_options(c.family, c.options);
            used = true;
        }
        if (!used) throw UsageError("bench --options: no family '" + family + "' among the codecs measured");
    }
}

std::vector<Codec> anchor_codecs(const std::string& list) {
    std::vector<Codec> codecs;
    if (list == "none" || list.empty()) return codecs;
    for (const std::string& name : split_list(list)) {
        Codec c{name, true, {}, "", {}, false};
        if (name == "opus") c.anchor = Anchor::opus;
        else if (name == "mp3") c.anchor = Anchor::mp3;
        else if (name == "vorbis") c.anchor = Anchor::vorbis;
        else if (name == "flac") c.anchor = Anchor::flac, c.lossless = true;
        else throw UsageError("bench: unknown anchor '" + name + "' (expected opus, mp3, vorbis, flac or none)");
        codecs.push_back(c);
    }
    return codecs;
}

std::vector<Job> make_jobs(const std::vector<Clip>& clips, const std::vector<Codec>& codecs, const std::vector<int>& rates) {
    std::vector<Job> jobs;
    for (const Clip& clip : clips)
        for (const Codec& codec : codecs) {
            if (codec.lossless) {
                jobs.push_back({&clip, &codec, 0});
                continue;
            }
            for (int rate : rates) jobs.push_back({&clip, &codec, rate});
        }
    return jobs;
}

std::string rate_label(int bps) {
    if (bps == 0) return "lossless";
    std::string k = tqc::cli::format_fixed(bps / 1000.0, 3);
    k.erase(k.find_last_not_of('0') + 1);
    if (k.back() == '.') k.pop_back();
    return k + "k";
}

}  // namespace tqb
