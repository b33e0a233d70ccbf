#include "core/options.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "core/error.hpp"

namespace tq {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string format_number(double v) {
    std::ostringstream out;
    out << v;
    return out.str();
}

bool parse_bool(std::string_view text, double& out) {
    if (text == "1" || text == "true" || text == "yes" || text == "on") return out = 1, true;
    if (text == "0" || text == "false" || text == "no" || text == "off") return out = 0, true;
    return false;
}

bool parse_number(std::string_view text, double& out) {
    std::string s(text);
    if (s.empty()) return false;
    char* end = nullptr;
    errno = 0;
    out = std::strtod(s.c_str(), &end);
    return errno == 0 && end == s.c_str() + s.size() && std::isfinite(out);
}

bool is_power_of_two(double v) {
    if (v < 1 || v != std::floor(v)) return false;
    auto n = static_cast<unsigned long long>(v);
    return (n & (n - 1)) == 0;
}

// Index of `text` among the '|'-separated names in `choices`, or -1.
int choice_index(const char* choices, std::string_view text) {
    std::string_view rest = choices ? choices : "";
    for (int index = 0; !rest.empty(); ++index) {
        size_t bar = rest.find('|');
        if (rest.substr(0, bar) == text) return index;
        rest = bar == std::string_view::npos ? std::string_view{} : rest.substr(bar + 1);
    }
    return -1;
}

double parse_value(const tq_option_info& opt, std::string_view family, std::string_view text) {
    std::string where = std::string(family) + " option '" + opt.name + "'";
    double v = 0;
    if (opt.type == TQ_OPTION_ENUM) {
        int index = choice_index(opt.choices, text);
        if (index >= 0) return index;
        require(parse_number(text, v) && v == std::floor(v) && v >= opt.min_value && v <= opt.max_value,
                TQ_ERR_INVALID_ARGUMENT,
                where + ": expected one of " + std::string(opt.choices ? opt.choices : "") + ", got '" +
                    std::string(text) + "'");
        return v;
    }
    if (opt.type == TQ_OPTION_BOOL) {
        require(parse_bool(text, v), TQ_ERR_INVALID_ARGUMENT,
                where + ": expected 0/1, true/false or yes/no, got '" + std::string(text) + "'");
        return v;
    }
    require(parse_number(text, v), TQ_ERR_INVALID_ARGUMENT,
            where + ": expected a number, got '" + std::string(text) + "'");
    require(opt.type == TQ_OPTION_FLOAT || v == std::floor(v), TQ_ERR_INVALID_ARGUMENT,
            where + ": expected an integer, got '" + std::string(text) + "'");
    require(v >= opt.min_value && v <= opt.max_value, TQ_ERR_INVALID_ARGUMENT,
            where + ": " + std::string(text) + " is out of range [" + format_number(opt.min_value) +
                ", " + format_number(opt.max_value) + "]");
    require(opt.type != TQ_OPTION_POW2 || is_power_of_two(v), TQ_ERR_INVALID_ARGUMENT,
            where + ": " + std::string(text) + " is not a power of two");
    return v;
}

std::string known_keys(std::span<const tq_option_info> schema) {
    std::string keys;
    for (const auto& opt : schema) keys += (keys.empty() ? "" : ", ") + std::string(opt.name);
    return keys.empty() ? "none" : keys;
}

}  // namespace

OptionValues OptionValues::parse(std::span<const tq_option_info> schema, std::string_view family,
                                 std::string_view text) {
    OptionValues result;
    for (const auto& opt : schema) result.values_[opt.name] = opt.default_value;

    while (!text.empty()) {
        size_t comma = text.find(',');
        std::string_view item = trim(text.substr(0, comma));
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        if (item.empty()) continue;

        size_t eq = item.find('=');
        require(eq != std::string_view::npos, TQ_ERR_INVALID_ARGUMENT,
                std::string(family) + ": option '" + std::string(item) + "' is not key=value");
        std::string key(trim(item.substr(0, eq)));
        std::string_view value = trim(item.substr(eq + 1));

        const tq_option_info* opt = nullptr;
        for (const auto& candidate : schema)
            if (key == candidate.name) opt = &candidate;
        require(opt != nullptr, TQ_ERR_INVALID_ARGUMENT,
                std::string(family) + ": unknown option '" + key + "' (known: " + known_keys(schema) + ")");
        require(!result.given(key), TQ_ERR_INVALID_ARGUMENT,
                std::string(family) + ": option '" + key + "' given twice");
        result.values_[key] = parse_value(*opt, family, value);
        result.given_[key] = true;
    }
    return result;
}

double OptionValues::get(const std::string& name) const {
    auto it = values_.find(name);
    require(it != values_.end(), TQ_ERR_INTERNAL, "option '" + name + "' is not in the schema");
    return it->second;
}

}  // namespace tq
