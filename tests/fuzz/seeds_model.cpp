// Seeds for fuzz_model: small model files. The shipped models are megabytes;
// these keep their metadata (the constants a model must declare) and replace
// the layers by tiny ones with the same input and output shapes, so the whole
// of Model::parse runs, layer building and the forward checks included: a
// complete stftae model of a few thousand weights in F32, F16 and BF16, and
// rvq's metadata with a small encoder and decoder (it stops at the codebooks,
// which alone are 128 k values).
#include <cstring>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz_seeds.hpp"
#include "nn/safetensors.hpp"
#include "families/rvq/model.hpp"
#include "families/stftae/model.hpp"

namespace tqfuzz {
namespace {

using Shape = std::vector<size_t>;

class SafeTensorsWriter {
public:
    explicit SafeTensorsWriter(const char* dtype) : dtype_(dtype) {}

    void meta(const std::string& key, const std::string& value) { meta_[key] = value; }
    // A tensor of `shape` filled with `value`.
    void tensor(const std::string& name, const Shape& shape, float value) {
        size_t count = 1;
        for (size_t d : shape) count *= d;
        const size_t begin = data_.size();
        for (size_t i = 0; i < count; ++i) put(value);
        header_[name] = {{"dtype", dtype_}, {"shape", shape}, {"data_offsets", {begin, data_.size()}}};
    }
    // A 1-D convolution and its bias, as layer `prefix` with extra metadata `geometry`.
    void conv(const std::string& prefix, const char* type, const Shape& weight, size_t bias,
              const std::map<std::string, std::string>& geometry = {}) {
        meta(prefix + ".type", type);
        for (const auto& [key, value] : geometry) meta(prefix + "." + key, value);
        tensor(prefix + ".weight", weight, 0.01f);
        tensor(prefix + ".bias", {bias}, 0.0f);
    }

    Bytes bytes() const {
        nlohmann::json header = header_;
        header["__metadata__"] = meta_;
        const std::string text = header.dump();
        // Sized once and filled by memcpy: g++ 12 -O3 sees a false -Warray-bounds in
        // vector::insert after an 8-byte vector.
        Bytes out(8 + text.size() + data_.size());
        for (int i = 0; i < 8; ++i) out[static_cast<size_t>(i)] = static_cast<uint8_t>(text.size() >> (8 * i));
        std::memcpy(out.data() + 8, text.data(), text.size());
        if (!data_.empty()) std::memcpy(out.data() + 8 + text.size(), data_.data(), data_.size());
        return out;
    }

private:
    // F32 as is; F16 holds 0 or 1.0 (all the tiny layers need); BF16 is F32's upper half.
    void put(float value) {
        uint32_t bits;
        std::memcpy(&bits, &value, 4);
        if (dtype_ == "F16") bits = value == 0.0f ? 0 : 0x3c00u;
        if (dtype_ == "BF16") bits >>= 16;
        const int bytes = dtype_ == "F32" ? 4 : 2;
        for (int i = 0; i < bytes; ++i) data_.push_back(static_cast<uint8_t>(bits >> (8 * i)));
    }

    std::string dtype_;
    nlohmann::json header_ = nlohmann::json::object();
    std::map<std::string, std::string> meta_;
    Bytes data_;
};

// The shipped model's metadata but its layer descriptions.
void copy_constants(std::span<const uint8_t> model, const std::string& family, SafeTensorsWriter& out) {
    if (model.empty()) return;
    const tq::nn::SafeTensors file = tq::nn::SafeTensors::parse(model);
    for (const auto& [key, value] : file.metadata())
        if (key.starts_with(family + ".") || key.starts_with("training.")) out.meta(key, value);
}

// stftae: enc2d [3, 481, T] -> [32, 31, T]; enc1d [992, T] -> [64, T - 8]; dec [64, 9] -> [1443, 1].
Bytes tiny_stftae(const char* dtype) {
    SafeTensorsWriter w(dtype);
    copy_constants(tq::stftae::embedded_model_bytes(), "stftae", w);
    w.meta("enc2d.layers", "2");
    w.tensor("enc2d.0.weight", {32, 3, 1, 1}, 0.01f);
    w.meta("enc2d.0.type", "conv2d");
    w.meta("enc2d.0.stride", "16,1");
    w.meta("enc2d.1.type", "leaky_relu");
    w.meta("enc1d.layers", "4");
    w.conv("enc1d.0", "conv1d", {32, 31, 1}, 32, {{"groups", "32"}});
    w.meta("enc1d.1.type", "elu");
    w.meta("enc1d.2.type", "residual");
    w.meta("enc1d.2.body.layers", "1");
    w.conv("enc1d.2.body.0", "conv1d", {32, 1, 3}, 32, {{"groups", "32"}, {"padding", "1"}});
    w.conv("enc1d.3", "conv1d", {64, 1, 9}, 64, {{"groups", "32"}});
    w.meta("dec.layers", "3");
    w.conv("dec.0", "conv1d", {1, 64, 9}, 1);
    w.meta("dec.1.type", "tanh");
    w.conv("dec.2", "conv_transpose1d", {1, 1443, 1}, 1443);
    w.tensor("latent.scale", {64}, 1.0f);
    return w.bytes();
}

// rvq: its constants, an encoder of one strided convolution and a decoder of one, no codebooks.
Bytes tiny_rvq() {
    SafeTensorsWriter w("F32");
    copy_constants(tq::rvq::embedded_model_bytes(), "rvq", w);
    w.meta("encoder.layers", "2");
    w.conv("encoder.0", "conv1d", {4, 1, 320}, 4, {{"stride", "320"}});
    w.tensor("encoder.1.alpha", {4}, 1.0f);
    w.meta("encoder.1.type", "snake");
    w.meta("decoder.layers", "2");
    w.conv("decoder.0", "conv_transpose1d", {256, 1, 1}, 1);
    w.meta("decoder.1.type", "relu");
    return w.bytes();
}

}  // namespace

std::vector<Seed> seed_inputs() {
    return {{"stftae-tiny-f32", tiny_stftae("F32")},
            {"stftae-tiny-f16", tiny_stftae("F16")},
            {"stftae-tiny-bf16", tiny_stftae("BF16")},
            {"rvq-tiny", tiny_rvq()}};
}

}  // namespace tqfuzz
