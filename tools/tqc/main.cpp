// tqc: encode, decode, inspect and measure libtqcodec streams.
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <span>
#include <string>
#include <string_view>

#include "cli.hpp"
#include "commands.hpp"
#include "core/error.hpp"

namespace {

using tqc::cli::kExitFailure;
using tqc::cli::kExitOk;
using tqc::cli::kExitUsage;

struct Command {
    std::string_view name;
    int (*run)(std::span<char* const>);
    const char* summary;
};

constexpr Command kCommands[] = {
    {"encode", tqc::cli::cmd_encode, "encode WAV/FLAC/OGG into a .tqc file"},
    {"decode", tqc::cli::cmd_decode, "decode a .tqc file to WAV"},
    {"reduce", tqc::cli::cmd_reduce, "rewrite a .tqc file at a lower bitrate without decoding (rvq)"},
    {"info", tqc::cli::cmd_info, "inspect a .tqc file (header, packets, checksum, damage)"},
    {"compare", tqc::cli::cmd_compare, "quality metrics of a decoded file against its reference"},
    {"families", tqc::cli::cmd_families, "list codec families and their options"},
    {"batch", tqc::cli::cmd_batch, "encode a directory tree (parallel, resumable, shardable across machines)"},
    {"bench", tqc::cli::cmd_bench, "rate-distortion and speed benchmark against ffmpeg anchors"},
};

void print_usage(std::FILE* out) {
    std::fprintf(out, "usage: tqc COMMAND [OPTIONS] ARGS...\n       tqc --help | --version\n\ncommands:\n");
    for (const Command& c : kCommands) std::fprintf(out, "  %-10s %s\n", c.name.data(), c.summary);
    std::fprintf(out,
                 "\n'tqc COMMAND --help' describes a command.\n"
                 "Exit status: 0 success, 1 error (one line 'tqc: <what>: <why>' on stderr), 2 bad usage.\n");
}

int fail(int code, const char* message) {
    std::fprintf(stderr, "tqc: %s\n", message);
    return code;
}

int run(const Command& c, std::span<char* const> args) {
    const std::string prefix = std::string(c.name) + ": ";
    try {
        return c.run(args);
    } catch (const tqc::cli::UsageError& e) {
        return fail(kExitUsage, e.what());
    } catch (const tqc::cli::Failure& e) {
        return fail(kExitFailure, e.what());
    } catch (const tq::Error& e) {
        return fail(kExitFailure, (prefix + e.what()).c_str());
    } catch (const std::bad_alloc&) {
        return fail(kExitFailure, (prefix + "out of memory").c_str());
    } catch (const std::exception& e) {
        return fail(kExitFailure, (prefix + e.what()).c_str());
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::span<char* const> args(argv + 1, static_cast<size_t>(argc > 0 ? argc - 1 : 0));
    if (args.empty()) return fail(kExitUsage, "missing command (see 'tqc --help')");
    const std::string_view first = args[0];
    if (first == "--help" || first == "-h" || first == "help") return print_usage(stdout), kExitOk;
    if (first == "--version" || first == "-V")
        return std::printf("%s\n", tqc::cli::version_line().c_str()), kExitOk;
    for (const Command& c : kCommands)
        if (c.name == first) return run(c, args.subspan(1));
    const std::string why = first.starts_with("-") ? "unknown option '" : "unknown command '";
    return fail(kExitUsage, (why + std::string(first) + "' (see 'tqc --help')").c_str());
}
