#include "nn/builder.hpp"

#include <array>
#include <optional>

#include "core/error.hpp"
#include "nn/activations.hpp"
#include "nn/conv.hpp"

namespace tq::nn {
namespace {

constexpr int max_nesting = 4;
constexpr int64_t max_layers = 1024;
constexpr int64_t max_geometry = 1 << 16;

class Builder {
public:
    explicit Builder(const SafeTensors& file) : file_(file) {}

    std::unique_ptr<Sequential> sequential(const std::string& prefix, int depth) const {
        require(depth <= max_nesting, TQ_ERR_MODEL, file_.source() + ": residual blocks nested too deep at " + prefix);
        auto net = std::make_unique<Sequential>();
        const int64_t count = file_.meta_int(prefix + ".layers", 0, max_layers);
        for (int64_t i = 0; i < count; ++i) net->add(layer(prefix + "." + std::to_string(i), depth));
        return net;
    }

private:
    std::unique_ptr<Layer> layer(const std::string& p, int depth) const {
        const std::string& type = file_.meta_string(p + ".type");
        if (type == "conv1d") return conv1d(p);
        if (type == "conv_transpose1d") return conv_transpose1d(p);
        if (type == "conv2d") return std::make_unique<Conv2d>(file_.get(p + ".weight"), bias(p), geometry2d(p));
        if (type == "conv_transpose2d") {
            return std::make_unique<ConvTranspose2d>(file_.get(p + ".weight"), bias(p), geometry2d(p));
        }
        if (type == "relu") return std::make_unique<ReLU>();
        if (type == "tanh") return std::make_unique<Tanh>();
        if (type == "elu") return std::make_unique<ELU>(number(p + ".alpha", 1.0));
        if (type == "leaky_relu") return std::make_unique<LeakyReLU>(number(p + ".slope", 0.01));
        if (type == "snake") return std::make_unique<Snake>(file_.get(p + ".alpha"));
        if (type == "residual") return std::make_unique<Residual>(sequential(p + ".body", depth + 1));
        fail(TQ_ERR_MODEL, file_.source() + ": " + p + ".type '" + type + "' is not a known layer");
    }

    std::unique_ptr<Layer> conv1d(const std::string& p) const {
        return std::make_unique<Conv1d>(file_.get(p + ".weight"), bias(p), scalar(p + ".stride", 1),
                                        scalar(p + ".padding", 0), scalar(p + ".dilation", 1),
                                        scalar(p + ".groups", 1), scalar(p + ".causal_padding", 0));
    }

    std::unique_ptr<Layer> conv_transpose1d(const std::string& p) const {
        return std::make_unique<ConvTranspose1d>(file_.get(p + ".weight"), bias(p), scalar(p + ".stride", 1),
                                                 scalar(p + ".padding", 0), scalar(p + ".output_padding", 0),
                                                 scalar(p + ".dilation", 1), scalar(p + ".groups", 1));
    }

    ConvGeometry geometry2d(const std::string& p) const {
        return {.stride = pair(p + ".stride", 1), .padding = pair(p + ".padding", 0),
                .dilation = pair(p + ".dilation", 1), .output_padding = pair(p + ".output_padding", 0),
                .groups = scalar(p + ".groups", 1)};
    }

    std::optional<Tensor> bias(const std::string& p) const {
        if (!file_.has(p + ".bias")) return std::nullopt;
        return file_.get(p + ".bias");
    }

    size_t scalar(const std::string& key, size_t fallback) const {
        if (!file_.has_meta(key)) return fallback;
        return static_cast<size_t>(file_.meta_int(key, 0, max_geometry));
    }

    std::array<size_t, 2> pair(const std::string& key, size_t fallback) const {
        if (!file_.has_meta(key)) return {fallback, fallback};
        const auto v = file_.meta_ints(key, 0, max_geometry);
        require(v.size() == 2, TQ_ERR_MODEL, file_.source() + ": metadata '" + key + "' is not 'h,w'");
        return {static_cast<size_t>(v[0]), static_cast<size_t>(v[1])};
    }

    float number(const std::string& key, double fallback) const {
        return static_cast<float>(file_.has_meta(key) ? file_.meta_float(key) : fallback);
    }

    const SafeTensors& file_;
};

}  // namespace

std::unique_ptr<Sequential> build_sequential(const SafeTensors& file, const std::string& prefix) {
    return Builder(file).sequential(prefix, 0);
}

}  // namespace tq::nn
