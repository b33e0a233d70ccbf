#include "core/range_coder.hpp"

#include <algorithm>
#include <bit>
#include <string>

#include "core/error.hpp"

namespace tq {
namespace {

constexpr uint32_t range_floor = 1u << 24;  // renormalise below this
constexpr int max_raw_chunk = 16;           // keeps range >= 2^8 between shifts

}  // namespace

/* ---- AdaptiveModel ---- */

AdaptiveModel::AdaptiveModel(int symbols, uint32_t increment) : increment_(increment) {
    require(symbols >= 1 && symbols <= max_symbols, TQ_ERR_INVALID_ARGUMENT,
            "range coder: alphabet of " + std::to_string(symbols) + " symbols (1.." +
                std::to_string(max_symbols) + " allowed)");
    require(increment >= 1 && increment <= 1024, TQ_ERR_INVALID_ARGUMENT, "range coder: increment out of 1..1024");
    freq_.assign(static_cast<size_t>(symbols), 1);
    rebuild();
}

void AdaptiveModel::rebuild() {
    const size_t n = freq_.size();
    tree_.assign(n + 1, 0);
    total_ = 0;
    for (size_t i = 1; i <= n; ++i) {
        tree_[i] += freq_[i - 1];
        total_ += freq_[i - 1];
        const size_t parent = i + (i & (~i + 1));
        if (parent <= n) tree_[parent] += tree_[i];
    }
}

uint32_t AdaptiveModel::cumulative(int symbol) const {
    uint32_t sum = 0;
    for (size_t i = static_cast<size_t>(symbol); i > 0; i &= i - 1) sum += tree_[i];
    return sum;
}

int AdaptiveModel::find(uint32_t target) const {
    size_t pos = 0;
    for (size_t step = std::bit_floor(freq_.size()); step > 0; step >>= 1) {
        if (pos + step < tree_.size() && tree_[pos + step] <= target) {
            pos += step;
            target -= tree_[pos];
        }
    }
    return static_cast<int>(std::min(pos, freq_.size() - 1));
}

void AdaptiveModel::update(int symbol) {
    freq_[static_cast<size_t>(symbol)] += increment_;
    total_ += increment_;
    if (total_ > max_total) {
        for (uint32_t& f : freq_) f = (f + 1) / 2;
        rebuild();
        return;
    }
    for (size_t i = static_cast<size_t>(symbol) + 1; i < tree_.size(); i += i & (~i + 1)) tree_[i] += increment_;
}

/* ---- RangeEncoder ---- */

void RangeEncoder::shift_low() {
    if (static_cast<uint32_t>(low_) < 0xFF000000u || (low_ >> 32) != 0) {
        const auto carry = static_cast<uint8_t>(low_ >> 32);
        uint8_t byte = cache_;
        do {
            out_.push_back(static_cast<uint8_t>(byte + carry));
            byte = 0xFF;
        } while (--pending_ != 0);
        cache_ = static_cast<uint8_t>(low_ >> 24);
    }
    ++pending_;
    low_ = (low_ & 0x00FFFFFFu) << 8;
}

void RangeEncoder::normalize() {
    while (range_ < range_floor) {
        range_ <<= 8;
        shift_low();
    }
}

void RangeEncoder::encode_interval(uint32_t cumulative, uint32_t frequency, uint32_t total) {
    require(frequency >= 1 && total <= AdaptiveModel::max_total && cumulative < total &&
                frequency <= total - cumulative,
            TQ_ERR_INVALID_ARGUMENT, "range coder: invalid interval");
    const uint32_t step = range_ / total;
    low_ += static_cast<uint64_t>(step) * cumulative;
    range_ = step * frequency;
    normalize();
}

void RangeEncoder::encode(AdaptiveModel& model, int symbol) {
    require(symbol >= 0 && symbol < model.symbols(), TQ_ERR_INVALID_ARGUMENT,
            "range coder: symbol " + std::to_string(symbol) + " outside the model's alphabet");
    encode_interval(model.cumulative(symbol), model.frequency(symbol), model.total());
    model.update(symbol);
}

void RangeEncoder::encode_bits(uint32_t value, int bits) {
    require(bits >= 0 && bits <= 32, TQ_ERR_INVALID_ARGUMENT, "range coder: raw bit count out of 0..32");
    while (bits > 0) {
        const int n = std::min(bits, max_raw_chunk);
        bits -= n;
        range_ >>= n;
        low_ += static_cast<uint64_t>(range_) * ((value >> bits) & ((1u << n) - 1));
        normalize();
    }
}

std::vector<uint8_t> RangeEncoder::finish() {
    // Any value in [low, low + range) decodes the same; take the one with the
    // most trailing zero bits so that more trailing zero bytes can be trimmed.
    const uint64_t end = low_ + range_;
    for (int k = 32; k >= 0; --k) {
        const uint64_t mask = (uint64_t{1} << k) - 1;
        const uint64_t v = (low_ + mask) & ~mask;
        if (v < end) {
            low_ = v;
            break;
        }
    }
    for (int i = 0; i < 5; ++i) shift_low();
    std::vector<uint8_t> out(out_.begin() + 1, out_.end());  // the first byte is always 0
    while (!out.empty() && out.back() == 0) out.pop_back();
    *this = RangeEncoder();
    return out;
}

/* ---- RangeDecoder ---- */

RangeDecoder::RangeDecoder(std::span<const uint8_t> data) : data_(data) {
    for (int i = 0; i < 4; ++i) code_ = (code_ << 8) | next_byte();
}

uint8_t RangeDecoder::next_byte() {
    const uint8_t b = pos_ < data_.size() ? data_[pos_] : 0;
    ++pos_;
    return b;
}

void RangeDecoder::normalize() {
    while (range_ < range_floor) {
        code_ = (code_ << 8) | next_byte();
        range_ <<= 8;
    }
}

uint32_t RangeDecoder::target(uint32_t total) {
    require(total >= 1 && total <= AdaptiveModel::max_total, TQ_ERR_INVALID_ARGUMENT,
            "range coder: invalid total");
    step_ = range_ / total;
    return std::min(code_ / step_, total - 1);  // only a damaged stream reaches total
}

void RangeDecoder::consume(uint32_t cumulative, uint32_t frequency) {
    code_ -= step_ * cumulative;
    range_ = step_ * frequency;
    normalize();
}

int RangeDecoder::decode(AdaptiveModel& model) {
    const int symbol = model.find(target(model.total()));
    consume(model.cumulative(symbol), model.frequency(symbol));
    model.update(symbol);
    return symbol;
}

uint32_t RangeDecoder::decode_bits(int bits) {
    require(bits >= 0 && bits <= 32, TQ_ERR_INVALID_ARGUMENT, "range coder: raw bit count out of 0..32");
    uint32_t value = 0;
    while (bits > 0) {
        const int n = std::min(bits, max_raw_chunk);
        bits -= n;
        range_ >>= n;
        const uint32_t chunk = std::min(code_ / range_, (1u << n) - 1);
        code_ -= chunk * range_;
        value = (value << n) | chunk;  // n < 32, so the shift is defined
        normalize();
    }
    return value;
}

}  // namespace tq
