#include "families/fractal/decoder.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.hpp"

namespace tq::fractal {

namespace {

// Applies one map; returns the largest change it made.
float apply_map(const Map& m, float* x, float* scratch) {
    const float* d = x + m.domain_pos;
    for (int i = 0; i < m.size; ++i) {
        const int j = m.flip ? m.size - 1 - i : i;
        scratch[i] = m.s * 0.5f * (d[2 * j] + d[2 * j + 1]) + m.o;
    }
    float change = 0.0f;
    float* r = x + m.pos;
    for (int i = 0; i < m.size; ++i) {
        change = std::max(change, std::fabs(scratch[i] - r[i]));
        r[i] = scratch[i];
    }
    return change;
}

}  // namespace

int iterate_maps(std::span<const Map> maps, std::span<float> signal, int max_iterations, double tolerance) {
    int largest = 0;
    for (const Map& m : maps) largest = std::max(largest, m.size);
    std::vector<float> scratch(static_cast<std::size_t>(largest));
    for (int iteration = 1; iteration <= max_iterations; ++iteration) {
        float change = 0.0f;
        for (const Map& m : maps) change = std::max(change, apply_map(m, signal.data(), scratch.data()));
        if (!(change > tolerance)) return iteration;
    }
    return max_iterations;
}

namespace {

class Decoder final : public FamilyDecoder {
public:
    Decoder(const Params& p, int channels) : p_(p), channels_(channels), signal_(static_cast<std::size_t>(p.packet)) {}

    void decode(std::span<const uint8_t> payload, const PlanarOut& out) override {
        require_intact(out.samples >= 1 && out.samples <= p_.packet,
                       "fractal packet: " + std::to_string(out.samples) + " samples, frame is " +
                           std::to_string(p_.packet));
        const int length = padded_length(out.samples, p_);
        BitReader in(payload, "fractal packet");
        std::vector<std::vector<Map>> maps;
        for (int c = 0; c < channels_; ++c) maps.push_back(read_channel(in, length, p_));
        require_intact(in.bits_left() < 8, "fractal packet: " + std::to_string(in.bits_left()) +
                                               " bits left over after the last channel");
        for (int c = 0; c < channels_; ++c) {
            std::span<float> x(signal_.data(), static_cast<std::size_t>(length));
            std::fill(x.begin(), x.end(), 0.0f);
            iterate_maps(maps[static_cast<std::size_t>(c)], x, p_.iterations, p_.tolerance());
            std::copy_n(x.begin(), out.samples, out.data[c]);
        }
    }

private:
    Params p_;
    int channels_;
    std::vector<float> signal_;
};

}  // namespace

std::unique_ptr<FamilyDecoder> make_decoder(const StreamInfo& info, std::span<const uint8_t> params) {
    return make_decoder(parse_params(params, info), info.channels);
}

std::unique_ptr<FamilyDecoder> make_decoder(const Params& params, int channels) {
    return std::make_unique<Decoder>(params, channels);
}

}  // namespace tq::fractal
