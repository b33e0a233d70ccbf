// Every function of tqcodec.h, for every family, called as a careless or
// hostile caller would: NULL, zero, negative, huge and wrong-family
// arguments, sample rates swept from -1 to 10^6, damaged stream headers and
// packets of another family. As in libopus's test_opus_api.c, each call must
// return the documented code (with a message), never crash or write out of
// bounds (scripts/sanitize.sh runs this under AddressSanitizer and UBSan), and
// a handle must keep working after a failed call.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <deque>
#include <limits>
#include <string>
#include <vector>

#include "test_support.hpp"
#include "tqcodec/tqcodec.h"

namespace {

using tqtest::Decoder;
using tqtest::Encoder;

// One working configuration per family (and turbo mode); cheap to run.
struct Case {
    const char* label;
    tq_family family;
    int sample_rate;
    int bitrate;
    const char* options;
};

const Case kCases[] = {
    {"turbo time", TQ_FAMILY_TURBO, 44100, 0, "block=256"},
    {"turbo mdct", TQ_FAMILY_TURBO, 48000, 64000, "mode=mdct"},
    {"fractal", TQ_FAMILY_FRACTAL, 16000, 0, "packet=4096,max_range=64"},
    {"stftae", TQ_FAMILY_STFTAE, 24000, 12000, ""},
    {"rvq", TQ_FAMILY_RVQ, 24000, 6000, ""},
    {"gauss", TQ_FAMILY_GAUSS, 24000, 8000, "iterations=8"},
};

const int kBadInts[] = {INT_MIN, -1000000, -1, 0, 1000000, INT_MAX};
const tq_family kUnknownFamilies[] = {static_cast<tq_family>(INT_MIN), static_cast<tq_family>(-1),
                                      static_cast<tq_family>(0),       static_cast<tq_family>(6),
                                      static_cast<tq_family>(126),     static_cast<tq_family>(256),
                                      static_cast<tq_family>(INT_MAX)};

tq_encoder_config config_of(const Case& c, int channels = 1) {
    tq_encoder_config config;
    tq_encoder_config_init(&config, c.family);
    config.sample_rate = c.sample_rate;
    config.channels = channels;
    config.bitrate = c.bitrate;
    config.options = c.options;
    return config;
}

int create(const tq_encoder_config& config, Encoder& enc) {
    tq_encoder_destroy(enc.p);
    enc.p = reinterpret_cast<tq_encoder*>(&enc);  // must be overwritten, with NULL on failure
    return tq_encoder_create(&config, &enc.p);
}

std::vector<float> tone(int samples, int channels, float amplitude = 0.4f) {
    std::vector<float> pcm(static_cast<size_t>(samples) * static_cast<size_t>(channels));
    for (size_t i = 0; i < pcm.size(); ++i)
        pcm[i] = amplitude * std::sin(0.05f * static_cast<float>(i / static_cast<size_t>(channels)) +
                                      static_cast<float>(i % static_cast<size_t>(channels)));
    return pcm;
}

// An encoder, its stream header and the packets of a tone: `frames` whole frames,
// then a short last frame of `last` samples if not 0, then the flush.
struct Stream {
    explicit Stream(const Case& c, int channel_count = 1, int frames = 3, int last = 0) : channels(channel_count) {
        const tq_encoder_config config = config_of(c, channels);
        EXPECT_EQ(tq_encoder_create(&config, &enc.p), TQ_OK) << c.label << ": " << tq_last_error_message();
        if (!enc.p) return;
        const uint8_t* data;
        size_t size;
        EXPECT_EQ(tq_encoder_stream_header(enc.p, &data, &size), TQ_OK);
        header.assign(data, data + size);
        frame = tq_encoder_frame_size(enc.p);
        const std::vector<float> pcm = tone(frame * frames + last, channels);
        std::vector<uint8_t> packet(tq_encoder_max_packet_size(enc.p));
        for (int pos = 0; pos < frame * frames + last; pos += frame) {
            const int n = std::min(frame, frame * frames + last - pos);
            EXPECT_EQ(tq_encode(enc.p, pcm.data() + static_cast<size_t>(pos * channels), n, packet.data(),
                                packet.size(), &size),
                      TQ_OK)
                << c.label << ": " << tq_encoder_error_message(enc.p);
            if (size) packets.emplace_back(packet.begin(), packet.begin() + static_cast<long>(size));
        }
        do {
            EXPECT_EQ(tq_encoder_flush(enc.p, packet.data(), packet.size(), &size), TQ_OK) << c.label;
            if (size) packets.emplace_back(packet.begin(), packet.begin() + static_cast<long>(size));
        } while (size);
    }
    int channels;
    Encoder enc;
    std::vector<uint8_t> header;
    std::vector<std::vector<uint8_t>> packets;
    int frame = 0;
};

Decoder decoder_of(const std::vector<uint8_t>& header) {
    Decoder dec;
    EXPECT_EQ(tq_decoder_create(header.data(), header.size(), &dec.p), TQ_OK) << tq_last_error_message();
    return dec;
}

// Decodes `packet` (NULL: conceal) into a buffer with guard values around it;
// checks that nothing outside the reported samples was written.
int decode_guarded(tq_decoder* dec, const uint8_t* packet, size_t size, int max_samples, int* got,
                   std::vector<float>* out = nullptr) {
    const int channels = std::max(1, tq_decoder_channels(dec));
    const size_t room = static_cast<size_t>(std::max(0, max_samples)) * static_cast<size_t>(channels);
    std::vector<float> buffer(room + 16, 12345.0f);
    const int rc = tq_decode(dec, packet, size, buffer.data() + 8, max_samples, got);
    const size_t written = rc == TQ_OK ? static_cast<size_t>(*got) * static_cast<size_t>(channels) : 0;
    for (size_t i = 0; i < buffer.size(); ++i)
        if (i < 8 || i >= 8 + written) {
            EXPECT_EQ(buffer[i], 12345.0f) << "written outside the decoded samples at " << i;
            if (buffer[i] != 12345.0f) break;
        }
    for (size_t i = 8; i < 8 + written; ++i) {
        EXPECT_TRUE(std::isfinite(buffer[i])) << "non-finite sample " << i - 8;
        if (!std::isfinite(buffer[i])) break;
    }
    if (out) out->assign(buffer.begin() + 8, buffer.begin() + 8 + static_cast<long>(written));
    return rc;
}

/* ---- error codes, version, families ---------------------------------------------------------- */

TEST(ApiMisuse, StrerrorNamesEveryIntWithoutCrashing) {
    for (int code : {INT_MIN, -8, 1, 2, 1000, INT_MAX}) EXPECT_STREQ(tq_strerror(code), "unknown error") << code;
    for (int code = TQ_ERR_INTERNAL; code <= TQ_OK; ++code) EXPECT_STRNE(tq_strerror(code), "unknown error");
    EXPECT_EQ(tq_version() >> 16, static_cast<unsigned>(TQ_VERSION_MAJOR));
}

TEST(ApiMisuse, UnknownFamilyIdsGiveNullZeroAndInvalidArgument) {
    for (tq_family id : kUnknownFamilies) {
        EXPECT_EQ(tq_family_name(id), nullptr) << id;
        EXPECT_EQ(tq_family_description(id), nullptr) << id;
        EXPECT_EQ(tq_family_available(id), 0) << id;
        EXPECT_EQ(tq_family_sample_rates(id), nullptr) << id;
        EXPECT_EQ(tq_family_option_count(id), 0) << id;
        for (int index : kBadInts) EXPECT_EQ(tq_family_option(id, index), nullptr) << id << " " << index;
        tq_encoder_config config;
        tq_encoder_config_init(&config, id);
        EXPECT_EQ(config.family, id);
        Encoder enc;
        EXPECT_EQ(create(config, enc), TQ_ERR_INVALID_ARGUMENT) << id;
        EXPECT_EQ(enc.p, nullptr);
        EXPECT_TRUE(tqtest::last_error_mentions("unknown family")) << tq_last_error_message();
    }
    tq_encoder_config_init(nullptr, TQ_FAMILY_TURBO);
}

TEST(ApiMisuse, OptionIndexOutsideTheSchemaIsNull) {
    for (int id = TQ_FAMILY_FIRST; id <= TQ_FAMILY_LAST; ++id) {
        const auto family = static_cast<tq_family>(id);
        const int count = tq_family_option_count(family);
        for (int index : {INT_MIN, -1, count, count + 1, INT_MAX}) EXPECT_EQ(tq_family_option(family, index), nullptr);
    }
}

TEST(ApiMisuse, FamilyFromNameRejectsNearMissesAndLeavesTheOutputAlone) {
    const std::string long_name(100000, 't');
    for (const char* name : {"", "Turbo", "TURBO", "turbo ", " turbo", "turb", "turbo2", "mp3", long_name.c_str()}) {
        auto family = static_cast<tq_family>(99);
        EXPECT_EQ(tq_family_from_name(name, &family), TQ_ERR_INVALID_ARGUMENT) << name;
        EXPECT_EQ(family, 99) << "the output was touched on failure";
    }
    EXPECT_EQ(tq_family_from_name("turbo", nullptr), TQ_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(tq_family_from_name(nullptr, nullptr), TQ_ERR_INVALID_ARGUMENT);
}

/* ---- tq_encoder_create -------------------------------------------------------------------------- */

// The rates a family's encoder accepts: 8000..192000, and one of its list where it has one.
bool family_codes_rate(tq_family family, int rate) {
    if (rate < 8000 || rate > 192000) return false;
    const int* rates = tq_family_sample_rates(family);
    if (!rates) return true;
    for (; *rates; ++rates)
        if (*rates == rate) return true;
    return false;
}

TEST(ApiMisuse, SampleRatesFromMinusOneToAMillion) {
    std::vector<int> rates = {-1, 0, 1, 7999, 8000, 8001, 11025, 16000, 22050, 23999, 24000, 24001, 32000, 44100,
                              48000, 88200, 96000, 176400, 191999, 192000, 192001, 384000, 1000000};
    for (int rate = 3; rate < 1000000; rate += 4999) rates.push_back(rate);  // and every 4999th between
    for (const Case& c : kCases) {
        for (int rate : rates) {
            tq_encoder_config config = config_of(c);
            config.sample_rate = rate;
            Encoder enc;
            const int rc = create(config, enc);
            if (rate < 8000 || rate > 192000) {
                EXPECT_EQ(rc, TQ_ERR_INVALID_ARGUMENT) << c.label << " at " << rate << " Hz";
                EXPECT_TRUE(tqtest::last_error_mentions("sample rate")) << tq_last_error_message();
            } else if (!family_codes_rate(c.family, rate)) {
                EXPECT_EQ(rc, TQ_ERR_UNSUPPORTED) << c.label << " at " << rate << " Hz";
                EXPECT_TRUE(tqtest::last_error_mentions("resample")) << tq_last_error_message();
            } else {
                EXPECT_EQ(rc, TQ_OK) << c.label << " at " << rate << " Hz: " << tq_last_error_message();
                EXPECT_STREQ(tq_last_error_message(), "");
            }
            EXPECT_EQ(enc.p != nullptr, rc == TQ_OK) << c.label << " at " << rate << " Hz";
        }
    }
}

TEST(ApiMisuse, ChannelCountsOutsideOneToEightAreRefused) {
    for (const Case& c : kCases)
        for (int channels : {INT_MIN, -1, 0, 9, 255, 256, INT_MAX}) {
            Encoder enc;
            EXPECT_EQ(create(config_of(c, channels), enc), TQ_ERR_INVALID_ARGUMENT) << c.label << " " << channels;
            EXPECT_EQ(enc.p, nullptr);
            EXPECT_TRUE(tqtest::last_error_mentions("channel count")) << tq_last_error_message();
        }
}

TEST(ApiMisuse, EveryChannelCountFromOneToEightCodesInEveryFamily) {
    for (const Case& c : kCases)
        for (int channels = 1; channels <= 8; ++channels) {
            Stream s(c, channels, 0, 256);  // one short frame: 8 channels of a neural family are slow
            ASSERT_NE(s.enc.p, nullptr) << c.label << " " << channels;
            Decoder dec = decoder_of(s.header);
            EXPECT_EQ(tq_decoder_channels(dec.p), channels);
            for (const auto& packet : s.packets) {
                int got = 0;
                EXPECT_EQ(decode_guarded(dec.p, packet.data(), packet.size(), s.frame, &got), TQ_OK)
                    << c.label << " " << channels << ": " << tq_decoder_error_message(dec.p);
            }
        }
}

TEST(ApiMisuse, NegativeOrHugeBitratesFailOrCodeWithinTheBound) {
    for (const Case& c : kCases) {
        for (int bitrate : {INT_MIN, -1}) {
            tq_encoder_config config = config_of(c);
            config.bitrate = bitrate;
            Encoder enc;
            EXPECT_EQ(create(config, enc), TQ_ERR_INVALID_ARGUMENT) << c.label << " " << bitrate;
        }
        for (int bitrate : {1, 100, 1000000, 100000000, INT_MAX}) {
            tq_encoder_config config = config_of(c);
            config.bitrate = bitrate;
            Encoder enc;
            const int rc = create(config, enc);
            EXPECT_TRUE(rc == TQ_OK || rc == TQ_ERR_INVALID_ARGUMENT) << c.label << " " << bitrate << ": " << rc;
            if (rc != TQ_OK) {
                EXPECT_TRUE(tqtest::last_error_mentions("bitrate")) << tq_last_error_message();
                continue;
            }
            const int frame = tq_encoder_frame_size(enc.p);
            const std::vector<float> pcm = tone(frame, 1);
            std::vector<uint8_t> packet(tq_encoder_max_packet_size(enc.p));
            size_t size = 0;
            EXPECT_EQ(tq_encode(enc.p, pcm.data(), frame, packet.data(), packet.size(), &size), TQ_OK)
                << c.label << " " << bitrate << ": " << tq_encoder_error_message(enc.p);
        }
    }
}

// Option strings no family accepts, whatever its schema.
const char* const kMalformedOptions[] = {
    "=", "=1", "nosuchoption=1", "noequals", "a=b=c", "\x01\xff=\x80", "block=4,block=4", "mode=mdct,mode=time",
};

TEST(ApiMisuse, MalformedAndWrongFamilyOptionStringsAreRefusedWithTheKey) {
    for (const Case& c : kCases) {
        for (const char* options : kMalformedOptions) {
            tq_encoder_config config = config_of(c);
            config.options = options;
            Encoder enc;
            EXPECT_EQ(create(config, enc), TQ_ERR_INVALID_ARGUMENT) << c.label << " '" << options << "'";
            EXPECT_STRNE(tq_last_error_message(), "");
        }
        // An option of every other family that this family does not have.
        for (int other = TQ_FAMILY_FIRST; other <= TQ_FAMILY_LAST; ++other)
            for (int i = 0; i < tq_family_option_count(static_cast<tq_family>(other)); ++i) {
                const char* name = tq_family_option(static_cast<tq_family>(other), i)->name;
                bool shared = false;
                for (int j = 0; j < tq_family_option_count(c.family); ++j)
                    shared |= std::strcmp(tq_family_option(c.family, j)->name, name) == 0;
                if (shared) continue;
                const std::string options = std::string(name) + "=1";
                tq_encoder_config config = config_of(c);
                config.options = options.c_str();
                Encoder enc;
                EXPECT_EQ(create(config, enc), TQ_ERR_INVALID_ARGUMENT) << c.label << " " << options;
                EXPECT_TRUE(tqtest::last_error_mentions(name)) << tq_last_error_message();
            }
        // Empty items and spaces around keys and values are allowed; a huge string is just parsed.
        for (const std::string& options : {std::string(""), std::string(",,"), std::string(1000000, ',')}) {
            tq_encoder_config config = config_of(c);
            config.options = options.c_str();
            config.bitrate = c.bitrate;
            Encoder enc;
            EXPECT_EQ(create(config, enc), TQ_OK) << c.label << ": " << tq_last_error_message();
        }
    }
}

// Text values every option of every family refuses, and the values just outside its range.
TEST(ApiMisuse, EveryOptionRefusesValuesOutsideItsSchema) {
    for (int id = TQ_FAMILY_FIRST; id <= TQ_FAMILY_LAST; ++id) {
        const auto family = static_cast<tq_family>(id);
        const Case* c = nullptr;
        for (const Case& candidate : kCases)
            if (candidate.family == family && !c) c = &candidate;
        ASSERT_NE(c, nullptr);
        for (int i = 0; i < tq_family_option_count(family); ++i) {
            const tq_option_info& o = *tq_family_option(family, i);
            std::vector<std::string> bad = {"", "nan", "inf", "-inf", "1e999", "x", "1x", "--1", "0x"};
            if (o.type != TQ_OPTION_BOOL && o.type != TQ_OPTION_ENUM) {
                const double step = o.type == TQ_OPTION_FLOAT ? 1e-6 * std::max(1.0, std::fabs(o.max_value)) : 1;
                bad.push_back(std::to_string(o.min_value - step));
                bad.push_back(std::to_string(o.max_value + step));
                bad.push_back("1e300");
                bad.push_back("-1e300");
            }
            if (o.type == TQ_OPTION_INT || o.type == TQ_OPTION_POW2) bad.push_back(std::to_string(o.min_value + 0.5));
            if (o.type == TQ_OPTION_POW2) bad.push_back(std::to_string(static_cast<long long>(o.min_value) * 3));
            if (o.type == TQ_OPTION_BOOL) bad.insert(bad.end(), {"2", "-1", "maybe", "TRUE"});
            if (o.type == TQ_OPTION_ENUM)
                bad.insert(bad.end(), {"-1", std::to_string(static_cast<int>(o.max_value) + 1), "0.5", "MDCT", "|"});
            for (const std::string& value : bad) {
                const std::string options = std::string(o.name) + "=" + value;
                tq_encoder_config config = config_of(*c);
                config.options = options.c_str();
                Encoder enc;
                EXPECT_EQ(create(config, enc), TQ_ERR_INVALID_ARGUMENT) << c->label << " " << options;
                EXPECT_TRUE(tqtest::last_error_mentions(o.name)) << options << ": " << tq_last_error_message();
            }
        }
    }
}

// Each option at its minimum, then at its maximum (the others at their defaults): the
// encoder is created or refused with a message, and a short frame codes within the bound.
TEST(ApiMisuse, EveryOptionAtItsLimitsCreatesOrFailsCleanly) {
    for (const Case& c : kCases) {
        for (int i = 0; i < tq_family_option_count(c.family); ++i) {
            const tq_option_info& o = *tq_family_option(c.family, i);
            for (double value : {o.min_value, o.max_value}) {
                char text[64];
                std::snprintf(text, sizeof text, "%.17g", value);
                const std::string options = std::string(o.name) + "=" + text;
                tq_encoder_config config = config_of(c);
                config.options = options.c_str();
                config.bitrate = c.family == TQ_FAMILY_TURBO || c.family == TQ_FAMILY_FRACTAL ? 0 : c.bitrate;
                Encoder enc;
                const int rc = create(config, enc);
                EXPECT_TRUE(rc == TQ_OK || rc == TQ_ERR_INVALID_ARGUMENT) << c.label << " " << options << ": " << rc;
                if (rc != TQ_OK) {
                    EXPECT_STRNE(tq_last_error_message(), "") << c.label << " " << options;
                    continue;
                }
                // A short last frame keeps the slow settings (fractal's largest packet, gauss's
                // most iterations) cheap.
                const int samples = std::min(tq_encoder_frame_size(enc.p), 2048);
                const std::vector<float> pcm = tone(samples, 1);
                std::vector<uint8_t> packet(tq_encoder_max_packet_size(enc.p));
                size_t size = 0;
                EXPECT_EQ(tq_encode(enc.p, pcm.data(), samples, packet.data(), packet.size(), &size), TQ_OK)
                    << c.label << " " << options << ": " << tq_encoder_error_message(enc.p);
                do {
                    EXPECT_EQ(tq_encoder_flush(enc.p, packet.data(), packet.size(), &size), TQ_OK)
                        << c.label << " " << options;
                } while (size);
            }
        }
    }
}

/* ---- tq_encode, tq_encode_planar, tq_encoder_flush ------------------------------------------- */

TEST(ApiMisuse, EncodeRefusesBadArgumentsAndTheStreamStaysIntact) {
    for (const Case& c : kCases) {
        Stream reference(c, 2, 2);
        Encoder enc;
        ASSERT_EQ(create(config_of(c, 2), enc), TQ_OK) << c.label;
        const int frame = tq_encoder_frame_size(enc.p);
        const std::vector<float> pcm = tone(2 * frame, 2);
        const std::vector<float> left(static_cast<size_t>(frame), 0.1f);
        std::vector<uint8_t> packet(tq_encoder_max_packet_size(enc.p));
        const float* planes[] = {left.data(), left.data()};
        const float* holey[] = {left.data(), nullptr};
        size_t size = 77;
        uint8_t* out = packet.data();
        const size_t cap = packet.size();
        EXPECT_EQ(tq_encode(nullptr, pcm.data(), frame, out, cap, &size), TQ_ERR_INVALID_ARGUMENT);
        EXPECT_EQ(tq_encode(enc.p, nullptr, frame, out, cap, &size), TQ_ERR_INVALID_ARGUMENT);
        EXPECT_EQ(tq_encode(enc.p, pcm.data(), frame, nullptr, cap, &size), TQ_ERR_INVALID_ARGUMENT);
        EXPECT_EQ(tq_encode(enc.p, pcm.data(), frame, out, cap, nullptr), TQ_ERR_INVALID_ARGUMENT);
        for (int samples : {INT_MIN, -1, 0, frame + 1, INT_MAX}) {
            EXPECT_EQ(tq_encode(enc.p, pcm.data(), samples, out, cap, &size), TQ_ERR_INVALID_ARGUMENT) << samples;
            EXPECT_EQ(tq_encode_planar(enc.p, planes, samples, out, cap, &size), TQ_ERR_INVALID_ARGUMENT) << samples;
        }
        EXPECT_EQ(tq_encode_planar(nullptr, planes, frame, out, cap, &size), TQ_ERR_INVALID_ARGUMENT);
        EXPECT_EQ(tq_encode_planar(enc.p, nullptr, frame, out, cap, &size), TQ_ERR_INVALID_ARGUMENT);
        EXPECT_EQ(tq_encode_planar(enc.p, holey, frame, out, cap, &size), TQ_ERR_INVALID_ARGUMENT);
        EXPECT_TRUE(std::string(tq_encoder_error_message(enc.p)).find("NULL") != std::string::npos);
        for (size_t small : {size_t{0}, size_t{1}, cap - 1}) {
            EXPECT_EQ(tq_encode(enc.p, pcm.data(), frame, out, small, &size), TQ_ERR_BUFFER_TOO_SMALL)
                << c.label << " capacity " << small;
        }
        // None of the refused calls advanced the encoder: it gives the reference stream.
        std::vector<std::vector<uint8_t>> packets;
        for (int f = 0; f < 2; ++f) {
            ASSERT_EQ(tq_encode(enc.p, pcm.data() + static_cast<size_t>(2 * f * frame), frame, out, cap, &size), TQ_OK)
                << c.label << ": " << tq_encoder_error_message(enc.p);
            EXPECT_STREQ(tq_encoder_error_message(enc.p), "");
            if (size) packets.emplace_back(out, out + size);
        }
        // A flush that has a packet to give refuses NULL and small buffers without losing it.
        EXPECT_EQ(tq_encoder_flush(nullptr, out, cap, &size), TQ_ERR_INVALID_ARGUMENT);
        EXPECT_EQ(tq_encoder_flush(enc.p, out, cap, nullptr), TQ_ERR_INVALID_ARGUMENT);
        const bool delayed = reference.packets.size() > packets.size();
        if (delayed) {
            EXPECT_EQ(tq_encoder_flush(enc.p, nullptr, cap, &size), TQ_ERR_INVALID_ARGUMENT) << c.label;
            EXPECT_EQ(tq_encoder_flush(enc.p, out, 1, &size), TQ_ERR_BUFFER_TOO_SMALL) << c.label;
        }
        do {
            ASSERT_EQ(tq_encoder_flush(enc.p, out, cap, &size), TQ_OK)
                << c.label << ": " << tq_encoder_error_message(enc.p);
            if (size) packets.emplace_back(out, out + size);
        } while (size);
        EXPECT_EQ(packets, reference.packets) << c.label;
        // Flushing again gives nothing; NULL is then allowed.
        EXPECT_EQ(tq_encoder_flush(enc.p, nullptr, 0, &size), TQ_OK);
        EXPECT_EQ(size, 0u);
    }
}

TEST(ApiMisuse, NonFiniteAndOutOfRangeSamplesEncodeToFiniteOutput) {
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    const std::vector<std::vector<float>> kinds = {
        {nan, inf, -inf},
        {1e30f, -1e30f, 4.0f, -4.0f, std::numeric_limits<float>::denorm_min()},
    };
    for (const Case& c : kCases) {
        for (const std::vector<float>& bad : kinds) {
            Stream s(c, 1, 0);  // header only
            ASSERT_NE(s.enc.p, nullptr);
            const int frame = s.frame;
            std::vector<float> pcm = tone(2 * frame, 1);
            for (size_t i = 0; i < pcm.size(); i += 7) pcm[i] = bad[(i / 7) % bad.size()];
            std::vector<uint8_t> packet(tq_encoder_max_packet_size(s.enc.p));
            Decoder dec = decoder_of(s.header);
            size_t size = 0;
            auto decode = [&] {
                if (!size) return;
                int got = 0;
                EXPECT_EQ(decode_guarded(dec.p, packet.data(), size, frame, &got), TQ_OK)
                    << c.label << " " << bad[0] << ": " << tq_decoder_error_message(dec.p);
            };
            for (int f = 0; f < 2; ++f) {
                const int rc = tq_encode(s.enc.p, pcm.data() + static_cast<size_t>(f * frame), frame, packet.data(),
                                         packet.size(), &size);
                EXPECT_EQ(rc, TQ_OK) << c.label << " " << bad[0] << ": " << tq_encoder_error_message(s.enc.p);
                if (rc == TQ_OK) decode();
            }
            do {
                ASSERT_EQ(tq_encoder_flush(s.enc.p, packet.data(), packet.size(), &size), TQ_OK);
                decode();
            } while (size);
        }
    }
}

TEST(ApiMisuse, AnotherShortFrameAfterTheLastIsRefusedByDelayedEncoders) {
    for (const Case& c : kCases) {
        Stream s(c, 1, 0);
        ASSERT_NE(s.enc.p, nullptr);
        const std::vector<float> pcm = tone(s.frame, 1);
        std::vector<uint8_t> packet(tq_encoder_max_packet_size(s.enc.p));
        size_t size = 0;
        ASSERT_EQ(tq_encode(s.enc.p, pcm.data(), s.frame / 2, packet.data(), packet.size(), &size), TQ_OK);
        const int rc = tq_encode(s.enc.p, pcm.data(), s.frame / 2, packet.data(), packet.size(), &size);
        if (tq_encoder_delay(s.enc.p) > 0) {
            EXPECT_EQ(rc, TQ_ERR_INVALID_ARGUMENT) << c.label;
        }
        EXPECT_TRUE(rc == TQ_OK || rc == TQ_ERR_INVALID_ARGUMENT) << c.label;
    }
}

TEST(ApiMisuse, EncoderGettersAndStreamHeaderWithNullArguments) {
    const Case& c = kCases[0];
    Encoder enc;
    ASSERT_EQ(create(config_of(c), enc), TQ_OK);
    const uint8_t* data = nullptr;
    size_t size = 0;
    EXPECT_EQ(tq_encoder_stream_header(enc.p, nullptr, &size), TQ_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(tq_encoder_stream_header(enc.p, &data, nullptr), TQ_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(tq_encoder_stream_header(nullptr, nullptr, nullptr), TQ_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(tq_encoder_frame_size(nullptr), 0);
    EXPECT_EQ(tq_encoder_delay(nullptr), 0);
    EXPECT_EQ(tq_encoder_max_packet_size(nullptr), 0u);
    EXPECT_STREQ(tq_encoder_error_message(nullptr), "");
    EXPECT_EQ(tq_encoder_create(nullptr, nullptr), TQ_ERR_INVALID_ARGUMENT);
}

/* ---- tq_packet_samples --------------------------------------------------------------------------- */

TEST(ApiMisuse, PacketSamplesReadsOnlyAWellFormedCount) {
    const uint8_t byte = 5;
    EXPECT_EQ(tq_packet_samples(nullptr, 0), TQ_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(tq_packet_samples(nullptr, 10), TQ_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(tq_packet_samples(&byte, 0), TQ_ERR_CORRUPT);
    EXPECT_EQ(tq_packet_samples(&byte, 1), 5);
    const std::vector<std::vector<uint8_t>> corrupt = {
        {0x00},                                                        // zero samples
        {0x80},                                                        // the count goes on past the end
        {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},  // beyond 64 bits
        {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00},
        {0x81, 0x80, 0x80, 0x01},                                      // 2^21 + 1: above the largest frame
        {0xff, 0xff, 0xff, 0xff, 0x0f},                                // 2^32 - 1
    };
    for (const auto& packet : corrupt) EXPECT_EQ(tq_packet_samples(packet.data(), packet.size()), TQ_ERR_CORRUPT);
    for (const Case& c : kCases) {
        Stream s(c, 1, 2);
        for (const auto& packet : s.packets) {
            const int samples = tq_packet_samples(packet.data(), packet.size());
            EXPECT_GE(samples, 1) << c.label;
            EXPECT_LE(samples, s.frame) << c.label;
        }
    }
}

/* ---- tq_decoder_create and its getters ----------------------------------------------------------- */

TEST(ApiMisuse, DecoderCreateRefusesNullAndEveryTruncationOfEveryHeader) {
    for (const Case& c : kCases) {
        Stream s(c, 2, 0);
        Decoder dec;
        EXPECT_EQ(tq_decoder_create(nullptr, s.header.size(), &dec.p), TQ_ERR_INVALID_ARGUMENT);
        EXPECT_EQ(tq_decoder_create(s.header.data(), s.header.size(), nullptr), TQ_ERR_INVALID_ARGUMENT);
        for (size_t n = 0; n < s.header.size(); ++n) {
            dec.p = reinterpret_cast<tq_decoder*>(&dec);
            EXPECT_EQ(tq_decoder_create(s.header.data(), n, &dec.p), TQ_ERR_CORRUPT) << c.label << " " << n;
            EXPECT_EQ(dec.p, nullptr);
        }
        std::vector<uint8_t> longer = s.header;
        longer.push_back(0);
        EXPECT_EQ(tq_decoder_create(longer.data(), longer.size(), &dec.p), TQ_ERR_CORRUPT) << c.label;
        EXPECT_TRUE(tqtest::last_error_mentions("trailing")) << tq_last_error_message();
    }
}

// Each byte of each family's header set to other values: the decoder is refused with a
// code and a message, or created and then decodes (or refuses) the stream's packets safely.
TEST(ApiMisuse, DamagedHeadersNeverGiveADecoderThatMisbehaves) {
    for (const Case& c : kCases) {
        Stream s(c, 2, 0, 512);
        for (size_t at = 0; at < s.header.size(); ++at)
            for (int value : {0x00, 0x01, 0x7f, 0xff, s.header[at] ^ 0x01, s.header[at] ^ 0x80}) {
                std::vector<uint8_t> header = s.header;
                if (header[at] == value) continue;
                header[at] = static_cast<uint8_t>(value);
                Decoder dec;
                const int rc = tq_decoder_create(header.data(), header.size(), &dec.p);
                EXPECT_TRUE(rc == TQ_OK || rc == TQ_ERR_CORRUPT || rc == TQ_ERR_UNSUPPORTED || rc == TQ_ERR_MODEL)
                    << c.label << " byte " << at << " = " << value << ": " << rc;
                if (rc != TQ_OK) {
                    EXPECT_STRNE(tq_last_error_message(), "");
                    continue;
                }
                const int frame = tq_decoder_frame_size(dec.p);
                ASSERT_GE(frame, 1);
                ASSERT_LE(frame, 1 << 20);
                int got = 0;
                for (const auto& packet : s.packets) {
                    const int prc = decode_guarded(dec.p, packet.data(), packet.size(), frame, &got);
                    EXPECT_TRUE(prc == TQ_OK || prc == TQ_ERR_CORRUPT) << c.label << " byte " << at << ": " << prc;
                }
                EXPECT_EQ(decode_guarded(dec.p, nullptr, 0, frame, &got), TQ_OK);
                EXPECT_EQ(got, frame);
            }
    }
}

TEST(ApiMisuse, DecoderGettersOfNullAreZero) {
    EXPECT_EQ(tq_decoder_family(nullptr), 0);
    EXPECT_EQ(tq_decoder_sample_rate(nullptr), 0);
    EXPECT_EQ(tq_decoder_channels(nullptr), 0);
    EXPECT_EQ(tq_decoder_frame_size(nullptr), 0);
    EXPECT_EQ(tq_decoder_delay(nullptr), 0);
    EXPECT_STREQ(tq_decoder_error_message(nullptr), "");
    EXPECT_EQ(tq_decoder_reset(nullptr), TQ_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(tq_decoder_limit_layers(nullptr, 1), TQ_ERR_INVALID_ARGUMENT);
    tq_decoder_destroy(nullptr);
}

/* ---- tq_decode, tq_decode_planar, reset, limit_layers --------------------------------------------- */

TEST(ApiMisuse, DecodeRefusesBadArgumentsWritingNothing) {
    for (const Case& c : kCases) {
        Stream s(c, 2, 2);
        Decoder dec = decoder_of(s.header);
        ASSERT_NE(dec.p, nullptr);
        const auto& packet = s.packets[0];
        const int frame = s.frame;
        std::vector<float> pcm(static_cast<size_t>(frame) * 2), left(static_cast<size_t>(frame)), right(left);
        float* planes[] = {left.data(), right.data()};
        float* holey[] = {left.data(), nullptr};
        int got = 77;
        EXPECT_EQ(tq_decode(nullptr, packet.data(), packet.size(), pcm.data(), frame, &got), TQ_ERR_INVALID_ARGUMENT);
        EXPECT_EQ(tq_decode(dec.p, packet.data(), packet.size(), nullptr, frame, &got), TQ_ERR_INVALID_ARGUMENT);
        EXPECT_EQ(tq_decode(dec.p, packet.data(), packet.size(), pcm.data(), frame, nullptr), TQ_ERR_INVALID_ARGUMENT);
        EXPECT_EQ(tq_decode_planar(nullptr, packet.data(), packet.size(), planes, frame, &got),
                  TQ_ERR_INVALID_ARGUMENT);
        EXPECT_EQ(tq_decode_planar(dec.p, packet.data(), packet.size(), nullptr, frame, &got), TQ_ERR_INVALID_ARGUMENT);
        EXPECT_EQ(tq_decode_planar(dec.p, packet.data(), packet.size(), holey, frame, &got), TQ_ERR_INVALID_ARGUMENT);
        EXPECT_EQ(got, 0);
        for (int max : {INT_MIN, -1, 0}) {
            got = 77;
            EXPECT_EQ(decode_guarded(dec.p, packet.data(), packet.size(), max, &got), TQ_ERR_BUFFER_TOO_SMALL) << max;
            EXPECT_EQ(decode_guarded(dec.p, nullptr, 0, max, &got), TQ_ERR_BUFFER_TOO_SMALL) << max;
            EXPECT_EQ(got, 0);
        }
        EXPECT_EQ(decode_guarded(dec.p, packet.data(), 0, frame, &got), TQ_ERR_CORRUPT) << c.label;
        // After all that, the decoder gives exactly what a fresh one gives.
        Decoder fresh = decoder_of(s.header);
        std::vector<float> a, b;
        for (const auto& p : s.packets) {
            ASSERT_EQ(decode_guarded(dec.p, p.data(), p.size(), frame, &got, &a), TQ_OK) << c.label;
            ASSERT_EQ(decode_guarded(fresh.p, p.data(), p.size(), frame, &got, &b), TQ_OK) << c.label;
            EXPECT_EQ(a, b) << c.label;
        }
    }
}

// A packet of another family, or of the same family with other parameters, is refused
// as corrupt (or decodes to finite samples); the decoder then still decodes its own stream.
TEST(ApiMisuse, PacketsOfOtherStreamsAreRefusedOrHarmless) {
    std::deque<Stream> streams;  // never moved: a Stream owns its handles
    for (const Case& c : kCases) streams.emplace_back(c, 1, 2);
    for (size_t d = 0; d < streams.size(); ++d) {
        const Stream& own = streams[d];
        Decoder dec = decoder_of(own.header);
        Decoder fresh = decoder_of(own.header);
        for (size_t o = 0; o < streams.size(); ++o) {
            if (o == d) continue;
            for (const auto& packet : streams[o].packets) {
                int got = 0;
                const int rc = decode_guarded(dec.p, packet.data(), packet.size(), own.frame, &got);
                EXPECT_TRUE(rc == TQ_OK || rc == TQ_ERR_CORRUPT || rc == TQ_ERR_BUFFER_TOO_SMALL)
                    << kCases[o].label << " packet to a " << kCases[d].label << " decoder: " << rc;
            }
        }
        ASSERT_EQ(tq_decoder_reset(dec.p), TQ_OK);
        std::vector<float> a, b;
        int got = 0;
        for (const auto& p : own.packets) {
            ASSERT_EQ(decode_guarded(dec.p, p.data(), p.size(), own.frame, &got, &a), TQ_OK) << kCases[d].label;
            ASSERT_EQ(decode_guarded(fresh.p, p.data(), p.size(), own.frame, &got, &b), TQ_OK);
            EXPECT_EQ(a, b) << kCases[d].label;
        }
    }
}

TEST(ApiMisuse, LimitLayersIsForLayeredFamiliesAndRefusesNegativeCounts) {
    for (const Case& c : kCases) {
        Stream s(c, 1, 2);
        Decoder dec = decoder_of(s.header);
        EXPECT_EQ(tq_decoder_limit_layers(dec.p, -1), TQ_ERR_INVALID_ARGUMENT);
        EXPECT_EQ(tq_decoder_limit_layers(dec.p, INT_MIN), TQ_ERR_INVALID_ARGUMENT);
        for (int layers : {0, 1, 2, 16, 17, INT_MAX}) {
            const int rc = tq_decoder_limit_layers(dec.p, layers);
            EXPECT_EQ(rc, c.family == TQ_FAMILY_RVQ ? TQ_OK : TQ_ERR_UNSUPPORTED) << c.label << " " << layers;
            if (rc != TQ_OK) {
                EXPECT_TRUE(std::string(tq_decoder_error_message(dec.p)).find("layers") != std::string::npos);
                continue;
            }
            int got = 0;
            for (const auto& packet : s.packets)
                EXPECT_EQ(decode_guarded(dec.p, packet.data(), packet.size(), s.frame, &got), TQ_OK) << c.label;
        }
    }
}

}  // namespace
