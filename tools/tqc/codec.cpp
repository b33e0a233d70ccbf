#include "codec.hpp"

#include <utility>

#include "api/stream_header.hpp"
#include "cli.hpp"
#include "core/error.hpp"

namespace tqc::cli {

tq_family family_from_name(const std::string& name) {
    tq_family f{};
    if (tq_family_from_name(name.c_str(), &f) != TQ_OK) throw Failure("encode", tq_last_error_message());
    return f;
}

bool is_family_id(int id) { return id >= TQ_FAMILY_FIRST && id <= TQ_FAMILY_LAST; }

std::string family_label(int id) {
    return is_family_id(id) ? tq_family_name(static_cast<tq_family>(id)) : "family #" + std::to_string(id);
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

std::vector<uint8_t> family_params(std::span<const uint8_t> stream_header) {
    try {
        return tq::read_stream_header(stream_header).family_params;
    } catch (const tq::Error&) {
        return {stream_header.begin(), stream_header.end()};
    }
}

PacketPump::PacketPump(tq_encoder* enc, Sink sink)
    : enc_(enc), sink_(std::move(sink)), packet_(tq_encoder_max_packet_size(enc)) {}

void PacketPump::encode(const float* pcm, int samples) {
    size_t size = 0;
    check(tq_encode(enc_, pcm, samples, packet_.data(), packet_.size(), &size));
    if (size) emit(size);
}

void PacketPump::flush() {
    for (;;) {
        size_t size = 0;
        check(tq_encoder_flush(enc_, packet_.data(), packet_.size(), &size));
        if (!size) return;
        emit(size);
    }
}

void PacketPump::check(int rc) const {
    if (rc != TQ_OK) throw Failure("encode", tq_encoder_error_message(enc_));
}

void PacketPump::emit(size_t size) {
    const int covers = tq_packet_samples(packet_.data(), size);
    if (covers < 1) throw Failure("encode", "the encoder produced a packet without a sample count");
    sink_(next_sample_, {packet_.data(), size});
    next_sample_ += static_cast<uint64_t>(covers);
    ++packets_;
}

}  // namespace tqc::cli
