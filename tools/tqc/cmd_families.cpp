// tqc families
#include <cmath>
#include <cstdio>
#include <string>

#include "cli.hpp"
#include "commands.hpp"
#include "tqcodec/tqcodec.h"

namespace tqc::cli {
namespace {

constexpr const char* kUsage =
    "usage: tqc families\n"
    "\n"
    "Lists every codec family, whether this build implements it, its description and its\n"
    "encoder options (give them to 'tqc encode -O key=value,...').\n";

const char* type_name(tq_option_type t) {
    switch (t) {
        case TQ_OPTION_INT: return "int";
        case TQ_OPTION_FLOAT: return "float";
        case TQ_OPTION_BOOL: return "bool";
        case TQ_OPTION_POW2: return "pow2";
        case TQ_OPTION_ENUM: return "enum";
    }
    return "?";
}

std::string num(double v) {
    char buf[40];
    if (v == std::floor(v) && std::fabs(v) < 1e15) std::snprintf(buf, sizeof buf, "%.0f", v);
    else std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

std::string range_text(const tq_option_info& o) {
    if (o.type == TQ_OPTION_BOOL) return "0/1";
    if (o.type == TQ_OPTION_ENUM && o.choices) return o.choices;
    return num(o.min_value) + ".." + num(o.max_value);
}

// An enum's default by name: the default_value-th of its choices.
std::string default_text(const tq_option_info& o) {
    if (o.type != TQ_OPTION_ENUM || !o.choices) return num(o.default_value);
    std::string choices = o.choices;
    size_t start = 0;
    for (int i = 0; i < static_cast<int>(o.default_value); ++i) start = choices.find('|', start) + 1;
    return choices.substr(start, choices.find('|', start) - start);
}

void print_options(tq_family f) {
    const int n = tq_family_option_count(f);
    if (n == 0) return static_cast<void>(std::printf("    (no options)\n"));
    std::printf("    %-10s %-6s %-11s %-14s %s\n", "option", "type", "default", "range", "help");
    for (int i = 0; i < n; ++i) {
        const tq_option_info* o = tq_family_option(f, i);
        if (!o) continue;
        std::printf("    %-10s %-6s %-11s %-14s %s\n", o->name, type_name(o->type), default_text(*o).c_str(),
                    range_text(*o).c_str(), o->help ? o->help : "");
    }
}

// "    sample rates: 24000 Hz (others are resampled)" for families that code fixed rates.
void print_sample_rates(tq_family f) {
    const int* rates = tq_family_sample_rates(f);
    if (!rates) return;
    std::string list;
    for (const int* r = rates; *r; ++r) list += (list.empty() ? "" : ", ") + std::to_string(*r);
    std::printf("    sample rates: %s Hz (tqc encode resamples other rates with libsoxr)\n", list.c_str());
}

}  // namespace

int cmd_families(std::span<char* const> args) {
    const Args a = parse_args("families", args, {});
    if (a.has("help")) return std::fputs(kUsage, stdout), kExitOk;
    a.require_positional("families", {});
    for (int id = TQ_FAMILY_FIRST; id <= TQ_FAMILY_LAST; ++id) {
        const auto f = static_cast<tq_family>(id);
        std::printf("%s (id %d): %s\n", tq_family_name(f),
                    id, tq_family_available(f) ? "available" : "not implemented in this build");
        std::printf("    %s\n", tq_family_description(f));
        print_sample_rates(f);
        print_options(f);
        if (id != TQ_FAMILY_LAST) std::printf("\n");
    }
    return kExitOk;
}

}  // namespace tqc::cli
