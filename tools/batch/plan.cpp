// tqc batch: which files, which shard, and whether a file is already done.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "batch/batch.hpp"
#include "bench/plan.hpp"
#include "core/checksum.hpp"
#include "tqc/cli.hpp"
#include "tqc/output_file.hpp"

namespace tqbatch {
namespace fs = std::filesystem;
using tqc::cli::Failure;
using tqc::cli::UsageError;

Shard parse_shard(const std::string& text) {
    const size_t slash = text.find('/');
    const auto number = [&](const std::string& s) {
        char* end = nullptr;
        const long v = std::strtol(s.c_str(), &end, 10);
        return (s.empty() || *end || v < 1 || v > 1000000) ? -1L : v;
    };
    Shard s;
    if (slash != std::string::npos) {
        s.index = static_cast<int>(number(text.substr(0, slash)));
        s.count = static_cast<int>(number(text.substr(slash + 1)));
    }
    if (slash == std::string::npos || s.index < 1 || s.count < 1 || s.index > s.count)
        throw UsageError("batch: --shard needs I/N with 1 <= I <= N, got '" + text + "'");
    return s;
}

int shard_of(const std::string& relative, int count) {
    uint64_t h = 14695981039346656037ull;  // FNV-1a, 64 bits
    for (const unsigned char c : relative) h = (h ^ c) * 1099511628211ull;
    return static_cast<int>(h % static_cast<uint64_t>(count));
}

std::vector<Item> list_items(const std::string& in_dir, const std::string& out_dir, const Shard& shard) {
    std::error_code ec;
    if (!fs::is_directory(in_dir, ec)) throw Failure(in_dir, "not a directory");
    std::vector<std::string> relatives;
    for (auto it = fs::recursive_directory_iterator(in_dir, fs::directory_options::follow_directory_symlink, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file() && tqb::is_audio_file(it->path().string()))
            relatives.push_back(fs::relative(it->path(), in_dir).generic_string());
    }
    if (ec) throw Failure(in_dir, ec.message());
    if (relatives.empty()) throw Failure(in_dir, "no audio files (.flac, .wav, .ogg) under it");
    std::sort(relatives.begin(), relatives.end());

    std::map<std::string, std::string> claimed;  // output -> source
    std::vector<Item> items;
    for (const std::string& rel : relatives) {
        const std::string out_rel = fs::path(rel).replace_extension(".tqc").generic_string();
        if (auto [it, fresh] = claimed.emplace(out_rel, rel); !fresh)
            throw Failure(in_dir, "'" + it->second + "' and '" + rel + "' would both be written to '" + out_rel + "'");
        if (shard_of(rel, shard.count) != shard.index - 1) continue;
        const std::string output = (fs::path(out_dir) / out_rel).string();
        items.push_back({rel, (fs::path(in_dir) / rel).string(), output, output + ".json"});
    }
    return items;
}

std::string file_sha256(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Failure(path, "cannot read");
    tq::Sha256 sha;
    std::vector<char> buf(1 << 20);
    while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0)
        sha.update({reinterpret_cast<const uint8_t*>(buf.data()), static_cast<size_t>(in.gcount())});
    const tq::Sha256Digest digest = sha.finish();
    return tq::to_hex(digest);
}

namespace {

std::optional<Json> read_json(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    Json j = Json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    return j;
}

uint64_t size_or_zero(const std::string& path) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    return ec ? 0 : size;
}

}  // namespace

Json done_record(const Item& item, const Settings& settings) {
    const std::optional<Json> r = read_json(item.record);
    if (!r) return nullptr;
    try {
        const Json& s = r->at("settings");
        if (r->at("status") != "ok" || s.at("family") != settings.family || s.at("bitrate") != settings.bitrate ||
            s.at("options") != settings.options || (settings.measure && !r->contains("metrics")))
            return nullptr;
        const uint64_t bytes = r->at("bytes").get<uint64_t>();
        if (bytes == 0 || size_or_zero(item.output) != bytes) return nullptr;
        const Json& src = r->at("source");
        if (size_or_zero(item.source) != src.at("bytes").get<uint64_t>()) return nullptr;
        if (file_sha256(item.source) != src.at("sha256").get<std::string>()) return nullptr;
    } catch (const std::exception&) {  // a record of another shape: not done
        return nullptr;
    }
    return *r;
}

void write_record(const std::string& path, const Json& record) {
    tqc::cli::TempOutput temp(path);
    {
        std::ofstream out(temp.temp_path());
        out << record.dump(2) << "\n";
        if (!out.flush()) throw Failure(path, "cannot write");
    }
    temp.commit();
}

std::vector<Json> read_records(const std::string& out_dir) {
    std::vector<Json> records;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(out_dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        const std::string path = it->path().string();
        if (!it->is_regular_file() || !path.ends_with(".tqc.json")) continue;
        std::optional<Json> r = read_json(path);
        if (!r || !r->contains("file") || !r->contains("status")) {
            tqc::cli::warn(path, "not a tqc batch record: ignored");
            continue;
        }
        records.push_back(std::move(*r));
    }
    if (ec) throw Failure(out_dir, ec.message());
    std::sort(records.begin(), records.end(),
              [](const Json& a, const Json& b) { return a["file"].get<std::string>() < b["file"].get<std::string>(); });
    return records;
}

}  // namespace tqbatch
