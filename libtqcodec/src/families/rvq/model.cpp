#include "families/rvq/model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "core/error.hpp"
#include "families/model_stream.hpp"
#include "nn/builder.hpp"
#include "nn/gemm.hpp"
#include "nn/safetensors.hpp"
#include "nn/spectral_head.hpp"

// Defined by the generated assembly file (src/nn/embed_model.py) that .incbin's the model.
extern "C" const uint8_t rvq_model_begin[];
extern "C" const uint8_t rvq_model_end[];

namespace tq::rvq {
namespace {

constexpr size_t kLatent = kLatentChannels;
constexpr size_t kDim = kCodeDim;
constexpr size_t kSize = kCodebookSize;

void check_framing(const nn::SafeTensors& file) {
    file.require_meta_int("rvq.version", kModelVersion);
    file.require_meta_int("rvq.sample_rate", kSampleRate);
    file.require_meta_int("rvq.hop", kHop);
    file.require_meta_int("rvq.n_fft", kFftSize);
    file.require_meta_int("rvq.latent_channels", kLatentChannels);
    file.require_meta_int("rvq.num_codebooks", kCodebooks);
    file.require_meta_int("rvq.codebook_size", kCodebookSize);
    file.require_meta_int("rvq.code_dim", kCodeDim);
    file.require_meta_int("rvq.decoder_context", kDecoderContext);
    file.require_meta_int("rvq.encoder_lookahead", kEncoderLookahead);
    file.require_meta_int("rvq.frequency_total", kFrequencyTotal);
    file.require_meta_float("rvq.max_log_magnitude", kMaxLogMagnitude);
    file.require_meta_float("rvq.ola_gain", kOlaGain);
}

// Integer counts >= 1 summing to kFrequencyTotal per codebook -> cumulative tables.
std::vector<uint32_t> cumulative_tables(const nn::SafeTensors& file) {
    const nn::Tensor& freq = file.get("rvq.frequencies", {static_cast<size_t>(kCodebooks), kSize});
    std::vector<uint32_t> cum;
    for (size_t k = 0; k < static_cast<size_t>(kCodebooks); ++k) {
        uint64_t total = 0;
        cum.push_back(0);
        for (size_t j = 0; j < kSize; ++j) {
            const float f = freq.data()[k * kSize + j];
            require(f >= 1.0f && f <= static_cast<float>(kFrequencyTotal) && std::floor(f) == f, TQ_ERR_MODEL,
                    file.source() + ": rvq.frequencies[" + std::to_string(k) + "][" + std::to_string(j) + "] is " +
                        std::to_string(f) + ", every count must be an integer >= 1");
            total += static_cast<uint64_t>(f);
            cum.push_back(static_cast<uint32_t>(std::min<uint64_t>(total, kFrequencyTotal + 1)));
        }
        require(total == kFrequencyTotal, TQ_ERR_MODEL,
                file.source() + ": rvq.frequencies of codebook " + std::to_string(k) + " sum to " +
                    std::to_string(total) + ", expected " + std::to_string(kFrequencyTotal));
    }
    return cum;
}

}  // namespace

std::shared_ptr<const Model> Model::parse(std::span<const uint8_t> bytes, const std::string& source) {
    const nn::SafeTensors file = nn::SafeTensors::parse(bytes, source);
    check_framing(file);
    auto m = std::make_shared<Model>();
    m->encoder_ = nn::build_sequential(file, "encoder");
    m->decoder_ = nn::build_sequential(file, "decoder");
    for (int k = 0; k < kCodebooks; ++k) {
        const std::string p = "rvq." + std::to_string(k) + ".";
        Codebook book;
        book.project_in.emplace(file.get(p + "project_in.weight", {kDim, kLatent, 1}),
                                file.get(p + "project_in.bias", {kDim}), 1, 0, 1, 1);
        book.project_out.emplace(file.get(p + "project_out.weight", {kLatent, kDim, 1}),
                                 file.get(p + "project_out.bias", {kLatent}), 1, 0, 1, 1);
        const nn::Tensor& words = file.get(p + "codewords", {kSize, kDim});
        book.codewords.assign(words.values().begin(), words.values().end());
        book.transposed.resize(kDim * kSize);
        book.norms.assign(kSize, 0.0f);
        for (size_t j = 0; j < kSize; ++j)
            for (size_t d = 0; d < kDim; ++d) {
                const float v = book.codewords[j * kDim + d];
                require(std::isfinite(v), TQ_ERR_MODEL, source + ": " + p + "codewords holds a non-finite value");
                book.transposed[d * kSize + j] = v;
                book.norms[j] += v * v;
            }
        m->codebooks_.push_back(std::move(book));
    }
    m->cumulative_ = cumulative_tables(file);
    m->identify(bytes, file);

    require_model_shape(m->encode(std::vector<float>(4 * kHop, 0.0f)), {kLatent, 4}, "the encoder", source);
    require_model_shape(m->decoder_->forward(nn::Tensor({kLatent, 1})), {3 * kBins, 1}, "the decoder", source);
    return m;
}

nn::Tensor Model::encode(std::span<const float> audio) const {
    require(audio.size() % kHop == 0, TQ_ERR_INTERNAL, "rvq: encoder input is not a whole number of hops");
    const nn::Tensor x({1, audio.size()}, std::vector<float>(audio.begin(), audio.end()));
    return encoder_->forward(x);
}

// Squared distance |z|^2 - 2 z.c + |c|^2 as a GEMM; ties go to the lowest index (torch.argmin).
void Model::nearest(const Codebook& book, const nn::Tensor& z, std::span<uint16_t> indices) const {
    const size_t frames = z.dim(1);
    std::vector<float> dots(frames * kSize);
    nn::sgemm({.m = frames, .n = kSize, .k = kDim, .a = z.data(), .lda = frames, .b = book.transposed.data(),
               .ldb = kSize, .c = dots.data(), .ldc = kSize, .transpose_a = true});
    for (size_t f = 0; f < frames; ++f) {
        const float* row = dots.data() + f * kSize;
        size_t best = 0;
        float best_distance = book.norms[0] - 2.0f * row[0];
        for (size_t j = 1; j < kSize; ++j) {
            const float d = book.norms[j] - 2.0f * row[j];
            if (d < best_distance) best_distance = d, best = j;
        }
        indices[f] = static_cast<uint16_t>(best);
    }
}

namespace {

// Codewords of indices[f * stride] (one per frame) as a [kCodeDim, frames] tensor.
nn::Tensor gather(const std::vector<float>& codewords, std::span<const uint16_t> indices, size_t frames,
                  size_t stride) {
    nn::Tensor out({kDim, frames});
    for (size_t f = 0; f < frames; ++f)
        for (size_t d = 0; d < kDim; ++d) out.data()[d * frames + f] = codewords[indices[f * stride] * kDim + d];
    return out;
}

}  // namespace

FrameIndices Model::quantize(const nn::Tensor& latents) const {
    require(latents.rank() == 2 && latents.dim(0) == kLatent, TQ_ERR_INTERNAL, "rvq: latents are not [256, F]");
    const size_t frames = latents.dim(1);
    FrameIndices indices(frames * kCodebooks);
    if (frames == 0) return indices;
    nn::Tensor residual = latents;
    std::vector<uint16_t> stage(frames);
    for (size_t k = 0; k < static_cast<size_t>(kCodebooks); ++k) {
        const Codebook& book = codebooks_[k];
        nearest(book, book.project_in->forward(residual), stage);
        for (size_t f = 0; f < frames; ++f) indices[f * kCodebooks + k] = stage[f];
        const nn::Tensor q = book.project_out->forward(gather(book.codewords, stage, frames, 1));
        for (size_t i = 0; i < residual.size(); ++i) residual.data()[i] -= q.data()[i];
    }
    return indices;
}

nn::Tensor Model::dequantize(std::span<const uint16_t> indices, std::span<const int> counts) const {
    const size_t frames = counts.size();
    require(indices.size() == frames * kCodebooks, TQ_ERR_INTERNAL, "rvq: index count does not match the frames");
    nn::Tensor sum({kLatent, frames});
    const int used = frames ? *std::max_element(counts.begin(), counts.end()) : 0;
    for (int k = 0; k < std::min(used, kCodebooks); ++k) {
        const Codebook& book = codebooks_[static_cast<size_t>(k)];
        const nn::Tensor q = book.project_out->forward(gather(book.codewords, indices.subspan(static_cast<size_t>(k)), frames, kCodebooks));
        for (size_t c = 0; c < kLatent; ++c)
            for (size_t f = 0; f < frames; ++f)
                if (counts[f] > k) sum.data()[c * frames + f] += q.data()[c * frames + f];
    }
    return sum;
}

std::vector<std::complex<float>> Model::decode(const nn::Tensor& quantized) const {
    return nn::head_to_spectra(decoder_->forward(quantized), kBins, kMaxLogMagnitude);
}

std::span<const uint32_t> Model::cumulative(int codebook) const {
    return std::span(cumulative_).subspan(static_cast<size_t>(codebook) * (kSize + 1), kSize + 1);
}

const Model& model() {
    // A throwing initializer leaves the static uninitialized: the next call tries again.
    static const std::shared_ptr<const Model> loaded = load_model<Model>(kModelEnvironment, embedded_model_bytes(), "rvq");
    return *loaded;
}

std::span<const uint8_t> embedded_model_bytes() {
    return {rvq_model_begin, static_cast<size_t>(rvq_model_end - rvq_model_begin)};
}

bool model_available() {
    const char* path = std::getenv(kModelEnvironment);
    return !embedded_model_bytes().empty() || (path && *path);
}

}  // namespace tq::rvq
