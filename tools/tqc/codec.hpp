// RAII handles and lookups over the public C ABI (tqcodec.h): the only way tqc codes audio.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "tqcodec/tqcodec.h"

namespace tqc::cli {

struct EncoderDeleter {
    void operator()(tq_encoder* e) const { tq_encoder_destroy(e); }
};
struct DecoderDeleter {
    void operator()(tq_decoder* d) const { tq_decoder_destroy(d); }
};
using EncoderPtr = std::unique_ptr<tq_encoder, EncoderDeleter>;
using DecoderPtr = std::unique_ptr<tq_decoder, DecoderDeleter>;

// Family by short name; throws Failure("encode", "unknown family ...").
tq_family family_from_name(const std::string& name);

// "turbo", or "family #7" for ids this library does not know.
std::string family_label(int id);

// Throws Failure(what, <library message>) on failure.
EncoderPtr create_encoder(const tq_encoder_config& config, const std::string& what);

// Returns nullptr and sets `error` (the library's message) and `code` (TQ_ERR_*) on failure.
DecoderPtr try_create_decoder(std::span<const uint8_t> stream_header, std::string& error, int* code = nullptr);

// The family-specific part of a stream header (after the generic 22-byte prefix that
// container/FORMAT.md documents), or the whole header if it does not parse.
std::span<const uint8_t> family_params(std::span<const uint8_t> stream_header);

}  // namespace tqc::cli
