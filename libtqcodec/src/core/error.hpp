// Errors inside the library: thrown as tq::Error, caught at the C ABI and
// turned into a TQ_ERR_* code plus message. Never crosses extern "C".
#pragma once

#include <stdexcept>
#include <string>

#include "tqcodec/tqcodec.h"

namespace tq {

class Error : public std::runtime_error {
public:
    Error(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
    int code() const noexcept { return code_; }

private:
    int code_;
};

[[noreturn]] inline void fail(int code, const std::string& message) { throw Error(code, message); }

inline void require(bool condition, int code, const std::string& message) {
    if (!condition) fail(code, message);
}

// Shorthand for the most common case: a damaged stream.
inline void require_intact(bool condition, const std::string& message) {
    require(condition, TQ_ERR_CORRUPT, message);
}

}  // namespace tq
