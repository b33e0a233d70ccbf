// What the neural families share around their models: the stream-header
// parameters (model identity and stereo mode) and the checks of the generic
// header, mid/side coding of two channels, a loaded model's identity and shape
// checks, and loading the process-wide model from an environment variable or the
// bytes embedded in the library. stftae and rvq use it.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/checksum.hpp"
#include "families/family.hpp"
#include "nn/safetensors.hpp"

namespace tq {

enum class Stereo { mid_side = 0, left_right = 1 };

// The option schema entry of the stereo mode.
inline constexpr tq_option_info kStereoOption = {
    "stereo", TQ_OPTION_ENUM, 0, 0, 1,
    "two channels: ms codes mid (L+R)/2 and side (L-R)/2, lr codes left and right; other channel counts are "
    "coded channel by channel",
    "ms|lr"};

// The family part of the stream header: the family's parameter version (it names
// the model architecture the stream needs), the model file's SHA-256, the stereo mode.
struct ModelStreamParams {
    Stereo stereo = Stereo::mid_side;
    Sha256Digest model_sha256{};
};
inline constexpr std::size_t kModelParamsSize = 34;

std::vector<uint8_t> serialize_model_params(const ModelStreamParams& params, uint8_t version);
// Throws TQ_ERR_CORRUPT (naming `family`) for a version other than `version`, a wrong size or stereo byte.
ModelStreamParams parse_model_params(std::span<const uint8_t> bytes, const std::string& family, uint8_t version);
// Throws TQ_ERR_CORRUPT ("<family> stream: frame size 4096, expected 24000") unless the
// generic stream header has the family's fixed sample rate, frame size and delay.
void check_stream_framing(const StreamInfo& info, const std::string& family, int sample_rate, int frame_size,
                          int delay);
// Throws TQ_ERR_MODEL ("stream was encoded with <family> model 1a2b3c4d…, this library has …")
// unless the stream's model is the loaded one.
void require_stream_model(const Sha256Digest& stream, const Sha256Digest& loaded, const std::string& family,
                          const std::string& loaded_source);

bool uses_mid_side(Stereo stereo, int channels);
// The channels a family codes: mid (L+R)/2 and side (L-R)/2 for two channels in mid/side mode, else as given.
std::vector<std::vector<float>> coded_channels(const PlanarIn& pcm, Stereo stereo);
// Turns decoded mid and side back into left and right, in place (no-op unless mid/side).
void restore_channels(const PlanarOut& out, Stereo stereo);

// What identifies a loaded model (a family's Model derives from it): the SHA-256 of
// its file's bytes, which streams carry; where it came from, for errors; and its
// training.note ("untrained" for a development model), or "".
class ModelIdentity {
public:
    const Sha256Digest& sha256() const { return sha256_; }
    const std::string& source() const { return source_; }
    const std::string& training_note() const { return training_note_; }

protected:
    void identify(std::span<const uint8_t> bytes, const nn::SafeTensors& file);

private:
    Sha256Digest sha256_{};
    std::string source_;
    std::string training_note_;
};

// Throws TQ_ERR_MODEL ("<source>: <what> gives [...], expected [...]") unless `t` has the shape `expected`.
void require_model_shape(const nn::Tensor& t, const nn::Shape& expected, const std::string& what,
                         const std::string& source);

// The file `environment` names, else `embedded`, parsed by Model::parse(bytes, source).
template <class Model>
std::shared_ptr<const Model> load_model(const char* environment, std::span<const uint8_t> embedded,
                                        const std::string& family) {
    if (const char* path = std::getenv(environment); path && *path)
        return Model::parse(nn::SafeTensors::read_file(path), std::string(path) + " (" + environment + ")");
    return Model::parse(embedded, "embedded " + family + " model");
}

}  // namespace tq
