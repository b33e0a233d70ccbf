#include "codec.hpp"

#include "cli.hpp"

namespace tqc::cli {

tq_family family_from_name(const std::string& name) {
    tq_family f{};
    if (tq_family_from_name(name.c_str(), &f) != TQ_OK) throw Failure("encode", tq_last_error_message());
    return f;
}

std::string family_label(int id) {
    const char* name = tq_family_name(static_cast<tq_family>(id));
    return name ? name : "family #" + std::to_string(id);
}

EncoderPtr create_encoder(const tq_encoder_config& config, const std::string& what) {
    tq_encoder* raw = nullptr;
    const int rc = tq_encoder_create(&config, &raw);
    if (rc != TQ_OK) {
        const std::string msg = tq_last_error_message();
        throw Failure(what, msg.empty() ? tq_strerror(rc) : msg);
    }
    return EncoderPtr(raw);
}

DecoderPtr try_create_decoder(std::span<const uint8_t> stream_header, std::string& error, int* code) {
    tq_decoder* raw = nullptr;
    const int rc = tq_decoder_create(stream_header.data(), stream_header.size(), &raw);
    if (code) *code = rc;
    if (rc == TQ_OK) return DecoderPtr(raw);
    error = tq_last_error_message();
    if (error.empty()) error = tq_strerror(rc);
    return nullptr;
}

std::span<const uint8_t> family_params(std::span<const uint8_t> h) {
    // magic "tqsh", version, family, channels, reserved, rate, frame size, delay (u32 LE each),
    // u16 LE parameter length, parameters.
    constexpr size_t kPrefix = 22;
    if (h.size() < kPrefix || h[0] != 't' || h[1] != 'q' || h[2] != 's' || h[3] != 'h') return h;
    const size_t len = h[20] | static_cast<size_t>(h[21]) << 8;
    if (kPrefix + len != h.size()) return h;
    return h.subspan(kPrefix);
}

}  // namespace tqc::cli
