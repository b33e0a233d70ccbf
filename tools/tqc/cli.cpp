#include "cli.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "tqcodec/tqcodec.h"

#ifndef TQC_VERSION
#define TQC_VERSION "unknown"
#endif

namespace tqc::cli {
namespace {

const OptionSpec kHelp{"help", 'h', false};

const OptionSpec* find_long(std::span<const OptionSpec> specs, std::string_view name) {
    if (name == kHelp.name) return &kHelp;
    for (const auto& s : specs)
        if (s.name == name) return &s;
    return nullptr;
}

const OptionSpec* find_short(std::span<const OptionSpec> specs, char c) {
    if (c == kHelp.short_name) return &kHelp;
    for (const auto& s : specs)
        if (s.short_name == c) return &s;
    return nullptr;
}

[[noreturn]] void usage_fail(std::string_view command, const std::string& why) {
    throw UsageError(std::string(command) + ": " + why + " (see 'tqc " + std::string(command) + " --help')");
}

bool parse_double(std::string_view text, double& out) {
    std::string s(text);
    char* end = nullptr;
    errno = 0;
    out = std::strtod(s.c_str(), &end);
    return !s.empty() && errno == 0 && end == s.c_str() + s.size() && std::isfinite(out);
}

}  // namespace

void warn(const std::string& what, const std::string& why) {
    std::fprintf(stderr, "tqc: warning: %s: %s\n", what.c_str(), why.c_str());
}

std::vector<std::string> Args::all(std::string_view name) const {
    auto it = values_.find(std::string(name));
    return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::optional<std::string> Args::last(std::string_view name) const {
    auto it = values_.find(std::string(name));
    if (it == values_.end()) return std::nullopt;
    return it->second.back();
}

void Args::require_positional(std::string_view command, std::initializer_list<std::string_view> names) const {
    if (positional_.size() == names.size()) return;
    std::string expected;
    for (auto n : names) {
        if (!expected.empty()) expected += ' ';
        expected += n;
    }
    if (positional_.size() < names.size()) {
        std::string why = "missing argument (expected ";  // built piecewise: g++ 12 -Wrestrict false positive
        why.append(expected).append(")");
        usage_fail(command, why);
    }
    usage_fail(command, "unexpected argument '" + positional_[names.size()] + "'");
}

namespace {

// One option word `a` (starting with '-'); may consume the next word as its value.
void parse_option(std::string_view command, std::span<char* const> args, size_t& i,
                  std::span<const OptionSpec> specs, std::map<std::string, std::vector<std::string>>& values) {
    const std::string_view a = args[i];
    const bool is_long = a[1] == '-';
    std::string_view body = a.substr(is_long ? 2 : 1);
    std::optional<std::string> value;
    const OptionSpec* spec = nullptr;
    if (is_long) {
        const size_t eq = body.find('=');
        if (eq != std::string_view::npos) value = std::string(body.substr(eq + 1)), body = body.substr(0, eq);
        spec = find_long(specs, body);
    } else {
        spec = find_short(specs, body[0]);
        if (body.size() > 1) value = std::string(body.substr(1));
    }
    if (!spec) usage_fail(command, "unknown option '" + std::string(a) + "'");
    if (!spec->takes_value && value) usage_fail(command, "option '" + std::string(a) + "' takes no value");
    if (spec->takes_value && !value) {
        if (i + 1 >= args.size()) usage_fail(command, "option '" + std::string(a) + "' needs a value");
        value = args[++i];
    }
    values[std::string(spec->name)].push_back(value.value_or(""));
}

}  // namespace

Args parse_args(std::string_view command, std::span<char* const> args, std::span<const OptionSpec> specs) {
    Args out;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        if (a == "--") {
            for (++i; i < args.size(); ++i) out.positional_.emplace_back(args[i]);
            break;
        }
        if (a.size() < 2 || a[0] != '-') out.positional_.emplace_back(a);
        else parse_option(command, args, i, specs, out.values_);
    }
    return out;
}

int parse_bitrate(std::string_view text) {
    std::string_view t = text;
    if (t.size() > 3 && t.substr(t.size() - 3) == "bps") t.remove_suffix(3);
    double scale = 1;
    if (!t.empty() && (t.back() == 'k' || t.back() == 'K')) scale = 1e3, t.remove_suffix(1);
    else if (!t.empty() && (t.back() == 'm' || t.back() == 'M')) scale = 1e6, t.remove_suffix(1);
    double v = 0;
    const std::string bad = "bad bitrate '" + std::string(text) + "' (expected e.g. 96k, 96000, 1.5M)";
    if (!parse_double(t, v) || v <= 0) throw UsageError("encode: " + bad);
    const double bps = std::round(v * scale);
    if (bps < 1 || bps > 2147483647.0) throw UsageError("encode: " + bad);
    return static_cast<int>(bps);
}

double parse_seconds(std::string_view option, std::string_view text) {
    double v = 0;
    if (!parse_double(text, v) || v < 0)
        throw UsageError(std::string(option) + ": expected a number of seconds >= 0, got '" + std::string(text) + "'");
    return v;
}

int parse_jobs(const Args& a, std::string_view command) {
    const auto cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const auto j = a.last("jobs");
    if (!j) return cores;
    char* end = nullptr;
    const long n = std::strtol(j->c_str(), &end, 10);
    if (j->empty() || *end || n < 1 || n > 256)
        throw UsageError(std::string(command) + ": -j needs a number of jobs from 1 to 256");
    return static_cast<int>(n);
}

std::string format_fixed(double value, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

std::string version_line() {
    return std::string("tqc ") + TQC_VERSION + " (libtqcodec " + tq_version_string() + ")";
}

}  // namespace tqc::cli
