// "key=value,key=value" option strings, validated against a family's schema
// (the tq_option_info table that is also the source of `tqc families` and
// FFmpeg's AVOptions).
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>

#include "tqcodec/tqcodec.h"

namespace tq {

class OptionValues {
public:
    // Every option of `schema` at its default, overridden by `text` (may be empty).
    // Throws tq::Error(TQ_ERR_INVALID_ARGUMENT) naming the key for unknown keys,
    // unparsable values, values out of range and repeated keys.
    static OptionValues parse(std::span<const tq_option_info> schema, std::string_view family,
                              std::string_view text);

    double get(const std::string& name) const;
    int get_int(const std::string& name) const { return static_cast<int>(get(name)); }
    bool get_bool(const std::string& name) const { return get(name) != 0.0; }
    // True if the user gave the key explicitly (not just the default).
    bool given(const std::string& name) const { return given_.count(name) != 0; }

private:
    std::map<std::string, double, std::less<>> values_;
    std::map<std::string, bool, std::less<>> given_;
};

}  // namespace tq
