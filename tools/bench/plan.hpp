// What a benchmark run measures: the clips, the codecs and the clip x codec x rate jobs.
#pragma once

#include <string>
#include <vector>

#include "tqcodec/tqcodec.h"

namespace tqb {

enum class ContentClass { speech, music, other };
inline constexpr ContentClass kAllClasses[] = {ContentClass::speech, ContentClass::music, ContentClass::other};
const char* class_name(ContentClass c);

struct Clip {
    std::string name;  // file name without extension
    std::string path;
    ContentClass content = ContentClass::other;
};

enum class Anchor { opus, mp3, vorbis, flac };

struct Codec {
    std::string label;  // "turbo", "turbo-mdct", "opus", ...
    bool is_anchor = false;
    tq_family family{};    // library codecs
    std::string options;   // library codecs: "key=value,..."
    Anchor anchor{};       // anchors
    bool lossless = false; // one job per clip, no target rate
};

struct Job {
    const Clip* clip = nullptr;
    const Codec* codec = nullptr;
    int nominal_bps = 0;  // 0 for lossless codecs
};

// Content class from the clip name's prefix: sp = speech, mu = music, anything else = other.
ContentClass class_from_name(const std::string& clip_name);

// A file name the benchmark and tqc batch take as audio: .flac, .wav or .ogg.
bool is_audio_file(const std::string& path);

// Every .flac/.wav/.ogg file of `dir`, sorted by name; `filters` (substrings) keep only
// matching names when not empty. Throws cli::Failure when the directory holds none.
std::vector<Clip> list_clips(const std::string& dir, const std::vector<std::string>& filters);

// The directory of the running executable (/proc/self/exe).
std::string executable_dir();

// CORPUS_DIR if given; else $TQC_CORPUS; else <repo>/../shared/corpus/dev; else the corpus
// scripts/make-corpus.sh builds (<build>/corpus). Throws cli::Failure if none exists.
std::string find_corpus(const std::string& given);

// Library codecs for "turbo,fractal" or "all"; families this build lacks are skipped and
// named in `notes`. A family with an enum option "mode" offering "mdct" also gets "<name>-mdct".
std::vector<Codec> library_codecs(const std::string& list, std::vector<std::string>& notes);

// Appends "key=value,..." to every codec of a family, for each "FAMILY:key=value,..." in
// `specs` (and to its label, as "name[options]"). Throws cli::UsageError for a family not
// measured or options the library rejects.
void apply_family_options(std::vector<Codec>& codecs, const std::vector<std::string>& specs);

// Anchors for "opus,mp3,vorbis,flac" (or "none"); throws cli::UsageError for unknown names.
std::vector<Codec> anchor_codecs(const std::string& list);

// Every clip x codec x rate (lossless codecs: once per clip), clip-major order.
std::vector<Job> make_jobs(const std::vector<Clip>& clips, const std::vector<Codec>& codecs,
                           const std::vector<int>& rates);

std::vector<std::string> split_list(const std::string& text);

// A nominal rate as the user writes it: 1500 -> "1.5k", 12000 -> "12k", 0 -> "lossless".
std::string rate_label(int bps);

}  // namespace tqb
