// The C ABI: argument checks, error translation and (de)interleaving around
// the family encoders/decoders. No codec logic lives here.
#include "tqcodec/tqcodec.h"

#include <cstring>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "api/guarded.hpp"
#include "api/stream_header.hpp"
#include "core/error.hpp"
#include "families/family.hpp"

struct tq_encoder {
    const tq::FamilyDescriptor* family;
    std::unique_ptr<tq::FamilyEncoder> impl;
    std::vector<uint8_t> stream_header;
    int channels;
    std::vector<std::vector<float>> planes;  // deinterleave scratch
    std::vector<uint8_t> tail;  // a flush packet no call has taken yet (the caller's buffer was refused)
    std::string error;
};

struct tq_decoder {
    const tq::FamilyDescriptor* family;
    std::unique_ptr<tq::FamilyDecoder> impl;
    tq::StreamInfo info;
    std::vector<std::vector<float>> planes;  // decode scratch: output is untouched on error
    std::string error;
};

std::string& tq::api::last_error() {
    thread_local std::string message;
    return message;
}

namespace {

using tq::api::guarded;

void require_arg(bool ok, const char* message) { tq::require(ok, TQ_ERR_INVALID_ARGUMENT, message); }

const tq::FamilyDescriptor& implemented_family(int id) {
    const tq::FamilyDescriptor* f = tq::find_family(id);
    tq::require(f != nullptr, TQ_ERR_INVALID_ARGUMENT, "unknown family id " + std::to_string(id));
    tq::require(f->make_encoder && f->make_decoder, TQ_ERR_UNSUPPORTED,
                std::string("family '") + f->name + "' is not implemented in libtqcodec " +
                    TQ_VERSION_STRING + " yet");
    return *f;
}

// A family that codes fixed rates (FamilyDescriptor::sample_rates) refuses the others.
void require_family_rate(const tq::FamilyDescriptor& family, int rate) {
    if (family.sample_rates.empty()) return;
    std::string rates;
    int count = 0;
    for (int r : family.sample_rates) {
        if (r == 0) break;
        if (r == rate) return;
        rates += (count++ ? ", " : "") + std::to_string(r);
    }
    tq::fail(TQ_ERR_UNSUPPORTED, std::string(family.name) + ": codes " + rates + " Hz only; resample the input (" +
                                     std::to_string(rate) + " Hz) to " + (count > 1 ? "one of " : "") + rates +
                                     " Hz");
}

std::vector<const float*> plane_pointers(const std::vector<std::vector<float>>& planes) {
    std::vector<const float*> ptrs;
    for (const auto& p : planes) ptrs.push_back(p.data());
    return ptrs;
}

size_t max_packet_size(const tq_encoder& enc) { return enc.impl->max_payload_size() + 8; }  // + sample-count prefix

// Prefixes a family payload with its sample count. A packet above the encoder's own
// bound (tq_encoder_max_packet_size) would overrun callers that trust it: a bug.
std::vector<uint8_t> finish_packet(const tq_encoder& enc, std::vector<uint8_t> payload, int samples) {
    tq::write_packet_prefix(payload, samples);
    tq::require(payload.size() <= max_packet_size(enc), TQ_ERR_INTERNAL,
                std::string(enc.family->name) + ": packet of " + std::to_string(payload.size()) +
                    " bytes exceeds the encoder's bound of " + std::to_string(max_packet_size(enc)));
    return payload;
}

void copy_packet(const std::vector<uint8_t>& bytes, uint8_t* packet, size_t capacity, size_t* packet_size) {
    tq::require(bytes.size() <= capacity, TQ_ERR_BUFFER_TOO_SMALL,
                "packet of " + std::to_string(bytes.size()) + " bytes does not fit in " + std::to_string(capacity));
    std::memcpy(packet, bytes.data(), bytes.size());
    *packet_size = bytes.size();
}

int encode_planes(tq_encoder* enc, const float* const* planes, int samples, uint8_t* packet,
                  size_t capacity, size_t* packet_size) {
    return guarded(&enc->error, [&] {
        copy_packet(finish_packet(*enc, enc->impl->encode(tq::PlanarIn{planes, enc->channels, samples}), samples),
                    packet, capacity, packet_size);
    });
}

// Everything tq_encode checks before the encoder sees the input, so that a refused
// call leaves the stream as it was and can be repeated.
void check_encode_args(const tq_encoder* enc, const void* pcm, int samples, const uint8_t* packet,
                       size_t capacity, const size_t* packet_size) {
    require_arg(pcm && packet && packet_size, "NULL pointer argument");
    require_arg(samples >= 1 && samples <= enc->impl->frame_size(),
                "samples_per_channel must be between 1 and the encoder's frame size");
    tq::require(capacity >= max_packet_size(*enc), TQ_ERR_BUFFER_TOO_SMALL,
                "packet buffer of " + std::to_string(capacity) +
                    " bytes is smaller than tq_encoder_max_packet_size() (" + std::to_string(max_packet_size(*enc)) +
                    ")");
}

// Decodes into dec->planes; returns the samples per channel decoded.
int decode_to_scratch(tq_decoder* dec, const uint8_t* packet, size_t size, int max_samples) {
    const int frame = dec->info.frame_size;
    int samples = frame;
    std::span<const uint8_t> payload;
    if (packet) {
        payload = {packet, size};
        samples = tq::read_packet_prefix(payload, frame);
    }
    tq::require(samples <= max_samples, TQ_ERR_BUFFER_TOO_SMALL,
                "packet holds " + std::to_string(samples) + " samples per channel, buffer has room for " +
                    std::to_string(max_samples));
    std::vector<float*> ptrs;
    for (auto& p : dec->planes) {
        p.assign(static_cast<size_t>(samples), 0.0f);
        ptrs.push_back(p.data());
    }
    const tq::PlanarOut out{ptrs.data(), dec->info.channels, samples};
    if (packet) dec->impl->decode(payload, out);
    else dec->impl->conceal(out);
    return samples;
}

}  // namespace

extern "C" {

unsigned tq_version(void) { return TQ_VERSION_INT; }
const char* tq_version_string(void) { return TQ_VERSION_STRING; }

const char* tq_strerror(int error) {
    switch (error) {
        case TQ_OK: return "success";
        case TQ_ERR_INVALID_ARGUMENT: return "invalid argument";
        case TQ_ERR_UNSUPPORTED: return "not supported by this family or build";
        case TQ_ERR_NO_MEMORY: return "out of memory";
        case TQ_ERR_CORRUPT: return "corrupt or invalid data";
        case TQ_ERR_BUFFER_TOO_SMALL: return "buffer too small";
        case TQ_ERR_MODEL: return "model weights missing or mismatched";
        case TQ_ERR_INTERNAL: return "internal error";
        default: return "unknown error";
    }
}

const char* tq_last_error_message(void) { return tq::api::last_error().c_str(); }

const char* tq_family_name(tq_family family) {
    const auto* f = tq::find_family(family);
    return f ? f->name : nullptr;
}

const char* tq_family_description(tq_family family) {
    const auto* f = tq::find_family(family);
    return f ? f->description : nullptr;
}

int tq_family_from_name(const char* name, tq_family* family) {
    return guarded(nullptr, [&] {
        require_arg(name && family, "NULL pointer argument");
        for (int id = TQ_FAMILY_FIRST; id <= TQ_FAMILY_LAST; ++id) {
            if (std::strcmp(tq::find_family(id)->name, name) == 0) {
                *family = static_cast<tq_family>(id);
                return;
            }
        }
        tq::fail(TQ_ERR_INVALID_ARGUMENT, std::string("unknown family '") + name +
                                              "' (known: turbo, fractal, stftae, rvq, gauss)");
    });
}

const int* tq_family_sample_rates(tq_family family) {
    const auto* f = tq::find_family(family);
    return f && !f->sample_rates.empty() ? f->sample_rates.data() : nullptr;
}

int tq_family_available(tq_family family) {
    const auto* f = tq::find_family(family);
    return f && f->make_encoder && f->make_decoder ? 1 : 0;
}

int tq_family_option_count(tq_family family) {
    const auto* f = tq::find_family(family);
    return f ? static_cast<int>(f->options.size()) : 0;
}

const tq_option_info* tq_family_option(tq_family family, int index) {
    const auto* f = tq::find_family(family);
    if (!f || index < 0 || static_cast<size_t>(index) >= f->options.size()) return nullptr;
    return &f->options[static_cast<size_t>(index)];
}

/* ---- encoder ---- */

void tq_encoder_config_init(tq_encoder_config* config, tq_family family) {
    if (!config) return;
    *config = tq_encoder_config{family, 44100, 2, 0, nullptr};
}

int tq_encoder_create(const tq_encoder_config* config, tq_encoder** encoder) {
    if (encoder) *encoder = nullptr;
    return guarded(nullptr, [&] {
        require_arg(config && encoder, "NULL pointer argument");
        const tq::FamilyDescriptor& family = implemented_family(config->family);
        tq::require(config->sample_rate >= tq::kMinSampleRate && config->sample_rate <= tq::kMaxSampleRate,
                    TQ_ERR_INVALID_ARGUMENT,
                    "sample rate " + std::to_string(config->sample_rate) + " Hz outside 8000..192000");
        tq::require(config->channels >= 1 && config->channels <= tq::kMaxChannels, TQ_ERR_INVALID_ARGUMENT,
                    "channel count " + std::to_string(config->channels) + " outside 1..8");
        tq::require(config->bitrate >= 0, TQ_ERR_INVALID_ARGUMENT, "bitrate must not be negative");

        tq::EncoderSetup setup{config->sample_rate, config->channels, config->bitrate,
                               tq::OptionValues::parse(family.options, family.name,
                                                       config->options ? config->options : "")};
        require_family_rate(family, config->sample_rate);
        auto enc = std::make_unique<tq_encoder>();
        enc->family = &family;
        enc->impl = family.make_encoder(setup);
        enc->channels = config->channels;
        enc->planes.resize(static_cast<size_t>(config->channels));
        tq::StreamInfo info{family.id, config->sample_rate, config->channels, enc->impl->frame_size(),
                            enc->impl->delay()};
        enc->stream_header = tq::write_stream_header({info, enc->impl->params()});
        *encoder = enc.release();
    });
}

void tq_encoder_destroy(tq_encoder* encoder) { delete encoder; }

int tq_encoder_frame_size(const tq_encoder* encoder) { return encoder ? encoder->impl->frame_size() : 0; }
int tq_encoder_delay(const tq_encoder* encoder) { return encoder ? encoder->impl->delay() : 0; }

size_t tq_encoder_max_packet_size(const tq_encoder* encoder) { return encoder ? max_packet_size(*encoder) : 0; }

int tq_encoder_stream_header(const tq_encoder* encoder, const uint8_t** data, size_t* size) {
    return guarded(nullptr, [&] {
        require_arg(encoder && data && size, "NULL pointer argument");
        *data = encoder->stream_header.data();
        *size = encoder->stream_header.size();
    });
}

int tq_encode(tq_encoder* encoder, const float* pcm, int samples, uint8_t* packet, size_t capacity,
              size_t* packet_size) {
    if (packet_size) *packet_size = 0;
    if (!encoder) return guarded(nullptr, [] { require_arg(false, "NULL encoder"); });
    int rc = guarded(&encoder->error, [&] {
        check_encode_args(encoder, pcm, samples, packet, capacity, packet_size);
        const int ch = encoder->channels;
        for (int c = 0; c < ch; ++c) {
            auto& plane = encoder->planes[static_cast<size_t>(c)];
            plane.resize(static_cast<size_t>(samples));
            for (int i = 0; i < samples; ++i) plane[static_cast<size_t>(i)] = pcm[i * ch + c];
        }
    });
    if (rc != TQ_OK) return rc;
    auto ptrs = plane_pointers(encoder->planes);
    return encode_planes(encoder, ptrs.data(), samples, packet, capacity, packet_size);
}

int tq_encode_planar(tq_encoder* encoder, const float* const* planes, int samples, uint8_t* packet,
                     size_t capacity, size_t* packet_size) {
    if (packet_size) *packet_size = 0;
    if (!encoder) return guarded(nullptr, [] { require_arg(false, "NULL encoder"); });
    int rc = guarded(&encoder->error, [&] {
        check_encode_args(encoder, planes, samples, packet, capacity, packet_size);
        for (int c = 0; c < encoder->channels; ++c) require_arg(planes[c] != nullptr, "NULL channel plane");
    });
    if (rc != TQ_OK) return rc;
    return encode_planes(encoder, planes, samples, packet, capacity, packet_size);
}

int tq_encoder_flush(tq_encoder* encoder, uint8_t* packet, size_t capacity, size_t* packet_size) {
    if (packet_size) *packet_size = 0;
    return guarded(encoder ? &encoder->error : nullptr, [&] {
        require_arg(encoder && packet_size, "NULL pointer argument");
        if (encoder->tail.empty()) {
            int samples = 0;
            std::vector<uint8_t> payload = encoder->impl->flush(samples);
            if (samples == 0) return;
            encoder->tail = finish_packet(*encoder, std::move(payload), samples);
        }
        // The packet stays in the encoder until a call takes it.
        require_arg(packet != nullptr, "NULL packet buffer, and a flush packet is due");
        copy_packet(encoder->tail, packet, capacity, packet_size);
        encoder->tail.clear();
    });
}

const char* tq_encoder_error_message(const tq_encoder* encoder) {
    return encoder ? encoder->error.c_str() : "";
}

int tq_packet_samples(const uint8_t* packet, size_t packet_size) {
    int samples = 0;
    int rc = guarded(nullptr, [&] {
        require_arg(packet != nullptr, "NULL packet");
        std::span<const uint8_t> view(packet, packet_size);
        samples = tq::read_packet_prefix(view, tq::kMaxFrameSize);
    });
    return rc == TQ_OK ? samples : rc;
}

/* ---- decoder ---- */

int tq_decoder_create(const uint8_t* stream_header, size_t size, tq_decoder** decoder) {
    if (decoder) *decoder = nullptr;
    return guarded(nullptr, [&] {
        require_arg(stream_header && decoder, "NULL pointer argument");
        tq::StreamHeader header = tq::read_stream_header({stream_header, size});
        const tq::FamilyDescriptor& family = implemented_family(header.info.family);
        auto dec = std::make_unique<tq_decoder>();
        dec->family = &family;
        dec->info = header.info;
        dec->impl = family.make_decoder(header.info, header.family_params);
        dec->planes.resize(static_cast<size_t>(header.info.channels));
        *decoder = dec.release();
    });
}

void tq_decoder_destroy(tq_decoder* decoder) { delete decoder; }

tq_family tq_decoder_family(const tq_decoder* d) { return d ? d->info.family : static_cast<tq_family>(0); }
int tq_decoder_sample_rate(const tq_decoder* d) { return d ? d->info.sample_rate : 0; }
int tq_decoder_channels(const tq_decoder* d) { return d ? d->info.channels : 0; }
int tq_decoder_frame_size(const tq_decoder* d) { return d ? d->info.frame_size : 0; }
int tq_decoder_delay(const tq_decoder* d) { return d ? d->info.delay : 0; }

int tq_decode(tq_decoder* decoder, const uint8_t* packet, size_t packet_size, float* pcm,
              int max_samples, int* samples_out) {
    if (samples_out) *samples_out = 0;
    return guarded(decoder ? &decoder->error : nullptr, [&] {
        require_arg(decoder && pcm && samples_out, "NULL pointer argument");
        int samples = decode_to_scratch(decoder, packet, packet_size, max_samples);
        const int ch = decoder->info.channels;
        for (int c = 0; c < ch; ++c)
            for (int i = 0; i < samples; ++i)
                pcm[i * ch + c] = decoder->planes[static_cast<size_t>(c)][static_cast<size_t>(i)];
        *samples_out = samples;
    });
}

int tq_decode_planar(tq_decoder* decoder, const uint8_t* packet, size_t packet_size, float* const* planes,
                     int max_samples, int* samples_out) {
    if (samples_out) *samples_out = 0;
    return guarded(decoder ? &decoder->error : nullptr, [&] {
        require_arg(decoder && planes && samples_out, "NULL pointer argument");
        for (int c = 0; c < decoder->info.channels; ++c) require_arg(planes[c] != nullptr, "NULL channel plane");
        int samples = decode_to_scratch(decoder, packet, packet_size, max_samples);
        for (int c = 0; c < decoder->info.channels; ++c)
            std::memcpy(planes[c], decoder->planes[static_cast<size_t>(c)].data(),
                        sizeof(float) * static_cast<size_t>(samples));
        *samples_out = samples;
    });
}

int tq_decoder_reset(tq_decoder* decoder) {
    return guarded(decoder ? &decoder->error : nullptr, [&] {
        require_arg(decoder != nullptr, "NULL decoder");
        decoder->impl->reset();
    });
}

int tq_decoder_limit_layers(tq_decoder* decoder, int layers) {
    return guarded(decoder ? &decoder->error : nullptr, [&] {
        require_arg(decoder != nullptr, "NULL decoder");
        require_arg(layers >= 0, "negative layer count");
        tq::require(decoder->impl->limit_layers(layers), TQ_ERR_UNSUPPORTED,
                    std::string(decoder->family->name) + ": the bitstream has no layers to limit");
    });
}

const char* tq_decoder_error_message(const tq_decoder* decoder) {
    return decoder ? decoder->error.c_str() : "";
}

}  // extern "C"
