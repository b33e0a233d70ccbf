// Shared command-line plumbing of tqc: errors, exit codes, argument parsing, formatting.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tqc::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // any error: one line "tqc: <what>: <why>"
inline constexpr int kExitUsage = 2;    // unknown command, flag, missing or extra argument

// Bad command line: printed as "tqc: <message>", exit 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Anything else that stops a command: printed as "tqc: <what>: <why>", exit 1.
class Failure : public std::runtime_error {
public:
    Failure(const std::string& what, const std::string& why) : std::runtime_error(what + ": " + why) {}
};

// "tqc: warning: <what>: <why>" on stderr.
void warn(const std::string& what, const std::string& why);

struct OptionSpec {
    std::string_view name;  // long name, used as the key ("codec" for --codec)
    char short_name;        // 0 if none
    bool takes_value;
};

class Args {
public:
    bool has(std::string_view name) const { return values_.count(std::string(name)) != 0; }
    // Every value given for an option, in order ("" for flags).
    std::vector<std::string> all(std::string_view name) const;
    std::optional<std::string> last(std::string_view name) const;
    const std::vector<std::string>& positional() const { return positional_; }

    // Throws UsageError unless there are exactly `names.size()` positional arguments.
    void require_positional(std::string_view command, std::initializer_list<std::string_view> names) const;

private:
    friend Args parse_args(std::string_view, std::span<char* const>, std::span<const OptionSpec>);
    std::map<std::string, std::vector<std::string>> values_;
    std::vector<std::string> positional_;
};

// Parses --name, --name=value, --name value, -x, -xVALUE, -x value; "-" is positional,
// "--" ends the options. --help/-h is always accepted. Unknown flags throw UsageError.
Args parse_args(std::string_view command, std::span<char* const> args, std::span<const OptionSpec> specs);

// "96k", "96000", "1.5M", "128kbps" -> bits per second; throws UsageError when malformed.
int parse_bitrate(std::string_view text);
// A number of seconds >= 0; throws UsageError when malformed.
double parse_seconds(std::string_view option, std::string_view text);

// The value of -j/--jobs (1..256), or the number of cores when not given.
int parse_jobs(const Args& a, std::string_view command);

std::string format_fixed(double value, int decimals);

// The tool's version line: "tqc 0.1.0 (libtqcodec 0.1.0)".
std::string version_line();

}  // namespace tqc::cli
