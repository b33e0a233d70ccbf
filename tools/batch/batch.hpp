// tqc batch: a directory tree of audio files encoded (optionally decoded back and measured)
// into the same tree of .tqc files, each with a JSON record of how it went. The records are
// what reruns check (skip what is done) and what summaries and --merge are built from.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tqbatch {

using Json = nlohmann::ordered_json;

// What every file of a run is encoded with; a record made with other settings is not "done".
struct Settings {
    std::string family;
    int bitrate = 0;      // 0: the family's default
    std::string options;  // "key=value,..." or ""
    bool measure = false; // decode back and compare with the source
};

struct Shard {
    int index = 1;  // 1..count
    int count = 1;
};

// "I/N" with 1 <= I <= N; throws cli::UsageError otherwise.
Shard parse_shard(const std::string& text);

// One source file: its path relative to IN_DIR and where its outputs go under OUT_DIR.
struct Item {
    std::string relative;  // "sub/clip.flac" (always '/')
    std::string source;    // IN_DIR/sub/clip.flac
    std::string output;    // OUT_DIR/sub/clip.tqc
    std::string record;    // OUT_DIR/sub/clip.tqc.json
};

// Every audio file under in_dir (recursively, sorted by relative path) that belongs to
// `shard`: files are dealt to shards by a hash of their relative path, so each shard's
// share depends only on the names, never on the machine or on which files exist. Throws
// cli::Failure when in_dir holds no audio, or when two sources would write the same output.
std::vector<Item> list_items(const std::string& in_dir, const std::string& out_dir, const Shard& shard);

// The shard (0-based) a relative path belongs to among `count`.
int shard_of(const std::string& relative, int count);

// The record of a finished item if it is still valid: status ok, same settings, the output's
// size as recorded, and the source's size and SHA-256 as recorded. Otherwise null.
Json done_record(const Item& item, const Settings& settings);

// Lower-case hex SHA-256 of a file's bytes.
std::string file_sha256(const std::string& path);

struct JobContext {
    Settings settings;
    std::string work_dir;  // temporary decoded audio
};

// Encodes (and measures) one item in child processes ("tqc encode", "tqc decode") and
// returns its record. Failures are records with status "failed" and the error; a child
// killed by a signal throws Interrupted (the caller decides whether that was the user).
Json run_item(const Item& item, const JobContext& context);

struct Interrupted {
    std::string what;
};

// Writes a record atomically (temporary file, then rename).
void write_record(const std::string& path, const Json& record);

// Every record (*.tqc.json) under out_dir, sorted by source path; unreadable ones are
// skipped with a warning.
std::vector<Json> read_records(const std::string& out_dir);

// Totals over the records, overall and per top-level folder: files, ok, failed, source
// seconds, bytes, kbit/s (bytes x 8 / seconds), mean quality metrics of measured files,
// x real time; the failures with their errors. Deterministic for a given set of records
// apart from the "speed" objects.
Json summarise(const std::vector<Json>& records);

// The summary as a terminal table, with the failures listed under it.
std::string format_summary(const Json& summary);

}  // namespace tqbatch
