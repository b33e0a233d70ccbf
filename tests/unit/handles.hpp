// Test helpers shared by the C ABI tests: handles that free themselves.
#pragma once

#include <string>

#include "tqcodec/tqcodec.h"

namespace tqtest {

struct Encoder {
    tq_encoder* p = nullptr;
    ~Encoder() { tq_encoder_destroy(p); }
};

struct Decoder {
    tq_decoder* p = nullptr;
    ~Decoder() { tq_decoder_destroy(p); }
};

inline bool last_error_mentions(const std::string& text) {
    return std::string(tq_last_error_message()).find(text) != std::string::npos;
}

}  // namespace tqtest
