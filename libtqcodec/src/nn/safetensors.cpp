#include "nn/safetensors.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace tq::nn {
namespace {

static_assert(std::endian::native == std::endian::little, "tensor data is copied as little-endian");

using json = nlohmann::json;

// Deeper or bigger JSON than this is never a safetensors header; the caps keep
// a hostile header from costing stack, or memory many times its size.
constexpr int max_json_depth = 8;
constexpr size_t max_json_values = size_t{1} << 20;

enum class Dtype { f32, f16, bf16 };

struct Entry {
    std::string name;
    Dtype dtype;
    Shape shape;
    uint64_t begin, end;
};

size_t dtype_bytes(Dtype d) { return d == Dtype::f32 ? 4 : 2; }

float half_to_float(uint16_t h) {
    const uint32_t sign = (h & 0x8000u) << 16;
    const uint32_t exponent = (h >> 10) & 0x1f;
    const uint32_t mantissa = h & 0x3ffu;
    float magnitude;
    if (exponent == 0) {
        magnitude = std::ldexp(static_cast<float>(mantissa), -24);  // zero or subnormal
    } else if (exponent == 31) {
        magnitude = mantissa ? NAN : INFINITY;
    } else {
        magnitude = std::ldexp(static_cast<float>(mantissa | 0x400u), static_cast<int>(exponent) - 25);
    }
    return sign ? -magnitude : magnitude;
}

float bf16_to_float(uint16_t b) { return std::bit_cast<float>(static_cast<uint32_t>(b) << 16); }

class HeaderParser {
public:
    HeaderParser(std::string source, uint64_t data_bytes) : source_(std::move(source)), data_bytes_(data_bytes) {}

    [[noreturn]] void fail(const std::string& why) const { tq::fail(TQ_ERR_MODEL, source_ + ": " + why); }
    void check(bool ok, const std::string& why) const {
        if (!ok) fail(why);
    }

    json parse_json(std::span<const uint8_t> text) const {
        size_t values = 0;
        json::parser_callback_t limit_size = [this, &values](int depth, json::parse_event_t event, json&) {
            check(depth <= max_json_depth, "header JSON nested deeper than " + std::to_string(max_json_depth));
            if (event == json::parse_event_t::value) {
                check(++values <= max_json_values,
                      "header JSON has more than " + std::to_string(max_json_values) + " values");
            }
            return true;
        };
        json root = json::parse(text.begin(), text.end(), limit_size, false);
        check(!root.is_discarded(), "header is not valid JSON");
        check(root.is_object(), "header JSON is not an object");
        return root;
    }

    std::map<std::string, std::string> metadata(const json& value) const {
        check(value.is_object(), "__metadata__ is not an object");
        std::map<std::string, std::string> out;
        for (const auto& [key, v] : value.items()) {
            check(v.is_string(), "__metadata__ value '" + key + "' is not a string");
            out[key] = v.get<std::string>();
        }
        return out;
    }

    Entry entry(const std::string& name, const json& value) const {
        const std::string what = "tensor '" + name + "'";
        check(value.is_object(), what + " is not an object");
        Entry e{name, dtype(what, value), shape(what, value), 0, 0};
        const json* offsets = field(what, value, "data_offsets");
        check(offsets->is_array() && offsets->size() == 2 && (*offsets)[0].is_number_unsigned() &&
                  (*offsets)[1].is_number_unsigned(),
              what + ": data_offsets is not [begin, end]");
        e.begin = (*offsets)[0].get<uint64_t>();
        e.end = (*offsets)[1].get<uint64_t>();
        check(e.begin <= e.end && e.end <= data_bytes_,
              what + ": data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                  "] outside the data section of " + std::to_string(data_bytes_) + " bytes");
        check(element_count(e.shape) * dtype_bytes(e.dtype) == e.end - e.begin,
              what + ": shape " + to_string(e.shape) + " does not match its " + std::to_string(e.end - e.begin) +
                  " bytes");
        return e;
    }

    void check_disjoint(std::vector<Entry>& entries) const {
        std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.begin < b.begin; });
        for (size_t i = 1; i < entries.size(); ++i) {
            check(entries[i].begin >= entries[i - 1].end,
                  "tensors '" + entries[i - 1].name + "' and '" + entries[i].name + "' overlap");
        }
    }

private:
    const json* field(const std::string& what, const json& value, const char* key) const {
        auto it = value.find(key);
        check(it != value.end(), what + ": missing '" + key + "'");
        return &*it;
    }

    Dtype dtype(const std::string& what, const json& value) const {
        const json* d = field(what, value, "dtype");
        check(d->is_string(), what + ": dtype is not a string");
        const auto& s = d->get_ref<const std::string&>();
        if (s == "F32") return Dtype::f32;
        if (s == "F16") return Dtype::f16;
        if (s == "BF16") return Dtype::bf16;
        fail(what + ": unsupported dtype '" + s + "' (F32, F16 and BF16 are)");
    }

    // Bounds each dimension and the running product by the data section, so
    // the product cannot overflow and no later allocation exceeds the file.
    Shape shape(const std::string& what, const json& value) const {
        const json* s = field(what, value, "shape");
        check(s->is_array() && s->size() <= SafeTensors::max_rank,
              what + ": shape is not an array of at most " + std::to_string(SafeTensors::max_rank) + " dimensions");
        Shape out;
        uint64_t product = 1;
        for (const json& d : *s) {
            check(d.is_number_unsigned(), what + ": shape has a non-integer or negative dimension");
            const uint64_t n = d.get<uint64_t>();
            check(n <= SafeTensors::max_dim, what + ": dimension " + std::to_string(n) + " too large");
            if (n != 0) check(product <= data_bytes_ / n, what + ": shape " + s->dump() + " larger than the file");
            product *= n;
            out.push_back(static_cast<size_t>(n));
        }
        return out;
    }

    std::string source_;
    uint64_t data_bytes_;
};

std::vector<float> convert(const Entry& e, std::span<const uint8_t> data) {
    const uint8_t* p = data.data() + e.begin;
    std::vector<float> out(element_count(e.shape));
    if (e.dtype == Dtype::f32) {
        std::memcpy(out.data(), p, out.size() * 4);
        return out;
    }
    for (size_t i = 0; i < out.size(); ++i) {
        uint16_t bits;
        std::memcpy(&bits, p + 2 * i, 2);
        out[i] = e.dtype == Dtype::f16 ? half_to_float(bits) : bf16_to_float(bits);
    }
    return out;
}

uint64_t read_u64_le(const uint8_t* p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
    return v;
}

}  // namespace

SafeTensors SafeTensors::parse(std::span<const uint8_t> bytes, const std::string& name) {
    require(bytes.size() >= 8, TQ_ERR_MODEL,
            name + ": " + std::to_string(bytes.size()) + " bytes, too short for a header length");
    const uint64_t header_bytes = read_u64_le(bytes.data());
    require(header_bytes <= bytes.size() - 8 && header_bytes <= max_header_bytes, TQ_ERR_MODEL,
            name + ": header length " + std::to_string(header_bytes) + " exceeds the file (" +
                std::to_string(bytes.size()) + " bytes) or the " + std::to_string(max_header_bytes) + "-byte limit");
    const auto data = bytes.subspan(8 + header_bytes);
    HeaderParser parser(name, data.size());
    const json root = parser.parse_json(bytes.subspan(8, header_bytes));

    SafeTensors out;
    out.source_ = name;
    std::vector<Entry> entries;
    for (const auto& [key, value] : root.items()) {
        if (key == "__metadata__") {
            out.metadata_ = parser.metadata(value);
        } else {
            entries.push_back(parser.entry(key, value));
        }
    }
    parser.check_disjoint(entries);
    for (const Entry& e : entries) out.tensors_.emplace(e.name, Tensor(e.shape, convert(e, data)));
    return out;
}

SafeTensors SafeTensors::load(const std::filesystem::path& path) { return parse(read_file(path), path.string()); }

std::vector<uint8_t> SafeTensors::read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    require(in.good(), TQ_ERR_MODEL, path.string() + ": cannot open model file");
    const std::streamoff size = in.tellg();
    require(size >= 0, TQ_ERR_MODEL, path.string() + ": cannot size model file");
    std::vector<uint8_t> bytes(static_cast<size_t>(size));
    in.seekg(0);
    in.read(reinterpret_cast<char*>(bytes.data()), size);
    require(in.gcount() == size, TQ_ERR_MODEL, path.string() + ": read error");
    return bytes;
}

const Tensor& SafeTensors::get(const std::string& tensor) const {
    auto it = tensors_.find(tensor);
    require(it != tensors_.end(), TQ_ERR_MODEL, source_ + ": missing tensor '" + tensor + "'");
    return it->second;
}

const Tensor& SafeTensors::get(const std::string& tensor, const Shape& expected) const {
    const Tensor& t = get(tensor);
    require(t.shape() == expected, TQ_ERR_MODEL,
            source_ + ": tensor '" + tensor + "' has shape " + to_string(t.shape()) + ", expected " +
                to_string(expected));
    return t;
}

std::vector<std::string> SafeTensors::names() const {
    std::vector<std::string> out;
    for (const auto& [name, tensor] : tensors_) out.push_back(name);
    return out;
}

void SafeTensors::fail_meta(const std::string& key, const std::string& why) const {
    tq::fail(TQ_ERR_MODEL, source_ + ": metadata '" + key + "' " + why);
}

const std::string& SafeTensors::meta_string(const std::string& key) const {
    auto it = metadata_.find(key);
    if (it == metadata_.end()) fail_meta(key, "is missing");
    return it->second;
}

namespace {

bool parse_whole(std::string_view text, int64_t& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace

int64_t SafeTensors::meta_int(const std::string& key, int64_t lo, int64_t hi) const {
    const std::string& text = meta_string(key);
    int64_t v;
    if (!parse_whole(text, v)) fail_meta(key, "= '" + text + "' is not an integer");
    if (v < lo || v > hi) {
        fail_meta(key, "= " + text + " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    return v;
}

double SafeTensors::meta_float(const std::string& key) const {
    const std::string& text = meta_string(key);
    double v;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty() || !std::isfinite(v)) {
        fail_meta(key, "= '" + text + "' is not a finite number");
    }
    return v;
}

void SafeTensors::require_meta_int(const std::string& key, int64_t expected) const {
    const int64_t value = meta_int(key);
    if (value != expected)
        tq::fail(TQ_ERR_MODEL, source_ + ": " + key + " is " + std::to_string(value) + ", this library supports only " +
                                   std::to_string(expected));
}

void SafeTensors::require_meta_float(const std::string& key, double expected) const {
    const double value = meta_float(key);
    if (std::fabs(value - expected) > 1e-6 * std::fabs(expected))
        tq::fail(TQ_ERR_MODEL, source_ + ": " + key + " is " + meta_string(key) + ", this library supports only " +
                                   std::to_string(expected));
}

std::vector<int64_t> SafeTensors::meta_ints(const std::string& key, int64_t lo, int64_t hi) const {
    const std::string& text = meta_string(key);
    std::vector<int64_t> out;
    size_t start = 0;
    while (start <= text.size()) {
        size_t comma = std::min(text.find(',', start), text.size());
        int64_t v;
        if (!parse_whole(std::string_view(text).substr(start, comma - start), v) || v < lo || v > hi) {
            fail_meta(key, "= '" + text + "' is not a list of integers in [" + std::to_string(lo) + ", " +
                               std::to_string(hi) + "]");
        }
        out.push_back(v);
        start = comma + 1;
    }
    return out;
}

}  // namespace tq::nn
