#include "families/stftae/bitstream.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

#include "core/error.hpp"
#include "core/range_coder.hpp"

namespace tq::stftae {

double step_size(int k) { return std::exp2(static_cast<double>(k - kStepBias) / kStepsPerOctave); }

int quantize(float latent, float scale, double step) {
    const double x = static_cast<double>(latent) / (static_cast<double>(scale) * step);
    if (!std::isfinite(x)) return 0;
    return static_cast<int>(std::lround(std::clamp(x, -double{kMaxMagnitude}, double{kMaxMagnitude})));
}

float dequantize(int q, float scale, double step) { return static_cast<float>(q * (static_cast<double>(scale) * step)); }

namespace {

int category(int32_t q) { return static_cast<int>(std::bit_width(static_cast<uint32_t>(std::abs(q)))); }

// One model per context: the category of the same value in the previous frame.
std::vector<AdaptiveModel> category_models() { return std::vector<AdaptiveModel>(kCategories, AdaptiveModel(kCategories)); }

void write_value(RangeEncoder& out, AdaptiveModel& model, int32_t q) {
    const int cat = category(q);
    out.encode(model, cat);
    if (cat == 0) return;
    out.encode_bits(q < 0 ? 1 : 0, 1);
    // The leading 1 of |q| is implied by its category.
    out.encode_bits(static_cast<uint32_t>(std::abs(q)) & ((1u << (cat - 1)) - 1), cat - 1);
}

int32_t read_value(RangeDecoder& in, AdaptiveModel& model) {
    const int cat = in.decode(model);
    if (cat == 0) return 0;
    const bool negative = in.decode_bits(1) != 0;
    const auto magnitude = static_cast<int32_t>((1u << (cat - 1)) | in.decode_bits(cat - 1));
    return negative ? -magnitude : magnitude;
}

}  // namespace

std::vector<uint8_t> write_payload(const LatentCodes& codes) {
    RangeEncoder out;
    std::vector<AdaptiveModel> models = category_models();
    for (int f = 0; f < codes.frames; ++f)
        for (int c = 0; c < codes.channels; ++c)
            for (int d = 0; d < kLatentChannels; ++d) {
                const int context = f > 0 ? category(codes.at(f - 1, c, d)) : 0;
                write_value(out, models[static_cast<size_t>(context)], codes.at(f, c, d));
            }
    std::vector<uint8_t> payload{static_cast<uint8_t>(codes.step)};
    const std::vector<uint8_t> stream = out.finish();
    payload.insert(payload.end(), stream.begin(), stream.end());
    return payload;
}

LatentCodes read_payload(std::span<const uint8_t> payload, int frames, int channels) {
    require_intact(!payload.empty(), "stftae packet: empty payload, expected the step index");
    LatentCodes codes;
    codes.frames = frames;
    codes.channels = channels;
    codes.step = payload[0];  // every byte is a valid step index
    codes.q.assign(static_cast<size_t>(frames) * static_cast<size_t>(channels) * kLatentChannels, 0);
    const std::span<const uint8_t> stream = payload.subspan(1);
    RangeDecoder in(stream);
    std::vector<AdaptiveModel> models = category_models();
    for (int f = 0; f < frames; ++f)
        for (int c = 0; c < channels; ++c)
            for (int d = 0; d < kLatentChannels; ++d) {
                const int context = f > 0 ? category(codes.at(f - 1, c, d)) : 0;
                codes.at(f, c, d) = read_value(in, models[static_cast<size_t>(context)]);
            }
    require_intact(stream.size() <= in.position(),
                   "stftae packet: " + std::to_string(stream.size() - in.position()) +
                       " bytes left over after the last latent");
    return codes;
}

std::size_t max_payload_bytes(int frames, int channels) {
    const std::size_t values = static_cast<std::size_t>(frames) * static_cast<std::size_t>(channels) * kLatentChannels;
    return 1 + (values * 31 + 7) / 8 + 16;
}

}  // namespace tq::stftae
