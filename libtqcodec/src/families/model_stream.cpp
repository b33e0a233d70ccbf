#include "families/model_stream.hpp"

#include "core/byteio.hpp"
#include "core/error.hpp"

namespace tq {

std::vector<uint8_t> serialize_model_params(const ModelStreamParams& p, uint8_t version) {
    ByteWriter w;
    w.u8(version);
    for (uint8_t byte : p.model_sha256) w.u8(byte);
    w.u8(static_cast<uint8_t>(p.stereo));
    return w.take();
}

ModelStreamParams parse_model_params(std::span<const uint8_t> bytes, const std::string& family, uint8_t version) {
    ByteReader r(bytes, family + " parameters");
    r.version(version);
    ModelStreamParams p;
    for (uint8_t& byte : p.model_sha256) byte = r.u8();
    const int stereo = r.u8();
    require_intact(r.remaining() == 0, family + " parameters: " + std::to_string(bytes.size()) + " bytes, expected " +
                                           std::to_string(kModelParamsSize));
    require_intact(stereo <= 1, family + " parameters: stereo mode " + std::to_string(stereo) + " outside 0..1");
    p.stereo = static_cast<Stereo>(stereo);
    return p;
}

void check_stream_framing(const StreamInfo& info, const std::string& family, int sample_rate, int frame_size,
                          int delay) {
    require_intact(info.sample_rate == sample_rate, family + " stream: sample rate " +
                                                        std::to_string(info.sample_rate) + " Hz, the family codes " +
                                                        std::to_string(sample_rate));
    require_intact(info.frame_size == frame_size, family + " stream: frame size " + std::to_string(info.frame_size) +
                                                      ", expected " + std::to_string(frame_size));
    require_intact(info.delay == delay,
                   family + " stream: delay " + std::to_string(info.delay) + ", expected " + std::to_string(delay));
}

void require_stream_model(const Sha256Digest& stream, const Sha256Digest& loaded, const std::string& family,
                          const std::string& loaded_source) {
    require(stream == loaded, TQ_ERR_MODEL,
            "stream was encoded with " + family + " model " + to_hex(stream).substr(0, 8) + "\u2026, this library has " +
                to_hex(loaded).substr(0, 8) + "\u2026 (" + loaded_source + ")");
}

void ModelIdentity::identify(std::span<const uint8_t> bytes, const nn::SafeTensors& file) {
    sha256_ = tq::sha256(bytes);
    source_ = file.source();
    if (file.has_meta("training.note")) training_note_ = file.meta_string("training.note");
}

void require_model_shape(const nn::Tensor& t, const nn::Shape& expected, const std::string& what,
                         const std::string& source) {
    require(t.shape() == expected, TQ_ERR_MODEL,
            source + ": " + what + " gives " + nn::to_string(t.shape()) + ", expected " + nn::to_string(expected));
}

bool uses_mid_side(Stereo stereo, int channels) { return channels == 2 && stereo == Stereo::mid_side; }

std::vector<std::vector<float>> coded_channels(const PlanarIn& pcm, Stereo stereo) {
    std::vector<std::vector<float>> out;
    for (int c = 0; c < pcm.channels; ++c) out.emplace_back(pcm.data[c], pcm.data[c] + pcm.samples);
    if (!uses_mid_side(stereo, pcm.channels)) return out;
    for (size_t i = 0; i < out[0].size(); ++i) {
        const float left = out[0][i], right = out[1][i];
        out[0][i] = 0.5f * (left + right);
        out[1][i] = 0.5f * (left - right);
    }
    return out;
}

void restore_channels(const PlanarOut& out, Stereo stereo) {
    if (!uses_mid_side(stereo, out.channels)) return;
    for (int i = 0; i < out.samples; ++i) {
        const float mid = out.data[0][i], side = out.data[1][i];
        out.data[0][i] = mid + side;
        out.data[1][i] = mid - side;
    }
}

}  // namespace tq
