// Fuzz target: an encoder configuration, an option string and PCM from an
// attacker, through the C ABI. tq_encoder_create may refuse the configuration
// and tq_encode the samples, with an error code. Whatever an encoder accepts it
// must code into packets that its own stream header decodes: every packet
// decodes, to finite samples, as many as the input plus the encoder delay.
//
// Built once per family (fuzz_encoder_<family>): a neural encoder costs a
// thousand times a turbo one. Input layout: channels (u8, 1 + value % 8),
// sample rate (u8, an index into the family's rates or a list of common ones),
// bitrate (u16 LE, x 8 bit/s), PCM form (u8: bit 0 set = raw float32 bits, NaN
// and infinity included, else int16 / 32768; bits 1-2: the PCM is coded 1 to
// 4 times in a row), the option string up to a 0 byte, then the interleaved
// samples.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "fuzz_target.hpp"

static_assert(tqfuzz::kFamily >= TQ_FAMILY_FIRST && tqfuzz::kFamily <= TQ_FAMILY_LAST,
              "fuzz_encoder is built once per family");

namespace {

using tqfuzz::checked;

constexpr size_t kMaxOptions = 256;

struct Config {
    tq_encoder_config config;  // options: set from `options` where it is used
    std::string options;
    std::vector<float> pcm;  // interleaved
    int samples = 0;         // per channel
};

int pick_rate(tq_family family, uint8_t index) {
    const int* rates = tq_family_sample_rates(family);
    if (!rates) return tqfuzz::kEncoderRates[index % std::size(tqfuzz::kEncoderRates)];
    int count = 0;
    while (rates[count]) ++count;
    return rates[index % count];
}

std::vector<float> read_samples(tqfuzz::Cursor& in, bool raw_floats) {
    std::vector<float> pcm;
    while (in.has(raw_floats ? 4 : 2)) {
        if (raw_floats) {
            uint32_t bits = 0;
            std::memcpy(&bits, in.take(4), 4);
            float v;
            std::memcpy(&v, &bits, 4);
            pcm.push_back(v);
        } else {
            pcm.push_back(static_cast<int16_t>(in.u16()) / 32768.0f);
        }
    }
    return pcm;
}

Config read_config(tqfuzz::Cursor& in) {
    Config c;
    const auto family = static_cast<tq_family>(tqfuzz::kFamily);
    tq_encoder_config_init(&c.config, family);
    c.config.channels = 1 + in.u8() % 8;
    c.config.sample_rate = pick_rate(family, in.u8());
    c.config.bitrate = in.u16() * 8;
    const uint8_t form = in.u8();
    while (in.has(1) && c.options.size() < kMaxOptions) {
        const char ch = static_cast<char>(in.u8());
        if (ch == '\0') break;
        c.options.push_back(ch);
    }
    const std::vector<float> once = read_samples(in, form & 1);
    const int repeats = 1 + (form >> 1) % 4;
    for (int r = 0; r < repeats; ++r) c.pcm.insert(c.pcm.end(), once.begin(), once.end());
    c.samples = static_cast<int>(c.pcm.size()) / c.config.channels;
    return c;
}

// Decodes every packet with a decoder made from the encoder's stream header.
void check_decodable(const tq_encoder* enc, const std::vector<std::vector<uint8_t>>& packets, int channels,
                     long expected_samples) {
    const uint8_t* header = nullptr;
    size_t header_size = 0;
    if (tq_encoder_stream_header(enc, &header, &header_size) != TQ_OK) tqfuzz::bug("no stream header");
    tq_decoder* dec = nullptr;
    if (checked(tq_decoder_create(header, header_size, &dec)) != TQ_OK)
        tqfuzz::bug("the encoder's stream header does not decode:", tq_last_error_message());
    const int frame = tq_decoder_frame_size(dec);
    std::vector<float> pcm(static_cast<size_t>(frame) * static_cast<size_t>(channels));
    long decoded = 0;
    for (const auto& packet : packets) {
        int samples = 0;
        if (checked(tq_decode(dec, packet.data(), packet.size(), pcm.data(), frame, &samples)) != TQ_OK)
            tqfuzz::bug("a packet of the encoder does not decode:", tq_decoder_error_message(dec));
        for (size_t i = 0; i < static_cast<size_t>(samples) * static_cast<size_t>(channels); ++i)
            if (!std::isfinite(pcm[i])) tqfuzz::bug("decoded a non-finite sample");
        decoded += samples;
    }
    tq_decoder_destroy(dec);
    if (decoded != expected_samples) tqfuzz::bug("decoded length differs from the input plus the delay");
}

// Encodes whole frames (interleaved and planar in turn), then flushes; false if the encoder refused.
bool encode_all(tq_encoder* enc, const Config& c, std::vector<std::vector<uint8_t>>& packets) {
    const int frame = tq_encoder_frame_size(enc), channels = c.config.channels;
    std::vector<uint8_t> packet(tq_encoder_max_packet_size(enc));
    size_t size = 0;
    for (int done = 0, index = 0; done < c.samples; done += frame, ++index) {
        const int n = std::min(frame, c.samples - done);
        const float* interleaved = c.pcm.data() + static_cast<size_t>(done) * static_cast<size_t>(channels);
        std::vector<std::vector<float>> planes(static_cast<size_t>(channels),
                                               std::vector<float>(static_cast<size_t>(n)));
        std::vector<const float*> ptrs;
        for (int ch = 0; ch < channels; ++ch) {
            for (int i = 0; i < n; ++i) planes[ch][i] = interleaved[i * channels + ch];
            ptrs.push_back(planes[ch].data());
        }
        const int rc = index % 2 ? tq_encode_planar(enc, ptrs.data(), n, packet.data(), packet.size(), &size)
                                 : tq_encode(enc, interleaved, n, packet.data(), packet.size(), &size);
        if (checked(rc) != TQ_OK) return false;
        if (size > 0) packets.emplace_back(packet.begin(), packet.begin() + static_cast<long>(size));
    }
    for (;;) {
        if (checked(tq_encoder_flush(enc, packet.data(), packet.size(), &size)) != TQ_OK) return false;
        if (size == 0) return true;
        packets.emplace_back(packet.begin(), packet.begin() + static_cast<long>(size));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    tqfuzz::Cursor in{data, size};
    const Config c = read_config(in);
    tq_encoder_config config = c.config;
    config.options = c.options.c_str();
    tq_encoder* enc = nullptr;
    if (checked(tq_encoder_create(&config, &enc)) != TQ_OK) return 0;
    std::vector<std::vector<uint8_t>> packets;
    if (c.samples > 0 && encode_all(enc, c, packets))
        check_decodable(enc, packets, c.config.channels, c.samples + tq_encoder_delay(enc));
    tq_encoder_destroy(enc);
    return 0;
}
