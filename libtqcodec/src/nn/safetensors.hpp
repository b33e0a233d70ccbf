// Reader for the safetensors format (https://github.com/huggingface/safetensors):
//   u64 little-endian N | N bytes of JSON header | raw little-endian tensor data
// The header maps each tensor name to {dtype, shape, data_offsets: [begin, end]}
// (offsets relative to the data section) and may hold "__metadata__": {str: str},
// where our exporters put the architecture's hyper-parameters.
//
// The file is untrusted: every length, offset, shape and dtype is checked before
// anything is allocated from it, and every problem throws tq::Error(TQ_ERR_MODEL)
// with a message naming the file and the field. F32, F16 and BF16 tensors are
// converted to float32 on load.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "nn/tensor.hpp"

namespace tq::nn {

class SafeTensors {
public:
    // Limits on what a header may claim; real models are far below them.
    static constexpr uint64_t max_header_bytes = 100u << 20;
    static constexpr size_t max_rank = 8;
    static constexpr uint64_t max_dim = uint64_t{1} << 32;

    static SafeTensors load(const std::filesystem::path& path);
    // The bytes of a model file (for callers that also hash them); throws TQ_ERR_MODEL.
    static std::vector<uint8_t> read_file(const std::filesystem::path& path);
    // `name` only labels error messages.
    static SafeTensors parse(std::span<const uint8_t> bytes, const std::string& name = "safetensors");

    bool has(const std::string& tensor) const { return tensors_.count(tensor) != 0; }
    const Tensor& get(const std::string& tensor) const;
    // As get(), and fails unless the tensor has exactly `expected` shape.
    const Tensor& get(const std::string& tensor, const Shape& expected) const;
    std::vector<std::string> names() const;

    bool has_meta(const std::string& key) const { return metadata_.count(key) != 0; }
    const std::string& meta_string(const std::string& key) const;
    // Parsed whole-string; fails if missing, malformed or outside [lo, hi].
    int64_t meta_int(const std::string& key, int64_t lo = INT64_MIN, int64_t hi = INT64_MAX) const;
    double meta_float(const std::string& key) const;
    // Comma-separated integers, e.g. "2,4,8", each in [lo, hi].
    std::vector<int64_t> meta_ints(const std::string& key, int64_t lo = INT64_MIN, int64_t hi = INT64_MAX) const;
    const std::map<std::string, std::string>& metadata() const { return metadata_; }
    // A model's fixed constants: fail with "<source>: <key> is <value>, this library
    // supports only <expected>" unless the metadata holds `expected` (floats: within 1e-6 relative).
    void require_meta_int(const std::string& key, int64_t expected) const;
    void require_meta_float(const std::string& key, double expected) const;

    const std::string& source() const { return source_; }

private:
    [[noreturn]] void fail_meta(const std::string& key, const std::string& why) const;

    std::string source_;
    std::map<std::string, Tensor> tensors_;
    std::map<std::string, std::string> metadata_;
};

}  // namespace tq::nn
