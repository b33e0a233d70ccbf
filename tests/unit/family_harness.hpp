// Codes whole signals through one family's C++ interface (FamilyEncoder /
// FamilyDecoder, below the C ABI), packet by packet as the API would, so a
// family's tests can look at every payload.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "families/family.hpp"

namespace tqtest {

using Planes = std::vector<std::vector<float>>;

inline Planes mono(std::vector<float> x) { return Planes{std::move(x)}; }

// A stream as the encoder produced it: its parameter bytes and every packet with its sample count.
struct Coded {
    std::vector<uint8_t> params;
    std::vector<std::vector<uint8_t>> payloads;
    std::vector<int> samples;  // per packet
};

class FamilyHarness {
public:
    // constexpr, so a test file may hold one at namespace scope: the family table is
    // looked up at each call, never during static initialisation.
    constexpr FamilyHarness(tq_family id, int sample_rate, int frame_size, int delay)
        : id_(id), sample_rate_(sample_rate), frame_size_(frame_size), delay_(delay) {}

    std::unique_ptr<tq::FamilyEncoder> encoder(int channels, int bitrate, const std::string& options = "") const {
        const tq::FamilyDescriptor& family = descriptor();
        return family.make_encoder(tq::EncoderSetup{sample_rate_, channels, bitrate,
                                                    tq::OptionValues::parse(family.options, family.name, options)});
    }

    tq::StreamInfo stream_info(int channels) const { return {id_, sample_rate_, channels, frame_size_, delay_}; }

    // Codes every frame of `pcm`, then flushes.
    Coded encode_all(const Planes& pcm, int bitrate, const std::string& options = "") const {
        const auto enc = encoder(static_cast<int>(pcm.size()), bitrate, options);
        Coded coded{enc->params(), {}, {}};
        const int total = static_cast<int>(pcm[0].size());
        for (int pos = 0; pos < total; pos += frame_size_) {
            std::vector<const float*> ptrs;
            for (const auto& plane : pcm) ptrs.push_back(plane.data() + pos);
            const int n = std::min(frame_size_, total - pos);
            coded.payloads.push_back(enc->encode({ptrs.data(), static_cast<int>(pcm.size()), n}));
            coded.samples.push_back(n);
        }
        int n = 0;
        std::vector<uint8_t> tail = enc->flush(n);
        if (n > 0) {
            coded.payloads.push_back(std::move(tail));
            coded.samples.push_back(n);
        }
        return coded;
    }

    // Decodes every packet; `max_layers` > 0 limits a layered family (FamilyDecoder::limit_layers).
    Planes decode_all(const Coded& coded, int channels, int max_layers = 0) const {
        const auto dec = descriptor().make_decoder(stream_info(channels), coded.params);
        if (max_layers) {
            EXPECT_TRUE(dec->limit_layers(max_layers));
        }
        Planes out(static_cast<size_t>(channels));
        for (size_t p = 0; p < coded.payloads.size(); ++p) {
            Planes part(out.size(), std::vector<float>(static_cast<size_t>(coded.samples[p])));
            std::vector<float*> ptrs;
            for (auto& plane : part) ptrs.push_back(plane.data());
            dec->decode(coded.payloads[p], {ptrs.data(), channels, coded.samples[p]});
            for (size_t c = 0; c < out.size(); ++c) out[c].insert(out[c].end(), part[c].begin(), part[c].end());
        }
        return out;
    }

    // Decodes packet 0 of a mono stream, conceals packet 1, decodes packet 2:
    // every output must stay finite (the decoder's state kept in step).
    void expect_conceal_keeps_decoder_in_step(const Coded& coded) const {
        const auto dec = descriptor().make_decoder(stream_info(1), coded.params);
        std::vector<float> out(static_cast<size_t>(frame_size_));
        float* plane = out.data();
        dec->decode(coded.payloads[0], {&plane, 1, frame_size_});
        std::fill(out.begin(), out.end(), 0.0f);
        dec->conceal({&plane, 1, frame_size_});
        EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](float v) { return std::isfinite(v); }));
        dec->decode(coded.payloads[2], {&plane, 1, frame_size_});
        EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](float v) { return std::isfinite(v); }));
    }

private:
    const tq::FamilyDescriptor& descriptor() const { return *tq::find_family(id_); }

    tq_family id_;
    int sample_rate_, frame_size_, delay_;
};

}  // namespace tqtest
